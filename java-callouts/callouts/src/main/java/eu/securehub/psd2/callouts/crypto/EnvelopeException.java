package eu.securehub.psd2.callouts.crypto;

/** A ciphertext that cannot be used: a stable code and a message without key, nonce or data. */
public final class EnvelopeException extends Exception {
    private static final long serialVersionUID = 1L;

    public static final String MALFORMED = "invalid_ciphertext";
    public static final String UNSUPPORTED_VERSION = "unsupported_version";
    public static final String FAILED = "decryption_failed";

    private final String code;

    EnvelopeException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
