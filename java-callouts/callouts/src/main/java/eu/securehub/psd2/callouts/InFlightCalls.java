package eu.securehub.psd2.callouts;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bank calls in flight on this message processor, per bank: what lets the breaker see a hanging bank while the
 * calls still hang, instead of when they time out. Node-local memory, like the DEK cache: Apigee X message processors
 * share none, so each node sees its own calls and the breaker pools what they find in its distributed fault counter.
 * Losing this state (a restart, a new revision) loses nothing durable: the breaker then learns of slow calls when
 * they end, as before.
 *
 * <p>Bounded: at most {@code cap} calls per bank (the cap on calls in flight) and {@link #MAX_BANKS} banks; a call
 * whose end was never reported is dropped once it is older than {@code staleMs}.
 */
final class InFlightCalls {
    static final int MAX_BANKS = 512;

    private static final Map<String, Bank> BANKS = new ConcurrentHashMap<>();

    private static final class Call {
        final long startedAt;
        /** Already counted as a slow failure while in flight: its end must not count it again. */
        final AtomicBoolean counted = new AtomicBoolean();

        Call(long startedAt) {
            this.startedAt = startedAt;
        }
    }

    private static final class Bank {
        final Map<String, Call> calls = new ConcurrentHashMap<>();
        final AtomicInteger size = new AtomicInteger();

        void remove(String id, Call c) {
            if (calls.remove(id, c)) {
                size.decrementAndGet();
            }
        }
    }

    private InFlightCalls() {
    }

    private static Bank bank(String bankId) {
        Bank b = BANKS.get(bankId);
        if (b != null) {
            return b;
        }
        if (BANKS.size() >= MAX_BANKS) {
            BANKS.entrySet().removeIf(e -> e.getValue().size.get() == 0);
        }
        return BANKS.computeIfAbsent(bankId, k -> new Bank());
    }

    /**
     * Registers a call about to be made, unless {@code cap} calls to the bank are in flight already.
     *
     * @return false when the bank is at its cap (nothing registered)
     */
    static boolean admit(String bankId, String callId, long now, int cap) {
        Bank b = bank(bankId);
        if (b.size.incrementAndGet() > cap) {
            b.size.decrementAndGet();
            return false;
        }
        if (b.calls.putIfAbsent(callId, new Call(now)) != null) {
            b.size.decrementAndGet(); // the same call admitted twice: it is in flight once
        }
        return true;
    }

    /**
     * The calls to the bank in flight for {@code slowMs} or longer that no earlier scan counted; each is counted once.
     * Calls older than {@code staleMs} are dropped (their end was never reported) without being counted.
     */
    static int newlySlow(String bankId, long now, long slowMs, long staleMs) {
        Bank b = BANKS.get(bankId);
        if (b == null || b.size.get() == 0) {
            return 0;
        }
        int slow = 0;
        for (Map.Entry<String, Call> e : b.calls.entrySet()) {
            Call c = e.getValue();
            long age = now - c.startedAt;
            if (age >= staleMs) {
                b.remove(e.getKey(), c);
            } else if (age >= slowMs && c.counted.compareAndSet(false, true)) {
                slow++;
            }
        }
        return slow;
    }

    /**
     * The call ended (or was never made): it leaves the registry.
     *
     * @return true when it had been counted as slow while in flight
     */
    static boolean finish(String bankId, String callId) {
        Bank b = BANKS.get(bankId);
        if (b == null) {
            return false;
        }
        Call c = b.calls.get(callId);
        if (c == null) {
            return false;
        }
        b.remove(callId, c);
        return c.counted.get();
    }

    /** Calls to the bank in flight on this node. */
    static int size(String bankId) {
        Bank b = BANKS.get(bankId);
        return b == null ? 0 : b.size.get();
    }

    /** Forgets everything (tests). */
    static void clear() {
        BANKS.clear();
    }
}
