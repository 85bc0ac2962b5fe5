package eu.securehub.psd2.callouts.json;

/** Malformed JSON; the message names what is wrong and where, never the content. */
public final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message, null, false, false);
    }
}
