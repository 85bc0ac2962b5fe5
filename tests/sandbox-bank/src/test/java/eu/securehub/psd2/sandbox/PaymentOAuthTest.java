package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.RedirectDialectTest.href;
import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BankData.Account;
import eu.securehub.psd2.sandbox.BankData.Transaction;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Payments on an OAUTH bank: scope PIS:&lt;paymentId&gt; on the authorisation server, tokens, execution. */
class PaymentOAuthTest extends BankTestBase {

  private SandboxBank oauthBank() throws Exception {
    return start("alpha", b -> b.paymentExecutionDelay(Payments.DELAY));
  }

  @Test
  void anInstantPaymentAuthorisedOnTheBanksPageIsExecutedAndBooked() throws Exception {
    SandboxBank bank = oauthBank();
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    BigDecimal closingBefore = giro.closingBooked();
    BigDecimal availableBefore = giro.expected();

    HttpResponse<String> created = Payments.initiate(tpp, "payments/" + Payments.INSTANT,
        Payments.body(giro.iban(), "123.45"), "TPP-Redirect-URI", Tpp.REDIRECT_URI);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode payment = json(created);
    String id = payment.path("paymentId").asText();
    String self = "/v1/payments/" + Payments.INSTANT + "/" + id;
    assertThat(payment.path("transactionStatus").asText()).isEqualTo("RCVD");
    assertThat(href(payment, "scaOAuth")).isEqualTo(bank.discoveryUrl().toString());
    assertThat(href(payment, "self")).isEqualTo(self);
    assertThat(href(payment, "status")).isEqualTo(self + "/status");
    assertThat(payment.path("_links").has("scaRedirect")).isFalse();
    assertThat(payment.path("_links").has("startAuthorisation")).isFalse();
    assertThat(created.headers().firstValue("Location")).contains(self);
    assertThat(created.headers().firstValue("ASPSP-SCA-Approach")).contains("REDIRECT");
    assertThat(bank.paymentInitiations()).isEqualTo(1);
    assertThat(bank.paymentStatus(id)).contains("RCVD");
    assertThat(bank.paymentBody(id).orElseThrow().path("creditorName").asText()).isEqualTo(Payments.CREDITOR);

    Tpp.Tokens tokens = tpp.authoriseScope("openid PIS:" + id, "anna", "anna-sandbox-1", true, (login, page) -> {
      assertThat(login).contains("asks you to authorise a payment. Log in to continue.", "name=\"username\"");
      assertThat(page).contains("<h1>Approve payment to Merchant GmbH</h1>", Payments.CREDITOR_IBAN,
          "<dd>EUR 123.45</dd>", "<dd>" + Payments.REFERENCE + "</dd>", giro.iban(), "<dd>immediately</dd>",
          "value=\"approve\"", "value=\"deny\"");
    });
    JsonNode idToken = Payments.claims(tokens.idToken());
    assertThat(idToken.path("nonce").asText()).startsWith("n-");
    assertThat(idToken.path("sub").asText()).isEqualTo(giro.customerId());
    assertThat(bank.grants().accessToken(tokens.accessToken()).orElseThrow().paymentId()).isEqualTo(id);

    List<String> seen = Payments.watch(bank, id, "ACSC");
    assertThat(seen).doesNotContain("ACSP", "RJCT");
    JsonNode status = Payments.status(tpp, self + "/status", "Authorization", "Bearer " + tokens.accessToken());
    assertThat(status.path("transactionStatus").asText()).isEqualTo("ACSC");
    assertThat(status.path("fundsAvailable").asBoolean()).isTrue();
    assertThat(status.has("tppMessage")).isFalse();
    HttpResponse<String> full = tpp.send("GET", self, headers("Authorization", "Bearer " + tokens.accessToken()),
        null);
    assertThat(full.statusCode()).as(full.body()).isEqualTo(200);
    assertThat(json(full).path("transactionStatus").asText()).isEqualTo("ACSC");
    assertThat(json(full).path("instructedAmount").path("amount").asText()).isEqualTo("123.45");
    // The QWAC alone is enough.
    assertThat(Payments.status(tpp, self + "/status").path("transactionStatus").asText()).isEqualTo("ACSC");
    assertThat(bank.paymentReads()).hasSize(3);
    assertThat(bank.paymentReadsWithToken()).hasSize(2).allSatisfy(e -> assertThat(e.bearerToken()).isTrue());

    // Booked on the debtor account.
    assertThat(giro.closingBooked()).isEqualByComparingTo(closingBefore.subtract(new BigDecimal("123.45")));
    assertThat(giro.expected()).isEqualByComparingTo(availableBefore.subtract(new BigDecimal("123.45")));
    Transaction booked = giro.transactions().stream().filter(t -> t.transactionId().equals(id)).findFirst()
        .orElseThrow();
    assertThat(booked.booked()).isTrue();
    assertThat(booked.amount()).isEqualByComparingTo("-123.45");
    assertThat(booked.counterpartyName()).isEqualTo(Payments.CREDITOR);
    assertThat(booked.remittance()).isEqualTo(Payments.REFERENCE);
    assertThat(booked.bookingDate()).isEqualTo(LocalDate.now());

    // Refresh as for AIS; an executed payment cannot be cancelled.
    HttpResponse<String> refreshed = tpp.refresh(tokens.refreshToken());
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    assertThat(json(refreshed).path("scope").asText()).isEqualTo("openid PIS:" + id);
    assertBgError(tpp.send("DELETE", self, headers(), null), 405, "CANCELLATION_INVALID");
  }

  @Test
  void thePisScopeCoversItsOwnPaymentOnly() throws Exception {
    SandboxBank bank = oauthBank();
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    String consentId = tpp.createConsent(Tpp.consentBody(giro.iban()));
    Tpp.Tokens ais = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    String a = Payments.created(tpp, "payments/" + Payments.SCT, Payments.body(giro.iban(), "10.00")
        .replace(",\"remittanceInformationUnstructured\":\"" + Payments.REFERENCE + "\"", "")).path("paymentId")
        .asText();
    String b = Payments.created(tpp, "payments/" + Payments.SCT, Payments.body(giro.iban(), "11.00"))
        .path("paymentId").asText();
    Tpp.Tokens pis = tpp.authoriseScope("openid PIS:" + a, "anna", "anna-sandbox-1", true, (l, p) -> { });
    String pathA = "/v1/payments/" + Payments.SCT + "/" + a;
    String pathB = "/v1/payments/" + Payments.SCT + "/" + b;

    assertBgError(tpp.send("GET", pathA, headers("Authorization", "Bearer " + ais.accessToken()), null), 401,
        "TOKEN_INVALID");
    assertBgError(tpp.send("GET", pathB, headers("Authorization", "Bearer " + pis.accessToken()), null), 401,
        "TOKEN_INVALID");
    assertBgError(tpp.send("GET", pathB + "/status", headers("Authorization", "Bearer " + pis.accessToken()), null),
        401, "TOKEN_INVALID");
    assertBgError(tpp.send("GET", pathA + "/status", headers("Authorization", "Bearer not-a-token"), null), 401,
        "TOKEN_INVALID");
    assertBgError(tpp.send("DELETE", pathB, headers("Authorization", "Bearer " + pis.accessToken()), null), 401,
        "TOKEN_INVALID");
    assertThat(bank.paymentStatus(b)).contains("RCVD");
    HttpResponse<String> own = tpp.send("GET", pathA + "/status", headers("Authorization", "Bearer "
        + pis.accessToken()), null);
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    assertThat(tpp.send("GET", pathB, headers(), null).statusCode()).isEqualTo(200);
    // A payment's token reads no accounts.
    assertBgError(tpp.read("/v1/accounts", consentId, pis.accessToken(), true), 401, "TOKEN_INVALID");
    assertThat(tpp.read("/v1/accounts", consentId, ais.accessToken(), true).statusCode()).isEqualTo(200);
    assertThat(bank.paymentReadsWithToken()).hasSize(5);
    assertThat(bank.paymentReads()).hasSize(6);

    // Only a payment awaiting authorisation can be authorised.
    Payments.watch(bank, a, "ACSC");
    // The executed payment is one of the account's booked transactions (read with the AIS token).
    HttpResponse<String> booked = tpp.read("/v1/accounts/" + giro.resourceId() + "/transactions?bookingStatus=booked"
        + "&dateFrom=" + LocalDate.now(), consentId, ais.accessToken(), true);
    assertThat(booked.statusCode()).as(booked.body()).isEqualTo(200);
    assertThat(json(booked).path("transactions").path("booked")).anySatisfy(t -> {
      assertThat(t.path("transactionId").asText()).isEqualTo(a);
      assertThat(t.path("transactionAmount").path("amount").asText()).isEqualTo("-10.00");
      assertThat(t.path("creditorName").asText()).isEqualTo(Payments.CREDITOR);
      assertThat(t.has("remittanceInformationUnstructured")).isFalse();
    });
    HttpResponse<String> par = tpp.form("/oauth/par", java.util.Map.of("client_id",
        eu.securehub.psd2.testpki.TestPki.ORGANIZATION_IDENTIFIER, "response_type", "code", "redirect_uri",
        Tpp.REDIRECT_URI, "scope", "openid PIS:" + a, "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method", "S256"), tpp.http);
    assertThat(par.statusCode()).isEqualTo(400);
    assertThat(par.body()).contains("invalid_scope", "ACSC");
  }

  @Test
  void aPaymentDeniedOnTheBanksPageIsRejected() throws Exception {
    SandboxBank bank = oauthBank();
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("clara").orElseThrow().accounts().get(0).iban();
    JsonNode payment = Payments.created(tpp, "payments/" + Payments.SCT, Payments.body(iban, "5.00"));
    String id = payment.path("paymentId").asText();
    assertThat(tpp.authoriseScope("openid PIS:" + id, "clara", "clara-sandbox-3", false, (l, p) -> { })).isNull();
    assertThat(bank.paymentStatus(id)).contains("RJCT");
    JsonNode status = Payments.status(tpp, href(payment, "status"));
    assertThat(status.path("transactionStatus").asText()).isEqualTo("RJCT");
    assertThat(status.has("tppMessage")).isFalse();
    assertThat(status.has("fundsAvailable")).isFalse();
    assertBgError(tpp.send("DELETE", href(payment, "self"), headers(), null), 405, "CANCELLATION_INVALID");
  }

  @Test
  void aStandingOrderIsAuthorisedAndItsCancellationToo() throws Exception {
    SandboxBank bank = oauthBank();
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("ben").orElseThrow().accounts().get(0);
    LocalDate start = LocalDate.now().plusDays(1);
    LocalDate end = start.plusWeeks(3);
    JsonNode payment = Payments.created(tpp, "periodic-payments/" + Payments.SCT, Payments.standingOrder(giro.iban(),
        "75.00", start.toString(), "Weekly", "\"endDate\":\"" + end + "\""));
    String id = payment.path("paymentId").asText();
    String self = "/v1/periodic-payments/" + Payments.SCT + "/" + id;
    assertThat(href(payment, "self")).isEqualTo(self);
    assertThat(href(payment, "scaOAuth")).isEqualTo(bank.discoveryUrl().toString());
    assertThat(bank.nextExecutions(id, 10)).containsExactly(start, start.plusWeeks(1), start.plusWeeks(2), end);

    tpp.authoriseScope("openid PIS:" + id, "ben", "ben-sandbox-2", true, (login, page) -> {
      assertThat(login).contains("asks you to authorise a standing order.");
      assertThat(page).contains("<h1>Approve standing order to Merchant GmbH</h1>", "<dd>EUR 75.00</dd>",
          "<dt>Frequency</dt><dd>Weekly</dd>", "<dt>First payment</dt><dd>" + start + "</dd>",
          "<dt>Last payment</dt><dd>" + end + "</dd>", Payments.REFERENCE);
    });
    assertThat(bank.paymentStatus(id)).contains("ACTC");
    Payments.staysFor3Delays(bank, id, "ACTC");
    JsonNode read = json(tpp.send("GET", self, headers(), null));
    assertThat(read.path("transactionStatus").asText()).isEqualTo("ACTC");
    assertThat(read.path("frequency").asText()).isEqualTo("Weekly");
    assertThat(read.path("startDate").asText()).isEqualTo(start.toString());
    assertThat(read.path("endDate").asText()).isEqualTo(end.toString());

    HttpResponse<String> deleted = tpp.send("DELETE", self, headers(), null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
    assertThat(json(deleted).path("transactionStatus").asText()).isEqualTo("ACTC");
    assertThat(href(json(deleted), "scaOAuth")).isEqualTo(bank.discoveryUrl().toString());
    assertThat(bank.cancellationPending(id)).isTrue();

    tpp.authoriseScope("openid PIS:" + id, "ben", "ben-sandbox-2", true, (login, page) -> {
      assertThat(login).contains("asks you to cancel a standing order.");
      assertThat(page).contains("<h1>Cancel payment to Merchant GmbH</h1>", "<dd>EUR 75.00</dd>",
          "<dd>Weekly</dd>");
    });
    assertThat(bank.paymentStatus(id)).contains("CANC");
    assertThat(bank.nextExecutions(id, 10)).isEmpty();
    assertBgError(tpp.send("DELETE", self, headers(), null), 405, "CANCELLATION_INVALID");
  }
}
