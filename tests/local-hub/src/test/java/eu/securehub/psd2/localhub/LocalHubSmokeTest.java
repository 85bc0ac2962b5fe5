package eu.securehub.psd2.localhub;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.sandbox.SandboxBank;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local hub started on free ports; the CRM's journey through the hub's base URL with plain HTTP requests, the
 * bank's login and consent pages driven the way a browser would (no client certificate, trusting the bank's CA).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalHubSmokeTest {
    static final Path ROOT = Path.of(System.getProperty("hub.root", "../..")).toAbsolutePath().normalize();
    static final String KEY = "smoke-test-crm-key-0123456789";
    static final String PSU_IP = "203.0.113.7";

    @TempDir
    static Path work;

    static LocalHub hub;
    static HttpClient crm;
    static HttpClient browser;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(ROOT, work).consumerKey(KEY));
        crm = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("alpha-ca", hub.pki().bankCa("alpha"));
        trust.setCertificateEntry("beta-ca", hub.pki().bankCa("beta"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        browser = HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    @Order(1)
    void withoutApiKeyTheHubAnswers401ProblemWithRequestId() throws Exception {
        HttpResponse<String> r = crm.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/accounts")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(r.headers().firstValue("X-Request-ID")).hasValueSatisfying(v -> assertThat(UUID.fromString(v)).isNotNull());
        assertThat(r.body()).contains("\"status\":401").contains("unauthenticated");
    }

    @Test
    @Order(1)
    void theStartOutputNamesTheDemoCrmPageFirstAndItIsServed() throws Exception {
        String first = hub.walkThrough().lines().findFirst().orElseThrow();
        assertThat(first).startsWith("Demo CRM page").contains(hub.demoUrl());
        assertThat(hub.walkThrough()).contains(hub.baseUrl()).contains("curl").contains("gamma").contains("delta");
        assertThat(hub.demoUrl()).isEqualTo(hub.returnUrl().replace("/crm/return", "/"));

        HttpResponse<String> demo = crm.send(HttpRequest.newBuilder(URI.create(hub.demoUrl())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(demo.statusCode()).isEqualTo(200);
        assertThat(demo.body()).contains("Connect accounts").contains("Alpha Bank (alpha)").doesNotContain(KEY);
        // The return page is still there beside it.
        assertThat(crm.send(HttpRequest.newBuilder(URI.create(hub.returnUrl() + "?state=x&outcome=denied")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("Back at the CRM");
    }

    @Test
    @Order(2)
    void theWholeJourneyFromConsentToAccounts() throws Exception {
        SandboxBank alpha = hub.bank("alpha");
        String iban = alpha.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();

        // 1. The CRM starts a consent at bank alpha.
        String body = "{\"returnUrl\":\"" + hub.returnUrl() + "\",\"access\":{\"accounts\":[{\"iban\":\"" + iban
                + "\"}],\"balances\":[{\"iban\":\"" + iban + "\"}],\"transactions\":[{\"iban\":\"" + iban + "\"}]},"
                + "\"recurringIndicator\":true,\"validUntil\":\"" + LocalDate.now().plusDays(90)
                + "\",\"frequencyPerDay\":4}";
        String requestId = UUID.randomUUID().toString();
        HttpResponse<String> consent = crm.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/banks/alpha/consents"))
                .header("x-api-key", KEY).header("Content-Type", "application/json").header("X-Request-ID", requestId)
                .header("PSU-IP-Address", PSU_IP).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(consent.statusCode()).as(consent.body()).isEqualTo(201);
        assertThat(consent.headers().firstValue("X-Request-ID")).contains(requestId);
        String authorisationUrl = jsonString(consent.body(), "authorisationUrl");
        String state = jsonString(consent.body(), "state");
        assertThat(authorisationUrl).startsWith(alpha.baseUrl().toString());
        assertThat(state).isNotBlank();

        // 2. The customer's browser at the bank: login page, login, consent page, approve.
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(authorisationUrl)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        assertThat(login.body()).contains("name=\"username\"");
        Map<String, String> loginForm = new LinkedHashMap<>(hidden(login.body()));
        loginForm.put("username", "anna");
        loginForm.put("password", "anna-sandbox-1");
        loginForm.put("action", "login");
        HttpResponse<String> consentPage = form(alpha.baseUrl() + "/oauth/authorize", loginForm);
        assertThat(consentPage.statusCode()).as(consentPage.body()).isEqualTo(200);
        Map<String, String> approveForm = new LinkedHashMap<>(hidden(consentPage.body()));
        approveForm.put("action", "approve");
        HttpResponse<String> approved = form(alpha.baseUrl() + "/oauth/authorize", approveForm);
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(302);
        URI callback = URI.create(approved.headers().firstValue("Location").orElseThrow());
        assertThat(callback.getPath()).isEqualTo("/psd2/v1/oauth/callback");
        assertThat(callback.getPort()).isEqualTo(hub.runtime().port());
        assertThat(query(callback.getRawQuery())).containsKeys("code", "state", "iss");

        // 3. The browser follows the bank's redirect to the hub, which redirects it to the CRM's return page.
        HttpResponse<String> back = browser.send(HttpRequest.newBuilder(callback).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
        URI crmReturn = URI.create(back.headers().firstValue("Location").orElseThrow());
        assertThat(crmReturn.toString()).startsWith(hub.returnUrl() + "?");
        Map<String, String> outcome = query(crmReturn.getRawQuery());
        assertThat(outcome).containsEntry("state", state).containsEntry("outcome", "success");
        assertThat(crmReturn.toString()).doesNotContain("hub_").doesNotContain("code=");
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(crmReturn).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(">success<");
        assertThat(hub.returnPageVisits()).anySatisfy(v -> assertThat(v.state()).isEqualTo(state));

        // 4. The CRM collects the hub token, server to server.
        HttpResponse<String> session = crm.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/sessions"))
                .header("x-api-key", KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"" + state + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        String token = jsonString(session.body(), "accessToken");
        assertThat(token).matches("hub_[A-Za-z0-9_-]{48}");

        // 5. The CRM reads the accounts with both credentials, the customer present.
        HttpResponse<String> accounts = crm.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/accounts"))
                .header("x-api-key", KEY).header("Authorization", "Bearer " + token).header("PSU-IP-Address", PSU_IP)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accounts.statusCode()).as(accounts.body()).isEqualTo(200);
        assertThat(accounts.body()).contains("\"accounts\"").contains(iban);
        assertThat(accounts.headers().firstValue("X-Request-ID")).isPresent();

        alpha.assertContractClean();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static HttpResponse<String> form(String url, Map<String, String> fields) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encodeForm(fields))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

    private static Map<String, String> hidden(String html) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher matcher = HIDDEN.matcher(html);
        while (matcher.find()) {
            m.put(matcher.group(1), matcher.group(2).replace("&amp;", "&"));
        }
        assertThat(m).as(html).containsKeys("tx", "csrf_token");
        return m;
    }

    private static String encodeForm(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return sb.toString();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    /** A top-level string member of a JSON object (the hub's bodies are flat where this is used). */
    private static String jsonString(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return m.group(1).replace("\\/", "/").replace("\\u0026", "&");
    }
}
