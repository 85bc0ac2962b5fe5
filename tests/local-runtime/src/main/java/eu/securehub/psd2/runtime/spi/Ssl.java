package eu.securehub.psd2.runtime.spi;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * Client-side TLS per SSLInfo (§5.2): the client certificate from the keystore alias (ClientAuthEnabled), the
 * truststore, Enforce.
 * <p>Enforce=true: the peer's chain must end in a certificate of the TrustStore (or, without a TrustStore, the JVM's
 * default trust) and its name must match the host — the JDK HttpClient asks the trust manager for the HTTPS
 * endpoint identification, so hostname checking happens inside the PKIX trust manager. Enforce=false (Apigee's
 * default): invalid, expired, self-signed, untrusted or mismatched certificates are accepted, as Apigee X documents
 * for a non-enforcing SSLInfo.
 */
public final class Ssl {
    private Ssl() {
    }

    public static SSLContext clientContext(Environment env, SslInfo info) {
        try {
            KeyManager[] kms = null;
            if (info.clientAuth()) {
                KeyStoreEntry ks = env.keyStore(info.keyStore())
                        .orElseThrow(() -> new IllegalStateException("unknown keystore " + info.keyStore()));
                if (!ks.keyStore().isKeyEntry(info.keyAlias())) {
                    throw new IllegalStateException("keystore " + info.keyStore() + " has no key alias " + info.keyAlias());
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks.keyStore(), ks.password());
                X509KeyManager base = null;
                for (KeyManager km : kmf.getKeyManagers()) {
                    if (km instanceof X509KeyManager x) {
                        base = x;
                    }
                }
                kms = new KeyManager[] {new AliasKeyManager(base, info.keyAlias())};
            }
            TrustManager[] tms;
            if (info.enforce()) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                if (info.trustStore() != null) {
                    KeyStoreEntry ts = env.keyStore(info.trustStore())
                            .orElseThrow(() -> new IllegalStateException("unknown truststore " + info.trustStore()));
                    tmf.init(ts.keyStore());
                } else {
                    tmf.init((KeyStore) null);
                }
                tms = tmf.getTrustManagers();
            } else {
                tms = new TrustManager[] {new TrustAll()};
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kms, tms, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the TLS context for " + info + ": " + e, e);
        }
    }

    /** For HttpsURLConnection users: Enforce → the default verifier, otherwise accept any name. */
    public static HostnameVerifier hostnameVerifier(SslInfo info) {
        return info.enforce() ? HttpsURLConnection.getDefaultHostnameVerifier() : (host, session) -> true;
    }

    /** Always presents the configured alias. */
    private static final class AliasKeyManager extends X509ExtendedKeyManager {
        private final X509KeyManager base;
        private final String alias;

        AliasKeyManager(X509KeyManager base, String alias) {
            this.base = base;
            this.alias = alias;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {alias};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return alias;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return alias;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String a) {
            return base.getCertificateChain(a);
        }

        @Override
        public PrivateKey getPrivateKey(String a) {
            return base.getPrivateKey(a);
        }
    }

    private static final class TrustAll extends X509ExtendedTrustManager implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
