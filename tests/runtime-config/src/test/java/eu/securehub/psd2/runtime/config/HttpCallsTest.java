package eu.securehub.psd2.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.HttpRequestData;
import eu.securehub.psd2.runtime.spi.HttpResponseData;
import eu.securehub.psd2.runtime.spi.SslInfo;
import eu.securehub.psd2.testpki.Credential;
import eu.securehub.psd2.testpki.TestPki;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HttpCalls with the environment's SSLInfo (bank-alpha's: the QWAC by reference, the banks' CAs, enforce) against a
 * small JDK HttpsServer that needs a client certificate and presents the bank's server certificate from TestPki.
 */
class HttpCallsTest {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path pkiDir;
    static TestPki pki;

    @TempDir
    Path work;

    private LocalEnvironment env;
    private HttpsServer server;
    private final AtomicReference<X509Certificate> clientCert = new AtomicReference<>();
    private final AtomicReference<String> seenHeader = new AtomicReference<>();

    @BeforeAll
    static void pki() {
        pki = TestPki.create(List.of("alpha", "beta", "gamma", "delta"));
        pki.writeTo(pkiDir);
    }

    @BeforeEach
    void start() {
        env = LocalEnvironment.load(LocalEnvironmentTest.ROOT, "local", TestQseal.with(LocalEnvironment.Options.defaults(), pki)
                .systemPlaceholders(false).pkiDir(pkiDir).messageLog(work.resolve("m.jsonl")));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        env.close();
    }

    /** An mTLS server on every loopback address (so 127.0.0.2 reaches it too) presenting {@code credential}. */
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

        server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                var p = context.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", this::handle);
        server.start();
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (exchange instanceof HttpsExchange https) {
            try {
                clientCert.set((X509Certificate) https.getSSLSession().getPeerCertificates()[0]);
            } catch (SSLPeerUnverifiedException e) {
                clientCert.set(null);
            }
        }
        seenHeader.set(exchange.getRequestHeaders().getFirst("X-Test"));
        byte[] in = exchange.getRequestBody().readAllBytes();
        byte[] body = ("{\"echo\":\"" + new String(in, StandardCharsets.UTF_8) + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(201, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private SslInfo bankAlphaSsl() {
        return env.targetServer("bank-alpha").orElseThrow().ssl().orElseThrow();
    }

    private HttpResponseData post(String host, int port, SslInfo ssl) throws IOException {
        Headers headers = Headers.create();
        headers.add("X-Test", "yes");
        headers.add("Host", "ignored.example");
        headers.add("Content-Length", "999");
        return env.http().send(new HttpRequestData("POST", URI.create("https://" + host + ":" + port + "/token"), headers,
                "abc".getBytes(StandardCharsets.UTF_8)), ssl, TIMEOUT, TIMEOUT);
    }

    @Test
    void httpsWithTheQwacSucceeds() throws Exception {
        int port = serve(pki.bankServer("alpha"));

        HttpResponseData r = post("127.0.0.1", port, bankAlphaSsl());

        assertThat(r.status()).isEqualTo(201);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"echo\":\"abc\"}");
        assertThat(r.headers().first("content-type")).isEqualTo("application/json");
        assertThat(clientCert.get()).isEqualTo(pki.qwac().certificate());
        assertThat(seenHeader.get()).isEqualTo("yes");

        // The client is kept: a second call works the same.
        assertThat(post("localhost", port, bankAlphaSsl()).status()).isEqualTo(201);
    }

    @Test
    void enforceRefusesAWrongHostname() throws Exception {
        int port = serve(pki.bankServer("alpha"));
        assertThat(bankAlphaSsl().enforce()).isTrue();

        // 127.0.0.2 reaches the same server, but the certificate names only 127.0.0.1 and localhost.
        assertThatThrownBy(() -> post("127.0.0.2", port, bankAlphaSsl()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("127.0.0.2");
        assertThat(clientCert.get()).isNull();

        // The same call without Enforce goes through: the host name was the only problem.
        SslInfo s = bankAlphaSsl();
        SslInfo lenient = new SslInfo(true, false, true, s.keyStore(), s.keyAlias(), s.trustStore(), s.protocols());
        assertThat(post("127.0.0.2", port, lenient).status()).isEqualTo(201);
        assertThat(clientCert.get()).isEqualTo(pki.qwac().certificate());
    }

    @Test
    void anUntrustedOrExpiredServerCertificateIsRefused() throws Exception {
        int port = serve(pki.bankServerExpired("alpha"));

        assertThatThrownBy(() -> post("127.0.0.1", port, bankAlphaSsl())).isInstanceOf(IOException.class);
        assertThat(clientCert.get()).isNull();
    }

    @Test
    void withoutTheClientCertificateTheServerRefuses() throws Exception {
        int port = serve(pki.bankServer("alpha"));
        SslInfo s = bankAlphaSsl();
        SslInfo noClientCert = new SslInfo(true, true, false, null, null, s.trustStore(), s.protocols());

        assertThatThrownBy(() -> post("127.0.0.1", port, noClientCert)).isInstanceOf(IOException.class);
    }

    @Test
    void plainHttpAndTimeouts() throws Exception {
        HttpServer plain = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        plain.createContext("/", this::handle);
        plain.createContext("/slow", exchange -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        plain.start();
        try {
            int port = plain.getAddress().getPort();
            HttpResponseData r = env.http().send(new HttpRequestData("GET", URI.create("http://127.0.0.1:" + port + "/x"),
                    Headers.create(), null), null, TIMEOUT, TIMEOUT);
            assertThat(r.status()).isEqualTo(201);

            assertThatThrownBy(() -> env.http().send(new HttpRequestData("GET",
                    URI.create("http://127.0.0.1:" + port + "/slow"), Headers.create(), null), null, TIMEOUT,
                    Duration.ofMillis(300)))
                    .isInstanceOf(HttpTimeoutException.class)
                    .isNotInstanceOf(HttpConnectTimeoutException.class);
        } finally {
            plain.stop(0);
        }
    }
}
