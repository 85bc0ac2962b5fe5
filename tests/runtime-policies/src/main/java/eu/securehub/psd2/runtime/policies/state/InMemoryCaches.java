package eu.securehub.psd2.runtime.policies.state;

import eu.securehub.psd2.runtime.spi.Caches;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The environment's caches (apigee-semantics.md §4.10): named cache resources created on first use, entries with
 * a time to live, shared by every message processor. The object itself is the first node's view; {@link #node()}
 * gives another node's. An entry a node wrote is visible to that node at once and to the others one second later:
 * Apigee X keeps a new entry in the writing node's memory (L1) and "after one second, if a cached item is not
 * accessed, it is persisted in a database where it is available to all message processors" (Cache internals,
 * https://cloud.google.com/apigee/docs/api-platform/cache/cache-internals). An invalidation removes the entry for
 * every node at once (UNCONFIRMED). An entry is gone once its TTL has passed. Thread-safe.
 */
public final class InMemoryCaches implements Caches {
    /** How long an entry stays in its writer's memory only. */
    static final Duration L1_ONLY = Duration.ofSeconds(1);

    private final Clock clock;
    /** cache name -> (key -> entry). */
    private final ConcurrentMap<String, ConcurrentMap<String, Entry>> caches;
    private final Object writer;

    private record Entry(String value, Instant expires, Instant written, Object writer) {
    }

    public InMemoryCaches(Clock clock) {
        this(Objects.requireNonNull(clock, "clock"), new ConcurrentHashMap<>(), new Object());
    }

    public InMemoryCaches() {
        this(Clock.systemUTC());
    }

    private InMemoryCaches(Clock clock, ConcurrentMap<String, ConcurrentMap<String, Entry>> caches, Object writer) {
        this.clock = clock;
        this.caches = caches;
        this.writer = writer;
    }

    /** Another message processor's view of the same caches. */
    public InMemoryCaches node() {
        return new InMemoryCaches(clock, caches, new Object());
    }

    @Override
    public Optional<String> get(String cacheName, String key) {
        ConcurrentMap<String, Entry> cache = caches.get(cacheName);
        if (cache == null) {
            return Optional.empty();
        }
        Entry e = cache.get(key);
        if (e == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (!now.isBefore(e.expires())) {
            cache.remove(key, e);
            return Optional.empty();
        }
        if (e.writer() != writer && now.isBefore(e.written().plus(L1_ONLY))) {
            return Optional.empty(); // still in the writer's L1 only
        }
        return Optional.of(e.value());
    }

    @Override
    public void put(String cacheName, String key, String value, Duration ttl) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            remove(cacheName, key);
            return;
        }
        Instant now = clock.instant();
        caches.computeIfAbsent(cacheName, c -> new ConcurrentHashMap<>())
                .put(key, new Entry(value, now.plus(ttl), now, writer));
    }

    @Override
    public void remove(String cacheName, String key) {
        ConcurrentMap<String, Entry> cache = caches.get(cacheName);
        if (cache != null) {
            cache.remove(key);
        }
    }

    /** The unexpired values under keys starting with {@code keyPrefix} (for tests measuring sizes). */
    public java.util.List<String> storedValues(String cacheName, String keyPrefix) {
        ConcurrentMap<String, Entry> cache = caches.get(cacheName);
        if (cache == null) {
            return java.util.List.of();
        }
        Instant now = clock.instant();
        return cache.entrySet().stream().filter(e -> e.getKey().startsWith(keyPrefix) && now.isBefore(e.getValue().expires()))
                .map(e -> e.getValue().value()).toList();
    }

    /** How many unexpired entries whose key starts with {@code keyPrefix} a cache holds now (for tests and tools). */
    public int storedEntries(String cacheName, String keyPrefix) {
        ConcurrentMap<String, Entry> cache = caches.get(cacheName);
        if (cache == null) {
            return 0;
        }
        Instant now = clock.instant();
        return (int) cache.entrySet().stream()
                .filter(e -> e.getKey().startsWith(keyPrefix) && now.isBefore(e.getValue().expires())).count();
    }
}
