package eu.securehub.psd2.callouts.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Unpadded base64url (RFC 4648 section 5), the envelope's text form. Encoding uses the JDK; decoding
 * reads the String's characters straight into the caller's buffer, saving the JDK decoder's copy of
 * the whole text (a large share of a small message's cost). Decoding is strict: only the alphabet,
 * no padding, no white space.
 */
final class Base64Url {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final byte[] VALUES = new byte[128];

    static {
        Arrays.fill(VALUES, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
    }

    private Base64Url() {
    }

    static String encode(byte[] bytes, int offset, int length) {
        ByteBuffer encoded = ENCODER.encode(ByteBuffer.wrap(bytes, offset, length));
        return new String(encoded.array(), encoded.arrayOffset(), encoded.remaining(), StandardCharsets.ISO_8859_1);
    }

    /** The number of bytes {@code textLength} characters decode to, or -1 when no text has that length. */
    static int decodedLength(int textLength) {
        int rest = textLength & 3;
        return rest == 1 ? -1 : (textLength >> 2) * 3 + (rest == 0 ? 0 : rest - 1);
    }

    /** Decodes {@code text} into {@code out} (at least {@link #decodedLength} bytes); false when it is not base64url. */
    static boolean decode(String text, byte[] out) {
        int n = text.length();
        int full = n & ~3;
        int o = 0;
        int bad = 0;
        for (int i = 0; i < full; i += 4) {
            int v = value(text.charAt(i)) << 18 | value(text.charAt(i + 1)) << 12
                    | value(text.charAt(i + 2)) << 6 | value(text.charAt(i + 3));
            bad |= v;
            out[o++] = (byte) (v >> 16);
            out[o++] = (byte) (v >> 8);
            out[o++] = (byte) v;
        }
        int rest = n - full;
        if (rest >= 2) {
            int v = value(text.charAt(full)) << 18 | value(text.charAt(full + 1)) << 12
                    | (rest == 3 ? value(text.charAt(full + 2)) << 6 : 0);
            bad |= v;
            out[o++] = (byte) (v >> 16);
            if (rest == 3) {
                out[o] = (byte) (v >> 8);
            }
        } else if (rest == 1) {
            return false;
        }
        return bad >= 0;
    }

    /** A character's 6-bit value, or a negative number (all high bits set) when it is not in the alphabet. */
    private static int value(char c) {
        return c < 128 ? VALUES[c] : -1;
    }
}
