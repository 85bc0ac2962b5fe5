package eu.securehub.psd2.runtime.trace;

import java.net.URI;

/**
 * How policies and stores report what they did outside the flow variables into the current request's trace: the
 * engine binds the request's {@link TraceBuilder} to the thread running it (the request thread, then the
 * PostClientFlow's). Every method is a no-op when no trace is bound (tracing off, or outside a request).
 */
public final class Tracing {
    private static final ThreadLocal<TraceBuilder> CURRENT = new ThreadLocal<>();

    private Tracing() {
    }

    /** Binds {@code b} (null: none) to this thread; returns what was bound before, for {@link #restore}. */
    public static TraceBuilder bind(TraceBuilder b) {
        TraceBuilder before = CURRENT.get();
        CURRENT.set(b);
        return before;
    }

    public static void restore(TraceBuilder before) {
        if (before == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(before);
        }
    }

    /** Whether a trace is being recorded on this thread. */
    public static boolean active() {
        return CURRENT.get() != null;
    }

    /** A KVM Get: answered by this node's read cache, or read from the datastore. */
    public static void kvmGet(String map, boolean nodeCacheHit) {
        TraceBuilder b = CURRENT.get();
        if (b != null) {
            b.event(Event.KVM_GET, map, nodeCacheHit ? "node-cache hit" : "datastore read", null, 0, System.nanoTime(), 0);
        }
    }

    public static void kvmPut(String map) {
        TraceBuilder b = CURRENT.get();
        if (b != null) {
            b.event(Event.KVM_PUT, map, "put", null, 0, System.nanoTime(), 0);
        }
    }

    public static void kvmDelete(String map) {
        TraceBuilder b = CURRENT.get();
        if (b != null) {
            b.event(Event.KVM_DELETE, map, "delete", null, 0, System.nanoTime(), 0);
        }
    }

    /** A Quota counter update by policy {@code quota}. */
    public static void quotaUpdate(String quota, boolean distributed, boolean synchronous) {
        TraceBuilder b = CURRENT.get();
        if (b != null) {
            String how = distributed ? (synchronous ? "distributed,synchronous" : "distributed") : "local";
            b.event(Event.QUOTA, quota, how, null, 0, System.nanoTime(), 0);
        }
    }

    public static void cacheLookup(String cache, boolean hit) {
        TraceBuilder b = CURRENT.get();
        if (b != null) {
            b.event(Event.CACHE_LOOKUP, cache, hit ? "hit" : "miss", null, 0, System.nanoTime(), 0);
        }
    }

    public static void cachePopulate(String cache) {
        TraceBuilder b = CURRENT.get();
        if (b != null) {
            b.event(Event.CACHE_POPULATE, cache, "populate", null, 0, System.nanoTime(), 0);
        }
    }

    /** A Cloud Logging write (MessageLogging) to log {@code logName}. */
    public static void logWrite(String logName) {
        TraceBuilder b = CURRENT.get();
        if (b != null) {
            b.event(Event.LOG, logName, "write", null, 0, System.nanoTime(), 0);
        }
    }

    /** The time to pass to {@link #httpCall} (System.nanoTime()). */
    public static long now() {
        return System.nanoTime();
    }

    /**
     * An outbound HTTP call that started at {@code startNanos} ({@link #now()}): {@code what} is e.g.
     * {@code ServiceCallout}; status 0 and {@code error} set (e.g. the exception's class) when no answer came.
     */
    public static void httpCall(String what, URI uri, String method, int status, long startNanos, String error) {
        TraceBuilder b = CURRENT.get();
        if (b != null && uri != null) {
            int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            b.event(Event.HTTP, uri.getHost() + ":" + port, error == null ? what : what + " error " + error, method,
                    status, startNanos, (System.nanoTime() - startNanos) / 1000);
        }
    }
}
