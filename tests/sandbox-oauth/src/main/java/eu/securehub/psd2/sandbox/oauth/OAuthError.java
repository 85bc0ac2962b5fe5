package eu.securehub.psd2.sandbox.oauth;

/** An OAuth error response (RFC 6749 §5.2): thrown inside the handler, answered as JSON. */
final class OAuthError extends Exception {

    private static final long serialVersionUID = 1L;

    final int status;
    final String error;

    OAuthError(int status, String error, String description) {
        super(description, null, false, false);
        this.status = status;
        this.error = error;
    }

    static OAuthError invalidRequest(String description) {
        return new OAuthError(400, "invalid_request", description);
    }

    static OAuthError invalidClient(String description) {
        return new OAuthError(401, "invalid_client", description);
    }

    static OAuthError invalidGrant(String description) {
        return new OAuthError(400, "invalid_grant", description);
    }

    static OAuthError invalidScope(String description) {
        return new OAuthError(400, "invalid_scope", description);
    }
}
