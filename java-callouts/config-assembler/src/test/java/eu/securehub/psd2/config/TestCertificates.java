package eu.securehub.psd2.config;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Self-signed eIDAS-style test certificates made at test time with the JDK only (DER written here, signed
 * SHA256withECDSA over P-256): a subject CN, a validity and, unless told otherwise, the RFC 3739 QCStatements
 * extension with QcCompliance and the ETSI TS 119 495 PSD2 statement carrying the given roles, encoded as
 * tests/test-pki writes it. Nothing here is trusted by anything; the check under test reads only the certificate.
 */
final class TestCertificates {
    static final Map<String, String> ROLE_OIDS = Map.of("PSP_AS", "0.4.0.19495.1.1", "PSP_PI", "0.4.0.19495.1.2",
            "PSP_AI", "0.4.0.19495.1.3", "PSP_IC", "0.4.0.19495.1.4");
    static final String PASSWORD = "test-qwac-password";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final KeyPair KEYS = ecKeys();

    /** A certificate to make: change with the with… methods. */
    static final class Spec {
        String cn = "tpp.securehub.test";
        Instant notBefore;
        Instant notAfter;
        /** Null: no QCStatements extension at all. */
        List<String> roles = List.of("PSP_AI", "PSP_PI");
        /** The PSD2 statement left out (QcCompliance only). */
        boolean psd2Statement = true;
        /** A PSD2 statement whose PSD2QcType lacks nCAId (not the structure ETSI TS 119 495 defines). */
        boolean malformed;

        Spec cn(String value) {
            cn = value;
            return this;
        }

        Spec roles(String... value) {
            roles = List.of(value);
            return this;
        }

        Spec noQcStatements() {
            roles = null;
            return this;
        }

        Spec noPsd2Statement() {
            psd2Statement = false;
            return this;
        }

        Spec malformed() {
            malformed = true;
            return this;
        }

        X509Certificate make() {
            return certificate(this);
        }
    }

    private TestCertificates() {
    }

    /** Valid from a day before {@code now} to {@code days} days after it. */
    static Spec validFor(Instant now, long days) {
        Spec s = new Spec();
        s.notBefore = now.minus(Duration.ofDays(1));
        s.notAfter = now.plus(Duration.ofDays(days));
        return s;
    }

    /** A PKCS#12 file with one key entry {@code qwac} holding the certificate, protected by {@link #PASSWORD}. */
    static Path writePkcs12(Path file, X509Certificate certificate) {
        return writePkcs12(file, certificate, PASSWORD);
    }

    static Path writePkcs12(Path file, X509Certificate certificate, String password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("qwac", KEYS.getPrivate(), password.toCharArray(), new X509Certificate[] {certificate});
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return file;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writePem(Path file, X509Certificate certificate) {
        try {
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, pem, StandardCharsets.US_ASCII);
            return file;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of the keys map's qseal entry: {"certificate": base64 DER, "notAfter": ISO-8601}. */
    static String qsealEntry(X509Certificate certificate) {
        try {
            return "{\"certificate\":\"" + Base64.getEncoder().encodeToString(certificate.getEncoded())
                    + "\",\"notAfter\":\"" + certificate.getNotAfter().toInstant() + "\"}";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- the certificate

    private static X509Certificate certificate(Spec s) {
        byte[] name = seq(set(seq(oid("2.5.4.6"), printable("DE"))),
                set(seq(oid("2.5.4.10"), utf8("PSD2 Secure Hub Test TPP GmbH"))),
                set(seq(oid("2.5.4.3"), utf8(s.cn))));
        byte[] algorithm = seq(oid("1.2.840.10045.4.3.2"));
        List<byte[]> extensions = new ArrayList<>();
        extensions.add(seq(oid("2.5.29.15"), bool(true), octets(bitString(new byte[] {(byte) 0x80}, 7))));
        if (s.roles != null) {
            List<byte[]> statements = new ArrayList<>();
            statements.add(seq(oid("0.4.0.1862.1.1")));
            if (s.psd2Statement) {
                List<byte[]> roles = new ArrayList<>();
                for (String role : s.roles) {
                    roles.add(seq(oid(ROLE_OIDS.get(role)), utf8(role)));
                }
                byte[] psd2 = s.malformed
                        ? seq(seq(roles.toArray(new byte[0][])), utf8("Federal Financial Supervisory Authority"))
                        : seq(seq(roles.toArray(new byte[0][])), utf8("Federal Financial Supervisory Authority"),
                                utf8("DE-BAFIN"));
                statements.add(seq(oid("0.4.0.19495.2"), psd2));
            }
            extensions.add(seq(oid("1.3.6.1.5.5.7.1.3"), octets(seq(statements.toArray(new byte[0][])))));
        }
        byte[] tbs = seq(tlv(0xa0, integer(BigInteger.TWO)), integer(new BigInteger(64, RANDOM).add(BigInteger.ONE)),
                algorithm, name, seq(time(s.notBefore), time(s.notAfter)), name, KEYS.getPublic().getEncoded(),
                tlv(0xa3, seq(extensions.toArray(new byte[0][]))));
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(KEYS.getPrivate());
            signer.update(tbs);
            byte[] der = seq(tbs, algorithm, bitString(signer.sign(), 0));
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- DER

    static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        int n = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else {
            byte[] len = BigInteger.valueOf(n).toByteArray();
            int skip = len[0] == 0 ? 1 : 0;
            out.write(0x80 | (len.length - skip));
            out.write(len, skip, len.length - skip);
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    static byte[] seq(byte[]... parts) {
        return tlv(0x30, parts);
    }

    static byte[] set(byte[]... parts) {
        return tlv(0x31, parts);
    }

    static byte[] integer(BigInteger v) {
        return tlv(0x02, v.toByteArray());
    }

    static byte[] bool(boolean v) {
        return tlv(0x01, new byte[] {(byte) (v ? 0xff : 0)});
    }

    static byte[] octets(byte[] v) {
        return tlv(0x04, v);
    }

    static byte[] bitString(byte[] v, int unused) {
        byte[] b = new byte[v.length + 1];
        b[0] = (byte) unused;
        System.arraycopy(v, 0, b, 1, v.length);
        return tlv(0x03, b);
    }

    static byte[] utf8(String s) {
        return tlv(0x0c, s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] printable(String s) {
        return tlv(0x13, s.getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] time(Instant t) {
        // UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
        if (t.atZone(ZoneOffset.UTC).getYear() < 2050) {
            return tlv(0x17, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t)
                    .getBytes(StandardCharsets.US_ASCII));
        }
        return tlv(0x18, DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t)
                .getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        base128(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            base128(out, Long.parseLong(arcs[i]));
        }
        return tlv(0x06, out.toByteArray());
    }

    private static void base128(ByteArrayOutputStream out, long v) {
        int groups = 1;
        for (long x = v >>> 7; x != 0; x >>>= 7) {
            groups++;
        }
        for (int g = groups - 1; g >= 0; g--) {
            int b = (int) ((v >>> (7 * g)) & 0x7f);
            out.write(g == 0 ? b : b | 0x80);
        }
    }
}
