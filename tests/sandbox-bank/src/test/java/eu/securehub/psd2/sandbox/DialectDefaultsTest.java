package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange.SignatureCheck;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** By default a bank speaks OAUTH exactly as before the other dialects existed, and checks no signatures. */
class DialectDefaultsTest extends BankTestBase {

  @Test
  void theDefaultIsTheOAuthDialectWithoutSignatures() throws Exception {
    SandboxBank bank = start("alpha", b -> b.explicitAuthorisation(true));
    assertThat(bank.dialect()).isEqualTo(SandboxBank.Dialect.OAUTH);
    assertThat(bank.requiresSignatures()).isFalse();
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    // Explicit start (asked for, or configured) and signature headers mean nothing here.
    HttpResponse<String> created = tpp.send("POST", "/v1/consents", headers("Content-Type", "application/json",
        "PSU-IP-Address", Tpp.PSU_IP, "TPP-Explicit-Authorisation-Preferred", "true", "Digest", "SHA-256=x",
        "Signature", "nonsense"), Tpp.consentBody(iban));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode consent = json(created);
    String consentId = consent.path("consentId").asText();
    assertThat(consent.path("_links").path("scaOAuth").path("href").asText())
        .isEqualTo(bank.discoveryUrl().toString());
    assertThat(consent.path("_links").has("startAuthorisation")).isFalse();
    assertThat(consent.path("_links").has("scaRedirect")).isFalse();
    assertThat(created.headers().firstValue("ASPSP-SCA-Approach")).contains("REDIRECT");
    assertThat(bank.authorisationIds(consentId)).isEmpty();

    assertBgError(tpp.send("POST", "/v1/consents/" + consentId + "/authorisations", headers(), null), 404,
        "RESOURCE_UNKNOWN");
    assertBgError(tpp.send("GET", "/v1/consents/" + consentId + "/authorisations/x", headers(), null), 404,
        "RESOURCE_UNKNOWN");
    assertBgError(tpp.readWithConsentId("/v1/accounts", consentId, true), 401, "TOKEN_INVALID");
    assertThat(tpp.send("GET", "/sca/x", Map.of(), null).statusCode()).isEqualTo(404);
    assertThat(bank.approveDecoupled(consentId)).isFalse();
    assertThat(bank.tooEarlyScaStatusPolls()).isZero();

    assertThat(bank.exchanges()).allSatisfy(e -> assertThat(e.signature()).isEqualTo(SignatureCheck.NOT_REQUIRED));
    assertThat(bank.unsignedOrInvalid()).isEmpty();
  }
}
