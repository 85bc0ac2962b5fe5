package eu.securehub.psd2.config;

import java.nio.charset.StandardCharsets;

/**
 * A reader of DER (ITU-T X.690) as far as the certificate check needs it: definite lengths, one-byte tags,
 * SEQUENCE, OBJECT IDENTIFIER, OCTET STRING and the string types X.509 names and ETSI TS 119 495 use. Anything
 * else, a truncated value or trailing bytes is refused with an {@link IllegalArgumentException}; nothing is
 * guessed.
 */
final class Der {
    static final int OCTET_STRING = 0x04;
    static final int OBJECT_IDENTIFIER = 0x06;
    static final int UTF8_STRING = 0x0c;
    static final int PRINTABLE_STRING = 0x13;
    static final int TELETEX_STRING = 0x14;
    static final int IA5_STRING = 0x16;
    static final int VISIBLE_STRING = 0x1a;
    static final int BMP_STRING = 0x1e;
    static final int SEQUENCE = 0x30;

    /** One value: its tag and where its contents are. */
    static final class Value {
        final int tag;
        private final byte[] bytes;
        private final int start;
        private final int length;

        private Value(int tag, byte[] bytes, int start, int length) {
            this.tag = tag;
            this.bytes = bytes;
            this.start = start;
            this.length = length;
        }

        /** A reader of the contents (of a SEQUENCE, or of an OCTET STRING that holds DER). */
        Der contents() {
            return new Der(bytes, start, start + length);
        }

        Value expect(int expected, String what) {
            if (tag != expected) {
                throw new IllegalArgumentException(what + " has tag 0x" + Integer.toHexString(tag) + ", expected 0x"
                        + Integer.toHexString(expected));
            }
            return this;
        }

        /** The dotted form of an OBJECT IDENTIFIER. */
        String oid() {
            expect(OBJECT_IDENTIFIER, "an object identifier");
            if (length == 0) {
                throw new IllegalArgumentException("an empty object identifier");
            }
            StringBuilder sb = new StringBuilder();
            long arc = 0;
            boolean first = true;
            for (int i = start; i < start + length; i++) {
                int b = bytes[i] & 0xff;
                if (arc == 0 && b == 0x80) {
                    throw new IllegalArgumentException("an object identifier arc with a leading 0x80");
                }
                if (arc > (Long.MAX_VALUE >>> 7)) {
                    throw new IllegalArgumentException("an object identifier arc too large");
                }
                arc = (arc << 7) | (b & 0x7f);
                if ((b & 0x80) == 0) {
                    if (first) {
                        long top = arc < 80 ? arc / 40 : 2;
                        sb.append(top).append('.').append(arc - top * 40);
                        first = false;
                    } else {
                        sb.append('.').append(arc);
                    }
                    arc = 0;
                } else if (i == start + length - 1) {
                    throw new IllegalArgumentException("a truncated object identifier");
                }
            }
            return sb.toString();
        }

        /** The text of one of the ASN.1 string types names use. */
        String string() {
            switch (tag) {
                case UTF8_STRING:
                    return new String(bytes, start, length, StandardCharsets.UTF_8);
                case PRINTABLE_STRING:
                case IA5_STRING:
                case VISIBLE_STRING:
                    return new String(bytes, start, length, StandardCharsets.US_ASCII);
                case TELETEX_STRING:
                    return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
                case BMP_STRING:
                    return new String(bytes, start, length, StandardCharsets.UTF_16BE);
                default:
                    throw new IllegalArgumentException("tag 0x" + Integer.toHexString(tag) + " is not a string type");
            }
        }
    }

    private final byte[] bytes;
    private int pos;
    private final int end;

    private Der(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.pos = start;
        this.end = end;
    }

    /** A reader of a whole DER encoding. */
    static Der of(byte[] der) {
        return new Der(der, 0, der.length);
    }

    boolean hasNext() {
        return pos < end;
    }

    /** The next value; its contents are skipped over. */
    Value next() {
        if (pos >= end) {
            throw new IllegalArgumentException("a value is missing");
        }
        int tag = bytes[pos++] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new IllegalArgumentException("a multi-byte tag");
        }
        if (pos >= end) {
            throw new IllegalArgumentException("a value without length");
        }
        int first = bytes[pos++] & 0xff;
        long length;
        if (first < 0x80) {
            length = first;
        } else {
            int n = first & 0x7f;
            if (n == 0) {
                throw new IllegalArgumentException("an indefinite length (not DER)");
            }
            if (n > 4 || pos + n > end) {
                throw new IllegalArgumentException("a length that does not fit");
            }
            length = 0;
            for (int i = 0; i < n; i++) {
                length = (length << 8) | (bytes[pos++] & 0xff);
            }
        }
        if (length > end - pos) {
            throw new IllegalArgumentException("a value longer than what holds it");
        }
        Value v = new Value(tag, bytes, pos, (int) length);
        pos += (int) length;
        return v;
    }

    /** Fails unless every byte was read. */
    void end(String what) {
        if (pos != end) {
            throw new IllegalArgumentException(what + " has trailing bytes");
        }
    }
}
