package eu.securehub.psd2.runtime.trace;

/**
 * What a step did outside the flow variables: a KVM read or write, a Quota counter update, a cache lookup or
 * populate, an outbound HTTP call (ServiceCallout or the target), a Cloud Logging write.
 *
 * @param kind         one of the constants of this record
 * @param target       the KVM map, quota counter policy, cache, {@code host:port} of a call, or log name
 * @param label        for {@link #HTTP}: the destination's label (TraceRecorder's labels, else host:port); else null
 * @param outcome      {@link #KVM_GET}: {@code node-cache hit} or {@code datastore read}; {@link #QUOTA}:
 *                     {@code distributed,synchronous} / {@code distributed} / {@code local}; {@link #CACHE_LOOKUP}:
 *                     {@code hit} / {@code miss}; {@link #HTTP}: {@code ServiceCallout} or {@code target}, plus
 *                     {@code " error <exception>"} when the call failed
 * @param method       the HTTP method of a call, else null
 * @param status       the HTTP status of a call (0 if none came), else 0
 * @param offsetMicros when it happened, from the start of the request
 * @param micros       how long a call took (0 for the rest)
 */
public record Event(String kind, String target, String label, String outcome, String method, int status,
        long offsetMicros, long micros) {
    public static final String KVM_GET = "KVM_GET";
    public static final String KVM_PUT = "KVM_PUT";
    public static final String KVM_DELETE = "KVM_DELETE";
    public static final String QUOTA = "QUOTA";
    public static final String CACHE_LOOKUP = "CACHE_LOOKUP";
    public static final String CACHE_POPULATE = "CACHE_POPULATE";
    public static final String HTTP = "HTTP";
    public static final String LOG = "LOG";

    Event withLabel(String l) {
        return new Event(kind, target, l, outcome, method, status, offsetMicros, micros);
    }

    void json(StringBuilder b) {
        b.append('{');
        JsonOut.field(b, "kind", kind).append(',');
        JsonOut.field(b, "target", target).append(',');
        JsonOut.field(b, "label", label).append(',');
        JsonOut.field(b, "outcome", outcome).append(',');
        JsonOut.field(b, "method", method).append(',');
        JsonOut.field(b, "status", status).append(',');
        JsonOut.field(b, "offsetMicros", offsetMicros).append(',');
        JsonOut.field(b, "micros", micros);
        b.append('}');
    }
}
