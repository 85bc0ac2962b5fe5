package eu.securehub.psd2.sandbox.oauth;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;

/** Reading the TLS client certificate of a request and the organizationIdentifier of its subject. */
public final class ClientCertificates {

    /** organizationIdentifier (X.520, used by ETSI EN 319 412-1 for the PSD2 authorisation number). */
    public static final String ORGANIZATION_IDENTIFIER_OID = "2.5.4.97";

    private ClientCertificates() {
    }

    /**
     * The leaf certificate of the peer chain the TLS layer verified, or empty without a client certificate (or
     * without TLS). Needs Jetty's SecureRequestCustomizer in the connector's HttpConfiguration.
     */
    public static Optional<X509Certificate> fromTls(Request request) {
        Object data = request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
        if (data instanceof EndPoint.SslSessionData ssl) {
            X509Certificate[] chain = ssl.peerCertificates();
            if (chain != null && chain.length > 0 && chain[0] != null) {
                return Optional.of(chain[0]);
            }
        }
        return Optional.empty();
    }

    /** The subject's organizationIdentifier (2.5.4.97), e.g. {@code PSDDE-BAFIN-000001}, or empty. */
    public static Optional<String> organizationIdentifier(X509Certificate certificate) {
        try {
            return attribute(certificate.getSubjectX500Principal().getEncoded(), ORGANIZATION_IDENTIFIER_OID);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The first value of an attribute in a DER encoded X.501 Name. */
    static Optional<String> attribute(byte[] name, String oid) {
        Der outer = new Der(name, 0);
        if (outer.tag != 0x30) {
            throw new IllegalArgumentException("not a Name");
        }
        int rdnPos = outer.contentStart;
        while (rdnPos < outer.end) {
            Der rdn = new Der(name, rdnPos);            // SET OF AttributeTypeAndValue
            int atvPos = rdn.contentStart;
            while (atvPos < rdn.end) {
                Der atv = new Der(name, atvPos);        // SEQUENCE { type, value }
                Der type = new Der(name, atv.contentStart);
                Der value = new Der(name, type.end);
                if (type.tag == 0x06 && oid.equals(oidString(Arrays.copyOfRange(name, type.contentStart, type.end)))) {
                    return Optional.of(string(value.tag, Arrays.copyOfRange(name, value.contentStart, value.end)));
                }
                atvPos = atv.end;
            }
            rdnPos = rdn.end;
        }
        return Optional.empty();
    }

    private static String string(int tag, byte[] bytes) {
        switch (tag) {
            case 0x0C: // UTF8String
                return new String(bytes, StandardCharsets.UTF_8);
            case 0x13: // PrintableString
            case 0x16: // IA5String
            case 0x14: // TeletexString (treated as Latin-1)
                return new String(bytes, StandardCharsets.ISO_8859_1);
            case 0x1E: // BMPString
                return new String(bytes, StandardCharsets.UTF_16BE);
            default:
                throw new IllegalArgumentException("unsupported string type " + tag);
        }
    }

    private static String oidString(byte[] b) {
        StringBuilder sb = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (byte x : b) {
            value = (value << 7) | (x & 0x7F);
            if ((x & 0x80) == 0) {
                if (first) {
                    int arc1 = (int) Math.min(value / 40, 2);
                    sb.append(arc1).append('.').append(value - 40L * arc1);
                    first = false;
                } else {
                    sb.append('.').append(value);
                }
                value = 0;
            }
        }
        return sb.toString();
    }

    /** One DER element: its tag and where its content starts and ends. */
    private static final class Der {
        final int tag;
        final int contentStart;
        final int end;

        Der(byte[] b, int pos) {
            tag = b[pos] & 0xFF;
            int len = b[pos + 1] & 0xFF;
            int p = pos + 2;
            if (len > 0x80) {
                int n = len & 0x7F;
                if (n > 3) {
                    throw new IllegalArgumentException("DER length too long");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[p++] & 0xFF);
                }
            } else if (len == 0x80) {
                throw new IllegalArgumentException("indefinite length");
            }
            contentStart = p;
            end = p + len;
            if (end > b.length) {
                throw new IllegalArgumentException("truncated DER");
            }
        }
    }
}
