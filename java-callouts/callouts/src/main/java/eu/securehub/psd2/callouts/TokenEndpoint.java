package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import java.util.Map;
import java.util.Set;

/**
 * {@code Java-TokenEndpoint}: the bank's OAuth token endpoint. {@code authorization-code} and {@code refresh}
 * build the form body of the token request; {@code response} reads the bank's answer into private variables.
 * The request body holds the code or the refresh token, so it is a {@code private.} variable too.
 */
public final class TokenEndpoint extends Callout {
    static final String PREFIX = "oauth";
    static final String REQUEST_BODY = "private." + PREFIX + ".request_body";
    static final String ACCESS_TOKEN = "private." + PREFIX + ".access_token";
    static final String REFRESH_TOKEN = "private." + PREFIX + ".refresh_token";
    static final String ID_TOKEN = "private." + PREFIX + ".id_token";
    static final long DEFAULT_EXPIRES_IN = 300;
    static final long MAX_EXPIRES_IN = 10L * 365 * 24 * 3600;
    private static final int MAX_TOKEN_CHARS = 8192;
    private static final int MAX_RESPONSE_CHARS = 64 * 1024;
    /** RFC 6749 section 5.2: the error codes a token endpoint answers with (only these are passed on). */
    private static final Set<String> GRANT_ERRORS = Set.of("invalid_request", "invalid_client", "invalid_grant",
            "unauthorized_client", "unsupported_grant_type", "invalid_scope");

    /** The properties this callout reads (besides {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("step", "code", "redirect-uri", "code-verifier", "client-id", "refresh-token",
            "response", "previous-refresh-token");

    public TokenEndpoint(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "expires_in", "token_type", "grant_error");
    }

    @Override
    protected void run(MessageContext ctx) throws CalloutException {
        String step = required(ctx, "step");
        switch (step) {
            case "authorization-code":
                ctx.setVariable(REQUEST_BODY, Urls.form("grant_type", "authorization_code", "code", required(ctx, "code"),
                        "redirect_uri", required(ctx, "redirect-uri"), "code_verifier", required(ctx, "code-verifier"),
                        "client_id", required(ctx, "client-id")));
                break;
            case "refresh":
                ctx.setVariable(REQUEST_BODY, Urls.form("grant_type", "refresh_token",
                        "refresh_token", required(ctx, "refresh-token"), "client_id", required(ctx, "client-id")));
                break;
            case "response":
                response(ctx);
                break;
            default:
                throw new CalloutException("invalid_property", "step must be authorization-code, refresh or response");
        }
    }

    private void response(MessageContext ctx) throws CalloutException {
        ctx.setVariable(var("grant_error"), "");
        String text = rawProperty(ctx, "response");
        if (text.length() > MAX_RESPONSE_CHARS) {
            throw new CalloutException("invalid_token_response", "response is larger than " + MAX_RESPONSE_CHARS + " characters");
        }
        Fields r = Fields.parse(text, "invalid_token_response", "response");
        if (r.has("error")) {
            Object error = r.members().get("error");
            boolean known = GRANT_ERRORS.contains(error);
            ctx.setVariable(var("grant_error"), known ? (String) error : "other");
            throw new CalloutException("invalid_token_response",
                    "the token endpoint answered with an OAuth error" + (known ? " (" + error + ")" : ""));
        }
        String access = r.token("access_token", true, MAX_TOKEN_CHARS);
        String type = r.text("token_type", true);
        if (!type.equalsIgnoreCase("Bearer")) {
            throw r.invalid("token_type", "is not Bearer");
        }
        long expiresIn = expiresIn(r);
        String refresh = r.token("refresh_token", false, MAX_TOKEN_CHARS);
        if (refresh.isEmpty()) {
            refresh = property(ctx, "previous-refresh-token"); // the bank did not rotate it: keep the one we have
        }
        String idToken = r.token("id_token", false, MAX_TOKEN_CHARS);

        ctx.setVariable(ACCESS_TOKEN, access);
        ctx.setVariable(REFRESH_TOKEN, refresh);
        ctx.setVariable(ID_TOKEN, idToken);
        ctx.setVariable(var("expires_in"), Long.toString(expiresIn));
        ctx.setVariable(var("token_type"), "Bearer");
    }

    /** expires_in as a number, or a string of digits as some banks send it; 300 when absent. */
    private static long expiresIn(Fields r) throws CalloutException {
        Object v = r.members().get("expires_in");
        if (v instanceof String) {
            String s = (String) v;
            if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw r.invalid("expires_in", "is not a number of seconds");
            }
            long n = Long.parseLong(s);
            if (n < 1 || n > MAX_EXPIRES_IN) {
                throw r.invalid("expires_in", "must be between 1 and " + MAX_EXPIRES_IN);
            }
            return n;
        }
        return r.integer("expires_in", DEFAULT_EXPIRES_IN, 1, MAX_EXPIRES_IN);
    }
}
