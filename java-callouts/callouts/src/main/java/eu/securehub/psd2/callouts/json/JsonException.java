package eu.securehub.psd2.callouts.json;

/** Malformed JSON; the message names what is wrong and where, never the content. */
public final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int offset;

    public JsonException(String message) {
        super(message, null, false, false);
        this.offset = -1;
    }

    /** A syntax error at {@code offset} (in chars) of the text; the message ends with " at offset N". */
    JsonException(String what, int offset) {
        super(what + " at offset " + offset, null, false, false);
        this.offset = offset;
    }

    /** Where in the text the error is, in chars from its start; -1 when it is not about one place. */
    public int offset() {
        return offset;
    }
}
