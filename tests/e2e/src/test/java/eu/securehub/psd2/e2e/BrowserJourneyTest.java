package eu.securehub.psd2.e2e;

import static eu.securehub.psd2.e2e.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AIS journey with a real browser: the CRM creates a consent, headless Chromium does SCA at the sandbox bank's
 * login and consent pages and ends on the CRM's return page, the CRM collects the hub token once, reads accounts,
 * balances and transactions, checks the re-authentication due date and revokes the consent. And the customer who
 * denies.
 */
class BrowserJourneyTest {
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
    void customerApprovesAtTheBankAndTheCrmReadsRevokesAndLosesAccess() throws Exception {
        String iban = hub.iban("alpha", "anna");
        JsonNode consent = hub.createConsent("alpha", iban).json();
        String state = consent.path("state").asText();
        String authorisationUrl = consent.path("authorisationUrl").asText();
        assertThat(authorisationUrl).startsWith(hub.local.bank("alpha").baseUrl().toString());

        Instant scaTime = Instant.now();
        Browser.Journey journey = browser.authorise(authorisationUrl, "anna", "anna-sandbox-1", "Approve",
                hub.local.returnUrl());

        // The browser ends on the CRM's return page with state and outcome only.
        URI end = URI.create(journey.finalUrl());
        assertThat(query(end.getRawQuery())).containsOnlyKeys("state", "outcome")
                .containsEntry("state", state).containsEntry("outcome", "success");
        assertThat(journey.pageText()).contains("success").contains(state);
        assertThat(hub.local.returnPageVisits()).anySatisfy(v -> {
            assertThat(v.state()).isEqualTo(state);
            assertThat(v.outcome()).isEqualTo("success");
        });
        // It went bank -> hub callback -> CRM, and no URL it saw carried a token.
        assertThat(journey.urls()).anySatisfy(u -> assertThat(u).contains("/psd2/v1/oauth/callback?"));
        assertThat(journey.urls()).allSatisfy(u -> assertThat(u)
                .doesNotContainPattern("hub_[A-Za-z0-9_-]{20,}")
                .doesNotContainPattern("(?i)[?&#](access_token|refresh_token|id_token|token|accessToken)="));

        // The CRM collects the hub token, once.
        Hub.Reply session = hub.collect(state);
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        assertThat(session.header("Cache-Control")).contains("no-store");
        String token = session.json().path("accessToken").asText();
        assertThat(token).matches("hub_[A-Za-z0-9_-]{48}");
        assertThat(journey.urls()).noneSatisfy(u -> assertThat(u).contains(token));
        assertProblem(hub.collect(state), 404, "session-not-found");

        // Accounts, balances, transactions.
        Hub.Reply accounts = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(accounts.status()).as(accounts.toString()).isEqualTo(200);
        JsonNode account = accounts.json().path("accounts").path(0);
        assertThat(account.path("iban").asText()).isEqualTo(iban);
        String accountId = account.path("resourceId").asText();
        assertThat(accountId).isNotBlank();

        Hub.Reply balances = hub.get("/accounts/" + accountId + "/balances", token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(balances.status()).as(balances.toString()).isEqualTo(200);
        assertThat(balances.json().path("balances").size()).isPositive();

        Hub.Reply transactions = hub.get("/accounts/" + accountId + "/transactions?bookingStatus=booked&dateFrom="
                + LocalDate.now().minusDays(30), token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(transactions.status()).as(transactions.toString()).isEqualTo(200);
        assertThat(transactions.json().path("transactions").path("booked").isArray()).as(transactions.body()).isTrue();

        // Re-authentication is due 180 days after the SCA.
        Hub.Reply current = hub.get("/consents/current", token);
        assertThat(current.status()).as(current.toString()).isEqualTo(200);
        JsonNode view = current.json();
        assertThat(view.path("consentStatus").asText()).isEqualTo("valid");
        // (consentId: see consentViewNamesItsConsent)
        Instant due = Instant.parse(view.path("reauthenticationDueAt").asText());
        assertThat(Duration.between(scaTime.plus(180, ChronoUnit.DAYS), due).abs())
                .isLessThan(Duration.ofMinutes(5));
        assertThat(view.path("daysUntilReauthentication").asInt()).isBetween(179, 180);
        assertThat(ChronoUnit.SECONDS.between(Instant.now(), due) / 86400.0).isCloseTo(180.0, within(0.01));

        // Revoke: 204, the bank's consent is terminated, the token no longer works.
        Hub.Reply revoked = hub.send("DELETE", "/consents/current", null, null, "Authorization", "Bearer " + token);
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
        assertThat(revoked.header("X-Request-ID")).isNotNull();
        assertThat(hub.local.bank("alpha").consentStatus(consent.path("consentId").asText()))
                .contains("terminatedByTpp");
        assertProblem(hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP), 401, "invalid-token");
        assertProblem(hub.get("/consents/current", token), 401, "invalid-token");
    }

    @Test
    void consentViewNamesItsConsent() {
        JsonNode consent = hub.createConsent("alpha", hub.iban("alpha", "anna")).json();
        Browser.Journey journey = browser.authorise(consent.path("authorisationUrl").asText(), "anna",
                "anna-sandbox-1", "Approve", hub.local.returnUrl());
        assertThat(journey.finalUrl()).contains("outcome=success");
        Hub.Reply session = hub.collect(consent.path("state").asText());
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        String token = session.json().path("accessToken").asText();

        Hub.Reply current = hub.get("/consents/current", token);

        assertThat(current.status()).as(current.toString()).isEqualTo(200);
        assertThat(current.json().path("consentId").asText()).as(current.body())
                .isEqualTo(consent.path("consentId").asText());
    }

    @Test
    void customerDeniesAtTheBankAndNoTokenCanBeCollected() {
        String iban = hub.iban("alpha", "anna");
        JsonNode consent = hub.createConsent("alpha", iban).json();
        String state = consent.path("state").asText();

        Browser.Journey journey = browser.authorise(consent.path("authorisationUrl").asText(), "anna",
                "anna-sandbox-1", "Deny", hub.local.returnUrl());

        URI end = URI.create(journey.finalUrl());
        assertThat(query(end.getRawQuery())).containsEntry("state", state).containsEntry("outcome", "denied");
        assertThat(journey.pageText()).contains("denied");
        assertProblem(hub.collect(state), 404, "session-not-found");
        assertThat(hub.local.bank("alpha").consentStatus(consent.path("consentId").asText())).contains("rejected");
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : List.of(raw.split("&"))) {
            int eq = pair.indexOf('=');
            m.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }
}
