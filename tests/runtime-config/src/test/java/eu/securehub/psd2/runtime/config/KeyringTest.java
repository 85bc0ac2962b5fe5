package eu.securehub.psd2.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.callouts.crypto.QsealEntry;
import eu.securehub.psd2.localkms.LocalKms;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.testpki.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    private static TestPki pki;

    @TempDir
    Path work;

    private LocalKms kms;

    @BeforeAll
    static void pki() {
        pki = TestPki.create(List.of("alpha", "beta", "gamma", "delta"));
        pki.writeTo(pkiDir);
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
        return TestQseal.noBankSigns(LocalEnvironment.Options.defaults()).systemPlaceholders(false).pkiDir(pkiDir)
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
    void aKeyringSpecNamingTheQsealImportsItIntoTheKeysMap() throws Exception {
        Path dir = work.resolve("keyring");
        LocalEnvironment.KeyringSpec spec = new LocalEnvironment.KeyringSpec(kms.endpoint(), TOKEN, KEK, dir)
                .withQseal(pkiDir.resolve("qseal.p12"), null); // the password.txt beside it
        try (LocalEnvironment env = LocalEnvironment.load(LocalEnvironmentTest.ROOT, "local", options().createKeyring(spec))) {
            Keyring ring = Keyring.of(env.kvms().get("psd2-hub-keys", "dek-keyring", Duration.ZERO).orElseThrow());
            QsealEntry entry = QsealEntry.parse(env.kvms().get("psd2-hub-keys", "qseal", Duration.ZERO).orElseThrow());

            X509Certificate certificate = pki.qseal().certificate();
            assertThat(entry.keyId()).isEqualTo(QsealEntry.keyIdOf(certificate))
                    .startsWith("SN=" + certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT) + ",CA=");
            assertThat(entry.certificate()).isEqualTo(certificate);
            assertThat(entry.dataKeyId()).isEqualTo(ring.current());
            assertThat(kms.encryptCalls()).isEqualTo(1); // create wrapped the DEK
            assertThat(kms.decryptCalls()).isEqualTo(1); // qseal import unwrapped it

            // The private key opens under the keyring's DEK, as the unwrap round gives it to the callout, and is the QSEAL's.
            byte[] dek = unwrapAtTheLocalKms(ring, ring.current());
            DataKey key = DataKey.derive(ring.current(), dek);
            PrivateKey privateKey = entry.privateKey(id -> key);
            assertThat(((RSAPrivateKey) privateKey).getModulus()).isEqualTo(((RSAPrivateKey) pki.qseal().key()).getModulus());
        }
        assertThat(dir.resolve("kvms/local/psd2-hub-keys.json")).content().contains("\"name\": \"qseal\"");

        // An explicit password works the same; a wrong one is a clear error naming the tool and the file.
        kms.resetCounters();
        try (LocalEnvironment env = LocalEnvironment.load(LocalEnvironmentTest.ROOT, "local", options()
                .createKeyring(spec.withQseal(pkiDir.resolve("qseal.p12"), pki.password())))) {
            assertThat(env.kvms().get("psd2-hub-keys", "qseal", Duration.ZERO)).isPresent();
        }
        assertThatThrownBy(() -> LocalEnvironment.load(LocalEnvironmentTest.ROOT, "local", options()
                .createKeyring(spec.withQseal(pkiDir.resolve("qseal.p12"), "wrong".toCharArray()))))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("kms-key-tool could not import the QSEAL of " + pkiDir.resolve("qseal.p12"))
                .hasMessageContaining("wrong password, or not a PKCS#12 file");
    }

    @Test
    void withoutAQsealTheKeysMapHasOnlyTheKeyring() {
        try (LocalEnvironment env = LocalEnvironment.load(LocalEnvironmentTest.ROOT, "local", options()
                .createKeyring(new LocalEnvironment.KeyringSpec(kms.endpoint(), TOKEN, KEK, work.resolve("k"))))) {
            assertThat(env.kvms().get("psd2-hub-keys", "qseal", Duration.ZERO)).isEmpty();
            assertThat(kms.decryptCalls()).isZero();
        }
        assertThat(new LocalEnvironment.KeyringSpec(kms.endpoint(), TOKEN, KEK, work).withQseal(work.resolve("q.p12"), "pw".toCharArray())
                .toString()).doesNotContain("qsealPassword").contains("qsealP12=");
    }

    /** Cloud KMS decrypt over REST, as the hub's unwrap ServiceCallout calls it. */
    private byte[] unwrapAtTheLocalKms(Keyring ring, String keyId) throws Exception {
        String body = "{\"ciphertext\":\"" + ring.key(keyId).wrapped() + "\",\"additionalAuthenticatedData\":\""
                + Base64.getEncoder().encodeToString(Keyring.kmsAad(keyId)) + "\"}";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(kms.baseUrl() + "/" + ring.kek() + ":decrypt"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Matcher m = Pattern.compile("\"plaintext\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
        assertThat(m.find()).isTrue();
        return Base64.getDecoder().decode(m.group(1));
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
