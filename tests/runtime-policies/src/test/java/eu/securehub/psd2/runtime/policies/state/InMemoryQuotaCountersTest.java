package eu.securehub.psd2.runtime.policies.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.spi.QuotaRequest;
import eu.securehub.psd2.runtime.spi.QuotaResult;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryQuotaCountersTest {
    private final InMemoryQuotaCounters counters = new InMemoryQuotaCounters();

    private static QuotaRequest req(String type, long interval, ChronoUnit unit, long allow, long weight, Instant now) {
        return new QuotaRequest("p|q|id", type, interval, unit, null, allow, weight, false, false, now);
    }

    private static Instant t(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void defaultTypeResetsAtTheNextMinute() {
        Instant now = t("2026-03-04T10:15:30Z");
        assertThat(counters.apply(req(null, 1, ChronoUnit.MINUTES, 2, 1, now)).allowed()).isTrue();
        QuotaResult second = counters.apply(req(null, 1, ChronoUnit.MINUTES, 2, 1, now.plusSeconds(10)));
        assertThat(second).isEqualTo(new QuotaResult(true, 2, 0, 2, t("2026-03-04T10:16:00Z")));
        QuotaResult third = counters.apply(req(null, 1, ChronoUnit.MINUTES, 2, 1, now.plusSeconds(29)));
        assertThat(third.allowed()).isFalse();
        assertThat(third.used()).as("a refused request is not counted").isEqualTo(2);
        QuotaResult next = counters.apply(req("default", 1, ChronoUnit.MINUTES, 2, 1, now.plusSeconds(30)));
        assertThat(next).isEqualTo(new QuotaResult(true, 1, 1, 2, t("2026-03-04T10:17:00Z")));
    }

    @Test
    void defaultWindowsFollowCalendarBoundaries() {
        Instant wed = t("2026-03-04T10:15:30Z"); // a Wednesday
        assertThat(counters.apply(req(null, 1, ChronoUnit.HOURS, 5, 1, wed)).expiry()).isEqualTo(t("2026-03-04T11:00:00Z"));
        assertThat(counters.apply(req(null, 1, ChronoUnit.DAYS, 5, 1, wed)).expiry()).isEqualTo(t("2026-03-05T00:00:00Z"));
        assertThat(counters.apply(req(null, 1, ChronoUnit.WEEKS, 5, 1, wed)).expiry()).isEqualTo(t("2026-03-09T00:00:00Z"));
        assertThat(counters.apply(req(null, 1, ChronoUnit.MONTHS, 5, 1, wed)).expiry()).isEqualTo(t("2026-04-01T00:00:00Z"));
    }

    @Test
    void calendarWindowsRepeatFromTheStartTime() {
        Instant start = t("2026-01-01T08:30:00Z");
        QuotaRequest r1 = new QuotaRequest("k", "calendar", 2, ChronoUnit.HOURS, start, 1, 1, false, false,
                t("2026-03-04T10:15:30Z"));
        QuotaResult a = counters.apply(r1);
        assertThat(a.allowed()).isTrue();
        assertThat(a.expiry()).isEqualTo(t("2026-03-04T10:30:00Z"));
        assertThat(counters.apply(new QuotaRequest("k", "calendar", 2, ChronoUnit.HOURS, start, 1, 1, false, false,
                t("2026-03-04T10:29:59Z"))).allowed()).isFalse();
        QuotaResult b = counters.apply(new QuotaRequest("k", "calendar", 2, ChronoUnit.HOURS, start, 1, 1, false, false,
                t("2026-03-04T10:30:00Z")));
        assertThat(b.allowed()).isTrue();
        assertThat(b.expiry()).isEqualTo(t("2026-03-04T12:30:00Z"));
        QuotaResult monthly = counters.apply(new QuotaRequest("m", "calendar", 1, ChronoUnit.MONTHS, start, 1, 1, false,
                false, t("2026-03-04T10:15:30Z")));
        assertThat(monthly.expiry()).isEqualTo(t("2026-04-01T08:30:00Z"));
    }

    @Test
    void flexiWindowsStartAtTheFirstRequest() {
        Instant first = t("2026-03-04T10:15:30Z");
        QuotaResult a = counters.apply(req("flexi", 1, ChronoUnit.MINUTES, 1, 1, first));
        assertThat(a.expiry()).isEqualTo(first.plusSeconds(60));
        assertThat(counters.apply(req("flexi", 1, ChronoUnit.MINUTES, 1, 1, first.plusSeconds(59))).allowed()).isFalse();
        QuotaResult b = counters.apply(req("flexi", 1, ChronoUnit.MINUTES, 1, 1, first.plusSeconds(75)));
        assertThat(b.allowed()).isTrue();
        assertThat(b.expiry()).isEqualTo(first.plusSeconds(135));
    }

    @Test
    void rollingWindowCountsTheTrailingInterval() {
        Instant t0 = t("2026-03-04T02:45:00Z");
        // 4 per 2 hours; requests at 2:45, 3:00, 3:30, 4:00; at 4:30 the window since 2:30 holds all four.
        for (int m : new int[] {0, 15, 45, 75}) {
            QuotaResult r = counters.apply(req("rollingwindow", 2, ChronoUnit.HOURS, 4, 1, t0.plus(Duration.ofMinutes(m))));
            assertThat(r.allowed()).isTrue();
            assertThat(r.expiry()).isNull();
        }
        assertThat(counters.apply(req("rollingwindow", 2, ChronoUnit.HOURS, 4, 1, t0.plus(Duration.ofMinutes(105)))).allowed()).isFalse();
        // At 4:45 exactly the 2:45 request leaves the window (exclusive start).
        QuotaResult r = counters.apply(req("rollingwindow", 2, ChronoUnit.HOURS, 4, 1, t0.plus(Duration.ofMinutes(120))));
        assertThat(r.allowed()).isTrue();
        assertThat(r.used()).isEqualTo(4);
        assertThat(r.available()).isZero();
        // At 5:01 the 3:00 request has left too.
        assertThat(counters.apply(req("rollingwindow", 2, ChronoUnit.HOURS, 4, 1, t0.plus(Duration.ofMinutes(136)))).used()).isEqualTo(4);
    }

    @Test
    void weightsCountAndZeroWeightIsFree() {
        Instant now = t("2026-03-04T10:15:30Z");
        assertThat(counters.apply(req(null, 1, ChronoUnit.MINUTES, 10, 7, now)).used()).isEqualTo(7);
        QuotaResult tooHeavy = counters.apply(req(null, 1, ChronoUnit.MINUTES, 10, 4, now));
        assertThat(tooHeavy.allowed()).isFalse();
        assertThat(tooHeavy.available()).isEqualTo(3);
        assertThat(counters.apply(req(null, 1, ChronoUnit.MINUTES, 10, 3, now)).used()).isEqualTo(10);
        assertThat(counters.apply(req(null, 1, ChronoUnit.MINUTES, 10, 0, now)).allowed()).isTrue();
    }

    @Test
    void countOnlyAndEnforceOnlyShareACounter() {
        Instant now = t("2026-03-04T10:15:30Z");
        QuotaRequest enforce = new QuotaRequest("p|faults|bank", "rollingwindow", 1, ChronoUnit.MINUTES, null, 3, 1, false, true, now);
        for (int i = 0; i < 5; i++) {
            QuotaResult counted = counters.apply(new QuotaRequest("p|faults|bank", "rollingwindow", 1, ChronoUnit.MINUTES,
                    null, 3, 1, true, false, now));
            assertThat(counted.allowed()).as("CountOnly never refuses").isTrue();
            assertThat(counted.used()).isEqualTo(i + 1);
            boolean spent = i + 1 >= 3;
            QuotaResult checked = counters.apply(enforce);
            assertThat(checked.allowed()).isEqualTo(!spent);
            assertThat(checked.used()).as("EnforceOnly never counts").isEqualTo(i + 1);
        }
        QuotaResult later = counters.apply(new QuotaRequest("p|faults|bank", "rollingwindow", 1, ChronoUnit.MINUTES, null, 3, 1,
                false, true, now.plusSeconds(60)));
        assertThat(later.allowed()).isTrue();
        assertThat(later.used()).isZero();
    }

    @Test
    void rejectsAnUnknownType() {
        assertThatThrownBy(() -> counters.apply(req("sliding", 1, ChronoUnit.MINUTES, 1, 1, Instant.now())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manyThreadsIncrementingOneQuotaAllowExactlyTheLimit() throws Exception {
        Instant now = t("2026-03-04T10:15:30Z");
        for (String type : new String[] {null, "flexi", "rollingwindow"}) {
            InMemoryQuotaCounters fresh = new InMemoryQuotaCounters();
            AtomicInteger allowed = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(32);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 32; t++) {
                    futures.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < 200; i++) {
                            if (fresh.apply(new QuotaRequest("p|q|x", type, 1, ChronoUnit.HOURS, null, 5000, 1, false, false, now)).allowed()) {
                                allowed.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(allowed.get()).as("type %s", type).isEqualTo(5000);
            assertThat(fresh.apply(new QuotaRequest("p|q|x", type, 1, ChronoUnit.HOURS, null, 5000, 0, false, false, now)).used())
                    .isEqualTo(5000);
        }
    }
}
