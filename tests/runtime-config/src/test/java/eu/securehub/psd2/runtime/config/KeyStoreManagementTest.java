package eu.securehub.psd2.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.HttpRequestData;
import eu.securehub.psd2.runtime.spi.SslInfo;
import eu.securehub.psd2.testpki.Credential;
import eu.securehub.psd2.testpki.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management API's keystore calls on a running environment and the QWAC roll-over they make: a new keystore with the
 * successor under alias {@code qwac}, then {@code psd2-qwac-keystore-ref} pointed at it. bank-alpha's SSLInfo (the
 * reference, alias qwac) is used against a JDK HttpsServer that needs a client certificate and records each one.
 */
class KeyStoreManagementTest {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final String REF = "psd2-qwac-keystore-ref";
    static final String OLD = "psd2-qwac-keystore";
    static final String NEW = "psd2-qwac-keystore-2027";
    static final char[] UPLOAD_PASSWORD = "upload-password".toCharArray();

    @TempDir
    static Path pkiDir;
    static TestPki pki;

    @TempDir
    Path work;

    private LocalEnvironment env;
    private LocalEnvironment.KeyStoreManagement keyStores;
    private HttpsServer server;
    private int port;
    private final List<X509Certificate> presented = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void pki() {
        pki = TestPki.create(List.of("alpha", "beta", "gamma", "delta"));
        pki.writeTo(pkiDir);
    }

    @BeforeEach
    void start() throws Exception {
        env = LocalEnvironment.load(LocalEnvironmentTest.ROOT, "local", TestQseal.with(LocalEnvironment.Options.defaults(), pki)
                .systemPlaceholders(false).pkiDir(pkiDir).messageLog(work.resolve("m.jsonl")));
        keyStores = env.keyStoreManagement();
        port = serve(pki.bankServer("alpha"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
        env.close();
    }

    @Test
    void afterTheReferenceSwitchNewConnectionsPresentTheSuccessor() throws Exception {
        Credential next = pki.nextQwac();
        assertThat(call()).isEqualTo(pki.qwac().certificate());
        assertThat(call()).isEqualTo(pki.qwac().certificate());

        keyStores.createKeyStore(NEW);
        X509Certificate imported = keyStores.importPkcs12(NEW, "qwac", pkcs12(next), UPLOAD_PASSWORD);
        assertThat(imported).isEqualTo(next.certificate());
        // Imported but not referred to: the TargetServer still presents the old QWAC.
        assertThat(call()).isEqualTo(pki.qwac().certificate());
        assertThat(keyStores.keyCertificate(NEW, "qwac")).contains(next.certificate());
        assertThat(keyStores.keyCertificate("ref://" + REF, "qwac")).contains(pki.qwac().certificate());

        assertThat(keyStores.updateReference(REF, NEW)).isEqualTo(OLD);

        assertThat(keyStores.referredKeyStore(REF)).contains(NEW);
        assertThat(env.references()).containsEntry(REF, NEW);
        assertThat(env.keyStoreNames()).contains(OLD, NEW);
        assertThat(keyStores.keyCertificate("ref://" + REF, "qwac")).contains(next.certificate());
        // The TargetServer is unchanged: it names the reference, which now resolves to the new keystore.
        assertThat(alphaSsl().keyStore()).isEqualTo("ref://" + REF);
        assertThat(call()).isEqualTo(next.certificate());
        assertThat(call()).isEqualTo(next.certificate());
        assertThat(env.certificatesChecked()).anySatisfy(l -> assertThat(l).contains("checked"));

        // Pointing the reference back is the rollback.
        assertThat(keyStores.updateReference(REF, OLD)).isEqualTo(NEW);
        assertThat(call()).isEqualTo(pki.qwac().certificate());
    }

    @Test
    void aKeystoreWithoutTheAliasTheTargetServersPresentIsRefusedAndNothingChanges() throws Exception {
        keyStores.createKeyStore(NEW);
        keyStores.importPkcs12(NEW, "qwac-2027", pkcs12(pki.nextQwac()), UPLOAD_PASSWORD);

        assertThatThrownBy(() -> keyStores.updateReference(REF, NEW))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("TargetServer bank-")
                .hasMessageContaining("alias qwac")
                .hasMessageContaining(NEW);
        assertThat(keyStores.referredKeyStore(REF)).contains(OLD);
        assertThat(call()).isEqualTo(pki.qwac().certificate());

        keyStores.createKeyStore("empty");
        assertThatThrownBy(() -> keyStores.updateReference(REF, "empty")).isInstanceOf(ConfigError.class);
        assertThat(call()).isEqualTo(pki.qwac().certificate());
    }

    @Test
    void unknownReferencesAndKeystoresAndDuplicatesAreRefused() throws Exception {
        assertThatThrownBy(() -> keyStores.updateReference("no-such-ref", OLD))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no reference no-such-ref");
        assertThatThrownBy(() -> keyStores.updateReference(REF, "no-such-keystore"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no keystore no-such-keystore");
        assertThatThrownBy(() -> keyStores.createKeyStore(OLD)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> keyStores.createKeyStore(REF)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> keyStores.createKeyStore("bad/name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keyStores.importPkcs12("no-such-keystore", "qwac", pkcs12(pki.nextQwac()),
                UPLOAD_PASSWORD)).isInstanceOf(IllegalArgumentException.class);
        // An alias is never replaced in place, not even in the keystore the reference refers to.
        assertThatThrownBy(() -> keyStores.importPkcs12(OLD, "qwac", pkcs12(pki.nextQwac()), UPLOAD_PASSWORD))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has an alias qwac");
        assertThat(call()).isEqualTo(pki.qwac().certificate());
    }

    @Test
    void theImportAppliesTheLoadsChecks() throws Exception {
        keyStores.createKeyStore(NEW);
        assertThatThrownBy(() -> keyStores.importPkcs12(NEW, "qwac", pkcs12(pki.nextQwac()), "wrong".toCharArray()))
                .isInstanceOf(ConfigError.class).hasMessageContaining("wrong password");
        assertThatThrownBy(() -> keyStores.importPkcs12(NEW, "qwac", "not a PKCS#12 file".getBytes(), UPLOAD_PASSWORD))
                .isInstanceOf(ConfigError.class).hasMessageContaining("PKCS#12");
        assertThatThrownBy(() -> keyStores.importPkcs12(NEW, "qwac", pkcs12(pki.qwac(TestPki.Variant.EXPIRED)),
                UPLOAD_PASSWORD)).isInstanceOf(ConfigError.class).hasMessageContaining("not valid now");
        assertThatThrownBy(() -> keyStores.importPkcs12(NEW, "qwac", pkcs12(pki.qwac(TestPki.Variant.NOT_YET_VALID)),
                UPLOAD_PASSWORD)).isInstanceOf(ConfigError.class).hasMessageContaining("not valid now");
        // The alias TargetServers present gets the config step's certificate check too: PSD2 roles of the services.
        assertThatThrownBy(() -> keyStores.importPkcs12(NEW, "qwac", pkcs12(pki.qwac(TestPki.Variant.NO_AI_ROLE)),
                UPLOAD_PASSWORD)).isInstanceOf(ConfigError.class).hasMessageContaining("PSP_AI");
        // Nothing of the refused uploads was kept.
        assertThat(keyStores.keyCertificate(NEW, "qwac")).isEmpty();

        // ignoreExpiryValidation lets an expired certificate in under another alias, as the upload allows; under the
        // alias TargetServers present, the certificate check still refuses it.
        keyStores.importPkcs12(NEW, "archive", pkcs12(pki.qwac(TestPki.Variant.EXPIRED)), UPLOAD_PASSWORD, true);
        assertThat(keyStores.keyCertificate(NEW, "archive")).contains(pki.qwac(TestPki.Variant.EXPIRED).certificate());
        assertThatThrownBy(() -> keyStores.importPkcs12(NEW, "qwac", pkcs12(pki.qwac(TestPki.Variant.EXPIRED)),
                UPLOAD_PASSWORD, true)).isInstanceOf(ConfigError.class);

        keyStores.importPkcs12(NEW, "qwac", pkcs12(pki.nextQwac()), UPLOAD_PASSWORD);
        assertThat(keyStores.keyCertificate(NEW, "archive")).isPresent();
        assertThat(keyStores.updateReference(REF, NEW)).isEqualTo(OLD);
    }

    // ---------------------------------------------------------------- helpers

    private SslInfo alphaSsl() {
        return env.targetServer("bank-alpha").orElseThrow().ssl().orElseThrow();
    }

    /** One call with bank-alpha's SSLInfo; the client certificate the server saw. */
    private X509Certificate call() throws IOException {
        int before = presented.size();
        int status = env.http().send(new HttpRequestData("GET", URI.create("https://127.0.0.1:" + port + "/x"),
                Headers.create(), null), alphaSsl(), TIMEOUT, TIMEOUT).status();
        assertThat(status).isEqualTo(204);
        assertThat(presented).hasSize(before + 1);
        return presented.get(presented.size() - 1);
    }

    private static byte[] pkcs12(Credential credential) throws Exception {
        KeyStore ks = credential.pkcs12(UPLOAD_PASSWORD, "upload");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, UPLOAD_PASSWORD);
        return out.toByteArray();
    }

    private int serve(Credential credential) throws Exception {
        char[] password = pki.password();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(credential.pkcs12(password, "server"), password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("tpp-root", pki.rootCa());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                var p = context.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", exchange -> {
            presented.add((X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0]);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }
}
