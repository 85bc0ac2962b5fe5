package eu.securehub.psd2.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.securehub.psd2.sandbox.BankData.Account;
import eu.securehub.psd2.sandbox.BankData.Transaction;
import eu.securehub.psd2.sandbox.Http.BgError;
import eu.securehub.psd2.sandbox.Http.Call;
import eu.securehub.psd2.sandbox.Http.Reply;
import eu.securehub.psd2.sandbox.SandboxBank.Dialect;
import eu.securehub.psd2.sandbox.ScaAuthorisations.Kind;
import eu.securehub.psd2.sandbox.ScaAuthorisations.Subject;
import eu.securehub.psd2.sandbox.oauth.Grant;
import eu.securehub.psd2.sandbox.oauth.PaymentSummary;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The payment initiation service (PIS) of the sandbox bank: single payments ({@code /v1/payments/…}) and standing
 * orders ({@code /v1/periodic-payments/…}) of the JSON products {@code sepa-credit-transfers} and
 * {@code instant-sepa-credit-transfers}, their authorisation in the bank's dialect (through {@link
 * ScaAuthorisations}, as consents), status, cancellation and execution.
 *
 * <p>Lifecycle: {@code RCVD} until the customer's SCA; then {@code ACTC} and the funds check (amount above the debtor
 * account's interimAvailable: {@code RJCT} with {@code FUNDS_NOT_AVAILABLE}; else the amount is reserved as a pending
 * debit); after {@code executionDelay} an instant payment is {@code ACSC}, a SEPA credit transfer {@code ACSP} and
 * after another delay {@code ACSC} (booked on the debtor account); a future-dated one waits in {@code ACTC} for its
 * day (checked on every read and every second). A denied or failed SCA: {@code RJCT}. A standing order stays
 * {@code ACTC}; cancelling it needs the customer's SCA (202), cancelling anything not yet authorised or executed does
 * not (204); an executed or final payment cannot be cancelled (405 {@code CANCELLATION_INVALID}).
 *
 * <p>Thread-safe: each payment's state is guarded by its own lock; lock order authorisation, payment, account.
 */
final class PaymentInitiation implements AutoCloseable {

  static final Set<String> SERVICES = Set.of("payments", "periodic-payments");
  static final Set<String> JSON_PRODUCTS = Set.of("sepa-credit-transfers", "instant-sepa-credit-transfers");
  static final String FUNDS_NOT_AVAILABLE = "FUNDS_NOT_AVAILABLE";
  /** The bank transaction code of the booked debit (ISO 20022: issued credit transfer, SEPA). */
  static final String BANK_TRANSACTION_CODE = "PMNT-ICDT-ESCT";

  private static final Pattern AMOUNT = Pattern.compile("[0-9]{1,14}(\\.[0-9]{1,2})?");
  private static final Pattern DAY_OF_EXECUTION = Pattern.compile("[1-9]|[12][0-9]|3[01]");
  private static final Pattern ISO_DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  private static final List<String> SCHEDULE_FIELDS = List.of("startDate", "endDate", "frequency", "executionRule",
      "dayOfExecution");
  private static final System.Logger LOG = System.getLogger(PaymentInitiation.class.getName());

  /** The OAuth access token check of the resource server: the call's token's grant, or a 401 BgError. */
  interface TokenCheck {
    Grant check(Call call, TppCertificateCheck.Result tpp);
  }

  private final BankData data;
  private final Clock clock;
  private final ScaAuthorisations sca;
  private final Supplier<String> discoveryUrl;
  private final TokenCheck tokens;
  private final Duration delay;
  private final Supplier<String> ids;
  private final Map<String, Payment> payments = new ConcurrentHashMap<>();
  /** The payment ids in the order the payments were created. */
  private final Queue<String> created = new ConcurrentLinkedQueue<>();
  private final AtomicInteger initiations = new AtomicInteger();
  private final ScheduledExecutorService executor;

  /**
   * @param discoveryUrl the OAUTH dialect's scaOAuth link
   * @param tokens       the OAUTH dialect's access token check
   * @param delay        between the steps of an execution (ACTC, ACSP, ACSC)
   * @param ids          new payment ids
   */
  PaymentInitiation(BankData data, Clock clock, ScaAuthorisations sca, Supplier<String> discoveryUrl,
                    TokenCheck tokens, Duration delay, Supplier<String> ids, String bankId) {
    this.data = data;
    this.clock = clock;
    this.sca = sca;
    this.discoveryUrl = discoveryUrl;
    this.tokens = tokens;
    this.delay = delay;
    this.ids = ids;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bank-" + bankId + "-payments");
      t.setDaemon(true);
      return t;
    });
    executor.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
  }

  private boolean oauth() {
    return sca.dialect() == Dialect.OAUTH;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Routing: p = ["v1", service, product, paymentId?, sub-resource?, authorisationId?]

  /** Answers /v1/payments/… and /v1/periodic-payments/… (the product is known, the service one of {@link #SERVICES}). */
  Reply route(Call call, TppCertificateCheck.Result tpp, String[] p) {
    String m = call.method();
    String service = p[1];
    if (p.length == 3) {
      return m.equals("POST") ? initiate(call, tpp, service, p[2]) : BerlinGroupApi.notAllowed(m);
    }
    if (p.length == 4) {
      if (m.equals("GET")) {
        return read(call, tpp, paymentOf(tpp, service, p[2], p[3]), false);
      }
      return m.equals("DELETE") ? cancel(call, tpp, paymentOf(tpp, service, p[2], p[3]))
          : BerlinGroupApi.notAllowed(m);
    }
    if (p.length == 5 && p[4].equals("status")) {
      return m.equals("GET") ? read(call, tpp, paymentOf(tpp, service, p[2], p[3]), true)
          : BerlinGroupApi.notAllowed(m);
    }
    if ((p.length == 5 || p.length == 6) && !oauth()
        && (p[4].equals("authorisations") || p[4].equals("cancellation-authorisations"))) {
      Payment payment = paymentOf(tpp, service, p[2], p[3]);
      Subject subject = p[4].equals("authorisations") ? Subject.payment(payment) : Subject.cancellation(payment);
      if (p.length == 6) {
        return m.equals("GET") ? sca.scaStatus(call, subject, p[5]) : BerlinGroupApi.notAllowed(m);
      }
      if (m.equals("POST")) {
        return sca.start(call, subject);
      }
      if (m.equals("GET")) {
        BerlinGroupApi.psuIpAddress(call, false);
        return sca.list(subject);
      }
      return BerlinGroupApi.notAllowed(m);
    }
    throw new BgError(404, "RESOURCE_UNKNOWN", "No such resource: " + call.path());
  }

  private Payment paymentOf(TppCertificateCheck.Result tpp, String service, String product, String paymentId) {
    Payment p = payments.get(paymentId);
    if (p == null || !p.tppOrganisation.equals(tpp.organisation()) || !p.service.equals(service)
        || !p.product.equals(product)) {
      throw new BgError(403, "RESOURCE_UNKNOWN", "The payment " + paymentId + " is unknown to this TPP.");
    }
    return p;
  }

  /**
   * OAUTH: the QWAC alone identifies the TPP, but an Authorization header, when sent, must carry a valid access
   * token (known, unexpired, bound to the QWAC, of this client) whose scope covers {@code PIS:<paymentId>}.
   */
  private void bearer(Call call, TppCertificateCheck.Result tpp, Payment p) {
    if (!oauth() || call.header("Authorization") == null) {
      return;
    }
    Grant grant = tokens.check(call, tpp);
    if (!grant.covers("PIS:" + p.id)) {
      throw new BgError(401, "TOKEN_INVALID", "The access token was not issued for this payment (scope PIS:"
          + p.id + ").");
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // POST /v1/{service}/{product}

  private Reply initiate(Call call, TppCertificateCheck.Result tpp, String service, String product) {
    if (!JSON_PRODUCTS.contains(product)) {
      throw new BgError(404, "PRODUCT_UNKNOWN", "This bank supports the JSON payment products "
          + String.join(", ", JSON_PRODUCTS.stream().sorted().toList()) + ".");
    }
    BerlinGroupApi.psuIpAddress(call, true);
    BerlinGroupApi.redirectHeaders(call);
    String decoupledPsu = sca.checkRequest(call);
    JsonNode body = BerlinGroupApi.jsonBody(call);
    boolean standingOrder = service.equals("periodic-payments");
    boolean instant = product.equals("instant-sepa-credit-transfers");

    String debtor = iban(body, "debtorAccount");
    String creditor = iban(body, "creditorAccount");
    String creditorName = text(body, "creditorName", 70, true);
    JsonNode instructed = body.path("instructedAmount");
    String currency = instructed.path("currency").isTextual() ? instructed.path("currency").asText() : "";
    JsonNode amountNode = instructed.path("amount");
    String value = amountNode.isTextual() ? amountNode.asText() : "";
    if (!currency.equals("EUR") || !AMOUNT.matcher(value).matches() || new BigDecimal(value).signum() <= 0) {
      throw new BgError(400, "FORMAT_ERROR", "instructedAmount must be a positive EUR amount with up to two "
          + "decimals, the amount as a string (e.g. {\"currency\":\"EUR\",\"amount\":\"123.45\"}).");
    }
    String remittance = text(body, "remittanceInformationUnstructured", 140, false);
    String endToEnd = text(body, "endToEndIdentification", 35, false);
    LocalDate today = LocalDate.now(clock);
    LocalDate requestedExecutionDate = null;
    if (body.has("requestedExecutionDate")) {
      if (standingOrder) {
        throw new BgError(400, "FORMAT_ERROR", "requestedExecutionDate is not supported for periodic payments "
            + "(their first execution is startDate).");
      }
      if (instant) {
        throw new BgError(400, "FORMAT_ERROR", "requestedExecutionDate is not supported for "
            + "instant-sepa-credit-transfers (they are executed at once).");
      }
      requestedExecutionDate = date(body, "requestedExecutionDate");
      if (requestedExecutionDate.isBefore(today)) {
        throw new BgError(400, "FORMAT_ERROR", "requestedExecutionDate lies in the past.");
      }
    }
    Payment.Schedule schedule = null;
    if (standingOrder) {
      schedule = schedule(body, today);
    } else {
      for (String field : SCHEDULE_FIELDS) {
        if (body.has(field)) {
          throw new BgError(400, "FORMAT_ERROR", field + " is only for standing orders "
              + "(/v1/periodic-payments/" + product + ").");
        }
      }
    }
    if (data.accountByIban(debtor).isEmpty()) {
      throw new BgError(400, "FORMAT_ERROR", "debtorAccount: the account is not held at this bank.");
    }

    String id = ids.get();
    Payment payment = new Payment(id, tpp.organisation(), service, product, ((ObjectNode) body).deepCopy(), debtor,
        creditor, creditorName, currency, new BigDecimal(value), remittance, endToEnd, requestedExecutionDate,
        schedule);
    synchronized (created) {
      payments.put(id, payment);
      created.add(id);
    }
    initiations.incrementAndGet();

    ObjectNode out = Http.JSON.createObjectNode();
    out.put("transactionStatus", Payment.RCVD);
    out.put("paymentId", id);
    ObjectNode links;
    if (oauth()) {
      links = out.putObject("_links");
      links.putObject("scaOAuth").put("href", discoveryUrl.get());
    } else {
      links = sca.created(call, Subject.payment(payment), decoupledPsu, out);
    }
    links.putObject("self").put("href", payment.path());
    links.putObject("status").put("href", payment.path() + "/status");
    return Reply.json(201, out).with("Location", payment.path())
        .with("ASPSP-SCA-Approach", oauth() ? "REDIRECT" : sca.dialect().name());
  }

  private static String iban(JsonNode body, String field) {
    JsonNode n = body.path(field).path("iban");
    if (!n.isTextual() || !Iban.isValid(n.asText())) {
      throw new BgError(400, "FORMAT_ERROR", field + ".iban is missing or not a valid IBAN.");
    }
    return n.asText();
  }

  /** An optional (or required) string of at most {@code max} characters; absent: null. */
  private static String text(JsonNode body, String field, int max, boolean required) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new BgError(400, "FORMAT_ERROR", field + " (up to " + max + " characters) is required.");
      }
      return null;
    }
    if (!n.isTextual() || n.asText().length() > max || (required && n.asText().isBlank())) {
      throw new BgError(400, "FORMAT_ERROR", field + " must be a string of " + (required ? "1 to " : "up to ")
          + max + " characters.");
    }
    return n.asText();
  }

  private static LocalDate date(JsonNode body, String field) {
    JsonNode n = body.get(field);
    try {
      if (n == null || !n.isTextual() || !ISO_DATE.matcher(n.asText()).matches()) {
        throw new DateTimeParseException("not an ISO date", String.valueOf(n), 0);
      }
      return LocalDate.parse(n.asText());
    } catch (DateTimeParseException e) {
      throw new BgError(400, "FORMAT_ERROR", field + " must be an ISO date (YYYY-MM-DD).");
    }
  }

  private static Payment.Schedule schedule(JsonNode body, LocalDate today) {
    if (!body.has("startDate")) {
      throw new BgError(400, "FORMAT_ERROR", "startDate (ISODate) is required for a periodic payment.");
    }
    LocalDate start = date(body, "startDate");
    if (start.isBefore(today)) {
      throw new BgError(400, "FORMAT_ERROR", "startDate lies in the past.");
    }
    JsonNode frequency = body.get("frequency");
    if (frequency == null || !frequency.isTextual() || !Payment.Schedule.FREQUENCIES.contains(frequency.asText())) {
      throw new BgError(400, "FORMAT_ERROR", "frequency is required, one of "
          + String.join(", ", Payment.Schedule.FREQUENCIES) + ".");
    }
    LocalDate end = null;
    if (body.has("endDate")) {
      end = date(body, "endDate");
      if (end.isBefore(start)) {
        throw new BgError(400, "FORMAT_ERROR", "endDate lies before startDate.");
      }
    }
    String rule = null;
    if (body.has("executionRule")) {
      JsonNode r = body.get("executionRule");
      if (!r.isTextual() || !(r.asText().equals("following") || r.asText().equals("preceding"))) {
        throw new BgError(400, "FORMAT_ERROR", "executionRule must be following or preceding.");
      }
      rule = r.asText();
    }
    Integer day = null;
    if (body.has("dayOfExecution")) {
      JsonNode d = body.get("dayOfExecution");
      if (!d.isTextual() || !DAY_OF_EXECUTION.matcher(d.asText()).matches()) {
        throw new BgError(400, "FORMAT_ERROR", "dayOfExecution must be a string \"1\" to \"31\" (no leading zero).");
      }
      day = Integer.valueOf(d.asText());
    }
    return new Payment.Schedule(start, end, frequency.asText(), rule, day);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // GET /v1/{service}/{product}/{paymentId}[/status]

  private Reply read(Call call, TppCertificateCheck.Result tpp, Payment p, boolean statusOnly) {
    BerlinGroupApi.psuIpAddress(call, false);
    bearer(call, tpp, p);
    ObjectNode out;
    synchronized (p) {
      due(p);
      if (statusOnly) {
        out = Http.JSON.createObjectNode();
        out.put("transactionStatus", p.status);
        if (p.fundsAvailable != null) {
          out.put("fundsAvailable", p.fundsAvailable);
        }
        if (p.status.equals(Payment.RJCT) && Boolean.FALSE.equals(p.fundsAvailable)) {
          out.putArray("tppMessage").addObject().put("category", "ERROR").put("code", FUNDS_NOT_AVAILABLE)
              .put("text", "The available balance of the debtor account does not cover the amount.");
        }
      } else {
        out = p.body.deepCopy();
        out.put("transactionStatus", p.status);
      }
    }
    return Reply.json(200, out);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // DELETE /v1/{service}/{product}/{paymentId}

  private Reply cancel(Call call, TppCertificateCheck.Result tpp, Payment p) {
    BerlinGroupApi.psuIpAddress(call, false);
    BerlinGroupApi.redirectHeaders(call);
    if (!oauth()) {
      ScaAuthorisations.explicitPreferred(call);
    }
    bearer(call, tpp, p);
    Reply reply;
    boolean abandon = false;
    synchronized (p) {
      due(p);
      if (p.status.equals(Payment.RCVD)) {
        p.status = Payment.CANC;
        abandon = true;
        reply = Reply.empty(204);
      } else if (p.status.equals(Payment.ACTC) && !p.standingOrder()) {
        p.status = Payment.CANC;
        if (Boolean.TRUE.equals(p.fundsAvailable)) {
          data.accountByIban(p.debtorIban).ifPresent(a -> data.release(a, p.id));
        }
        reply = Reply.empty(204);
      } else if (p.status.equals(Payment.ACTC)) {
        p.cancellationPending = true;
        sca.cancellationRequested(call, p);
        ObjectNode out = Http.JSON.createObjectNode();
        out.put("transactionStatus", p.status);
        ObjectNode links = out.putObject("_links");
        if (oauth()) {
          links.putObject("scaOAuth").put("href", discoveryUrl.get());
        } else {
          links.putObject("startAuthorisation").put("href", Subject.cancellation(p).authorisationsPath());
        }
        reply = Reply.json(202, out);
      } else {
        throw new BgError(405, "CANCELLATION_INVALID", "The payment is " + p.status + ": it can no longer be "
            + "cancelled.");
      }
    }
    if (abandon) {
      sca.abandon(Subject.payment(p));
    }
    return reply;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Lifecycle

  /** The customer's SCA of the payment succeeded: ACTC and the funds check, or RJCT for someone else's account. */
  private boolean authorise(Payment p, String customerId) {
    synchronized (p) {
      if (!p.status.equals(Payment.RCVD)) {
        return false;
      }
      Account debtor = data.accountByIban(p.debtorIban).orElse(null);
      if (debtor == null || customerId == null || !customerId.equals(debtor.customerId())) {
        p.status = Payment.RJCT;
        return false;
      }
      p.customerId = customerId;
      if (p.standingOrder()) {
        p.status = Payment.ACTC;
        return true;
      }
      if (!data.reserve(debtor, transaction(p, false))) {
        p.fundsAvailable = false;
        p.status = Payment.RJCT;
        return true;
      }
      p.fundsAvailable = true;
      p.status = Payment.ACTC;
      due(p);
      return true;
    }
  }

  private void reject(Payment p) {
    synchronized (p) {
      if (p.status.equals(Payment.RCVD)) {
        p.status = Payment.RJCT;
      }
    }
  }

  /** The customer's SCA of a standing order's cancellation succeeded: CANC (unless it is someone else's). */
  private boolean authoriseCancellation(Payment p, String customerId) {
    synchronized (p) {
      if (!p.status.equals(Payment.ACTC) || !p.cancellationPending) {
        return false;
      }
      p.cancellationPending = false;
      Account debtor = data.accountByIban(p.debtorIban).orElse(null);
      if (debtor == null || customerId == null || !customerId.equals(debtor.customerId())) {
        return false;
      }
      p.status = Payment.CANC;
      return true;
    }
  }

  private void denyCancellation(Payment p) {
    synchronized (p) {
      p.cancellationPending = false;
    }
  }

  /**
   * Starts the execution of an authorised single payment whose day has come (the caller holds its lock): ACSP (SCT)
   * or ACSC (instant) after one delay, ACSC after another.
   */
  private void due(Payment p) {
    if (!p.status.equals(Payment.ACTC) || p.standingOrder() || p.executing) {
      return;
    }
    if (p.requestedExecutionDate != null && LocalDate.now(clock).isBefore(p.requestedExecutionDate)) {
      return;
    }
    p.executing = true;
    schedule(p);
  }

  private void schedule(Payment p) {
    try {
      executor.schedule(() -> step(p), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.log(System.Logger.Level.DEBUG, "bank closed; payment " + p.id + " not executed");
    }
  }

  private void step(Payment p) {
    try {
      synchronized (p) {
        if (p.status.equals(Payment.ACTC)) {
          if (p.instant()) {
            book(p);
          } else {
            p.status = Payment.ACSP;
            schedule(p);
          }
        } else if (p.status.equals(Payment.ACSP)) {
          book(p);
        }
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "payment " + p.id + " execution failed", e);
    }
  }

  /** Settlement: the reserved debit is booked on the debtor account; ACSC. */
  private void book(Payment p) {
    data.accountByIban(p.debtorIban).ifPresent(a -> data.book(a, p.id, transaction(p, true)));
    p.status = Payment.ACSC;
  }

  private Transaction transaction(Payment p, boolean booked) {
    LocalDate today = LocalDate.now(clock);
    LocalDate valueDate = booked || p.requestedExecutionDate == null ? today : p.requestedExecutionDate;
    return new Transaction(p.id, "R" + p.id, p.endToEndId, booked ? today : null, valueDate,
        p.amount.setScale(2).negate(), p.creditorName, p.creditorIban, p.remittance, BANK_TRANSACTION_CODE, booked);
  }

  /** Future-dated payments start when the bank's clock reaches their day, even without a read. */
  private void sweep() {
    try {
      for (Payment p : payments.values()) {
        if (p.requestedExecutionDate != null) {
          synchronized (p) {
            due(p);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "payment sweep failed", e);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The bank's decisions (ScaAuthorisations.Decider for payments and cancellations, BankDirectory for OAuth)

  String notAuthorisable(Subject s) {
    Payment p = payments.get(s.id());
    if (p == null) {
      return "The payment is unknown";
    }
    synchronized (p) {
      due(p);
      if (s.kind() == Kind.PAYMENT) {
        return p.status.equals(Payment.RCVD) ? null : "The payment is " + p.status;
      }
      return p.status.equals(Payment.ACTC) && p.cancellationPending ? null
          : "No cancellation of the payment awaits authorisation (the payment is " + p.status + ")";
    }
  }

  boolean approve(Subject s, String customerId) {
    Payment p = payments.get(s.id());
    if (p == null) {
      return false;
    }
    return s.kind() == Kind.PAYMENT ? authorise(p, customerId) : authoriseCancellation(p, customerId);
  }

  void deny(Subject s) {
    Payment p = payments.get(s.id());
    if (p != null) {
      if (s.kind() == Kind.PAYMENT) {
        reject(p);
      } else {
        denyCancellation(p);
      }
    }
  }

  /** OAUTH: the payment as the authorisation page shows it. */
  Optional<PaymentSummary> summary(String paymentId) {
    Payment p = paymentId == null ? null : payments.get(paymentId);
    if (p == null) {
      return Optional.empty();
    }
    synchronized (p) {
      due(p);
      boolean cancellation = p.status.equals(Payment.ACTC) && p.cancellationPending;
      boolean authorisable = p.status.equals(Payment.RCVD) || cancellation;
      Payment.Schedule so = p.schedule;
      return Optional.of(new PaymentSummary(p.id, p.status, cancellation, authorisable, p.creditorName,
          p.creditorIban, p.currency, p.amount.setScale(2).toPlainString(), p.remittance, p.debtorIban,
          p.requestedExecutionDate == null ? null : p.requestedExecutionDate.toString(),
          so == null ? null : so.frequency(), so == null ? null : so.startDate().toString(),
          so == null || so.endDate() == null ? null : so.endDate().toString()));
    }
  }

  /** OAUTH: the customer approved the payment, or its cancellation when one awaits authorisation. */
  void approvePayment(String paymentId, String customerId) {
    Payment p = paymentId == null ? null : payments.get(paymentId);
    if (p == null) {
      throw new IllegalArgumentException("unknown payment " + paymentId);
    }
    synchronized (p) {
      if (p.status.equals(Payment.ACTC) && p.cancellationPending) {
        authoriseCancellation(p, customerId);
      } else if (p.status.equals(Payment.RCVD)) {
        authorise(p, customerId);
      } else {
        throw new IllegalStateException("the payment " + paymentId + " is " + p.status
            + " and awaits no authorisation");
      }
    }
  }

  /** OAUTH: the customer denied the payment (RJCT) or its cancellation (the standing order stays). */
  void rejectPayment(String paymentId) {
    Payment p = paymentId == null ? null : payments.get(paymentId);
    if (p == null) {
      return;
    }
    synchronized (p) {
      if (p.status.equals(Payment.ACTC) && p.cancellationPending) {
        denyCancellation(p);
      } else {
        reject(p);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // For the Java API and the admin port

  /** The subject a decoupled decision is for: the pending cancellation, else the payment. */
  Optional<Subject> decoupledSubject(String paymentId) {
    Payment p = paymentId == null ? null : payments.get(paymentId);
    if (p == null) {
      return Optional.empty();
    }
    synchronized (p) {
      return Optional.of(p.status.equals(Payment.ACTC) && p.cancellationPending ? Subject.cancellation(p)
          : Subject.payment(p));
    }
  }

  String status(String paymentId) {
    Payment p = payments.get(paymentId);
    if (p == null) {
      return null;
    }
    synchronized (p) {
      due(p);
      return p.status;
    }
  }

  Optional<JsonNode> body(String paymentId) {
    Payment p = paymentId == null ? null : payments.get(paymentId);
    return p == null ? Optional.empty() : Optional.of(p.body.deepCopy());
  }

  boolean cancellationPending(String paymentId) {
    Payment p = paymentId == null ? null : payments.get(paymentId);
    if (p == null) {
      return false;
    }
    synchronized (p) {
      return p.status.equals(Payment.ACTC) && p.cancellationPending;
    }
  }

  /** A standing order's next {@code n} execution days from today (empty once rejected or cancelled, or unknown). */
  List<LocalDate> nextExecutions(String paymentId, int n) {
    Payment p = paymentId == null ? null : payments.get(paymentId);
    if (p == null || !p.standingOrder() || n <= 0) {
      return List.of();
    }
    synchronized (p) {
      if (!p.status.equals(Payment.RCVD) && !p.status.equals(Payment.ACTC)) {
        return List.of();
      }
    }
    return p.schedule.nextExecutions(LocalDate.now(clock), Math.min(n, 10_000));
  }

  Optional<Payment> payment(String paymentId) {
    return Optional.ofNullable(paymentId == null ? null : payments.get(paymentId));
  }

  /** Every payment's id, oldest first. */
  List<String> paymentIds() {
    return List.copyOf(created);
  }

  /** How many initiations created a payment (201). */
  int initiations() {
    return initiations.get();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
