package eu.securehub.psd2.testpki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A private key with its certificate and chain.
 *
 * <p>{@code chain} starts with {@code certificate} and ends with the self-signed root of its PKI (for a TPP
 * certificate: certificate, issuing CA, root CA; for a bank server certificate: certificate, the bank's CA).
 * {@link #toString()} never shows the key.
 */
public record Credential(PrivateKey key, X509Certificate certificate, List<X509Certificate> chain) {

    public Credential {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(certificate, "certificate");
        chain = List.copyOf(Objects.requireNonNull(chain, "chain"));
        if (chain.isEmpty() || !chain.get(0).equals(certificate)) {
            throw new IllegalArgumentException("the chain must start with the certificate");
        }
    }

    /**
     * A new in-memory PKCS#12 key store (the JDK's "PKCS12" type) holding one private key entry under
     * {@code alias} with this credential's chain, protected by {@code password}. Save it with
     * {@link KeyStore#store(java.io.OutputStream, char[])} and the same password.
     */
    public KeyStore pkcs12(char[] password, String alias) {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(alias, "alias");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, key, password, chain.toArray(new X509Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a PKCS#12 key store", e);
        }
    }

    /** The certificate alone, PEM ({@code -----BEGIN CERTIFICATE-----}). */
    public String certificatePem() {
        return Pem.certificate(certificate);
    }

    /** The private key, unencrypted PKCS#8 PEM (label {@code PRIVATE KEY}). Test material only. */
    public String privateKeyPem() {
        return Pem.encode("PRIVATE KEY", key.getEncoded());
    }

    /** Subject, serial and validity; never the key. */
    @Override
    public String toString() {
        return "Credential[" + org.bouncycastle.asn1.x500.X500Name.getInstance(
                certificate.getSubjectX500Principal().getEncoded())
                + ", serial " + certificate.getSerialNumber().toString(16)
                + ", valid " + certificate.getNotBefore().toInstant() + " to " + certificate.getNotAfter().toInstant()
                + ", chain of " + chain.size() + "]";
    }

    /** PEM text (RFC 7468). */
    static final class Pem {
        private Pem() {
        }

        static String encode(String label, byte[] der) {
            String body = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
            return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
        }

        static String certificate(X509Certificate certificate) {
            try {
                return encode("CERTIFICATE", certificate.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("cannot encode a certificate", e);
            }
        }
    }
}
