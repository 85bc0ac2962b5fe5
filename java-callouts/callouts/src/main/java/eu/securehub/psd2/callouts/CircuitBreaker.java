package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * {@code Java-CircuitBreaker}: the breaker's state machine, nothing else. The flow reads the bank's
 * record with a KVM Get, runs this callout with an event, and writes {@code breaker.record} back with
 * a KVM Put only when {@code breaker.write} is true.
 *
 * <ul>
 * <li>closed: calls pass; bank faults (5xx, timeouts, connection errors, slow calls, never 4xx or 429)
 *     are remembered; when {@code failure-threshold} of them fall within {@code window-seconds}, it opens.</li>
 * <li>open: calls are denied at once with a Retry-After, until {@code open-seconds} have passed.</li>
 * <li>half-open: {@code half-open-permitted} probe calls pass; a success closes, a fault re-opens. Probes
 *     that never report (a node died mid-call) are given up after another {@code open-seconds}.</li>
 * </ul>
 * A healthy bank costs no KVM write: a success while closed changes nothing.
 *
 * <p>A hang is seen before it ends: {@code before-call} registers the call (bank-id, call-id) in this node's
 * {@link InFlightCalls}, refusing it with {@code breaker.refusal} = {@code busy} when {@code max-in-flight} calls are
 * in flight already; {@code scan} counts the calls in flight for {@code slow-call-ms} or more (each once) into
 * {@code breaker.stuck}, which the next {@code before-call} takes as that many slow faults; {@code classify} ends the
 * registration ({@code breaker.counted}: already counted), {@code release} ends it for a call never made.
 */
public final class CircuitBreaker extends Callout {
    static final String PREFIX = "breaker";

    /** The properties this callout reads (besides {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("event", "window-seconds", "failure-threshold", "slow-call-ms", "open-seconds",
            "half-open-permitted", "record", "failures-in-window", "status-code", "elapsed-ms", "received-at", "sent-at",
            "bank-id", "call-id", "max-in-flight", "call-timeout-ms", "stuck", "counted", "probe-key", "probe-refused");

    /** Calls in flight per bank and message processor when the registry sets no cap. */
    static final int DEFAULT_MAX_IN_FLIGHT = 50;

    public CircuitBreaker(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "allow", "retry_after", "state", "record", "write", "transition", "outcome",
                "record_reset", "stuck", "refusal", "admitted", "counted", "probe_key");
    }

    private static final class Config {
        final long windowMs;
        final int threshold;
        final long slowMs;
        final long openMs;
        final int permitted;

        Config(long windowMs, int threshold, long slowMs, long openMs, int permitted) {
            this.windowMs = windowMs;
            this.threshold = threshold;
            this.slowMs = slowMs;
            this.openMs = openMs;
            this.permitted = permitted;
        }
    }

    @Override
    protected void run(MessageContext ctx) throws CalloutException {
        String event = required(ctx, "event");
        Config cfg = new Config(
                longProperty(ctx, "window-seconds", 60, 1, 86400) * 1000,
                (int) longProperty(ctx, "failure-threshold", 5, 1, 100),
                longProperty(ctx, "slow-call-ms", 10000, 1, 3_600_000),
                longProperty(ctx, "open-seconds", 30, 1, 86400) * 1000,
                (int) longProperty(ctx, "half-open-permitted", 1, 1, 100));
        long now = now(ctx);
        String bankId = property(ctx, "bank-id");
        String callId = property(ctx, "call-id");
        boolean tracked = !bankId.isEmpty() && !callId.isEmpty();
        switch (event) {
            case "scan":
                // Calls on this node in flight past slow-call-ms, each counted once (e.g. into the fault Quota); and
                // while a probe may be due, the key of the probe slot for a distributed probe latch.
                ctx.setVariable(var("stuck"), Integer.toString(bankId.isEmpty() ? 0
                        : InFlightCalls.newlySlow(bankId, now, cfg.slowMs, staleMs(ctx))));
                ctx.setVariable(var("probe_key"), bankId.isEmpty() ? "" : probeKey(bankId, property(ctx, "record"), cfg, now));
                ctx.setVariable(var("write"), "false");
                return;
            case "classify": {
                // Names the outcome (e.g. to count faults in a Quota) and ends the call's registration: no state, no
                // write. A call already counted while in flight is "counted", not counted again.
                boolean counted = tracked && InFlightCalls.finish(bankId, callId);
                ctx.setVariable(var("counted"), Boolean.toString(counted));
                ctx.setVariable(var("outcome"), counted ? "counted" : classify(ctx, cfg).label);
                ctx.setVariable(var("write"), "false");
                return;
            }
            case "release":
                // Admitted, but the call was never made (a later step refused the request).
                if (tracked) {
                    InFlightCalls.finish(bankId, callId);
                }
                ctx.setVariable(var("write"), "false");
                return;
            default:
                break;
        }
        String storedRecord = property(ctx, "record");
        BreakerState state;
        boolean reset = false;
        try {
            state = BreakerState.parse(storedRecord);
        } catch (IllegalArgumentException e) {
            // A damaged record must not take a bank offline: start again closed, and say so.
            state = BreakerState.CLOSED_EMPTY;
            reset = true;
        }

        Decision d;
        String refusal = "";
        boolean admitted = false;
        switch (event) {
            case "before-call": {
                // Calls found hanging on this node (scan) are slow faults now, not when they time out.
                long stuck = longProperty(ctx, "stuck", 0, 0, 1_000_000);
                BreakerState current = state;
                for (long i = 0; i < Math.min(stuck, cfg.threshold) && current.mode != BreakerState.Mode.OPEN; i++) {
                    current = afterCall(current, cfg, now, Outcome.SLOW, ctx).next;
                }
                String probeKey = property(ctx, "probe-key");
                Boolean probeGranted = probeKey.isEmpty() ? null : !property(ctx, "probe-refused").equals("true");
                d = beforeCall(current, cfg, now, probeGranted);
                if (d.allow && tracked) {
                    int cap = (int) longProperty(ctx, "max-in-flight", DEFAULT_MAX_IN_FLIGHT, 1, 100_000);
                    admitted = InFlightCalls.admit(bankId, callId, now, cap);
                    if (!admitted) {
                        // At the cap: refused at once, and no half-open probe is used up.
                        d = new Decision(current, false, 1, null);
                        refusal = "busy";
                    }
                } else if (!d.allow) {
                    refusal = "open";
                }
                break;
            }
            case "success":
                d = afterCall(state, cfg, now, Outcome.SUCCESS, ctx);
                break;
            case "failure":
                d = afterCall(state, cfg, now, Outcome.FAILURE, ctx);
                break;
            case "slow":
                d = afterCall(state, cfg, now, Outcome.SLOW, ctx);
                break;
            case "after-call":
                d = afterCall(state, cfg, now, classify(ctx, cfg), ctx);
                break;
            default:
                throw new CalloutException("invalid_event",
                        "event must be before-call, after-call, scan, classify, release, success, failure or slow");
        }
        boolean write = d.next != state || reset;
        ctx.setVariable(var("allow"), Boolean.toString(d.allow));
        ctx.setVariable(var("retry_after"), Long.toString(d.retryAfterSeconds));
        ctx.setVariable(var("state"), d.next.mode.label);
        ctx.setVariable(var("record"), d.next.format());
        ctx.setVariable(var("write"), Boolean.toString(write));
        ctx.setVariable(var("transition"), d.next.mode == state.mode ? "" : state.mode.label + "->" + d.next.mode.label);
        ctx.setVariable(var("outcome"), d.outcome == null ? "" : d.outcome.label);
        ctx.setVariable(var("record_reset"), Boolean.toString(reset));
        if (event.equals("before-call")) {
            ctx.setVariable(var("refusal"), refusal);
            ctx.setVariable(var("admitted"), Boolean.toString(admitted));
        }
    }

    /**
     * While the stored record may let a probe through (open and past its end, or half-open): the bank and the start of
     * the current open-seconds slot after the open period, e.g. {@code alpha.1732300030000}; otherwise empty. Every node
     * computes the same key from the same open period, so a distributed Quota on it grants half-open-permitted probes
     * per slot in all; a lost probe's slot ends and the next one grants again.
     */
    private static String probeKey(String bankId, String record, Config cfg, long now) {
        BreakerState s;
        try {
            s = BreakerState.parse(record);
        } catch (IllegalArgumentException e) {
            return "";
        }
        long openedUntil;
        if (s.mode == BreakerState.Mode.OPEN && now >= s.openUntil) {
            openedUntil = s.openUntil;
        } else if (s.mode == BreakerState.Mode.HALF_OPEN) {
            openedUntil = s.openUntil > 0 ? s.openUntil : s.halfOpenSince;
        } else {
            return "";
        }
        return bankId + "." + slot(openedUntil, cfg, now);
    }

    private static long slot(long openedUntil, Config cfg, long now) {
        return now <= openedUntil ? openedUntil : openedUntil + (now - openedUntil) / cfg.openMs * cfg.openMs;
    }

    /** A registered call older than this never reported its end: twice the call timeout, and 5 s more. */
    private long staleMs(MessageContext ctx) throws CalloutException {
        return 2 * longProperty(ctx, "call-timeout-ms", 60_000, 1, 3_600_000) + 5_000;
    }

    enum Outcome {
        SUCCESS("success"), FAILURE("failure"), SLOW("slow");

        final String label;

        Outcome(String label) {
            this.label = label;
        }
    }

    private static final class Decision {
        final BreakerState next;
        final boolean allow;
        final long retryAfterSeconds;
        final Outcome outcome;

        Decision(BreakerState next, boolean allow, long retryAfterSeconds, Outcome outcome) {
            this.next = next;
            this.allow = allow;
            this.retryAfterSeconds = retryAfterSeconds;
            this.outcome = outcome;
        }
    }

    /**
     * @param probeGranted for a state that may let a probe through: whether the distributed probe latch granted this
     *                     request one (null: no latch, this node's record decides alone)
     */
    private static Decision beforeCall(BreakerState s, Config cfg, long now, Boolean probeGranted) {
        if (probeGranted != null && (s.mode == BreakerState.Mode.HALF_OPEN
                || (s.mode == BreakerState.Mode.OPEN && now >= s.openUntil))) {
            // The latch lets half-open-permitted probes through per open-seconds slot, over all message processors.
            long openedUntil = s.mode == BreakerState.Mode.OPEN ? s.openUntil : s.openUntil > 0 ? s.openUntil : s.halfOpenSince;
            if (!probeGranted) {
                return new Decision(s, false, seconds(slot(openedUntil, cfg, now) + cfg.openMs - now), null);
            }
            BreakerState next = s.mode == BreakerState.Mode.OPEN ? BreakerState.halfOpen(now, 1, s.openUntil)
                    : BreakerState.halfOpen(s.halfOpenSince, s.probes + 1, openedUntil);
            return new Decision(next, true, 0, null);
        }
        switch (s.mode) {
            case OPEN:
                if (now < s.openUntil) {
                    return new Decision(s, false, seconds(s.openUntil - now), null);
                }
                return new Decision(BreakerState.halfOpen(now, 1, s.openUntil), true, 0, null);
            case HALF_OPEN:
                if (s.probes < cfg.permitted) {
                    return new Decision(BreakerState.halfOpen(s.halfOpenSince, s.probes + 1, s.openUntil), true, 0, null);
                }
                if (now - s.halfOpenSince >= cfg.openMs) {
                    return new Decision(BreakerState.halfOpen(now, 1, s.openUntil), true, 0, null);
                }
                return new Decision(s, false, seconds(s.halfOpenSince + cfg.openMs - now), null);
            default:
                return new Decision(s, true, 0, null);
        }
    }

    private Decision afterCall(BreakerState s, Config cfg, long now, Outcome outcome, MessageContext ctx)
            throws CalloutException {
        if (property(ctx, "counted").equals("true")) {
            // Counted as a slow fault while it hung (scan, before-call): its end changes nothing.
            return new Decision(s, true, 0, Outcome.SLOW);
        }
        boolean fault = outcome != Outcome.SUCCESS;
        switch (s.mode) {
            case HALF_OPEN:
                // Closing remembers when: an external count over a rolling window still holds the faults that
                // opened the breaker until a whole window has passed (see below).
                return new Decision(fault ? BreakerState.open(now + cfg.openMs) : BreakerState.closed(new long[0], now),
                        true, 0, outcome);
            case OPEN:
                // A call let through before the breaker opened reports late: it changes nothing.
                return new Decision(s, true, 0, outcome);
            default:
                if (!fault) {
                    return new Decision(s, true, 0, outcome);
                }
                String external = property(ctx, "failures-in-window");
                // Within one window of a close, an external rolling count (a Quota) still includes the faults from
                // before it, which would re-open the breaker at the first new fault: the record counts instead.
                boolean externalCurrent = s.closedSince == 0 || now - s.closedSince >= cfg.windowMs;
                if (!external.isEmpty() && externalCurrent) {
                    // Faults are counted elsewhere (a distributed Quota counter, which includes this one).
                    long count = longProperty(ctx, "failures-in-window", 0, 0, Long.MAX_VALUE);
                    return new Decision(count >= cfg.threshold ? BreakerState.open(now + cfg.openMs) : s,
                            true, 0, outcome);
                }
                long[] recent = Arrays.stream(s.failures).filter(t -> t > now - cfg.windowMs && t <= now).toArray();
                long[] kept = Arrays.copyOfRange(recent, Math.max(0, recent.length - (cfg.threshold - 1)), recent.length + 1);
                kept[kept.length - 1] = now;
                if (kept.length >= cfg.threshold) {
                    return new Decision(BreakerState.open(now + cfg.openMs), true, 0, outcome);
                }
                return new Decision(BreakerState.closed(kept, s.closedSince), true, 0, outcome);
        }
    }

    /**
     * after-call and classify: a bank fault is no status (timeout, connection error) or 5xx; a slow call is
     * one too. The call's duration is {@code elapsed-ms}, else {@code received-at} − {@code sent-at}
     * (epoch ms, e.g. target.sent.start.timestamp and target.received.end.timestamp); none when nothing
     * was received.
     */
    private Outcome classify(MessageContext ctx, Config cfg) throws CalloutException {
        long status = longProperty(ctx, "status-code", 0, 0, 999);
        long elapsed = elapsed(ctx);
        if (status == 0 || status >= 500) {
            return Outcome.FAILURE;
        }
        return elapsed >= cfg.slowMs ? Outcome.SLOW : Outcome.SUCCESS;
    }

    private long elapsed(MessageContext ctx) throws CalloutException {
        if (!property(ctx, "elapsed-ms").isEmpty()) {
            return longProperty(ctx, "elapsed-ms", 0, 0, Long.MAX_VALUE);
        }
        long received = longProperty(ctx, "received-at", 0, 0, Long.MAX_VALUE);
        long sent = longProperty(ctx, "sent-at", 0, 0, Long.MAX_VALUE);
        if (received == 0 || sent == 0) {
            return 0;
        }
        return Math.max(0, received - sent);
    }

    private static long seconds(long ms) {
        return Math.max(1, (ms + 999) / 1000);
    }
}
