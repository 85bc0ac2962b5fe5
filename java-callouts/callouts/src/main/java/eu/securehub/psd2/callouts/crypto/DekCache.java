package eu.securehub.psd2.callouts.crypto;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unwrapped data keys, shared by every callout instance in the class loader (one per proxy or
 * shared-flow revision on a node), bounded in size and in time. Keyed by
 * {@link Keyring.WrappedKey#cacheKey()}. A warm cache means no Cloud KMS call.
 */
public final class DekCache {
    /** More distinct keys than this at once is not expected (one per rotation); beyond it, entries are evicted. */
    public static final int MAX_ENTRIES = 256;

    private static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();

    private DekCache() {
    }

    /** The cached key, or null when absent or expired at {@code nowMillis}. */
    public static DataKey get(String cacheKey, long nowMillis) {
        Entry e = ENTRIES.get(cacheKey);
        if (e == null) {
            return null;
        }
        if (nowMillis >= e.expiresAtMillis) {
            ENTRIES.remove(cacheKey, e);
            return null;
        }
        return e.key;
    }

    public static void put(String cacheKey, DataKey key, long expiresAtMillis, long nowMillis) {
        if (ENTRIES.size() >= MAX_ENTRIES) {
            evict(nowMillis);
        }
        ENTRIES.put(cacheKey, new Entry(key, expiresAtMillis));
    }

    private static void evict(long nowMillis) {
        ENTRIES.values().removeIf(e -> nowMillis >= e.expiresAtMillis);
        Iterator<Map.Entry<String, Entry>> it = ENTRIES.entrySet().iterator();
        while (ENTRIES.size() >= MAX_ENTRIES && it.hasNext()) {
            // The soonest-expiring entries are not tracked; any entry will do: it is re-unwrapped on demand.
            it.next();
            it.remove();
        }
    }

    public static int size() {
        return ENTRIES.size();
    }

    /** Empties the cache (tests, and nothing else). */
    public static void clear() {
        ENTRIES.clear();
    }

    private static final class Entry {
        final DataKey key;
        final long expiresAtMillis;

        Entry(DataKey key, long expiresAtMillis) {
            this.key = key;
            this.expiresAtMillis = expiresAtMillis;
        }
    }
}
