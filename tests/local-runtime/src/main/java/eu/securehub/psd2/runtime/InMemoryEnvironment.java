package eu.securehub.psd2.runtime;

import eu.securehub.psd2.runtime.engine.JdkHttpCalls;
import eu.securehub.psd2.runtime.spi.ApiKeys;
import eu.securehub.psd2.runtime.spi.App;
import eu.securehub.psd2.runtime.spi.Caches;
import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.GoogleAccessTokens;
import eu.securehub.psd2.runtime.spi.HttpCalls;
import eu.securehub.psd2.runtime.spi.KeyStoreEntry;
import eu.securehub.psd2.runtime.spi.KeyValueMaps;
import eu.securehub.psd2.runtime.spi.MessageLog;
import eu.securehub.psd2.runtime.spi.QuotaCounters;
import eu.securehub.psd2.runtime.spi.SpikeArrests;
import eu.securehub.psd2.runtime.spi.SslInfo;
import eu.securehub.psd2.runtime.spi.TargetServer;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A simple in-memory {@link Environment} for the runtime's own tests and quick experiments: TargetServers, keystores,
 * KVM entries (plain maps: no encryption, no read cache), caches with TTL, API keys, a message log kept in memory,
 * a fixed Google token, JDK HTTP calls. Quotas and SpikeArrests are not provided (module 3 has them): calling them
 * throws UnsupportedOperationException. The real environment is built by psd2-runtime-config.
 */
public final class InMemoryEnvironment implements Environment {
    private final String name;
    private final Clock clock;
    private final Map<String, TargetServer> targetServers = new ConcurrentHashMap<>();
    private final Map<String, KeyStoreEntry> keyStores = new ConcurrentHashMap<>();
    private final Map<String, String> references = new ConcurrentHashMap<>();
    private final Map<String, String> kvm = new ConcurrentHashMap<>();
    private final Map<String, Map.Entry<String, Instant>> cache = new ConcurrentHashMap<>();
    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final HttpCalls http = new JdkHttpCalls(this);

    public InMemoryEnvironment(String name) {
        this(name, Clock.systemUTC());
    }

    public InMemoryEnvironment(String name, Clock clock) {
        this.name = name;
        this.clock = clock;
    }

    public record SimpleTargetServer(String name, String host, int port, boolean enabled, Optional<SslInfo> ssl)
            implements TargetServer {
    }

    public record SimpleKeyStore(KeyStore keyStore, char[] password) implements KeyStoreEntry {
        @Override
        public Set<String> aliases() {
            try {
                return new HashSet<>(Collections.list(keyStore.aliases()));
            } catch (KeyStoreException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public InMemoryEnvironment targetServer(String n, String host, int port, SslInfo ssl) {
        targetServers.put(n, new SimpleTargetServer(n, host, port, true, Optional.ofNullable(ssl)));
        return this;
    }

    public InMemoryEnvironment keyStore(String n, KeyStore ks, char[] password) {
        keyStores.put(n, new SimpleKeyStore(ks, password));
        return this;
    }

    /** A reference (ref://name or name) to a keystore. */
    public InMemoryEnvironment reference(String ref, String keyStoreName) {
        references.put(ref, keyStoreName);
        return this;
    }

    public InMemoryEnvironment app(String consumerKey, App app) {
        apps.put(consumerKey, app);
        return this;
    }

    public InMemoryEnvironment kvm(String map, String key, String value) {
        kvm.put(map + "\u0000" + key, value);
        return this;
    }

    /** Lines written to the message log ("logName|message"). */
    public List<String> logLines() {
        return log;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public KeyValueMaps kvms() {
        return new KeyValueMaps() {
            @Override
            public Optional<String> get(String map, String key, Duration cacheTtl) {
                return Optional.ofNullable(kvm.get(map + "\u0000" + key));
            }

            @Override
            public void put(String map, String key, String value, boolean override) {
                if (override) {
                    kvm.put(map + "\u0000" + key, value);
                } else {
                    kvm.putIfAbsent(map + "\u0000" + key, value);
                }
            }

            @Override
            public void delete(String map, String key) {
                kvm.remove(map + "\u0000" + key);
            }
        };
    }

    @Override
    public Caches caches() {
        return new Caches() {
            @Override
            public Optional<String> get(String cacheName, String key) {
                Map.Entry<String, Instant> e = cache.get(cacheName + "\u0000" + key);
                if (e == null || !e.getValue().isAfter(clock.instant())) {
                    return Optional.empty();
                }
                return Optional.of(e.getKey());
            }

            @Override
            public void put(String cacheName, String key, String value, Duration ttl) {
                cache.put(cacheName + "\u0000" + key, Map.entry(value, clock.instant().plus(ttl)));
            }

            @Override
            public void remove(String cacheName, String key) {
                cache.remove(cacheName + "\u0000" + key);
            }
        };
    }

    @Override
    public QuotaCounters quotas() {
        throw new UnsupportedOperationException("InMemoryEnvironment has no quota counters");
    }

    @Override
    public SpikeArrests spikeArrests() {
        throw new UnsupportedOperationException("InMemoryEnvironment has no SpikeArrest buckets");
    }

    @Override
    public Optional<TargetServer> targetServer(String n) {
        return Optional.ofNullable(targetServers.get(n));
    }

    @Override
    public Optional<KeyStoreEntry> keyStore(String nameOrRef) {
        if (nameOrRef == null) {
            return Optional.empty();
        }
        String n = nameOrRef;
        String ref = references.get(n);
        if (ref == null && n.startsWith("ref://")) {
            ref = references.get(n.substring(6));
        }
        return Optional.ofNullable(keyStores.get(ref != null ? ref : n));
    }

    @Override
    public ApiKeys apiKeys() {
        return key -> Optional.ofNullable(apps.get(key));
    }

    @Override
    public MessageLog messageLog() {
        return (logName, message, labels) -> log.add(logName + "|" + message);
    }

    @Override
    public GoogleAccessTokens googleTokens() {
        return scopes -> "local-token";
    }

    @Override
    public HttpCalls http() {
        return http;
    }

    static List<String> copy(List<String> l) {
        return new ArrayList<>(l);
    }
}
