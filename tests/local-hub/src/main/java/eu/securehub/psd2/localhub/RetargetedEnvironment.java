package eu.securehub.psd2.localhub;

import eu.securehub.psd2.runtime.spi.ApiKeys;
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
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An environment exactly as loaded from the repo's config, except that some TargetServers listen on another port
 * (the sandbox banks on free ports in tests). The config's TargetServers name the fixed ports of the local run
 * (targetservers/local: 8443, 8444) and LocalEnvironment has no option to move them, so the hub moves them here;
 * host, isEnabled and SSLInfo stay those of the config. For a further message processor of the local hub it also has
 * that node's own view of the KVMs (the shared store, its own read cache).
 */
final class RetargetedEnvironment implements Environment {

    private record Moved(String name, String host, int port, boolean enabled, Optional<SslInfo> ssl)
            implements TargetServer {
    }

    private final Environment delegate;
    private final Map<String, Integer> ports;
    private final KeyValueMaps kvms;
    private final Caches caches;

    /** @param ports TargetServer name → the port it really listens on (entries equal to the config are no-ops) */
    RetargetedEnvironment(Environment delegate, Map<String, Integer> ports) {
        this(delegate, ports, null, null);
    }

    /**
     * @param kvms   a node's own view of the environment's KVMs (null: the delegate's)
     * @param caches a node's own view of the environment's caches (null: the delegate's)
     */
    RetargetedEnvironment(Environment delegate, Map<String, Integer> ports, KeyValueMaps kvms, Caches caches) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.kvms = kvms;
        this.caches = caches;
        this.ports = Map.copyOf(ports);
        for (String name : this.ports.keySet()) {
            if (delegate.targetServer(name).isEmpty()) {
                throw new IllegalArgumentException("environment " + delegate.name() + " has no TargetServer " + name);
            }
        }
    }

    @Override
    public Optional<TargetServer> targetServer(String name) {
        Optional<TargetServer> ts = delegate.targetServer(name);
        Integer port = ports.get(name);
        if (ts.isEmpty() || port == null || port == ts.get().port()) {
            return ts;
        }
        TargetServer t = ts.get();
        return Optional.of(new Moved(t.name(), t.host(), port, t.enabled(), t.ssl()));
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Clock clock() {
        return delegate.clock();
    }

    @Override
    public KeyValueMaps kvms() {
        return kvms != null ? kvms : delegate.kvms();
    }

    @Override
    public Caches caches() {
        return caches != null ? caches : delegate.caches();
    }

    @Override
    public QuotaCounters quotas() {
        return delegate.quotas();
    }

    @Override
    public SpikeArrests spikeArrests() {
        return delegate.spikeArrests();
    }

    @Override
    public Optional<KeyStoreEntry> keyStore(String nameOrRef) {
        return delegate.keyStore(nameOrRef);
    }

    @Override
    public ApiKeys apiKeys() {
        return delegate.apiKeys();
    }

    @Override
    public MessageLog messageLog() {
        return delegate.messageLog();
    }

    @Override
    public GoogleAccessTokens googleTokens() {
        return delegate.googleTokens();
    }

    @Override
    public HttpCalls http() {
        return delegate.http();
    }

    @Override
    public String organization() {
        return delegate.organization();
    }
}
