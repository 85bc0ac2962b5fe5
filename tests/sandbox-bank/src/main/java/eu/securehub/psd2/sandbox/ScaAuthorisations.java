package eu.securehub.psd2.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.securehub.psd2.sandbox.BankData.Customer;
import eu.securehub.psd2.sandbox.Http.BgError;
import eu.securehub.psd2.sandbox.Http.Call;
import eu.securehub.psd2.sandbox.Http.Reply;
import eu.securehub.psd2.sandbox.SandboxBank.Dialect;
import eu.securehub.psd2.sandbox.oauth.BankDirectory;
import eu.securehub.psd2.sandbox.oauth.ConsentSummary;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The consent authorisations (SCA) of the REDIRECT and DECOUPLED dialects, without OAuth: what POST /v1/consents
 * answers, the authorisation sub-resources {@code /v1/consents/{consentId}/authorisations[/{authorisationId}]} and
 * their scaStatus (with the poll interval), and the decisions of the bank's own SCA page ({@link ScaPage}) and of the
 * customer's app (decoupled, through the admin port). Thread-safe.
 */
final class ScaAuthorisations {

  /** The bank's SCA page: {@code <baseUrl>/sca/<authorisationId>}. */
  static final String SCA_PAGE_PATH = "/sca/";
  static final String PSU_MESSAGE = "Please confirm the access in your Sandbox Bank app.";
  private static final System.Logger LOG = System.getLogger(ScaAuthorisations.class.getName());

  /** The Berlin Group scaStatus values this bank uses. */
  enum ScaStatus {
    RECEIVED("received"), STARTED("started"), PSU_AUTHENTICATED("psuAuthenticated"), FINALISED("finalised"),
    FAILED("failed");

    final String value;

    ScaStatus(String value) {
      this.value = value;
    }

    boolean finished() {
      return this == FINALISED || this == FAILED;
    }
  }

  /** One authorisation sub-resource. Mutable: synchronise on it. */
  static final class Authorisation {
    final String id;
    final String consentId;
    final String tppOrganisation;
    /** REDIRECT: where the SCA page sends the browser after approval, and after denial or failure. */
    final String redirectUri;
    final String nokRedirectUri;
    /** DECOUPLED: the PSU (from PSU-ID); REDIRECT: the customer once logged in on the SCA page. */
    String customerId;
    ScaStatus status;
    String csrf;
    int loginFailures;
    Instant lastPoll;

    Authorisation(String id, String consentId, String tppOrganisation, String redirectUri, String nokRedirectUri,
                  String customerId, ScaStatus status) {
      this.id = id;
      this.consentId = consentId;
      this.tppOrganisation = tppOrganisation;
      this.redirectUri = redirectUri;
      this.nokRedirectUri = nokRedirectUri;
      this.customerId = customerId;
      this.status = status;
    }
  }

  /** The outcome of a decoupled approval or denial. */
  record Decision(String authorisationId, String consentStatus, String scaStatus) {
  }

  /** What the consent request said for the authorisations to come (redirect URIs, the decoupled PSU). */
  private record ConsentRequest(String redirectUri, String nokRedirectUri, String psuCustomerId) {
  }

  private final Dialect dialect;
  private final boolean explicitStart;
  private final Duration minPollInterval;
  private final BankData data;
  private final Clock clock;
  private final Supplier<URI> baseUrl;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Authorisation> authorisations = new ConcurrentHashMap<>();
  private final Map<String, List<String>> byConsent = new ConcurrentHashMap<>();
  private final Map<String, ConsentRequest> requests = new ConcurrentHashMap<>();
  private final AtomicInteger tooEarlyPolls = new AtomicInteger();

  ScaAuthorisations(Dialect dialect, boolean explicitStart, Duration minPollInterval, BankData data, Clock clock,
                    Supplier<URI> baseUrl) {
    this.dialect = dialect;
    this.explicitStart = explicitStart;
    this.minPollInterval = minPollInterval;
    this.data = data;
    this.clock = clock;
    this.baseUrl = baseUrl;
  }

  Dialect dialect() {
    return dialect;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // POST /v1/consents

  /**
   * The dialect's header checks of a consent request, before the consent exists: REDIRECT needs TPP-Redirect-URI,
   * DECOUPLED needs the PSU-ID of a known customer.
   *
   * @return the decoupled PSU's customer id, else null
   */
  String checkConsentRequest(Call call) {
    if (dialect == Dialect.OAUTH) {
      return null;
    }
    explicitPreferred(call);
    if (dialect == Dialect.REDIRECT) {
      if (call.header("TPP-Redirect-URI") == null) {
        throw new BgError(400, "FORMAT_ERROR", "TPP-Redirect-URI is mandatory: this bank uses the redirect SCA "
            + "approach.");
      }
      return null;
    }
    String psuId = call.header("PSU-ID");
    if (psuId == null || psuId.isBlank()) {
      throw new BgError(400, "FORMAT_ERROR", "PSU-ID is mandatory: this bank uses the decoupled SCA approach.");
    }
    return customer(psuId);
  }

  /** The 201 answer to POST /v1/consents: implicit start creates the first authorisation, explicit start does not. */
  Reply consentCreated(Call call, Consent consent, String psuCustomerId) {
    ConsentRequest request = new ConsentRequest(call.header("TPP-Redirect-URI"), call.header("TPP-Nok-Redirect-URI"),
        psuCustomerId);
    requests.put(consent.id, request);
    ObjectNode out = Http.JSON.createObjectNode();
    out.put("consentStatus", "received");
    out.put("consentId", consent.id);
    if (dialect == Dialect.DECOUPLED) {
      out.put("psuMessage", PSU_MESSAGE);
    }
    ObjectNode links = out.putObject("_links");
    if (explicitStart || explicitPreferred(call)) {
      links.putObject("startAuthorisation").put("href", "/v1/consents/" + consent.id + "/authorisations");
    } else {
      Authorisation a = create(consent, request.redirectUri(), request.nokRedirectUri(), psuCustomerId);
      authorisationLinks(links, a);
    }
    links.putObject("self").put("href", "/v1/consents/" + consent.id);
    links.putObject("status").put("href", "/v1/consents/" + consent.id + "/status");
    return Reply.json(201, out).with("ASPSP-SCA-Approach", dialect.name());
  }

  private static boolean explicitPreferred(Call call) {
    String v = call.header("TPP-Explicit-Authorisation-Preferred");
    if (v != null && !v.equals("true") && !v.equals("false")) {
      throw new BgError(400, "FORMAT_ERROR", "TPP-Explicit-Authorisation-Preferred must be true or false.");
    }
    return "true".equals(v);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // /v1/consents/{consentId}/authorisations[/{authorisationId}]

  /** POST …/authorisations (explicit start, or another authorisation): 201 with the new sub-resource. */
  Reply start(Call call, Consent consent) {
    BerlinGroupApi.psuIpAddress(call, false);
    BerlinGroupApi.redirectHeaders(call);
    emptyBody(call);
    String status = consent.status(LocalDate.now(clock));
    if (!status.equals("received")) {
      throw new BgError(409, "STATUS_INVALID", "The consent is " + status + ": it allows no further authorisation.");
    }
    ConsentRequest request = requests.getOrDefault(consent.id, new ConsentRequest(null, null, null));
    String psuId = call.header("PSU-ID");
    String customerId = dialect == Dialect.DECOUPLED && psuId != null ? customer(psuId) : request.psuCustomerId();
    String ok = first(call.header("TPP-Redirect-URI"), request.redirectUri());
    String nok = first(call.header("TPP-Nok-Redirect-URI"), request.nokRedirectUri());
    if (dialect == Dialect.REDIRECT && ok == null) {
      throw new BgError(400, "FORMAT_ERROR", "TPP-Redirect-URI is mandatory for the redirect SCA approach.");
    }
    if (dialect == Dialect.DECOUPLED && customerId == null) {
      throw new BgError(400, "FORMAT_ERROR", "PSU-ID is mandatory for the decoupled SCA approach.");
    }
    Authorisation a = create(consent, ok, nok, customerId);
    ObjectNode out = Http.JSON.createObjectNode();
    out.put("scaStatus", a.status.value);
    out.put("authorisationId", a.id);
    if (dialect == Dialect.DECOUPLED) {
      out.put("psuMessage", PSU_MESSAGE);
    }
    authorisationLinks(out.putObject("_links"), a);
    return Reply.json(201, out).with("ASPSP-SCA-Approach", dialect.name());
  }

  /** GET …/authorisations: {"authorisationIds":[…]}. */
  Reply list(Consent consent) {
    ObjectNode out = Http.JSON.createObjectNode();
    authorisationIds(consent.id).forEach(out.putArray("authorisationIds")::add);
    return Reply.json(200, out);
  }

  /** GET …/authorisations/{authorisationId}: {"scaStatus":…}, or 429 when polled too early. */
  Reply scaStatus(Call call, Consent consent, String authorisationId) {
    BerlinGroupApi.psuIpAddress(call, false);
    Authorisation a = authorisations.get(authorisationId);
    if (a == null || !a.consentId.equals(consent.id)) {
      throw new BgError(403, "RESOURCE_UNKNOWN", "The authorisation " + authorisationId + " is unknown for this "
          + "consent.");
    }
    String status;
    synchronized (a) {
      Instant now = clock.instant();
      if (a.lastPoll != null && Duration.between(a.lastPoll, now).compareTo(minPollInterval) < 0) {
        tooEarlyPolls.incrementAndGet();
        throw new BgError(429, "ACCESS_EXCEEDED", "Poll the scaStatus of an authorisation at most every "
            + minPollInterval.toMillis() + " ms.");
      }
      a.lastPoll = now;
      status = a.status.value;
    }
    ObjectNode out = Http.JSON.createObjectNode();
    out.put("scaStatus", status);
    return Reply.json(200, out);
  }

  private void authorisationLinks(ObjectNode links, Authorisation a) {
    if (dialect == Dialect.REDIRECT) {
      links.putObject("scaRedirect").put("href", baseUrl.get() + SCA_PAGE_PATH + a.id);
    }
    links.putObject("scaStatus").put("href", "/v1/consents/" + a.consentId + "/authorisations/" + a.id);
  }

  private Authorisation create(Consent consent, String ok, String nok, String customerId) {
    byte[] b = new byte[16];
    random.nextBytes(b);
    Authorisation a = new Authorisation(HexFormat.of().formatHex(b), consent.id, consent.tppOrganisation, ok, nok,
        customerId, dialect == Dialect.DECOUPLED ? ScaStatus.STARTED : ScaStatus.RECEIVED);
    authorisations.put(a.id, a);
    byConsent.computeIfAbsent(consent.id, k -> new CopyOnWriteArrayList<>()).add(a.id);
    return a;
  }

  private String customer(String psuId) {
    return data.customerByUsername(psuId.trim()).map(Customer::customerId).orElseThrow(() -> new BgError(401,
        "PSU_CREDENTIALS_INVALID", "The PSU-ID is not a customer of this bank."));
  }

  /** The start request's body must be empty or {} (this bank takes no embedded SCA data). */
  private static void emptyBody(Call call) {
    if (call.body() == null || call.body().length == 0) {
      return;
    }
    try {
      JsonNode body = Http.read(call.body());
      if (body != null && body.isObject() && body.isEmpty()) {
        return;
      }
    } catch (IOException e) {
      throw new BgError(400, "FORMAT_ERROR", "The body is not valid JSON.");
    }
    throw new BgError(400, "FORMAT_ERROR", "The body must be empty or {}: this bank takes no PSU credentials or "
        + "SCA data in the API.");
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Decisions

  /** The REDIRECT authorisation the SCA page shows, if any. */
  Optional<Authorisation> forScaPage(String authorisationId) {
    return dialect == Dialect.REDIRECT ? Optional.ofNullable(authorisations.get(authorisationId)) : Optional.empty();
  }

  /**
   * Ends an authorisation (the caller holds its lock): approve makes the consent valid (finalised), or rejected when
   * it covers none of the customer's accounts (failed); deny rejects it (failed).
   *
   * @return true when finalised
   */
  static boolean conclude(BankDirectory bank, Authorisation a, boolean approve, List<String> accounts) {
    if (!approve) {
      bank.reject(a.consentId);
      a.status = ScaStatus.FAILED;
      return false;
    }
    boolean valid;
    try {
      bank.approve(a.consentId, a.customerId, accounts == null ? List.of() : List.copyOf(accounts));
      valid = bank.consent(a.consentId).map(ConsentSummary::status).filter("valid"::equals).isPresent();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.INFO, "consent " + a.consentId + " not approved: " + e.getMessage());
      valid = false;
    }
    a.status = valid ? ScaStatus.FINALISED : ScaStatus.FAILED;
    return valid;
  }

  /**
   * The customer approves or denies in the bank's app: the consent's latest started decoupled authorisation ends.
   *
   * @param accounts for bank-offered consents, the IBANs (or resourceIds) the customer shares; null or empty: all
   * @return empty when the consent has no started decoupled authorisation
   */
  Optional<Decision> decideDecoupled(BankDirectory bank, String consentId, boolean approve, List<String> accounts) {
    if (dialect != Dialect.DECOUPLED) {
      return Optional.empty();
    }
    List<String> ids = new ArrayList<>(authorisationIds(consentId));
    for (int i = ids.size() - 1; i >= 0; i--) {
      Authorisation a = authorisations.get(ids.get(i));
      synchronized (a) {
        if (a.status == ScaStatus.STARTED) {
          conclude(bank, a, approve, accounts);
          String consentStatus = bank.consent(consentId).map(ConsentSummary::status).orElse("unknown");
          return Optional.of(new Decision(a.id, consentStatus, a.status.value));
        }
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // For the Java API

  Optional<String> scaStatus(String authorisationId) {
    Authorisation a = authorisations.get(authorisationId);
    if (a == null) {
      return Optional.empty();
    }
    synchronized (a) {
      return Optional.of(a.status.value);
    }
  }

  List<String> authorisationIds(String consentId) {
    List<String> ids = byConsent.get(consentId);
    return ids == null ? List.of() : List.copyOf(ids);
  }

  int tooEarlyPolls() {
    return tooEarlyPolls.get();
  }

  /** A fresh anti-CSRF token for the SCA page's next form. */
  String newCsrf() {
    byte[] b = new byte[18];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
