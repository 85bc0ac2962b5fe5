package eu.securehub.psd2.localhub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The demo CRM's handlers against a fake hub (a scripted HTTP server on 127.0.0.1): what the browser sees (pages,
 * cookie, redirects) and what the hub receives (key, token, state, Idempotency-Key). Everything the browser received
 * is checked for the API key, the hub token and the hub's payment id.
 */
class DemoCrmPageTest {
    static final String KEY = "demo-test-crm-key-0123456789";
    static final String TOKEN = "hub_" + "T".repeat(48);
    static final String PAYMENT_ID = "pay_" + "P".repeat(48);
    static final String STATE = "S".repeat(43);
    static final String IBAN = "DE89370400440532013000";
    static final String AUTHORISATION_URL = "https://bank.example/authorize?request_uri=urn:x";

    /** One request the fake hub received. */
    record Call(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        JsonNode json() throws IOException {
            return DemoHub.JSON.readTree(body);
        }
    }

    /** The fake hub's answer. */
    record Answer(int status, String body, String... headers) {
    }

    HttpServer hub;
    HttpServer crm;
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final Map<String, Function<Call, Answer>> routes = new ConcurrentHashMap<>();
    final List<String> appDecisions = new CopyOnWriteArrayList<>();
    final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    String cookie;
    String csrf;

    @BeforeEach
    void start() throws IOException {
        hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        hub.createContext("/", this::answer);
        hub.start();
        crm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        String origin = "http://127.0.0.1:" + crm.getAddress().getPort();
        DemoConfig config = new DemoConfig("http://127.0.0.1:" + hub.getAddress().getPort() + "/psd2/v1", KEY,
                origin + DemoCrmPage.RETURN_PATH,
                List.of(new DemoConfig.Bank("alpha", "Alpha Bank", "OAuth 2.0 redirect", false, "/pki/bank-alpha-ca.pem"),
                        new DemoConfig.Bank("delta", "Delta Bank", "decoupled", true, "/pki/bank-delta-ca.pem")),
                List.of(new DemoConfig.Customer("anna", "anna-sandbox-1", "Anna Schmidt",
                        Map.of("alpha", List.of(new DemoConfig.Account(IBAN, "Girokonto")), "delta", List.of()))));
        DemoBankApp app = (pending, payment, approve) -> {
            appDecisions.add((approve ? "approve " : "deny ") + (payment == null ? pending.consentId : payment.ref()));
            return "The customer approved in the app.";
        };
        crm.createContext("/", new DemoCrmPage(config, app));
        crm.start();
    }

    @AfterEach
    void stop() {
        hub.stop(0);
        crm.stop(0);
    }

    private void answer(HttpExchange x) throws IOException {
        try (x) {
            Call call = new Call(x.getRequestMethod(), x.getRequestURI().getPath(), Map.copyOf(x.getRequestHeaders()),
                    new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            calls.add(call);
            Function<Call, Answer> route = routes.get(call.method() + " " + call.path());
            Answer a = route == null ? new Answer(404, "{\"type\":\"urn:psd2-hub:problem:not-found\",\"title\":\"Not"
                    + " found\",\"status\":404,\"code\":\"not_found\"}") : route.apply(call);
            for (int i = 0; i + 1 < a.headers().length; i += 2) {
                x.getResponseHeaders().add(a.headers()[i], a.headers()[i + 1]);
            }
            x.getResponseHeaders().set("Content-Type", a.status() >= 400 ? "application/problem+json" : "application/json");
            byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(a.status(), a.status() == 204 ? -1 : b.length);
            if (a.status() != 204) {
                x.getResponseBody().write(b);
            }
        }
    }

    private void route(String methodAndPath, int status, String body, String... headers) {
        routes.put(methodAndPath, c -> new Answer(status, body, headers));
    }

    // ------------------------------------------------------------------------------------------------ the browser

    HttpResponse<String> get(String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(crmUrl(path))).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return remember(browser.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    HttpResponse<String> post(String path, String... fields) throws Exception {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            form.append(form.length() == 0 ? "" : "&").append(fields[i]).append('=')
                    .append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(crmUrl(path)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return remember(browser.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private HttpResponse<String> remember(HttpResponse<String> r) {
        seen.add(r.uri() + " " + r.headers().map() + " " + r.body());
        return r;
    }

    private String crmUrl(String path) {
        return "http://127.0.0.1:" + crm.getAddress().getPort() + path;
    }

    /** Opens the home page: the session cookie and the forms' CSRF token. */
    HttpResponse<String> home() throws Exception {
        HttpResponse<String> r = get("/");
        r.headers().firstValue("Set-Cookie").ifPresent(c -> cookie = c.substring(0, c.indexOf(';')));
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(r.body());
        assertThat(m.find()).as(r.body()).isTrue();
        csrf = m.group(1);
        return r;
    }

    private List<Call> calls(String methodAndPath) {
        return calls.stream().filter(c -> (c.method() + " " + c.path()).equals(methodAndPath)).toList();
    }

    private void assertNoSecretReachedTheBrowser() {
        synchronized (seen) {
            assertThat(seen).isNotEmpty().allSatisfy(s -> assertThat(s).doesNotContain(KEY)
                    .doesNotContainPattern("hub_[A-Za-z0-9_-]{48}").doesNotContainPattern("pay_[A-Za-z0-9_-]{48}"));
        }
    }

    // ----------------------------------------------------------------------------------------------------- tests

    @Test
    void theHomePageSetsAnHttpOnlyLaxSessionCookieAndOffersBanksCustomersAndTheirLogins() throws Exception {
        HttpResponse<String> r = home();

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Set-Cookie").orElseThrow()).startsWith(DemoSessions.COOKIE + "=")
                .contains("HttpOnly").contains("SameSite=Lax").contains("Path=/");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(r.body()).contains("Alpha Bank (alpha)").contains("Delta Bank (delta)").contains("anna-sandbox-1")
                .contains("/pki/bank-alpha-ca.pem").contains("Connect accounts").contains("Make a payment")
                .contains(IBAN).doesNotContain("<script");
        // The same session on the next visit: no new cookie.
        assertThat(get("/").headers().firstValue("Set-Cookie")).isEmpty();
        assertNoSecretReachedTheBrowser();
    }

    @Test
    void aFormWithoutTheSessionsCsrfTokenIsRefusedBeforeTheHubIsCalled() throws Exception {
        home();

        assertThat(post("/consents", "csrf", "forged", "bank", "alpha", "customer", "anna").statusCode()).isEqualTo(403);
        cookie = null;
        assertThat(post("/consents", "csrf", csrf, "bank", "alpha", "customer", "anna").statusCode()).isEqualTo(403);
        assertThat(calls).isEmpty();
    }

    @Test
    void aConsentGoesToTheBankComesBackCollectsTheTokenOnceShowsTheAccountsAndIsRevoked() throws Exception {
        route("POST /psd2/v1/banks/alpha/consents", 201, "{\"consentId\":\"c-1\",\"consentStatus\":\"received\",\"state\":\""
                + STATE + "\",\"nextStep\":\"redirect\",\"authorisationUrl\":\"" + AUTHORISATION_URL + "\",\"expiresIn\":600}");
        route("POST /psd2/v1/sessions", 200, "{\"accessToken\":\"" + TOKEN + "\",\"tokenType\":\"Bearer\",\"expiresAt\":"
                + "\"2026-12-31T00:00:00Z\",\"consentId\":\"c-1\",\"bankId\":\"alpha\"}");
        route("GET /psd2/v1/consents/current", 200, "{\"consentId\":\"c-1\",\"consentStatus\":\"valid\",\"validUntil\":"
                + "\"2026-12-31\",\"frequencyPerDay\":4,\"reauthenticationDueAt\":\"2027-01-01T00:00:00Z\","
                + "\"daysUntilReauthentication\":180}");
        route("GET /psd2/v1/accounts", 200, "{\"accounts\":[{\"resourceId\":\"acc-1\",\"iban\":\"" + IBAN
                + "\",\"currency\":\"EUR\",\"name\":\"Girokonto\",\"product\":\"Girokonto\"}]}");
        route("GET /psd2/v1/accounts/acc-1/balances", 200, "{\"balances\":[{\"balanceType\":\"closingBooked\","
                + "\"balanceAmount\":{\"currency\":\"EUR\",\"amount\":\"1234.56\"}}]}");
        route("GET /psd2/v1/accounts/acc-1/transactions", 200, "{\"transactions\":{\"booked\":[{\"bookingDate\":"
                + "\"2026-01-02\",\"creditorName\":\"<b>Shop</b>\",\"remittanceInformationUnstructured\":\"Card 42\","
                + "\"transactionAmount\":{\"currency\":\"EUR\",\"amount\":\"-9.99\"}}],\"pending\":[]}}");
        route("DELETE /psd2/v1/consents/current", 204, "");
        home();

        HttpResponse<String> started = post("/consents", "csrf", csrf, "bank", "alpha", "customer", "anna", "access", "all");

        assertThat(started.statusCode()).isEqualTo(303);
        assertThat(started.headers().firstValue("Location")).contains(AUTHORISATION_URL);
        Call create = calls("POST /psd2/v1/banks/alpha/consents").get(0);
        assertThat(create.header("x-api-key")).isEqualTo(KEY);
        assertThat(create.header("PSU-IP-Address")).isEqualTo("127.0.0.1");
        assertThat(create.json().path("returnUrl").asText()).isEqualTo(crmUrl(DemoCrmPage.RETURN_PATH));
        assertThat(create.json().path("access").path("allPsd2").asText()).isEqualTo("allAccounts");
        assertThat(create.json().has("psuId")).isFalse();

        assertThat(get("/return?state=" + "X".repeat(43) + "&outcome=success").statusCode()).as("another state").isEqualTo(400);
        HttpResponse<String> back = get("/return?state=" + STATE + "&outcome=success");
        assertThat(back.statusCode()).isEqualTo(303);
        assertThat(back.headers().firstValue("Location")).contains("/connections/c1");
        assertThat(calls("POST /psd2/v1/sessions")).singleElement()
                .satisfies(c -> assertThat(c.json().path("state").asText()).isEqualTo(STATE));
        assertThat(get("/return?state=" + STATE + "&outcome=success").statusCode()).as("used once").isEqualTo(400);

        HttpResponse<String> accounts = get("/connections/c1");
        assertThat(accounts.statusCode()).isEqualTo(200);
        assertThat(accounts.body()).contains("Anna Schmidt at Alpha Bank").contains("Girokonto").contains(IBAN)
                .contains("EUR 1234.56").contains("closingBooked").contains("EUR -9.99").contains("Card 42")
                .contains("&lt;b&gt;Shop&lt;/b&gt;").doesNotContain("<b>Shop").contains(">valid<")
                .contains("Revoke consent");
        assertThat(calls("GET /psd2/v1/accounts")).singleElement().satisfies(c -> {
            assertThat(c.header("Authorization")).isEqualTo("Bearer " + TOKEN);
            assertThat(c.header("x-api-key")).isEqualTo(KEY);
        });
        assertThat(calls.stream().filter(c -> c.path().endsWith("/transactions"))).singleElement()
                .satisfies(c -> assertThat(c.header("PSU-IP-Address")).isEqualTo("127.0.0.1"));

        HttpResponse<String> revoked = post("/connections/c1/revoke", "csrf", csrf);
        assertThat(revoked.statusCode()).isEqualTo(303);
        assertThat(calls("DELETE /psd2/v1/consents/current")).singleElement()
                .satisfies(c -> assertThat(c.header("Authorization")).isEqualTo("Bearer " + TOKEN));
        int before = calls.size();
        assertThat(get("/connections/c1").body()).contains("consent-status").contains(">ended<").contains("Consent revoked.");
        assertThat(calls).as("an ended connection calls nothing").hasSize(before);
        assertNoSecretReachedTheBrowser();
    }

    @Test
    void aHubProblemIsShownAsStatusTitleDetailAndCodesEscaped() throws Exception {
        route("POST /psd2/v1/banks/alpha/consents", 400, "{\"type\":\"urn:psd2-hub:problem:validation-failed\",\"title\":"
                + "\"Validation failed\",\"status\":400,\"detail\":\"body member <script>alert(1)</script> is wrong\","
                + "\"code\":\"validation_failed\",\"requestId\":\"0b7f2f0e-4c1a-4a8e-9d7e-2b1c3d4e5f60\","
                + "\"invalidParams\":[{\"in\":\"body\",\"name\":\"/access\",\"reason\":\"is required\"}]}");
        home();

        HttpResponse<String> r = post("/consents", "csrf", csrf, "bank", "alpha", "customer", "anna");
        assertThat(r.headers().firstValue("Location")).contains("/");
        String page = get("/").body();

        assertThat(page).contains("class=\"problem\"").contains("The hub answered 400 Validation failed")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>")
                .contains("/access: is required").contains("validation-failed").contains("validation_failed")
                .contains("0b7f2f0e-4c1a-4a8e-9d7e-2b1c3d4e5f60").doesNotContain("Exception");
        assertThat(get("/").body()).as("shown once").doesNotContain("class=\"problem\"");
    }

    @Test
    void aDecoupledConsentWaitsAsTheHubSaysTheStandInDecidesAndTheTokenIsCollected() throws Exception {
        route("POST /psd2/v1/banks/delta/consents", 201, "{\"consentId\":\"c-9\",\"consentStatus\":\"received\",\"state\":\""
                + STATE + "\",\"nextStep\":\"poll\",\"pollIntervalSeconds\":4,\"psuMessage\":\"Please confirm in your"
                + " <app>.\",\"expiresIn\":600}");
        List<String> statuses = new CopyOnWriteArrayList<>(List.of("pending", "finalised"));
        routes.put("POST /psd2/v1/authorisations/status", c -> new Answer(200, "{\"status\":\"" + statuses.remove(0)
                + "\",\"scaStatus\":\"started\",\"retryAfter\":1}", "Retry-After", "1"));
        route("POST /psd2/v1/sessions", 200, "{\"accessToken\":\"" + TOKEN + "\",\"tokenType\":\"Bearer\",\"expiresAt\":"
                + "\"2026-12-31T00:00:00Z\",\"consentId\":\"c-9\",\"bankId\":\"delta\"}");
        route("GET /psd2/v1/consents/current", 200, "{\"consentId\":\"c-9\",\"consentStatus\":\"valid\"}");
        route("GET /psd2/v1/accounts", 200, "{\"accounts\":[]}");
        home();

        HttpResponse<String> started = post("/consents", "csrf", csrf, "bank", "delta", "customer", "anna");
        assertThat(started.headers().firstValue("Location")).contains("/wait");
        assertThat(calls("POST /psd2/v1/banks/delta/consents").get(0).json().path("psuId").asText()).isEqualTo("anna");

        HttpResponse<String> waiting = get("/wait");
        assertThat(waiting.body()).contains("<meta http-equiv=\"refresh\" content=\"1\">")
                .contains("Please confirm in your &lt;app&gt;.").contains("sandbox: approve in the bank's app")
                .contains("Sandbox only");
        get("/wait");
        assertThat(calls("POST /psd2/v1/authorisations/status")).as("not before retryAfter").hasSize(1);

        assertThat(post("/wait/app", "csrf", csrf, "decision", "approve").headers().firstValue("Location"))
                .contains("/wait");
        assertThat(appDecisions).containsExactly("approve c-9");
        Thread.sleep(1100);
        HttpResponse<String> done = get("/wait");

        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).contains("/connections/c1");
        assertThat(calls("POST /psd2/v1/authorisations/status")).hasSize(2);
        assertThat(calls("POST /psd2/v1/sessions")).hasSize(1);
        assertNoSecretReachedTheBrowser();
    }

    @Test
    void aPaymentCarriesAnIdempotencyKeyAndItsStatusIsShownWithoutThePaymentId() throws Exception {
        route("POST /psd2/v1/banks/alpha/payments/sepa-credit-transfers", 201, "{\"paymentId\":\"" + PAYMENT_ID
                + "\",\"paymentService\":\"payments\",\"paymentProduct\":\"sepa-credit-transfers\",\"transactionStatus\":"
                + "\"RCVD\",\"state\":\"" + STATE + "\",\"nextStep\":\"redirect\",\"authorisationUrl\":\""
                + AUTHORISATION_URL + "\",\"expiresIn\":600}");
        route("GET /psd2/v1/payments/" + PAYMENT_ID + "/status", 200, "{\"paymentId\":\"" + PAYMENT_ID
                + "\",\"paymentService\":\"payments\",\"paymentProduct\":\"sepa-credit-transfers\",\"transactionStatus\":"
                + "\"ACSP\"}");
        home();

        HttpResponse<String> started = post("/payments", "csrf", csrf, "from", "alpha|anna|" + IBAN, "product",
                "sepa-credit-transfers", "creditorName", "Stadtwerke Musterstadt", "creditorIban",
                "DE02 1203 0000 0000 2020 51", "amount", "12.34", "reference", "Invoice 1");

        assertThat(started.headers().firstValue("Location")).contains(AUTHORISATION_URL);
        Call create = calls("POST /psd2/v1/banks/alpha/payments/sepa-credit-transfers").get(0);
        assertThat(create.header("Idempotency-Key")).matches("[0-9a-f-]{36}");
        JsonNode body = create.json();
        assertThat(body.path("instructedAmount").path("amount").isTextual()).isTrue();
        assertThat(body.path("instructedAmount").path("amount").asText()).isEqualTo("12.34");
        assertThat(body.path("debtorAccount").path("iban").asText()).isEqualTo(IBAN);
        assertThat(body.path("creditorAccount").path("iban").asText()).isEqualTo("DE02120300000000202051");
        assertThat(body.path("remittanceInformationUnstructured").asText()).isEqualTo("Invoice 1");

        HttpResponse<String> back = get("/return?state=" + STATE + "&outcome=success");
        assertThat(back.headers().firstValue("Location")).contains("/payments/p1");
        assertThat(calls("POST /psd2/v1/sessions")).as("no session for a payment").isEmpty();
        HttpResponse<String> page = get("/payments/p1");

        assertThat(page.body()).contains("Payment to Stadtwerke Musterstadt").contains(">ACSP<")
                .contains("settlement in process").contains("Refresh status").contains("EUR 12.34");
        assertThat(get("/").body()).contains("/payments/p1");
        assertNoSecretReachedTheBrowser();
    }
}
