package eu.securehub.psd2.runtime.policies.state;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.runtime.policies.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryCachesTest {
    private final MutableClock clock = new MutableClock();
    private final InMemoryCaches caches = new InMemoryCaches(clock);

    @Test
    void entriesLiveForTheirTtl() {
        caches.put("c", "k", "v", Duration.ofSeconds(10));
        assertThat(caches.get("c", "k")).contains("v");
        assertThat(caches.get("other", "k")).isEmpty();
        clock.advance(Duration.ofSeconds(9));
        assertThat(caches.get("c", "k")).contains("v");
        clock.advance(Duration.ofSeconds(1));
        assertThat(caches.get("c", "k")).isEmpty();
    }

    @Test
    void aWriteReplacesAndRestartsTheTtl() {
        caches.put("c", "k", "v1", Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(8));
        caches.put("c", "k", "v2", Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(8));
        assertThat(caches.get("c", "k")).contains("v2");
    }

    @Test
    void removeInvalidates() {
        caches.put("c", "k", "v", Duration.ofSeconds(10));
        caches.remove("c", "k");
        caches.remove("c", "missing");
        caches.remove("missing", "k");
        assertThat(caches.get("c", "k")).isEmpty();
    }
}
