package eu.securehub.psd2.runtime.spi;

/** Quota counters shared across requests, as on one node. */
public interface QuotaCounters {
    QuotaResult apply(QuotaRequest r);
}
