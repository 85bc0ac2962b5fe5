package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code Java-Problem}: the hub's RFC 9457 problem details for any fault. The cause is taken, in this
 * order, from the hub code a flow set before a RaiseFault, the first callout error code, the fault name,
 * and the bank's error status. The detail is a fixed sentence per code: nothing from the request or the
 * bank is copied, except the bank's Berlin Group error code and, for an OpenAPI validation fault, the fields
 * the request got wrong and the rules they break ({@link ValidationCause}: never the values sent), also as
 * {@code invalidParams}. It never fails on odd input: anything unknown is an internal error.
 */
public final class Problem extends Callout {
    static final String PREFIX = "problem";
    private static final int MAX_BANK_BODY_CHARS = 64 * 1024;
    private static final Pattern BANK_CODE = Pattern.compile("^[A-Z0-9_]{1,64}$");
    private static final Pattern REQUEST_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");
    private static final Set<String> CONSENT_CODES = Set.of("CONSENT_INVALID", "CONSENT_EXPIRED", "CONSENT_UNKNOWN");
    /** Hub codes whose callout names the member it refused ({@code invalid-param}, {@code invalid-reason}). */
    private static final Map<String, String> NAMED_PARAMS = Map.of("invalid_payment", "body",
            "payment_product_unsupported", "path", "idempotency_key_missing", "header");
    private static final Pattern PARAM = Pattern.compile("^(/[A-Za-z0-9]{1,64}){1,3}$|^[A-Za-z][A-Za-z0-9-]{0,63}$");

    /** One row of the problem table. */
    static final class Kind {
        final int status;
        final String slug;
        final String title;

        Kind(int status, String slug, String title) {
            this.status = status;
            this.slug = slug;
            this.title = title;
        }
    }

    private static final Kind VALIDATION = new Kind(400, "validation-failed", "Validation failed");
    private static final Kind BANK_ERROR = new Kind(502, "bank-error", "Bank error");
    private static final Kind INTERNAL = new Kind(500, "internal-error", "Internal error");

    /** Hub code -> problem kind. */
    static final Map<String, Kind> KINDS = new HashMap<>();
    /** Hub code -> the detail sentence. */
    static final Map<String, String> DETAILS = new HashMap<>();
    /** Apigee fault name -> hub code. */
    static final Map<String, String> FAULTS = new HashMap<>();

    private static void code(String code, Kind kind, String detail) {
        KINDS.put(code, kind);
        DETAILS.put(code, detail);
    }

    private static void faults(String code, String... names) {
        for (String name : names) {
            FAULTS.put(name, code);
        }
    }

    static {
        code("validation_failed", VALIDATION, "The request does not match the API description.");
        code("invalid_request", VALIDATION, "The request is invalid: check its members against the API description.");
        code("invalid_return_url", VALIDATION,
                "returnUrl must equal one of the return URLs registered for your app and use https.");
        code("invalid_state", VALIDATION, "The state parameter is missing or malformed: start a new authorisation.");
        code("invalid_bank_id", VALIDATION,
                "The bank id is malformed: use the id of a configured bank (lower-case letters, digits and hyphens).");
        code("invalid_code", VALIDATION,
                "The bank's redirect carried no usable authorisation code: start a new authorisation.");
        code("invalid_json", VALIDATION, "The request body is not a JSON object.");
        code("unsupported_media_type", new Kind(415, "validation-failed", "Unsupported media type"),
                "Send the request body as JSON, with Content-Type: application/json.");
        code("payload_too_large", new Kind(413, "payload-too-large", "Payload too large"),
                "The request body is too large: send less than 100 000 bytes.");
        // JTP-CrmBody (JSONThreatProtection) refused the body; its limits are those of the policy.
        code("body_rejected", VALIDATION, "The request body is not valid JSON or exceeds the hub's limits: at most 5 "
                + "levels of nesting, 16 members per object, 50 elements per array, member names of 64 and strings of "
                + "2048 characters.");
        Kind unauthenticated = new Kind(401, "unauthenticated", "Unauthenticated");
        code("unauthenticated", unauthenticated, "Send a valid API key of an approved app.");
        Kind forbidden = new Kind(403, "forbidden", "Forbidden");
        code("forbidden", forbidden, "Your app is not allowed to call this resource.");
        code("app_mismatch", forbidden, "The hub token was issued to another app: use a token issued to yours.");
        Kind invalidToken = new Kind(401, "invalid-token", "Invalid token");
        code("malformed_token", invalidToken, "Send Authorization: Bearer with a hub token (hub_ and 48 characters).");
        code("unknown_token", invalidToken,
                "The hub token is not known (revoked or never issued): start a new consent authorisation.");
        code("expired_token", invalidToken, "The hub token has expired: start a new consent authorisation.");
        code("undecryptable_token", invalidToken, "The hub token can no longer be used: start a new consent authorisation.");
        code("unknown_bank", new Kind(404, "unknown-bank", "Unknown bank"), "No bank is configured with this id.");
        code("not_found", new Kind(404, "not-found", "Not found"), "There is no such resource: check the path.");
        code("method_not_allowed", new Kind(405, "method-not-allowed", "Method not allowed"),
                "This method is not allowed on this resource.");
        code("unknown_session", new Kind(404, "session-not-found", "Session not found"),
                "The authorisation session is not known or already completed: start a new authorisation.");
        code("expired_state", new Kind(410, "authorisation-expired", "Authorisation expired"),
                "The authorisation was not completed in time: start a new authorisation.");
        Kind authorisationFailed = new Kind(400, "authorisation-failed", "Authorisation failed");
        code("issuer_mismatch", authorisationFailed,
                "The authorisation response did not come from the bank's authorisation server: start a new authorisation.");
        code("authorisation_denied", authorisationFailed, "The customer did not authorise the consent at the bank.");
        code("invalid_id_token", authorisationFailed,
                "The bank's ID token could not be verified: start a new authorisation.");
        code("consent_invalid", new Kind(403, "consent-invalid", "Consent invalid"),
                "The consent is not valid at the bank (expired, revoked or unknown): start a new consent authorisation.");
        code("budget_exhausted", new Kind(429, "budget-exhausted", "Budget exhausted"),
                "The consent's daily budget of accesses without the customer is used up: retry tomorrow or with the customer present.");
        code("rate_limited", new Kind(429, "rate-limited", "Rate limited"),
                "Too many requests for this bank: slow down and retry later.");
        Kind unavailable = new Kind(503, "bank-unavailable", "Bank unavailable");
        code("bank_unavailable", unavailable, "The bank cannot be reached at the moment: retry later.");
        // A concurrent request holds the refresh lease of this consent's bank token, which has run out: the consent
        // is fine, the renewed token is a second away (psd2-bank-auth-v1, Q-RefreshLease).
        code("token_refreshing", unavailable,
                "The bank token of this consent is being renewed by a concurrent request: retry after Retry-After seconds.");
        code("bank_busy", unavailable,
                "The hub has as many calls in flight to this bank as it allows: retry after Retry-After seconds.");
        code("bank_timeout", new Kind(504, "bank-timeout", "Bank timeout"), "The bank did not answer in time: retry later.");
        code("bank_error", BANK_ERROR, "The bank refused or failed the request; bankCode gives its reason when it sent one.");
        // The bank answered, but not as its API or OAuth metadata promise: a bank fault, not the hub's.
        for (String malformed : new String[] {"invalid_bank_response", "invalid_metadata", "invalid_par_response",
                "invalid_token_response"}) {
            code(malformed, BANK_ERROR, "The bank's answer could not be used: retry later; quote the requestId if it persists.");
        }
        // The bank's dialect (BankDialect, ScaApproach). EMBEDDED would put the customer's bank credentials in the
        // CRM's and the hub's hands: never run, whether the registry says so (bank supported: false) or the bank does.
        Kind scaUnsupported = new Kind(501, "sca-unsupported", "SCA approach not supported");
        code("sca_unsupported", scaUnsupported, "This bank offers only the embedded SCA approach, in which the customer's"
                + " bank credentials would pass through the CRM and the hub: the hub does not support it.");
        code("embedded_not_supported", scaUnsupported, "The bank asked for the embedded SCA approach, in which the"
                + " customer's bank credentials would pass through the CRM and the hub: the hub does not support it.");
        code("unexpected_sca_approach", BANK_ERROR, "The bank chose an SCA approach that its registry entry does not"
                + " offer: retry later; quote the requestId to the platform team if it persists.");
        code("psu_id_required", VALIDATION, "Send psuId, the customer's online-banking id: this bank's customers"
                + " approve in the bank's app, which the bank finds by that id.");
        // Payments (PaymentRequest, ResolveOpaqueToken with a payment path, the bank's cancellation answer).
        code("invalid_payment", VALIDATION, "The payment is invalid.");
        code("payment_product_unsupported", VALIDATION, "The payment product is not offered by the hub.");
        code("idempotency_key_missing", VALIDATION, "The payment request needs a valid Idempotency-Key header.");
        // draft-ietf-httpapi-idempotency-key-header, "Error Scenarios": 400 without the key, 422 for a key reused with
        // another payload, 409 while the first request with the key is still being processed.
        code("idempotency_key_reused", new Kind(422, "idempotency-key-reused", "Idempotency key reused"),
                "This Idempotency-Key was used for another payment request within the last 24 hours: use a new key for"
                        + " a new payment.");
        code("idempotency_in_progress", new Kind(409, "idempotency-in-progress", "Request in progress"),
                "The first request with this Idempotency-Key is still being processed: retry after Retry-After seconds"
                        + " to get its answer.");
        code("payment_unknown", new Kind(404, "payment-not-found", "Payment not found"),
                "No payment with this id is known to the hub: use the paymentId the hub gave when it was created.");
        code("payment_forbidden", forbidden, "This payment was created by another app: only that app can use it.");
        code("payment_not_cancellable", new Kind(409, "payment-not-cancellable", "Payment not cancellable"),
                "The bank no longer allows this payment to be cancelled (it is executed, rejected or already cancelled).");
        code("payments_not_offered", new Kind(501, "service-not-offered", "Service not offered"),
                "The hub does not initiate payments at this bank (its registry entry lists no PIS service).");
        code("kms_unavailable", new Kind(503, "key-service-unavailable", "Key service unavailable"),
                "The hub's key service is unavailable at the moment: retry later.");
        code("internal_error", INTERNAL,
                "The hub could not process the request: retry later, and quote the requestId if it persists.");

        faults("validation_failed", "Failed", "OASValidationFailure");
        faults("unauthenticated", "InvalidApiKey", "FailedToResolveAPIKey", "ApiKeyNotApproved",
                "DeveloperStatusNotActive", "AppStatusNotActive", "invalid_client-app_not_approved");
        faults("forbidden", "InvalidApiKeyForGivenResource", "InvalidApiCallAsNoApiProductMatchFound");
        faults("invalid_id_token", "InvalidToken", "TokenExpired", "TokenNotYetValid", "InvalidClaim",
                "JwtAudienceMismatch", "JwtIssuerMismatch", "NoMatchingPublicKey", "KeyIdMissing",
                "AlgorithmInTokenNotPresentInConfiguration", "AlgorithmMismatch", "FailedToDecode",
                "FailedToResolveVariable", "InvalidJsonFormat", "NoAlgorithmFoundInHeader");
        faults("budget_exhausted", "QuotaViolation");
        faults("rate_limited", "SpikeArrestViolation");
        // Target faults, by the names of Apigee X's runtime error catalog (messaging.adaptors.http.flow.*,
        // https://cloud.google.com/apigee/docs/api-platform/errorcatalog/mp-runtime-errorcatalog): a failed TLS handshake
        // is SslHandshakeFailed (503), a refused or timed-out connection ServiceUnavailable (503), no healthy
        // target server NoActiveTargets (503), a read timeout GatewayTimeout (504, reason TARGET_READ_TIMEOUT), a
        // status outside success.codes ErrorResponseCode.
        faults("bank_unavailable", "SslHandshakeFailed", "ServiceUnavailable", "NoActiveTargets");
        faults("bank_timeout", "GatewayTimeout");
        faults("bank_error", "ErrorResponseCode");
        faults("internal_error", "ExecutionReturnedFailure");
    }

    /** The properties this callout reads (besides {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("error-code", "callout-codes", "fault-name", "bank-status", "status-code",
            "bank-body", "validation-cause", "instance", "request-id", "query", "verb", "path-parameters",
            "header-psu-ip-address", "header-x-request-id", "invalid-param", "invalid-reason");

    public Problem(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "status", "type", "title", "code", "body");
    }

    @Override
    protected void run(MessageContext ctx) {
        String code = cause(ctx);
        String bankCode = bankCode(rawProperty(ctx, "bank-body"));
        if (code.equals("bank_error") && bankCode != null && CONSENT_CODES.contains(bankCode)) {
            code = "consent_invalid";
        }
        if (code.equals("bank_error") && "CANCELLATION_INVALID".equals(bankCode)) {
            code = "payment_not_cancellable";
        }
        Kind kind = KINDS.get(code);
        if (kind == null) {
            code = "internal_error";
            kind = INTERNAL;
        }
        int status = kind.status;
        if (kind == BANK_ERROR) {
            int bankStatus = status(property(ctx, "bank-status"));
            if (bankStatus == 0) {
                bankStatus = status(property(ctx, "status-code"));
            }
            status = bankStatus >= 400 && bankStatus < 500 && bankStatus != 401 ? bankStatus : 502;
        }
        String detail = DETAILS.get(code);
        ValidationCause.Result validation = null;
        if (code.equals("validation_failed")) {
            validation = ValidationCause.describe(property(ctx, "validation-cause"), request(ctx));
            if (!validation.isEmpty()) {
                detail = "The request does not match the API description: "
                        + validation.text(ValidationCause.MAX_CHARS) + ".";
            }
        }
        List<Map<String, Object>> named = null;
        String in = NAMED_PARAMS.get(code);
        String param = property(ctx, "invalid-param");
        String reason = property(ctx, "invalid-reason");
        // The member a callout refused and its fixed reason (written by the hub, never the value sent).
        if (in != null && PARAM.matcher(param).matches() && !reason.isEmpty() && reason.length() <= 200) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("in", in);
            entry.put("name", param);
            entry.put("reason", reason);
            named = List.of(entry);
            detail = detail.substring(0, detail.length() - 1) + ": " + param + " " + reason + ".";
        }
        String type = "urn:psd2-hub:problem:" + kind.slug;

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("title", kind.title);
        body.put("status", (long) status);
        body.put("detail", detail);
        String instance = instance(property(ctx, "instance"));
        if (!instance.isEmpty()) {
            body.put("instance", instance);
        }
        String requestId = property(ctx, "request-id");
        if (REQUEST_ID.matcher(requestId).matches()) {
            body.put("requestId", requestId);
        }
        body.put("code", code);
        if (bankCode != null) {
            body.put("bankCode", bankCode);
        }
        if (validation != null && !validation.invalidParams.isEmpty()) {
            body.put("invalidParams", validation.invalidParams);
        } else if (named != null) {
            body.put("invalidParams", named);
        }
        ctx.setVariable(var("status"), Integer.toString(status));
        ctx.setVariable(var("type"), type);
        ctx.setVariable(var("title"), kind.title);
        ctx.setVariable(var("code"), code);
        ctx.setVariable(var("body"), Json.write(body));
    }

    /** What the validation cause is compared with to find a parameter it does not name (never returned). */
    private ValidationCause.Request request(MessageContext ctx) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("PSU-IP-Address", rawProperty(ctx, "header-psu-ip-address"));
        headers.put("X-Request-ID", rawProperty(ctx, "header-x-request-id"));
        return ValidationCause.Request.of(rawProperty(ctx, "query"), property(ctx, "verb"), property(ctx, "instance"),
                property(ctx, "path-parameters"), headers);
    }

    /** The hub code: error-code, else the first callout code, else the fault's, else bank_error for a bank 4xx/5xx. */
    private String cause(MessageContext ctx) {
        String code = property(ctx, "error-code");
        if (!code.isEmpty()) {
            return code;
        }
        for (String c : property(ctx, "callout-codes").split(",")) {
            if (!c.trim().isEmpty()) {
                return c.trim();
            }
        }
        String fault = FAULTS.get(property(ctx, "fault-name"));
        if (fault != null) {
            return fault;
        }
        return status(property(ctx, "bank-status")) >= 400 ? "bank_error" : "internal_error";
    }

    private static int status(String s) {
        if (s.isEmpty() || s.length() > 3 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return 0;
        }
        int n = Integer.parseInt(s);
        return n >= 100 && n <= 599 ? n : 0;
    }

    /** tppMessages[0].code of a Berlin Group error body, when it is an upper-case code; else null. */
    static String bankCode(String body) {
        if (body.isEmpty() || body.length() > MAX_BANK_BODY_CHARS) {
            return null;
        }
        try {
            Object messages = Json.parseObject(body).get("tppMessages");
            if (!(messages instanceof List) || ((List<?>) messages).isEmpty()) {
                return null;
            }
            Object first = ((List<?>) messages).get(0);
            Object code = first instanceof Map ? ((Map<?, ?>) first).get("code") : null;
            return code instanceof String && BANK_CODE.matcher((String) code).matches() ? (String) code : null;
        } catch (JsonException e) {
            return null;
        }
    }

    /** The request path without its query, when it looks like a path. */
    private static String instance(String path) {
        int q = path.indexOf('?');
        String p = q < 0 ? path : path.substring(0, q);
        if (!p.startsWith("/") || p.length() > 256 || !Fields.visibleAscii(p)) {
            return "";
        }
        return p;
    }
}
