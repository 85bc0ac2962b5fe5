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
 * Mutual TLS, the hub's side: bank beta switched (admin API) to its expired server certificate before the hub ever
 * connected to it, so no pooled connection with the valid certificate exists. The hub must refuse the handshake and
 * answer the CRM with a problem+json (502/503) that gives no internals away; nothing reaches the bank.
 */
class MtlsTest {
    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theHubRefusesABankWithAnExpiredServerCertificate() throws Exception {
        crm.admin("beta", "POST", "/admin/server-certificate", "{\"expired\":true}");
        assertThat(hub.bank("beta").usesExpiredServerCertificate()).isTrue();

        HttpResponse<String> r = crm.createConsent("beta");

        assertThat(r.statusCode()).as(r.body()).isIn(502, 503);
        Crm.assertProblemWithoutInternals(r);
        assertThat(r.body()).contains("\"status\":" + r.statusCode()).contains("urn:psd2-hub:problem:bank-");
        assertThat(hub.bank("beta").exchanges()).as("no Berlin Group request got through").isEmpty();
    }
}
