package eu.securehub.psd2.runtime.spi;

import java.time.Duration;
import java.util.Optional;

/** Environment caches (PopulateCache/LookupCache/InvalidateCache). */
public interface Caches {
    Optional<String> get(String cacheName, String key);

    void put(String cacheName, String key, String value, Duration ttl);

    void remove(String cacheName, String key);
}
