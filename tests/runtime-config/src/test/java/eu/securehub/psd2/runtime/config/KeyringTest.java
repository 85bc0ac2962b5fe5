package eu.securehub.psd2.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.localkms.LocalKms;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.testpki.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local environment's keyring, created with kms-key-tool against LocalKms into a folder outside the repo. */
class KeyringTest {
    static final String TOKEN = "runtime-config-token";
    static final String KEK = "projects/psd2-local/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/dek-kek";

    @TempDir
    static Path pkiDir;

    @TempDir
    Path work;

    private LocalKms kms;

    @BeforeAll
    static void pki() {
        TestPki.create(List.of("alpha", "beta")).writeTo(pkiDir);
    }

    @BeforeEach
    void startKms() {
        kms = LocalKms.start(0, TOKEN);
        kms.createKey(KEK);
    }

    @AfterEach
    void stopKms() {
        kms.close();
    }

    private LocalEnvironment.Options options() {
        return LocalEnvironment.Options.defaults().systemPlaceholders(false).pkiDir(pkiDir)
                .messageLog(work.resolve("m.jsonl"));
    }

    @Test
    void createdKeyringIsInTheKeysMapAndUnwrapsAtTheLocalKms() throws Exception {
        Path dir = work.resolve("keyring");
        try (LocalEnvironment env = LocalEnvironment.load(LocalEnvironmentTest.ROOT, "local", options()
                .createKeyring(new LocalEnvironment.KeyringSpec(kms.endpoint(), TOKEN, KEK, dir))
                .googleAccessToken(TOKEN)
                .kvmEntry("psd2-hub-config", "kms-endpoint", kms.baseUrl().toString()))) {

            String value = env.kvms().get("psd2-hub-keys", "dek-keyring", Duration.ZERO).orElseThrow();
            Keyring ring = Keyring.of(value);
            assertThat(ring.kek()).isEqualTo(KEK);
            assertThat(ring.keys()).hasSize(1);
            assertThat(kms.encryptCalls()).isEqualTo(1);
            assertThat(env.keyringFile()).contains(dir.resolve("kvms/local/psd2-hub-keys.json"));
            assertThat(dir.resolve("kvms/local/psd2-hub-keys.json")).exists();
            assertThat(env.kvms().get("psd2-hub-config", "kms-endpoint", Duration.ZERO))
                    .contains(kms.baseUrl().toString());
            assertThat(env.googleTokens().token(List.of())).isEqualTo(TOKEN);
        }

        // The written file is loadable as it is.
        try (LocalEnvironment again = LocalEnvironment.load(LocalEnvironmentTest.ROOT, "local",
                options().keyringFile(dir.resolve("kvms/local/psd2-hub-keys.json")))) {
            assertThat(Keyring.of(again.kvms().get("psd2-hub-keys", "dek-keyring", Duration.ZERO).orElseThrow()).kek())
                    .isEqualTo(KEK);
        }
    }

    @Test
    void aRefusedTokenIsAClearError() {
        assertThatThrownBy(() -> LocalEnvironment.load(LocalEnvironmentTest.ROOT, "local", options()
                .createKeyring(new LocalEnvironment.KeyringSpec(kms.endpoint(), "wrong-token", KEK, work.resolve("k")))))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("kms-key-tool could not create the keyring")
                .hasMessageContaining("credentials");
    }
}
