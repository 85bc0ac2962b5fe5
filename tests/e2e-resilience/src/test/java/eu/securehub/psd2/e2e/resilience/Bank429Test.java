package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank's own 429 ACCESS_EXCEEDED (injected at the sandbox bank: errorStatus 429 on /v1/accounts) is a client
 * error of the bank, not a bank failure: with the breaker's threshold at 3, five 429s in a row leave it closed, and
 * the next read reaches the bank and succeeds. Each 429 reaches the CRM as a problem+json without internals: status
 * 429, type bank-error, bankCode ACCESS_EXCEEDED (not the hub's own budget-exhausted).
 * Customer-present reads (PSU-IP-Address), so the hub's own unattended budget plays no part.
 */
class Bank429Test {
    static final String BREAKER = "{\"failureThreshold\":3,\"windowSeconds\":60,\"openSeconds\":30,\"slowCallMs\":5000,"
            + "\"halfOpenPermitted\":1}";

    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY)
                .bankProfile("alpha", "breaker", BREAKER));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void accessExceededFromTheBankReachesTheCrmAsAProblemAndDoesNotTripTheBreaker() throws Exception {
        String token = crm.token("alpha");
        crm.faults("alpha", "{\"clear\":true,\"errorRate\":1.0,\"errorStatus\":429,\"pathPrefix\":\"/v1/accounts\"}");
        try {
            for (int i = 1; i <= 5; i++) {
                HttpResponse<String> r = crm.read(token, "/accounts", true);
                assertThat(crm.awaitBankExchanges("alpha", r, 1)).as("429 number " + i + " reaches the bank, once")
                        .singleElement().satisfies(e -> assertThat(e.status()).isEqualTo(429));
                // What the hub does: the bank's status is passed on, as a bank-error with the bank's code.
                Crm.assertProblem(r, 429, "bank-error");
                assertThat(r.body()).contains("\"bankCode\":\"ACCESS_EXCEEDED\"")
                        .doesNotContain("budget-exhausted").doesNotContain("fault injection");
            }
        } finally {
            crm.clearFaults("alpha");
        }

        HttpResponse<String> ok = crm.read(token, "/accounts", true);
        assertThat(ok.statusCode()).as("the breaker stayed closed: " + ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("\"accounts\"");
        assertThat(crm.awaitBankExchanges("alpha", ok, 1)).as("the read reached the bank").hasSize(1);
    }
}
