package eu.securehub.psd2.localhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.testpki.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Options.accessTokenLifetime, Options.bankServerCredential and Options.requireSignatures: per bank, copied, validated. */
class BankOptionsTest {
    static final Path ROOT = Path.of("/nowhere");

    @Test
    void accessTokenLifetimeIsPerBankAndDefaultsToTheSandboxBanks() {
        LocalHub.Options base = LocalHub.Options.freePorts(ROOT, Path.of("/tmp/x"));
        LocalHub.Options o = base.accessTokenLifetime("alpha", Duration.ofSeconds(5));
        assertThat(o.accessTokenLifetime("alpha")).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.accessTokenLifetime("beta")).isNull();
        assertThat(base.accessTokenLifetime("alpha")).as("options are immutable").isNull();
        assertThat(o.consumerKey("k").accessTokenLifetime("alpha")).as("kept by copies")
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void accessTokenLifetimeIsValidated() {
        LocalHub.Options base = LocalHub.Options.freePorts(ROOT, Path.of("/tmp/x"));
        assertThatThrownBy(() -> base.accessTokenLifetime("omega", Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("omega");
        assertThatThrownBy(() -> base.accessTokenLifetime("alpha", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bankServerCredentialReplacesTheTestPkisForThatBankOnly() {
        TestPki pki = TestPki.create(List.of("alpha", "beta"));
        TestPki other = TestPki.create(List.of("alpha", "beta"));
        LocalHub.Options base = LocalHub.Options.freePorts(ROOT, Path.of("/tmp/x"));
        assertThat(base.bankServerCredential("beta", pki)).isEqualTo(pki.bankServer("beta"));

        LocalHub.Options o = base.bankServerCredential("beta", other.bankServer("beta"));
        assertThat(o.bankServerCredential("beta", pki)).isEqualTo(other.bankServer("beta"));
        assertThat(o.bankServerCredential("alpha", pki)).isEqualTo(pki.bankServer("alpha"));
        assertThat(o.qwacVariant(TestPki.Variant.NO_AI_ROLE).bankServerCredential("beta", pki))
                .isEqualTo(other.bankServer("beta"));
        assertThat(base.bankServerCredential("beta", pki)).isEqualTo(pki.bankServer("beta"));
        assertThatThrownBy(() -> base.bankServerCredential("omega", other.bankServer("beta")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void requireSignaturesAddsABankToGammaAndIsCopied() {
        LocalHub.Options base = LocalHub.Options.freePorts(ROOT, Path.of("/tmp/x"));
        assertThat(LocalHub.BANKS).filteredOn(base::requiresSignatures).as("the default: gamma, as the registry says")
                .containsExactly("gamma");
        LocalHub.Options o = base.requireSignatures("beta");
        assertThat(LocalHub.BANKS).filteredOn(o::requiresSignatures).containsExactly("beta", "gamma");
        assertThat(base.requiresSignatures("beta")).as("options are immutable").isFalse();
        assertThat(o.consumerKey("k").accessTokenLifetime("alpha", Duration.ofSeconds(5)).requiresSignatures("beta"))
                .as("kept by copies").isTrue();
        assertThat(o.requireSignatures("gamma").requiresSignatures("gamma")).isTrue();
        assertThatThrownBy(() -> base.requireSignatures("omega"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("omega");
    }
}
