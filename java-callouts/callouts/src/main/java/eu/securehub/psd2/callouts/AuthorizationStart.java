package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.json.Json;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code Java-AuthorizationStart}: starts a consent authorisation, in three steps.
 * <ul>
 * <li>{@code request}: checks the CRM's request and builds the Berlin Group consent body for the bank.</li>
 * <li>{@code authorize}: after the bank created the consent, makes state, nonce and PKCE verifier, checks the
 *     bank's authorisation-server metadata, and builds the pending record, the authorisation URL (or, when
 *     the bank supports PAR, the PAR request body).</li>
 * <li>{@code par-response}: the authorisation URL from the bank's PAR answer.</li>
 * </ul>
 */
public final class AuthorizationStart extends Callout {
    static final String PREFIX = "authz";
    static final String PENDING = "private." + PREFIX + ".pending";
    static final int MAX_BODY_CHARS = 64 * 1024;
    static final Pattern DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");
    private static final int MAX_ID_CHARS = 256;

    /** The properties this callout reads (besides {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("step", "body", "allowed-return-urls", "consent-response", "issuer", "metadata",
            "client-id", "redirect-uri", "scopes", "frequency-per-day", "valid-until", "pending-ttl-seconds", "bank-id",
            "app-id", "return-url", "par-response", "authorization-endpoint", "state", "sca-preferred", "kind", "resource-base",
            "resource", "payment-id");

    public AuthorizationStart(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "consent_request", "return_url", "psu_given", "frequency_per_day", "valid_until", "state",
                "state_key", "consent_id", "consent_status", "par_required", "par_endpoint", "par_body",
                "authorization_endpoint", "token_endpoint", "authorization_url", "expires_in", "retain_seconds");
    }

    @Override
    protected void run(MessageContext ctx) throws CalloutException {
        String step = required(ctx, "step");
        switch (step) {
            case "request":
                request(ctx);
                break;
            case "authorize":
                authorize(ctx);
                break;
            case "par-response":
                parResponse(ctx);
                break;
            default:
                throw new CalloutException("invalid_property", "step must be request, authorize or par-response");
        }
    }

    private void request(MessageContext ctx) throws CalloutException {
        Fields body = Fields.of(crmBody(rawProperty(ctx, "body")).members(), "invalid_request", "body");
        String returnUrl = registeredReturnUrl(body.text("returnUrl", true), property(ctx, "allowed-return-urls"));
        Fields access = body.object("access", true);
        if (access.members().isEmpty()) {
            throw body.invalid("access", "is empty");
        }
        boolean recurring = body.bool("recurringIndicator", null);
        String validUntil = body.text("validUntil", true);
        LocalDate until = date(body, "validUntil", validUntil);
        LocalDate today = Instant.ofEpochMilli(now(ctx)).atZone(ZoneOffset.UTC).toLocalDate();
        if (until.isBefore(today)) {
            throw body.invalid("validUntil", "is in the past");
        }
        long frequency = body.requiredInteger("frequencyPerDay", 1, 100);
        boolean combined = body.bool("combinedServiceIndicator", Boolean.FALSE);
        // PSU-ID: the customer's id at the bank. A decoupled bank needs it to reach the customer's app.
        String psuId = requirePsuId(body.token("psuId", false, 140), property(ctx, "sca-preferred"));

        Map<String, Object> consent = new LinkedHashMap<>();
        consent.put("access", access.members());
        consent.put("recurringIndicator", recurring);
        consent.put("validUntil", validUntil);
        consent.put("frequencyPerDay", frequency);
        consent.put("combinedServiceIndicator", combined);
        // The state exists before the bank is called: a redirect bank gets it inside TPP-Redirect-URI.
        String state = AuthzState.random();
        ctx.setVariable(var("state"), state);
        ctx.setVariable(var("state_key"), AuthzState.stateKey(state));
        ctx.setVariable(var("consent_request"), Json.write(consent));
        ctx.setVariable(var("return_url"), returnUrl);
        ctx.setVariable("private." + PREFIX + ".psu_id", psuId);
        ctx.setVariable(var("psu_given"), Boolean.toString(!psuId.isEmpty()));
        ctx.setVariable(var("frequency_per_day"), Long.toString(frequency));
        ctx.setVariable(var("valid_until"), validUntil);
    }

    /** The customer's online-banking id (body psuId), which a decoupled bank needs to reach the customer's app. */
    static String requirePsuId(String psuId, String scaPreferred) throws CalloutException {
        if (psuId.isEmpty() && scaPreferred.equals("DECOUPLED")) {
            throw new CalloutException("psu_id_required", "body psuId is required: this bank's customers approve in its"
                    + " app, which the bank finds by the customer's online-banking id");
        }
        return psuId;
    }

    /** The CRM's JSON body (consent or payment creation): at most {@value #MAX_BODY_CHARS} characters, an object. */
    static Fields crmBody(String text) throws CalloutException {
        if (text.length() > MAX_BODY_CHARS) {
            throw new CalloutException("payload_too_large", "body is larger than " + MAX_BODY_CHARS + " characters");
        }
        if (text.trim().isEmpty()) {
            throw new CalloutException("invalid_json", "body is empty");
        }
        return Fields.parse(text, "invalid_json", "body");
    }

    /**
     * The CRM's return URL, when it is one of the app's registered ones ({@code allowed}, comma-separated) and secure:
     * the hub is never an open redirect.
     */
    static String registeredReturnUrl(String returnUrl, String allowed) throws CalloutException {
        if (Arrays.stream(allowed.split(",")).map(String::trim).noneMatch(u -> !u.isEmpty() && u.equals(returnUrl))) {
            throw new CalloutException("invalid_return_url", "returnUrl is not one of the return URLs registered for the app");
        }
        if (!Urls.secure(returnUrl)) {
            throw new CalloutException("invalid_return_url",
                    "returnUrl must be an https URL (http only to a loopback host), without user info or fragment");
        }
        return returnUrl;
    }

    static LocalDate date(Fields f, String name, String value) throws CalloutException {
        if (!DATE.matcher(value).matches()) {
            throw f.invalid(name, "is not a date (YYYY-MM-DD)");
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw f.invalid(name, "is not a date (YYYY-MM-DD)");
        }
    }

    private void authorize(MessageContext ctx) throws CalloutException {
        Fields consent = Fields.parse(required(ctx, "consent-response"), "invalid_bank_response", "consent-response");
        // What is authorised: a consent (AIS:<consentId>), or a payment or its cancellation (PIS:<paymentId>), whose
        // "consent id" in the records is the bank resource <service>/<product>/<paymentId> (AuthorizedResource).
        AuthorizedResource resource = AuthorizedResource.of(property(ctx, "kind"), consent, property(ctx, "resource-base"),
                property(ctx, "resource"), property(ctx, "payment-id"));
        String consentId = resource.id;
        String consentStatus = consent.token("consentStatus", false, 64);

        String issuer = required(ctx, "issuer");
        Fields metadata = Fields.parse(required(ctx, "metadata"), "invalid_metadata", "metadata");
        if (!metadata.text("issuer", true).equals(issuer)) {
            throw metadata.invalid("issuer", "is not the bank's configured issuer");
        }
        String authorizationEndpoint = endpoint(metadata, "authorization_endpoint", true);
        String tokenEndpoint = endpoint(metadata, "token_endpoint", true);
        String parEndpoint = endpoint(metadata, "pushed_authorization_request_endpoint", false);
        if (metadata.has("require_pushed_authorization_requests")
                && metadata.bool("require_pushed_authorization_requests", false) && parEndpoint.isEmpty()) {
            throw metadata.invalid("pushed_authorization_request_endpoint", "is missing although PAR is required");
        }
        List<?> methods = metadata.array("code_challenge_methods_supported");
        if (methods != null && !methods.contains("S256")) {
            throw metadata.invalid("code_challenge_methods_supported", "does not list S256");
        }

        String clientId = required(ctx, "client-id");
        String redirectUri = required(ctx, "redirect-uri");
        if (!Urls.secure(redirectUri)) {
            throw new CalloutException("invalid_property", "redirect-uri must be an https URL (http only to a loopback host)");
        }
        String scopes = property(ctx, "scopes");
        String scope = (scopes.isEmpty() ? "" : scopes + " ") + resource.scope();
        long frequency = requiredLong(ctx, "frequency-per-day", 1, 100);
        String validUntil = required(ctx, "valid-until");
        if (!DATE.matcher(validUntil).matches()) {
            throw new CalloutException("invalid_property", "valid-until is not a date (YYYY-MM-DD)");
        }
        long ttl = longProperty(ctx, "pending-ttl-seconds", 600, 60, 3600);
        long exp = now(ctx) / 1000 + ttl;

        String state = property(ctx, "state");
        if (state.isEmpty()) {
            state = AuthzState.random();
        } else if (!AuthzState.wellFormed(state)) {
            throw new CalloutException("invalid_property", "state is not 43 base64url characters");
        }
        String nonce = AuthzState.random();
        String verifier = AuthzState.random();
        Map<String, Object> pending = new LinkedHashMap<>();
        pending.put("v", 1L);
        pending.put("consentId", consentId);
        pending.put("bankId", required(ctx, "bank-id"));
        pending.put("codeVerifier", verifier);
        pending.put("nonce", nonce);
        pending.put("appId", required(ctx, "app-id"));
        pending.put("returnUrl", required(ctx, "return-url"));
        resource.describe(pending);
        pending.put("frequencyPerDay", frequency);
        pending.put("validUntil", validUntil);
        pending.put("exp", exp);

        String params = Urls.form("response_type", "code", "client_id", clientId, "redirect_uri", redirectUri,
                "scope", scope, "state", state, "nonce", nonce, "code_challenge", AuthzState.challenge(verifier),
                "code_challenge_method", "S256");
        boolean par = !parEndpoint.isEmpty();

        ctx.setVariable(var("state"), state);
        ctx.setVariable(var("state_key"), AuthzState.stateKey(state));
        ctx.setVariable(var("consent_id"), consentId);
        ctx.setVariable(var("consent_status"), consentStatus);
        ctx.setVariable(PENDING, Json.write(pending));
        ctx.setVariable(var("par_required"), Boolean.toString(par));
        ctx.setVariable(var("par_endpoint"), parEndpoint);
        ctx.setVariable(var("par_body"), params);
        ctx.setVariable(var("authorization_endpoint"), authorizationEndpoint);
        ctx.setVariable(var("token_endpoint"), tokenEndpoint);
        ctx.setVariable(var("authorization_url"), par ? "" : Urls.withQuery(authorizationEndpoint, params));
        ctx.setVariable(var("expires_in"), Long.toString(ttl));
        // How long the store keeps the pending authorisation: 5 minutes past its expiry, so that a late callback is
        // told "authorisation expired" rather than "unknown".
        ctx.setVariable(var("retain_seconds"), Long.toString(ttl + RETAIN_AFTER_EXPIRY_SECONDS));
    }

    static final long RETAIN_AFTER_EXPIRY_SECONDS = 300;

    private static String endpoint(Fields metadata, String name, boolean required) throws CalloutException {
        String url = metadata.text(name, required);
        if (!url.isEmpty() && !Urls.secure(url)) {
            throw metadata.invalid(name, "must be an https URL (http only to a loopback host)");
        }
        return url;
    }

    private void parResponse(MessageContext ctx) throws CalloutException {
        Fields par = Fields.parse(required(ctx, "par-response"), "invalid_par_response", "par-response");
        String requestUri = par.token("request_uri", true, 2048);
        par.integer("expires_in", 0, 1, 86400);
        String endpoint = required(ctx, "authorization-endpoint");
        if (!Urls.secure(endpoint)) {
            throw new CalloutException("invalid_property",
                    "authorization-endpoint must be an https URL (http only to a loopback host)");
        }
        String query = Urls.form("client_id", required(ctx, "client-id"), "request_uri", requestUri);
        ctx.setVariable(var("authorization_url"), Urls.withQuery(endpoint, query));
    }
}
