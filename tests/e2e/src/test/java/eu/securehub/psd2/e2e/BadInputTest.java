package eu.securehub.psd2.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.localhub.RequestOutput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every CRM endpoint fed malformed JSON, wrong types, unknown members, oversized bodies, missing
 * and invalid headers
 * and bad path and query parameters: each is answered 400 (413 for a body over the limit, 415 or 400 for a body that
 * is not JSON) as application/problem+json with a stable type, the X-Request-ID echoed (or, when the one sent is not
 * a UUID, a fresh one), and no stack trace or internal detail; none of them reaches the bank or changes anything.
 * For a missing or unknown query parameter, a missing header and a bad body member the problem names the field and
 * the rule (in {@code detail} and {@code invalidParams}), never the value sent.
 */
class BadInputTest {
    @TempDir
    static Path work;

    static Hub hub;
    static String token;
    static String accountId;
    static String iban;

    @BeforeAll
    static void start() {
        hub = Hub.start(work);
        iban = hub.iban("alpha", "anna");
        JsonNode consent = hub.createConsent("alpha", iban).json();
        try (Browser browser = new Browser()) {
            assertThat(browser.authorise(consent.path("authorisationUrl").asText(), "anna", "anna-sandbox-1", "Approve",
                    hub.local.returnUrl()).finalUrl()).contains("outcome=success");
        }
        Hub.Reply session = hub.collect(consent.path("state").asText());
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        token = session.json().path("accessToken").asText();
        Hub.Reply accounts = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(accounts.status()).as(accounts.toString()).isEqualTo(200);
        accountId = accounts.json().path("accounts").path(0).path("resourceId").asText();
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    /**
     * One bad request and the slug it must be answered with; for some, the field the problem must name: the words in
     * {@code detail}, its {@code invalidParams} entry ({@code in}, {@code name}) and the values sent it must not repeat.
     */
    record Case(String name, String method, String path, String contentType, byte[] body, Map<String, String> headers,
                int status, String slug, String field, String in, String fieldName, List<String> notSent) {
        Case(String name, String method, String path, String contentType, byte[] body, Map<String, String> headers,
             int status, String slug) {
            this(name, method, path, contentType, body, headers, status, slug, null, null, null, List.of());
        }

        /** The problem must name this field ({@code in}, {@code fieldName}) with {@code field} in its detail. */
        Case names(String field, String in, String fieldName, String... notSent) {
            return new Case(name, method, path, contentType, body, headers, status, slug, field, in, fieldName,
                    List.of(notSent));
        }
    }

    static final String JSON = "application/json";

    static String validConsent() {
        return "{\"returnUrl\":\"" + hub.local.returnUrl() + "\",\"access\":{\"accounts\":[{\"iban\":\"" + iban
                + "\"}]},\"recurringIndicator\":true,\"validUntil\":\"" + LocalDate.now().plusDays(30)
                + "\",\"frequencyPerDay\":4}";
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        String consents = "/banks/alpha/consents";
        Map<String, String> present = Map.of("PSU-IP-Address", Hub.PSU_IP);
        Map<String, String> auth = Map.of("Authorization", "Bearer " + token, "PSU-IP-Address", Hub.PSU_IP);
        String valid = validConsent();

        // POST /banks/{bankId}/consents
        c.add(json("consent: malformed JSON", "POST", consents, "{\"returnUrl\":", present));
        c.add(json("consent: not an object", "POST", consents, "[1,2,3]", present));
        c.add(json("consent: empty body", "POST", consents, "", present));
        c.add(json("consent: unknown member", "POST", consents, valid.replace("{\"returnUrl\"", "{\"debug\":true,\"returnUrl\""), present));
        c.add(json("consent: recurringIndicator a string", "POST", consents, valid.replace(":true", ":\"yes\""), present));
        c.add(json("consent: frequencyPerDay a string", "POST", consents, valid.replace(":4}", ":\"4\"}"), present)
                .names("body member /frequencyPerDay must be an integer", "body", "/frequencyPerDay"));
        c.add(json("consent: validUntil not a date", "POST", consents, valid.replaceAll("\\d{4}-\\d{2}-\\d{2}", "31.12.2026"), present)
                .names("body member /validUntil must be a date (YYYY-MM-DD)", "body", "/validUntil", "31.12.2026"));
        c.add(json("consent: access not an object", "POST", consents, valid.replaceAll("\"access\":\\{.*?]},", "\"access\":\"all\","), present));
        c.add(json("consent: missing returnUrl", "POST", consents, valid.replaceAll("\"returnUrl\":\"[^\"]*\",", ""), present));
        c.add(json("consent: unregistered returnUrl", "POST", consents, valid.replace(hub.local.returnUrl(), "https://evil.example/cb"), present));
        c.add(json("consent: missing PSU-IP-Address", "POST", consents, valid, Map.of())
                .names("header PSU-IP-Address is required", "header", "PSU-IP-Address"));
        c.add(json("consent: PSU-IP-Address not an IP", "POST", consents, valid, Map.of("PSU-IP-Address", "not-an-ip")));
        c.add(json("consent: PSU-IP-Address 999.1.1.1", "POST", consents, valid, Map.of("PSU-IP-Address", "999.1.1.1")));
        c.add(json("consent: X-Request-ID not a UUID", "POST", consents, valid,
                Map.of("PSU-IP-Address", Hub.PSU_IP, "X-Request-ID", "req-1234")));
        c.add(json("consent: bankId upper case", "POST", "/banks/ALPHA/consents", valid, present));
        c.add(json("consent: bankId too long", "POST", "/banks/" + "a".repeat(41) + "/consents", valid, present));
        c.add(json("consent: bankId with a dot", "POST", "/banks/al.pha/consents", valid, present));
        c.add(new Case("consent: text/plain body", "POST", consents, "text/plain",
                valid.getBytes(StandardCharsets.UTF_8), present, 415, null));

        // POST /sessions
        c.add(json("sessions: malformed JSON", "POST", "/sessions", "{\"state\"", Map.of()));
        c.add(json("sessions: state a number", "POST", "/sessions", "{\"state\":12345}", Map.of()));
        c.add(json("sessions: unknown member", "POST", "/sessions", "{\"state\":\"abc\",\"admin\":true}", Map.of()));
        c.add(json("sessions: missing state", "POST", "/sessions", "{}", Map.of()));
        c.add(json("sessions: X-Request-ID not a UUID", "POST", "/sessions", "{\"state\":\"abc\"}",
                Map.of("X-Request-ID", "' OR 1=1 --")));

        // GET /accounts, balances, transactions
        c.add(get("accounts: withBalance not a boolean", "/accounts?withBalance=maybe", auth));
        c.add(get("accounts: PSU-IP-Address not an IP", "/accounts",
                Map.of("Authorization", "Bearer " + token, "PSU-IP-Address", "localhost")));
        c.add(get("accounts: X-Request-ID not a UUID", "/accounts",
                Map.of("Authorization", "Bearer " + token, "X-Request-ID", "12345")));
        c.add(get("balances: accountId with a space", "/accounts/a%20b/balances", auth));
        c.add(get("balances: accountId too long", "/accounts/" + "x".repeat(101) + "/balances", auth));
        c.add(get("balances: accountId with a quote", "/accounts/a%27b/balances", auth));
        String tx = "/accounts/" + accountId + "/transactions";
        c.add(get("transactions: no bookingStatus", tx + "?dateFrom=2026-01-01", auth)
                .names("query parameter bookingStatus is required", "query", "bookingStatus", "2026-01-01"));
        c.add(get("transactions: unknown bookingStatus", tx + "?bookingStatus=settled&dateFrom=2026-01-01", auth)
                .names("query parameter bookingStatus must be one of booked, pending, both, information, all", "query",
                        "bookingStatus", "settled", "2026-01-01"));
        c.add(get("transactions: dateFrom not a date", tx + "?bookingStatus=booked&dateFrom=2026-13-45", auth));
        c.add(get("transactions: itemsPerPage not a number", tx + "?bookingStatus=booked&dateFrom=2026-01-01&itemsPerPage=ten", auth));
        c.add(get("transactions: pageIndex negative", tx + "?bookingStatus=booked&dateFrom=2026-01-01&pageIndex=-1", auth));
        c.add(get("transactions: deltaList not a boolean", tx + "?bookingStatus=booked&dateFrom=2026-01-01&deltaList=1x", auth));

        // GET / DELETE /consents/current
        c.add(get("consent view: X-Request-ID not a UUID", "/consents/current",
                Map.of("Authorization", "Bearer " + token, "X-Request-ID", "<script>")));
        c.add(get("consent view: PSU-IP-Address not an IP", "/consents/current",
                Map.of("Authorization", "Bearer " + token, "PSU-IP-Address", "1.2.3")));
        c.add(new Case("revoke: PSU-IP-Address not an IP", "DELETE", "/consents/current", null, null,
                Map.of("Authorization", "Bearer " + token, "PSU-IP-Address", "::g"), 400, "validation-failed"));
        c.add(new Case("revoke: X-Request-ID not a UUID", "DELETE", "/consents/current", null, null,
                Map.of("Authorization", "Bearer " + token, "X-Request-ID", "x"), 400, "validation-failed"));

        // Bad Authorization: the CRM developer's guide's contract is 401 invalid-token.
        for (String bad : List.of("Bearer", "Bearer ", "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer hub_short",
                "Bearer " + token + "x", "bearer" + token, "Bearer hub_" + "A".repeat(47) + "!")) {
            c.add(new Case("accounts: Authorization '" + bad.replace(token, "<token>") + "'", "GET", "/accounts", null,
                    null, Map.of("Authorization", bad), 401, "invalid-token"));
        }
        c.add(new Case("accounts: no Authorization", "GET", "/accounts", null, null, Map.of(), 401, "invalid-token"));
        return c;
    }

    /** Bodies over the hub's 64 KiB limit (valid JSON, padded with whitespace: only their size is wrong). */
    static List<Case> oversizedCases() {
        return List.of(
                new Case("consent: oversized body", "POST", "/banks/alpha/consents", JSON, oversized(validConsent()),
                        Map.of("PSU-IP-Address", Hub.PSU_IP), 413, "payload-too-large"),
                new Case("sessions: oversized body", "POST", "/sessions", JSON,
                        oversized("{\"state\":\"" + "a".repeat(43) + "\"}"), Map.of(), 413, "payload-too-large"));
    }

    /** Requests whose X-Request-ID is not a UUID (all else valid). */
    static List<Case> invalidRequestIdCases() {
        return cases().stream().filter(c -> c.headers().containsKey("X-Request-ID")).toList();
    }

    static Case json(String name, String method, String path, String body, Map<String, String> headers) {
        return new Case(name, method, path, JSON, body.getBytes(StandardCharsets.UTF_8), headers, 400, "validation-failed");
    }

    static Case get(String name, String path, Map<String, String> headers) {
        return new Case(name, "GET", path, null, null, headers, 400, "validation-failed");
    }

    /** A valid body made large with JSON whitespace only: nothing but its size is wrong. */
    static byte[] oversized(String valid) {
        return (valid.substring(0, valid.length() - 1) + " ".repeat(200_000) + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyBadInputIsAClearProblemWithoutInternals() {
        SoftAssertions soft = new SoftAssertions();
        List<String> requestIds = check(cases(), soft, false);
        soft.assertAll();

        // Nothing reached the bank (no exchange carries the X-Request-ID of any of these requests: the bank records
        // a request before it answers, and the hub answered), and the token still works (the invalid DELETEs
        // revoked nothing).
        assertThat(RequestOutput.bankExchanges(hub.local.bank("alpha"), requestIds)).as("bank exchanges").isEmpty();
        Hub.Reply still = hub.get("/consents/current", token);
        assertThat(still.status()).as(still.toString()).isEqualTo(200);
        assertThat(still.json().path("consentStatus").asText()).isEqualTo("valid");
    }

    @Test
    void anInvalidRequestIdIsAnsweredWithAFreshOne() {
        SoftAssertions soft = new SoftAssertions();
        check(invalidRequestIdCases(), soft, true);
        soft.assertAll();
    }

    @Test
    void oversizedBodiesAre413PayloadTooLarge() {
        SoftAssertions soft = new SoftAssertions();
        check(oversizedCases(), soft, true);
        soft.assertAll();
    }

    /**
     * Sends each case and checks its answer; {@code freshId}: a non-UUID X-Request-ID must come back as a new UUID.
     * Returns the X-Request-IDs the hub answered with (the ids it would have passed to the bank; the one sent if none).
     */
    static List<String> check(List<Case> cases, SoftAssertions soft, boolean freshId) {
        List<String> answeredIds = new ArrayList<>();
        for (Case c : cases) {
            String sentId = c.headers().get("X-Request-ID");
            boolean sendsValidId = sentId == null;
            String requestId = sendsValidId ? UUID.randomUUID().toString() : sentId;
            List<String> headers = new ArrayList<>();
            c.headers().forEach((k, v) -> {
                headers.add(k);
                headers.add(v);
            });
            if (sendsValidId) {
                headers.add("X-Request-ID");
                headers.add(requestId);
            }
            Hub.Reply r = hub.send(c.method(), c.path(), c.contentType(), c.body(), headers.toArray(String[]::new));
            String what = c.name() + ": " + abbreviate(r.toString());
            if (c.status() == 415) {
                soft.assertThat(r.status()).as(what).isIn(400, 415);
            } else {
                soft.assertThat(r.status()).as(what).isEqualTo(c.status());
            }
            soft.assertThat(r.header("Content-Type")).as(what).startsWith("application/problem+json");
            String echoed = r.header("X-Request-ID");
            answeredIds.add(echoed != null ? echoed : requestId);
            if (sendsValidId) {
                soft.assertThat(echoed).as(what + " (X-Request-ID echoed)").isEqualTo(requestId);
            } else if (!freshId) {
                soft.assertThat(echoed).as(what + " (an X-Request-ID)").isNotNull();
            } else {
                soft.assertThat(echoed).as(what + " (a fresh X-Request-ID)").isNotNull().isNotEqualTo(sentId)
                        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            }
            try {
                JsonNode p = r.json();
                String type = p.path("type").asText();
                if (c.slug() != null) {
                    soft.assertThat(type).as(what).isEqualTo("urn:psd2-hub:problem:" + c.slug());
                } else {
                    soft.assertThat(type).as(what).startsWith("urn:psd2-hub:problem:");
                }
                soft.assertThat(p.path("status").asInt()).as(what).isEqualTo(r.status());
                soft.assertThat(p.path("title").asText()).as(what).isNotBlank();
                if (sendsValidId || freshId) {
                    soft.assertThat(p.path("requestId").asText(echoed)).as(what).isEqualTo(echoed);
                }
                if (c.field() != null) {
                    String detail = p.path("detail").asText();
                    soft.assertThat(detail).as(what + " (detail names the field)").contains(c.field());
                    boolean listed = false;
                    for (JsonNode entry : p.path("invalidParams")) {
                        listed |= entry.path("in").asText().equals(c.in()) && entry.path("name").asText().equals(c.fieldName());
                    }
                    soft.assertThat(listed).as(what + " (invalidParams names " + c.in() + " " + c.fieldName() + ")").isTrue();
                    for (String value : c.notSent()) {
                        soft.assertThat(detail + p.path("invalidParams")).as(what + " (no value sent)").doesNotContain(value);
                    }
                }
            } catch (AssertionError e) {
                soft.fail(what + ": not JSON");
            }
            try {
                Problems.assertNoInternals(r);
            } catch (AssertionError e) {
                soft.fail(e.getMessage());
            }
        }
        return answeredIds;
    }

    static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "…";
    }
}
