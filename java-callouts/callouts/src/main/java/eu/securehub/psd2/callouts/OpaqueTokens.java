package eu.securehub.psd2.callouts;

import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Envelope;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * The opaque token the CRM holds, and the KVM key it maps to.
 *
 * <p>Token: {@code hub_} followed by the unpadded base64url of 32 random bytes and a CRC-32 of
 * them (48 characters): 256 bits of entropy, and a typo is told apart from an unknown token without
 * a lookup. A payment's id has the same shape with {@code pay_}: its record lives in the same store under a key
 * that no hub token can produce (the prefix is part of what is hashed), and a payment id is never a bearer token
 * ({@link #fromAuthorization} takes {@code hub_} only). KVM key: the base64url HMAC-SHA256 of the token under the keyring's lookup key, so the
 * store never holds a token. Record associated data: {@code psd2-hub/token-record|<kvm key>}.
 */
final class OpaqueTokens {
    static final String PREFIX = "hub_";
    /** The hub's payment ids: the handle of a payment record, bound to the CRM app that created it. */
    static final String PAYMENT_PREFIX = "pay_";
    static final int RANDOM_BYTES = 32;
    static final int TOKEN_LENGTH = PREFIX.length() + 48;

    private static final SecureRandom RANDOM = new SecureRandom();

    private OpaqueTokens() {
    }

    static String mint() {
        return mint(PREFIX);
    }

    static String mintPaymentId() {
        return mint(PAYMENT_PREFIX);
    }

    private static String mint(String prefix) {
        byte[] raw = new byte[RANDOM_BYTES + 4];
        RANDOM.nextBytes(raw);
        int crc = crc(raw);
        raw[RANDOM_BYTES] = (byte) (crc >>> 24);
        raw[RANDOM_BYTES + 1] = (byte) (crc >>> 16);
        raw[RANDOM_BYTES + 2] = (byte) (crc >>> 8);
        raw[RANDOM_BYTES + 3] = (byte) crc;
        return prefix + Envelope.text(raw);
    }

    /** True when {@code token} has the shape and checksum of a token this hub minted. */
    static boolean wellFormed(String token) {
        return wellFormed(token, PREFIX);
    }

    /** True when {@code id} has the shape and checksum of a payment id this hub minted. */
    static boolean wellFormedPaymentId(String id) {
        return wellFormed(id, PAYMENT_PREFIX);
    }

    private static boolean wellFormed(String token, String prefix) {
        if (token.length() != TOKEN_LENGTH || !token.startsWith(prefix)) {
            return false;
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token.substring(prefix.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (raw.length != RANDOM_BYTES + 4) {
            return false;
        }
        int crc = crc(raw);
        return raw[RANDOM_BYTES] == (byte) (crc >>> 24) && raw[RANDOM_BYTES + 1] == (byte) (crc >>> 16)
                && raw[RANDOM_BYTES + 2] == (byte) (crc >>> 8) && raw[RANDOM_BYTES + 3] == (byte) crc;
    }

    /**
     * The KVM value of a token record: its hub-token expiry (epoch seconds) in clear, a dot, then the envelope. The
     * expiry is there for a sweep from outside Apigee ({@code config-assembler sweep-tokens}), which never decrypts;
     * the record's own expiry, inside the envelope, is the one the hub enforces. A value without the prefix (written
     * before it existed) is the envelope alone: base64url has no dot.
     */
    static String storedValue(long expiresAt, String envelope) {
        return expiresAt + "." + envelope;
    }

    /** The envelope of a stored token record value (see {@link #storedValue}). */
    static String envelopeOf(String stored) {
        int dot = stored.indexOf('.');
        return dot < 0 ? stored : stored.substring(dot + 1);
    }

    /** The token from an {@code Authorization} header value, or a malformed_token failure. */
    static String fromAuthorization(String header) throws CalloutException {
        String h = header.trim();
        if (h.isEmpty()) {
            throw new CalloutException("malformed_token", "Authorization header is missing: send Bearer hub_...");
        }
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new CalloutException("malformed_token", "Authorization is not a Bearer token: send Bearer hub_...");
        }
        String token = h.substring(7).trim();
        if (!wellFormed(token)) {
            throw new CalloutException("malformed_token", "bearer token is not a hub token (hub_ and 48 base64url characters)");
        }
        return token;
    }

    static String kvmKey(DataKey lookupKey, String token) {
        return Envelope.text(lookupKey.lookupMac(token.getBytes(StandardCharsets.US_ASCII)));
    }

    static byte[] recordData(String kvmKey) {
        return ("psd2-hub/token-record|" + kvmKey).getBytes(StandardCharsets.US_ASCII);
    }

    private static int crc(byte[] raw) {
        CRC32 crc = new CRC32();
        crc.update(raw, 0, RANDOM_BYTES);
        return (int) crc.getValue();
    }
}
