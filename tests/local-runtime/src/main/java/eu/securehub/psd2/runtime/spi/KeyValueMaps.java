package eu.securehub.psd2.runtime.spi;

import java.time.Duration;
import java.util.Optional;

/** Environment-scoped KVMs: values encrypted at rest; get through a per-node read cache honouring cacheTtl (ExpiryTimeInSecs). */
public interface KeyValueMaps {
    Optional<String> get(String map, String key, Duration cacheTtl);

    void put(String map, String key, String value, boolean override);

    void delete(String map, String key);
}
