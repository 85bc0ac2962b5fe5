package eu.securehub.psd2.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BerlinGroupContract;
import eu.securehub.psd2.sandbox.SandboxBank;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Berlin Group contract of what the hub sends: journeys at both sandbox banks (browser SCA, reads with the
 * customer present and unattended, every transactions variant the CRM API offers, the consent view, an account
 * the bank does not know, revocation, and a denied authorisation); then each bank, which validates every /v1
 * exchange against ../shared/berlin-group/psd2-api-1.3.9-2021-05-04.yaml, has recorded no violation.
 */
class ContractTest {
    @TempDir
    static Path work;

    static Hub hub;

    @BeforeAll
    static void journeys() {
        hub = Hub.start(work);
        try (Browser browser = new Browser()) {
            for (String bank : List.of("alpha", "beta")) {
                approvedJourney(browser, bank, "anna", "anna-sandbox-1");
                JsonNode denied = hub.createConsent(bank, hub.iban(bank, "ben")).json();
                assertThat(browser.authorise(denied.path("authorisationUrl").asText(), "ben", "ben-sandbox-2", "Deny",
                        hub.local.returnUrl()).finalUrl()).contains("outcome=denied");
            }
        }
    }

    static void approvedJourney(Browser browser, String bank, String user, String password) {
        JsonNode consent = hub.createConsent(bank, hub.iban(bank, user)).json();
        assertThat(browser.authorise(consent.path("authorisationUrl").asText(), user, password, "Approve",
                hub.local.returnUrl()).finalUrl()).contains("outcome=success");
        Hub.Reply session = hub.collect(consent.path("state").asText());
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        String token = session.json().path("accessToken").asText();

        Hub.Reply accounts = hub.get("/accounts?withBalance=true", token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(accounts.status()).as(accounts.toString()).isEqualTo(200);
        assertThat(hub.get("/accounts", token).status()).isEqualTo(200);
        String id = accounts.json().path("accounts").path(0).path("resourceId").asText();
        String from = LocalDate.now().minusDays(90).toString();
        for (String path : List.of("/accounts/" + id + "/balances",
                "/accounts/" + id + "/transactions?bookingStatus=booked&dateFrom=" + from,
                "/accounts/" + id + "/transactions?bookingStatus=both&dateFrom=" + from + "&dateTo=" + LocalDate.now()
                        + "&withBalance=true",
                "/accounts/" + id + "/transactions?bookingStatus=pending&dateFrom=" + from,
                "/accounts/" + id + "/transactions?bookingStatus=booked&dateFrom=" + from + "&pageIndex=1&itemsPerPage=10",
                "/consents/current")) {
            Hub.Reply r = hub.get(path, token, "PSU-IP-Address", Hub.PSU_IP);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
        }
        assertThat(hub.get("/accounts/" + id + "/balances", token).status()).isEqualTo(200); // unattended
        assertThat(hub.get("/accounts/unknown-account-1/balances", token, "PSU-IP-Address", Hub.PSU_IP).status())
                .isBetween(400, 499);
        Hub.Reply revoked = hub.send("DELETE", "/consents/current", null, null, "Authorization", "Bearer " + token);
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theHubsRequestsReachedEveryBerlinGroupEndpointItUses() {
        for (String bank : List.of("alpha", "beta")) {
            Set<String> seen = hub.local.bank(bank).exchanges().stream()
                    .map(x -> x.method() + " " + x.path().replaceAll("/v1/consents/[^/]+", "/v1/consents/{id}")
                            .replaceAll("/v1/accounts/[^/]+", "/v1/accounts/{id}"))
                    .collect(Collectors.toSet());
            assertThat(seen).as(bank).contains("POST /v1/consents", "GET /v1/consents/{id}", "DELETE /v1/consents/{id}",
                    "GET /v1/accounts", "GET /v1/accounts/{id}/balances", "GET /v1/accounts/{id}/transactions");
        }
    }

    @Test
    void bothBanksRecordedNoContractViolation() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String bank : List.of("alpha", "beta")) {
            SandboxBank b = hub.local.bank(bank);
            List<BerlinGroupContract.Violations> violations = b.violations();
            assertThat(violations).as(bank + " (requests the hub sent)")
                    .allSatisfy(v -> assertThat(v.request()).as(v.toString()).isEmpty());
            b.assertContractClean();

            HttpResponse<String> admin = http.send(HttpRequest.newBuilder(URI.create(b.adminUrl() + "/admin/violations"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(admin.statusCode()).isEqualTo(200);
            JsonNode report = Hub.JSON.readTree(admin.body());
            assertThat(report.path("contract").asBoolean()).as(admin.body()).isTrue();
            assertThat(report.path("violations").size()).as(admin.body()).isZero();
        }
    }
}
