package eu.securehub.psd2.sandbox;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The Berlin Group NextGenPSD2 XS2A 1.3.9 OpenAPI definition as a contract: validates one request/response
 * exchange (both sides) and lists every violation.
 *
 * <p>The published file ({@value #SPEC_FILE}, unmodified, under {@code ../shared/berlin-group/} next to the
 * project root) is loaded as its README says: parsed with swagger-parser, the path {@code POST
 * /v1/funds-confirmations} (which declares {@code Consent-ID} twice) dropped from the in-memory model, serialised
 * with {@link Json#mapper()} and handed to {@link OpenApiInteractionValidator#createForInlineApiSpecification}.
 * Loading takes a few seconds: share one instance ({@link #shared()}).
 *
 * <p>Thread-safe.
 */
public final class BerlinGroupContract {

  /** The published file name. */
  public static final String SPEC_FILE = "psd2-api-1.3.9-2021-05-04.yaml";
  /** System property that names the file directly (overrides the search from the project root). */
  public static final String SPEC_PROPERTY = "psd2.berlinGroupSpec";

  private static volatile BerlinGroupContract shared;

  private final Path specFile;
  private final OpenApiInteractionValidator validator;

  private BerlinGroupContract(Path specFile, OpenApiInteractionValidator validator) {
    this.specFile = specFile;
    this.validator = validator;
  }

  /** One instance per JVM, loaded on first use from {@link #locateSpec()}. */
  public static BerlinGroupContract shared() {
    BerlinGroupContract c = shared;
    if (c == null) {
      synchronized (BerlinGroupContract.class) {
        c = shared;
        if (c == null) {
          c = load(locateSpec());
          shared = c;
        }
      }
    }
    return c;
  }

  /** Loads the file found by {@link #locateSpec()}. */
  public static BerlinGroupContract load() {
    return load(locateSpec());
  }

  /** Loads the given Berlin Group OpenAPI file. */
  public static BerlinGroupContract load(Path specFile) {
    if (!Files.isRegularFile(specFile)) {
      throw new IllegalStateException("Berlin Group OpenAPI file not found: " + specFile.toAbsolutePath());
    }
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    OpenAPI api = new OpenAPIV3Parser().read(specFile.toAbsolutePath().toString(), null, options);
    if (api == null || api.getPaths() == null) {
      throw new IllegalStateException("Could not parse the Berlin Group OpenAPI file " + specFile);
    }
    // The one defect of the published file: Consent-ID declared twice on POST /v1/funds-confirmations.
    api.getPaths().remove("/v1/funds-confirmations");
    String json;
    try {
      json = Json.mapper().writeValueAsString(api);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    OpenApiInteractionValidator validator = OpenApiInteractionValidator.createForInlineApiSpecification(json)
        .build();
    return new BerlinGroupContract(specFile, validator);
  }

  /**
   * Finds {@value #SPEC_FILE}: the system property {@value #SPEC_PROPERTY} if set, else from the project root
   * (the nearest folder at or above the working directory holding {@code shared-pom.xml}), {@code
   * ../shared/berlin-group/}{@value #SPEC_FILE}.
   *
   * @throws IllegalStateException naming what was searched when the file is missing
   */
  public static Path locateSpec() {
    String explicit = System.getProperty(SPEC_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      Path p = Paths.get(explicit);
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException("-D" + SPEC_PROPERTY + "=" + explicit + ": no such file");
      }
      return p;
    }
    Path root = projectRoot();
    Path spec = root.toAbsolutePath().normalize().getParent().resolve("shared").resolve("berlin-group")
        .resolve(SPEC_FILE);
    if (!Files.isRegularFile(spec)) {
      throw new IllegalStateException("The Berlin Group OpenAPI file is missing: expected " + spec
          + " (../shared/berlin-group/" + SPEC_FILE + " next to the project root " + root
          + "; or set -D" + SPEC_PROPERTY + "=<file>)");
    }
    return spec;
  }

  /**
   * The project root: the nearest folder at or above the working directory that holds {@code shared-pom.xml}.
   *
   * @throws IllegalStateException if there is none
   */
  public static Path projectRoot() {
    Path start = Paths.get(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("shared-pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("No project root (a folder holding shared-pom.xml) at or above " + start);
  }

  /** The file this contract was loaded from. */
  public Path specFile() {
    return specFile;
  }

  /** Validates both sides of an exchange; empty when both conform. */
  public Violations validate(Exchange exchange) {
    Objects.requireNonNull(exchange, "exchange");
    SimpleRequest.Builder rb = new SimpleRequest.Builder(exchange.method(), exchange.path());
    exchange.query().forEach((name, values) -> rb.withQueryParam(name, values));
    exchange.requestHeaders().forEach((name, values) -> rb.withHeader(name, values));
    if (exchange.requestBody() != null && exchange.requestBody().length > 0) {
      rb.withBody(new String(exchange.requestBody(), StandardCharsets.UTF_8));
    }
    Request request = rb.build();
    SimpleResponse.Builder sb = new SimpleResponse.Builder(exchange.status());
    exchange.responseHeaders().forEach((name, values) -> sb.withHeader(name, values));
    if (exchange.responseBody() != null && exchange.responseBody().length > 0) {
      sb.withBody(new String(exchange.responseBody(), StandardCharsets.UTF_8));
    }
    ValidationReport requestReport = validator.validateRequest(request);
    ValidationReport responseReport = validator.validateResponse(exchange.path(),
        Request.Method.valueOf(exchange.method().toUpperCase(Locale.ROOT)), sb.build());
    return new Violations(exchange, messages(requestReport, false), messages(responseReport, true));
  }

  private static List<String> messages(ValidationReport report, boolean response) {
    List<String> out = new ArrayList<>();
    for (ValidationReport.Message m : report.getMessages()) {
      // A request to a path or method the file does not define leaves no response definition to check against;
      // the validator repeats the request's finding for the response, which is reported with the request only.
      if (response && m.getKey().startsWith("validation.request.")) {
        continue;
      }
      if (m.getLevel() == ValidationReport.Level.ERROR) {
        out.add(m.getKey() + ": " + m.getMessage());
      }
    }
    return List.copyOf(out);
  }

  /**
   * One HTTP exchange on a Berlin Group endpoint, as the bank saw it. Paths without query; header and query
   * names as sent. {@code signature} tells whether the request carried a valid QSEAL signature, when the bank
   * requires signatures ({@link SignatureCheck#NOT_REQUIRED} otherwise). {@code clientCertificateSha256} is the
   * SHA-256 fingerprint ({@link #sha256Fingerprint}: lower-case hex of the DER encoding) of the TLS client certificate
   * the request's connection presented (the QWAC), or null when it presented none or the exchange was made without
   * one (the shorter constructors).
   */
  public record Exchange(String method, String path, Map<String, List<String>> query,
                         Map<String, List<String>> requestHeaders, byte[] requestBody, int status,
                         Map<String, List<String>> responseHeaders, byte[] responseBody, SignatureCheck signature,
                         String clientCertificateSha256) {

    /** The outcome of the bank's check of the request's signature (Digest, Signature, TPP-Signature-Certificate). */
    public enum SignatureCheck {
      /** The bank does not require signatures and did not check. */
      NOT_REQUIRED,
      /** Signed, and the signature verified with a valid QSEAL of the TPP. */
      VALID,
      /** Digest, Signature or TPP-Signature-Certificate was missing (SIGNATURE_MISSING). */
      MISSING,
      /** Digest, keyId, algorithm, signed header list or signature wrong (SIGNATURE_INVALID). */
      INVALID,
      /** The signing certificate is unreadable, untrusted, expired or not the TPP's QSEAL (CERTIFICATE_*). */
      CERTIFICATE_INVALID
    }

    public Exchange {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      query = Map.copyOf(query);
      requestHeaders = Map.copyOf(requestHeaders);
      responseHeaders = Map.copyOf(responseHeaders);
      signature = signature == null ? SignatureCheck.NOT_REQUIRED : signature;
    }

    /** An exchange without a recorded client certificate. */
    public Exchange(String method, String path, Map<String, List<String>> query,
                    Map<String, List<String>> requestHeaders, byte[] requestBody, int status,
                    Map<String, List<String>> responseHeaders, byte[] responseBody, SignatureCheck signature) {
      this(method, path, query, requestHeaders, requestBody, status, responseHeaders, responseBody, signature, null);
    }

    /** The SHA-256 fingerprint of a certificate as {@link #clientCertificateSha256} records it; null for null. */
    public static String sha256Fingerprint(java.security.cert.X509Certificate certificate) {
      if (certificate == null) {
        return null;
      }
      try {
        return java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException("cannot fingerprint a certificate", e);
      }
    }

    /** Whether the connection of this exchange presented {@code certificate} as its TLS client certificate. */
    public boolean presented(java.security.cert.X509Certificate certificate) {
      return clientCertificateSha256 != null && clientCertificateSha256.equals(sha256Fingerprint(certificate));
    }

    /** An exchange of a bank that does not check signatures. */
    public Exchange(String method, String path, Map<String, List<String>> query,
                    Map<String, List<String>> requestHeaders, byte[] requestBody, int status,
                    Map<String, List<String>> responseHeaders, byte[] responseBody) {
      this(method, path, query, requestHeaders, requestBody, status, responseHeaders, responseBody,
          SignatureCheck.NOT_REQUIRED);
    }

    /** The request header's first value, any case of its name, or null. */
    public String requestHeader(String name) {
      return first(requestHeaders, name);
    }

    /** The response header's first value, any case of its name, or null. */
    public String responseHeader(String name) {
      return first(responseHeaders, name);
    }

    /** Whether the request carried {@code Authorization: Bearer …} (an OAuth access token). */
    public boolean bearerToken() {
      String authorization = requestHeader("Authorization");
      return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
    }

    /**
     * Whether this is a GET of a payment or of its status ({@code /v1/payments|periodic-payments/{product}/{id}} or
     * {@code …/{id}/status}).
     */
    public boolean paymentRead() {
      if (!method.equals("GET")) {
        return false;
      }
      String[] p = path.split("/", -1);
      return p.length >= 5 && p[1].equals("v1") && (p[2].equals("payments") || p[2].equals("periodic-payments"))
          && (p.length == 5 || (p.length == 6 && p[5].equals("status")));
    }

    public String responseBodyText() {
      return responseBody == null ? "" : new String(responseBody, StandardCharsets.UTF_8);
    }

    private static String first(Map<String, List<String>> headers, String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return method + " " + path + (query.isEmpty() ? "" : " " + query) + " -> " + status
          + (signature == SignatureCheck.NOT_REQUIRED ? "" : " (signature " + signature + ")");
    }
  }

  /** The violations of one exchange: the request's and the response's, each a list of messages. */
  public record Violations(Exchange exchange, List<String> request, List<String> response) {

    public boolean isEmpty() {
      return request.isEmpty() && response.isEmpty();
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(exchange.toString());
      request.forEach(m -> sb.append("\n  request:  ").append(m));
      response.forEach(m -> sb.append("\n  response: ").append(m));
      return sb.toString();
    }
  }
}
