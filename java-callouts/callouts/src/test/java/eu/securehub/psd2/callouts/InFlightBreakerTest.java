package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

/** The breaker's view of calls still in flight: hangs seen before they end, and the cap on calls in flight. */
class InFlightBreakerTest {
    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);
    private final CircuitBreaker breaker = new CircuitBreaker(props());
    private String kvm = "";
    private long now = 1_800_000_000_000L;

    private static Map<String, String> props() {
        Map<String, String> p = new HashMap<>();
        p.put("record", "{breaker.stored}");
        p.put("event", "{breaker.event}");
        p.put("now", "{now}");
        p.put("status-code", "{status}");
        p.put("elapsed-ms", "{elapsed}");
        p.put("window-seconds", "60");
        p.put("failure-threshold", "3");
        p.put("open-seconds", "30");
        p.put("slow-call-ms", "3000");
        p.put("half-open-permitted", "1");
        p.put("bank-id", "{bank}");
        p.put("call-id", "{call}");
        p.put("max-in-flight", "{cap}");
        p.put("call-timeout-ms", "10000");
        p.put("stuck", "{breaker.stuck}");
        p.put("counted", "{breaker.counted}");
        p.put("probe-key", "{breaker.probe_key}");
        p.put("probe-refused", "{probe.refused}");
        return p;
    }

    @BeforeEach
    void empty() {
        InFlightCalls.clear();
    }

    private MapMessageContext run(String event, String call, Object... kv) {
        MapMessageContext c = new MapMessageContext().set("breaker.stored", kvm).set("breaker.event", event).set("now", now)
                .set("bank", "alpha").set("call", call).set("cap", "10");
        for (int i = 0; i < kv.length; i += 2) {
            c.set((String) kv[i], kv[i + 1]);
        }
        assertThat(breaker.execute(c, exec)).as(c.string("breaker.error")).isSameAs(ExecutionResult.SUCCESS);
        if (Boolean.parseBoolean(c.string("breaker.write"))) {
            kvm = c.string("breaker.record");
        }
        return c;
    }

    /** What the flow does before a call: scan, then decide with what the scan found. */
    private MapMessageContext before(String call) {
        String stuck = run("scan", call).string("breaker.stuck");
        return run("before-call", call, "breaker.stuck", stuck);
    }

    /** What the flow does after a call: classify (ends the registration), then record. */
    private MapMessageContext after(String call, int status, long elapsed) {
        MapMessageContext c = run("classify", call, "status", status, "elapsed", elapsed);
        return run("after-call", call, "status", status, "elapsed", elapsed, "breaker.counted", c.string("breaker.counted"));
    }

    @Test
    void callsHangingPastTheSlowThresholdOpenTheBreakerBeforeTheyEnd() {
        for (String call : List.of("c1", "c2", "c3")) {
            assertThat(before(call).string("breaker.allow")).isEqualTo("true");
        }
        assertThat(InFlightCalls.size("alpha")).isEqualTo(3);
        now += 2999;
        assertThat(before("c4").string("breaker.allow")).as("not slow yet").isEqualTo("true");

        now += 1;
        MapMessageContext next = before("c5");
        assertThat(next.string("breaker.allow")).as("three calls hang for 3 s: open").isEqualTo("false");
        assertThat(next.string("breaker.refusal")).isEqualTo("open");
        assertThat(next.string("breaker.transition")).isEqualTo("closed->open");
        assertThat(next.string("breaker.write")).isEqualTo("true");
        assertThat(next.string("breaker.retry_after")).isEqualTo("30");
        assertThat(next.string("breaker.admitted")).isEqualTo("false");

        // The hung calls end at their timeout: counted already, they change nothing and count no second time.
        now += 7000;
        MapMessageContext ended = run("classify", "c1", "status", 0, "elapsed", 10000);
        assertThat(ended.string("breaker.counted")).isEqualTo("true");
        assertThat(ended.string("breaker.outcome")).as("not counted again in the fault Quota").isEqualTo("counted");
        String record = kvm;
        run("after-call", "c1", "status", 0, "elapsed", 10000, "breaker.counted", "true");
        assertThat(kvm).isEqualTo(record);
        assertThat(after("c4", 0, 10000).string("breaker.outcome")).as("c4 was not slow yet at the scan: counted now")
                .isEqualTo("failure");
    }

    @Test
    void eachHangingCallIsCountedOnce() {
        before("c1");
        now += 5000;
        assertThat(run("scan", "x").string("breaker.stuck")).isEqualTo("1");
        assertThat(run("scan", "x").string("breaker.stuck")).isEqualTo("0");
        now += 1000;
        assertThat(run("scan", "x").string("breaker.stuck")).isEqualTo("0");
    }

    @Test
    void aHangingHalfOpenProbeReopensTheBreakerAtOnce() {
        for (String call : List.of("c1", "c2", "c3")) {
            before(call);
            after(call, 503, 10);
        }
        assertThat(before("c4").string("breaker.state")).isEqualTo("open");
        now += 30_000;
        MapMessageContext probe = before("probe");
        assertThat(probe.string("breaker.state")).isEqualTo("half_open");
        assertThat(probe.string("breaker.admitted")).isEqualTo("true");
        assertThat(before("c5").string("breaker.allow")).as("one probe at a time").isEqualTo("false");

        now += 3000;
        MapMessageContext seen = before("c6");
        assertThat(seen.string("breaker.transition")).as("the probe hangs: open again").isEqualTo("half_open->open");
        assertThat(seen.string("breaker.retry_after")).isEqualTo("30");
    }

    @Test
    void theCapOnCallsInFlightRefusesAtOnceAndAReleaseFreesASlot() {
        assertThat(run("before-call", "c1", "cap", "2").string("breaker.admitted")).isEqualTo("true");
        assertThat(run("before-call", "c2", "cap", "2").string("breaker.admitted")).isEqualTo("true");
        MapMessageContext third = run("before-call", "c3", "cap", "2");
        assertThat(third.string("breaker.allow")).isEqualTo("false");
        assertThat(third.string("breaker.refusal")).isEqualTo("busy");
        assertThat(third.string("breaker.retry_after")).isEqualTo("1");
        assertThat(third.string("breaker.write")).as("busy is no state change").isEqualTo("false");

        run("release", "c1");
        assertThat(run("before-call", "c3", "cap", "2").string("breaker.admitted")).isEqualTo("true");
        after("c2", 200, 50);
        assertThat(InFlightCalls.size("alpha")).isEqualTo(1);
    }

    @Test
    void aCallWhoseEndIsNeverReportedIsDroppedWithoutCounting() {
        before("lost");
        now += 2 * 10_000 + 5_000;
        assertThat(run("scan", "x").string("breaker.stuck")).as("stale: dropped, not counted").isEqualTo("0");
        assertThat(InFlightCalls.size("alpha")).isZero();
    }

    @Test
    void concurrentAdmissionsNeverExceedTheCap() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String call = "c" + i;
                answers.add(pool.submit(() -> {
                    go.await();
                    MapMessageContext c = new MapMessageContext().set("breaker.stored", "").set("breaker.event", "before-call")
                            .set("now", now).set("bank", "beta").set("call", call).set("cap", "5");
                    breaker.execute(c, exec);
                    return c.string("breaker.admitted");
                }));
            }
            go.countDown();
            int admitted = 0;
            for (Future<String> f : answers) {
                admitted += "true".equals(f.get(10, TimeUnit.SECONDS)) ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(5);
            assertThat(InFlightCalls.size("beta")).isEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDistributedLatchGrantsTheProbesOfAllNodesPerSlot() {
        for (String call : List.of("c1", "c2", "c3")) {
            before(call);
            after(call, 503, 10);
        }
        String opened = kvm;
        now += 30_000;
        // Node A: the scan names the slot; the latch (a distributed Quota) grants it the probe.
        String key = run("scan", "a").string("breaker.probe_key");
        assertThat(key).isEqualTo("alpha." + (now - 0));
        MapMessageContext a = run("before-call", "a", "breaker.probe_key", key, "probe.refused", "false");
        assertThat(a.string("breaker.allow")).isEqualTo("true");
        assertThat(a.string("breaker.state")).isEqualTo("half_open");
        assertThat(kvm).contains(";u=");

        // Node B still has the open record in its cache: the same slot, and the latch refuses it.
        kvm = opened;
        now += 2_000;
        assertThat(run("scan", "b").string("breaker.probe_key")).isEqualTo(key);
        MapMessageContext b = run("before-call", "b", "breaker.probe_key", key, "probe.refused", "true");
        assertThat(b.string("breaker.allow")).isEqualTo("false");
        assertThat(b.string("breaker.refusal")).isEqualTo("open");
        assertThat(b.string("breaker.retry_after")).as("until the next slot").isEqualTo("28");

        // A probe lost with its node: the next slot, 30 s on, has a key of its own.
        now += 28_000;
        assertThat(run("scan", "b").string("breaker.probe_key")).isNotEqualTo(key).startsWith("alpha.");
    }

    @Test
    void noProbeKeyWhileClosedOrStillOpen() {
        assertThat(run("scan", "x").string("breaker.probe_key")).isEmpty();
        for (String call : List.of("c1", "c2", "c3")) {
            before(call);
            after(call, 503, 10);
        }
        now += 29_999;
        assertThat(run("scan", "x").string("breaker.probe_key")).isEmpty();
    }
}
