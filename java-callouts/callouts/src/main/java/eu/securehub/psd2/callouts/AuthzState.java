package eu.securehub.psd2.callouts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The random values of an authorisation (state, nonce, PKCE code verifier: 32 random bytes each, as
 * 43 base64url characters) and what is derived from them: the state's KVM key and the S256 challenge.
 */
final class AuthzState {
    static final int RANDOM_BYTES = 32;
    /** The length of 32 bytes in unpadded base64url. */
    static final int TEXT_LENGTH = 43;

    private static final SecureRandom RANDOM = newRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private AuthzState() {
    }

    static String random() {
        byte[] raw = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(raw);
        return BASE64URL.encodeToString(raw);
    }

    /** The key a state is stored under: the base64url SHA-256 of it (43 characters). */
    static String stateKey(String state) {
        return BASE64URL.encodeToString(sha256(state));
    }

    /** The PKCE S256 code challenge of a code verifier (RFC 7636). */
    static String challenge(String codeVerifier) {
        return BASE64URL.encodeToString(sha256(codeVerifier));
    }

    /** True when {@code s} has the shape of a state this hub made: 43 base64url characters. */
    static boolean wellFormed(String s) {
        if (s.length() != TEXT_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
