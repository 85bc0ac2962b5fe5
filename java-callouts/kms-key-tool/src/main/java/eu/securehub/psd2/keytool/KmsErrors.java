package eu.securehub.psd2.keytool;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/** Turns a failed KMS call into one line that says what to do about it. */
final class KmsErrors {
    private static final int MAX_DETAIL = 300;

    private KmsErrors() {
    }

    /**
     * @param operation "wrap" or "unwrap"
     * @param keyId     the DEK concerned
     */
    static ToolException of(ApiException e, String endpoint, String kek, String operation, String keyId) {
        String detail = detail(e);
        if (isConnectionFailure(e)) {
            return ToolException.failed("KMS endpoint " + endpoint + " is unreachable: " + detail);
        }
        switch (e.getStatusCode().getCode()) {
            case NOT_FOUND:
                return ToolException.failed("KMS key " + kek + " not found");
            case PERMISSION_DENIED:
                return ToolException.failed("permission denied on KMS key " + kek
                        + ": the caller needs roles/cloudkms.cryptoKeyEncrypterDecrypter on that key"
                        + " (KMS gives the same answer when the key does not exist)");
            case UNAUTHENTICATED:
                return ToolException.failed("KMS rejected the credentials (" + detail
                        + "): check --access-token, KMS_ACCESS_TOKEN or Application Default Credentials");
            case DEADLINE_EXCEEDED:
                return ToolException.failed("KMS endpoint " + endpoint + " did not answer in time (see --timeout): " + detail);
            case FAILED_PRECONDITION:
                return ToolException.failed("KMS key " + kek + " cannot " + operation + " key " + keyId
                        + " (is the key or its version disabled or destroyed?): " + detail);
            case INVALID_ARGUMENT:
                if (operation.equals("unwrap")) {
                    return ToolException.failed("KMS key " + kek + " cannot unwrap key " + keyId
                            + ": it was wrapped by another KEK or for another key id, or it is corrupt (" + detail + ")");
                }
                return ToolException.failed("KMS rejected the request to " + operation + " key " + keyId + " with " + kek + ": " + detail);
            default:
                return ToolException.failed("KMS could not " + operation + " key " + keyId + " with " + kek + ": " + detail);
        }
    }

    /**
     * UNAVAILABLE over gRPC; over REST, gax reports a refused connection, an unknown host or a
     * failed TLS handshake as UNKNOWN with the I/O exception as cause.
     */
    private static boolean isConnectionFailure(ApiException e) {
        if (e.getStatusCode().getCode() == StatusCode.Code.UNAVAILABLE) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketException || t instanceof UnknownHostException
                    || t instanceof SocketTimeoutException || t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    /** The gRPC status (code and description) if there is one, and the root cause's message: one line. */
    static String detail(Throwable e) {
        Status status = null;
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (status == null && t instanceof StatusRuntimeException) {
                status = ((StatusRuntimeException) t).getStatus();
            } else if (status == null && t instanceof StatusException) {
                status = ((StatusException) t).getStatus();
            }
            root = t;
        }
        StringBuilder s = new StringBuilder();
        if (status != null) {
            s.append(status.getCode());
            if (status.getDescription() != null) {
                s.append(": ").append(status.getDescription());
            }
        } else if (e.getMessage() != null) {
            s.append(e.getMessage());
        }
        if (root != e && root.getMessage() != null && s.indexOf(root.getMessage()) < 0) {
            s.append(" (").append(root.getMessage()).append(')');
        }
        return oneLine(s.length() == 0 ? e.getClass().getSimpleName() : s.toString());
    }

    static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() <= MAX_DETAIL ? line : line.substring(0, MAX_DETAIL) + "...";
    }
}
