package eu.securehub.psd2.callouts;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dialect part of a bank's registry entry: which SCA approaches the bank offers and which the hub prefers
 * (member {@code sca}), how requests are signed ({@code signing}) and which PSD2 services the hub uses there
 * ({@code services}). Read by {@link BankProfile} at run time; config-assembler applies the same rules through
 * {@link #check}, so a registry entry the flows would refuse never deploys.
 *
 * <pre>
 * "sca": {"approaches": ["OAUTH" | "REDIRECT" | "DECOUPLED" | "EMBEDDED", …], "preferred": "OAUTH",
 *         "explicitAuthorisation": false, "statusPollSeconds": 5}
 * "signing": {"profile": "none"} | {"profile": "berlin-group", "headers": ["digest", "x-request-id", …],
 *             "tokenEndpoint": true, "parEndpoint": true}
 * "services": ["AIS", "PIS"]
 * </pre>
 * Absent, {@code sca} means OAUTH only, {@code signing} none and {@code services} AIS (the registry's own entries
 * spell them out).
 */
public final class BankDialect {
    /** Berlin Group's ASPSP-SCA-Approach values, OAUTH being the REDIRECT approach with an OAuth 2.0 pre-step. */
    static final List<String> APPROACHES = List.of("OAUTH", "REDIRECT", "DECOUPLED", "EMBEDDED");
    /** The approaches the hub runs: EMBEDDED would pass the customer's bank credentials through the CRM and the hub. */
    static final Set<String> SUPPORTED_APPROACHES = Set.of("OAUTH", "REDIRECT", "DECOUPLED");
    /**
     * The members that describe the bank's OAuth authorisation server. (Here, not in BankProfile: config-assembler
     * reads this class without the Apigee API on its class path.)
     */
    public static final List<String> OAUTH_MEMBERS = List.of("metadataUrl", "issuer", "clientId", "jwksUri",
            "idTokenAlgorithm", "scopes");
    static final List<String> SIGNING_PROFILES = List.of("none", "berlin-group");
    /** Headers a Berlin Group signature may cover (the signing callout knows how to read each). */
    static final Set<String> SIGNABLE_HEADERS = Set.of("digest", "x-request-id", "psu-id", "psu-corporate-id", "date",
            "tpp-redirect-uri", "tpp-nok-redirect-uri", "psu-ip-address", "consent-id", "content-type");
    /** Berlin Group requires these two in every signature. */
    static final List<String> MANDATORY_SIGNED = List.of("digest", "x-request-id");
    static final List<String> DEFAULT_SIGNED = List.of("digest", "x-request-id", "psu-id", "psu-corporate-id", "date",
            "tpp-redirect-uri");
    static final Set<String> SERVICES = Set.of("AIS", "PIS");
    static final long DEFAULT_POLL_SECONDS = 5;
    /** The poll gate counts per slot of this many seconds inside a one-minute Quota interval: at most 60. */
    static final long MAX_POLL_SECONDS = 60;

    /** An entry without {@code sca} is an OAuth bank, the hub's first dialect; without {@code signing}, unsigned. */
    private static final Map<String, Object> DEFAULT_SCA = Map.of("approaches", List.of("OAUTH"), "preferred", "OAUTH");

    final List<String> approaches;
    final String preferred;
    final boolean explicitAuthorisation;
    final long pollSeconds;
    final boolean signed;
    final List<String> signedHeaders;
    final boolean signTokenEndpoint;
    /** The pushed authorisation request (RFC 9126) is signed too: a bank whose authorisation server checks it. */
    final boolean signParEndpoint;
    final List<String> services;

    private BankDialect(List<String> approaches, String preferred, boolean explicit, long pollSeconds, boolean signed,
            List<String> signedHeaders, boolean signTokenEndpoint, boolean signParEndpoint, List<String> services) {
        this.approaches = approaches;
        this.preferred = preferred;
        this.explicitAuthorisation = explicit;
        this.pollSeconds = pollSeconds;
        this.signed = signed;
        this.signedHeaders = signedHeaders;
        this.signTokenEndpoint = signTokenEndpoint;
        this.signParEndpoint = signParEndpoint;
        this.services = services;
    }

    /** True when the hub can run at least one of the bank's approaches. */
    boolean supported() {
        return !preferred.isEmpty();
    }

    /**
     * Which preference headers consent creation carries: "decoupled" (TPP-Decoupled-Preferred) when the hub prefers
     * DECOUPLED; "redirect" (TPP-Redirect-URI is the hub's redirect callback with the state) when the bank offers
     * REDIRECT, so that a bank that picks it can send the browser back; else "oauth" (the OAuth callback); "" when
     * unsupported.
     */
    String requestHeaders() {
        if (preferred.isEmpty()) {
            return "";
        }
        if (preferred.equals("DECOUPLED")) {
            return "decoupled";
        }
        return offers("REDIRECT") ? "redirect" : "oauth";
    }

    boolean offers(String approach) {
        return approaches.contains(approach);
    }

    /** Reads and checks the members; a broken one is refused naming it, never its value. */
    static BankDialect of(Fields profile) throws CalloutException {
        Fields sca = profile.object("sca", false);
        if (sca == null) {
            sca = Fields.of(DEFAULT_SCA, "invalid_bank_profile", "profile sca");
        }
        List<String> approaches = strings(sca, "approaches", APPROACHES, "OAUTH, REDIRECT, DECOUPLED or EMBEDDED");
        if (approaches.isEmpty()) {
            throw sca.invalid("approaches", "is empty");
        }
        boolean anySupported = approaches.stream().anyMatch(SUPPORTED_APPROACHES::contains);
        String preferred = sca.text("preferred", false);
        if (!anySupported) {
            // Only EMBEDDED: the entry documents the bank, the hub refuses its consents (problem sca-unsupported).
            if (!preferred.isEmpty()) {
                throw sca.invalid("preferred", "must be absent: the hub supports none of the bank's approaches");
            }
            if (!Boolean.FALSE.equals(profile.members().get("supported"))) {
                throw profile.invalid("supported", "must be false for a bank that offers only EMBEDDED");
            }
        } else {
            if (preferred.isEmpty()) {
                throw sca.invalid("preferred", "is missing");
            }
            if (!approaches.contains(preferred) || !SUPPORTED_APPROACHES.contains(preferred)) {
                throw sca.invalid("preferred", "must be one of the bank's approaches other than EMBEDDED");
            }
            if (profile.has("supported") && !profile.bool("supported", Boolean.TRUE)) {
                throw profile.invalid("supported", "is false although the hub supports one of the bank's approaches");
            }
        }
        boolean explicit = sca.bool("explicitAuthorisation", Boolean.FALSE);
        long poll = sca.integer("statusPollSeconds", DEFAULT_POLL_SECONDS, 1, MAX_POLL_SECONDS);

        Fields signing = profile.object("signing", false);
        if (signing == null) {
            signing = Fields.of(Map.of("profile", "none"), "invalid_bank_profile", "profile signing");
        }
        String signingProfile = signing.text("profile", true);
        if (!SIGNING_PROFILES.contains(signingProfile)) {
            throw signing.invalid("profile", "must be none or berlin-group");
        }
        boolean signed = signingProfile.equals("berlin-group");
        List<String> headers = List.of();
        boolean tokenEndpoint = false;
        boolean parEndpoint = false;
        if (signed) {
            headers = signing.has("headers") ? strings(signing, "headers", List.copyOf(SIGNABLE_HEADERS),
                    "header names the hub can sign (" + String.join(", ", new java.util.TreeSet<>(SIGNABLE_HEADERS)) + ")")
                    : DEFAULT_SIGNED;
            for (String mandatory : MANDATORY_SIGNED) {
                if (!headers.contains(mandatory)) {
                    throw signing.invalid("headers", "must include " + mandatory + " (Berlin Group signs it on every request)");
                }
            }
            tokenEndpoint = signing.bool("tokenEndpoint", Boolean.FALSE);
            if (tokenEndpoint && !approaches.contains("OAUTH")) {
                throw signing.invalid("tokenEndpoint", "applies only to a bank that offers OAUTH");
            }
            parEndpoint = signing.bool("parEndpoint", Boolean.FALSE);
            if (parEndpoint && !approaches.contains("OAUTH")) {
                throw signing.invalid("parEndpoint", "applies only to a bank that offers OAUTH");
            }
        } else {
            for (String member : List.of("headers", "tokenEndpoint", "parEndpoint")) {
                if (signing.has(member)) {
                    throw signing.invalid(member, "is only allowed with the berlin-group profile");
                }
            }
        }
        List<String> services = profile.has("services")
                ? strings(profile, "services", List.of("AIS", "PIS"), "AIS or PIS") : List.of("AIS");
        if (services.isEmpty()) {
            throw profile.invalid("services", "is empty");
        }
        return new BankDialect(approaches, anySupported ? preferred : "", explicit, poll, signed, headers, tokenEndpoint,
                parEndpoint, services);
    }

    /** A JSON array of distinct strings, each from {@code allowed}. */
    private static List<String> strings(Fields f, String name, List<String> allowed, String what) throws CalloutException {
        List<?> raw = f.array(name);
        if (raw == null) {
            throw f.invalid(name, "is missing");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (Object o : raw) {
            if (!(o instanceof String) || !allowed.contains(o)) {
                throw f.invalid(name, "must list only " + what);
            }
            if (!seen.add((String) o)) {
                throw f.invalid(name, "lists a value twice");
            }
        }
        return new ArrayList<>(seen);
    }

    /** The config-time check of one registry entry: the problems, each naming the member, empty when fine. */
    public static List<String> check(Map<String, Object> profile) {
        try {
            of(Fields.of(profile, "invalid_bank_profile", "profile"));
            return List.of();
        } catch (CalloutException e) {
            return List.of(e.getMessage());
        }
    }
}
