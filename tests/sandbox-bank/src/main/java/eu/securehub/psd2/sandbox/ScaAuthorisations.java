package eu.securehub.psd2.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.securehub.psd2.sandbox.BankData.Customer;
import eu.securehub.psd2.sandbox.Http.BgError;
import eu.securehub.psd2.sandbox.Http.Call;
import eu.securehub.psd2.sandbox.Http.Reply;
import eu.securehub.psd2.sandbox.SandboxBank.Dialect;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * The authorisations (SCA) of the REDIRECT and DECOUPLED dialects, without OAuth, for every resource the customer
 * authorises ({@link Subject}): a consent, a payment, or the cancellation of a standing order. It makes what the
 * creation answer says about the authorisation (links, psuMessage), the authorisation sub-resources
 * ({@code <resource>/authorisations[/{authorisationId}]}, {@code <payment>/cancellation-authorisations[/…]}) and
 * their scaStatus (with the poll interval), and carries out the decisions of the bank's own SCA page ({@link ScaPage})
 * and of the customer's app (decoupled, through the admin port) through the bank's {@link Decider}. Thread-safe.
 */
final class ScaAuthorisations {

  /** The bank's SCA page: {@code <baseUrl>/sca/<authorisationId>}. */
  static final String SCA_PAGE_PATH = "/sca/";
  static final String PSU_MESSAGE = "Please confirm the access in your Sandbox Bank app.";
  static final String PSU_MESSAGE_PAYMENT = "Please confirm the payment in your Sandbox Bank app.";
  static final String PSU_MESSAGE_CANCELLATION = "Please confirm the cancellation in your Sandbox Bank app.";
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

  /** What kind of resource an authorisation authorises. */
  enum Kind {
    CONSENT, PAYMENT, CANCELLATION
  }

  /**
   * The resource being authorised.
   *
   * @param id   the consentId or paymentId
   * @param path the resource's path: {@code /v1/consents/{consentId}} or {@code /v1/{service}/{product}/{paymentId}}
   */
  record Subject(Kind kind, String id, String tppOrganisation, String path) {

    static Subject consent(Consent c) {
      return new Subject(Kind.CONSENT, c.id, c.tppOrganisation, "/v1/consents/" + c.id);
    }

    static Subject payment(Payment p) {
      return new Subject(Kind.PAYMENT, p.id, p.tppOrganisation, p.path());
    }

    static Subject cancellation(Payment p) {
      return new Subject(Kind.CANCELLATION, p.id, p.tppOrganisation, p.path());
    }

    /** {@code authorisations}, or {@code cancellation-authorisations} for a cancellation. */
    String subResource() {
      return kind == Kind.CANCELLATION ? "cancellation-authorisations" : "authorisations";
    }

    String authorisationsPath() {
      return path + "/" + subResource();
    }

    String key() {
      return kind + ":" + id;
    }

    String psuMessage() {
      return switch (kind) {
        case CONSENT -> PSU_MESSAGE;
        case PAYMENT -> PSU_MESSAGE_PAYMENT;
        case CANCELLATION -> PSU_MESSAGE_CANCELLATION;
      };
    }
  }

  /** The bank's side of the authorisations: whether a resource may be authorised now, and the decisions. */
  interface Decider {

    /** Null when the subject awaits the customer's authorisation now, else why not (a sentence without a period). */
    String notAuthorisable(Subject subject);

    /**
     * The customer approved (the caller holds the authorisation's lock).
     *
     * @param accounts a bank-offered consent's chosen accounts (IBANs or resourceIds); empty: all
     * @return true when the SCA is finalised, false when it failed (e.g. none of the customer's accounts)
     */
    boolean approve(Subject subject, String customerId, List<String> accounts);

    /** The customer denied, cancelled or failed the SCA. */
    void deny(Subject subject);

    /** The resource's status as the admin answers name it (consentStatus or transactionStatus). */
    String status(Subject subject);
  }

  /** One authorisation sub-resource. Mutable: synchronise on it. */
  static final class Authorisation {
    final String id;
    final Subject subject;
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

    Authorisation(String id, Subject subject, String redirectUri, String nokRedirectUri, String customerId,
                  ScaStatus status) {
      this.id = id;
      this.subject = subject;
      this.tppOrganisation = subject.tppOrganisation();
      this.redirectUri = redirectUri;
      this.nokRedirectUri = nokRedirectUri;
      this.customerId = customerId;
      this.status = status;
    }
  }

  /** The outcome of a decoupled approval or denial. */
  record Decision(String authorisationId, String resourceStatus, String scaStatus) {
  }

  /** What the resource's request said for the authorisations to come (redirect URIs, the decoupled PSU). */
  private record ResourceRequest(String redirectUri, String nokRedirectUri, String psuCustomerId) {
    static final ResourceRequest NONE = new ResourceRequest(null, null, null);
  }

  private final Dialect dialect;
  private final boolean explicitStart;
  private final Duration minPollInterval;
  private final BankData data;
  private final Clock clock;
  private final Supplier<URI> baseUrl;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Authorisation> authorisations = new ConcurrentHashMap<>();
  private final Map<String, List<String>> bySubject = new ConcurrentHashMap<>();
  private final Map<String, ResourceRequest> requests = new ConcurrentHashMap<>();
  private final AtomicInteger tooEarlyPolls = new AtomicInteger();
  private volatile Decider decider;

  ScaAuthorisations(Dialect dialect, boolean explicitStart, Duration minPollInterval, BankData data, Clock clock,
                    Supplier<URI> baseUrl) {
    this.dialect = dialect;
    this.explicitStart = explicitStart;
    this.minPollInterval = minPollInterval;
    this.data = data;
    this.clock = clock;
    this.baseUrl = baseUrl;
  }

  /** The bank that decides (set once, by the API that owns the resources). */
  void decider(Decider decider) {
    this.decider = decider;
  }

  Decider decider() {
    return decider;
  }

  Dialect dialect() {
    return dialect;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Creation of a consent or a payment

  /**
   * The dialect's header checks of a consent or payment initiation request, before the resource exists: REDIRECT
   * needs TPP-Redirect-URI, DECOUPLED needs the PSU-ID of a known customer; both check
   * TPP-Explicit-Authorisation-Preferred.
   *
   * @return the decoupled PSU's customer id, else null
   */
  String checkRequest(Call call) {
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
    ObjectNode out = Http.JSON.createObjectNode();
    out.put("consentStatus", "received");
    out.put("consentId", consent.id);
    Subject subject = Subject.consent(consent);
    ObjectNode links = created(call, subject, psuCustomerId, out);
    links.putObject("self").put("href", subject.path());
    links.putObject("status").put("href", subject.path() + "/status");
    return Reply.json(201, out).with("ASPSP-SCA-Approach", dialect.name());
  }

  /**
   * What a creation answer (a consent's or a payment's) says about the authorisation: DECOUPLED adds psuMessage;
   * {@code _links} gets startAuthorisation for an explicit start (by configuration, or TPP-Explicit-Authorisation-
   * Preferred: true), else the implicitly created first authorisation's links (REDIRECT scaRedirect and scaStatus,
   * DECOUPLED scaStatus). Remembers the request's redirect URIs and PSU for the authorisations to come.
   *
   * @return the {@code _links} object, for the caller to add self and status
   */
  ObjectNode created(Call call, Subject subject, String psuCustomerId, ObjectNode out) {
    ResourceRequest request = new ResourceRequest(call.header("TPP-Redirect-URI"),
        call.header("TPP-Nok-Redirect-URI"), psuCustomerId);
    requests.put(subject.key(), request);
    if (dialect == Dialect.DECOUPLED) {
      out.put("psuMessage", subject.psuMessage());
    }
    ObjectNode links = out.putObject("_links");
    if (explicitStart || explicitPreferred(call)) {
      links.putObject("startAuthorisation").put("href", subject.authorisationsPath());
    } else {
      Authorisation a = create(subject, request.redirectUri(), request.nokRedirectUri(), psuCustomerId);
      authorisationLinks(links, a);
    }
    return links;
  }

  /**
   * A standing order's cancellation request (DELETE, answered 202): its redirect URIs, if any, take precedence over
   * the payment's for the cancellation's authorisations.
   */
  void cancellationRequested(Call call, Payment payment) {
    if (dialect == Dialect.OAUTH) {
      return;
    }
    explicitPreferred(call);
    requests.put(Subject.cancellation(payment).key(), new ResourceRequest(call.header("TPP-Redirect-URI"),
        call.header("TPP-Nok-Redirect-URI"), null));
  }

  static boolean explicitPreferred(Call call) {
    String v = call.header("TPP-Explicit-Authorisation-Preferred");
    if (v != null && !v.equals("true") && !v.equals("false")) {
      throw new BgError(400, "FORMAT_ERROR", "TPP-Explicit-Authorisation-Preferred must be true or false.");
    }
    return "true".equals(v);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // <resource>/authorisations[/{authorisationId}], <payment>/cancellation-authorisations[/{authorisationId}]

  /** POST …/authorisations (explicit start, or another authorisation): 201 with the new sub-resource. */
  Reply start(Call call, Subject subject) {
    BerlinGroupApi.psuIpAddress(call, false);
    BerlinGroupApi.redirectHeaders(call);
    emptyBody(call);
    String blocked = decider.notAuthorisable(subject);
    if (blocked != null) {
      throw new BgError(409, "STATUS_INVALID", blocked + ": it allows no further authorisation.");
    }
    ResourceRequest request = request(subject);
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
    Authorisation a = create(subject, ok, nok, customerId);
    ObjectNode out = Http.JSON.createObjectNode();
    out.put("scaStatus", a.status.value);
    out.put("authorisationId", a.id);
    if (dialect == Dialect.DECOUPLED) {
      out.put("psuMessage", subject.psuMessage());
    }
    authorisationLinks(out.putObject("_links"), a);
    return Reply.json(201, out).with("ASPSP-SCA-Approach", dialect.name());
  }

  /**
   * The request values for a subject's authorisations: a cancellation's own (from its DELETE) first, then the
   * payment's initiation request's.
   */
  private ResourceRequest request(Subject subject) {
    ResourceRequest own = requests.getOrDefault(subject.key(), ResourceRequest.NONE);
    if (subject.kind() != Kind.CANCELLATION) {
      return own;
    }
    ResourceRequest payment = requests.getOrDefault(new Subject(Kind.PAYMENT, subject.id(),
        subject.tppOrganisation(), subject.path()).key(), ResourceRequest.NONE);
    return new ResourceRequest(first(own.redirectUri(), payment.redirectUri()),
        own.redirectUri() != null ? own.nokRedirectUri() : payment.nokRedirectUri(),
        first(own.psuCustomerId(), payment.psuCustomerId()));
  }

  /** GET …/authorisations: {"authorisationIds":[…]}. */
  Reply list(Subject subject) {
    ObjectNode out = Http.JSON.createObjectNode();
    authorisationIds(subject).forEach(out.putArray("authorisationIds")::add);
    return Reply.json(200, out);
  }

  /** GET …/authorisations/{authorisationId}: {"scaStatus":…}, or 429 when polled too early. */
  Reply scaStatus(Call call, Subject subject, String authorisationId) {
    BerlinGroupApi.psuIpAddress(call, false);
    Authorisation a = authorisations.get(authorisationId);
    if (a == null || !a.subject.key().equals(subject.key())) {
      throw new BgError(403, "RESOURCE_UNKNOWN", "The authorisation " + authorisationId + " is unknown for this "
          + (subject.kind() == Kind.CONSENT ? "consent" : subject.kind() == Kind.PAYMENT ? "payment"
          : "cancellation") + ".");
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
    links.putObject("scaStatus").put("href", a.subject.authorisationsPath() + "/" + a.id);
  }

  private Authorisation create(Subject subject, String ok, String nok, String customerId) {
    byte[] b = new byte[16];
    random.nextBytes(b);
    Authorisation a = new Authorisation(HexFormat.of().formatHex(b), subject, ok, nok, customerId,
        dialect == Dialect.DECOUPLED ? ScaStatus.STARTED : ScaStatus.RECEIVED);
    authorisations.put(a.id, a);
    bySubject.computeIfAbsent(subject.key(), k -> new CopyOnWriteArrayList<>()).add(a.id);
    return a;
  }

  /**
   * The subject can no longer be authorised (e.g. a payment cancelled before its SCA): its unfinished
   * authorisations fail. The caller must not hold the lock of the resource (lock order: authorisation, resource).
   */
  void abandon(Subject subject) {
    for (String id : authorisationIds(subject)) {
      Authorisation a = authorisations.get(id);
      synchronized (a) {
        if (!a.status.finished()) {
          a.status = ScaStatus.FAILED;
        }
      }
    }
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
   * Ends an authorisation (the caller holds its lock) through the bank's decision: approve finalises it (a consent
   * valid, a payment authorised, a standing order cancelled), or fails it when the bank refuses (e.g. a consent
   * naming none of the customer's accounts, a payment from someone else's account); deny fails it (a consent or
   * payment rejected, a cancellation not done).
   *
   * @return true when finalised
   */
  static boolean conclude(Decider decider, Authorisation a, boolean approve, List<String> accounts) {
    if (!approve) {
      decider.deny(a.subject);
      a.status = ScaStatus.FAILED;
      return false;
    }
    boolean finalised;
    try {
      finalised = decider.approve(a.subject, a.customerId, accounts == null ? List.of() : List.copyOf(accounts));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.INFO, a.subject.key() + " not approved: " + e.getMessage());
      finalised = false;
    }
    a.status = finalised ? ScaStatus.FINALISED : ScaStatus.FAILED;
    return finalised;
  }

  /**
   * The customer approves or denies in the bank's app: the subject's latest started decoupled authorisation ends.
   *
   * @param accounts for bank-offered consents, the IBANs (or resourceIds) the customer shares; null or empty: all
   * @return empty when the subject has no started decoupled authorisation
   */
  Optional<Decision> decideDecoupled(Subject subject, boolean approve, List<String> accounts) {
    if (dialect != Dialect.DECOUPLED) {
      return Optional.empty();
    }
    List<String> ids = new ArrayList<>(authorisationIds(subject));
    for (int i = ids.size() - 1; i >= 0; i--) {
      Authorisation a = authorisations.get(ids.get(i));
      synchronized (a) {
        if (a.status == ScaStatus.STARTED) {
          conclude(decider, a, approve, accounts);
          return Optional.of(new Decision(a.id, decider.status(subject), a.status.value));
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

  /** A subject's authorisation ids, oldest first. */
  List<String> authorisationIds(Subject subject) {
    return authorisationIds(subject.kind(), subject.id());
  }

  List<String> authorisationIds(Kind kind, String resourceId) {
    List<String> ids = bySubject.get(kind + ":" + resourceId);
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
