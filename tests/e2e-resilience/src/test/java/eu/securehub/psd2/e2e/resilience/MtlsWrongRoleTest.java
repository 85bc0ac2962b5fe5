package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.testpki.TestPki;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS, the bank's side: the hub's QWAC is the test PKI's NO_AI_ROLE variant (PSP_PI only), so the bank refuses
 * account information (401 ROLE_INVALID); the CRM gets a problem+json without internals.
 */
class MtlsWrongRoleTest {
    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY)
                .qwacVariant(TestPki.Variant.NO_AI_ROLE));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theBankRefusesAQwacWithoutThePspAiRoleAndTheCrmGetsAProblem() throws Exception {
        HttpResponse<String> r = crm.createConsent("alpha");

        assertThat(r.statusCode()).as(r.body()).isBetween(400, 599).isNotEqualTo(500);
        Crm.assertProblemWithoutInternals(r);
        assertThat(r.body()).contains("urn:psd2-hub:problem:bank-").contains("\"bankCode\":\"ROLE_INVALID\"");
        assertThat(crm.awaitBankExchanges("alpha", r, 1)).as("the bank saw the request and refused it")
                .anySatisfy(e -> {
                    assertThat(e.path()).isEqualTo("/v1/consents");
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(new String(e.responseBody(), java.nio.charset.StandardCharsets.UTF_8))
                            .contains("ROLE_INVALID");
                });
    }
}
