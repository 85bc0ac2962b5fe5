package eu.securehub.psd2.e2e;

import static eu.securehub.psd2.e2e.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange;
import eu.securehub.psd2.sandbox.SandboxBank;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import eu.securehub.psd2.localhub.LocalHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AIS journey on the two dialects besides OAuth (BrowserJourneyTest has alpha's): gamma, Berlin Group's redirect
 * approach without OAuth, which requires every request QSEAL-signed; delta, the decoupled approach, where the customer
 * approves in the bank's app (the sandbox's admin API stands in for it) and the CRM polls the hub. The CRM's API is the
 * same: POST /banks/{id}/consents says the next step, POST /sessions hands out the hub token.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DialectJourneyTest {
    @TempDir
    static Path work;

    static Hub hub;
    static Browser browser;

    @BeforeAll
    static void start() {
        hub = Hub.start(work);
        browser = new Browser();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(browser, hub);
    }

    @Test
    @Order(1)
    void redirectWithoutOAuthSignedByTheQseal() {
        SandboxBank gamma = hub.local.bank("gamma");
        String iban = hub.iban("gamma", "anna");
        JsonNode consent = hub.createConsent("gamma", iban).json();
        assertThat(consent.path("nextStep").asText()).isEqualTo("redirect");
        String state = consent.path("state").asText();
        String url = consent.path("authorisationUrl").asText();
        assertThat(url).startsWith(gamma.baseUrl().toString()).doesNotContain("oauth");

        Browser.Journey journey = browser.authorise(url, "anna", "anna-sandbox-1", "Approve", hub.local.returnUrl());
        assertThat(BrowserJourneyTest.query(URI.create(journey.finalUrl()).getRawQuery())).containsOnlyKeys("state", "outcome")
                .containsEntry("state", state).containsEntry("outcome", "success");
        assertThat(journey.urls()).anySatisfy(u -> assertThat(u).contains("/psd2/v1/sca/callback?"));

        Hub.Reply session = hub.collect(state);
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        String token = session.json().path("accessToken").asText();
        assertThat(token).matches("hub_[A-Za-z0-9_-]{48}");

        Hub.Reply accounts = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(accounts.status()).as(accounts.toString()).isEqualTo(200);
        String accountId = accounts.json().path("accounts").path(0).path("resourceId").asText();
        Hub.Reply balances = hub.get("/accounts/" + accountId + "/balances", token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(balances.status()).as(balances.toString()).isEqualTo(200);
        Hub.Reply transactions = hub.get("/accounts/" + accountId + "/transactions?bookingStatus=booked&dateFrom="
                + LocalDate.now().minusDays(30), token);
        assertThat(transactions.status()).as(transactions.toString()).isEqualTo(200);
        Hub.Reply current = hub.get("/consents/current", token);
        assertThat(current.status()).as(current.toString()).isEqualTo(200);
        assertThat(current.json().path("consentStatus").asText()).isEqualTo("valid");

        Hub.Reply revoked = hub.send("DELETE", "/consents/current", null, null, "Authorization", "Bearer " + token);
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
        assertThat(gamma.consentStatus(consent.path("consentId").asText())).contains("terminatedByTpp");
        assertProblem(hub.get("/accounts", token), 401, "invalid-token");

        // The bank that requires signatures never received an unsigned request, and no bank token exists here.
        List<Exchange> seen = gamma.exchanges();
        assertThat(seen).hasSizeGreaterThanOrEqualTo(7);
        assertThat(gamma.unsignedOrInvalid()).isEmpty();
        assertThat(seen).allSatisfy(e -> assertThat(e.signature()).isEqualTo(Exchange.SignatureCheck.VALID));
        assertThat(seen).allSatisfy(e -> assertThat(header(e, "Authorization")).isNull());
        assertThat(seen).anySatisfy(e -> assertThat(e.path()).endsWith("/authorisations/" + authorisationId(seen)));
        gamma.assertContractClean();
    }

    @Test
    @Order(2)
    void redirectDeniedGivesNoToken() {
        JsonNode consent = hub.createConsent("gamma", hub.iban("gamma", "ben")).json();
        String state = consent.path("state").asText();
        Browser.Journey journey = browser.authorise(consent.path("authorisationUrl").asText(), "ben", "ben-sandbox-2",
                "Deny", hub.local.returnUrl());
        assertThat(BrowserJourneyTest.query(URI.create(journey.finalUrl()).getRawQuery()))
                .containsEntry("state", state).containsEntry("outcome", "denied");
        assertProblem(hub.collect(state), 404, "session-not-found");
        assertThat(hub.local.bank("gamma").consentStatus(consent.path("consentId").asText())).contains("rejected");
    }

    @Test
    @Order(2)
    void concurrentReturnsOfTheBrowserMintOneToken() throws Exception {
        // The bank's redirect back, sent six times at once (a double click, a proxy retrying, an attacker replaying):
        // the state's latch lets one through to the bank checks and the mint; the others are refused, no second token.
        JsonNode consent = hub.createConsent("gamma", hub.iban("gamma", "clara")).json();
        String state = consent.path("state").asText();
        String callback = browser.authoriseUntil(consent.path("authorisationUrl").asText(), "clara", "clara-sandbox-3",
                "Approve", "/psd2/v1/sca/callback?");
        assertThat(callback).contains("state=" + state).contains("result=ok");
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<java.net.http.HttpResponse<String>>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                calls.add(pool.submit(() -> http.send(java.net.http.HttpRequest.newBuilder(URI.create(callback)).GET().build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())));
            }
            int success = 0;
            for (Future<java.net.http.HttpResponse<String>> f : calls) {
                java.net.http.HttpResponse<String> r = f.get();
                String location = r.headers().firstValue("Location").orElse("");
                if (r.statusCode() == 302 && location.contains("outcome=success")) {
                    success++;
                } else {
                    assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
                    assertThat(r.body()).doesNotContain(state).doesNotContainPattern("hub_[A-Za-z0-9_-]{20,}");
                }
            }
            assertThat(success).as("exactly one return is honoured").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        Hub.Reply session = hub.collectRetrying(state);
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        assertProblem(hub.collect(state), 404, "session-not-found");
        assertThat(hub.local.bank("gamma").exchanges().stream()
                .filter(e -> e.path().equals("/v1/consents/" + consent.path("consentId").asText() + "/status")))
                .as("the bank's consent status was read once").hasSize(1);
    }

    @Test
    @Order(3)
    void decoupledApprovalInTheBanksAppWithConcurrentPolls() throws Exception {
        SandboxBank delta = hub.local.bank("delta");
        String iban = hub.iban("delta", "clara");
        Hub.Reply missing = hub.createConsentRaw("delta", iban, null);
        assertProblem(missing, 400, "validation-failed");
        assertThat(missing.json().path("detail").asText()).contains("psuId");

        Hub.Reply created = hub.createConsentRaw("delta", iban, "clara");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode consent = created.json();
        assertThat(consent.path("nextStep").asText()).isEqualTo("poll");
        assertThat(consent.has("authorisationUrl")).isFalse();
        assertThat(consent.path("pollIntervalSeconds").asInt()).isEqualTo(4);
        String state = consent.path("state").asText();

        Hub.Reply pending = hub.poll(state);
        assertThat(pending.status()).as(pending.toString()).isEqualTo(200);
        assertThat(pending.json().path("status").asText()).isEqualTo("pending");
        assertThat(pending.header("Retry-After")).isNotNull();
        assertProblem(hub.collect(state), 404, "session-not-found");

        assertThat(delta.approveDecoupled(consent.path("consentId").asText())).isTrue();

        // Six CRM back ends poll at once, again and again: one hub token is minted, the bank is never polled too soon.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        String status = "pending";
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            while (status.equals("pending") && Instant.now().isBefore(deadline)) {
                List<Future<Hub.Reply>> polls = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    polls.add(pool.submit(() -> hub.poll(state)));
                }
                for (Future<Hub.Reply> f : polls) {
                    Hub.Reply r = f.get();
                    assertThat(r.status()).as(r.toString()).isEqualTo(200);
                    if (!r.json().path("status").asText().equals("pending")) {
                        status = r.json().path("status").asText();
                    }
                }
                Thread.sleep(1000);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(status).isEqualTo("finalised");
        assertThat(delta.tooEarlyScaStatusPolls()).isZero();

        // A poll after the end is still answered (the pending authorisation stays until its lifetime ends).
        assertThat(hub.poll(state).status()).isEqualTo(200);
        Hub.Reply session = hub.collectRetrying(state);
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        String token = session.json().path("accessToken").asText();
        assertProblem(hub.collect(state), 404, "session-not-found");

        Hub.Reply accounts = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(accounts.status()).as(accounts.toString()).isEqualTo(200);
        assertThat(accounts.json().path("accounts").path(0).path("iban").asText()).isEqualTo(iban);
        String accountId = accounts.json().path("accounts").path(0).path("resourceId").asText();
        Hub.Reply balances = hub.get("/accounts/" + accountId + "/balances", token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(balances.status()).as(balances.toString()).isEqualTo(200);
        Hub.Reply transactions = hub.get("/accounts/" + accountId + "/transactions?bookingStatus=booked&dateFrom="
                + LocalDate.now().minusDays(30), token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(transactions.status()).as(transactions.toString()).isEqualTo(200);
        assertThat(transactions.json().path("transactions").path("booked").isArray()).as(transactions.toString()).isTrue();
        Hub.Reply current = hub.get("/consents/current", token);
        assertThat(current.json().path("consentStatus").asText()).as(current.toString()).isEqualTo("valid");
        Hub.Reply revoked = hub.send("DELETE", "/consents/current", null, null, "Authorization", "Bearer " + token);
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
        assertThat(delta.consentStatus(consent.path("consentId").asText())).contains("terminatedByTpp");
        assertThat(delta.exchanges()).allSatisfy(e -> assertThat(header(e, "Authorization")).isNull());
        delta.assertContractClean();
    }

    @Test
    @Order(4)
    void decoupledDeniedInTheAppFails() throws Exception {
        Hub.Reply created = hub.createConsentRaw("delta", hub.iban("delta", "ben"), "ben");
        JsonNode consent = created.json();
        String state = consent.path("state").asText();
        assertThat(hub.local.bank("delta").denyDecoupled(consent.path("consentId").asText())).isTrue();
        String status = "pending";
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (status.equals("pending") && Instant.now().isBefore(deadline)) {
            Thread.sleep(1000);
            status = hub.poll(state).json().path("status").asText();
        }
        assertThat(status).isEqualTo("failed");
        assertProblem(hub.collect(state), 404, "session-not-found");
    }

    @Test
    @Order(5)
    void anUnknownStateIsNotFound() {
        assertProblem(hub.poll("A".repeat(43)), 404, "session-not-found");
    }

    /** Requests this class had the sandbox alter after the hub signed them (each refused SIGNATURE_INVALID). */
    private static int tampered;

    @Test
    @Order(6)
    void aRequestAlteredAfterSigningIsRefusedByTheBankAndTheConsentStays() {
        String token = gammaToken("anna", "anna-sandbox-1");
        SandboxBank gamma = hub.local.bank("gamma");
        gamma.faults().clear().pathPrefix("/v1/accounts").tamperOnce(true);
        try {
            Hub.Reply refused = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
            tampered++;
            assertProblem(refused, 502, "bank-error");
            assertThat(refused.json().path("bankCode").asText()).isEqualTo("SIGNATURE_INVALID");
            assertThat(gamma.unsignedOrInvalid()).singleElement().satisfies(e -> {
                assertThat(e.signature()).isEqualTo(Exchange.SignatureCheck.INVALID);
                assertThat(e.requestHeader("X-Request-ID")).isEqualTo(refused.requestId());
            });
        } finally {
            gamma.faults().clear();
        }
        // The bank's refusal of one message is not the end of the consent: the next read is signed and served.
        Hub.Reply again = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(gamma.unsignedOrInvalid()).hasSize(tampered);
    }

    /** gamma's journey in the browser, to the hub token. */
    private String gammaToken(String customer, String password) {
        JsonNode consent = hub.createConsent("gamma", hub.iban("gamma", customer)).json();
        Browser.Journey journey = browser.authorise(consent.path("authorisationUrl").asText(), customer, password,
                "Approve", hub.local.returnUrl());
        assertThat(journey.finalUrl()).contains("outcome=success");
        Hub.Reply session = hub.collectRetrying(consent.path("state").asText());
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        return session.json().path("accessToken").asText();
    }

    /** delta's journey, approved in the "app", to the hub token. */
    private String deltaToken(String customer) throws InterruptedException {
        JsonNode consent = hub.createConsentRaw("delta", hub.iban("delta", customer), customer).json();
        String state = consent.path("state").asText();
        assertThat(hub.local.bank("delta").approveDecoupled(consent.path("consentId").asText())).isTrue();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        String status = "pending";
        while (status.equals("pending") && Instant.now().isBefore(deadline)) {
            Thread.sleep(1000);
            status = hub.poll(state).json().path("status").asText();
        }
        assertThat(status).isEqualTo("finalised");
        Hub.Reply session = hub.collectRetrying(state);
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        return session.json().path("accessToken").asText();
    }

    private static String consentIdOf(String token) {
        return hub.get("/consents/current", token).json().path("consentId").asText();
    }

    @Test
    @Order(10)
    void theUnattendedBudgetAndConsentExpiryOnBothDialects() throws Exception {
        String gamma = gammaToken("kraus", "kraus-sandbox-4");
        String accountId = hub.get("/accounts", gamma, "PSU-IP-Address", Hub.PSU_IP).json().path("accounts").path(0)
                .path("resourceId").asText();
        for (int i = 0; i < 4; i++) {
            Hub.Reply read = hub.get("/accounts/" + accountId + "/balances", gamma);
            assertThat(read.status()).as(read.toString()).isEqualTo(200);
        }
        assertProblem(hub.get("/accounts/" + accountId + "/balances", gamma), 429, "budget-exhausted");
        assertThat(hub.get("/accounts/" + accountId + "/balances", gamma, "PSU-IP-Address", Hub.PSU_IP).status())
                .as("the customer present is not counted").isEqualTo(200);

        // The same on the decoupled bank, and its consent status.
        String delta = deltaToken("kraus");
        Hub.Reply status = hub.get("/consents/current", delta);
        assertThat(status.status()).as(status.toString()).isEqualTo(200);
        assertThat(status.json().path("consentStatus").asText()).isEqualTo("valid");
        String deltaAccount = hub.get("/accounts", delta, "PSU-IP-Address", Hub.PSU_IP).json().path("accounts").path(0)
                .path("resourceId").asText();
        for (int i = 0; i < 4; i++) {
            Hub.Reply read = hub.get("/accounts/" + deltaAccount + "/balances", delta);
            assertThat(read.status()).as(read.toString()).isEqualTo(200);
        }
        assertProblem(hub.get("/accounts/" + deltaAccount + "/balances", delta), 429, "budget-exhausted");

        for (String[] bank : new String[][] {{"gamma", gamma}, {"delta", deltaToken("anna")}}) {
            String token = bank[1];
            assertThat(hub.local.bank(bank[0]).expireConsent(consentIdOf(token))).isTrue();
            assertProblem(hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP), 403, "consent-invalid");
            assertProblem(hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP), 401, "invalid-token");
        }
        assertThat(hub.local.bank("gamma").unsignedOrInvalid()).as("only the request altered on purpose").hasSize(tampered);
    }

    @Test
    @Order(80)
    void theBreakerOpensOnTheDecoupledBank() throws Exception {
        String token = deltaToken("clara");
        SandboxBank delta = hub.local.bank("delta");
        delta.faults().clear().errorRate(1.0, 503).pathPrefix("/v1/accounts");
        try {
            for (int i = 0; i < 5; i++) {
                assertProblem(hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP), 502, "bank-error");
            }
            int before = delta.exchanges().size();
            assertProblem(hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP), 503, "bank-unavailable");
            assertThat(delta.exchanges()).as("no call while open").hasSize(before);
        } finally {
            delta.faults().clear();
        }
    }

    @Test
    @Order(90)
    void theBreakerOpensOnARedirectBankThatSigns() {
        String token = gammaToken("anna", "anna-sandbox-1");
        SandboxBank gamma = hub.local.bank("gamma");
        gamma.faults().clear().errorRate(1.0, 503).pathPrefix("/v1/accounts");
        try {
            for (int i = 0; i < 5; i++) {
                assertProblem(hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP), 502, "bank-error");
            }
            int before = gamma.exchanges().size();
            Hub.Reply open = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
            assertProblem(open, 503, "bank-unavailable");
            assertThat(open.header("Retry-After")).isNotNull();
            assertThat(gamma.exchanges()).as("no call while open").hasSize(before);
        } finally {
            gamma.faults().clear();
        }
        assertThat(gamma.unsignedOrInvalid()).as("only the request altered on purpose").hasSize(tampered);
    }

    @Test
    @Order(30)
    void aBankThatRequiresSignaturesRefusesAnUnsignedHubAndAnEmbeddedOnlyBankIsNeverCalled(@TempDir Path other) {
        // The same sandbox bank, but the hub's registry entry forgets that it signs: the bank refuses, the CRM is told.
        // And delta's entry says it offers only EMBEDDED (so "supported": false): the hub refuses before any bank call.
        try (LocalHub unsigned = LocalHub.start(LocalHub.Options.freePorts(Hub.ROOT, other).consumerKey(Hub.KEY)
                .bankProfile("gamma", "signing", "{\"profile\":\"none\"}")
                .bankProfile("delta", "sca", "{\"approaches\":[\"EMBEDDED\"]}").bankProfile("delta", "supported", "false"))) {
            Hub h = Hub.of(unsigned);
            Hub.Reply r = h.createConsentRaw("gamma", h.iban("gamma", "anna"), null);
            assertProblem(r, 502, "bank-error");
            assertThat(r.json().path("bankCode").asText()).isEqualTo("SIGNATURE_MISSING");
            assertThat(unsigned.bank("gamma").unsignedOrInvalid()).singleElement()
                    .satisfies(e -> assertThat(e.signature()).isEqualTo(Exchange.SignatureCheck.MISSING));

            Hub.Reply embedded = h.createConsentRaw("delta", h.iban("delta", "clara"), "clara");
            assertProblem(embedded, 501, "sca-unsupported");
            assertThat(embedded.json().path("detail").asText()).contains("embedded");
            assertThat(embedded.body()).doesNotContain(h.iban("delta", "clara"));
            assertThat(unsigned.bank("delta").exchanges()).as("nothing went to the bank").isEmpty();
        }
    }

    @Test
    @Order(40)
    void anExplicitAuthorisationStartOnBothDialects(@TempDir Path other) throws Exception {
        // The registry says the banks start the SCA only on POST /v1/consents/{id}/authorisations: the hub asks for an
        // explicit start, the sandbox answers startAuthorisation, the hub starts it (signed at gamma) and goes on.
        try (LocalHub explicit = LocalHub.start(LocalHub.Options.freePorts(Hub.ROOT, other).consumerKey(Hub.KEY)
                .bankProfile("gamma", "sca", "{\"approaches\":[\"REDIRECT\"],\"preferred\":\"REDIRECT\",\"explicitAuthorisation\":true}")
                .bankProfile("delta", "sca", "{\"approaches\":[\"DECOUPLED\"],\"preferred\":\"DECOUPLED\",\"explicitAuthorisation\":true,\"statusPollSeconds\":4}"))) {
            Hub h = Hub.of(explicit);
            JsonNode consent = h.createConsent("gamma", h.iban("gamma", "anna")).json();
            assertThat(consent.path("nextStep").asText()).isEqualTo("redirect");
            Browser.Journey journey = browser.authorise(consent.path("authorisationUrl").asText(), "anna", "anna-sandbox-1",
                    "Approve", explicit.returnUrl());
            assertThat(journey.finalUrl()).contains("outcome=success");
            assertThat(h.collectRetrying(consent.path("state").asText()).status()).isEqualTo(200);
            SandboxBank gamma = explicit.bank("gamma");
            assertThat(gamma.exchanges()).anySatisfy(e -> assertThat(e.method() + " " + e.path())
                    .isEqualTo("POST /v1/consents/" + consent.path("consentId").asText() + "/authorisations"));
            assertThat(gamma.unsignedOrInvalid()).isEmpty();

            Hub.Reply created = h.createConsentRaw("delta", h.iban("delta", "ben"), "ben");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.json().path("nextStep").asText()).isEqualTo("poll");
            String state = created.json().path("state").asText();
            assertThat(explicit.bank("delta").approveDecoupled(created.json().path("consentId").asText())).isTrue();
            String status = "pending";
            Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
            while (status.equals("pending") && Instant.now().isBefore(deadline)) {
                Thread.sleep(1000);
                status = h.poll(state).json().path("status").asText();
            }
            assertThat(status).isEqualTo("finalised");
            assertThat(h.collectRetrying(state).status()).isEqualTo(200);
            explicit.bank("delta").assertContractClean();
            gamma.assertContractClean();
        }
    }

    private static String header(Exchange e, String name) {
        return e.requestHeaders().entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(h -> h.getValue().get(0)).findFirst().orElse(null);
    }

    private static String authorisationId(List<Exchange> seen) {
        return seen.stream().map(Exchange::path).filter(p -> p.contains("/authorisations/")).findFirst()
                .map(p -> p.substring(p.lastIndexOf('/') + 1)).orElse("none");
    }
}
