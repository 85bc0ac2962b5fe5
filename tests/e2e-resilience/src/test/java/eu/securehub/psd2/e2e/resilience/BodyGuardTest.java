package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.localhub.RequestOutput;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The body guards before OASValidation: a body's real size (Java-BodySize, also for a chunked request without a
 * Content-Length) and its JSON shape (JTP-CrmBody, JSONThreatProtection). Every refusal is a problem+json naming the
 * limit, never the body, and nothing reaches the bank.
 */
class BodyGuardTest {
    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    /** POST /sessions (or a consent) with a body; chunked when {@code chunked} (no Content-Length header). */
    static HttpResponse<String> post(String path, String body, boolean chunked) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))
                : HttpRequest.BodyPublishers.ofByteArray(bytes);
        return HTTP.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("x-api-key", Crm.KEY).header("Content-Type", "application/json")
                .header("PSU-IP-Address", Crm.PSU_IP).header(RequestOutput.HEADER, RequestOutput.newId())
                .POST(publisher).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aChunkedBodyOf300000BytesIs413() throws Exception {
        String body = "{\"state\":\"" + "A".repeat(300_000 - 12) + "\"}";
        HttpResponse<String> r = post("/sessions", body, true);
        assertThat(r.request().headers().firstValue("Content-Length")).as("sent chunked").isEmpty();
        Crm.assertProblem(r, 413, "payload-too-large");
        assertThat(r.body()).doesNotContain("AAAA");
        HttpResponse<String> sized = post("/sessions", body, false);
        Crm.assertProblem(sized, 413, "payload-too-large");
    }

    @Test
    void aBodyPastTheJsonLimitsIs400NamingTheLimits() throws Exception {
        String deep = "{\"state\":" + "[".repeat(6) + "1" + "]".repeat(6) + "}";
        String longString = "{\"state\":\"" + "s".repeat(2049) + "\"}";
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 17; i++) {
            wide.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":1");
        }
        wide.append('}');
        String longArray = "{\"state\":[" + "1,".repeat(50) + "1]}";
        for (String body : new String[] {deep, longString, wide.toString(), longArray}) {
            HttpResponse<String> r = post("/sessions", body, false);
            Crm.assertProblem(r, 400, "validation-failed");
            assertThat(r.body()).as(body.substring(0, Math.min(40, body.length()))).contains("\"code\":\"body_rejected\"").contains("2048")
                    .doesNotContain("sssss");
            assertThat(crm.bankExchanges("alpha", r)).isEmpty();
        }
    }

    @Test
    void aBodyWithinTheLimitsGoesOnToTheApiDescriptionCheck() throws Exception {
        HttpResponse<String> r = post("/sessions", "{\"state\":\"too-short\"}", false);
        Crm.assertProblem(r, 400, "validation-failed");
        assertThat(r.body()).contains("\"code\":\"validation_failed\"");
    }
}
