package eu.securehub.psd2.localhub;

import com.sun.net.httpserver.HttpExchange;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo CRM's sessions, in memory, by a random cookie ({@value #COOKIE}: HttpOnly, SameSite=Lax, path /). The
 * cookie is the browser's only handle: the hub tokens and payment ids stay here. Bounded: at most
 * {@value #MAX_SESSIONS} sessions, each forgotten after {@link #IDLE} without a request.
 */
final class DemoSessions {
    static final String COOKIE = "demo_session";
    static final int MAX_SESSIONS = 500;
    static final Duration IDLE = Duration.ofHours(2);

    private final Map<String, DemoSession> sessions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DemoSession> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    /** The request's session, or null when it has none (or an unknown or expired one). */
    synchronized DemoSession find(HttpExchange x) {
        String id = cookie(x);
        DemoSession s = id == null ? null : sessions.get(id);
        if (s != null && s.lastSeen.plus(IDLE).isBefore(Instant.now())) {
            sessions.remove(id);
            return null;
        }
        if (s != null) {
            s.lastSeen = Instant.now();
        }
        return s;
    }

    /** The request's session; a new one (with its Set-Cookie on the response) when it has none. */
    synchronized DemoSession findOrCreate(HttpExchange x) {
        DemoSession s = find(x);
        if (s == null) {
            s = new DemoSession();
            sessions.put(s.id, s);
            x.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + s.id + "; Path=/; HttpOnly; SameSite=Lax");
        }
        return s;
    }

    private static String cookie(HttpExchange x) {
        for (String header : x.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String part : header.split(";")) {
                String p = part.trim();
                if (p.startsWith(COOKIE + "=")) {
                    return p.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }
}
