package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.RedirectDialectTest.href;
import static eu.securehub.psd2.sandbox.RedirectDialectTest.scaStatus;
import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BankData.Account;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Payments on a DECOUPLED bank: the customer's app (admin port, Java), funds, cancellation rules, dates. */
class PaymentDecoupledTest extends BankTestBase {

  private SandboxBank decoupledBank(UnaryOperator<SandboxBank.Builder> more) throws Exception {
    return start("delta", b -> more.apply(b.dialect(SandboxBank.Dialect.DECOUPLED)
        .scaStatusMinInterval(Duration.ZERO).paymentExecutionDelay(Payments.DELAY)));
  }

  /** The bank's app: POST {admin}/admin/payments/{id}/approve or /deny, or GET {admin}/admin/payments/{id}. */
  private static HttpResponse<String> app(SandboxBank bank, String method, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(bank.adminUrl() + "/admin/payments/"
        + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode pay(Tpp tpp, String psuId, String product, String body) throws Exception {
    return Payments.created(tpp, "payments/" + product, body, "PSU-ID", psuId);
  }

  @Test
  void anInstantPaymentApprovedInTheAppThroughTheAdminPort() throws Exception {
    SandboxBank bank = decoupledBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    HttpResponse<String> created = Payments.initiate(tpp, "payments/" + Payments.INSTANT,
        Payments.body(giro.iban(), "42.00"), "PSU-ID", "anna");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("ASPSP-SCA-Approach")).contains("DECOUPLED");
    JsonNode payment = json(created);
    String id = payment.path("paymentId").asText();
    String self = "/v1/payments/" + Payments.INSTANT + "/" + id;
    assertThat(payment.path("transactionStatus").asText()).isEqualTo("RCVD");
    assertThat(payment.path("psuMessage").asText()).isEqualTo(ScaAuthorisations.PSU_MESSAGE_PAYMENT);
    String authorisationId = bank.authorisationIds(id).get(0);
    assertThat(href(payment, "scaStatus")).isEqualTo(self + "/authorisations/" + authorisationId);
    assertThat(href(payment, "self")).isEqualTo(self);
    assertThat(href(payment, "status")).isEqualTo(self + "/status");
    assertThat(payment.path("_links").has("scaRedirect")).isFalse();
    assertThat(payment.path("_links").has("scaOAuth")).isFalse();
    assertThat(scaStatus(tpp, href(payment, "scaStatus"))).isEqualTo("started");

    HttpResponse<String> approved = app(bank, "POST", id + "/approve");
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved).path("paymentId").asText()).isEqualTo(id);
    assertThat(json(approved).path("authorisationId").asText()).isEqualTo(authorisationId);
    assertThat(json(approved).path("transactionStatus").asText()).isEqualTo("ACTC");
    assertThat(json(approved).path("scaStatus").asText()).isEqualTo("finalised");
    assertThat(scaStatus(tpp, href(payment, "scaStatus"))).isEqualTo("finalised");
    assertThat(Payments.watch(bank, id, "ACSC")).doesNotContain("ACSP");
    assertThat(app(bank, "POST", id + "/approve").statusCode()).isEqualTo(404);
    assertThat(bank.approveDecoupledPayment(id)).isFalse();
    HttpResponse<String> shown = app(bank, "GET", id);
    assertThat(json(shown).path("transactionStatus").asText()).isEqualTo("ACSC");
    assertThat(json(shown).path("body").path("creditorName").asText()).isEqualTo(Payments.CREDITOR);
    assertThat(app(bank, "GET", "no-such-payment").statusCode()).isEqualTo(404);
  }

  @Test
  void fundsAreCheckedAgainstTheAvailableBalanceAndExecutionDebitsIt() throws Exception {
    SandboxBank bank = decoupledBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("clara").orElseThrow().accounts().get(0);
    BigDecimal available = giro.expected();
    assertThat(available).isGreaterThan(new BigDecimal("20.00"));

    // One cent too much.
    JsonNode tooMuch = pay(tpp, "clara", Payments.SCT, Payments.body(giro.iban(),
        available.add(new BigDecimal("0.01")).toPlainString()));
    String rejected = tooMuch.path("paymentId").asText();
    assertThat(bank.approveDecoupledPayment(rejected)).isTrue();
    assertThat(bank.paymentStatus(rejected)).contains("RJCT");
    assertThat(bank.scaStatus(bank.authorisationIds(rejected).get(0))).contains("finalised");
    JsonNode status = Payments.status(tpp, href(tooMuch, "status"));
    assertThat(status.path("transactionStatus").asText()).isEqualTo("RJCT");
    assertThat(status.path("fundsAvailable").asBoolean(true)).isFalse();
    assertThat(status.path("tppMessage")).hasSize(1);
    assertThat(status.path("tppMessage").get(0).path("category").asText()).isEqualTo("ERROR");
    assertThat(status.path("tppMessage").get(0).path("code").asText()).isEqualTo("FUNDS_NOT_AVAILABLE");
    assertThat(giro.expected()).isEqualByComparingTo(available);

    // All but 10 euros, then 10.01 more: the second fails, because the first was reserved and then booked.
    BigDecimal first = available.subtract(new BigDecimal("10.00"));
    String drained = pay(tpp, "clara", Payments.INSTANT, Payments.body(giro.iban(), first.toPlainString()))
        .path("paymentId").asText();
    assertThat(bank.approveDecoupledPayment(drained)).isTrue();
    assertThat(giro.expected()).isEqualByComparingTo("10.00");
    Payments.watch(bank, drained, "ACSC");
    assertThat(giro.expected()).isEqualByComparingTo("10.00");
    String later = pay(tpp, "clara", Payments.INSTANT, Payments.body(giro.iban(), "10.01")).path("paymentId").asText();
    assertThat(bank.approveDecoupledPayment(later)).isTrue();
    assertThat(bank.paymentStatus(later)).contains("RJCT");
    String exact = pay(tpp, "clara", Payments.INSTANT, Payments.body(giro.iban(), "10.00")).path("paymentId").asText();
    assertThat(bank.approveDecoupledPayment(exact)).isTrue();
    Payments.watch(bank, exact, "ACSC");
    assertThat(giro.expected()).isEqualByComparingTo("0.00");
  }

  @Test
  void aDeniedOrSomeoneElsesPaymentIsRejected() throws Exception {
    SandboxBank bank = decoupledBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    String annas = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    JsonNode denied = pay(tpp, "anna", Payments.SCT, Payments.body(annas, "5.00"));
    String id = denied.path("paymentId").asText();
    HttpResponse<String> r = app(bank, "POST", id + "/deny");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).path("transactionStatus").asText()).isEqualTo("RJCT");
    assertThat(json(r).path("scaStatus").asText()).isEqualTo("failed");
    JsonNode status = Payments.status(tpp, href(denied, "status"));
    assertThat(status.path("transactionStatus").asText()).isEqualTo("RJCT");
    assertThat(status.has("tppMessage")).isFalse();
    assertThat(bank.denyDecoupledPayment(id)).isFalse();

    // Clara approves a payment from Anna's account: the SCA fails.
    String notClaras = pay(tpp, "clara", Payments.SCT, Payments.body(annas, "5.00")).path("paymentId").asText();
    assertThat(bank.approveDecoupledPayment(notClaras)).isTrue();
    assertThat(bank.paymentStatus(notClaras)).contains("RJCT");
    assertThat(bank.scaStatus(bank.authorisationIds(notClaras).get(0))).contains("failed");
    assertThat(bank.approveDecoupledPayment("no-such-payment")).isFalse();
  }

  @Test
  void cancellationBeforeExecutionAndAfter() throws Exception {
    MutableClock clock = MutableClock.ofNow();
    SandboxBank bank = decoupledBank(b -> b.clock(clock));
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("ben").orElseThrow().accounts().get(0);
    LocalDate today = LocalDate.now(clock);

    // Not authorised yet: cancelled at once; its authorisation fails.
    JsonNode received = pay(tpp, "ben", Payments.SCT, Payments.body(giro.iban(), "30.00"));
    String rcvd = received.path("paymentId").asText();
    HttpResponse<String> cancelled = tpp.send("DELETE", href(received, "self"), headers(), null);
    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(204);
    assertThat(bank.paymentStatus(rcvd)).contains("CANC");
    assertThat(scaStatus(tpp, href(received, "scaStatus"))).isEqualTo("failed");
    assertThat(bank.approveDecoupledPayment(rcvd)).isFalse();
    assertBgError(tpp.send("DELETE", href(received, "self"), headers(), null), 405, "CANCELLATION_INVALID");

    // Authorised, future-dated: waits in ACTC with its amount reserved; cancelled at once, the reservation released.
    BigDecimal available = giro.expected();
    JsonNode future = pay(tpp, "ben", Payments.SCT, Payments.body(giro.iban(), "40.00",
        "\"requestedExecutionDate\":\"" + today.plusDays(2) + "\""));
    String dated = future.path("paymentId").asText();
    assertThat(bank.approveDecoupledPayment(dated)).isTrue();
    Payments.staysFor3Delays(bank, dated, "ACTC");
    assertThat(giro.expected()).isEqualByComparingTo(available.subtract(new BigDecimal("40.00")));
    assertThat(json(tpp.send("GET", href(future, "self"), headers(), null)).path("requestedExecutionDate").asText())
        .isEqualTo(today.plusDays(2).toString());
    assertThat(tpp.send("DELETE", href(future, "self"), headers(), null).statusCode()).isEqualTo(204);
    assertThat(bank.paymentStatus(dated)).contains("CANC");
    assertThat(giro.expected()).isEqualByComparingTo(available);

    // Another one is executed when the bank's clock reaches its day.
    JsonNode next = pay(tpp, "ben", Payments.SCT, Payments.body(giro.iban(), "40.00",
        "\"requestedExecutionDate\":\"" + today.plusDays(2) + "\""));
    String onItsDay = next.path("paymentId").asText();
    assertThat(bank.approveDecoupledPayment(onItsDay)).isTrue();
    clock.advance(Duration.ofDays(1));
    Payments.staysFor3Delays(bank, onItsDay, "ACTC");
    clock.set(today.plusDays(2).atTime(9, 0).toInstant(ZoneOffset.UTC));
    assertThat(Payments.watch(bank, onItsDay, "ACSC")).containsSubsequence("ACTC", "ACSP", "ACSC");
    assertThat(giro.transactions()).anySatisfy(t -> {
      assertThat(t.transactionId()).isEqualTo(onItsDay);
      assertThat(t.booked()).isTrue();
      assertThat(t.bookingDate()).isEqualTo(today.plusDays(2));
    });
    assertBgError(tpp.send("DELETE", href(next, "self"), headers(), null), 405, "CANCELLATION_INVALID");

    // During the execution (ACSP) it is too late too.
    String immediate = pay(tpp, "ben", Payments.SCT, Payments.body(giro.iban(), "1.00")).path("paymentId").asText();
    assertThat(bank.approveDecoupledPayment(immediate)).isTrue();
    Payments.watch(bank, immediate, "ACSP");
    assertBgError(tpp.send("DELETE", "/v1/payments/" + Payments.SCT + "/" + immediate, headers(), null), 405,
        "CANCELLATION_INVALID");
    Payments.watch(bank, immediate, "ACSC");
  }

  @Test
  void aStandingOrderAndItsCancellationApprovedInTheApp() throws Exception {
    SandboxBank bank = decoupledBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("kraus").orElseThrow().accounts().get(0);
    LocalDate start = LocalDate.now().plusDays(3);
    JsonNode payment = Payments.created(tpp, "periodic-payments/" + Payments.SCT, Payments.standingOrder(giro.iban(),
        "1200.00", start.toString(), "Quarterly", "\"endDate\":\"" + start.plusYears(1) + "\""), "PSU-ID", "kraus");
    String id = payment.path("paymentId").asText();
    String self = "/v1/periodic-payments/" + Payments.SCT + "/" + id;
    assertThat(payment.path("psuMessage").asText()).isEqualTo(ScaAuthorisations.PSU_MESSAGE_PAYMENT);
    assertThat(href(payment, "scaStatus")).startsWith(self + "/authorisations/");
    assertThat(bank.approveDecoupledPayment(id)).isTrue();
    assertThat(bank.paymentStatus(id)).contains("ACTC");
    assertThat(bank.nextExecutions(id, 10)).hasSize(5).startsWith(start.withDayOfMonth(start.getDayOfMonth()));

    HttpResponse<String> deleted = tpp.send("DELETE", self, headers(), null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
    assertThat(href(json(deleted), "startAuthorisation")).isEqualTo(self + "/cancellation-authorisations");
    assertThat(bank.approveDecoupledPayment(id)).as("no cancellation authorisation started yet").isFalse();
    // Without PSU-ID the cancellation is the payment's PSU's.
    HttpResponse<String> started = tpp.send("POST", self + "/cancellation-authorisations", headers(), null);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    assertThat(started.headers().firstValue("ASPSP-SCA-Approach")).contains("DECOUPLED");
    JsonNode cancellation = json(started);
    assertThat(cancellation.path("scaStatus").asText()).isEqualTo("started");
    assertThat(cancellation.path("psuMessage").asText()).isEqualTo(ScaAuthorisations.PSU_MESSAGE_CANCELLATION);
    String cancellationId = cancellation.path("authorisationId").asText();
    assertThat(href(cancellation, "scaStatus")).isEqualTo(self + "/cancellation-authorisations/" + cancellationId);
    assertThat(cancellation.path("_links").has("scaRedirect")).isFalse();

    HttpResponse<String> approved = app(bank, "POST", id + "/approve");
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved).path("authorisationId").asText()).isEqualTo(cancellationId);
    assertThat(json(approved).path("transactionStatus").asText()).isEqualTo("CANC");
    assertThat(json(approved).path("scaStatus").asText()).isEqualTo("finalised");
    assertThat(scaStatus(tpp, href(cancellation, "scaStatus"))).isEqualTo("finalised");
    assertThat(bank.nextExecutions(id, 10)).isEmpty();

    // A cancellation denied in the app: the standing order stays.
    String other = Payments.created(tpp, "periodic-payments/" + Payments.SCT, Payments.standingOrder(giro.iban(),
        "99.00", start.toString(), "Annual"), "PSU-ID", "kraus").path("paymentId").asText();
    assertThat(bank.approveDecoupledPayment(other)).isTrue();
    String otherSelf = "/v1/periodic-payments/" + Payments.SCT + "/" + other;
    assertThat(tpp.send("DELETE", otherSelf, headers(), null).statusCode()).isEqualTo(202);
    assertThat(tpp.send("POST", otherSelf + "/cancellation-authorisations", headers("PSU-ID", "kraus"), null)
        .statusCode()).isEqualTo(201);
    assertThat(bank.denyDecoupledPayment(other)).isTrue();
    assertThat(bank.paymentStatus(other)).contains("ACTC");
    assertThat(bank.scaStatus(bank.cancellationAuthorisationIds(other).get(0))).contains("failed");
    assertThat(bank.nextExecutions(other, 2)).containsExactly(start, start.plusYears(1));
  }
}
