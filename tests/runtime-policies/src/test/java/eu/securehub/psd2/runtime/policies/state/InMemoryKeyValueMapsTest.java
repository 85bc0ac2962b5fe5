package eu.securehub.psd2.runtime.policies.state;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.runtime.policies.MutableClock;
import eu.securehub.psd2.runtime.spi.KeyValueMaps;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryKeyValueMapsTest {
    private static final Duration TTL = Duration.ofSeconds(5);
    private final MutableClock clock = new MutableClock();
    private final InMemoryKeyValueMaps store = new InMemoryKeyValueMaps(clock);

    @Test
    void putThenGetOnTheWritingNode() {
        store.put("m", "k", "v1", true);
        assertThat(store.get("m", "k", TTL)).contains("v1");
        assertThat(store.get("m", "other", TTL)).isEmpty();
        assertThat(store.get("other-map", "k", TTL)).isEmpty();
    }

    @Test
    void overrideFalseKeepsTheExistingEntry() {
        store.put("m", "k", "first", false);
        store.put("m", "k", "second", false);
        assertThat(store.get("m", "k", TTL)).contains("first");
        store.put("m", "k", "third", true);
        assertThat(store.get("m", "k", TTL)).contains("third");
        assertThat(store.storedValue("m", "k")).contains("third");
    }

    @Test
    void valuesAreEncryptedAtRest() {
        String secret = "iban-DE89370400440532013000";
        store.put("m", "k", secret, true);
        byte[] sealed = store.sealedValue("m", "k").orElseThrow();
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("DE89370400440532013000");
        assertThat(sealed.length).isEqualTo(12 + secret.length() + 16);
        store.put("m", "k", secret, true);
        assertThat(store.sealedValue("m", "k").orElseThrow()).isNotEqualTo(sealed);
        // Another instance has another key.
        InMemoryKeyValueMaps other = new InMemoryKeyValueMaps(clock);
        other.put("m", "k", secret, true);
        assertThat(other.storedValue("m", "k")).contains(secret);
    }

    @Test
    void otherNodesSeeAWriteOnlyAfterTheirCachedEntryExpires() {
        KeyValueMaps nodeA = store;
        KeyValueMaps nodeB = store.node();
        nodeA.put("m", "k", "v1", true);
        assertThat(nodeB.get("m", "k", TTL)).contains("v1");

        nodeA.put("m", "k", "v2", true);
        assertThat(nodeA.get("m", "k", TTL)).as("the writer's cache is refreshed").contains("v2");
        assertThat(nodeB.get("m", "k", TTL)).as("node B still has v1 cached").contains("v1");
        clock.advance(Duration.ofSeconds(4));
        assertThat(nodeB.get("m", "k", TTL)).contains("v1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(nodeB.get("m", "k", TTL)).as("cached 5 s ago: expired").contains("v2");
    }

    @Test
    void aReaderWithAShortExpiryIsNotHeldStaleByALongOne() {
        KeyValueMaps nodeB = store.node();
        store.put("m", "k", "v1", true);
        assertThat(nodeB.get("m", "k", Duration.ofSeconds(300))).contains("v1");
        store.put("m", "k", "v2", true);
        clock.advance(Duration.ofSeconds(2));
        assertThat(nodeB.get("m", "k", Duration.ofSeconds(300))).contains("v1");
        assertThat(nodeB.get("m", "k", Duration.ofSeconds(1))).contains("v2");
    }

    @Test
    void missesAreCachedToo() {
        KeyValueMaps nodeB = store.node();
        assertThat(nodeB.get("m", "k", TTL)).isEmpty();
        store.put("m", "k", "v", true);
        assertThat(nodeB.get("m", "k", TTL)).isEmpty();
        clock.advance(TTL);
        assertThat(nodeB.get("m", "k", TTL)).contains("v");
    }

    @Test
    void managementApiWritesRefreshNoCache() {
        store.put("m", "k", "v1", true);
        assertThat(store.get("m", "k", TTL)).contains("v1");
        store.adminPut("m", "k", "v2");
        assertThat(store.get("m", "k", TTL)).contains("v1");
        clock.advance(TTL);
        assertThat(store.get("m", "k", TTL)).contains("v2");
        store.adminDelete("m", "k");
        assertThat(store.get("m", "k", TTL)).contains("v2");
        assertThat(store.storedValue("m", "k")).isEmpty();
    }

    @Test
    void deleteRemovesTheEntryAndRefreshesTheWritersCache() {
        KeyValueMaps nodeB = store.node();
        store.put("m", "k", "v", true);
        assertThat(nodeB.get("m", "k", TTL)).contains("v");
        store.delete("m", "k");
        assertThat(store.get("m", "k", TTL)).isEmpty();
        assertThat(nodeB.get("m", "k", TTL)).contains("v");
        clock.advance(TTL);
        assertThat(nodeB.get("m", "k", TTL)).isEmpty();
    }

    @Test
    void entriesNeverExpireFromTheStore() {
        store.put("m", "k", "v", true);
        clock.advance(Duration.ofDays(3650));
        assertThat(store.node().get("m", "k", TTL)).contains("v");
    }

    @Test
    void manyThreadsWritingAndReadingKeysLoseNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    KeyValueMaps node = thread % 2 == 0 ? store : store.node();
                    for (int i = 0; i < 500; i++) {
                        String key = "k-" + thread + "-" + i;
                        node.put("m", key, "v" + i, true);
                        assertThat(node.get("m", key, TTL)).contains("v" + i);
                        node.put("shared", "first-writer", "t" + thread, false);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < 16; t++) {
            for (int i = 0; i < 500; i += 97) {
                assertThat(store.storedValue("m", "k-" + t + "-" + i)).contains("v" + i);
            }
        }
        String winner = store.storedValue("shared", "first-writer").orElseThrow();
        assertThat(store.node().get("shared", "first-writer", TTL)).contains(winner);
    }
}
