package eu.securehub.psd2.config;

import eu.securehub.psd2.callouts.BankDialect;
import eu.securehub.psd2.callouts.BankProfile;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a bank profile (the value of a {@code psd2-hub-banks} entry) as far as config can: the
 * fields the flows read are present, URLs are https (http only on a loopback host, for the local
 * sandbox banks), limits are in range. The BankProfile callout checks the same again at run time.
 */
final class BankProfileCheck {
    static final List<String> REQUIRED = List.of("bankId", "name");
    /** Required when the bank offers OAUTH (BankDialect.OAUTH_MEMBERS less the optional idTokenAlgorithm), refused otherwise. */
    static final List<String> REQUIRED_OAUTH = List.of("metadataUrl", "issuer", "clientId", "jwksUri", "scopes");
    static final List<String> URLS = List.of("metadataUrl", "issuer", "jwksUri");
    static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");
    /** The id-token algorithms the proxy verifies (VJWT-IdTokenPS256, VJWT-IdTokenES256); absent means PS256. */
    static final List<String> ID_TOKEN_ALGORITHMS = List.of("PS256", "ES256");
    static final Pattern SPIKE_RATE = Pattern.compile("^\\d+p[sm]$");
    static final List<String> BREAKER_FIELDS = List.of("failureThreshold", "windowSeconds", "openSeconds",
            "slowCallMs", "halfOpenPermitted", "maxCallsInFlight");
    /** The defaults and range the BankProfile callout applies at run time: one definition for both. */
    static final long DEFAULT_READ_TIMEOUT_MS = BankProfile.DEFAULT_READ_TIMEOUT_MS;
    static final long MIN_READ_TIMEOUT_MS = BankProfile.MIN_READ_TIMEOUT_MS;
    static final long MAX_READ_TIMEOUT_MS = BankProfile.MAX_READ_TIMEOUT_MS;
    static final long DEFAULT_SLOW_CALL_MS = BankProfile.DEFAULT_SLOW_CALL_MS;

    /** The entry's readTimeoutMs, or the default; 0 when it is not a whole number (reported by {@link #check}). */
    static long readTimeoutMs(Map<String, Object> profile) {
        Object v = profile.get("readTimeoutMs");
        if (v == null) {
            return DEFAULT_READ_TIMEOUT_MS;
        }
        return v instanceof Long ? (Long) v : 0;
    }

    private BankProfileCheck() {
    }

    static void check(String what, String id, Map<String, Object> profile, List<String> problems) {
        // The dialect members (sca, signing, services) by the very rules the BankProfile callout applies at run time.
        // (services: BankServices reports it with its own wording, and the roles it needs; the rules are the same.)
        for (String problem : BankDialect.check(profile)) {
            if (!problem.startsWith("profile services ")) {
                problems.add(what + ": " + problem);
            }
        }
        boolean oauth = offersOAuth(profile);
        for (String field : oauth ? REQUIRED_OAUTH : List.<String>of()) {
            Object v = profile.get(field);
            if (!(v instanceof String) || ((String) v).isBlank()) {
                problems.add(what + ": profile field " + field + " is missing (the bank offers OAUTH)");
            }
        }
        if (!oauth) {
            for (String field : BankDialect.OAUTH_MEMBERS) {
                if (profile.containsKey(field)) {
                    problems.add(what + ": profile field " + field + " is only allowed for a bank that offers OAUTH");
                }
            }
        }
        for (String field : REQUIRED) {
            Object v = profile.get(field);
            if (!(v instanceof String) || ((String) v).isBlank()) {
                problems.add(what + ": profile field " + field + " is missing");
            }
        }
        if (profile.get("bankId") instanceof String && !id.equals(profile.get("bankId"))) {
            problems.add(what + ": profile bankId must equal the entry name " + id);
        }
        for (String field : URLS) {
            if (profile.get(field) instanceof String && !secureUrl((String) profile.get(field))) {
                problems.add(what + ": profile field " + field
                        + " must be an https URL (http only on 127.0.0.1, localhost or [::1])");
            }
        }
        Object perDay = profile.get("unattendedPerDay");
        if (perDay != null && !(perDay instanceof Long && (Long) perDay >= 1 && (Long) perDay <= 4)) {
            problems.add(what + ": profile field unattendedPerDay must be a number from 1 to 4 (PSD2 RTS art. 36(6))");
        }
        Object alg = profile.get("idTokenAlgorithm");
        if (alg != null && !ID_TOKEN_ALGORITHMS.contains(alg)) {
            problems.add(what + ": profile field idTokenAlgorithm must be one of " + ID_TOKEN_ALGORITHMS
                    + " (the bundle has one VerifyJWT policy for each)");
        }
        Object rate = profile.get("spikeArrestRate");
        if (rate != null && !(rate instanceof String && SPIKE_RATE.matcher((String) rate).matches())) {
            problems.add(what + ": profile field spikeArrestRate must look like 20ps or 600pm");
        }
        long readTimeout = readTimeoutMs(profile);
        if (readTimeout < MIN_READ_TIMEOUT_MS || readTimeout > MAX_READ_TIMEOUT_MS) {
            problems.add(what + ": profile field readTimeoutMs must be a whole number of milliseconds from "
                    + MIN_READ_TIMEOUT_MS + " to " + MAX_READ_TIMEOUT_MS);
        }
        Object breaker = profile.get("breaker");
        long slowCallMs = DEFAULT_SLOW_CALL_MS;
        if (breaker instanceof Map && ConfigTree.asMap(breaker).get("slowCallMs") instanceof Long) {
            slowCallMs = (Long) ConfigTree.asMap(breaker).get("slowCallMs");
        }
        if (readTimeout > 0 && slowCallMs >= readTimeout) {
            problems.add(what + ": profile field breaker.slowCallMs (" + slowCallMs + ") must be below readTimeoutMs ("
                    + readTimeout + "): a call is slow before it times out");
        }
        if (breaker != null) {
            if (!(breaker instanceof Map)) {
                problems.add(what + ": profile field breaker must be an object");
                return;
            }
            for (Map.Entry<String, Object> e : ConfigTree.asMap(breaker).entrySet()) {
                if (!BREAKER_FIELDS.contains(e.getKey())) {
                    problems.add(what + ": profile field breaker." + e.getKey() + " is unknown (expected " + BREAKER_FIELDS + ")");
                } else if (!(e.getValue() instanceof Long) || (Long) e.getValue() < 1) {
                    problems.add(what + ": profile field breaker." + e.getKey() + " must be a positive whole number");
                }
            }
        }
    }

    /** True when the entry's sca.approaches lists OAUTH, or it has no sca member (an OAuth bank, the default). */
    static boolean offersOAuth(Map<String, Object> profile) {
        Object sca = profile.get("sca");
        if (!(sca instanceof Map)) {
            return sca == null;
        }
        Object approaches = ConfigTree.asMap(sca).get("approaches");
        return approaches instanceof List && ((List<?>) approaches).contains("OAUTH");
    }

    static boolean secureUrl(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null) {
                return false;
            }
            if ("https".equals(uri.getScheme())) {
                return true;
            }
            return "http".equals(uri.getScheme()) && LOOPBACK.contains(uri.getHost());
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
