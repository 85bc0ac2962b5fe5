package eu.securehub.psd2.e2e.resilience;

import static eu.securehub.psd2.e2e.resilience.Crm.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The circuit breaker (shared flow psd2-circuit-breaker-v1) end to end, with both banks' breakers overridden short:
 * threshold 3 faults in 60 s, open for 2 s, slow from 2 s (well above a cold first call, which would otherwise count as slow), one half-open probe. Faults are injected at the
 * sandbox bank's admin port on /v1/accounts only (consents and OAuth stay healthy); the bank's recorded /v1
 * exchanges, found by each request's X-Request-ID, tell whether it reached the bank. Every read is customer-present (PSU-IP-Address), so no budget
 * interferes. The order matters: 4xx/429 first on a clean alpha, then the 5xx trip on alpha, slow calls on beta.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BreakerTest {
    static final String BREAKER = "{\"failureThreshold\":3,\"windowSeconds\":60,\"openSeconds\":2,\"slowCallMs\":2000,"
            + "\"halfOpenPermitted\":1}";
    static final long OPEN_MS = 2000;

    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;
    static String alphaToken;
    static String betaToken;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY)
                .bankProfile("alpha", "breaker", BREAKER).bankProfile("beta", "breaker", BREAKER));
        crm = new Crm(hub);
        alphaToken = crm.token("alpha");
        betaToken = crm.token("beta");
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @AfterEach
    void noFaults() throws Exception {
        crm.clearFaults("alpha");
        crm.clearFaults("beta");
    }

    private HttpResponse<String> readAccounts(String token) throws Exception {
        return crm.read(token, "/accounts", true);
    }

    @Test
    @Order(1)
    void clientErrorsFromTheBankDoNotTripIt() throws Exception {
        // An account the consent does not know: the bank answers 4xx (RESOURCE_UNKNOWN / CONSENT_INVALID).
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = crm.read(alphaToken, "/accounts/no-such-account-" + i + "/balances", true);
            assertThat(crm.awaitBankExchanges("alpha", r, 1)).as("every call reaches the bank").hasSize(1);
            assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
            assertThat(r.body()).contains("urn:psd2-hub:problem:").doesNotContain("bank-unavailable");
            Crm.assertProblemWithoutInternals(r);
        }
        HttpResponse<String> ok = readAccounts(alphaToken);
        assertThat(ok.statusCode()).as("the breaker stayed closed: " + ok.body()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void serverErrorsTripItAtTheThresholdThenItAnswers503AtOnceWithoutCallingTheBank() throws Exception {
        crm.faults("alpha", "{\"clear\":true,\"errorRate\":1.0,\"errorStatus\":503,\"pathPrefix\":\"/v1/accounts\"}");
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> r = readAccounts(alphaToken);
            assertThat(crm.awaitBankExchanges("alpha", r, 1)).as("fault " + i + " reaches the bank").hasSize(1);
            assertProblem(r, 502, "bank-error");
        }

        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> open = readAccounts(alphaToken);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertProblem(open, 503, "bank-unavailable");
            assertThat(open.headers().firstValue("Retry-After")).as("Retry-After")
                    .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 2));
            assertThat(ms).as("answered at once").isLessThan(1000);
            assertThat(crm.bankExchanges("alpha", open)).as("no request reaches the bank while open").isEmpty();
        }
    }

    @Test
    @Order(3)
    void afterOpenSecondsOneProbeGoesThroughAFailedProbeReopensASuccessfulOneCloses() throws Exception {
        // Still failing: the probe reaches the bank, fails, and the breaker opens again.
        crm.faults("alpha", "{\"clear\":true,\"errorRate\":1.0,\"errorStatus\":503,\"pathPrefix\":\"/v1/accounts\"}");
        Thread.sleep(OPEN_MS + 300);
        HttpResponse<String> probe = readAccounts(alphaToken);
        assertThat(crm.awaitBankExchanges("alpha", probe, 1)).as("the half-open probe reaches the bank").hasSize(1);
        assertProblem(probe, 502, "bank-error");
        HttpResponse<String> reopened = readAccounts(alphaToken);
        assertProblem(reopened, 503, "bank-unavailable");
        assertThat(reopened.headers().firstValue("Retry-After")).isPresent();
        assertThat(crm.bankExchanges("alpha", reopened)).as("re-opened: no request").isEmpty();

        // The bank recovers: after openSeconds the probe succeeds and the breaker closes.
        crm.clearFaults("alpha");
        Thread.sleep(OPEN_MS + 300);
        HttpResponse<String> ok = readAccounts(alphaToken);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("\"accounts\"");
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = readAccounts(alphaToken);
            assertThat(r.statusCode()).as("closed again: " + r.body()).isEqualTo(200);
            assertThat(crm.awaitBankExchanges("alpha", r, 1)).hasSize(1);
        }
    }

    @Test
    @Order(4)
    void slowCallsTripItToo() throws Exception {
        crm.faults("beta", "{\"clear\":true,\"latencyMs\":2300,\"pathPrefix\":\"/v1/accounts\"}");
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> slow = readAccounts(betaToken);
            assertThat(slow.statusCode()).as("slow but answered: " + slow.body()).isEqualTo(200);
            assertThat(crm.awaitBankExchanges("beta", slow, 1)).hasSize(1);
        }
        HttpResponse<String> open = readAccounts(betaToken);
        assertProblem(open, 503, "bank-unavailable");
        assertThat(open.headers().firstValue("Retry-After")).isPresent();
        assertThat(crm.bankExchanges("beta", open)).as("open after 3 slow calls: no request").isEmpty();

        crm.clearFaults("beta");
        Thread.sleep(OPEN_MS + 300);
        HttpResponse<String> ok = readAccounts(betaToken);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void afterRecoveryASingleFaultDoesNotReopenIt() throws Exception {
        // alpha closed again in test 3; its earlier faults are still within the 60 s window.
        crm.faults("alpha", "{\"clear\":true,\"errorRate\":1.0,\"errorStatus\":503,\"pathPrefix\":\"/v1/accounts\"}");
        assertProblem(readAccounts(alphaToken), 502, "bank-error");
        crm.clearFaults("alpha");

        HttpResponse<String> next = readAccounts(alphaToken);
        assertThat(next.statusCode()).as("one fault after recovery must not re-open the breaker: " + next.body())
                .isEqualTo(200);
    }
}
