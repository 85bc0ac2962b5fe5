package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.testpki.TestPki;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS with a QWAC that lacks the PSD2 role of an enabled service (the test PKI's NO_AI_ROLE variant: PSP_PI
 * only, while the registry enables AIS): the environment refuses to load, as the deploy refuses it
 * (config-assembler's certificate check), naming the role and the banks; no request ever reaches a bank that would
 * answer 401 ROLE_INVALID (the sandbox's own refusal is tested in tests/sandbox-bank, MutualTlsTest).
 */
class MtlsWrongRoleTest {
    @TempDir
    static Path work;

    @Test
    void aQwacWithoutThePspAiRoleIsRefusedBeforeAnyBankIsCalled() {
        assertThatThrownBy(() -> LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY)
                .qwacVariant(TestPki.Variant.NO_AI_ROLE)).close())
                .hasMessageContaining("lacks the PSD2 role PSP_AI that service AIS needs")
                .hasMessageContaining("its roles: [PSP_PI]")
                .hasMessageNotContaining("password");
    }
}
