package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.policies.state.InMemoryCaches;
import eu.securehub.psd2.runtime.policies.state.InMemoryKeyValueMaps;
import eu.securehub.psd2.runtime.policies.state.InMemoryQuotaCounters;
import eu.securehub.psd2.runtime.policies.state.InMemorySpikeArrests;
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
import eu.securehub.psd2.runtime.spi.TargetServer;
import java.time.Clock;
import java.util.Optional;

/** An environment over this module's state classes; what the tests don't need throws. */
final class TestEnvironment implements Environment {
    final MutableClock clock;
    final InMemoryKeyValueMaps kvmStore;
    final KeyValueMaps kvms;
    final InMemoryCaches caches;
    final InMemoryQuotaCounters quotas;
    final InMemorySpikeArrests spikeArrests;
    MessageLog messageLog;

    TestEnvironment(MutableClock clock) {
        this(clock, new InMemoryKeyValueMaps(clock), null, new InMemoryQuotaCounters());
    }

    private TestEnvironment(MutableClock clock, InMemoryKeyValueMaps store, KeyValueMaps node, InMemoryQuotaCounters quotas) {
        this.clock = clock;
        this.kvmStore = store;
        this.kvms = node == null ? store : node;
        this.caches = new InMemoryCaches(clock);
        this.quotas = quotas;
        this.spikeArrests = new InMemorySpikeArrests();
    }

    /** A second message processor: the same KVM store and quota counters, its own KVM read cache. */
    TestEnvironment otherNode() {
        return new TestEnvironment(clock, kvmStore, kvmStore.node(), quotas);
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public KeyValueMaps kvms() {
        return kvms;
    }

    @Override
    public Caches caches() {
        return caches;
    }

    @Override
    public QuotaCounters quotas() {
        return quotas;
    }

    @Override
    public SpikeArrests spikeArrests() {
        return spikeArrests;
    }

    @Override
    public Optional<TargetServer> targetServer(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<KeyStoreEntry> keyStore(String nameOrRef) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ApiKeys apiKeys() {
        throw new UnsupportedOperationException();
    }

    @Override
    public MessageLog messageLog() {
        if (messageLog == null) {
            throw new IllegalStateException("no message log configured");
        }
        return messageLog;
    }

    @Override
    public GoogleAccessTokens googleTokens() {
        throw new UnsupportedOperationException();
    }

    @Override
    public HttpCalls http() {
        throw new UnsupportedOperationException();
    }
}
