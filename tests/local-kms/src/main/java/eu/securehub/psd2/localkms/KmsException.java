package eu.securehub.psd2.localkms;

/**
 * A failed call as Google's APIs report it: an HTTP status, a {@code google.rpc.Code} name and a
 * message, sent as {@code {"error":{"code":…,"message":"…","status":"…"}}}.
 */
final class KmsException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String status;

    KmsException(int httpStatus, String status, String message) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.status = status;
    }

    static KmsException invalidArgument(String message) {
        return new KmsException(400, "INVALID_ARGUMENT", message);
    }

    static KmsException notFound(String message) {
        return new KmsException(404, "NOT_FOUND", message);
    }

    static KmsException unauthenticated(String message) {
        return new KmsException(401, "UNAUTHENTICATED", message);
    }

    int httpStatus() {
        return httpStatus;
    }

    String status() {
        return status;
    }
}
