package eu.securehub.psd2.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.runtime.spi.App;
import eu.securehub.psd2.runtime.spi.KeyStoreEntry;
import eu.securehub.psd2.runtime.spi.SslInfo;
import eu.securehub.psd2.runtime.spi.TargetServer;
import eu.securehub.psd2.testpki.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Environment {@code local} loaded from the real repository, with a test PKI generated into a temporary folder. */
class LocalEnvironmentTest {
    static final Path ROOT = Path.of(System.getProperty("hub.root", "../..")).toAbsolutePath().normalize();
    static final String KEY = "test-consumer-key-0123456789";

    @TempDir
    static Path pkiDir;
    static TestPki pki;

    @TempDir
    Path work;

    private LocalEnvironment env;

    @BeforeAll
    static void pki() {
        pki = TestPki.create(List.of("alpha", "beta", "gamma", "delta"));
        pki.writeTo(pkiDir);
    }

    static LocalEnvironment.Options options(Path work) {
        return TestQseal.with(LocalEnvironment.Options.defaults(), pki)
                .systemPlaceholders(false)
                .pkiDir(pkiDir)
                .consumerKey("crm-backend", KEY)
                .messageLog(work.resolve("messages.jsonl"));
    }

    private LocalEnvironment load(LocalEnvironment.Options options) {
        env = LocalEnvironment.load(ROOT, "local", options);
        return env;
    }

    @AfterEach
    void close() {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void targetServersAreTheBanksWithSslByReference() {
        load(options(work));

        assertThat(env.name()).isEqualTo("local");
        assertThat(env.targetServers()).containsOnlyKeys("bank-alpha", "bank-beta", "bank-gamma", "bank-delta");
        TargetServer alpha = env.targetServer("bank-alpha").orElseThrow();
        assertThat(alpha.host()).isEqualTo("127.0.0.1");
        assertThat(alpha.port()).isEqualTo(8443);
        assertThat(alpha.enabled()).isTrue();
        assertThat(alpha.ssl()).contains(new SslInfo(true, true, true, "ref://psd2-qwac-keystore-ref", "qwac",
                "ref://psd2-bank-truststore-ref", List.of("TLSv1.2", "TLSv1.3")));
        assertThat(env.targetServer("bank-beta").orElseThrow().port()).isEqualTo(8444);
        assertThat(env.targetServer("bank-gamma").orElseThrow().port()).isEqualTo(8445);
        assertThat(env.targetServer("bank-omega")).isEmpty();
    }

    @Test
    void referencesResolveToTheQwacKeyAndTheBankCas() throws Exception {
        load(options(work));

        KeyStoreEntry qwac = env.keyStore("ref://psd2-qwac-keystore-ref").orElseThrow();
        assertThat(qwac.aliases()).containsExactly("qwac");
        KeyStore ks = qwac.keyStore();
        assertThat(ks.isKeyEntry("qwac")).isTrue();
        assertThat(ks.getKey("qwac", qwac.password())).isNotNull();
        assertThat(ks.getCertificate("qwac")).isEqualTo(pki.qwac().certificate());
        assertThat(ks.getCertificateChain("qwac")).hasSizeGreaterThanOrEqualTo(2);

        KeyStoreEntry trust = env.keyStore("ref://psd2-bank-truststore-ref").orElseThrow();
        assertThat(trust.aliases()).containsExactlyInAnyOrder("bank-alpha", "bank-beta", "bank-gamma", "bank-delta");
        assertThat(((X509Certificate) trust.keyStore().getCertificate("bank-alpha"))).isEqualTo(pki.bankCa("alpha"));
        assertThat(((X509Certificate) trust.keyStore().getCertificate("bank-beta"))).isEqualTo(pki.bankCa("beta"));
        assertThat(trust.keyStore().isCertificateEntry("bank-alpha")).isTrue();

        // By keystore name, by a reference's plain name; nothing else.
        assertThat(env.keyStore("psd2-qwac-keystore")).containsSame(qwac);
        assertThat(env.keyStore("psd2-bank-truststore-ref")).containsSame(trust);
        assertThat(env.keyStore("ref://psd2-qwac-keystore")).isEmpty();
        assertThat(env.keyStore("nope")).isEmpty();
        assertThat(env.references()).containsEntry("psd2-qwac-keystore-ref", "psd2-qwac-keystore");
    }

    @Test
    void explicitPasswordOptionOpensTheQwac() throws Exception {
        Files.copy(pkiDir.resolve("qwac.p12"), work.resolve("qwac.p12"));
        Files.copy(pkiDir.resolve("bank-alpha-ca.pem"), work.resolve("bank-alpha-ca.pem"));
        Files.copy(pkiDir.resolve("bank-beta-ca.pem"), work.resolve("bank-beta-ca.pem"));
        Files.copy(pkiDir.resolve("bank-gamma-ca.pem"), work.resolve("bank-gamma-ca.pem"));
        Files.copy(pkiDir.resolve("bank-delta-ca.pem"), work.resolve("bank-delta-ca.pem"));
        // No password.txt in this folder: the option gives it.
        load(options(work).pkiDir(work).qwacPassword(pki.password()));

        assertThat(env.keyStore("ref://psd2-qwac-keystore-ref").orElseThrow().keyStore().getCertificate("qwac"))
                .isEqualTo(pki.qwac().certificate());
    }

    @Test
    void kvmsHoldTheInitialEntriesWithBankProfilesAsJsonStrings() throws Exception {
        load(options(work));

        Optional<String> alpha = env.kvms().get("psd2-hub-banks", "alpha", Duration.ZERO);
        assertThat(alpha).isPresent();
        @SuppressWarnings("unchecked")
        Map<String, Object> profile = (Map<String, Object>) Json.parse(alpha.get());
        assertThat(profile).containsEntry("bankId", "alpha").containsEntry("issuer", "https://127.0.0.1:8443");
        assertThat(alpha.get()).doesNotContain("\n");
        assertThat(env.kvms().get("psd2-hub-banks", "beta", Duration.ZERO).orElseThrow()).contains("\"bankId\":\"beta\"");
        assertThat(env.kvms().get("psd2-hub-config", "pending-ttl-seconds", Duration.ZERO)).contains("600");
        assertThat(env.kvms().get("psd2-hub-config", "kms-endpoint", Duration.ZERO)).contains("http://127.0.0.1:8089/v1");
        assertThat(env.kvms().get("psd2-hub-tokens", "anything", Duration.ZERO)).isEmpty();
        // Writable as the flows write them.
        env.kvms().put("psd2-hub-tokens", "t1", "v1", true);
        assertThat(env.kvms().get("psd2-hub-tokens", "t1", Duration.ofSeconds(60))).contains("v1");
    }

    @Test
    void kvmEntryOptionOverridesAnInitialEntry() {
        load(options(work).kvmEntry("psd2-hub-config", "kms-endpoint", "http://127.0.0.1:1234/v1"));

        assertThat(env.kvms().get("psd2-hub-config", "kms-endpoint", Duration.ZERO)).contains("http://127.0.0.1:1234/v1");
        assertThat(env.kvmStore().storedValue("psd2-hub-config", "callback-url")).isPresent();
    }

    @Test
    void theAppsKeyVerifiesAndCarriesReturnUrls() {
        load(options(work));

        assertThat(env.consumerKeys()).containsExactly(Map.entry("crm-backend", KEY));
        App app = env.apiKeys().verify(KEY).orElseThrow();
        assertThat(app.appName()).isEqualTo("crm-backend");
        assertThat(app.developerEmail()).isEqualTo("crm-platform@crm.example");
        assertThat(app.apiProducts()).containsExactly("psd2-hub-crm");
        assertThat(app.attributes()).containsEntry("returnUrls", "https://crm.example/psd2/return");
        assertThat(app.status()).isEqualTo("approved");
        assertThat(app.appId()).isNotBlank();
        assertThat(app.developerId()).isNotBlank();
        assertThat(env.apiKeys().verify("wrong-key")).isEmpty();
        assertThat(env.apiKeys().verify(null)).isEmpty();

        ApiProduct product = env.apiProducts().get("psd2-hub-crm");
        assertThat(product.environments()).contains("local");
        assertThat(product.operations()).containsExactly(
                new ApiProduct.Operation("psd2-hub-v1", "/**", List.of("GET", "POST", "DELETE")));
        assertThat(product.attributes()).containsEntry("access", "private");
    }

    @Test
    void returnUrlsOptionPointsTheAppAtALocalCrm() {
        load(options(work).returnUrls("http://localhost:9000/crm/return"));

        assertThat(env.apiKeys().verify(KEY).orElseThrow().attributes())
                .containsEntry("returnUrls", "http://localhost:9000/crm/return");
    }

    @Test
    void aLocalAppCopyIsAnotherAppWithTheFirstOnesProductsAndAttributes() {
        load(options(work).returnUrls("http://localhost:9000/crm/return").appCopy("crm-other", "other-key-0123456789"));

        App first = env.apiKeys().verify(KEY).orElseThrow();
        App other = env.apiKeys().verify("other-key-0123456789").orElseThrow();
        assertThat(other.appName()).isEqualTo("crm-other");
        assertThat(other.appId()).isNotEqualTo(first.appId());
        assertThat(other.apiProducts()).isEqualTo(first.apiProducts());
        assertThat(other.attributes()).isEqualTo(first.attributes());
        assertThat(env.consumerKeys()).containsKeys("crm-backend", "crm-other");
    }

    @Test
    void consumerKeysAreRandomPerStartWithoutTheOption() {
        LocalEnvironment.Options random = TestQseal.with(LocalEnvironment.Options.defaults(), pki).systemPlaceholders(false).pkiDir(pkiDir)
                .messageLog(work.resolve("m.jsonl"));
        String first;
        try (LocalEnvironment one = LocalEnvironment.load(ROOT, "local", random)) {
            first = one.consumerKey("crm-backend");
            assertThat(first).hasSize(48).matches("[A-Za-z0-9]+");
            assertThat(one.apiKeys().verify(first)).isPresent();
        }
        try (LocalEnvironment two = LocalEnvironment.load(ROOT, "local", random)) {
            assertThat(two.consumerKey("crm-backend")).isNotEqualTo(first);
            assertThat(two.apiKeys().verify(first)).isEmpty();
        }
    }

    @Test
    void messageLogWritesJsonLines() throws Exception {
        load(options(work));

        env.messageLog().write("psd2-hub", "hello", Map.of("bank", "alpha"));

        assertThat(env.messageLogFile()).isEqualTo(work.resolve("messages.jsonl"));
        List<String> lines = Files.readAllLines(env.messageLogFile());
        assertThat(lines).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> line = (Map<String, Object>) Json.parse(lines.get(0));
        assertThat(line).containsEntry("logName", "psd2-hub").containsEntry("message", "hello");
    }

    @Test
    void googleTokensAndClockComeFromTheOptions() {
        Clock fixed = Clock.fixed(Instant.now(), ZoneOffset.UTC);
        load(options(work).googleAccessToken("kms-token").clock(fixed));

        assertThat(env.googleTokens().token(List.of("https://www.googleapis.com/auth/cloud-platform")))
                .isEqualTo("kms-token");
        assertThat(env.clock()).isSameAs(fixed);
        env.caches().put("c", "k", "v", Duration.ofSeconds(10));
        assertThat(env.caches().get("c", "k")).contains("v");
    }

    @Test
    void noGoogleTokenIsAClearErrorAtUse() {
        load(options(work));

        assertThatThrownBy(() -> env.googleTokens().token(List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("googleAccessToken");
    }
}
