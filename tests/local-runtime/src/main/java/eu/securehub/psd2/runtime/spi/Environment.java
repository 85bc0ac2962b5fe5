package eu.securehub.psd2.runtime.spi;

import java.time.Clock;
import java.util.Optional;

/** An Apigee environment as the runtime sees it: config and the per-node shared state. Thread-safe. */
public interface Environment {
    String name();

    Clock clock();

    KeyValueMaps kvms();

    Caches caches();

    QuotaCounters quotas();

    SpikeArrests spikeArrests();

    Optional<TargetServer> targetServer(String name);

    /** A keystore or truststore by name or by reference ("ref://name" or a reference's plain name). */
    Optional<KeyStoreEntry> keyStore(String nameOrRef);

    ApiKeys apiKeys();

    MessageLog messageLog();

    GoogleAccessTokens googleTokens();

    HttpCalls http();

    /** The organization name (organization.name); "local" unless the environment says otherwise. */
    default String organization() {
        return "local";
    }
}
