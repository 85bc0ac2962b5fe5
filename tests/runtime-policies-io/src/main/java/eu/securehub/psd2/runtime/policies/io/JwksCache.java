package eu.securehub.psd2.runtime.policies.io;

import com.nimbusds.jose.jwk.JWKSet;
import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.HttpRequestData;
import eu.securehub.psd2.runtime.spi.HttpResponseData;
import eu.securehub.psd2.runtime.spi.SslInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * JWKS documents fetched by URL, cached {@link #TTL} per URL (and environment) as one node does [semantics §0:
 * "JWKS fetched by URL is cached 300 s"]. Failures are not cached. Thread-safe; concurrent misses for one URL
 * fetch once.
 *
 * <p>TLS: the fetch goes through {@code Environment.http()} with Enforce on (certificate chain and host name checked)
 * and the JVM's default trust only, never a truststore of the environment and never a client certificate: VerifyJWT's
 * {@code <JWKS uri|uriRef>} has no SSLInfo, truststore or key store setting (VerifyJWT policy reference,
 * https://cloud.google.com/apigee/docs/api-platform/reference/policies/verify-jwt-policy), so Apigee X fetches it with
 * its own public trust. A JWKS behind a private CA or mutual TLS must be fetched by the bundle itself (a
 * ServiceCallout with SSLInfo) and given to VerifyJWT with {@code <JWKS ref>}.
 */
final class JwksCache {
    static final Duration TTL = Duration.ofSeconds(300);
    private static final Duration CONNECT = Duration.ofSeconds(3);
    private static final Duration IO = Duration.ofSeconds(10);

    private record Entry(JWKSet set, Instant fetched) {
    }

    /** Thrown when the JWKS cannot be fetched (I/O, status) or parsed. */
    static final class JwksException extends Exception {
        private final boolean badJson;

        JwksException(String message, boolean badJson, Throwable cause) {
            super(message, cause);
            this.badJson = badJson;
        }

        boolean badJson() {
            return badJson;
        }
    }

    private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Object> locks = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Integer> fetches = new ConcurrentHashMap<>();

    JWKSet get(Environment env, String url, Instant now) throws JwksException {
        String key = env.name() + " " + url;
        Entry e = entries.get(key);
        if (e != null && now.isBefore(e.fetched().plus(TTL))) {
            return e.set();
        }
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            e = entries.get(key);
            if (e != null && now.isBefore(e.fetched().plus(TTL))) {
                return e.set();
            }
            JWKSet set = fetch(env, url);
            entries.put(key, new Entry(set, now));
            return set;
        }
    }

    /** How many times a URL was fetched (for tests). */
    int fetchCount(String url) {
        return fetches.entrySet().stream().filter(x -> x.getKey().endsWith(" " + url)).mapToInt(x -> x.getValue()).sum();
    }

    private JWKSet fetch(Environment env, String url) throws JwksException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException ex) {
            throw new JwksException("invalid JWKS URL " + url, false, ex);
        }
        fetches.merge(env.name() + " " + url, 1, Integer::sum);
        Headers headers = Headers.create();
        headers.set("Accept", "application/json");
        SslInfo ssl = "https".equalsIgnoreCase(uri.getScheme())
                ? new SslInfo(true, true, false, null, null, null, List.of()) : null;
        HttpResponseData r;
        try {
            r = env.http().send(new HttpRequestData("GET", uri, headers, new byte[0]), ssl, CONNECT, IO);
        } catch (IOException | RuntimeException ex) {
            throw new JwksException("cannot fetch JWKS from " + url + ": " + ex, false, ex);
        }
        if (r.status() != 200) {
            throw new JwksException("JWKS " + url + " answered " + r.status(), false, null);
        }
        try {
            return JWKSet.parse(new String(r.body(), StandardCharsets.UTF_8));
        } catch (ParseException ex) {
            throw new JwksException("JWKS " + url + " is not a JWK set: " + ex.getMessage(), true, ex);
        }
    }
}
