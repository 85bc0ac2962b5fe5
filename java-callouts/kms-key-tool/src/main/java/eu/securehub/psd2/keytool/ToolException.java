package eu.securehub.psd2.keytool;

/**
 * A failure the tool reports as one line on stderr, with its exit code. Messages name files, key
 * ids and KMS resources, never key material.
 */
final class ToolException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The command line is wrong: nothing was read, called or written. */
    static final int USAGE = 2;
    /** Cloud KMS or the configuration (the kvms file, the keyring) failed: nothing was written. */
    static final int FAILED = 3;

    private final int exitCode;

    private ToolException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static ToolException usage(String message) {
        return new ToolException(USAGE, message);
    }

    static ToolException failed(String message) {
        return new ToolException(FAILED, message);
    }

    int exitCode() {
        return exitCode;
    }
}
