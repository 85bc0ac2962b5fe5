package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Every fault mode, switched at run time through the admin port (and the Java API). */
class FaultInjectionTest extends BankTestBase {

  private final HttpClient adminClient = HttpClient.newHttpClient();

  private JsonNode admin(SandboxBank bank, String method, String path, String body) throws Exception {
    HttpResponse<String> r = adminClient.send(HttpRequest.newBuilder(URI.create(bank.adminUrl() + path))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  private static HttpResponse<String> status(Tpp tpp, String consentId) throws Exception {
    return tpp.send("GET", "/v1/consents/" + consentId + "/status", headers(), null, Duration.ofSeconds(10));
  }

  @Test
  void addedLatency() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String consentId = tpp.createConsent(Tpp.consentBody("DE89370400440532013000"));
    assertThat(admin(bank, "POST", "/admin/faults", "{\"latencyMs\":700}").path("latencyMs").asLong())
        .isEqualTo(700);
    long t0 = System.nanoTime();
    assertThat(status(tpp, consentId).statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
    admin(bank, "DELETE", "/admin/faults", null);
    t0 = System.nanoTime();
    assertThat(status(tpp, consentId).statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(700));
  }

  @Test
  void hangUntilTheClientTimesOut() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String consentId = tpp.createConsent(Tpp.consentBody("DE89370400440532013000"));
    admin(bank, "POST", "/admin/faults", "{\"hang\":true}");
    assertThatThrownBy(() -> tpp.send("GET", "/v1/consents/" + consentId + "/status", headers(), null,
        Duration.ofMillis(800))).isInstanceOf(HttpTimeoutException.class);
    admin(bank, "DELETE", "/admin/faults", null);
    assertThat(status(tpp(bank), consentId).statusCode()).isEqualTo(200);
  }

  @Test
  void rateOfServerErrors() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String consentId = tpp.createConsent(Tpp.consentBody("DE89370400440532013000"));
    admin(bank, "POST", "/admin/faults", "{\"errorRate\":0.5}");
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = status(tpp, consentId);
      statuses.add(r.statusCode());
      if (r.statusCode() == 503) {
        assertThat(r.headers().firstValue("X-Request-ID")).isEqualTo(r.request().headers().firstValue("X-Request-ID"));
        assertThat(r.body()).isEmpty();   // the 1.3.9 file defines no body for a 503
      }
    }
    assertThat(statuses).containsExactly(503, 200, 503, 200, 503, 200);

    // Every request, a chosen status, with a Berlin Group body (outside the contract on purpose).
    admin(bank, "POST", "/admin/faults", "{\"clear\":true,\"errorRate\":1,\"errorStatus\":500,\"errorBody\":true}");
    expectResponseViolation("validation.response.body.unexpected");
    HttpResponse<String> r = status(tpp, consentId);
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(json(r).path("tppMessages").get(0).path("category").asText()).isEqualTo("ERROR");

    // The authorisation server fails too, unless the faults are limited to /v1/.
    HttpResponse<String> discovery = tpp.send("GET", "/.well-known/openid-configuration", Map.of(), null);
    assertThat(discovery.statusCode()).isEqualTo(500);
    bank.faults().pathPrefix("/v1/");
    assertThat(tpp.send("GET", "/.well-known/openid-configuration", Map.of(), null).statusCode()).isEqualTo(200);
    assertThat(status(tpp, consentId).statusCode()).isEqualTo(500);
    bank.faults().clear();
    assertThat(status(tpp, consentId).statusCode()).isEqualTo(200);
    assertThat(bank.faults().injected()).isGreaterThanOrEqualTo(6);
  }

  @Test
  void connectionReset() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String consentId = tpp.createConsent(Tpp.consentBody("DE89370400440532013000"));
    admin(bank, "POST", "/admin/faults", "{\"reset\":true}");
    assertThatThrownBy(() -> status(tpp, consentId)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> status(tpp(bank), consentId)).isInstanceOf(IOException.class);
    admin(bank, "DELETE", "/admin/faults", null);
    assertThat(status(tpp(bank), consentId).statusCode()).isEqualTo(200);
  }

  @Test
  void expiredServerCertificate() throws Exception {
    SandboxBank bank = start("alpha");
    assertThat(admin(bank, "POST", "/admin/server-certificate", "{\"expired\":true}").path("expired").asBoolean())
        .isTrue();
    assertThatThrownBy(() -> tpp(bank).send("GET", "/jwks", Map.of(), null))
        .isInstanceOf(SSLHandshakeException.class);
    admin(bank, "POST", "/admin/server-certificate", "{\"expired\":false}");
    assertThat(tpp(bank).send("GET", "/jwks", Map.of(), null).statusCode()).isEqualTo(200);
  }

  @Test
  void jwksRotation() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    JsonNode before = json(tpp.send("GET", "/jwks", Map.of(), null)).path("keys");
    String kid = admin(bank, "POST", "/admin/jwks/rotate", null).path("kid").asText();
    JsonNode after = json(tpp.send("GET", "/jwks", Map.of(), null)).path("keys");
    assertThat(after.size()).isEqualTo(before.size() + 1);
    List<String> kids = new ArrayList<>();
    after.forEach(k -> kids.add(k.path("kid").asText()));
    assertThat(kids).contains(kid, before.get(0).path("kid").asText());
  }

  @Test
  void faultsThroughTheJavaApiAndStatusReport() throws Exception {
    SandboxBank bank = start("alpha");
    bank.faults().latency(Duration.ofMillis(50)).errorRate(1.0, 502);
    JsonNode faults = admin(bank, "GET", "/admin/faults", null);
    assertThat(faults.path("latencyMs").asLong()).isEqualTo(50);
    assertThat(faults.path("errorStatus").asInt()).isEqualTo(502);
    assertThat(tpp(bank).send("GET", "/jwks", Map.of(), null).statusCode()).isEqualTo(502);
    bank.faults().clear();
    assertThat(bank.faults().settings()).isEqualTo(Faults.Settings.NONE);
    JsonNode summary = admin(bank, "GET", "/admin", null);
    assertThat(summary.path("baseUrl").asText()).isEqualTo(bank.baseUrl().toString());
  }
}
