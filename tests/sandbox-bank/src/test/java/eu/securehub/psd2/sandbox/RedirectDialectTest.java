package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BankData.Account;
import eu.securehub.psd2.sandbox.BankData.Customer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The REDIRECT dialect: the redirect approach without OAuth, the bank's own SCA page, reads with the Consent-ID. */
class RedirectDialectTest extends BankTestBase {

  static final String NOK_URI = "https://tpp.securehub.test/callback/nok";
  private static final String CT = "Content-Type";
  private static final String JSON = "application/json";

  private SandboxBank redirectBank(UnaryOperator<SandboxBank.Builder> more) throws Exception {
    return start("gamma", b -> more.apply(b.dialect(SandboxBank.Dialect.REDIRECT)
        .scaStatusMinInterval(Duration.ZERO)));
  }

  /** POST /v1/consents with PSU-IP-Address and TPP-Redirect-URI, plus these headers. */
  static HttpResponse<String> createConsent(Tpp tpp, String body, String... extraHeaders) throws Exception {
    List<String> h = new ArrayList<>(List.of(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP, "TPP-Redirect-URI",
        Tpp.REDIRECT_URI));
    h.addAll(List.of(extraHeaders));
    return tpp.send("POST", "/v1/consents", headers(h.toArray(String[]::new)), body);
  }

  static String href(JsonNode body, String link) {
    return body.path("_links").path(link).path("href").asText(null);
  }

  static String scaStatus(Tpp tpp, String scaStatusHref) throws Exception {
    HttpResponse<String> r = tpp.send("GET", scaStatusHref, headers(), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).path("scaStatus").asText();
  }

  @Test
  void implicitStartThenTheScaPageThenReadsWithTheConsentIdAlone() throws Exception {
    SandboxBank bank = redirectBank(UnaryOperator.identity());
    assertThat(bank.dialect()).isEqualTo(SandboxBank.Dialect.REDIRECT);
    Tpp tpp = tpp(bank);
    Customer anna = bank.data().customerByUsername("anna").orElseThrow();
    Account giro = anna.accounts().get(0);

    HttpResponse<String> created = createConsent(tpp, Tpp.consentBody(giro.iban(), anna.accounts().get(1).iban()),
        "TPP-Nok-Redirect-URI", NOK_URI);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("ASPSP-SCA-Approach")).contains("REDIRECT");
    JsonNode consent = json(created);
    String consentId = consent.path("consentId").asText();
    assertThat(created.headers().firstValue("Location")).contains("/v1/consents/" + consentId);
    assertThat(consent.path("consentStatus").asText()).isEqualTo("received");
    assertThat(consent.path("_links").has("scaOAuth")).isFalse();
    assertThat(consent.path("_links").has("startAuthorisation")).isFalse();
    String scaRedirect = href(consent, "scaRedirect");
    assertThat(scaRedirect).startsWith(bank.baseUrl() + "/sca/").startsWith("https://");
    String authorisationId = scaRedirect.substring(scaRedirect.lastIndexOf('/') + 1);
    assertThat(href(consent, "scaStatus")).isEqualTo("/v1/consents/" + consentId + "/authorisations/"
        + authorisationId);
    assertThat(href(consent, "self")).isEqualTo("/v1/consents/" + consentId);
    assertThat(href(consent, "status")).isEqualTo("/v1/consents/" + consentId + "/status");
    assertThat(bank.authorisationIds(consentId)).containsExactly(authorisationId);
    assertThat(scaStatus(tpp, href(consent, "scaStatus"))).isEqualTo("received");
    HttpResponse<String> list = tpp.send("GET", "/v1/consents/" + consentId + "/authorisations", headers(), null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(json(list).path("authorisationIds")).hasSize(1);
    assertThat(json(list).path("authorisationIds").get(0).asText()).isEqualTo(authorisationId);
    assertBgError(tpp.readWithConsentId("/v1/accounts", consentId, true), 401, "CONSENT_INVALID");

    // The SCA page, as a browser: a wrong password shows the form again with an error.
    HttpClient browser = tpp.browser();
    HttpResponse<String> login = tpp.open(browser, scaRedirect);
    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(
        "text/html"));
    assertThat(login.body()).contains("name=\"username\"", "name=\"password\"", "value=\"login\"",
        "value=\"cancel\"", eu.securehub.psd2.testpki.TestPki.ORGANIZATION_IDENTIFIER);
    HttpResponse<String> wrong = tpp.submit(browser, login, Map.of("username", "anna", "password", "nope",
        "action", "login"), List.of());
    assertThat(wrong.statusCode()).isEqualTo(200);
    assertThat(wrong.body()).contains("The username or password is not correct.", "name=\"password\"");
    HttpResponse<String> approvePage = tpp.submit(browser, wrong, Map.of("username", "anna", "password",
        "anna-sandbox-1", "action", "login"), List.of());
    assertThat(approvePage.statusCode()).isEqualTo(200);
    assertThat(approvePage.body()).contains("value=\"approve\"", "value=\"deny\"", consentId);
    assertThat(bank.scaStatus(authorisationId)).contains("psuAuthenticated");
    // A stale form (the login page's token) is refused.
    assertThat(tpp.submit(browser, login, Map.of("action", "approve"), List.of()).statusCode()).isEqualTo(403);
    HttpResponse<String> done = tpp.submit(browser, approvePage, Map.of("action", "approve"), List.of());
    assertThat(done.statusCode()).isEqualTo(302);
    assertThat(done.headers().firstValue("Location")).contains(Tpp.REDIRECT_URI);
    assertThat(scaStatus(tpp, href(consent, "scaStatus"))).isEqualTo("finalised");
    assertThat(bank.consentStatus(consentId)).contains("valid");
    HttpResponse<String> used = tpp.open(browser, scaRedirect);
    assertThat(used.statusCode()).isEqualTo(400);
    assertThat(used.headers().firstValue("Location")).isEmpty();

    HttpResponse<String> accounts = tpp.readWithConsentId("/v1/accounts?withBalance=true", consentId, true);
    assertThat(accounts.statusCode()).as(accounts.body()).isEqualTo(200);
    assertThat(json(accounts).path("accounts")).hasSize(2);
    // An Authorization header means nothing to this dialect.
    HttpResponse<String> withToken = tpp.read("/v1/accounts/" + giro.resourceId() + "/balances", consentId,
        "not-a-token", false);
    assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(200);
    HttpResponse<String> transactions = tpp.readWithConsentId("/v1/accounts/" + giro.resourceId()
        + "/transactions?bookingStatus=pending", consentId, false);
    assertThat(transactions.statusCode()).as(transactions.body()).isEqualTo(200);
    assertThat(bank.unattendedReads(consentId, "account:" + giro.resourceId())).isEqualTo(2);
    assertBgError(tpp.send("GET", "/v1/accounts", headers(), null), 400, "FORMAT_ERROR");
    expectRequestViolation("Consent-ID");

    // The consent belongs to the QWAC's organisation: another TPP does not see it.
    SandboxBank bank2 = start("delta", List.of(pki().rootCa(), ExtraCertificates.get().extraRoot.certificate()),
        b -> b.dialect(SandboxBank.Dialect.REDIRECT));
    Tpp own = tpp(bank2);
    String otherConsent = json(createConsent(own, Tpp.consentBody(giro.iban()))).path("consentId").asText();
    Tpp other = new Tpp(bank2, ExtraCertificates.get().otherOrganisationQwac, pki().bankCa("delta"));
    assertBgError(other.readWithConsentId("/v1/accounts", otherConsent, true), 403, "CONSENT_UNKNOWN");
    assertBgError(other.send("GET", "/v1/consents/" + otherConsent + "/authorisations", headers(), null), 403,
        "CONSENT_UNKNOWN");
  }

  @Test
  void explicitStartAskedForByTheTppThenDenied() throws Exception {
    SandboxBank bank = redirectBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("clara").orElseThrow().accounts().get(0).iban();
    HttpResponse<String> created = createConsent(tpp, Tpp.consentBody(iban), "TPP-Nok-Redirect-URI", NOK_URI,
        "TPP-Explicit-Authorisation-Preferred", "true");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode consent = json(created);
    String consentId = consent.path("consentId").asText();
    assertThat(href(consent, "startAuthorisation")).isEqualTo("/v1/consents/" + consentId + "/authorisations");
    assertThat(consent.path("_links").has("scaRedirect")).isFalse();
    assertThat(consent.path("_links").has("scaStatus")).isFalse();
    assertThat(href(consent, "self")).isEqualTo("/v1/consents/" + consentId);
    assertThat(json(tpp.send("GET", href(consent, "startAuthorisation"), headers(), null))
        .path("authorisationIds")).isEmpty();

    // The authorisation's own redirect URI takes precedence over the consent's.
    String laterNok = NOK_URI + "?step=authorisation";
    HttpResponse<String> started = tpp.send("POST", href(consent, "startAuthorisation"), headers(CT, JSON,
        "TPP-Nok-Redirect-URI", laterNok), "{}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    assertThat(started.headers().firstValue("ASPSP-SCA-Approach")).contains("REDIRECT");
    JsonNode authorisation = json(started);
    String authorisationId = authorisation.path("authorisationId").asText();
    assertThat(authorisation.path("scaStatus").asText()).isEqualTo("received");
    assertThat(href(authorisation, "scaRedirect")).isEqualTo(bank.baseUrl() + "/sca/" + authorisationId);
    assertThat(href(authorisation, "scaStatus")).isEqualTo("/v1/consents/" + consentId + "/authorisations/"
        + authorisationId);
    assertThat(bank.authorisationIds(consentId)).containsExactly(authorisationId);

    HttpResponse<String> done = tpp.scaRedirect(href(authorisation, "scaRedirect"), "clara", "clara-sandbox-3",
        List.of(), false);
    assertThat(done.headers().firstValue("Location")).contains(laterNok);
    assertThat(scaStatus(tpp, href(authorisation, "scaStatus"))).isEqualTo("failed");
    assertThat(bank.consentStatus(consentId)).contains("rejected");
    assertThat(tpp.open(tpp.browser(), href(authorisation, "scaRedirect")).statusCode()).isEqualTo(400);
    assertThat(tpp.open(tpp.browser(), bank.baseUrl() + "/sca/0123456789abcdef").statusCode()).isEqualTo(400);
    assertBgError(tpp.send("POST", href(consent, "startAuthorisation"), headers(), null), 409, "STATUS_INVALID");
  }

  @Test
  void explicitStartByConfigurationAndABankOfferedConsent() throws Exception {
    SandboxBank bank = redirectBank(b -> b.explicitAuthorisation(true));
    Tpp tpp = tpp(bank);
    Customer ben = bank.data().customerByUsername("ben").orElseThrow();
    HttpResponse<String> created = createConsent(tpp, "{\"access\":{\"accounts\":[],\"balances\":[]},"
        + "\"recurringIndicator\":true,\"validUntil\":\"9999-12-31\",\"frequencyPerDay\":4,"
        + "\"combinedServiceIndicator\":false}");
    JsonNode consent = json(created);
    String consentId = consent.path("consentId").asText();
    assertThat(href(consent, "startAuthorisation")).isNotNull();
    // An empty body, no Content-Type.
    HttpResponse<String> started = tpp.send("POST", href(consent, "startAuthorisation"), headers(), null);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String scaRedirect = href(json(started), "scaRedirect");

    HttpClient browser = tpp.browser();
    HttpResponse<String> login = tpp.open(browser, scaRedirect);
    HttpResponse<String> choose = tpp.submit(browser, login, Map.of("username", "ben", "password", "ben-sandbox-2",
        "action", "login"), List.of());
    assertThat(choose.body()).contains("name=\"account\"", ben.accounts().get(1).iban());
    HttpResponse<String> none = tpp.submit(browser, choose, Map.of("action", "approve"), List.of());
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(none.body()).contains("Choose at least one of the accounts listed.");
    Account chosen = ben.accounts().get(1);
    HttpResponse<String> done = tpp.submit(browser, none, Map.of("action", "approve"), List.of(chosen.resourceId()));
    assertThat(done.statusCode()).isEqualTo(302);
    assertThat(done.headers().firstValue("Location")).contains(Tpp.REDIRECT_URI);

    JsonNode accounts = json(tpp.readWithConsentId("/v1/accounts", consentId, true)).path("accounts");
    assertThat(accounts).hasSize(1);
    assertThat(accounts.get(0).path("resourceId").asText()).isEqualTo(chosen.resourceId());
    assertThat(tpp.readWithConsentId("/v1/accounts/" + chosen.resourceId() + "/balances", consentId, true)
        .statusCode()).isEqualTo(200);
  }

  @Test
  void cancelledLoginAndTooManyWrongPasswordsFail() throws Exception {
    SandboxBank bank = redirectBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();

    // Cancelled at the login: back to the TPP-Redirect-URI, as no TPP-Nok-Redirect-URI was given.
    JsonNode first = json(createConsent(tpp, Tpp.consentBody(iban)));
    HttpClient browser = tpp.browser();
    HttpResponse<String> login = tpp.open(browser, href(first, "scaRedirect"));
    HttpResponse<String> cancelled = tpp.submit(browser, login, Map.of("action", "cancel"), List.of());
    assertThat(cancelled.statusCode()).isEqualTo(302);
    assertThat(cancelled.headers().firstValue("Location")).contains(Tpp.REDIRECT_URI);
    assertThat(scaStatus(tpp, href(first, "scaStatus"))).isEqualTo("failed");
    assertThat(bank.consentStatus(first.path("consentId").asText())).contains("rejected");

    JsonNode second = json(createConsent(tpp, Tpp.consentBody(iban), "TPP-Nok-Redirect-URI", NOK_URI));
    HttpResponse<String> page = tpp.open(browser, href(second, "scaRedirect"));
    for (int i = 1; i < ScaPage.MAX_LOGIN_ATTEMPTS; i++) {
      page = tpp.submit(browser, page, Map.of("username", "anna", "password", "wrong-" + i, "action", "login"),
          List.of());
      assertThat(page.statusCode()).isEqualTo(200);
    }
    HttpResponse<String> last = tpp.submit(browser, page, Map.of("username", "anna", "password", "wrong",
        "action", "login"), List.of());
    assertThat(last.statusCode()).isEqualTo(302);
    assertThat(last.headers().firstValue("Location")).contains(NOK_URI);
    assertThat(scaStatus(tpp, href(second, "scaStatus"))).isEqualTo("failed");
  }

  @Test
  void requestErrors() throws Exception {
    SandboxBank bank = redirectBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    String body = Tpp.consentBody(iban);
    assertBgError(tpp.send("POST", "/v1/consents", headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP), body), 400,
        "FORMAT_ERROR");
    expectRequestViolation("Unrecognized token 'yes'");
    assertBgError(createConsent(tpp, body, "TPP-Explicit-Authorisation-Preferred", "yes"), 400, "FORMAT_ERROR");

    JsonNode consent = json(createConsent(tpp, body));
    String consentId = consent.path("consentId").asText();
    String authorisations = "/v1/consents/" + consentId + "/authorisations";
    // Embedded SCA data: refused (the file's oneOf, whose first choice is {}, matches it twice).
    expectRequestViolation("matched 2 out of 4");
    assertBgError(tpp.send("POST", authorisations, headers(CT, JSON), "{\"psuData\":{\"password\":\"x\"}}"), 400,
        "FORMAT_ERROR");
    assertBgError(tpp.send("POST", authorisations, headers("TPP-Redirect-URI", "http://evil.example/cb"), null), 400,
        "FORMAT_ERROR");
    assertBgError(tpp.send("GET", authorisations + "/0123456789abcdef", headers(), null), 403, "RESOURCE_UNKNOWN");
    assertBgError(tpp.send("GET", "/v1/consents/0123456789abcdef/authorisations", headers(), null), 403,
        "CONSENT_UNKNOWN");
    assertBgError(tpp.send("PUT", href(consent, "scaStatus"), headers(CT, JSON), "{}"), 405, "SERVICE_INVALID");
  }

  @Test
  void theOAuthEndpointsDoNotExist() throws Exception {
    SandboxBank bank = redirectBank(UnaryOperator.identity());
    Tpp tpp = tpp(bank);
    for (String path : List.of("/.well-known/openid-configuration", "/jwks", "/oauth/authorize")) {
      assertThat(tpp.send("GET", path, Map.of(), null).statusCode()).as(path).isEqualTo(404);
    }
    assertThat(tpp.send("POST", "/oauth/par", Map.of("Content-Type", "application/x-www-form-urlencoded"),
        "client_id=x").statusCode()).isEqualTo(404);
    assertThat(tpp.send("POST", "/oauth/token", Map.of("Content-Type", "application/x-www-form-urlencoded"),
        "grant_type=refresh_token").statusCode()).isEqualTo(404);
  }

  @Test
  void scaStatusPolledFasterThanTheMinimumIntervalIsRefused() throws Exception {
    MutableClock clock = MutableClock.ofNow();
    SandboxBank bank = start("gamma", b -> b.dialect(SandboxBank.Dialect.REDIRECT).clock(clock));
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    JsonNode consent = json(createConsent(tpp, Tpp.consentBody(iban)));
    String poll = href(consent, "scaStatus");
    assertThat(scaStatus(tpp, poll)).isEqualTo("received");
    assertBgError(tpp.send("GET", poll, headers(), null), 429, "ACCESS_EXCEEDED");
    assertThat(bank.tooEarlyScaStatusPolls()).isEqualTo(1);
    clock.advance(Duration.ofMillis(1500));
    assertBgError(tpp.send("GET", poll, headers(), null), 429, "ACCESS_EXCEEDED");
    assertThat(bank.tooEarlyScaStatusPolls()).isEqualTo(2);
    clock.advance(Duration.ofMillis(500));
    assertThat(scaStatus(tpp, poll)).isEqualTo("received");
    // Each authorisation has its own interval.
    JsonNode other = json(tpp.send("POST", "/v1/consents/" + consent.path("consentId").asText() + "/authorisations",
        headers(), null));
    assertThat(scaStatus(tpp, href(other, "scaStatus"))).isEqualTo("received");
    assertThat(bank.tooEarlyScaStatusPolls()).isEqualTo(2);
    assertThat(bank.authorisationIds(consent.path("consentId").asText())).hasSize(2);
  }
}
