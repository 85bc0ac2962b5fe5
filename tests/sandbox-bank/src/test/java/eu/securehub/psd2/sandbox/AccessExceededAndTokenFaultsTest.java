package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fault injection added for the hub's end-to-end suite: errorStatus 429 (a Berlin Group ACCESS_EXCEEDED
 * answer), the one-shot 401 TOKEN_EXPIRED, and the count of token grants by grant_type.
 */
class AccessExceededAndTokenFaultsTest extends BankTestBase {

  private final HttpClient adminClient = HttpClient.newHttpClient();

  private JsonNode admin(SandboxBank bank, String method, String path, String body) throws Exception {
    HttpResponse<String> r = adminClient.send(HttpRequest.newBuilder(URI.create(bank.adminUrl() + path))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  private static String annasIban(SandboxBank bank) {
    return bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
  }

  @Test
  void errorStatus429AnswersAccessExceededWithinTheContract() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String consentId = tpp.createConsent(Tpp.consentBody(annasIban(bank)));
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);

    JsonNode f = admin(bank, "POST", "/admin/faults",
        "{\"clear\":true,\"errorRate\":1.0,\"errorStatus\":429,\"pathPrefix\":\"/v1/accounts\"}");
    assertThat(f.path("errorStatus").asInt()).isEqualTo(429);
    HttpResponse<String> r = tpp.read("/v1/accounts", consentId, tokens.accessToken(), true);
    assertBgError(r, 429, "ACCESS_EXCEEDED");

    admin(bank, "DELETE", "/admin/faults", null);
    assertThat(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true).statusCode()).isEqualTo(200);
  }

  @Test
  void otherNon5xxStatusesAreStillRefused() {
    assertThatThrownBy(() -> new Faults.Settings(Duration.ZERO, false, Duration.ofMinutes(1), 1, 404, false, false,
        "/")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("429");
    assertThat(new Faults.Settings(Duration.ZERO, false, Duration.ofMinutes(1), 1, 429, false, false, "/")
        .errorStatus()).isEqualTo(429);
  }

  @Test
  void tokenExpiredOnceAnswersOneReadWithTokenExpiredThenServesNormally() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String consentId = tpp.createConsent(Tpp.consentBody(annasIban(bank)));
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);

    JsonNode f = admin(bank, "POST", "/admin/faults", "{\"tokenExpiredOnce\":true,\"pathPrefix\":\"/v1/accounts\"}");
    assertThat(f.path("tokenExpiredOnce").asBoolean()).isTrue();
    // Outside the prefix: not used.
    assertThat(tpp.send("GET", "/v1/consents/" + consentId + "/status", Tpp.headers(), null).statusCode())
        .isEqualTo(200);
    assertBgError(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true), 401, "TOKEN_EXPIRED");
    assertThat(bank.faults().tokenExpiredOnce()).isFalse();
    assertThat(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true).statusCode()).isEqualTo(200);

    // clear disarms it.
    bank.faults().tokenExpiredOnce(true);
    admin(bank, "DELETE", "/admin/faults", null);
    assertThat(bank.faults().tokenExpiredOnce()).isFalse();
    assertThat(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true).statusCode()).isEqualTo(200);
  }

  @Test
  void tokenGrantsAreCountedByGrantType() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String consentId = tpp.createConsent(Tpp.consentBody(annasIban(bank)));
    assertThat(bank.tokenGrants("authorization_code")).isZero();
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    assertThat(bank.tokenGrants("authorization_code")).isEqualTo(1);
    assertThat(bank.tokenGrants("refresh_token")).isZero();

    HttpResponse<String> refreshed = tpp.form("/oauth/token", Map.of("grant_type", "refresh_token",
        "refresh_token", tokens.refreshToken(), "client_id",
        eu.securehub.psd2.testpki.TestPki.ORGANIZATION_IDENTIFIER), tpp.http);
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    assertThat(bank.tokenGrants("refresh_token")).isEqualTo(1);

    // A refused grant (the rotated refresh token replayed) is not counted.
    HttpResponse<String> replay = tpp.form("/oauth/token", Map.of("grant_type", "refresh_token",
        "refresh_token", tokens.refreshToken(), "client_id",
        eu.securehub.psd2.testpki.TestPki.ORGANIZATION_IDENTIFIER), tpp.http);
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(bank.tokenGrants("refresh_token")).isEqualTo(1);
    assertThat(bank.tokenGrants("authorization_code")).isEqualTo(1);
  }
}
