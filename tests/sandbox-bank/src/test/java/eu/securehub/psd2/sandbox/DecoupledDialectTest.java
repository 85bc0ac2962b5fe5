package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.RedirectDialectTest.href;
import static eu.securehub.psd2.sandbox.RedirectDialectTest.scaStatus;
import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BankData.Account;
import eu.securehub.psd2.sandbox.BankData.Customer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The DECOUPLED dialect: the customer (PSU-ID) approves in the bank's app (admin port or Java), no browser. */
class DecoupledDialectTest extends BankTestBase {

  private static final String CT = "Content-Type";
  private static final String JSON = "application/json";

  private SandboxBank decoupledBank(UnaryOperator<SandboxBank.Builder> more) throws Exception {
    return start("delta", b -> more.apply(b.dialect(SandboxBank.Dialect.DECOUPLED)
        .scaStatusMinInterval(Duration.ZERO)));
  }

  private static HttpResponse<String> createConsent(Tpp tpp, String psuId, String body) throws Exception {
    return tpp.send("POST", "/v1/consents", headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP, "PSU-ID", psuId), body);
  }

  /** The bank's app: POST {admin}/admin/consents/{id}/approve or /deny. */
  private static HttpResponse<String> app(SandboxBank bank, String consentId, String decision, String body)
      throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(bank.adminUrl() + "/admin/consents/"
        + consentId + "/" + decision)).POST(body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void implicitStartApprovedInTheAppThroughTheAdminPort() throws Exception {
    SandboxBank bank = decoupledBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    Customer anna = bank.data().customerByUsername("anna").orElseThrow();
    HttpResponse<String> created = createConsent(tpp, "anna", Tpp.consentBody(anna.accounts().get(0).iban(),
        anna.accounts().get(1).iban()));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("ASPSP-SCA-Approach")).contains("DECOUPLED");
    JsonNode consent = json(created);
    String consentId = consent.path("consentId").asText();
    assertThat(consent.path("consentStatus").asText()).isEqualTo("received");
    assertThat(consent.path("psuMessage").asText()).isEqualTo(ScaAuthorisations.PSU_MESSAGE);
    assertThat(consent.path("_links").has("scaRedirect")).isFalse();
    assertThat(consent.path("_links").has("scaOAuth")).isFalse();
    assertThat(href(consent, "self")).isEqualTo("/v1/consents/" + consentId);
    assertThat(href(consent, "status")).isEqualTo("/v1/consents/" + consentId + "/status");
    String poll = href(consent, "scaStatus");
    String authorisationId = bank.authorisationIds(consentId).get(0);
    assertThat(poll).isEqualTo("/v1/consents/" + consentId + "/authorisations/" + authorisationId);
    assertThat(scaStatus(tpp, poll)).isEqualTo("started");
    assertBgError(tpp.readWithConsentId("/v1/accounts", consentId, true), 401, "CONSENT_INVALID");

    HttpResponse<String> approved = app(bank, consentId, "approve", null);
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved).path("consentStatus").asText()).isEqualTo("valid");
    assertThat(json(approved).path("scaStatus").asText()).isEqualTo("finalised");
    assertThat(json(approved).path("authorisationId").asText()).isEqualTo(authorisationId);
    assertThat(scaStatus(tpp, poll)).isEqualTo("finalised");
    HttpResponse<String> accounts = tpp.readWithConsentId("/v1/accounts", consentId, false);
    assertThat(accounts.statusCode()).as(accounts.body()).isEqualTo(200);
    assertThat(json(accounts).path("accounts")).hasSize(2);
    assertThat(app(bank, consentId, "approve", null).statusCode()).isEqualTo(404);
    assertThat(bank.approveDecoupled(consentId)).isFalse();

    // No browser pages, no OAuth.
    for (String path : List.of("/sca/" + authorisationId, "/.well-known/openid-configuration", "/oauth/authorize")) {
      assertThat(tpp.send("GET", path, Map.of(), null).statusCode()).as(path).isEqualTo(404);
    }
  }

  @Test
  void explicitStartThenDeniedInTheApp() throws Exception {
    SandboxBank bank = decoupledBank(b -> b.explicitAuthorisation(true));
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("ben").orElseThrow().accounts().get(0).iban();
    JsonNode consent = json(createConsent(tpp, "ben", Tpp.consentBody(iban)));
    String consentId = consent.path("consentId").asText();
    assertThat(href(consent, "startAuthorisation")).isEqualTo("/v1/consents/" + consentId + "/authorisations");
    assertThat(consent.path("_links").has("scaStatus")).isFalse();
    assertThat(bank.denyDecoupled(consentId)).isFalse();
    assertThat(app(bank, consentId, "deny", null).statusCode()).isEqualTo(404);

    HttpResponse<String> started = tpp.send("POST", href(consent, "startAuthorisation"), headers("PSU-ID", "ben"),
        null);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    assertThat(started.headers().firstValue("ASPSP-SCA-Approach")).contains("DECOUPLED");
    JsonNode authorisation = json(started);
    assertThat(authorisation.path("scaStatus").asText()).isEqualTo("started");
    assertThat(authorisation.path("psuMessage").asText()).isEqualTo(ScaAuthorisations.PSU_MESSAGE);
    String authorisationId = authorisation.path("authorisationId").asText();
    assertThat(href(authorisation, "scaStatus")).isEqualTo("/v1/consents/" + consentId + "/authorisations/"
        + authorisationId);
    assertThat(authorisation.path("_links").has("scaRedirect")).isFalse();

    assertThat(bank.denyDecoupled(consentId)).isTrue();
    assertThat(scaStatus(tpp, href(authorisation, "scaStatus"))).isEqualTo("failed");
    assertThat(bank.consentStatus(consentId)).contains("rejected");
    assertThat(bank.denyDecoupled(consentId)).isFalse();
    assertBgError(tpp.readWithConsentId("/v1/accounts", consentId, true), 401, "CONSENT_INVALID");
  }

  @Test
  void theAppSharesTheChosenAccountsOfABankOfferedConsent() throws Exception {
    SandboxBank bank = decoupledBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    Account chosen = bank.data().customerByUsername("ben").orElseThrow().accounts().get(2);
    String consentId = json(createConsent(tpp, "ben", "{\"access\":{\"accounts\":[],\"transactions\":[]},"
        + "\"recurringIndicator\":true,\"validUntil\":\"9999-12-31\",\"frequencyPerDay\":2,"
        + "\"combinedServiceIndicator\":false}")).path("consentId").asText();
    HttpResponse<String> approved = app(bank, consentId, "approve", "{\"accounts\":[\"" + chosen.iban() + "\"]}");
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    JsonNode accounts = json(tpp.readWithConsentId("/v1/accounts", consentId, true)).path("accounts");
    assertThat(accounts).hasSize(1);
    assertThat(accounts.get(0).path("iban").asText()).isEqualTo(chosen.iban());
    assertThat(tpp.readWithConsentId("/v1/accounts/" + chosen.resourceId() + "/transactions?bookingStatus=pending",
        consentId, true).statusCode()).isEqualTo(200);
  }

  @Test
  void javaApprovalAndAConsentForSomeoneElsesAccounts() throws Exception {
    SandboxBank bank = decoupledBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    String annasIban = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    String mine = json(createConsent(tpp, "anna", Tpp.consentBody(annasIban))).path("consentId").asText();
    assertThat(bank.approveDecoupled(mine)).isTrue();
    assertThat(bank.consentStatus(mine)).contains("valid");
    assertThat(bank.scaStatus(bank.authorisationIds(mine).get(0))).contains("finalised");

    String notClaras = json(createConsent(tpp, "clara", Tpp.consentBody(annasIban))).path("consentId").asText();
    assertThat(bank.approveDecoupled(notClaras)).isTrue();
    assertThat(bank.consentStatus(notClaras)).contains("rejected");
    assertThat(bank.scaStatus(bank.authorisationIds(notClaras).get(0))).contains("failed");
    assertThat(bank.approveDecoupled("no-such-consent")).isFalse();
  }

  @Test
  void thePsuIdIsMandatoryAndMustBeACustomer() throws Exception {
    SandboxBank bank = decoupledBank(b -> b.explicitAuthorisation(true));
    Tpp tpp = tpp(bank);
    String body = Tpp.consentBody(bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban());
    assertBgError(tpp.send("POST", "/v1/consents", headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP), body), 400,
        "FORMAT_ERROR");
    assertBgError(createConsent(tpp, "mallory", body), 401, "PSU_CREDENTIALS_INVALID");
    // A redirect URI is not needed, but one given must still be fit.
    HttpResponse<String> created = tpp.send("POST", "/v1/consents", headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP,
        "PSU-ID", "anna", "TPP-Redirect-URI", Tpp.REDIRECT_URI), body);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String start = href(json(created), "startAuthorisation");
    assertBgError(tpp.send("POST", start, headers("PSU-ID", "mallory"), null), 401, "PSU_CREDENTIALS_INVALID");
    // Without PSU-ID the authorisation is the consent's PSU's.
    HttpResponse<String> started = tpp.send("POST", start, headers(CT, JSON), "{}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    assertThat(bank.approveDecoupled(json(created).path("consentId").asText())).isTrue();
    assertThat(bank.consentStatus(json(created).path("consentId").asText())).contains("valid");
  }
}
