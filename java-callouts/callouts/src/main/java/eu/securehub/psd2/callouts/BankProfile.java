package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code Java-BankProfile}: checks the bank id of a request and reads the bank's profile (the value
 * of its entry in the KVM {@code psd2-hub-banks}) into flow variables, with the defaults filled in.
 * A profile that breaks a rule is refused naming the member, never its value.
 */
public final class BankProfile extends Callout {
    static final String PREFIX = "bank";
    static final Pattern BANK_ID = Pattern.compile("^[a-z0-9][a-z0-9-]{0,39}$");
    private static final Pattern SPIKE_RATE = Pattern.compile("^\\d{1,6}p[sm]$");
    private static final Pattern SCOPES = Pattern.compile("^[\\x21\\x23-\\x5b\\x5d-\\x7e]+( [\\x21\\x23-\\x5b\\x5d-\\x7e]+)*$");
    private static final String CODE = "invalid_bank_profile";
    /**
     * The id-token algorithms the hub verifies, one VerifyJWT policy each (VJWT-IdTokenPS256, VJWT-IdTokenES256):
     * those FAPI 2.0 allows that Apigee's VerifyJWT supports. Default PS256.
     */
    static final Set<String> ID_TOKEN_ALGORITHMS = Set.of("PS256", "ES256");
    /** The bank's read timeout when its entry gives none (config-assembler writes the same into the TargetEndpoint). */
    public static final long DEFAULT_READ_TIMEOUT_MS = 10_000;
    /** The breaker's slow-call threshold when the entry gives none. */
    public static final long DEFAULT_SLOW_CALL_MS = 3_000;
    /** The range of readTimeoutMs. */
    public static final long MIN_READ_TIMEOUT_MS = 1_000;
    public static final long MAX_READ_TIMEOUT_MS = 60_000;

    /** The properties this callout reads (besides {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("bank-id", "profile", "consent-unattended-allow");

    public BankProfile(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "id", "target", "name", "metadata_url", "issuer", "client_id", "jwks_uri", "id_token_alg", "scopes",
                "unattended_per_day", "unattended_allow", "spike_rate", "breaker_threshold", "breaker_window_seconds",
                "breaker_window_minutes", "breaker_open_seconds", "breaker_slow_ms", "breaker_half_open",
                "breaker_max_in_flight", "read_timeout_ms", "supported", "sca_approaches", "sca_preferred", "sca_explicit", "sca_request",
                "sca_poll_seconds", "oauth", "signing", "signing_headers", "signing_token_endpoint",
                "signing_par_endpoint", "services");
    }

    @Override
    protected void run(MessageContext ctx) throws CalloutException {
        String bankId = property(ctx, "bank-id");
        if (!BANK_ID.matcher(bankId).matches()) {
            throw new CalloutException("invalid_bank_id",
                    "bank-id must be 1 to 40 lower-case letters, digits or hyphens, starting with a letter or digit");
        }
        String profile = property(ctx, "profile");
        if (profile.isEmpty()) {
            throw new CalloutException("unknown_bank", "no bank is configured with this id");
        }
        Fields p = Fields.parse(profile, CODE, "profile");
        String declaredId = p.text("bankId", false);
        if (!declaredId.isEmpty() && !declaredId.equals(bankId)) {
            throw p.invalid("bankId", "differs from the KVM entry name");
        }
        String name = p.text("name", true);
        if (name.length() > 200) {
            throw p.invalid("name", "is longer than 200 characters");
        }
        BankDialect dialect = BankDialect.of(p);
        // The OAuth members describe the bank's authorisation server: required when it offers OAUTH, refused otherwise
        // (a stale issuer or client id in a plain-redirect bank's entry would mislead whoever reads it).
        boolean oauth = dialect.offers("OAUTH");
        String metadataUrl = "";
        String issuer = "";
        String clientId = "";
        String jwksUri = "";
        String idTokenAlg = "";
        String scopes = "";
        if (oauth) {
            metadataUrl = url(p, "metadataUrl");
            issuer = url(p, "issuer");
            clientId = p.token("clientId", true, 256);
            jwksUri = url(p, "jwksUri");
            idTokenAlg = p.text("idTokenAlgorithm", false);
            if (idTokenAlg.isEmpty()) {
                idTokenAlg = "PS256";
            } else if (!ID_TOKEN_ALGORITHMS.contains(idTokenAlg)) {
                throw p.invalid("idTokenAlgorithm", "must be PS256 or ES256");
            }
            scopes = p.text("scopes", true);
            if (scopes.length() > 1024 || !SCOPES.matcher(scopes).matches()) {
                throw p.invalid("scopes", "is not a space-separated list of scope tokens");
            }
        } else {
            for (String member : BankDialect.OAUTH_MEMBERS) {
                if (p.has(member)) {
                    throw p.invalid(member, "is only allowed for a bank that offers OAUTH in sca approaches");
                }
            }
        }
        long unattended = p.integer("unattendedPerDay", 4, 1, 4);
        // The consent's own allowance (e.g. token.unattended_allow: its frequencyPerDay, at most 4) can only lower it.
        long allow = property(ctx, "consent-unattended-allow").isEmpty() ? unattended
                : Math.min(unattended, longProperty(ctx, "consent-unattended-allow", 4, 0, 100));
        String spikeRate = p.text("spikeArrestRate", false);
        if (spikeRate.isEmpty()) {
            spikeRate = "20ps";
        } else if (!SPIKE_RATE.matcher(spikeRate).matches()) {
            throw p.invalid("spikeArrestRate", "must be a number followed by ps or pm");
        }
        Fields breaker = p.object("breaker", false);
        if (breaker == null) {
            breaker = Fields.of(Map.of(), CODE, "profile breaker");
        }
        long threshold = breaker.integer("failureThreshold", 5, 1, 100);
        long windowSeconds = breaker.integer("windowSeconds", 60, 1, 86400);
        long openSeconds = breaker.integer("openSeconds", 30, 1, 86400);
        long slowMs = breaker.integer("slowCallMs", DEFAULT_SLOW_CALL_MS, 1, 3_600_000);
        long halfOpen = breaker.integer("halfOpenPermitted", 1, 1, 100);
        long maxInFlight = breaker.integer("maxCallsInFlight", CircuitBreaker.DEFAULT_MAX_IN_FLIGHT, 1, 100_000);
        // The TargetEndpoint's io.timeout.millis (written by the build from this member): the breaker drops a call
        // it never heard the end of after twice this.
        long readTimeoutMs = p.integer("readTimeoutMs", DEFAULT_READ_TIMEOUT_MS, MIN_READ_TIMEOUT_MS, MAX_READ_TIMEOUT_MS);

        ctx.setVariable(var("id"), bankId);
        ctx.setVariable(var("target"), "bank-" + bankId);
        ctx.setVariable(var("name"), name);
        ctx.setVariable(var("metadata_url"), metadataUrl);
        ctx.setVariable(var("issuer"), issuer);
        ctx.setVariable(var("client_id"), clientId);
        ctx.setVariable(var("jwks_uri"), jwksUri);
        ctx.setVariable(var("id_token_alg"), idTokenAlg);
        ctx.setVariable(var("scopes"), scopes);
        ctx.setVariable(var("unattended_per_day"), Long.toString(unattended));
        ctx.setVariable(var("unattended_allow"), Long.toString(allow));
        ctx.setVariable(var("spike_rate"), spikeRate);
        ctx.setVariable(var("breaker_threshold"), Long.toString(threshold));
        ctx.setVariable(var("breaker_window_seconds"), Long.toString(windowSeconds));
        ctx.setVariable(var("breaker_window_minutes"), Long.toString(Math.max(1, (windowSeconds + 59) / 60)));
        ctx.setVariable(var("breaker_open_seconds"), Long.toString(openSeconds));
        ctx.setVariable(var("breaker_slow_ms"), Long.toString(slowMs));
        ctx.setVariable(var("breaker_half_open"), Long.toString(halfOpen));
        ctx.setVariable(var("breaker_max_in_flight"), Long.toString(maxInFlight));
        ctx.setVariable(var("read_timeout_ms"), Long.toString(readTimeoutMs));
        ctx.setVariable(var("supported"), Boolean.toString(dialect.supported()));
        ctx.setVariable(var("sca_approaches"), String.join(" ", dialect.approaches));
        ctx.setVariable(var("sca_preferred"), dialect.preferred);
        ctx.setVariable(var("sca_explicit"), Boolean.toString(dialect.explicitAuthorisation));
        ctx.setVariable(var("sca_request"), dialect.requestHeaders());
        ctx.setVariable(var("sca_poll_seconds"), Long.toString(dialect.pollSeconds));
        ctx.setVariable(var("oauth"), Boolean.toString(oauth));
        ctx.setVariable(var("signing"), dialect.signed ? "berlin-group" : "none");
        ctx.setVariable(var("signing_headers"), String.join(" ", dialect.signedHeaders));
        ctx.setVariable(var("signing_token_endpoint"), Boolean.toString(dialect.signTokenEndpoint));
        ctx.setVariable(var("signing_par_endpoint"), Boolean.toString(dialect.signParEndpoint));
        ctx.setVariable(var("services"), String.join(" ", dialect.services));
    }

    private static String url(Fields p, String name) throws CalloutException {
        String value = p.text(name, true);
        if (!Urls.secure(value)) {
            throw p.invalid(name, "must be an https URL (http only to a loopback host), without user info or fragment");
        }
        return value;
    }
}
