package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

/**
 * {@code Java-AuthorizationCallback}: the bank's redirect back to the hub, in four steps.
 * <ul>
 * <li>{@code state}: checks the state's shape and gives the KVM key of its pending record.</li>
 * <li>{@code pending}: reads the (decrypted) pending record; an expired one still yields the CRM's error location.</li>
 * <li>{@code verify}: the bank's answer: an {@code error}, or the issuer (RFC 9207) and an authorisation code.</li>
 * <li>{@code redirect}: the CRM's return URL with the state and the outcome.</li>
 * </ul>
 */
public final class AuthorizationCallback extends Callout {
    static final String PREFIX = "callback";
    static final String CODE_VERIFIER = "private." + PREFIX + ".code_verifier";
    static final int MAX_CODE_CHARS = 512;

    /** The properties this callout reads (besides {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("step", "state", "pending", "error", "issuer", "iss", "code",
            "return-url", "outcome");

    public AuthorizationCallback(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "state_key", "bank_id", "consent_id", "nonce", "app_id", "return_url",
                "frequency_per_day", "valid_until", "valid_until_epoch", "error_location", "outcome", "location", "kind",
                "resource_status_path", "session");
    }

    @Override
    protected void run(MessageContext ctx) throws CalloutException {
        String step = required(ctx, "step");
        switch (step) {
            case "state":
                ctx.setVariable(var("state_key"), AuthzState.stateKey(state(ctx)));
                break;
            case "pending":
                pending(ctx);
                break;
            case "verify":
                verify(ctx);
                break;
            case "redirect":
                redirect(ctx);
                break;
            default:
                throw new CalloutException("invalid_property", "step must be state, pending, verify or redirect");
        }
    }

    private String state(MessageContext ctx) throws CalloutException {
        String state = property(ctx, "state");
        if (!AuthzState.wellFormed(state)) {
            throw new CalloutException("invalid_state", "state is missing or not 43 base64url characters");
        }
        return state;
    }

    private void pending(MessageContext ctx) throws CalloutException {
        String state = state(ctx);
        Fields p = Fields.parse(required(ctx, "pending"), "invalid_state", "pending record");
        if (p.integer("v", 0, 0, Long.MAX_VALUE) != 1) {
            throw p.invalid("v", "is not 1");
        }
        String returnUrl = p.text("returnUrl", true);
        if (!Urls.secure(returnUrl)) {
            throw p.invalid("returnUrl", "is not an https URL");
        }
        long exp = p.requiredInteger("exp", 0, Long.MAX_VALUE / 1000);
        String consentId = p.token("consentId", true, 256);
        // Absent in consent records (the first kind); a payment's or cancellation's names the hub's payment id.
        String kind = p.text("kind", false);
        AuthorizedResource resource = kind.isEmpty() || kind.equals(AuthorizedResource.CONSENT)
                ? null : AuthorizedResource.resource(kind, consentId, p.token("paymentId", true, 64));
        if (resource != null && !OpaqueTokens.wellFormedPaymentId(resource.paymentId)) {
            throw p.invalid("paymentId", "is not a hub payment id");
        }
        String bankId = p.token("bankId", true, 256);
        // Absent in the OAuth journey's records (the first kind); "redirect" or "decoupled" from ScaApproach.
        String approach = p.text("approach", false);
        if (approach.isEmpty()) {
            approach = "oauth";
        } else if (!approach.equals("redirect") && !approach.equals("decoupled")) {
            throw p.invalid("approach", "is not oauth, redirect or decoupled");
        }
        boolean oauth = approach.equals("oauth");
        String verifier = p.token("codeVerifier", oauth, 128);
        String nonce = p.token("nonce", oauth, 256);
        String statusPath = p.text("statusPath", false);
        String appId = p.text("appId", true);
        long frequency = p.requiredInteger("frequencyPerDay", 1, 100);
        String validUntil = p.text("validUntil", true);
        LocalDate until = AuthorizationStart.date(p, "validUntil", validUntil);

        ctx.setVariable(var("return_url"), returnUrl);
        ctx.setVariable(var("error_location"), location(returnUrl, state, "error"));
        if (exp < now(ctx) / 1000) {
            throw new CalloutException("expired_state", "the authorisation has expired: start a new one");
        }
        ctx.setVariable(var("bank_id"), bankId);
        ctx.setVariable(var("approach"), approach);
        ctx.setVariable(var("status_path"), statusPath);
        ctx.setVariable(var("consent_id"), consentId);
        ctx.setVariable(var("kind"), resource == null ? AuthorizedResource.CONSENT : resource.kind);
        // The hub's payment id: the bank's token for the payment is stored under it (Java-MintToken's opaque-token).
        ctx.setVariable("private." + PREFIX + ".payment_id", resource == null ? "" : resource.paymentId);
        ctx.setVariable(var("resource_status_path"), resource == null
                ? "/v1/consents/" + consentId + "/status" : resource.statusPath());
        // Only a consent's authorisation ends in a session the CRM collects (POST /sessions) with its hub token.
        ctx.setVariable(var("session"), Boolean.toString(resource == null));
        ctx.setVariable(CODE_VERIFIER, verifier);
        ctx.setVariable(var("nonce"), nonce);
        ctx.setVariable(var("app_id"), appId);
        ctx.setVariable(var("frequency_per_day"), Long.toString(frequency));
        ctx.setVariable(var("valid_until"), validUntil);
        // The end of the consent's last day (UTC), as the token mint's expires-at wants it.
        ctx.setVariable(var("valid_until_epoch"), Long.toString(until.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond()));
    }

    private void verify(MessageContext ctx) throws CalloutException {
        String error = property(ctx, "error");
        if (!error.isEmpty()) {
            ctx.setVariable(var("outcome"), error.equals("access_denied") ? "denied" : "error");
            return;
        }
        String issuer = required(ctx, "issuer");
        String iss = property(ctx, "iss");
        if (iss.isEmpty()) {
            throw new CalloutException("issuer_mismatch", "the authorisation response has no iss parameter");
        }
        if (!iss.equals(issuer)) {
            throw new CalloutException("issuer_mismatch", "the authorisation response's iss is not the bank's issuer");
        }
        String code = property(ctx, "code");
        if (code.isEmpty() || code.length() > MAX_CODE_CHARS || !Fields.visibleAscii(code)) {
            throw new CalloutException("invalid_code",
                    "code is missing, longer than " + MAX_CODE_CHARS + " characters, or not visible ASCII");
        }
        ctx.setVariable(var("outcome"), "success");
    }

    private void redirect(MessageContext ctx) throws CalloutException {
        String returnUrl = required(ctx, "return-url");
        if (!Urls.secure(returnUrl)) {
            throw new CalloutException("invalid_return_url", "return-url is not an https URL");
        }
        String state = state(ctx);
        String outcome = required(ctx, "outcome");
        if (!outcome.equals("success") && !outcome.equals("denied") && !outcome.equals("error")) {
            throw new CalloutException("invalid_property", "outcome must be success, denied or error");
        }
        ctx.setVariable(var("location"), location(returnUrl, state, outcome));
    }

    private static String location(String returnUrl, String state, String outcome) {
        return Urls.withQuery(returnUrl, Urls.form("state", state, "outcome", outcome));
    }
}
