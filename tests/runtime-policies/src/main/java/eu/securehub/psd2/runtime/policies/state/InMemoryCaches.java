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
 * a time to live. One node, so Apigee's 1 s L1 copy per node and the eventual consistency of L2 are not modelled
 * (a read sees the latest write at once); an entry is gone once its TTL has passed. Thread-safe.
 */
public final class InMemoryCaches implements Caches {
    private final Clock clock;
    /** cache name -> (key -> entry). */
    private final ConcurrentMap<String, ConcurrentMap<String, Entry>> caches = new ConcurrentHashMap<>();

    private record Entry(String value, Instant expires) {
    }

    public InMemoryCaches(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public InMemoryCaches() {
        this(Clock.systemUTC());
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
        if (!clock.instant().isBefore(e.expires())) {
            cache.remove(key, e);
            return Optional.empty();
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
        caches.computeIfAbsent(cacheName, c -> new ConcurrentHashMap<>())
                .put(key, new Entry(value, clock.instant().plus(ttl)));
    }

    @Override
    public void remove(String cacheName, String key) {
        ConcurrentMap<String, Entry> cache = caches.get(cacheName);
        if (cache != null) {
            cache.remove(key);
        }
    }
}
