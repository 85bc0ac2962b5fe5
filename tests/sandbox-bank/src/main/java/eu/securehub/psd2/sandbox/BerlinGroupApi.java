package eu.securehub.psd2.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.securehub.psd2.sandbox.BankData.Account;
import eu.securehub.psd2.sandbox.BankData.Customer;
import eu.securehub.psd2.sandbox.BankData.StandingOrder;
import eu.securehub.psd2.sandbox.BankData.Transaction;
import eu.securehub.psd2.sandbox.Consent.Kind;
import eu.securehub.psd2.sandbox.Consent.Permissions;
import eu.securehub.psd2.sandbox.Http.BgError;
import eu.securehub.psd2.sandbox.Http.Call;
import eu.securehub.psd2.sandbox.Http.Reply;
import eu.securehub.psd2.sandbox.oauth.AccountOption;
import eu.securehub.psd2.sandbox.oauth.BankDirectory;
import eu.securehub.psd2.sandbox.oauth.ConsentSummary;
import eu.securehub.psd2.sandbox.oauth.Grant;
import eu.securehub.psd2.sandbox.oauth.Grants;
import eu.securehub.psd2.sandbox.oauth.PaymentSummary;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The Berlin Group NextGenPSD2 1.3.9 XS2A API of the sandbox bank (AIS consents and reads; payments and standing
 * orders through {@link PaymentInitiation}), the bank side of the authorisation server ({@link BankDirectory}) and
 * of the dialects' authorisations ({@link ScaAuthorisations.Decider}). Thread-safe.
 */
final class BerlinGroupApi implements BankDirectory, ScaAuthorisations.Decider, AutoCloseable {

  /** RTS Art. 36(5): at most four unattended reads a day. */
  static final int UNATTENDED_PER_DAY = 4;
  static final int DEFAULT_ITEMS_PER_PAGE = 50;
  static final int MAX_ITEMS_PER_PAGE = 500;
  /** The longest consent the bank grants (IG: validUntil 9999-12-31 asks for the longest possible). */
  static final int MAX_CONSENT_DAYS = 180;

  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final Pattern IPV4 = Pattern.compile(
      "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final Set<String> PAYMENT_PRODUCTS = Set.of("sepa-credit-transfers",
      "instant-sepa-credit-transfers", "target-2-payments", "cross-border-credit-transfers",
      "pain.001-sepa-credit-transfers", "pain.001-instant-sepa-credit-transfers", "pain.001-target-2-payments",
      "pain.001-cross-border-credit-transfers");

  private final BankData data;
  private final Clock clock;
  private final TppCertificateCheck certificates;
  private final Map<String, String> clients;
  private final Supplier<URI> baseUrl;
  private final Supplier<Grants> grants;
  private final ScaAuthorisations sca;
  private final Map<String, Consent> consents = new ConcurrentHashMap<>();
  private final PaymentInitiation payments;
  /** SHA-256 of each access token the token endpoint issued → its expiry (to tell TOKEN_EXPIRED from unknown). */
  private final Map<String, Instant> issuedTokens = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  /**
   * @param sca            the dialect's authorisations: OAUTH reads need an access token, REDIRECT and DECOUPLED
   *                       have authorisation sub-resources and reads with the Consent-ID alone
   * @param paymentDelay   between the steps of a payment's execution
   */
  BerlinGroupApi(BankData data, Clock clock, TppCertificateCheck certificates, Map<String, String> clients,
                 Supplier<URI> baseUrl, Supplier<Grants> grants, ScaAuthorisations sca, Duration paymentDelay) {
    this.data = data;
    this.clock = clock;
    this.certificates = certificates;
    this.clients = Map.copyOf(clients);
    this.baseUrl = baseUrl;
    this.grants = grants;
    this.sca = sca;
    this.payments = new PaymentInitiation(data, clock, sca, this::discoveryUrl, this::accessToken, paymentDelay,
        this::newId, data.bankId());
    sca.decider(this);
  }

  /** The payment initiation service. */
  PaymentInitiation payments() {
    return payments;
  }

  @Override
  public void close() {
    payments.close();
  }

  private boolean oauth() {
    return sca.dialect() == SandboxBank.Dialect.OAUTH;
  }

  BankData data() {
    return data;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Routing

  /** Answers one request on /v1/** of a bank that does not check signatures. Never throws. */
  Reply handle(Call call) {
    return handle(call, SignatureVerifier.Outcome.NOT_REQUIRED);
  }

  /**
   * Answers one request on /v1/**. Never throws.
   *
   * @param signature the outcome of the request's signature check: a failure is answered right after the QWAC check
   */
  Reply handle(Call call, SignatureVerifier.Outcome signature) {
    String requestId = call.header("X-Request-ID");
    String echo = Http.isUuid(requestId) ? requestId : UUID.randomUUID().toString();
    Reply reply;
    try {
      reply = route(call, requestId, signature);
    } catch (BgError e) {
      reply = e.reply();
    } catch (RuntimeException e) {
      reply = Reply.empty(500);
    }
    return reply.with("X-Request-ID", echo);
  }

  private Reply route(Call call, String requestId, SignatureVerifier.Outcome signature) {
    String[] p = call.path().substring(1).split("/", -1);
    // p[0] == "v1"
    String service = p.length > 1 ? p[1] : "";
    String role = switch (service) {
      case "consents", "accounts" -> "PSP_AI";
      case "payments", "bulk-payments", "periodic-payments" -> "PSP_PI";
      default -> null;
    };
    TppCertificateCheck.Result tpp = certificates.check(call.peerCertificates(), role);
    if (!tpp.ok()) {
      throw new BgError(401, tpp.errorCode(), tpp.errorText());
    }
    if (!signature.ok()) {
      throw new BgError(401, signature.code(), signature.text());
    }
    if (requestId == null) {
      throw new BgError(400, "FORMAT_ERROR", "The header X-Request-ID is missing.");
    }
    if (!Http.isUuid(requestId)) {
      throw new BgError(400, "FORMAT_ERROR", "The header X-Request-ID must be a UUID.");
    }
    String m = call.method();
    switch (service) {
      case "consents":
        if (p.length == 2) {
          return method(m, "POST") ? createConsent(call, tpp) : notAllowed(m);
        }
        if (p.length == 3) {
          if (m.equals("GET")) {
            return getConsent(p[2], tpp);
          }
          return method(m, "DELETE") ? deleteConsent(p[2], tpp) : notAllowed(m);
        }
        if (p.length == 4 && p[3].equals("status")) {
          return method(m, "GET") ? consentStatus(p[2], tpp) : notAllowed(m);
        }
        if ((p.length == 4 || p.length == 5) && p[3].equals("authorisations") && !oauth()) {
          return authorisations(call, tpp, p);
        }
        break;
      case "accounts":
        if (!m.equals("GET")) {
          return notAllowed(m);
        }
        if (p.length == 2) {
          return accountList(call, tpp);
        }
        if (p.length == 3) {
          return accountDetails(call, tpp, p[2]);
        }
        if (p.length == 4 && p[3].equals("balances")) {
          return balances(call, tpp, p[2]);
        }
        if (p.length == 4 && p[3].equals("transactions")) {
          return transactions(call, tpp, p[2]);
        }
        break;
      case "payments", "bulk-payments", "periodic-payments":
        if (p.length >= 3 && !PAYMENT_PRODUCTS.contains(p[2])) {
          throw new BgError(404, "PRODUCT_UNKNOWN", "The payment product " + p[2] + " is unknown.");
        }
        if (!PaymentInitiation.SERVICES.contains(service)) {
          throw new BgError(400, "SERVICE_INVALID", "This bank offers single payments (/v1/payments) and standing "
              + "orders (/v1/periodic-payments), no bulk payments.");
        }
        if (p.length >= 3) {
          return payments.route(call, tpp, p);
        }
        break;
      default:
        break;
    }
    throw new BgError(404, "RESOURCE_UNKNOWN", "No such resource: " + call.path());
  }

  /** The consent's authorisation sub-resources (REDIRECT and DECOUPLED dialects). */
  private Reply authorisations(Call call, TppCertificateCheck.Result tpp, String[] p) {
    String m = call.method();
    if (p.length == 5) {
      return method(m, "GET") ? sca.scaStatus(call, consentSubject(p[2], tpp), p[4]) : notAllowed(m);
    }
    if (m.equals("POST")) {
      return sca.start(call, consentSubject(p[2], tpp));
    }
    if (m.equals("GET")) {
      psuIpAddress(call, false);
      return sca.list(consentSubject(p[2], tpp));
    }
    return notAllowed(m);
  }

  private static boolean method(String actual, String expected) {
    return actual.equals(expected);
  }

  static Reply notAllowed(String method) {
    throw new BgError(405, "SERVICE_INVALID", "The method " + method + " is not allowed on this resource.");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Consents

  private Reply createConsent(Call call, TppCertificateCheck.Result tpp) {
    psuIpAddress(call, true);
    redirectHeaders(call);
    String decoupledPsu = sca.checkRequest(call);
    JsonNode body = jsonBody(call);
    JsonNode access = body.get("access");
    if (access == null || !access.isObject()) {
      throw new BgError(400, "FORMAT_ERROR", "The consent needs an access object.");
    }
    JsonNode recurring = body.get("recurringIndicator");
    JsonNode validUntilNode = body.get("validUntil");
    JsonNode frequency = body.get("frequencyPerDay");
    JsonNode combined = body.get("combinedServiceIndicator");
    if (recurring == null || !recurring.isBoolean()) {
      throw new BgError(400, "FORMAT_ERROR", "recurringIndicator (boolean) is required.");
    }
    if (combined == null || !combined.isBoolean()) {
      throw new BgError(400, "FORMAT_ERROR", "combinedServiceIndicator (boolean) is required.");
    }
    if (frequency == null || !frequency.isInt() || frequency.asInt() < 1) {
      throw new BgError(400, "FORMAT_ERROR", "frequencyPerDay (integer, at least 1) is required.");
    }
    if (!recurring.asBoolean() && frequency.asInt() != 1) {
      throw new BgError(400, "FORMAT_ERROR", "A one-off consent (recurringIndicator false) has frequencyPerDay 1.");
    }
    LocalDate today = LocalDate.now(clock);
    LocalDate validUntil;
    try {
      validUntil = LocalDate.parse(validUntilNode == null ? "" : validUntilNode.asText());
    } catch (DateTimeParseException e) {
      throw new BgError(400, "FORMAT_ERROR", "validUntil (ISODate) is required.");
    }
    if (validUntil.isBefore(today)) {
      throw new BgError(400, "TIMESTAMP_INVALID", "validUntil lies in the past.");
    }
    if (validUntil.isAfter(today.plusDays(MAX_CONSENT_DAYS))) {
      validUntil = today.plusDays(MAX_CONSENT_DAYS);
    }
    Kind kind = kind((ObjectNode) access);
    if (combined.asBoolean()) {
      throw new BgError(400, "SESSIONS_NOT_SUPPORTED", "Combined AIS and PIS sessions are not supported.");
    }
    String id = newId();
    int frequencyPerDay = Math.min(frequency.asInt(), UNATTENDED_PER_DAY);
    Consent consent = new Consent(id, tpp.organisation(), ((ObjectNode) access).deepCopy(), kind,
        recurring.asBoolean(), validUntil, frequencyPerDay, false, clock.instant(), today);
    consents.put(id, consent);
    if (!oauth()) {
      return sca.consentCreated(call, consent, decoupledPsu).with("Location", "/v1/consents/" + id);
    }
    ObjectNode out = Http.JSON.createObjectNode();
    out.put("consentStatus", "received");
    out.put("consentId", id);
    ObjectNode links = out.putObject("_links");
    links.putObject("scaOAuth").put("href", discoveryUrl());
    links.putObject("self").put("href", "/v1/consents/" + id);
    links.putObject("status").put("href", "/v1/consents/" + id + "/status");
    return Reply.json(201, out).with("Location", "/v1/consents/" + id).with("ASPSP-SCA-Approach", "REDIRECT");
  }

  private Kind kind(ObjectNode access) {
    int lists = 0;
    int emptyLists = 0;
    for (String key : List.of("accounts", "balances", "transactions")) {
      JsonNode n = access.get(key);
      if (n == null) {
        continue;
      }
      if (!n.isArray()) {
        throw new BgError(400, "FORMAT_ERROR", "access." + key + " must be an array.");
      }
      lists++;
      if (n.isEmpty()) {
        emptyLists++;
      }
      for (JsonNode ref : n) {
        String iban = ref.path("iban").asText(null);
        if (iban == null) {
          throw new BgError(400, "FORMAT_ERROR", "This bank addresses accounts by IBAN (access." + key + ").");
        }
        if (!Iban.isValid(iban)) {
          throw new BgError(400, "FORMAT_ERROR", "Invalid IBAN in access." + key + ": " + iban);
        }
        String currency = ref.path("currency").asText("EUR");
        if (!CURRENCY.matcher(currency).matches()) {
          throw new BgError(400, "FORMAT_ERROR", "Invalid currency in access." + key + ".");
        }
      }
    }
    String allPsd2 = access.path("allPsd2").asText(null);
    String available = access.path("availableAccounts").asText(null);
    String availableWithBalance = access.path("availableAccountsWithBalance").asText(null);
    int options = (allPsd2 != null ? 1 : 0) + (available != null ? 1 : 0) + (availableWithBalance != null ? 1 : 0);
    if (options > 1 || (options == 1 && lists > emptyLists)) {
      throw new BgError(400, "FORMAT_ERROR", "Combine allPsd2, availableAccounts or availableAccountsWithBalance "
          + "with nothing but empty account lists.");
    }
    for (String v : new String[] {allPsd2, available, availableWithBalance}) {
      if (v != null && !v.equals("allAccounts") && !v.equals("allAccountsWithOwnerName")) {
        throw new BgError(400, "FORMAT_ERROR", "Admitted values: allAccounts, allAccountsWithOwnerName.");
      }
    }
    if (allPsd2 != null) {
      return Kind.ALL_PSD2;
    }
    if (availableWithBalance != null) {
      return Kind.AVAILABLE_ACCOUNTS_WITH_BALANCE;
    }
    if (available != null) {
      return Kind.AVAILABLE_ACCOUNTS;
    }
    if (lists == 0) {
      throw new BgError(400, "FORMAT_ERROR", "The access object asks for nothing.");
    }
    if (emptyLists == lists) {
      return Kind.BANK_OFFERED;
    }
    if (emptyLists > 0) {
      throw new BgError(400, "FORMAT_ERROR", "Either name accounts in every list or leave every list empty.");
    }
    return Kind.DEDICATED;
  }

  private ScaAuthorisations.Subject consentSubject(String consentId, TppCertificateCheck.Result tpp) {
    return ScaAuthorisations.Subject.consent(consentOf(consentId, tpp));
  }

  private Consent consentOf(String consentId, TppCertificateCheck.Result tpp) {
    Consent c = consentId == null ? null : consents.get(consentId);
    if (c == null || !c.tppOrganisation.equals(tpp.organisation())) {
      throw new BgError(403, "CONSENT_UNKNOWN", "The consent " + consentId + " is unknown to this TPP.");
    }
    return c;
  }

  private Reply getConsent(String consentId, TppCertificateCheck.Result tpp) {
    Consent c = consentOf(consentId, tpp);
    LocalDate today = LocalDate.now(clock);
    ObjectNode out = Http.JSON.createObjectNode();
    out.set("access", grantedAccess(c));
    out.put("recurringIndicator", c.recurring);
    out.put("validUntil", c.validUntil.toString());
    out.put("frequencyPerDay", c.frequencyPerDay);
    out.put("lastActionDate", c.lastActionDate().toString());
    out.put("consentStatus", c.status(today));
    ObjectNode links = out.putObject("_links");
    if (c.status(today).equals("valid")) {
      links.putObject("account").put("href", "/v1/accounts");
    }
    links.putObject("self").put("href", "/v1/consents/" + c.id);
    return Reply.json(200, out);
  }

  /** The access as granted: for a bank-offered consent after approval, the accounts the customer chose. */
  private ObjectNode grantedAccess(Consent c) {
    if (c.kind != Kind.BANK_OFFERED || c.customerId() == null) {
      return c.access.deepCopy();
    }
    ObjectNode access = Http.JSON.createObjectNode();
    ArrayNode accounts = access.putArray("accounts");
    ArrayNode balances = c.access.has("balances") ? access.putArray("balances") : null;
    ArrayNode transactions = c.access.has("transactions") ? access.putArray("transactions") : null;
    c.accounts().forEach((id, perm) -> data.account(id).ifPresent(a -> {
      accounts.addObject().put("iban", a.iban()).put("currency", a.currency());
      if (balances != null && perm.balances()) {
        balances.addObject().put("iban", a.iban()).put("currency", a.currency());
      }
      if (transactions != null && perm.transactions()) {
        transactions.addObject().put("iban", a.iban()).put("currency", a.currency());
      }
    }));
    return access;
  }

  private Reply deleteConsent(String consentId, TppCertificateCheck.Result tpp) {
    Consent c = consentOf(consentId, tpp);
    LocalDate today = LocalDate.now(clock);
    String status = c.status(today);
    if (status.equals("received") || status.equals("valid")) {
      c.setStatus("terminatedByTpp", today);
    }
    return Reply.empty(204);
  }

  private Reply consentStatus(String consentId, TppCertificateCheck.Result tpp) {
    Consent c = consentOf(consentId, tpp);
    ObjectNode out = Http.JSON.createObjectNode();
    out.put("consentStatus", c.status(LocalDate.now(clock)));
    return Reply.json(200, out);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Account information

  /** Checks the AIS read (Consent-ID, token, consent state) and returns the consent. */
  private Consent authoriseRead(Call call, TppCertificateCheck.Result tpp) {
    String consentId = call.header("Consent-ID");
    if (consentId == null || consentId.isBlank()) {
      throw new BgError(400, "FORMAT_ERROR", "The header Consent-ID is missing.");
    }
    psuIpAddress(call, false);
    Consent consent = consentOf(consentId, tpp);
    // REDIRECT and DECOUPLED: the Consent-ID, bound to the QWAC's organisation, is the credential.
    Grant grant = oauth() ? accessToken(call, tpp) : null;
    if (grant != null && !consentId.equals(grant.consentId())) {
      throw new BgError(401, "TOKEN_INVALID", "The access token was not issued for this consent.");
    }
    LocalDate today = LocalDate.now(clock);
    String status = consent.status(today);
    if (status.equals("expired")) {
      throw new BgError(401, "CONSENT_EXPIRED", "The consent expired on " + consent.validUntil + "; ask the PSU "
          + "for a new one.");
    }
    if (!status.equals("valid")) {
      throw new BgError(401, "CONSENT_INVALID", "The consent is " + status + ".");
    }
    if (grant != null && grant.customerId() != null && !grant.customerId().equals(consent.customerId())) {
      throw new BgError(401, "TOKEN_INVALID", "The access token belongs to another PSU.");
    }
    return consent;
  }

  /** The OAuth access token of the call (known, unexpired, bound to the QWAC, of this client), or a 401 BgError. */
  Grant accessToken(Call call, TppCertificateCheck.Result tpp) {
    String authorization = call.header("Authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || authorization.substring(7).isBlank()) {
      throw new BgError(401, "TOKEN_INVALID", "An OAuth access token (Authorization: Bearer) is required.");
    }
    String token = authorization.substring(7).trim();
    Instant now = clock.instant();
    Grants g = grants.get();
    Optional<Grant> grant = g == null ? Optional.empty() : g.accessToken(token);
    if (grant.isEmpty()) {
      Instant expiry = issuedTokens.get(hash(token));
      if (expiry != null && !now.isBefore(expiry)) {
        throw new BgError(401, "TOKEN_EXPIRED", "The access token expired; refresh it.");
      }
      throw new BgError(401, "TOKEN_INVALID", "The access token is unknown or revoked.");
    }
    Grant gr = grant.get();
    if (gr.expiresAt() != null && !now.isBefore(gr.expiresAt())) {
      throw new BgError(401, "TOKEN_EXPIRED", "The access token expired; refresh it.");
    }
    if (!gr.boundTo(tpp.leaf())) {
      throw new BgError(401, "TOKEN_INVALID", "The access token is bound to another client certificate "
          + "(RFC 8705).");
    }
    String org = clients.get(gr.clientId());
    if (org == null || !org.equals(tpp.organisation())) {
      throw new BgError(401, "TOKEN_INVALID", "The access token was issued to another client.");
    }
    return gr;
  }

  /** Counts an unattended read (no PSU-IP-Address) of a resource, or answers 429 ACCESS_EXCEEDED. */
  private void unattended(Call call, Consent consent, String resource) {
    if (call.header("PSU-IP-Address") != null) {
      return;
    }
    if (!consent.tryUnattended(resource, clock.instant(), consent.frequencyPerDay)) {
      throw new BgError(429, "ACCESS_EXCEEDED", "The access on this " + (resource.equals("accounts")
          ? "account list" : "account") + " exceeded the " + consent.frequencyPerDay
          + " accesses without the PSU per 24 hours this consent allows.");
    }
  }

  private Account account(Consent consent, String accountId, boolean needDetails, boolean needBalances,
                          boolean needTransactions) {
    Optional<Account> account = data.account(accountId);
    if (account.isEmpty()) {
      throw new BgError(404, "RESOURCE_UNKNOWN", "The account " + accountId + " is unknown.");
    }
    Permissions perm = consent.accounts().get(accountId);
    boolean listOnly = consent.kind == Kind.AVAILABLE_ACCOUNTS || consent.kind == Kind.AVAILABLE_ACCOUNTS_WITH_BALANCE;
    if (perm == null || listOnly || (needDetails && !perm.details()) || (needBalances && !perm.balances())
        || (needTransactions && !perm.transactions())) {
      throw new BgError(401, "CONSENT_INVALID", "The consent does not cover this service for this account.");
    }
    return account.get();
  }

  private Reply accountList(Call call, TppCertificateCheck.Result tpp) {
    Consent consent = authoriseRead(call, tpp);
    boolean withBalance = booleanQuery(call, "withBalance");
    unattended(call, consent, "accounts");
    consent.touch(LocalDate.now(clock));
    ObjectNode out = Http.JSON.createObjectNode();
    ArrayNode list = out.putArray("accounts");
    boolean listOnly = consent.kind == Kind.AVAILABLE_ACCOUNTS || consent.kind == Kind.AVAILABLE_ACCOUNTS_WITH_BALANCE;
    consent.accounts().forEach((id, perm) -> data.account(id).ifPresent(a -> {
      boolean balances = consent.kind == Kind.AVAILABLE_ACCOUNTS_WITH_BALANCE || (!listOnly && perm.balances());
      list.add(accountJson(a, perm, listOnly, withBalance && balances, ownerName(consent)));
    }));
    return Reply.json(200, out);
  }

  private static boolean ownerName(Consent consent) {
    for (String key : List.of("allPsd2", "availableAccounts", "availableAccountsWithBalance")) {
      if ("allAccountsWithOwnerName".equals(consent.access.path(key).asText(null))) {
        return true;
      }
    }
    return consent.access.path("additionalInformation").has("ownerName");
  }

  private ObjectNode accountJson(Account a, Permissions perm, boolean listOnly, boolean withBalances,
                                 boolean ownerName) {
    ObjectNode n = Http.JSON.createObjectNode();
    n.put("resourceId", a.resourceId());
    n.put("iban", a.iban());
    n.put("currency", a.currency());
    n.put("name", a.name());
    n.put("product", a.product());
    n.put("cashAccountType", a.cashAccountType());
    n.put("status", "enabled");
    n.put("bic", a.bic());
    n.put("usage", a.usage());
    if (ownerName) {
      n.put("ownerName", a.ownerName());
    }
    if (withBalances) {
      n.set("balances", balancesJson(a));
    }
    if (!listOnly) {
      ObjectNode links = Http.JSON.createObjectNode();
      if (perm.balances()) {
        links.putObject("balances").put("href", "/v1/accounts/" + a.resourceId() + "/balances");
      }
      if (perm.transactions()) {
        links.putObject("transactions").put("href", "/v1/accounts/" + a.resourceId() + "/transactions");
      }
      if (!links.isEmpty()) {
        n.set("_links", links);
      }
    }
    return n;
  }

  private Reply accountDetails(Call call, TppCertificateCheck.Result tpp, String accountId) {
    Consent consent = authoriseRead(call, tpp);
    boolean withBalance = booleanQuery(call, "withBalance");
    Account a = account(consent, accountId, true, false, false);
    unattended(call, consent, "account:" + accountId);
    consent.touch(LocalDate.now(clock));
    Permissions perm = consent.accounts().get(accountId);
    ObjectNode out = Http.JSON.createObjectNode();
    out.set("account", accountJson(a, perm, false, withBalance && perm.balances(), ownerName(consent)));
    return Reply.json(200, out);
  }

  private ArrayNode balancesJson(Account a) {
    ArrayNode list = Http.JSON.createArrayNode();
    LocalDate today = LocalDate.now(clock);
    ObjectNode closing = list.addObject();
    closing.set("balanceAmount", amount(a.closingBooked(), a.currency()));
    closing.put("balanceType", "closingBooked");
    closing.put("referenceDate", today.minusDays(1).toString());
    ObjectNode expected = list.addObject();
    expected.set("balanceAmount", amount(a.expected(), a.currency()));
    expected.put("balanceType", "expected");
    expected.put("lastChangeDateTime", clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    ObjectNode available = list.addObject();
    available.set("balanceAmount", amount(a.expected(), a.currency()));
    available.put("balanceType", "interimAvailable");
    available.put("creditLimitIncluded", false);
    available.put("referenceDate", today.toString());
    return list;
  }

  private Reply balances(Call call, TppCertificateCheck.Result tpp, String accountId) {
    Consent consent = authoriseRead(call, tpp);
    Account a = account(consent, accountId, false, true, false);
    unattended(call, consent, "account:" + accountId);
    consent.touch(LocalDate.now(clock));
    ObjectNode out = Http.JSON.createObjectNode();
    out.set("account", accountReference(a.iban(), a.currency()));
    out.set("balances", balancesJson(a));
    return Reply.json(200, out);
  }

  private Reply transactions(Call call, TppCertificateCheck.Result tpp, String accountId) {
    Consent consent = authoriseRead(call, tpp);
    String bookingStatus = call.queryParam("bookingStatus");
    if (bookingStatus == null) {
      throw new BgError(400, "FORMAT_ERROR", "The query parameter bookingStatus is required.");
    }
    if (!Set.of("booked", "pending", "both", "information", "all").contains(bookingStatus)) {
      throw new BgError(400, "PARAMETER_NOT_SUPPORTED", "bookingStatus " + bookingStatus + " is not supported "
          + "(booked, pending, both, information, all).");
    }
    if (call.queryParam("entryReferenceFrom") != null || call.queryParam("deltaList") != null) {
      throw new BgError(400, "PARAMETER_NOT_SUPPORTED", "Delta reports (entryReferenceFrom, deltaList) are not "
          + "supported.");
    }
    LocalDate today = LocalDate.now(clock);
    LocalDate dateFrom = date(call, "dateFrom");
    LocalDate dateTo = date(call, "dateTo");
    boolean needsFrom = !bookingStatus.equals("pending") && !bookingStatus.equals("information");
    if (dateFrom == null && needsFrom) {
      throw new BgError(400, "FORMAT_ERROR", "The query parameter dateFrom is required for bookingStatus "
          + bookingStatus + ".");
    }
    if (dateTo == null) {
      dateTo = today;
    }
    if (dateFrom != null && dateFrom.isAfter(dateTo)) {
      throw new BgError(400, "PERIOD_INVALID", "dateFrom lies after dateTo.");
    }
    if (dateFrom != null && dateFrom.isAfter(today)) {
      throw new BgError(400, "PERIOD_INVALID", "dateFrom lies in the future.");
    }
    boolean withBalance = booleanQuery(call, "withBalance");
    int pageIndex = intQuery(call, "pageIndex", 0, 0, Integer.MAX_VALUE);
    int itemsPerPage = intQuery(call, "itemsPerPage", DEFAULT_ITEMS_PER_PAGE, 1, MAX_ITEMS_PER_PAGE);
    Account a = account(consent, accountId, false, false, true);

    ObjectNode out = Http.JSON.createObjectNode();
    out.set("account", accountReference(a.iban(), a.currency()));
    ObjectNode report = Http.JSON.createObjectNode();
    ObjectNode links = Http.JSON.createObjectNode();
    links.putObject("account").put("href", "/v1/accounts/" + a.resourceId());
    if (bookingStatus.equals("information")) {
      ArrayNode info = report.putArray("information");
      for (StandingOrder so : a.standingOrders()) {
        info.add(standingOrderJson(so, a.currency()));
      }
    } else {
      List<Transaction> selected = new ArrayList<>();
      boolean pending = !bookingStatus.equals("booked");
      boolean booked = !bookingStatus.equals("pending");
      for (Transaction t : a.transactions()) {
        if ((t.booked() ? booked : pending) && inPeriod(t.date(), dateFrom, dateTo)) {
          selected.add(t);
        }
      }
      int pages = Math.max(1, (selected.size() + itemsPerPage - 1) / itemsPerPage);
      if (pageIndex >= pages) {
        throw new BgError(400, "FORMAT_ERROR", "pageIndex " + pageIndex + " is beyond the last page ("
            + (pages - 1) + ").");
      }
      List<Transaction> page = selected.subList(pageIndex * itemsPerPage,
          Math.min(selected.size(), (pageIndex + 1) * itemsPerPage));
      ArrayNode bookedList = booked ? report.putArray("booked") : null;
      ArrayNode pendingList = pending ? report.putArray("pending") : null;
      for (Transaction t : page) {
        (t.booked() ? bookedList : pendingList).add(transactionJson(t, a));
      }
      if (bookingStatus.equals("all")) {
        ArrayNode info = report.putArray("information");
        if (pageIndex == 0) {
          for (StandingOrder so : a.standingOrders()) {
            info.add(standingOrderJson(so, a.currency()));
          }
        }
      }
      if (pages > 1) {
        links.putObject("first").put("href", pageLink(call, a, 0));
        if (pageIndex > 0) {
          links.putObject("previous").put("href", pageLink(call, a, pageIndex - 1));
        }
        if (pageIndex < pages - 1) {
          links.putObject("next").put("href", pageLink(call, a, pageIndex + 1));
        }
        links.putObject("last").put("href", pageLink(call, a, pages - 1));
      }
    }
    report.set("_links", links);
    unattended(call, consent, "account:" + accountId);
    consent.touch(today);
    out.set("transactions", report);
    Permissions perm = consent.accounts().get(accountId);
    if (withBalance && perm.balances()) {
      out.set("balances", balancesJson(a));
    }
    return Reply.json(200, out);
  }

  private static boolean inPeriod(LocalDate d, LocalDate from, LocalDate to) {
    return (from == null || !d.isBefore(from)) && !d.isAfter(to);
  }

  private static String pageLink(Call call, Account a, int pageIndex) {
    StringBuilder sb = new StringBuilder("/v1/accounts/").append(a.resourceId()).append("/transactions?");
    boolean first = true;
    for (Map.Entry<String, List<String>> e : new LinkedHashMap<>(call.query()).entrySet()) {
      if (e.getKey().equals("pageIndex")) {
        continue;
      }
      for (String v : e.getValue()) {
        sb.append(first ? "" : "&").append(encode(e.getKey())).append('=').append(encode(v));
        first = false;
      }
    }
    return sb.append(first ? "" : "&").append("pageIndex=").append(pageIndex).toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private ObjectNode transactionJson(Transaction t, Account a) {
    ObjectNode n = Http.JSON.createObjectNode();
    n.put("transactionId", t.transactionId());
    n.put("entryReference", t.entryReference());
    if (t.endToEndId() != null) {
      n.put("endToEndId", t.endToEndId());
    }
    if (t.bookingDate() != null) {
      n.put("bookingDate", t.bookingDate().toString());
    }
    n.put("valueDate", t.valueDate().toString());
    n.set("transactionAmount", amount(t.amount(), a.currency()));
    if (t.amount().signum() < 0) {
      n.put("creditorName", t.counterpartyName());
      if (t.counterpartyIban() != null) {
        n.set("creditorAccount", accountReference(t.counterpartyIban(), null));
      }
      n.put("debtorName", a.ownerName());
      n.set("debtorAccount", accountReference(a.iban(), null));
    } else {
      n.put("debtorName", t.counterpartyName());
      if (t.counterpartyIban() != null) {
        n.set("debtorAccount", accountReference(t.counterpartyIban(), null));
      }
      n.put("creditorName", a.ownerName());
      n.set("creditorAccount", accountReference(a.iban(), null));
    }
    if (t.remittance() != null) {
      n.put("remittanceInformationUnstructured", t.remittance());
    }
    n.put("bankTransactionCode", t.bankTransactionCode());
    return n;
  }

  private ObjectNode standingOrderJson(StandingOrder so, String currency) {
    ObjectNode n = Http.JSON.createObjectNode();
    n.put("transactionId", so.id());
    n.set("transactionAmount", amount(so.amount(), currency));
    n.put("creditorName", so.creditorName());
    n.set("creditorAccount", accountReference(so.creditorIban(), null));
    n.put("remittanceInformationUnstructured", so.remittance());
    ObjectNode details = n.putObject("additionalInformationStructured").putObject("standingOrderDetails");
    details.put("startDate", so.startDate().toString());
    details.put("frequency", so.frequency());
    details.put("dayOfExecution", Integer.toString(so.dayOfExecution()));
    return n;
  }

  private static ObjectNode amount(BigDecimal value, String currency) {
    ObjectNode n = Http.JSON.createObjectNode();
    n.put("currency", currency);
    n.put("amount", value.setScale(2, java.math.RoundingMode.UNNECESSARY).toPlainString());
    return n;
  }

  private static ObjectNode accountReference(String iban, String currency) {
    ObjectNode n = Http.JSON.createObjectNode();
    n.put("iban", iban);
    if (currency != null) {
      n.put("currency", currency);
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Shared validation

  static void psuIpAddress(Call call, boolean mandatory) {
    String ip = call.header("PSU-IP-Address");
    if (ip == null) {
      if (mandatory) {
        throw new BgError(400, "FORMAT_ERROR", "The header PSU-IP-Address is missing.");
      }
      return;
    }
    if (!isIpAddress(ip)) {
      throw new BgError(400, "FORMAT_ERROR", "The header PSU-IP-Address is not an IP address.");
    }
  }

  static boolean isIpAddress(String s) {
    if (IPV4.matcher(s).matches()) {
      return true;
    }
    if (s.contains(":") && IPV6.matcher(s).matches()) {
      try {
        return InetAddress.getByName(s) instanceof java.net.Inet6Address;
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  /**
   * TPP-Redirect-URI is mandated when the TPP prefers the redirect approach (TPP-Redirect-Preferred: true); any
   * redirect URI given must be an absolute https URI (http is accepted for loopback hosts, as for native apps).
   */
  static void redirectHeaders(Call call) {
    String preferred = call.header("TPP-Redirect-Preferred");
    if (preferred != null && !preferred.equals("true") && !preferred.equals("false")) {
      throw new BgError(400, "FORMAT_ERROR", "TPP-Redirect-Preferred must be true or false.");
    }
    String uri = call.header("TPP-Redirect-URI");
    if ("true".equals(preferred) && uri == null) {
      throw new BgError(400, "FORMAT_ERROR", "TPP-Redirect-URI is mandatory when TPP-Redirect-Preferred is true.");
    }
    for (String name : List.of("TPP-Redirect-URI", "TPP-Nok-Redirect-URI")) {
      String v = call.header(name);
      if (v != null) {
        try {
          URI u = new URI(v);
          boolean loopback = u.getHost() != null && (u.getHost().equals("localhost")
              || u.getHost().equals("127.0.0.1") || u.getHost().equals("[::1]"));
          boolean https = "https".equalsIgnoreCase(u.getScheme());
          if (u.getHost() == null || !(https || (loopback && "http".equalsIgnoreCase(u.getScheme())))) {
            throw new BgError(400, "FORMAT_ERROR", name + " must be an absolute https URI (http only on "
                + "loopback).");
          }
        } catch (java.net.URISyntaxException e) {
          throw new BgError(400, "FORMAT_ERROR", name + " is not a URI.");
        }
      }
    }
  }

  static JsonNode jsonBody(Call call) {
    String type = call.header("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new BgError(400, "FORMAT_ERROR", "The body must be JSON (Content-Type: application/json).");
    }
    try {
      JsonNode body = Http.read(call.body());
      if (body == null || !body.isObject()) {
        throw new BgError(400, "FORMAT_ERROR", "The body must be a JSON object.");
      }
      return body;
    } catch (IOException e) {
      throw new BgError(400, "FORMAT_ERROR", "The body is not valid JSON.");
    }
  }

  private static LocalDate date(Call call, String name) {
    String v = call.queryParam(name);
    if (v == null) {
      return null;
    }
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw new BgError(400, "FORMAT_ERROR", name + " must be an ISO date (YYYY-MM-DD).");
    }
  }

  private static boolean booleanQuery(Call call, String name) {
    String v = call.queryParam(name);
    if (v == null) {
      return false;
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw new BgError(400, "FORMAT_ERROR", name + " must be true or false.");
    }
    return v.equals("true");
  }

  private static int intQuery(Call call, String name, int dflt, int min, int max) {
    String v = call.queryParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      int i = Integer.parseInt(v);
      if (i < min || i > max) {
        throw new BgError(400, "FORMAT_ERROR", name + " must lie between " + min + " and " + max + ".");
      }
      return i;
    } catch (NumberFormatException e) {
      throw new BgError(400, "FORMAT_ERROR", name + " must be an integer.");
    }
  }

  private String newId() {
    byte[] b = new byte[12];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private String discoveryUrl() {
    return baseUrl.get() + "/.well-known/openid-configuration";
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Hooks for the server and the Java API

  /** Remembers an access token the token endpoint issued, so an expired one answers TOKEN_EXPIRED. */
  void tokenIssued(String accessToken, Instant expiresAt) {
    Instant now = clock.instant();
    issuedTokens.entrySet().removeIf(e -> e.getValue().plus(Consent.WINDOW.multipliedBy(7)).isBefore(now));
    issuedTokens.put(hash(accessToken), expiresAt);
  }

  private static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The PSU revokes the consent at the bank (status revokedByPsu). */
  boolean revokeByPsu(String consentId) {
    Consent c = consents.get(consentId);
    if (c == null) {
      return false;
    }
    c.setStatus("revokedByPsu", LocalDate.now(clock));
    return true;
  }

  boolean expire(String consentId) {
    Consent c = consents.get(consentId);
    if (c == null) {
      return false;
    }
    c.setStatus("expired", LocalDate.now(clock));
    return true;
  }

  /** The consent's status, or empty. */
  Optional<String> consentStatus(String consentId) {
    Consent c = consents.get(consentId);
    return c == null ? Optional.empty() : Optional.of(c.status(LocalDate.now(clock)));
  }

  /** Unattended reads of a consent's resource ("accounts" or "account:<resourceId>") in the last 24 hours. */
  int unattendedReads(String consentId, String resource) {
    Consent c = consents.get(consentId);
    return c == null ? 0 : c.unattendedReads(resource, clock.instant());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // BankDirectory (called by the authorisation server)

  @Override
  public Optional<String> authenticate(String username, char[] password) {
    if (username == null || password == null) {
      return Optional.empty();
    }
    Optional<Customer> c = data.customerByUsername(username.trim());
    if (c.isEmpty()) {
      return Optional.empty();
    }
    boolean match = MessageDigest.isEqual(c.get().password().getBytes(StandardCharsets.UTF_8),
        new String(password).getBytes(StandardCharsets.UTF_8));
    return match ? Optional.of(c.get().customerId()) : Optional.empty();
  }

  @Override
  public Optional<ConsentSummary> consent(String consentId) {
    Consent c = consentId == null ? null : consents.get(consentId);
    if (c == null) {
      return Optional.empty();
    }
    return Optional.of(new ConsentSummary(c.id, c.status(LocalDate.now(clock)), c.validUntil.toString(),
        c.frequencyPerDay, c.recurring, describe(c)));
  }

  private List<String> describe(Consent c) {
    List<String> lines = new ArrayList<>();
    switch (c.kind) {
      case ALL_PSD2 -> lines.add("All your payment accounts: details, balances and transactions");
      case AVAILABLE_ACCOUNTS -> lines.add("The list of your payment accounts");
      case AVAILABLE_ACCOUNTS_WITH_BALANCE -> lines.add("The list of your payment accounts with their balances");
      case BANK_OFFERED -> {
        lines.add("Accounts you choose: account details");
        if (c.access.has("balances")) {
          lines.add("Accounts you choose: balances");
        }
        if (c.access.has("transactions")) {
          lines.add("Accounts you choose: transactions");
        }
      }
      case DEDICATED -> {
        for (String key : List.of("accounts", "balances", "transactions")) {
          for (JsonNode ref : c.access.path(key)) {
            String what = key.equals("accounts") ? "Account details" : key.equals("balances") ? "Balances"
                : "Transactions";
            lines.add(what + " of " + ref.path("iban").asText());
          }
        }
      }
      default -> { }
    }
    lines.add((c.recurring ? "Up to " + c.frequencyPerDay + " times a day without you" : "Once")
        + ", until " + c.validUntil);
    return lines;
  }

  @Override
  public List<AccountOption> selectableAccounts(String consentId, String customerId) {
    Consent c = consentId == null ? null : consents.get(consentId);
    if (c == null || c.kind != Kind.BANK_OFFERED) {
      return List.of();
    }
    return data.customer(customerId).map(cu -> cu.accounts().stream()
        .map(a -> new AccountOption(a.resourceId(), a.iban(), a.name())).toList()).orElse(List.of());
  }

  @Override
  public void approve(String consentId, String customerId, List<String> accountIds) {
    Consent c = consents.get(consentId);
    Customer customer = data.customer(customerId).orElse(null);
    if (c == null || customer == null) {
      throw new IllegalArgumentException("unknown consent or customer");
    }
    LocalDate today = LocalDate.now(clock);
    if (!c.status(today).equals("received")) {
      throw new IllegalStateException("the consent is " + c.status(today) + ", not received");
    }
    Map<String, Permissions> granted = new LinkedHashMap<>();
    switch (c.kind) {
      case ALL_PSD2 -> customer.accounts().forEach(a -> granted.put(a.resourceId(), new Permissions(true, true, true)));
      case AVAILABLE_ACCOUNTS, AVAILABLE_ACCOUNTS_WITH_BALANCE ->
          customer.accounts().forEach(a -> granted.put(a.resourceId(), new Permissions(false, false, false)));
      case BANK_OFFERED -> {
        List<String> chosen = accountIds == null || accountIds.isEmpty()
            ? customer.accounts().stream().map(Account::resourceId).toList() : accountIds;
        for (Account a : customer.accounts()) {
          if (chosen.contains(a.resourceId()) || chosen.contains(a.iban())) {
            granted.put(a.resourceId(), new Permissions(true, c.access.has("balances"),
                c.access.has("transactions")));
          }
        }
      }
      case DEDICATED -> {
        for (Account a : customer.accounts()) {
          boolean details = listed(c.access.path("accounts"), a.iban());
          boolean balances = listed(c.access.path("balances"), a.iban());
          boolean transactions = listed(c.access.path("transactions"), a.iban());
          if (details || balances || transactions) {
            granted.put(a.resourceId(), new Permissions(true, balances, transactions));
          }
        }
      }
      default -> { }
    }
    if (granted.isEmpty()) {
      c.setStatus("rejected", today);
      return;
    }
    c.approve(customerId, granted, today);
  }

  private static boolean listed(JsonNode list, String iban) {
    for (Iterator<JsonNode> it = list.elements(); it.hasNext(); ) {
      if (iban.equals(it.next().path("iban").asText())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void reject(String consentId) {
    Consent c = consents.get(consentId);
    if (c != null && c.status(LocalDate.now(clock)).equals("received")) {
      c.setStatus("rejected", LocalDate.now(clock));
    }
  }

  @Override
  public Optional<String> clientOrganisation(String clientId) {
    return Optional.ofNullable(clientId == null ? null : clients.get(clientId));
  }

  @Override
  public Optional<PaymentSummary> payment(String paymentId) {
    return payments.summary(paymentId);
  }

  @Override
  public void approvePayment(String paymentId, String customerId) {
    payments.approvePayment(paymentId, customerId);
  }

  @Override
  public void rejectPayment(String paymentId) {
    payments.rejectPayment(paymentId);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // ScaAuthorisations.Decider (the REDIRECT and DECOUPLED dialects' authorisations)

  @Override
  public String notAuthorisable(ScaAuthorisations.Subject subject) {
    if (subject.kind() != ScaAuthorisations.Kind.CONSENT) {
      return payments.notAuthorisable(subject);
    }
    Consent c = consents.get(subject.id());
    if (c == null) {
      return "The consent is unknown";
    }
    String status = c.status(LocalDate.now(clock));
    return status.equals("received") ? null : "The consent is " + status;
  }

  @Override
  public boolean approve(ScaAuthorisations.Subject subject, String customerId, List<String> accounts) {
    if (subject.kind() != ScaAuthorisations.Kind.CONSENT) {
      return payments.approve(subject, customerId);
    }
    approve(subject.id(), customerId, accounts);
    return consent(subject.id()).map(ConsentSummary::status).filter("valid"::equals).isPresent();
  }

  @Override
  public void deny(ScaAuthorisations.Subject subject) {
    if (subject.kind() != ScaAuthorisations.Kind.CONSENT) {
      payments.deny(subject);
    } else {
      reject(subject.id());
    }
  }

  @Override
  public String status(ScaAuthorisations.Subject subject) {
    if (subject.kind() != ScaAuthorisations.Kind.CONSENT) {
      String status = payments.status(subject.id());
      return status == null ? "unknown" : status;
    }
    return consentStatus(subject.id()).orElse("unknown");
  }
}
