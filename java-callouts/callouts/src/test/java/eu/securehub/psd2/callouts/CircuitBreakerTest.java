package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

/** Drives the breaker as the flow does: KVM record in, event, record out (written only when told). */
class CircuitBreakerTest {
    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);
    private final CircuitBreaker breaker = new CircuitBreaker(props());
    private String kvm = "";
    private int writes;
    private long now = 1_800_000_000_000L;

    private static Map<String, String> props(String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put("record", "{breaker.stored}");
        p.put("event", "{breaker.event}");
        p.put("now", "{now}");
        p.put("status-code", "{status}");
        p.put("elapsed-ms", "{elapsed}");
        p.put("window-seconds", "60");
        p.put("failure-threshold", "5");
        p.put("open-seconds", "30");
        p.put("slow-call-ms", "3000");
        p.put("half-open-permitted", "1");
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private MapMessageContext run(CircuitBreaker b, String event, Object... kv) {
        MapMessageContext c = new MapMessageContext().set("breaker.stored", kvm).set("breaker.event", event).set("now", now);
        for (int i = 0; i < kv.length; i += 2) {
            c.set((String) kv[i], kv[i + 1]);
        }
        assertThat(b.execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        if (Boolean.parseBoolean(c.string("breaker.write"))) {
            kvm = c.string("breaker.record");
            writes++;
        }
        return c;
    }

    private MapMessageContext run(String event, Object... kv) {
        return run(breaker, event, kv);
    }

    private MapMessageContext call(int status, long elapsed) {
        MapMessageContext before = run("before-call");
        if (!Boolean.parseBoolean(before.string("breaker.allow"))) {
            return before;
        }
        return run("after-call", "status", status, "elapsed", elapsed);
    }

    @Test
    void aHealthyBankCostsNoKvmWrite() {
        for (int i = 0; i < 100; i++) {
            MapMessageContext c = call(200, 120);
            assertThat(c.string("breaker.allow")).isEqualTo("true");
            assertThat(c.string("breaker.outcome")).isEqualTo("success");
            now += 100;
        }
        assertThat(writes).isZero();
        assertThat(kvm).isEmpty();
    }

    @Test
    void opensAtTheThresholdWithinTheWindowAndDeniesAtOnce() {
        for (int i = 0; i < 4; i++) {
            MapMessageContext c = call(503, 50);
            assertThat(c.string("breaker.state")).isEqualTo("closed");
            now += 1000;
        }
        MapMessageContext fifth = call(500, 50);
        assertThat(fifth.string("breaker.state")).isEqualTo("open");
        assertThat(fifth.string("breaker.transition")).isEqualTo("closed->open");

        now += 10_000;
        MapMessageContext denied = run("before-call");
        assertThat(denied.string("breaker.allow")).isEqualTo("false");
        assertThat(denied.string("breaker.retry_after")).isEqualTo("20");
        assertThat(denied.string("breaker.write")).isEqualTo("false");
        assertThat(denied.string("breaker.state")).isEqualTo("open");
    }

    @Test
    void failuresOutsideTheWindowDoNotCount() {
        for (int i = 0; i < 10; i++) {
            call(502, 50);
            now += 20_000; // 4 per 80 s: never 5 within 60 s
        }
        assertThat(run("before-call").string("breaker.state")).isEqualTo("closed");
        assertThat(kvm.split(",")).hasSizeLessThanOrEqualTo(4);
    }

    @Test
    void clientErrorsAndRateLimitsNeverTripIt() {
        for (int status : new int[] {400, 401, 403, 404, 409, 429, 429, 429, 429, 429, 429}) {
            assertThat(call(status, 50).string("breaker.outcome")).isEqualTo("success");
        }
        assertThat(run("before-call").string("breaker.state")).isEqualTo("closed");
        assertThat(writes).isZero();
    }

    @Test
    void timeoutsConnectionErrorsAndSlowCallsTripIt() {
        call(0, 30_000);                       // timeout: no status
        MapMessageContext noStatus = run("after-call", "status", null, "elapsed", 10);
        assertThat(noStatus.string("breaker.outcome")).isEqualTo("failure");
        MapMessageContext slow = call(200, 3000);
        assertThat(slow.string("breaker.outcome")).isEqualTo("slow");
        run("slow");
        MapMessageContext last = run("failure");
        assertThat(last.string("breaker.state")).isEqualTo("open");
    }

    @Test
    void halfOpenLetsOneProbeThroughAndClosesOnSuccess() {
        tripOpen();
        now += 30_000;
        MapMessageContext probe = run("before-call");
        assertThat(probe.string("breaker.allow")).isEqualTo("true");
        assertThat(probe.string("breaker.state")).isEqualTo("half_open");
        assertThat(probe.string("breaker.transition")).isEqualTo("open->half_open");

        MapMessageContext other = run("before-call");
        assertThat(other.string("breaker.allow")).isEqualTo("false");
        assertThat(Long.parseLong(other.string("breaker.retry_after"))).isBetween(1L, 30L);

        MapMessageContext ok = run("after-call", "status", 200, "elapsed", 80);
        assertThat(ok.string("breaker.state")).isEqualTo("closed");
        assertThat(ok.string("breaker.transition")).isEqualTo("half_open->closed");
        assertThat(run("before-call").string("breaker.allow")).isEqualTo("true");
    }

    @Test
    void aFailedProbeReopens() {
        tripOpen();
        now += 31_000;
        run("before-call");
        MapMessageContext failed = run("after-call", "status", 504, "elapsed", 80);
        assertThat(failed.string("breaker.state")).isEqualTo("open");
        assertThat(failed.string("breaker.transition")).isEqualTo("half_open->open");
        now += 1000;
        assertThat(run("before-call").string("breaker.retry_after")).isEqualTo("29");
    }

    @Test
    void moreProbesWhenConfiguredAndLostProbesAreGivenUp() {
        CircuitBreaker three = new CircuitBreaker(props("half-open-permitted", "3"));
        tripOpen();
        now += 30_000;
        for (int i = 0; i < 3; i++) {
            assertThat(run(three, "before-call").string("breaker.allow")).isEqualTo("true");
        }
        assertThat(run(three, "before-call").string("breaker.allow")).isEqualTo("false");
        now += 30_000; // the probes never reported back
        assertThat(run(three, "before-call").string("breaker.allow")).isEqualTo("true");
    }

    @Test
    void aLateReportWhileOpenChangesNothing() {
        tripOpen();
        int before = writes;
        assertThat(run("after-call", "status", 200, "elapsed", 10).string("breaker.state")).isEqualTo("open");
        assertThat(run("failure").string("breaker.write")).isEqualTo("false");
        assertThat(writes).isEqualTo(before);
    }

    @Test
    void aDamagedRecordStartsClosedAndIsRewritten() {
        for (String damaged : new String[] {"garbage", "v1;s=X", "v2;s=C;f=", "v1;s=C;f=1,x", "v1;s=O;u=", "v1;q=1"}) {
            kvm = damaged;
            MapMessageContext c = run("before-call");
            assertThat(c.string("breaker.allow")).as(damaged).isEqualTo("true");
            assertThat(c.string("breaker.record_reset")).isEqualTo("true");
            assertThat(c.string("breaker.write")).isEqualTo("true");
            assertThat(kvm).isEqualTo("v1;s=C;f=");
        }
    }

    @Test
    void anExternalFailureCountCanDecide() {
        CircuitBreaker counted = new CircuitBreaker(props("failures-in-window", "{quota.used}"));
        MapMessageContext below = run(counted, "failure", "quota.used", "4");
        assertThat(below.string("breaker.state")).isEqualTo("closed");
        assertThat(below.string("breaker.write")).isEqualTo("false");
        MapMessageContext at = run(counted, "failure", "quota.used", "5");
        assertThat(at.string("breaker.state")).isEqualTo("open");
        assertThat(at.string("breaker.write")).isEqualTo("true");
    }

    @Test
    void afterAProbeClosesItTheExternalCountIsIgnoredForOneWindow() {
        CircuitBreaker counted = new CircuitBreaker(props("failures-in-window", "{quota.used}"));
        run(counted, "failure", "quota.used", "5");                 // opens
        now += 31_000;
        assertThat(run(counted, "before-call").string("breaker.state")).isEqualTo("half_open");
        MapMessageContext closed = run(counted, "success");
        assertThat(closed.string("breaker.state")).isEqualTo("closed");
        assertThat(kvm).isEqualTo("v1;s=C;f=;c=" + now);

        // The rolling Quota still holds the five faults that opened it: one new fault must not re-open it.
        now += 1_000;
        MapMessageContext one = run(counted, "failure", "quota.used", "6");
        assertThat(one.string("breaker.state")).isEqualTo("closed");
        for (int i = 0; i < 3; i++) {
            now += 1_000;
            assertThat(run(counted, "failure", "quota.used", String.valueOf(7 + i)).string("breaker.state")).isEqualTo("closed");
        }
        now += 1_000;
        assertThat(run(counted, "failure", "quota.used", "11").string("breaker.state"))
                .as("the fifth fault since the close, counted by the record").isEqualTo("open");
    }

    @Test
    void oneWindowAfterTheCloseTheExternalCountDecidesAgain() {
        CircuitBreaker counted = new CircuitBreaker(props("failures-in-window", "{quota.used}"));
        run(counted, "failure", "quota.used", "5");
        now += 31_000;
        run(counted, "before-call");
        run(counted, "success");
        now += 60_000;
        assertThat(run(counted, "failure", "quota.used", "4").string("breaker.state")).isEqualTo("closed");
        assertThat(run(counted, "failure", "quota.used", "5").string("breaker.state")).isEqualTo("open");
    }

    @Test
    void classifyNamesTheOutcomeWithoutTouchingTheState() {
        tripOpen();
        String open = kvm;
        int before = writes;
        Object[][] cases = {{200, 100L, "success"}, {404, 100L, "success"}, {429, 100L, "success"}, {500, 100L, "failure"},
            {503, 100L, "failure"}, {"", 100L, "failure"}, {200, 3000L, "slow"}, {200, 2999L, "success"}};
        for (Object[] k : cases) {
            MapMessageContext c = run("classify", "status", k[0], "elapsed", k[1], "breaker.stored", "garbage");
            assertThat(c.string("breaker.outcome")).as("%s %s", k[0], k[1]).isEqualTo(k[2]);
            assertThat(c.string("breaker.write")).isEqualTo("false");
            assertThat(c.variables().keySet()).filteredOn(n -> n.startsWith("breaker."))
                    .containsExactlyInAnyOrder("breaker.stored", "breaker.event", "breaker.outcome", "breaker.write",
                            "breaker.counted");
        }
        assertThat(kvm).isEqualTo(open);
        assertThat(writes).isEqualTo(before);
    }

    @Test
    void elapsedComesFromSentAndReceivedTimesWhenNotGiven() {
        CircuitBreaker timed = new CircuitBreaker(props("sent-at", "{target.sent.start.timestamp}",
                "received-at", "{target.received.end.timestamp}"));
        long sent = 1_800_000_000_000L;
        assertThat(run(timed, "classify", "status", 200, "target.sent.start.timestamp", sent,
                "target.received.end.timestamp", sent + 3000).string("breaker.outcome")).isEqualTo("slow");
        assertThat(run(timed, "classify", "status", 200, "target.sent.start.timestamp", sent,
                "target.received.end.timestamp", sent + 2999).string("breaker.outcome")).isEqualTo("success");
        // nothing received: no elapsed time, so the status alone decides
        assertThat(run(timed, "classify", "status", 200, "target.sent.start.timestamp", sent).string("breaker.outcome"))
                .isEqualTo("success");
        assertThat(run(timed, "classify", "target.sent.start.timestamp", sent).string("breaker.outcome")).isEqualTo("failure");
        // clocks out of order count as no time at all
        assertThat(run(timed, "classify", "status", 200, "target.sent.start.timestamp", sent,
                "target.received.end.timestamp", sent - 5000).string("breaker.outcome")).isEqualTo("success");
        // an explicit elapsed-ms wins
        assertThat(run(timed, "classify", "status", 200, "elapsed", 10, "target.sent.start.timestamp", sent,
                "target.received.end.timestamp", sent + 9000).string("breaker.outcome")).isEqualTo("success");
        // after-call uses the same times
        MapMessageContext after = run(timed, "after-call", "status", 200, "target.sent.start.timestamp", sent,
                "target.received.end.timestamp", sent + 4000);
        assertThat(after.string("breaker.outcome")).isEqualTo("slow");
        assertThat(after.string("breaker.write")).isEqualTo("true");
    }

    @Test
    void badEventsAndConfigAreReported() {
        MapMessageContext c = new MapMessageContext().set("breaker.event", "explode");
        assertThat(breaker.execute(c, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("breaker.error_code")).isEqualTo("invalid_event");
        MapMessageContext none = new MapMessageContext();
        assertThat(breaker.execute(none, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(none.string("breaker.error_code")).isEqualTo("missing_property");
        CircuitBreaker bad = new CircuitBreaker(props("failure-threshold", "0"));
        MapMessageContext b = new MapMessageContext().set("breaker.event", "before-call");
        assertThat(bad.execute(b, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(b.string("breaker.error_code")).isEqualTo("invalid_property");
    }

    @Test
    void recordsRoundTrip() {
        for (BreakerState s : new BreakerState[] {BreakerState.CLOSED_EMPTY, BreakerState.closed(new long[] {1, 2}, 0),
            BreakerState.open(99), BreakerState.halfOpen(7, 2)}) {
            BreakerState back = BreakerState.parse(s.format());
            assertThat(back.format()).isEqualTo(s.format());
            assertThat(back.mode).isEqualTo(s.mode);
        }
    }

    private void tripOpen() {
        for (int i = 0; i < 5; i++) {
            run("failure");
        }
        assertThat(run("before-call").string("breaker.state")).isEqualTo("open");
    }
}
