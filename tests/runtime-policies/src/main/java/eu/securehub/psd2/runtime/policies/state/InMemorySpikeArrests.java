package eu.securehub.psd2.runtime.policies.state;

import eu.securehub.psd2.runtime.spi.SpikeArrests;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Spike arrest state of one node (apigee-semantics.md §0, §4.5). Thread-safe: each key is decided under its own
 * lock.
 *
 * <ul>
 *   <li>{@code useEffectiveCount=false} — smoothing: the rate is cut into intervals of {@code per / rate}
 *       (30pm: one message per 2 s; 10ps: one per 100 ms). A message is allowed when the previous allowed one is
 *       at least one interval (times its weight) back; so a burst of 30 within a second at 30pm lets one through
 *       and a 31st within a minute never passes. A message of weight w uses w intervals; weight 0 always passes
 *       and uses none. Refused messages use nothing.</li>
 *   <li>{@code useEffectiveCount=true} — a sliding window of {@code per} (one second or one minute): a message is
 *       allowed when the weights allowed in the trailing window plus its own do not exceed the rate. Google staff
 *       describe X's implementation as "a sliding window rate"; this one is exact (a log of the allowed messages
 *       of the window, never longer than the rate), not X's approximation by weighted fixed buckets — a
 *       difference only at window edges (UNCONFIRMED detail of X).</li>
 * </ul>
 * The two modes keep separate state for a key.
 */
public final class InMemorySpikeArrests implements SpikeArrests {
    private final ConcurrentMap<String, Smoothing> smoothing = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Sliding> sliding = new ConcurrentHashMap<>();

    private static final class Smoothing {
        /** Epoch nanos before which the next message is refused; Long.MIN_VALUE = none yet. */
        long nextAllowed = Long.MIN_VALUE;
    }

    private static final class Sliding {
        final Deque<long[]> allowed = new ArrayDeque<>();
        long sum;
    }

    @Override
    public boolean tryAcquire(String key, long rate, ChronoUnit per, long weight, boolean useEffectiveCount, Instant now) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(now, "now");
        if (rate <= 0) {
            throw new IllegalArgumentException("spike arrest rate must be positive: " + rate);
        }
        if (per != ChronoUnit.SECONDS && per != ChronoUnit.MINUTES) {
            throw new IllegalArgumentException("spike arrest rate is per second or per minute, not " + per);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("spike arrest weight must not be negative: " + weight);
        }
        long periodNanos = per.getDuration().toNanos();
        long t = nanos(now);
        String k = key + '\u0000' + rate + '/' + per;
        if (!useEffectiveCount) {
            Smoothing s = smoothing.computeIfAbsent(k, x -> new Smoothing());
            synchronized (s) {
                if (weight == 0) {
                    return true;
                }
                if (s.nextAllowed != Long.MIN_VALUE && t < s.nextAllowed) {
                    return false;
                }
                long interval = periodNanos / rate;
                s.nextAllowed = t + interval * weight;
                return true;
            }
        }
        Sliding s = sliding.computeIfAbsent(k, x -> new Sliding());
        synchronized (s) {
            long from = t - periodNanos;
            while (!s.allowed.isEmpty() && s.allowed.peekFirst()[0] <= from) {
                s.sum -= s.allowed.pollFirst()[1];
            }
            if (s.sum + weight > rate) {
                return false;
            }
            if (weight > 0) {
                s.allowed.addLast(new long[] {t, weight});
                s.sum += weight;
            }
            return true;
        }
    }

    private static long nanos(Instant now) {
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    }
}
