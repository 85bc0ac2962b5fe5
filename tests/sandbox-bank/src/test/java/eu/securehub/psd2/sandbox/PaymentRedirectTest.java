package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.RedirectDialectTest.NOK_URI;
import static eu.securehub.psd2.sandbox.RedirectDialectTest.href;
import static eu.securehub.psd2.sandbox.RedirectDialectTest.scaStatus;
import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BankData.Account;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Payments on a REDIRECT bank that requires QSEAL signatures: the bank's SCA page, sub-resources, cancellation. */
class PaymentRedirectTest extends BankTestBase {

  private SandboxBank redirectBank() throws Exception {
    return start("gamma", b -> b.dialect(SandboxBank.Dialect.REDIRECT).requireSignatures(true)
        .scaStatusMinInterval(Duration.ZERO).paymentExecutionDelay(Payments.DELAY));
  }

  private Tpp signed(SandboxBank bank) {
    return tpp(bank).signingWith(RequestSigner.with(pki().qseal()));
  }

  /** The SCA page up to the decision page: login as the customer; both pages' HTML checked by the caller. */
  private static HttpResponse<String> loginOnTheScaPage(Tpp tpp, HttpClient browser, String scaRedirect,
                                                        String username, String password, String asks)
      throws Exception {
    HttpResponse<String> login = tpp.open(browser, scaRedirect);
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    assertThat(login.body()).contains(asks, "name=\"username\"");
    HttpResponse<String> page = tpp.submit(browser, login, Map.of("username", username, "password", password,
        "action", "login"), List.of());
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    return page;
  }

  @Test
  void aSepaCreditTransferAuthorisedOnTheScaPageGoesAcspThenAcsc() throws Exception {
    SandboxBank bank = redirectBank();
    Tpp tpp = signed(bank);
    Account giro = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    HttpResponse<String> created = Payments.initiate(tpp, "payments/" + Payments.SCT,
        Payments.body(giro.iban(), "250", "\"endToEndIdentification\":\"E2E-4711\""), "TPP-Redirect-URI",
        Tpp.REDIRECT_URI, "TPP-Nok-Redirect-URI", NOK_URI);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("ASPSP-SCA-Approach")).contains("REDIRECT");
    JsonNode payment = json(created);
    String id = payment.path("paymentId").asText();
    String self = "/v1/payments/" + Payments.SCT + "/" + id;
    assertThat(created.headers().firstValue("Location")).contains(self);
    assertThat(payment.path("transactionStatus").asText()).isEqualTo("RCVD");
    assertThat(payment.path("_links").has("scaOAuth")).isFalse();
    assertThat(payment.path("_links").has("startAuthorisation")).isFalse();
    String scaRedirect = href(payment, "scaRedirect");
    String authorisationId = scaRedirect.substring(scaRedirect.lastIndexOf('/') + 1);
    assertThat(scaRedirect).isEqualTo(bank.baseUrl() + "/sca/" + authorisationId);
    assertThat(href(payment, "scaStatus")).isEqualTo(self + "/authorisations/" + authorisationId);
    assertThat(href(payment, "self")).isEqualTo(self);
    assertThat(href(payment, "status")).isEqualTo(self + "/status");
    assertThat(bank.authorisationIds(id)).containsExactly(authorisationId);
    assertThat(scaStatus(tpp, href(payment, "scaStatus"))).isEqualTo("received");
    assertThat(json(tpp.send("GET", self + "/authorisations", headers(), null)).path("authorisationIds").get(0)
        .asText()).isEqualTo(authorisationId);

    HttpClient browser = tpp.browser();
    HttpResponse<String> page = loginOnTheScaPage(tpp, browser, scaRedirect, "anna", "anna-sandbox-1",
        "asks you to authorise a payment.");
    assertThat(page.body()).contains("<h1>Approve payment to Merchant GmbH</h1>", Payments.CREDITOR_IBAN,
        "<dd>EUR 250.00</dd>", "<dd>" + Payments.REFERENCE + "</dd>", "<dd>immediately</dd>", id);
    assertThat(bank.scaStatus(authorisationId)).contains("psuAuthenticated");
    HttpResponse<String> done = tpp.submit(browser, page, Map.of("action", "approve"), List.of());
    assertThat(done.statusCode()).isEqualTo(302);
    assertThat(done.headers().firstValue("Location")).contains(Tpp.REDIRECT_URI);
    assertThat(scaStatus(tpp, href(payment, "scaStatus"))).isEqualTo("finalised");

    List<String> seen = Payments.watch(bank, id, "ACSC");
    assertThat(seen).containsSubsequence("ACSP", "ACSC").doesNotContain("RJCT");
    JsonNode status = Payments.status(tpp, self + "/status");
    assertThat(status.path("transactionStatus").asText()).isEqualTo("ACSC");
    assertThat(status.path("fundsAvailable").asBoolean()).isTrue();
    assertThat(giro.transactions()).anySatisfy(t -> {
      assertThat(t.transactionId()).isEqualTo(id);
      assertThat(t.booked()).isTrue();
      assertThat(t.endToEndId()).isEqualTo("E2E-4711");
    });
    assertBgError(tpp.send("DELETE", self, headers(), null), 405, "CANCELLATION_INVALID");
    assertThat(tpp.open(browser, scaRedirect).statusCode()).isEqualTo(400);
    assertThat(bank.unsignedOrInvalid()).isEmpty();
  }

  @Test
  void anExplicitStartThenDeniedRejectsThePayment() throws Exception {
    SandboxBank bank = redirectBank();
    Tpp tpp = signed(bank);
    String iban = bank.data().customerByUsername("clara").orElseThrow().accounts().get(0).iban();
    JsonNode payment = Payments.created(tpp, "payments/" + Payments.INSTANT, Payments.body(iban, "9.99"),
        "TPP-Redirect-URI", Tpp.REDIRECT_URI, "TPP-Nok-Redirect-URI", NOK_URI,
        "TPP-Explicit-Authorisation-Preferred", "true");
    String id = payment.path("paymentId").asText();
    String self = "/v1/payments/" + Payments.INSTANT + "/" + id;
    assertThat(href(payment, "startAuthorisation")).isEqualTo(self + "/authorisations");
    assertThat(payment.path("_links").has("scaRedirect")).isFalse();
    assertThat(payment.path("_links").has("scaStatus")).isFalse();
    assertThat(bank.authorisationIds(id)).isEmpty();

    HttpResponse<String> started = tpp.send("POST", self + "/authorisations", headers(), null);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    assertThat(started.headers().firstValue("ASPSP-SCA-Approach")).contains("REDIRECT");
    JsonNode authorisation = json(started);
    String authorisationId = authorisation.path("authorisationId").asText();
    assertThat(authorisation.path("scaStatus").asText()).isEqualTo("received");
    assertThat(href(authorisation, "scaRedirect")).isEqualTo(bank.baseUrl() + "/sca/" + authorisationId);
    assertThat(href(authorisation, "scaStatus")).isEqualTo(self + "/authorisations/" + authorisationId);

    HttpResponse<String> done = tpp.scaRedirect(href(authorisation, "scaRedirect"), "clara", "clara-sandbox-3",
        List.of(), false);
    assertThat(done.headers().firstValue("Location")).contains(NOK_URI);
    assertThat(scaStatus(tpp, href(authorisation, "scaStatus"))).isEqualTo("failed");
    assertThat(bank.paymentStatus(id)).contains("RJCT");
    assertThat(Payments.status(tpp, self + "/status").has("tppMessage")).isFalse();
    assertBgError(tpp.send("POST", self + "/authorisations", headers(), null), 409, "STATUS_INVALID");
    assertBgError(tpp.send("GET", self + "/authorisations/0123456789abcdef", headers(), null), 403,
        "RESOURCE_UNKNOWN");
    assertThat(bank.unsignedOrInvalid()).isEmpty();
  }

  @Test
  void aStandingOrderAndItsCancellationAuthorisedOnTheScaPage() throws Exception {
    SandboxBank bank = redirectBank();
    Tpp tpp = signed(bank);
    Account giro = bank.data().customerByUsername("ben").orElseThrow().accounts().get(0);
    LocalDate start = YearMonth.now().plusMonths(1).atDay(1);
    JsonNode payment = Payments.created(tpp, "periodic-payments/" + Payments.SCT, Payments.standingOrder(giro.iban(),
        "650.00", start.toString(), "Monthly", "\"dayOfExecution\":\"31\"", "\"executionRule\":\"preceding\""),
        "TPP-Redirect-URI", Tpp.REDIRECT_URI);
    String id = payment.path("paymentId").asText();
    String self = "/v1/periodic-payments/" + Payments.SCT + "/" + id;
    assertThat(href(payment, "self")).isEqualTo(self);
    assertThat(href(payment, "scaStatus")).startsWith(self + "/authorisations/");

    HttpClient browser = tpp.browser();
    HttpResponse<String> page = loginOnTheScaPage(tpp, browser, href(payment, "scaRedirect"), "ben", "ben-sandbox-2",
        "asks you to authorise a standing order.");
    assertThat(page.body()).contains("<h1>Approve standing order to Merchant GmbH</h1>", "<dd>EUR 650.00</dd>",
        "<dt>Frequency</dt><dd>Monthly</dd>", "<dt>First payment</dt><dd>" + start + "</dd>",
        "<dt>Last payment</dt><dd>until cancelled</dd>", Payments.CREDITOR_IBAN);
    assertThat(tpp.submit(browser, page, Map.of("action", "approve"), List.of()).statusCode()).isEqualTo(302);
    assertThat(bank.paymentStatus(id)).contains("ACTC");
    assertThat(scaStatus(tpp, href(payment, "scaStatus"))).isEqualTo("finalised");

    // The last day of each month, moved back to the Friday before when it is a Saturday or Sunday.
    List<LocalDate> expected = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      LocalDate d = YearMonth.from(start).plusMonths(k).atEndOfMonth();
      while (d.getDayOfWeek() == DayOfWeek.SATURDAY || d.getDayOfWeek() == DayOfWeek.SUNDAY) {
        d = d.minusDays(1);
      }
      expected.add(d);
    }
    assertThat(bank.nextExecutions(id, 4)).isEqualTo(expected);
    Payments.staysFor3Delays(bank, id, "ACTC");
    JsonNode read = json(tpp.send("GET", self, headers(), null));
    assertThat(read.path("transactionStatus").asText()).isEqualTo("ACTC");
    assertThat(read.path("dayOfExecution").asText()).isEqualTo("31");
    assertThat(read.path("executionRule").asText()).isEqualTo("preceding");

    // The cancellation needs the customer's SCA.
    HttpResponse<String> deleted = tpp.send("DELETE", self, headers(), null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
    assertThat(json(deleted).path("transactionStatus").asText()).isEqualTo("ACTC");
    assertThat(href(json(deleted), "startAuthorisation")).isEqualTo(self + "/cancellation-authorisations");
    HttpResponse<String> started = tpp.send("POST", self + "/cancellation-authorisations", headers(), null);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    assertThat(started.headers().firstValue("ASPSP-SCA-Approach")).contains("REDIRECT");
    JsonNode cancellation = json(started);
    String cancellationId = cancellation.path("authorisationId").asText();
    assertThat(cancellation.path("scaStatus").asText()).isEqualTo("received");
    assertThat(href(cancellation, "scaStatus")).isEqualTo(self + "/cancellation-authorisations/" + cancellationId);
    assertThat(bank.cancellationAuthorisationIds(id)).containsExactly(cancellationId);
    assertThat(json(tpp.send("GET", self + "/cancellation-authorisations", headers(), null))
        .path("authorisationIds").get(0).asText()).isEqualTo(cancellationId);
    // The cancellation's authorisation is not one of the payment's.
    assertBgError(tpp.send("GET", self + "/authorisations/" + cancellationId, headers(), null), 403,
        "RESOURCE_UNKNOWN");

    HttpResponse<String> cancelPage = loginOnTheScaPage(tpp, browser, href(cancellation, "scaRedirect"), "ben",
        "ben-sandbox-2", "asks you to cancel a standing order.");
    assertThat(cancelPage.body()).contains("<h1>Cancel payment to Merchant GmbH</h1>", "<dd>EUR 650.00</dd>");
    HttpResponse<String> done = tpp.submit(browser, cancelPage, Map.of("action", "approve"), List.of());
    assertThat(done.statusCode()).isEqualTo(302);
    assertThat(done.headers().firstValue("Location")).contains(Tpp.REDIRECT_URI);
    assertThat(scaStatus(tpp, href(cancellation, "scaStatus"))).isEqualTo("finalised");
    assertThat(bank.paymentStatus(id)).contains("CANC");
    assertThat(Payments.status(tpp, self + "/status").path("transactionStatus").asText()).isEqualTo("CANC");
    assertBgError(tpp.send("DELETE", self, headers(), null), 405, "CANCELLATION_INVALID");
    assertThat(bank.unsignedOrInvalid()).isEmpty();
  }

  @Test
  void aDeniedCancellationLeavesTheStandingOrder() throws Exception {
    SandboxBank bank = redirectBank();
    Tpp tpp = signed(bank);
    String iban = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    JsonNode payment = Payments.created(tpp, "periodic-payments/" + Payments.INSTANT, Payments.standingOrder(iban,
        "20.00", LocalDate.now().toString(), "Daily"), "TPP-Redirect-URI", Tpp.REDIRECT_URI);
    String id = payment.path("paymentId").asText();
    String self = href(payment, "self");
    tpp.scaRedirect(href(payment, "scaRedirect"), "anna", "anna-sandbox-1", List.of(), true);
    assertThat(bank.paymentStatus(id)).contains("ACTC");
    assertThat(bank.nextExecutions(id, 3)).containsExactly(LocalDate.now(), LocalDate.now().plusDays(1),
        LocalDate.now().plusDays(2));
    assertBgError(tpp.send("POST", self + "/cancellation-authorisations", headers(), null), 409, "STATUS_INVALID");

    // The DELETE's own redirect URIs take precedence for the cancellation.
    assertThat(tpp.send("DELETE", self, headers("TPP-Redirect-URI", Tpp.REDIRECT_URI + "/cancel",
        "TPP-Nok-Redirect-URI", NOK_URI + "/cancel"), null).statusCode()).isEqualTo(202);
    JsonNode cancellation = json(tpp.send("POST", self + "/cancellation-authorisations", headers(), null));
    HttpResponse<String> done = tpp.scaRedirect(href(cancellation, "scaRedirect"), "anna", "anna-sandbox-1",
        List.of(), false);
    assertThat(done.headers().firstValue("Location")).contains(NOK_URI + "/cancel");
    assertThat(scaStatus(tpp, href(cancellation, "scaStatus"))).isEqualTo("failed");
    assertThat(bank.paymentStatus(id)).contains("ACTC");
    assertThat(bank.cancellationPending(id)).isFalse();
    assertBgError(tpp.send("POST", self + "/cancellation-authorisations", headers(), null), 409, "STATUS_INVALID");
    // A new DELETE asks again.
    assertThat(tpp.send("DELETE", self, headers(), null).statusCode()).isEqualTo(202);
    assertThat(bank.cancellationPending(id)).isTrue();
    assertThat(bank.unsignedOrInvalid()).isEmpty();
  }
}
