package eu.securehub.psd2.callouts;

import java.util.Arrays;

/**
 * One bank's circuit-breaker record, as kept in the breaker KVM. Text form (times in epoch ms):
 * <pre>
 *   v1;s=C;f=1732300000123,1732300001456   closed, recent failure times (at most the threshold)
 *   v1;s=C;f=;c=1732300031000              closed by a successful probe at c (see CircuitBreaker)
 *   v1;s=O;u=1732300030000                 open until
 *   v1;s=H;h=1732300030500;p=1;u=1732300030000   half-open since, probes let through, until when it was open
 * </pre>
 * An empty record is a closed breaker with no failures.
 */
final class BreakerState {
    enum Mode {
        CLOSED("C", "closed"), OPEN("O", "open"), HALF_OPEN("H", "half_open");

        final String code;
        final String label;

        Mode(String code, String label) {
            this.code = code;
            this.label = label;
        }
    }

    static final BreakerState CLOSED_EMPTY = new BreakerState(Mode.CLOSED, new long[0], 0, 0, 0, 0);

    final Mode mode;
    final long[] failures;
    final long openUntil;
    final long halfOpenSince;
    final int probes;
    /** When a successful probe closed the breaker (0: not recently, or never). */
    final long closedSince;

    BreakerState(Mode mode, long[] failures, long openUntil, long halfOpenSince, int probes, long closedSince) {
        this.mode = mode;
        this.failures = failures;
        this.openUntil = openUntil;
        this.halfOpenSince = halfOpenSince;
        this.probes = probes;
        this.closedSince = closedSince;
    }

    static BreakerState closed(long[] failures, long closedSince) {
        return new BreakerState(Mode.CLOSED, failures, 0, 0, 0, closedSince);
    }

    static BreakerState open(long until) {
        return new BreakerState(Mode.OPEN, new long[0], until, 0, 0, 0);
    }

    static BreakerState halfOpen(long since, int probes) {
        return halfOpen(since, probes, 0);
    }

    /** @param openedUntil when the open period it follows ended (0: unknown, a record from before it was kept) */
    static BreakerState halfOpen(long since, int probes, long openedUntil) {
        return new BreakerState(Mode.HALF_OPEN, new long[0], openedUntil, since, probes, 0);
    }

    /** Parses a stored record; throws IllegalArgumentException when it is not one. */
    static BreakerState parse(String text) {
        if (text.isEmpty()) {
            return CLOSED_EMPTY;
        }
        String[] parts = text.split(";", -1);
        if (parts.length < 2 || !parts[0].equals("v1") || parts.length > 5) {
            throw new IllegalArgumentException("not a v1 breaker record");
        }
        String mode = null;
        long[] failures = new long[0];
        long until = 0;
        long since = 0;
        int probes = 0;
        long closedSince = 0;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.length() < 2 || p.charAt(1) != '=') {
                throw new IllegalArgumentException("malformed breaker field");
            }
            String v = p.substring(2);
            switch (p.charAt(0)) {
                case 's': mode = v; break;
                case 'f': failures = v.isEmpty() ? new long[0] : Arrays.stream(v.split(",")).mapToLong(Long::parseLong).toArray(); break;
                case 'u': until = Long.parseLong(v); break;
                case 'h': since = Long.parseLong(v); break;
                case 'p': probes = Integer.parseInt(v); break;
                case 'c': closedSince = Long.parseLong(v); break;
                default: throw new IllegalArgumentException("unknown breaker field");
            }
        }
        if ("C".equals(mode)) {
            return closed(failures, closedSince);
        }
        if ("O".equals(mode)) {
            return open(until);
        }
        if ("H".equals(mode)) {
            return halfOpen(since, probes, until);
        }
        throw new IllegalArgumentException("unknown breaker state");
    }

    String format() {
        switch (mode) {
            case OPEN:
                return "v1;s=O;u=" + openUntil;
            case HALF_OPEN:
                return "v1;s=H;h=" + halfOpenSince + ";p=" + probes + (openUntil > 0 ? ";u=" + openUntil : "");
            default:
                StringBuilder b = new StringBuilder("v1;s=C;f=");
                for (int i = 0; i < failures.length; i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    b.append(failures[i]);
                }
                if (closedSince > 0) {
                    b.append(";c=").append(closedSince);
                }
                return b.toString();
        }
    }
}
