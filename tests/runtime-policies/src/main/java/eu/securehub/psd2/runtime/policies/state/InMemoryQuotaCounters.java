package eu.securehub.psd2.runtime.policies.state;

import eu.securehub.psd2.runtime.spi.QuotaCounters;
import eu.securehub.psd2.runtime.spi.QuotaRequest;
import eu.securehub.psd2.runtime.spi.QuotaResult;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Quota counters of one environment, as one distributed, synchronous counter per key (apigee-semantics.md §0,
 * §4.4, §6): every request sees the exact count, there is no asynchronous overshoot. Thread-safe: each counter is
 * updated under its own lock, so concurrent requests never lose a count.
 *
 * <p>Windows ({@link QuotaRequest#type()}):
 * <ul>
 *   <li>default ({@code null}, empty or "default"): calendar boundaries of the time unit in UTC — the start of the
 *       next minute, the top of the next hour, midnight UTC. The docs give the week's reset as "midnight GMT on
 *       Sunday at the end of the week" and the month's as "midnight GMT of the last day of the month"; both are
 *       read here as the end of that day, i.e. Monday 00:00 UTC and the 1st of the month 00:00 UTC
 *       (UNCONFIRMED wording; chosen because the two phrases then mean the same thing). An interval of N units
 *       makes windows of N units aligned on the epoch (weeks on Monday 1970-01-05, months on January 1970).</li>
 *   <li>calendar: windows of Interval x TimeUnit starting at StartTime (UTC), repeating.</li>
 *   <li>flexi: a window starts at the identifier's first request and lasts Interval x TimeUnit; the first request
 *       after it starts the next one.</li>
 *   <li>rollingwindow: no reset; each request counts what was counted in the trailing Interval x TimeUnit
 *       (exclusive start, inclusive now); expiry is {@code null}.</li>
 * </ul>
 *
 * <p>Counting: a request of weight w is allowed when {@code used + w <= allow} and then counted; a refused request
 * is not counted (so used.count stays at the limit — the docs say nothing either way, UNCONFIRMED). CountOnly
 * counts and never refuses; EnforceOnly checks the same condition and never counts. Policies share a counter when
 * their {@code counterKey} is the same (the policy builds it from the proxy, SharedName or policy name, and the
 * identifier); non-rolling counters are also separated by window type so a rolling and a calendar counter under
 * one name do not corrupt each other.
 */
public final class InMemoryQuotaCounters implements QuotaCounters {
    private static final Instant EPOCH_MONDAY = LocalDate.of(1970, 1, 5).atStartOfDay(ZoneOffset.UTC).toInstant();

    private final ConcurrentMap<String, Object> counters = new ConcurrentHashMap<>();

    /** A fixed or flexi window and its count. */
    private static final class WindowCounter {
        Instant start;
        Instant end;
        long used;
    }

    /** The counted requests of a rolling window: (epoch milli, weight) in arrival order, and their sum. */
    private static final class RollingCounter {
        final Deque<long[]> events = new ArrayDeque<>();
        long sum;

        void prune(Instant from) {
            long limit = from.toEpochMilli();
            while (!events.isEmpty() && events.peekFirst()[0] <= limit) {
                sum -= events.pollFirst()[1];
            }
        }
    }

    @Override
    public QuotaResult apply(QuotaRequest r) {
        Objects.requireNonNull(r, "request");
        if (r.interval() <= 0) {
            throw new IllegalArgumentException("quota interval must be positive: " + r.interval());
        }
        if (r.weight() < 0) {
            throw new IllegalArgumentException("quota weight must not be negative: " + r.weight());
        }
        String type = normalType(r.type());
        if (type.equals("rollingwindow")) {
            return rolling(r);
        }
        WindowCounter c = (WindowCounter) counters.computeIfAbsent(r.counterKey() + '\u0000' + type, k -> new WindowCounter());
        synchronized (c) {
            Instant now = r.now();
            if (type.equals("flexi")) {
                if (c.end == null || !now.isBefore(c.end)) {
                    if (r.enforceOnly() && c.end == null) {
                        // Nothing counted yet: an EnforceOnly check opens no window.
                        return decide(r, 0, now.plus(length(r)), null);
                    }
                    c.start = now;
                    c.end = plus(now, r.unit(), r.interval());
                    c.used = 0;
                }
            } else {
                Instant[] w = type.equals("calendar") ? calendarWindow(r) : defaultWindow(r);
                if (c.start == null || !c.start.equals(w[0]) || !c.end.equals(w[1])) {
                    c.start = w[0];
                    c.end = w[1];
                    c.used = 0;
                }
            }
            long[] used = {c.used};
            QuotaResult result = decide(r, c.used, c.end, used);
            c.used = used[0];
            return result;
        }
    }

    private QuotaResult rolling(QuotaRequest r) {
        RollingCounter c = (RollingCounter) counters.computeIfAbsent(r.counterKey() + "\u0000rollingwindow", k -> new RollingCounter());
        synchronized (c) {
            Instant now = r.now();
            c.prune(minus(now, r.unit(), r.interval()));
            long[] used = {c.sum};
            QuotaResult result = decide(r, c.sum, null, used);
            long added = used[0] - c.sum;
            if (added > 0) {
                c.events.addLast(new long[] {now.toEpochMilli(), added});
                c.sum = used[0];
            }
            return result;
        }
    }

    /** Applies CountOnly/EnforceOnly/normal counting; {@code usedOut[0]} receives the new count (null: don't count). */
    private static QuotaResult decide(QuotaRequest r, long used, Instant expiry, long[] usedOut) {
        long w = r.weight();
        boolean fits = used + w <= r.allow();
        boolean allowed;
        long after = used;
        if (r.countOnly()) {
            allowed = true;
            after = used + w;
        } else if (r.enforceOnly()) {
            allowed = fits;
        } else {
            allowed = fits;
            if (fits) {
                after = used + w;
            }
        }
        if (usedOut != null) {
            usedOut[0] = after;
        }
        return new QuotaResult(allowed, after, Math.max(0, r.allow() - after), r.allow(), expiry);
    }

    static String normalType(String type) {
        if (type == null || type.isBlank()) {
            return "default";
        }
        String t = type.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "default":
            case "calendar":
            case "flexi":
            case "rollingwindow":
                return t;
            default:
                throw new IllegalArgumentException("unknown quota type: " + type);
        }
    }

    private static Duration length(QuotaRequest r) {
        return Duration.between(r.now(), plus(r.now(), r.unit(), r.interval()));
    }

    private static Instant plus(Instant t, ChronoUnit unit, long n) {
        if (unit == ChronoUnit.MONTHS || unit == ChronoUnit.YEARS) {
            return t.atZone(ZoneOffset.UTC).plus(n, unit).toInstant();
        }
        return t.plus(unit.getDuration().multipliedBy(n));
    }

    private static Instant minus(Instant t, ChronoUnit unit, long n) {
        if (unit == ChronoUnit.MONTHS || unit == ChronoUnit.YEARS) {
            return t.atZone(ZoneOffset.UTC).minus(n, unit).toInstant();
        }
        return t.minus(unit.getDuration().multipliedBy(n));
    }

    /** [start, end) of the default (calendar-boundary) window holding {@code now}. */
    static Instant[] defaultWindow(QuotaRequest r) {
        Instant now = r.now();
        long n = r.interval();
        ChronoUnit unit = r.unit();
        switch (unit) {
            case MONTHS: {
                ZonedDateTime z = now.atZone(ZoneOffset.UTC);
                long months = (z.getYear() - 1970L) * 12 + (z.getMonthValue() - 1);
                long first = Math.floorDiv(months, n) * n;
                ZonedDateTime start = LocalDate.of(1970, 1, 1).atStartOfDay(ZoneOffset.UTC).plusMonths(first);
                return new Instant[] {start.toInstant(), start.plusMonths(n).toInstant()};
            }
            case WEEKS: {
                ZonedDateTime monday = now.atZone(ZoneOffset.UTC).toLocalDate()
                        .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(ZoneOffset.UTC);
                long weeks = Duration.between(EPOCH_MONDAY, monday.toInstant()).toDays() / 7;
                Instant start = EPOCH_MONDAY.plus(Duration.ofDays(7 * Math.floorDiv(weeks, n) * n));
                return new Instant[] {start, start.plus(Duration.ofDays(7 * n))};
            }
            default: {
                long len = unit.getDuration().toMillis() * n;
                long start = Math.floorDiv(now.toEpochMilli(), len) * len;
                return new Instant[] {Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + len)};
            }
        }
    }

    /** [start, end) of the calendar window (StartTime + k x Interval x TimeUnit) holding {@code now}. */
    static Instant[] calendarWindow(QuotaRequest r) {
        Instant origin = Objects.requireNonNull(r.startTime(), "calendar quota needs a StartTime");
        Instant now = r.now();
        long n = r.interval();
        ChronoUnit unit = r.unit();
        if (unit == ChronoUnit.MONTHS || unit == ChronoUnit.YEARS) {
            ZonedDateTime o = origin.atZone(ZoneOffset.UTC);
            long k = Math.floorDiv(unit.between(o, now.atZone(ZoneOffset.UTC)), n);
            // between() truncates towards zero; step back or forward so that start <= now < end.
            ZonedDateTime start = o.plus(k * n, unit);
            while (start.toInstant().isAfter(now)) {
                start = start.minus(n, unit);
            }
            while (!start.plus(n, unit).toInstant().isAfter(now)) {
                start = start.plus(n, unit);
            }
            return new Instant[] {start.toInstant(), start.plus(n, unit).toInstant()};
        }
        long len = unit.getDuration().toMillis() * n;
        long k = Math.floorDiv(now.toEpochMilli() - origin.toEpochMilli(), len);
        long start = origin.toEpochMilli() + k * len;
        return new Instant[] {Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + len)};
    }
}
