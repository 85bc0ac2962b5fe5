package eu.securehub.psd2.e2e.resilience;

import static eu.securehub.psd2.e2e.resilience.Crm.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS, the hub's side: after a whole journey at bank beta, the bank switches (admin API) to its expired server
 * certificate and drops its open connections, so the hub's next call to the bank's TargetEndpoint fails its TLS
 * handshake. Apigee X raises messaging.adaptors.http.flow.SslHandshakeFailed (503) for that (runtime error catalog);
 * the CRM must get 503 bank-unavailable without internals, never a 500, and the failures must count as bank faults
 * in the breaker (threshold 3 here), which then answers at once with Retry-After.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MtlsTest {
    static final String BREAKER = "{\"failureThreshold\":3,\"windowSeconds\":60,\"openSeconds\":60,\"slowCallMs\":10000,"
            + "\"halfOpenPermitted\":1}";

    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;
    static String betaToken;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY)
                .bankProfile("beta", "breaker", BREAKER));
        crm = new Crm(hub);
        betaToken = crm.token("beta");
        crm.admin("beta", "POST", "/admin/server-certificate", "{\"expired\":true}");
        assertThat(hub.bank("beta").usesExpiredServerCertificate()).isTrue();
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    @Order(1)
    void aFailedHandshakeWithTheBankIs503BankUnavailable() throws Exception {
        HttpResponse<String> r = crm.read(betaToken, "/accounts", true);

        assertProblem(r, 503, "bank-unavailable");
        assertThat(r.body()).contains("\"status\":503").contains("\"code\":\"bank_unavailable\"");
        assertThat(crm.bankExchanges("beta", r)).as("no Berlin Group request got through").isEmpty();
    }

    @Test
    @Order(2)
    void failedHandshakesCountAsBankFaultsAndOpenTheBreaker() throws Exception {
        // One fault was recorded by the first test; two more reach the threshold of 3.
        for (int i = 2; i <= 3; i++) {
            HttpResponse<String> r = crm.read(betaToken, "/accounts", true);
            assertProblem(r, 503, "bank-unavailable");
            assertThat(r.headers().firstValue("Retry-After")).as("fault %d: the breaker is still closed", i).isEmpty();
        }
        HttpResponse<String> open = crm.read(betaToken, "/accounts", true);
        assertProblem(open, 503, "bank-unavailable");
        assertThat(open.headers().firstValue("Retry-After")).as("the breaker is open").isPresent();
    }

    @Test
    @Order(3)
    void theOtherBankIsUnaffected() throws Exception {
        HttpResponse<String> r = crm.createConsent("alpha");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
}
