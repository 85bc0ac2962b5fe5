package eu.securehub.psd2.callouts.crypto;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * The KVM entry {@code qseal} (KVM {@code psd2-hub-keys}): the TPP's QSEAL certificate and its private key, the key
 * encrypted in the hub's envelope format under a keyring data key. Written by the KMS key tool's {@code qseal import},
 * read by {@code Java-QsealSignature}; both use this one definition.
 *
 * <pre>
 * {"version":1,
 *  "keyId":"SN=1A2B3C,CA=CN=Issuing CA,O=Example,C=DE",   // Berlin Group keyId: serial (upper-case hex), issuer (RFC 2253)
 *  "certificate":"MIIF...",                               // the DER certificate, standard base64
 *  "privateKey":"AQ9kZWst...",                            // envelope text of the PKCS#8 DER key, associated data psd2-hub/qseal/&lt;serial hex&gt;
 *  "notAfter":"2027-11-22T15:30:00Z"}                     // the certificate's notAfter, ISO-8601
 * </pre>
 *
 * Parsing checks everything that needs no key: the version, that {@code keyId} and {@code notAfter} are the
 * certificate's, that its key is RSA of at least {@value #MIN_RSA_BITS} bits, and the envelope's header.
 * {@link #privateKey} decrypts the key and checks it belongs to the certificate. Messages never quote key material.
 */
public final class QsealEntry {
    /** The entry's name in the psd2-hub-keys KVM. */
    public static final String ENTRY_NAME = "qseal";
    public static final int VERSION = 1;
    public static final int MIN_RSA_BITS = 2048;

    private static final byte[] PROBE = "psd2-hub/qseal/key-pair-check".getBytes(StandardCharsets.US_ASCII);

    private final String keyId;
    private final X509Certificate certificate;
    private final String certificateBase64;
    private final String privateKeyEnvelope;
    private final String dataKeyId;

    private QsealEntry(String keyId, X509Certificate certificate, String certificateBase64, String privateKeyEnvelope,
            String dataKeyId) {
        this.keyId = keyId;
        this.certificate = certificate;
        this.certificateBase64 = certificateBase64;
        this.privateKeyEnvelope = privateKeyEnvelope;
        this.dataKeyId = dataKeyId;
    }

    /** Parses and checks an entry value; nothing is decrypted yet. */
    public static QsealEntry parse(String text) throws QsealException {
        Map<String, Object> json;
        try {
            json = Json.parseObject(text);
        } catch (JsonException e) {
            throw new QsealException("qseal is not valid JSON: " + e.getMessage());
        }
        if (!Long.valueOf(VERSION).equals(json.get("version"))) {
            throw new QsealException("qseal version must be " + VERSION);
        }
        String keyId = string(json, "keyId");
        String certificateText = string(json, "certificate");
        String privateKey = string(json, "privateKey");
        String notAfter = string(json, "notAfter");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(certificateText);
        } catch (IllegalArgumentException e) {
            throw new QsealException("qseal certificate is not base64");
        }
        X509Certificate certificate = certificate(der);
        if (!keyId.equals(keyIdOf(certificate))) {
            throw new QsealException("qseal keyId is not SN=<serial>,CA=<issuer> of its certificate");
        }
        Instant entryNotAfter;
        try {
            entryNotAfter = Instant.parse(notAfter);
        } catch (DateTimeParseException e) {
            throw new QsealException("qseal notAfter is not an ISO-8601 instant");
        }
        if (!entryNotAfter.equals(notAfter(certificate))) {
            throw new QsealException("qseal notAfter is not its certificate's notAfter");
        }
        String dataKeyId;
        try {
            dataKeyId = Envelope.keyIdOf(privateKey);
        } catch (EnvelopeException e) {
            throw new QsealException("qseal privateKey is not an envelope: " + e.getMessage());
        }
        return new QsealEntry(keyId, certificate, Base64.getEncoder().encodeToString(der), privateKey, dataKeyId);
    }

    private static String string(Map<String, Object> json, String name) throws QsealException {
        Object v = json.get(name);
        if (!(v instanceof String) || ((String) v).isEmpty()) {
            throw new QsealException("qseal has no " + name);
        }
        return (String) v;
    }

    /**
     * Reads a DER certificate and checks it can be a QSEAL here: an RSA key of at least {@value #MIN_RSA_BITS} bits,
     * a positive serial number, and an issuer a Signature header can carry.
     */
    public static X509Certificate certificate(byte[] der) throws QsealException {
        X509Certificate certificate;
        try {
            // A CertificateFactory is not documented as thread-safe: one per parse (parses are rare, then cached).
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | ClassCastException e) {
            throw new QsealException("qseal certificate is not an X.509 certificate");
        }
        check(certificate);
        return certificate;
    }

    /** The checks of {@link #certificate(byte[])}, for a certificate read elsewhere (a PKCS#12 file). */
    public static void check(X509Certificate certificate) throws QsealException {
        PublicKey key = certificate.getPublicKey();
        if (!(key instanceof RSAPublicKey) || !"RSA".equals(key.getAlgorithm())) {
            throw new QsealException("qseal certificate's key is " + key.getAlgorithm()
                    + ", not RSA (the Berlin Group signature is rsa-sha256)");
        }
        int bits = ((RSAPublicKey) key).getModulus().bitLength();
        if (bits < MIN_RSA_BITS) {
            throw new QsealException("qseal certificate's RSA key has " + bits + " bits, fewer than " + MIN_RSA_BITS);
        }
        if (certificate.getSerialNumber().signum() <= 0) {
            throw new QsealException("qseal certificate's serial number is not positive");
        }
        String keyId = keyIdOf(certificate);
        for (int i = 0; i < keyId.length(); i++) {
            char c = keyId.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"') {
                throw new QsealException("qseal certificate's issuer has a character a Signature header cannot carry");
            }
        }
    }

    /** The serial number in upper-case hexadecimal without leading zeros, as the Berlin Group keyId writes it. */
    public static String serialHex(X509Certificate certificate) {
        BigInteger serial = certificate.getSerialNumber();
        return serial.toString(16).toUpperCase(Locale.ROOT);
    }

    /** The Berlin Group keyId: {@code SN=<serial hex>,CA=<issuer DN, RFC 2253>}. */
    public static String keyIdOf(X509Certificate certificate) {
        return "SN=" + serialHex(certificate) + ",CA=" + certificate.getIssuerX500Principal().getName(X500Principal.RFC2253);
    }

    /** The envelope's associated data for the private key of this certificate: {@code psd2-hub/qseal/<serial hex>}. */
    public static byte[] associatedData(X509Certificate certificate) {
        return ("psd2-hub/qseal/" + serialHex(certificate)).getBytes(StandardCharsets.US_ASCII);
    }

    public static Instant notAfter(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant();
    }

    /**
     * The entry value for a certificate and its private key's envelope text (made with {@link #associatedData}),
     * compact JSON, checked by {@link #parse}.
     */
    public static String toJson(X509Certificate certificate, String privateKeyEnvelope) throws QsealException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", (long) VERSION);
        json.put("keyId", keyIdOf(certificate));
        try {
            json.put("certificate", Base64.getEncoder().encodeToString(certificate.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new QsealException("qseal certificate cannot be encoded");
        }
        json.put("privateKey", privateKeyEnvelope);
        json.put("notAfter", notAfter(certificate).toString());
        String text = Json.write(json);
        parse(text);
        return text;
    }

    /**
     * Decrypts the private key with the data key {@code keys} gives for the envelope's key id, parses the PKCS#8
     * bytes (then zeroes them) and checks that the key belongs to the certificate.
     */
    public <E extends Exception> PrivateKey privateKey(Envelope.KeyLookup<E> keys) throws QsealException, E {
        byte[] pkcs8;
        try {
            pkcs8 = Envelope.decryptText(privateKeyEnvelope, keys, associatedData(certificate));
        } catch (EnvelopeException e) {
            throw new QsealException("qseal privateKey does not decrypt under data key " + dataKeyId
                    + " with its associated data (a key of another keyring, or an edited entry)");
        }
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (InvalidKeySpecException e) {
            throw new QsealException("qseal privateKey is not a PKCS#8 RSA private key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
        checkPair(certificate, key);
        return key;
    }

    /** Checks that {@code key} is the RSA private key of {@code certificate}: same modulus, and a test signature verifies. */
    public static void checkPair(X509Certificate certificate, PrivateKey key) throws QsealException {
        RSAPublicKey pub = (RSAPublicKey) certificate.getPublicKey();
        boolean same = key instanceof RSAPrivateKey && ((RSAPrivateKey) key).getModulus().equals(pub.getModulus())
                && (!(key instanceof RSAPrivateCrtKey)
                        || ((RSAPrivateCrtKey) key).getPublicExponent().equals(pub.getPublicExponent()));
        if (same) {
            try {
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initSign(key);
                s.update(PROBE);
                byte[] signature = s.sign();
                s.initVerify(pub);
                s.update(PROBE);
                same = s.verify(signature);
            } catch (GeneralSecurityException e) {
                same = false;
            }
        }
        if (!same) {
            throw new QsealException("qseal privateKey does not belong to its certificate");
        }
    }

    public String keyId() {
        return keyId;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The DER certificate in standard base64: the TPP-Signature-Certificate header's value. */
    public String certificateBase64() {
        return certificateBase64;
    }

    public Instant notAfter() {
        return notAfter(certificate);
    }

    public Instant notBefore() {
        return certificate.getNotBefore().toInstant();
    }

    /** The id of the data key the private key is encrypted under. */
    public String dataKeyId() {
        return dataKeyId;
    }

    /** The private key's envelope text (ciphertext only). */
    public String privateKeyEnvelope() {
        return privateKeyEnvelope;
    }

    @Override
    public String toString() {
        return "QsealEntry[" + keyId + ", notAfter=" + notAfter() + ", dataKey=" + dataKeyId + "]";
    }
}
