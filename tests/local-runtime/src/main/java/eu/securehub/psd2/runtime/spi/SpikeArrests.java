package eu.securehub.psd2.runtime.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** SpikeArrest buckets shared across requests. */
public interface SpikeArrests {
    /** @param per SECONDS or MINUTES */
    boolean tryAcquire(String key, long rate, ChronoUnit per, long weight, boolean useEffectiveCount, Instant now);
}
