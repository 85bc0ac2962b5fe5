package eu.securehub.psd2.testpki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The credentials work as they are meant to in a real JDK TLS handshake (mTLS on 127.0.0.1). */
class TlsHandshakeTest {

    private static TestPki pki;

    @BeforeAll
    static void createPki() {
        pki = TestPki.create(List.of("alpha"));
    }

    @Test
    void qwacAuthenticatesToTheBankServer() throws Exception {
        X509Certificate peer = handshake(pki.bankServer("alpha"), pki.qwac());
        assertThat(peer).isEqualTo(pki.qwac().certificate());
    }

    @Test
    void clientRefusesTheExpiredServerCertificate() {
        assertThatThrownBy(() -> handshake(pki.bankServerExpired("alpha"), pki.qwac()))
                .isInstanceOf(SSLException.class);
    }

    @Test
    void serverRefusesQwacsOfTheWrongCaOrWithTheWrongUsage() {
        for (TestPki.Variant variant : List.of(TestPki.Variant.OTHER_CA, TestPki.Variant.EXPIRED,
                TestPki.Variant.NOT_YET_VALID, TestPki.Variant.WRONG_KEY_USAGE)) {
            assertThatThrownBy(() -> handshake(pki.bankServer("alpha"), pki.qwac(variant))).as(variant.name())
                    .isInstanceOf(IOException.class);
        }
    }

    /** mTLS handshake; the server trusts the TPP root, the client the bank CA. Returns the client certificate the server saw. */
    private static X509Certificate handshake(Credential server, Credential client) throws Exception {
        char[] password = pki.password();
        SSLContext serverContext = context(server.pkcs12(password, "server"), password, pki.rootCa());
        SSLContext clientContext = context(client.pkcs12(password, "qwac"), password, pki.bankCa("alpha"));
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            listener.setSoTimeout(10_000);
            CompletableFuture<X509Certificate> seen = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.setSoTimeout(10_000);
                    socket.startHandshake();
                    X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                    socket.getOutputStream().write(1);
                    socket.getOutputStream().flush();
                    return peer;
                } catch (IOException e) {
                    return null;
                }
            });
            try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                socket.setSoTimeout(10_000);
                var parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                // TLS 1.3: the server's verdict on the client certificate arrives with the first read
                int read = socket.getInputStream().read();
                if (read != 1) {
                    throw new SSLException("server closed the connection");
                }
            }
            X509Certificate peer = seen.get(15, TimeUnit.SECONDS);
            if (peer == null) {
                throw new SSLException("server refused the handshake");
            }
            return peer;
        }
    }

    private static SSLContext context(KeyStore keys, char[] password, X509Certificate trusted) throws Exception {
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusted);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }
}
