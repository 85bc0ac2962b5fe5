package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.testpki.Credential;
import eu.securehub.psd2.testpki.TestPki.Variant;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The bank authorises TPPs by their QWAC: chain, validity, key usage, PSD2 role; Berlin Group 401 codes. */
class MutualTlsTest extends BankTestBase {

  private Tpp with(SandboxBank bank, Credential credential) {
    return new Tpp(bank, credential, pki().bankCa(bank.bankId()));
  }

  private static String consentBody() {
    return Tpp.consentBody("DE89370400440532013000");
  }

  private static Map<String, String> consentHeaders() {
    return headers("Content-Type", "application/json", "PSU-IP-Address", Tpp.PSU_IP);
  }

  @Test
  void refusedWithoutClientCertificate() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp anonymous = with(bank, null);
    assertBgError(anonymous.send("POST", "/v1/consents", consentHeaders(), consentBody()), 401,
        "CERTIFICATE_MISSING");
    assertBgError(anonymous.send("GET", "/v1/accounts", headers("Consent-ID", "x", "Authorization", "Bearer y"),
        null), 401, "CERTIFICATE_MISSING");
    // The browser-facing endpoints work without one; the token endpoint does not.
    assertThat(anonymous.send("GET", "/jwks", Map.of(), null).statusCode()).isEqualTo(200);
    HttpResponse<String> token = anonymous.form("/oauth/token", Map.of("grant_type", "authorization_code",
        "code", "x", "client_id", "PSDDE-BAFIN-000001"), anonymous.http);
    assertThat(token.statusCode()).isEqualTo(401);
    assertThat(json(token).path("error").asText()).isEqualTo("invalid_client");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "EXPIRED, CERTIFICATE_EXPIRED",
      "NOT_YET_VALID, CERTIFICATE_INVALID",
      "OTHER_CA, CERTIFICATE_INVALID",
      "WRONG_KEY_USAGE, CERTIFICATE_INVALID",
      "NO_AI_ROLE, ROLE_INVALID"})
  void refusedWithAWrongCertificate(Variant variant, String code) throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = with(bank, pki().qwac(variant));
    assertBgError(tpp.send("POST", "/v1/consents", consentHeaders(), consentBody()), 401, code);
    assertBgError(tpp.send("GET", "/v1/accounts/x/balances", headers("Consent-ID", "c"), null), 401, code);
    if (variant != Variant.NO_AI_ROLE) {
      HttpResponse<String> par = tpp.form("/oauth/par", Map.of("client_id", "PSDDE-BAFIN-000001"), tpp.http);
      assertThat(par.statusCode()).isEqualTo(401);
      assertThat(json(par).path("error_description").asText()).startsWith(code);
    }
  }

  @Test
  void paymentNeedsThePispRoleAndAccountInformationTheAispRole() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp pispOnly = with(bank, pki().qwac(Variant.NO_AI_ROLE));
    String debtor = bank.data().customers().get(0).accounts().get(0).iban();
    String payment = "{\"debtorAccount\":{\"iban\":\"" + debtor + "\"},\"instructedAmount\":{\"currency\":\"EUR\","
        + "\"amount\":\"10.00\"},\"creditorAccount\":{\"iban\":\"DE89370400440532013000\"},\"creditorName\":\"X\"}";
    HttpResponse<String> r = pispOnly.send("POST", "/v1/payments/sepa-credit-transfers", consentHeaders(), payment);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertBgError(pispOnly.send("POST", "/v1/consents", consentHeaders(), consentBody()), 401, "ROLE_INVALID");
  }

  @Test
  void aValidQwacIsAccepted() throws Exception {
    SandboxBank bank = start("alpha");
    HttpResponse<String> r = tpp(bank).send("POST", "/v1/consents", consentHeaders(), consentBody());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }
}
