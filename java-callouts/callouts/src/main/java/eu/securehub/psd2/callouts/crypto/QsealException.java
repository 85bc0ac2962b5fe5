package eu.securehub.psd2.callouts.crypto;

/** A {@code qseal} KVM entry that cannot be used; the message never quotes key material. */
public final class QsealException extends Exception {
    private static final long serialVersionUID = 1L;

    public QsealException(String message) {
        super(message, null, false, false);
    }
}
