package eu.securehub.psd2.runtime.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** One Quota evaluation; counterKey already combines proxy, shared name or policy, and identifier. */
public record QuotaRequest(String counterKey, String type, long interval, ChronoUnit unit, Instant startTime,
        long allow, long weight, boolean countOnly, boolean enforceOnly, Instant now) {
}
