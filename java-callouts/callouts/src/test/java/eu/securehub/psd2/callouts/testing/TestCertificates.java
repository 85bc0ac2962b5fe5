package eu.securehub.psd2.callouts.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * X.509 certificates for tests, made with the JDK alone: a small DER writer builds the TBSCertificate (version 3, no
 * extensions), and {@code SHA256withRSA} signs it with the issuer's key. Enough for a QSEAL's serial number, issuer,
 * validity and public key; not a PKI (tests/test-pki is one).
 */
public final class TestCertificates {
    /** The issuer every certificate here gets unless told otherwise; RFC 2253: {@code CN=Test QSEAL CA,O=PSD2 Hub Test,C=DE}. */
    public static final List<String[]> CA_NAME = List.of(
            new String[] {"2.5.4.6", "DE"}, new String[] {"2.5.4.10", "PSD2 Hub Test"}, new String[] {"2.5.4.3", "Test QSEAL CA"});
    public static final String CA_DN = "CN=Test QSEAL CA,O=PSD2 Hub Test,C=DE";

    private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
    private static KeyPair caKeys;

    private TestCertificates() {
    }

    /** A certificate and the key pair of its subject. */
    public static final class Issued {
        public final KeyPair keys;
        public final X509Certificate certificate;

        Issued(KeyPair keys, X509Certificate certificate) {
            this.keys = keys;
            this.certificate = certificate;
        }

        public PrivateKey privateKey() {
            return keys.getPrivate();
        }
    }

    public static KeyPair keyPair(String algorithm, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The test CA's RSA key pair, made once per JVM. */
    public static synchronized KeyPair caKeys() {
        if (caKeys == null) {
            caKeys = keyPair("RSA", 2048);
        }
        return caKeys;
    }

    /** The test CA's self-signed certificate. */
    public static X509Certificate caCertificate() {
        KeyPair ca = caKeys();
        return certificate(BigInteger.ONE, CA_NAME, CA_NAME, ca.getPublic(), ca.getPrivate(),
                Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2040-01-01T00:00:00Z"));
    }

    /** A QSEAL-like certificate for {@code keys}, issued by the test CA. */
    public static Issued qseal(KeyPair keys, BigInteger serial, Instant notBefore, Instant notAfter) {
        List<String[]> subject = List.of(new String[] {"2.5.4.6", "DE"}, new String[] {"2.5.4.97", "PSDDE-BAFIN-000001"},
                new String[] {"2.5.4.10", "PSD2 Secure Hub Test TPP"}, new String[] {"2.5.4.3", "PSD2 Secure Hub Test TPP Seal"});
        return new Issued(keys, certificate(serial, subject, CA_NAME, keys.getPublic(), caKeys().getPrivate(), notBefore, notAfter));
    }

    /** Builds and signs a certificate; names are lists of (OID, value) from the most significant RDN on. */
    public static X509Certificate certificate(BigInteger serial, List<String[]> subject, List<String[]> issuer,
            PublicKey subjectKey, PrivateKey issuerKey, Instant notBefore, Instant notAfter) {
        byte[] algorithm = seq(oid(SHA256_WITH_RSA), new byte[] {0x05, 0x00});
        byte[] tbs = seq(
                tlv(0xa0, integer(BigInteger.TWO)),
                integer(serial),
                algorithm,
                name(issuer),
                seq(time(notBefore), time(notAfter)),
                name(subject),
                subjectKey.getEncoded());
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(issuerKey);
            s.update(tbs);
            byte[] signature = s.sign();
            byte[] bits = new byte[signature.length + 1];
            System.arraycopy(signature, 0, bits, 1, signature.length);
            byte[] der = seq(tbs, algorithm, tlv(0x03, bits));
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] name(List<String[]> rdns) {
        List<byte[]> sets = new ArrayList<>();
        for (String[] rdn : rdns) {
            // countryName is a PrintableString; the others UTF8String.
            byte[] value = rdn[0].equals("2.5.4.6") ? tlv(0x13, rdn[1].getBytes(StandardCharsets.US_ASCII))
                    : tlv(0x0c, rdn[1].getBytes(StandardCharsets.UTF_8));
            sets.add(tlv(0x31, seq(oid(rdn[0]), value)));
        }
        return seq(sets.toArray(new byte[0][]));
    }

    private static byte[] time(Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        if (z.getYear() >= 1950 && z.getYear() < 2050) {
            return tlv(0x17, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").format(z).getBytes(StandardCharsets.US_ASCII));
        }
        return tlv(0x18, DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").format(z).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    private static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            long arc = Long.parseLong(parts[i]);
            int groups = 1;
            for (long a = arc >>> 7; a != 0; a >>>= 7) {
                groups++;
            }
            for (int g = groups - 1; g >= 0; g--) {
                int b = (int) ((arc >>> (7 * g)) & 0x7f);
                out.write(g == 0 ? b : b | 0x80);
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] seq(byte[]... items) {
        return tlv(0x30, concat(items));
    }

    private static byte[] concat(byte[]... items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] item : items) {
            out.writeBytes(item);
        }
        return out.toByteArray();
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
