package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.sandbox.BankData.Account;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Consent states over time (injectable clock): valid → expired, revokedByPsu; token expiry and refresh. */
class ConsentLifecycleTest extends BankTestBase {

  @Test
  void consentExpiresAfterValidUntil() throws Exception {
    MutableClock clock = MutableClock.ofNow();
    SandboxBank bank = start("alpha", b -> b.clock(clock).accessTokenLifetime(Duration.ofDays(3)));
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    String consentId = tpp.createConsent(Tpp.consentBody(giro.iban()).replace(today.plusDays(90).toString(),
        today.plusDays(1).toString()));
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    assertThat(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true).statusCode()).isEqualTo(200);

    clock.advance(Duration.ofDays(1));  // still valid on validUntil itself
    assertThat(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true).statusCode()).isEqualTo(200);

    clock.advance(Duration.ofDays(1));
    assertBgError(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true), 401, "CONSENT_EXPIRED");
    assertThat(json(tpp.send("GET", "/v1/consents/" + consentId + "/status", headers(), null))
        .path("consentStatus").asText()).isEqualTo("expired");
    HttpResponse<String> info = tpp.send("GET", "/v1/consents/" + consentId, headers(), null);
    assertThat(json(info).path("consentStatus").asText()).isEqualTo("expired");
    assertThat(json(info).path("lastActionDate").asText()).isEqualTo(today.plusDays(1).toString());
  }

  @Test
  void revokedByPsuAndTerminatedByTpp() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("clara").orElseThrow().accounts().get(0);
    String consentId = tpp.createConsent(Tpp.consentBody(giro.iban()));
    Tpp.Tokens tokens = tpp.authorise(consentId, "clara", "clara-sandbox-3", List.of(), true);
    // Revoked at the bank through the admin port.
    HttpResponse<String> revoke = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
        .newBuilder(java.net.URI.create(bank.adminUrl() + "/admin/consents/" + consentId + "/revoke"))
        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(revoke.statusCode()).isEqualTo(200);
    assertThat(json(tpp.send("GET", "/v1/consents/" + consentId + "/status", headers(), null))
        .path("consentStatus").asText()).isEqualTo("revokedByPsu");
    assertBgError(tpp.read("/v1/accounts/" + giro.resourceId() + "/balances", consentId, tokens.accessToken(), true),
        401, "CONSENT_INVALID");

    String second = tpp.createConsent(Tpp.consentBody(giro.iban()));
    assertThat(tpp.send("DELETE", "/v1/consents/" + second, headers(), null).statusCode()).isEqualTo(204);
    assertThat(json(tpp.send("GET", "/v1/consents/" + second + "/status", headers(), null))
        .path("consentStatus").asText()).isEqualTo("terminatedByTpp");
    // A received (not yet authorised) consent cannot be read with an unrelated token.
    String third = tpp.createConsent(Tpp.consentBody(giro.iban()));
    assertBgError(tpp.read("/v1/accounts", third, tokens.accessToken(), true), 401, "TOKEN_INVALID");
  }

  @Test
  void expiredAccessTokenAnswersTokenExpiredAndRefreshHelps() throws Exception {
    MutableClock clock = MutableClock.ofNow();
    SandboxBank bank = start("alpha", b -> b.clock(clock).accessTokenLifetime(Duration.ofSeconds(60)));
    Tpp tpp = tpp(bank);
    Account giro = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    String consentId = tpp.createConsent(Tpp.consentBody(giro.iban()));
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    clock.advance(Duration.ofSeconds(61));
    assertBgError(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true), 401, "TOKEN_EXPIRED");
    HttpResponse<String> refreshed = tpp.form("/oauth/token", Map.of("grant_type", "refresh_token",
        "refresh_token", tokens.refreshToken(), "client_id", eu.securehub.psd2.testpki.TestPki.ORGANIZATION_IDENTIFIER),
        tpp.http);
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    String fresh = json(refreshed).path("access_token").asText();
    assertThat(tpp.read("/v1/accounts", consentId, fresh, true).statusCode()).isEqualTo(200);
  }

  @Test
  void tokenIsBoundToTheClientCertificate() throws Exception {
    // A second, equally valid QWAC of the same TPP (another PKI the bank also trusts) must not use the token.
    eu.securehub.psd2.testpki.TestPki other = eu.securehub.psd2.testpki.TestPki.create(List.of("alpha"));
    SandboxBank bank = start("alpha", b -> b);
    SandboxBank both = start("alpha", b -> SandboxBank.Config.builder("alpha", pki().bankServer("alpha"),
        List.of(pki().rootCa(), other.rootCa())).contract(TestSupport.contract()));
    bank.close();
    Tpp tpp = tpp(both);
    Tpp stolen = new Tpp(both, other.qwac(), pki().bankCa("alpha"));
    Account giro = both.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    String consentId = tpp.createConsent(Tpp.consentBody(giro.iban()));
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    assertThat(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true).statusCode()).isEqualTo(200);
    assertBgError(stolen.read("/v1/accounts", consentId, tokens.accessToken(), true), 401, "TOKEN_INVALID");
  }
}
