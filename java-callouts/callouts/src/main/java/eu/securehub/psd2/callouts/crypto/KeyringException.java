package eu.securehub.psd2.callouts.crypto;

/** A keyring that cannot be used; the message never quotes key material. */
public final class KeyringException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeyringException(String message) {
        super(message, null, false, false);
    }
}
