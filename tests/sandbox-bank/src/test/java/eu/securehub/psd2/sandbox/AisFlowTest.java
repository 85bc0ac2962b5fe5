package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BankData.Account;
import eu.securehub.psd2.sandbox.BankData.Customer;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The whole AIS journey: consent, OAuth (login and consent pages), reads, paging, deletion. */
class AisFlowTest extends BankTestBase {

  @Test
  void fullAccountInformationFlowWithOAuth() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    Customer anna = bank.data().customerByUsername("anna").orElseThrow();
    Account giro = anna.accounts().get(0);
    Account savings = anna.accounts().get(1);

    HttpResponse<String> created = tpp.send("POST", "/v1/consents", headers("Content-Type", "application/json",
        "PSU-IP-Address", Tpp.PSU_IP, "TPP-Redirect-Preferred", "true", "TPP-Redirect-URI", Tpp.REDIRECT_URI),
        Tpp.consentBody(giro.iban(), savings.iban()));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode consent = json(created);
    String consentId = consent.path("consentId").asText();
    assertThat(consent.path("consentStatus").asText()).isEqualTo("received");
    assertThat(consent.path("_links").path("scaOAuth").path("href").asText())
        .isEqualTo(bank.discoveryUrl().toString());
    assertThat(created.headers().firstValue("Location")).contains("/v1/consents/" + consentId);
    assertThat(created.headers().firstValue("ASPSP-SCA-Approach")).contains("REDIRECT");
    assertThat(created.headers().firstValue("X-Request-ID"))
        .isEqualTo(created.request().headers().firstValue("X-Request-ID"));

    HttpResponse<String> status = tpp.send("GET", "/v1/consents/" + consentId + "/status", headers(), null);
    assertThat(json(status).path("consentStatus").asText()).isEqualTo("received");

    // Discovery without a client certificate, as a browser or the hub's metadata fetch would.
    Tpp browser = new Tpp(bank, null, pki().bankCa("alpha"));
    HttpResponse<String> discovery = browser.send("GET", "/.well-known/openid-configuration", java.util.Map.of(),
        null);
    assertThat(discovery.statusCode()).isEqualTo(200);
    assertThat(json(discovery).path("issuer").asText()).isEqualTo(bank.baseUrl().toString());

    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    assertThat(tokens.accessToken()).isNotBlank();
    assertThat(json(tpp.send("GET", "/v1/consents/" + consentId + "/status", headers(), null))
        .path("consentStatus").asText()).isEqualTo("valid");

    HttpResponse<String> info = tpp.send("GET", "/v1/consents/" + consentId, headers(), null);
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(json(info).path("access").path("accounts")).hasSize(2);
    assertThat(json(info).path("frequencyPerDay").asInt()).isEqualTo(4);

    HttpResponse<String> list = tpp.read("/v1/accounts?withBalance=true", consentId, tokens.accessToken(), true);
    assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
    JsonNode accounts = json(list).path("accounts");
    assertThat(accounts).hasSize(2);
    assertThat(accounts.get(0).path("iban").asText()).isEqualTo(giro.iban());
    assertThat(accounts.get(0).path("balances")).isNotEmpty();
    assertThat(accounts.get(0).path("_links").path("transactions").path("href").asText())
        .isEqualTo("/v1/accounts/" + giro.resourceId() + "/transactions");

    HttpResponse<String> details = tpp.read("/v1/accounts/" + giro.resourceId(), consentId, tokens.accessToken(),
        true);
    assertThat(json(details).path("account").path("iban").asText()).isEqualTo(giro.iban());

    HttpResponse<String> balances = tpp.read("/v1/accounts/" + giro.resourceId() + "/balances", consentId,
        tokens.accessToken(), true);
    assertThat(balances.statusCode()).isEqualTo(200);
    JsonNode b = json(balances).path("balances");
    assertThat(b.get(0).path("balanceType").asText()).isEqualTo("closingBooked");
    assertThat(b.get(0).path("balanceAmount").path("amount").asText())
        .isEqualTo(giro.closingBooked().toPlainString());

    // Paging through a year of booked transactions: first/next/last links, every transaction once.
    String from = LocalDate.now().minusYears(1).toString();
    String path = "/v1/accounts/" + giro.resourceId() + "/transactions?dateFrom=" + from
        + "&bookingStatus=booked&itemsPerPage=40";
    Set<String> seen = new HashSet<>();
    int pages = 0;
    String lastHref = null;
    while (path != null) {
      HttpResponse<String> page = tpp.read(path, consentId, tokens.accessToken(), true);
      assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
      JsonNode report = json(page).path("transactions");
      assertThat(report.has("pending")).isFalse();
      report.path("booked").forEach(t -> assertThat(seen.add(t.path("transactionId").asText())).isTrue());
      JsonNode links = report.path("_links");
      assertThat(links.path("account").path("href").asText()).isEqualTo("/v1/accounts/" + giro.resourceId());
      assertThat(links.path("first").path("href").asText()).endsWith("pageIndex=0");
      if (pages == 0) {
        assertThat(links.has("previous")).isFalse();
        lastHref = links.path("last").path("href").asText();
      } else {
        assertThat(links.has("previous")).isTrue();
      }
      path = links.has("next") ? links.path("next").path("href").asText() : null;
      pages++;
    }
    assertThat(seen).hasSize(giro.booked().size());
    assertThat(giro.booked().size()).isGreaterThan(200);
    assertThat(lastHref).endsWith("pageIndex=" + (pages - 1));

    HttpResponse<String> pending = tpp.read("/v1/accounts/" + giro.resourceId()
        + "/transactions?bookingStatus=pending", consentId, tokens.accessToken(), true);
    assertThat(json(pending).path("transactions").path("pending")).hasSize(giro.pending().size()).isNotEmpty();
    assertThat(json(pending).path("transactions").has("booked")).isFalse();

    HttpResponse<String> both = tpp.read("/v1/accounts/" + giro.resourceId() + "/transactions?bookingStatus=both"
        + "&dateFrom=" + LocalDate.now().minusDays(10) + "&withBalance=true", consentId, tokens.accessToken(), true);
    assertThat(json(both).path("transactions").path("booked")).isNotEmpty();
    assertThat(json(both).path("transactions").path("pending")).isNotEmpty();
    assertThat(json(both).path("balances")).isNotEmpty();
    json(both).path("transactions").path("booked").forEach(t -> assertThat(
        LocalDate.parse(t.path("bookingDate").asText())).isAfterOrEqualTo(LocalDate.now().minusDays(10)));

    HttpResponse<String> information = tpp.read("/v1/accounts/" + giro.resourceId()
        + "/transactions?bookingStatus=information", consentId, tokens.accessToken(), true);
    assertThat(json(information).path("transactions").path("information").get(0)
        .path("additionalInformationStructured").path("standingOrderDetails").path("frequency").asText())
        .isEqualTo("Monthly");

    HttpResponse<String> all = tpp.read("/v1/accounts/" + giro.resourceId() + "/transactions?bookingStatus=all"
        + "&dateFrom=" + LocalDate.now().minusDays(30), consentId, tokens.accessToken(), true);
    assertThat(all.statusCode()).as(all.body()).isEqualTo(200);

    // The TPP ends the consent: reads are refused from then on.
    HttpResponse<String> deleted = tpp.send("DELETE", "/v1/consents/" + consentId, headers(), null);
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(bank.consentStatus(consentId)).contains("terminatedByTpp");
    assertBgError(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true), 401, "CONSENT_INVALID");
    assertThat(bank.exchanges()).hasSizeGreaterThan(15);
  }

  @Test
  void bankOfferedConsentLetsTheCustomerChooseAccounts() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    Customer ben = bank.data().customerByUsername("ben").orElseThrow();
    String consentId = tpp.createConsent("{\"access\":{\"accounts\":[],\"balances\":[],\"transactions\":[]},"
        + "\"recurringIndicator\":true,\"validUntil\":\"9999-12-31\",\"frequencyPerDay\":4,"
        + "\"combinedServiceIndicator\":false}");
    Account chosen = ben.accounts().get(1);
    Tpp.Tokens tokens = tpp.authorise(consentId, "ben", "ben-sandbox-2", List.of(chosen.resourceId()), true);
    JsonNode list = json(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true)).path("accounts");
    assertThat(list).hasSize(1);
    assertThat(list.get(0).path("resourceId").asText()).isEqualTo(chosen.resourceId());
    JsonNode info = json(tpp.send("GET", "/v1/consents/" + consentId, headers(), null));
    assertThat(info.path("access").path("accounts").get(0).path("iban").asText()).isEqualTo(chosen.iban());
    assertThat(LocalDate.parse(info.path("validUntil").asText())).isBefore(LocalDate.now().plusDays(181));
    assertBgError(tpp.read("/v1/accounts/" + ben.accounts().get(0).resourceId() + "/balances", consentId,
        tokens.accessToken(), true), 401, "CONSENT_INVALID");
  }

  @Test
  void deniedConsentIsRejected() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("clara").orElseThrow().accounts().get(0).iban();
    String consentId = tpp.createConsent(Tpp.consentBody(iban));
    assertThat(tpp.authorise(consentId, "clara", "clara-sandbox-3", List.of(), false)).isNull();
    assertThat(json(tpp.send("GET", "/v1/consents/" + consentId + "/status", headers(), null))
        .path("consentStatus").asText()).isEqualTo("rejected");
  }

  @Test
  void singlePaymentInitiationAndStatus() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String debtor = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    String body = "{\"debtorAccount\":{\"iban\":\"" + debtor + "\"},\"instructedAmount\":{\"currency\":\"EUR\","
        + "\"amount\":\"123.45\"},\"creditorAccount\":{\"iban\":\"DE89370400440532013000\"},\"creditorName\":"
        + "\"Merchant GmbH\",\"remittanceInformationUnstructured\":\"Order 4711\"}";
    HttpResponse<String> r = tpp.send("POST", "/v1/payments/sepa-credit-transfers", headers("Content-Type",
        "application/json", "PSU-IP-Address", Tpp.PSU_IP, "TPP-Redirect-Preferred", "true", "TPP-Redirect-URI",
        Tpp.REDIRECT_URI), body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(json(r).path("transactionStatus").asText()).isEqualTo("RCVD");
    assertThat(json(r).path("_links").path("scaOAuth").path("href").asText())
        .isEqualTo(bank.discoveryUrl().toString());
    String status = json(r).path("_links").path("status").path("href").asText();
    HttpResponse<String> s = tpp.send("GET", status, headers(), null);
    assertThat(s.statusCode()).isEqualTo(200);
    assertThat(json(s).path("transactionStatus").asText()).isEqualTo("RCVD");

    assertBgError(tpp.send("POST", "/v1/payments/target-2-payments", headers("Content-Type", "application/json",
        "PSU-IP-Address", Tpp.PSU_IP), body), 404, "PRODUCT_UNKNOWN");
    assertBgError(tpp.send("POST", "/v1/payments/sepa-credit-transfers", headers("Content-Type",
        "application/json", "PSU-IP-Address", Tpp.PSU_IP), body.replace(debtor, "DE00370400440532013000")),
        400, "FORMAT_ERROR");
  }
}
