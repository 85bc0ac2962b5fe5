package eu.securehub.psd2.sandbox;

import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange.SignatureCheck;
import eu.securehub.psd2.sandbox.Http.Call;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;

/**
 * Verifies the QSEAL signature of a Berlin Group request: draft-cavage-http-signatures-10 as the Berlin Group
 * Implementation Guidelines profile it (headers {@code Digest}, {@code Signature}, {@code TPP-Signature-Certificate}),
 * with the certificate checked by {@link QsealCheck}. Thread-safe.
 *
 * <ul>
 *   <li>{@code Digest: SHA-256=<base64>} (or {@code SHA-512=}) of the raw body (empty for GET and DELETE);</li>
 *   <li>{@code Signature: keyId="SN=<serial hex>,CA=<issuer DN>",algorithm="rsa-sha256",headers="digest
 *       x-request-id …",signature="<base64>"}; the CA may be percent-encoded;</li>
 *   <li>the signed headers include digest and x-request-id, and psu-id, psu-corporate-id, date and tpp-redirect-uri
 *       whenever the request carries them; {@code (request-target)} may be signed too.</li>
 * </ul>
 */
final class SignatureVerifier {

  /** The request headers that must be signed whenever the request carries them (besides digest, x-request-id). */
  static final List<String> SIGNED_WHEN_PRESENT = List.of("psu-id", "psu-corporate-id", "date", "tpp-redirect-uri");
  static final String REQUEST_TARGET = "(request-target)";
  private static final Pattern KEY_ID = Pattern.compile("(?i)SN=([0-9a-f]+),\\s*CA=(.+)");
  private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9-]*");

  /** What the check found: the Exchange's record and, unless valid, the Berlin Group error code and text. */
  record Outcome(SignatureCheck check, String code, String text) {

    static final Outcome NOT_REQUIRED = new Outcome(SignatureCheck.NOT_REQUIRED, null, null);
    static final Outcome VALID = new Outcome(SignatureCheck.VALID, null, null);

    boolean ok() {
      return code == null;
    }

    static Outcome invalid(String text) {
      return new Outcome(SignatureCheck.INVALID, "SIGNATURE_INVALID", text);
    }
  }

  private final QsealCheck certificates;

  SignatureVerifier(List<X509Certificate> trustAnchors, Clock clock) {
    this.certificates = new QsealCheck(trustAnchors, clock);
  }

  /**
   * @param requestTarget    the raw path and query as sent (for {@code (request-target)})
   * @param qwacOrganisation the organizationIdentifier of the connection's QWAC, or null when the QWAC is not valid
   */
  Outcome verify(Call call, String requestTarget, String qwacOrganisation) {
    String digest = call.header("Digest");
    String signature = call.header("Signature");
    String certificate = call.header("TPP-Signature-Certificate");
    if (digest == null || signature == null || certificate == null) {
      return new Outcome(SignatureCheck.MISSING, "SIGNATURE_MISSING", "This bank requires signed requests: the "
          + "headers Digest, Signature and TPP-Signature-Certificate are mandatory.");
    }
    QsealCheck.Result seal = certificates.check(certificate, call.peerCertificates(), qwacOrganisation);
    if (!seal.ok()) {
      return new Outcome(SignatureCheck.CERTIFICATE_INVALID, seal.errorCode(), seal.errorText());
    }
    Map<String, String> params = parameters(signature);
    if (params == null || params.get("keyid") == null || params.get("signature") == null) {
      return Outcome.invalid("The Signature header is malformed (keyId, algorithm, headers and signature).");
    }
    if (!keyIdMatches(params.get("keyid"), seal.seal())) {
      return Outcome.invalid("keyId does not name the signing certificate (SN=<serial in hex>,CA=<issuer DN>).");
    }
    if (!"rsa-sha256".equalsIgnoreCase(params.get("algorithm"))) {
      return Outcome.invalid("algorithm must be rsa-sha256.");
    }
    List<String> signed = List.of(params.getOrDefault("headers", "date").trim().toLowerCase(Locale.ROOT)
        .split("\\s+"));
    String missing = unsignedRequiredHeader(call, signed);
    if (missing != null) {
      return Outcome.invalid("The signature must cover the header " + missing + ".");
    }
    if (!digestMatches(digest, call.body())) {
      return Outcome.invalid("Digest does not match the body (SHA-256=<base64> or SHA-512=<base64>).");
    }
    String signingString = signingString(call, requestTarget, signed);
    if (signingString == null) {
      return Outcome.invalid("A header named in the signature's header list is not in the request.");
    }
    return verifies(seal.seal(), signingString, params.get("signature")) ? Outcome.VALID
        : Outcome.invalid("The signature does not verify with the signing certificate's key.");
  }

  private static String unsignedRequiredHeader(Call call, List<String> signed) {
    for (String name : List.of("digest", "x-request-id")) {
      if (!signed.contains(name)) {
        return name;
      }
    }
    for (String name : SIGNED_WHEN_PRESENT) {
      if (call.header(name) != null && !signed.contains(name)) {
        return name;
      }
    }
    return null;
  }

  /** The draft-cavage signing string, or null when a listed header is absent or unsupported. */
  static String signingString(Call call, String requestTarget, List<String> names) {
    List<String> lines = new ArrayList<>();
    for (String name : names) {
      if (name.equals(REQUEST_TARGET)) {
        lines.add(name + ": " + call.method().toLowerCase(Locale.ROOT) + " " + requestTarget);
        continue;
      }
      if (name.startsWith("(")) {
        return null;
      }
      List<String> values = new ArrayList<>();
      call.headers().forEach((k, v) -> {
        if (k.equalsIgnoreCase(name)) {
          values.addAll(v);
        }
      });
      if (values.isEmpty()) {
        return null;
      }
      lines.add(name + ": " + String.join(", ", values));
    }
    return String.join("\n", lines);
  }

  static boolean keyIdMatches(String keyId, X509Certificate certificate) {
    Matcher m = KEY_ID.matcher(keyId.trim());
    if (!m.matches()) {
      return false;
    }
    if (!new BigInteger(m.group(1), 16).equals(certificate.getSerialNumber())) {
      return false;
    }
    String ca = m.group(2).trim();
    try {
      if (ca.contains("%")) {
        ca = percentDecode(ca);
      }
      return new X500Principal(ca).equals(certificate.getIssuerX500Principal());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** RFC 3986 percent-decoding ('+' stays '+', as in a DN's multi-valued RDN). */
  static String percentDecode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("truncated percent-encoding");
        }
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Every supported algorithm in the Digest header (SHA-256, SHA-512) matches; at least one is given. */
  static boolean digestMatches(String header, byte[] body) {
    boolean any = false;
    for (String entry : header.split(",")) {
      int eq = entry.indexOf('=');
      if (eq < 0) {
        return false;
      }
      String algorithm = entry.substring(0, eq).trim().toUpperCase(Locale.ROOT);
      if (!algorithm.equals("SHA-256") && !algorithm.equals("SHA-512")) {
        continue;
      }
      try {
        byte[] expected = MessageDigest.getInstance(algorithm).digest(body == null ? new byte[0] : body);
        if (!MessageDigest.isEqual(expected, Base64.getDecoder().decode(entry.substring(eq + 1).trim()))) {
          return false;
        }
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        return false;
      }
      any = true;
    }
    return any;
  }

  private static boolean verifies(X509Certificate certificate, String signingString, String signature) {
    try {
      Signature verifier = Signature.getInstance("SHA256withRSA");
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(signingString.getBytes(StandardCharsets.UTF_8));
      return verifier.verify(Base64.getDecoder().decode(signature.trim()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The Signature header's parameters ({@code name="value"} or {@code name=token}, comma-separated), by lower-case
   * name; null when malformed or a name repeats.
   */
  static Map<String, String> parameters(String header) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    int n = header.length();
    while (true) {
      while (i < n && (header.charAt(i) == ',' || Character.isWhitespace(header.charAt(i)))) {
        i++;
      }
      if (i >= n) {
        return out;
      }
      int eq = header.indexOf('=', i);
      if (eq < 0) {
        return null;
      }
      String name = header.substring(i, eq).trim();
      if (!PARAM_NAME.matcher(name).matches()) {
        return null;
      }
      i = eq + 1;
      while (i < n && Character.isWhitespace(header.charAt(i))) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < n && header.charAt(i) == '"') {
        i++;
        while (i < n && header.charAt(i) != '"') {
          if (header.charAt(i) == '\\' && i + 1 < n) {
            i++;
          }
          value.append(header.charAt(i++));
        }
        if (i >= n) {
          return null;
        }
        i++;
      } else {
        while (i < n && header.charAt(i) != ',') {
          value.append(header.charAt(i++));
        }
      }
      if (out.put(name.toLowerCase(Locale.ROOT), value.toString().trim()) != null) {
        return null;
      }
    }
  }
}
