package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.BankPages;
import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.localhub.RequestOutput;
import eu.securehub.psd2.sandbox.BerlinGroupContract;
import eu.securehub.psd2.sandbox.SandboxBank;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CRM (server to server, plain HTTP to the hub) and the customer's browser (HTTPS to the bank's login and consent
 * pages, trusting the banks' CAs, no client certificate), driving journeys through a running {@link LocalHub}. Every
 * CRM request carries an X-Request-ID of its own (a fresh UUID), which the hub passes on to the bank: what a request
 * did at the bank is found by it ({@link #bankExchanges}), never by counting the bank's exchanges.
 */
final class Crm {
    static final Path ROOT = Path.of(System.getProperty("hub.root", "../..")).toAbsolutePath().normalize();
    static final String PSU_IP = "203.0.113.7";
    static final String KEY = "e2e-resilience-crm-key-0123456789";

    final LocalHub hub;
    final HttpClient http;
    final HttpClient browser;

    Crm(LocalHub hub) throws Exception {
        this.hub = hub;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("alpha-ca", hub.pki().bankCa("alpha"));
        trust.setCertificateEntry("beta-ca", hub.pki().bankCa("beta"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        this.browser = HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** What the consent step returned. */
    record Started(HttpResponse<String> response, String state, String authorisationUrl) {
    }

    /** The result of a journey up to the hub's redirect to the CRM's return page. */
    record Returned(String state, Map<String, String> returnQuery) {
        String outcome() {
            return returnQuery.get("outcome");
        }
    }

    // ------------------------------------------------------------------------------------------------ journeys

    HttpResponse<String> createConsent(String bankId) throws Exception {
        return http.send(consentRequest(bankId).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The CRM's consent request for bank {@code bankId} (customer anna's first account), ready to send. */
    HttpRequest.Builder consentRequest(String bankId) {
        String iban = hub.bank(bankId).data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
        String body = "{\"returnUrl\":\"" + hub.returnUrl() + "\",\"access\":{\"accounts\":[{\"iban\":\"" + iban
                + "\"}],\"balances\":[{\"iban\":\"" + iban + "\"}],\"transactions\":[{\"iban\":\"" + iban + "\"}]},"
                + "\"recurringIndicator\":true,\"validUntil\":\"" + LocalDate.now().plusDays(90)
                + "\",\"frequencyPerDay\":4}";
        return HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/banks/" + bankId + "/consents"))
                .header("x-api-key", KEY).header("Content-Type", "application/json").header("PSU-IP-Address", PSU_IP)
                .header(RequestOutput.HEADER, RequestOutput.newId())
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** Consent, login and approval at the bank, the bank's redirect followed to the hub; the hub's redirect read. */
    Returned authorise(String bankId) throws Exception {
        SandboxBank bank = hub.bank(bankId);
        HttpResponse<String> consent = createConsent(bankId);
        long created = System.nanoTime();
        assertThat(consent.statusCode()).as(consent.body()).isEqualTo(201);
        String authorisationUrl = jsonString(consent.body(), "authorisationUrl");
        String state = jsonString(consent.body(), "state");

        URI callback = BankPages.loginAndApprove(browser, bank.baseUrl().toString(), authorisationUrl, "anna",
                "anna-sandbox-1");
        // A person takes longer than the second in which only the node that stored the pending authorisation sees it.
        awaitCacheVisibleEverywhere(created);

        HttpResponse<String> back = browser.send(HttpRequest.newBuilder(callback).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
        URI crmReturn = URI.create(back.headers().firstValue("Location").orElseThrow());
        assertThat(crmReturn.toString()).startsWith(hub.returnUrl() + "?");
        return new Returned(state, query(crmReturn.getRawQuery()));
    }

    HttpResponse<String> collect(String state) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/sessions"))
                .header("x-api-key", KEY).header("Content-Type", "application/json")
                .header(RequestOutput.HEADER, RequestOutput.newId())
                .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"" + state + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * On several message processors, waits until a second has passed since {@code writtenAt} (System.nanoTime, taken
     * once the answer of the request that wrote is in): a new
     * cache entry is in its writer's memory only for that long (Apigee X cache internals; the local runtime does the
     * same).
     */
    void awaitCacheVisibleEverywhere(long writtenAt) throws InterruptedException {
        if (hub.nodes() > 1) {
            long left = 1100 - (System.nanoTime() - writtenAt) / 1_000_000;
            if (left > 0) {
                Thread.sleep(left);
            }
        }
    }

    /** A whole journey at the bank: the hub token, collected as the CRM developer's guide tells a CRM. */
    String token(String bankId) throws Exception {
        Returned r = authorise(bankId);
        assertThat(r.outcome()).isEqualTo("success");
        long redirected = System.nanoTime();
        HttpResponse<String> session = collect(r.state());
        if (session.statusCode() == 404) {
            // Within a second of the redirect another node may not see the session yet: one retry after it.
            awaitCacheVisibleEverywhere(redirected);
            session = collect(r.state());
        }
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        return jsonString(session.body(), "accessToken");
    }

    /** GET {path} under the base URL with the API key and hub token; with PSU-IP-Address when {@code present}. */
    HttpResponse<String> read(String token, String path, boolean present) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.baseUrl() + path))
                .header("x-api-key", KEY).header("Authorization", "Bearer " + token)
                .header(RequestOutput.HEADER, RequestOutput.newId()).timeout(Duration.ofSeconds(60));
        if (present) {
            b.header("PSU-IP-Address", PSU_IP);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@link #read} without waiting for the answer. */
    java.util.concurrent.CompletableFuture<HttpResponse<String>> readAsync(String token, String path, boolean present) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.baseUrl() + path))
                .header("x-api-key", KEY).header("Authorization", "Bearer " + token)
                .header(RequestOutput.HEADER, RequestOutput.newId()).timeout(Duration.ofSeconds(60));
        if (present) {
            b.header("PSU-IP-Address", PSU_IP);
        }
        return http.sendAsync(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The resourceId of the first account of the consent (read with the customer present). */
    String firstAccountId(String token) throws Exception {
        HttpResponse<String> accounts = read(token, "/accounts", true);
        assertThat(accounts.statusCode()).as(accounts.body()).isEqualTo(200);
        return jsonString(accounts.body(), "resourceId");
    }

    // ------------------------------------------------------------------------------------------------ the bank's admin

    /** POST {admin}/admin/faults with a JSON body (the sandbox bank's fault injection, over its admin HTTP port). */
    void faults(String bankId, String json) throws Exception {
        admin(bankId, "POST", "/admin/faults", json);
    }

    void clearFaults(String bankId) throws Exception {
        admin(bankId, "DELETE", "/admin/faults", null);
    }

    void admin(String bankId, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.bank(bankId).adminUrl() + path));
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
    }

    /** The X-Request-ID this client sent with the response's request. */
    static String requestId(HttpResponse<?> r) {
        return r.request().headers().firstValue(RequestOutput.HEADER)
                .orElseThrow(() -> new AssertionError("no X-Request-ID sent with " + r.request()));
    }

    /** The bank's /v1 exchanges of this request (the hub's call and any retry), as recorded so far. */
    List<BerlinGroupContract.Exchange> bankExchanges(String bankId, HttpResponse<?> r) {
        return RequestOutput.bankExchanges(hub.bank(bankId), requestId(r));
    }

    /** The bank's /v1 exchanges of this request once there are at least {@code atLeast} (bounded wait). */
    List<BerlinGroupContract.Exchange> awaitBankExchanges(String bankId, HttpResponse<?> r, int atLeast) {
        return RequestOutput.awaitBankExchanges(hub.bank(bankId), requestId(r), atLeast);
    }

    // ------------------------------------------------------------------------------------------------ assertions

    /** A problem+json answer of the given type slug that gives nothing of the hub's or the bank's internals away. */
    static void assertProblem(HttpResponse<String> r, int status, String typeSlug) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertProblemWithoutInternals(r);
        assertThat(r.body()).contains("\"type\":\"urn:psd2-hub:problem:" + typeSlug + "\"");
    }

    static void assertProblemWithoutInternals(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Type")).as(r.body())
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(r.headers().firstValue("X-Request-ID")).isPresent();
        assertThat(r.body()).as("no internals").doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain("at java.").doesNotContain("at eu.securehub").doesNotContain("BEGIN CERTIFICATE")
                .doesNotContain("PKIX").doesNotContain("CN=").doesNotContain("certificate_expired")
                .doesNotContain("javax.net").doesNotContain("127.0.0.1").doesNotContain("hub_")
                .doesNotContain("tppMessages");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static Map<String, String> query(String raw) {
        return BankPages.query(raw);
    }

    static String jsonString(String json, String name) {
        return BankPages.jsonString(json, name);
    }
}
