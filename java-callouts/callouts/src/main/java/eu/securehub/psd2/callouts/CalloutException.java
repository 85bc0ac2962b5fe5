package eu.securehub.psd2.callouts;

/**
 * A failure a callout reports to the flow: a stable code (for conditions and the hub's error
 * mapping) and a short message for a person. Neither may carry a key, token, nonce or payload.
 */
public class CalloutException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;

    public CalloutException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
