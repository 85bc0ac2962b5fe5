package eu.securehub.psd2.runtime.spi;

import java.time.Instant;

/** The outcome of a Quota evaluation; expiry is null for rollingwindow. */
public record QuotaResult(boolean allowed, long used, long available, long allowedCount, Instant expiry) {
}
