package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.sandbox.BankData.Account;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mandatory Berlin Group headers, parameters and bodies, answered with tppMessages and the IG's statuses. */
class HeaderValidationTest extends BankTestBase {

  private static final String CT = "Content-Type";
  private static final String JSON = "application/json";

  @Test
  void xRequestIdIsMandatoryAndAUuid() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    expectRequestViolation("X-Request-ID");
    expectRequestViolation("not a valid UUID");
    assertBgError(tpp.send("GET", "/v1/consents/abc/status", headers("X-Request-ID", null), null), 400,
        "FORMAT_ERROR");
    assertBgError(tpp.send("GET", "/v1/consents/abc/status", headers("X-Request-ID", "not-a-uuid"), null), 400,
        "FORMAT_ERROR");
    // A valid one is echoed even on errors.
    HttpResponse<String> r = tpp.send("GET", "/v1/consents/abc/status", headers(), null);
    assertBgError(r, 403, "CONSENT_UNKNOWN");
  }

  @Test
  void consentCreationNeedsPsuIpAddressAndRedirectUri() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String body = Tpp.consentBody("DE89370400440532013000");
    expectRequestViolation("PSU-IP-Address");
    assertBgError(tpp.send("POST", "/v1/consents", headers(CT, JSON), body), 400, "FORMAT_ERROR");
    expectRequestViolation("ipv4");
    assertBgError(tpp.send("POST", "/v1/consents", headers(CT, JSON, "PSU-IP-Address", "300.1.2.3"), body), 400,
        "FORMAT_ERROR");
    assertBgError(tpp.send("POST", "/v1/consents", headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP,
        "TPP-Redirect-Preferred", "true"), body), 400, "FORMAT_ERROR");
    assertBgError(tpp.send("POST", "/v1/consents", headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP,
        "TPP-Redirect-Preferred", "true", "TPP-Redirect-URI", "http://evil.example/cb"), body), 400,
        "FORMAT_ERROR");
    // http on loopback is fine (the hub's local callback).
    HttpResponse<String> ok = tpp.send("POST", "/v1/consents", headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP,
        "TPP-Redirect-Preferred", "true", "TPP-Redirect-URI", "http://localhost:8998/psd2/v1/oauth/callback"), body);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
  }

  @Test
  void consentBodiesAreChecked() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    expectRequestViolation("validation.request.body");
    String[] bad = {
        "not json",
        Tpp.consentBody("DE00370400440532013000"),   // IBAN check digits wrong
        Tpp.consentBody("DE89370400440532013000").replace("\"recurringIndicator\":true,", ""),
        Tpp.consentBody("DE89370400440532013000").replace("\"recurringIndicator\":true",
            "\"recurringIndicator\":false"),        // one-off with frequencyPerDay 4
        "{\"access\":{},\"recurringIndicator\":true,\"validUntil\":\"2030-01-01\",\"frequencyPerDay\":4,"
            + "\"combinedServiceIndicator\":false}"};
    for (String body : bad) {
      assertBgError(tpp.send("POST", "/v1/consents", headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP), body), 400,
          "FORMAT_ERROR");
    }
    assertBgError(tpp.send("POST", "/v1/consents", headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP),
        Tpp.consentBody("DE89370400440532013000").replace(LocalDate.now().plusDays(90).toString(), "2020-01-01")),
        400, "TIMESTAMP_INVALID");
  }

  @Test
  void accountReadsNeedConsentIdAndAToken() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    String consentId = tpp.createConsent(Tpp.consentBody(giro.iban()));
    expectRequestViolation("Consent-ID");
    assertBgError(tpp.send("GET", "/v1/accounts", headers(), null), 400, "FORMAT_ERROR");
    assertBgError(tpp.send("GET", "/v1/accounts", headers("Consent-ID", "unknown"), null), 403, "CONSENT_UNKNOWN");
    assertBgError(tpp.send("GET", "/v1/accounts", headers("Consent-ID", consentId), null), 401, "TOKEN_INVALID");
    assertBgError(tpp.read("/v1/accounts", consentId, "made-up-token", false), 401, "TOKEN_INVALID");

    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    String other = tpp.createConsent(Tpp.consentBody(giro.iban()));
    // A token belongs to one consent.
    assertBgError(tpp.read("/v1/accounts", other, tokens.accessToken(), true), 401, "TOKEN_INVALID");
    assertBgError(tpp.read("/v1/accounts/no-such-account", consentId, tokens.accessToken(), true), 404,
        "RESOURCE_UNKNOWN");
    String notInConsent = bank.data().customerByUsername("ben").orElseThrow().accounts().get(0).resourceId();
    assertBgError(tpp.read("/v1/accounts/" + notInConsent, consentId, tokens.accessToken(), true), 401,
        "CONSENT_INVALID");
    String tx = "/v1/accounts/" + giro.resourceId() + "/transactions";
    expectRequestViolation("bookingStatus");
    assertBgError(tpp.read(tx + "?dateFrom=2026-01-01", consentId, tokens.accessToken(), true), 400,
        "FORMAT_ERROR");
    expectRequestViolation("Instance value (\"sometimes\") not found in enum");
    assertBgError(tpp.read(tx + "?bookingStatus=sometimes", consentId, tokens.accessToken(), true), 400,
        "PARAMETER_NOT_SUPPORTED");
    assertBgError(tpp.read(tx + "?bookingStatus=booked", consentId, tokens.accessToken(), true), 400,
        "FORMAT_ERROR");
    assertBgError(tpp.read(tx + "?bookingStatus=booked&dateFrom=" + LocalDate.now() + "&dateTo="
        + LocalDate.now().minusDays(3), consentId, tokens.accessToken(), true), 400, "PERIOD_INVALID");
    expectRequestViolation("date");
    assertBgError(tpp.read(tx + "?bookingStatus=booked&dateFrom=yesterday", consentId, tokens.accessToken(), true),
        400, "FORMAT_ERROR");
    assertBgError(tpp.read(tx + "?bookingStatus=booked&dateFrom=" + LocalDate.now().minusDays(5)
        + "&pageIndex=99", consentId, tokens.accessToken(), true), 400, "FORMAT_ERROR");
  }

  @Test
  void unsupportedMethodsAndServices() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    expectRequestViolation("not allowed on path");
    expectRequestViolation("validation.request.body");
    assertBgError(tpp.send("PUT", "/v1/consents", headers(CT, JSON), "{}"), 405, "SERVICE_INVALID");
    assertBgError(tpp.send("POST", "/v1/bulk-payments/sepa-credit-transfers", headers(CT, JSON,
        "PSU-IP-Address", Tpp.PSU_IP), "{}"), 400, "SERVICE_INVALID");
  }
}
