package eu.securehub.psd2.runtime.policies.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemorySpikeArrestsTest {
    private final InMemorySpikeArrests spikes = new InMemorySpikeArrests();
    private final Instant t0 = Instant.parse("2026-03-04T10:15:30Z");

    @Test
    void smoothingPerMinuteAllowsOneMessagePerInterval() {
        // 30pm = one message per 2 s.
        assertThat(spikes.tryAcquire("k", 30, ChronoUnit.MINUTES, 1, false, t0)).isTrue();
        assertThat(spikes.tryAcquire("k", 30, ChronoUnit.MINUTES, 1, false, t0.plusMillis(1999))).isFalse();
        assertThat(spikes.tryAcquire("k", 30, ChronoUnit.MINUTES, 1, false, t0.plusMillis(2000))).isTrue();
        assertThat(spikes.tryAcquire("other", 30, ChronoUnit.MINUTES, 1, false, t0.plusMillis(2001))).isTrue();
    }

    @Test
    void smoothingPerSecondAndABurst() {
        // 10ps = one per 100 ms: a burst of 10 at once lets one through.
        int passed = 0;
        for (int i = 0; i < 10; i++) {
            if (spikes.tryAcquire("k", 10, ChronoUnit.SECONDS, 1, false, t0)) {
                passed++;
            }
        }
        assertThat(passed).isEqualTo(1);
        assertThat(spikes.tryAcquire("k", 10, ChronoUnit.SECONDS, 1, false, t0.plusMillis(99))).isFalse();
        assertThat(spikes.tryAcquire("k", 10, ChronoUnit.SECONDS, 1, false, t0.plusMillis(100))).isTrue();
    }

    @Test
    void smoothingNeverLetsMoreThanTheRatePerMinute() {
        int passed = 0;
        for (int ms = 0; ms < 60_000; ms += 250) {
            if (spikes.tryAcquire("k", 30, ChronoUnit.MINUTES, 1, false, t0.plusMillis(ms))) {
                passed++;
            }
        }
        assertThat(passed).isEqualTo(30);
    }

    @Test
    void smoothingWeights() {
        assertThat(spikes.tryAcquire("k", 10, ChronoUnit.SECONDS, 3, false, t0)).isTrue();
        assertThat(spikes.tryAcquire("k", 10, ChronoUnit.SECONDS, 1, false, t0.plusMillis(299))).isFalse();
        assertThat(spikes.tryAcquire("k", 10, ChronoUnit.SECONDS, 0, false, t0.plusMillis(299))).isTrue();
        assertThat(spikes.tryAcquire("k", 10, ChronoUnit.SECONDS, 1, false, t0.plusMillis(300))).isTrue();
    }

    @Test
    void effectiveCountIsASlidingWindowWithoutSmoothing() {
        // 20ps: a burst of 20 passes, the 21st in the same second does not.
        for (int i = 0; i < 20; i++) {
            assertThat(spikes.tryAcquire("k", 20, ChronoUnit.SECONDS, 1, true, t0.plusMillis(i))).isTrue();
        }
        assertThat(spikes.tryAcquire("k", 20, ChronoUnit.SECONDS, 1, true, t0.plusMillis(500))).isFalse();
        // At t0+1000ms the first message (t0) has left the window; the one at t0+1ms not yet.
        assertThat(spikes.tryAcquire("k", 20, ChronoUnit.SECONDS, 1, true, t0.plusMillis(1000))).isTrue();
        assertThat(spikes.tryAcquire("k", 20, ChronoUnit.SECONDS, 1, true, t0.plusMillis(1000))).isFalse();
        assertThat(spikes.tryAcquire("k", 20, ChronoUnit.SECONDS, 2, true, t0.plus(Duration.ofMillis(1002)))).isTrue();
    }

    @Test
    void concurrentBurstsNeverExceedTheRate() throws Exception {
        AtomicInteger passed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        if (spikes.tryAcquire("k", 50, ChronoUnit.SECONDS, 1, true, t0)) {
                            passed.incrementAndGet();
                        }
                        if (spikes.tryAcquire("s", 50, ChronoUnit.SECONDS, 1, false, t0)) {
                            passed.addAndGet(1000);
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(passed.get()).isEqualTo(1050);
    }
}
