package eu.securehub.psd2.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import eu.securehub.psd2.testpki.Credential;
import eu.securehub.psd2.testpki.TestPki;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** §5.2: mTLS target through a TargetServer: client certificate from the keystore alias (via a reference), truststore, enforce. */
class TlsTargetTest {
    static TestPki pki;
    static HttpsServer bank;
    static HttpsServer wrongBank;

    static HttpsServer bank(Credential server, TestPki pki) throws Exception {
        char[] pw = "pw".toCharArray();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(server.pkcs12(pw, "server"), pw);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("tpp-root", pki.rootCa());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ctx.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        s.createContext("/", ex -> {
            SSLSession session = ((com.sun.net.httpserver.HttpsExchange) ex).getSSLSession();
            String subject = ((java.security.cert.X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
            String body = "{\"client\":{\"subject\":\"" + subject.replace("\"", "") + "\"},\"list\":[{\"code\":\"A1\"},{\"code\":\"B2\"}],\"path\":\""
                    + ex.getRequestURI().getPath() + "\"}";
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        s.start();
        return s;
    }

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(List.of("alpha", "beta"));
        bank = bank(pki.bankServer("alpha"), pki);
        wrongBank = bank(pki.bankServer("beta"), pki);
    }

    @AfterAll
    static void stop() {
        bank.stop(0);
        wrongBank.stop(0);
    }

    static InMemoryEnvironment env(int port) throws Exception {
        char[] pw = "changeit".toCharArray();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("alpha-ca", pki.bankCa("alpha"));
        return new InMemoryEnvironment("test")
                .keyStore("tpp", pki.qwac().pkcs12(pw, "qwac"), pw)
                .reference("tpp-ref", "tpp")
                .keyStore("bank-trust", trust, pw)
                .targetServer("bank", "127.0.0.1", port, null);
    }

    @Test
    void clientCertificateIsPresentedAndServerTrusted() throws Exception {
        try (LocalRuntime rt = LocalRuntime.start(RuntimeOptions.of(env(bank.getAddress().getPort())))) {
            rt.deployProxy(TestSupport.fixture("tls"));
            HttpResponse<String> r = TestSupport.send(rt, "GET", "/tls/items/42?q=pre-value", null, Map.of("X-Hdr", "hv1"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"path\":\"/v1/items/42\"");
            assertThat(r.headers().firstValue("X-Subject").orElseThrow()).contains(TestPki.TPP_DOMAIN);
            assertThat(r.headers().firstValue("X-First")).hasValue("A1");
            assertThat(r.headers().firstValue("X-Id")).hasValue("42");
            assertThat(r.headers().firstValue("X-Q")).hasValue("value");
            assertThat(r.headers().firstValue("X-H")).hasValue("hv1");
            assertThat(r.headers().firstValue("X-Target-Host")).hasValue("127.0.0.1");
        }
    }

    @Test
    void serverFromAnotherCaIsRefusedWhenEnforced() throws Exception {
        try (LocalRuntime rt = LocalRuntime.start(RuntimeOptions.of(env(wrongBank.getAddress().getPort())))) {
            rt.deployProxy(TestSupport.fixture("tls"));
            HttpResponse<String> r = TestSupport.get(rt, "/tls/items/1");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("SslHandshakeFailed");
        }
    }
}
