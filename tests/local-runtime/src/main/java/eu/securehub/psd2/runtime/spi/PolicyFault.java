package eu.securehub.psd2.runtime.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A policy's runtime error (Apigee: the flow enters the error state). The engine sets error.*, fault.name
 * ({@link #faultName()}), {ns}.{policy}.failed and, if nothing handles it, answers with {@link #status()} and
 * Apigee's default body {"fault":{"faultstring":…,"detail":{"errorcode":…}}}.
 */
public final class PolicyFault extends RuntimeException {
    private final String errorCode;
    private final int status;
    private final String faultString;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String reasonPhrase;

    /** @param errorCode the full code, e.g. "policies.ratelimit.QuotaViolation" */
    public PolicyFault(String errorCode, int status, String faultString) {
        super(errorCode + " (" + status + "): " + faultString);
        this.errorCode = errorCode;
        this.status = status;
        this.faultString = faultString;
    }

    public PolicyFault(String errorCode, int status, String faultString, Throwable cause) {
        this(errorCode, status, faultString);
        initCause(cause);
    }

    public String errorCode() {
        return errorCode;
    }

    /** The last dot-separated segment of the error code (Apigee's fault.name), e.g. "QuotaViolation". */
    public String faultName() {
        int dot = errorCode.lastIndexOf('.');
        return dot < 0 ? errorCode : errorCode.substring(dot + 1);
    }

    public int status() {
        return status;
    }

    public String faultString() {
        return faultString;
    }

    /** Reason phrase of the error response (default: the HTTP standard phrase). */
    public String reasonPhrase() {
        return reasonPhrase;
    }

    public PolicyFault reasonPhrase(String phrase) {
        this.reasonPhrase = phrase;
        return this;
    }

    /** Extra headers of the default error response (rarely used; most policies set none). */
    public Map<String, String> headers() {
        return Collections.unmodifiableMap(headers);
    }

    public PolicyFault header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
