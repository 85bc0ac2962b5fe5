package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.testpki.TestPki;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS, the hub's side: bank beta serves a server certificate of another test PKI, issued by a CA that is
 * not in the hub's bank truststore (otherwise valid: names, dates, key usage). The hub must refuse the handshake:
 * 503 bank-unavailable as problem+json without internals, and the bank records no Berlin Group request.
 */
class WrongCaBankTest {
    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        TestPki foreign = TestPki.create(List.of("alpha", "beta"));
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY)
                .bankServerCredential("beta", foreign.bankServer("beta")));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theHubRefusesABankWhoseServerCertificateIsFromAnUntrustedCa() throws Exception {
        HttpResponse<String> r = crm.createConsent("beta");

        Crm.assertProblem(r, 503, "bank-unavailable");
        assertThat(r.body()).contains("\"status\":503");
        assertThat(crm.bankExchanges("beta", r)).as("no Berlin Group request got through").isEmpty();
    }

    @Test
    void theOtherBankIsUnaffected() throws Exception {
        HttpResponse<String> r = crm.createConsent("alpha");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
}
