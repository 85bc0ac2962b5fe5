package eu.securehub.psd2.runtime.trace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one request cost, counted from its trace's steps and events.
 *
 * @param policies          executed policy steps (FlowCallouts and the steps inside shared flows included)
 * @param flowCallouts      executed FlowCallout steps
 * @param javaCallouts      executed JavaCallout steps
 * @param serviceCallouts   executed ServiceCallout steps
 * @param kvmReads          KVM Gets
 * @param kvmCacheHits      … of which answered by the node's read cache
 * @param kvmDatastoreReads … of which read from the datastore
 * @param kvmWrites         KVM Puts and Deletes
 * @param quotaUpdates      Quota counter updates
 * @param distributedQuotaUpdates … of which of a Distributed quota
 * @param cacheLookups      LookupCache lookups
 * @param cacheHits         … hits
 * @param cacheMisses       … misses
 * @param cachePopulates    PopulateCache writes
 * @param logWrites         MessageLogging (Cloud Logging) writes
 * @param outboundCalls     outbound HTTP calls (ServiceCallouts and target calls)
 * @param callsByDestination outbound calls by destination label (TraceRecorder's labels, else host:port)
 * @param bankCalls         calls whose label starts with {@code "bank "}
 * @param kmsCalls          calls whose label is {@code "Cloud KMS"}
 */
public record Cost(int policies, int flowCallouts, int javaCallouts, int serviceCallouts, int kvmReads,
        int kvmCacheHits, int kvmDatastoreReads, int kvmWrites, int quotaUpdates, int distributedQuotaUpdates,
        int cacheLookups, int cacheHits, int cacheMisses, int cachePopulates, int logWrites, int outboundCalls,
        Map<String, Integer> callsByDestination, int bankCalls, int kmsCalls) {
    public static final String KMS_LABEL = "Cloud KMS";
    public static final String BANK_LABEL_PREFIX = "bank ";

    public Cost {
        callsByDestination = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(callsByDestination));
    }

    static Cost of(List<Step> steps) {
        int policies = 0, fc = 0, jc = 0, sc = 0, kr = 0, kh = 0, kd = 0, kw = 0, q = 0, qd = 0, cl = 0, ch = 0, cm = 0,
                cp = 0, lw = 0, out = 0, bank = 0, kms = 0;
        Map<String, Integer> dest = new LinkedHashMap<>();
        for (Step s : steps) {
            if (s.isExecutedPolicy()) {
                policies++;
                switch (s.type()) {
                    case "FlowCallout" -> fc++;
                    case "JavaCallout" -> jc++;
                    case "ServiceCallout" -> sc++;
                    default -> { }
                }
            }
            for (Event e : s.events()) {
                switch (e.kind()) {
                    case Event.KVM_GET -> {
                        kr++;
                        if ("node-cache hit".equals(e.outcome())) {
                            kh++;
                        } else {
                            kd++;
                        }
                    }
                    case Event.KVM_PUT, Event.KVM_DELETE -> kw++;
                    case Event.QUOTA -> {
                        q++;
                        if (e.outcome() != null && e.outcome().startsWith("distributed")) {
                            qd++;
                        }
                    }
                    case Event.CACHE_LOOKUP -> {
                        cl++;
                        if ("hit".equals(e.outcome())) {
                            ch++;
                        } else {
                            cm++;
                        }
                    }
                    case Event.CACHE_POPULATE -> cp++;
                    case Event.LOG -> lw++;
                    case Event.HTTP -> {
                        out++;
                        String label = e.label() != null ? e.label() : e.target();
                        dest.merge(label, 1, Integer::sum);
                        if (label.startsWith(BANK_LABEL_PREFIX)) {
                            bank++;
                        } else if (label.equals(KMS_LABEL)) {
                            kms++;
                        }
                    }
                    default -> { }
                }
            }
        }
        return new Cost(policies, fc, jc, sc, kr, kh, kd, kw, q, qd, cl, ch, cm, cp, lw, out, dest, bank, kms);
    }

    void json(StringBuilder b) {
        b.append('{');
        JsonOut.field(b, "policies", policies).append(',');
        JsonOut.field(b, "flowCallouts", flowCallouts).append(',');
        JsonOut.field(b, "javaCallouts", javaCallouts).append(',');
        JsonOut.field(b, "serviceCallouts", serviceCallouts).append(',');
        JsonOut.field(b, "kvmReads", kvmReads).append(',');
        JsonOut.field(b, "kvmCacheHits", kvmCacheHits).append(',');
        JsonOut.field(b, "kvmDatastoreReads", kvmDatastoreReads).append(',');
        JsonOut.field(b, "kvmWrites", kvmWrites).append(',');
        JsonOut.field(b, "quotaUpdates", quotaUpdates).append(',');
        JsonOut.field(b, "distributedQuotaUpdates", distributedQuotaUpdates).append(',');
        JsonOut.field(b, "cacheLookups", cacheLookups).append(',');
        JsonOut.field(b, "cacheHits", cacheHits).append(',');
        JsonOut.field(b, "cacheMisses", cacheMisses).append(',');
        JsonOut.field(b, "cachePopulates", cachePopulates).append(',');
        JsonOut.field(b, "logWrites", logWrites).append(',');
        JsonOut.field(b, "outboundCalls", outboundCalls).append(',');
        b.append("\"callsByDestination\":{");
        boolean first = true;
        for (Map.Entry<String, Integer> e : callsByDestination.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            JsonOut.field(b, e.getKey(), e.getValue());
        }
        b.append("},");
        JsonOut.field(b, "bankCalls", bankCalls).append(',');
        JsonOut.field(b, "kmsCalls", kmsCalls);
        b.append('}');
    }
}
