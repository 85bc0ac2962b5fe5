package eu.securehub.psd2.runtime.trace;

import java.time.Instant;
import java.util.List;

/**
 * One request's Debug trace, as the local runtime recorded it and {@link TraceRecorder} masked it: nothing in it is
 * unmasked ({@code private.*} variables left out, the debug mask applied, values truncated). Immutable.
 *
 * <p>{@link #toJson()} writes (field names are stable; values null when unknown):
 * <pre>
 * {"id": messageid, "node": 0, "proxy": "psd2-hub-v1", "revision": "1", "method": "GET",
 *  "path": "/psd2/v1/accounts" (no query), "query": "withBalance=true&amp;code=*****" (values masked as the variables
 *  request.queryparam.NAME are), "start": ISO-8601 instant, "startEpochMillis": n,
 *  "durationMicros": until the response was ready, "totalMicros": PostClientFlow included,
 *  "status": final status, "error": whether the request ended in the error flow,
 *  "request":  {"headers": [{"name","value"}…], "content": text or null},
 *  "response": {"status": n, "headers": […], "content": …},
 *  "targetCalls": [{"target": TargetEndpoint, "method", "url" (no query), "query", "status", "offsetMicros",
 *                   "micros", "requestHeaders": […], "responseHeaders": […]}],
 *  "cost": {"policies", "flowCallouts", "javaCallouts", "serviceCallouts", "kvmReads", "kvmCacheHits",
 *           "kvmDatastoreReads", "kvmWrites", "quotaUpdates", "distributedQuotaUpdates", "cacheLookups",
 *           "cacheHits", "cacheMisses", "cachePopulates", "logWrites", "outboundCalls",
 *           "callsByDestination": {label: n}, "bankCalls", "kmsCalls"},
 *  "steps": [{"index", "kind" (POLICY|FLOW_CONDITION|ROUTE_CONDITION|FAULT_RULE|TARGET), "flow", "bundle", "depth",
 *             "name", "type", "condition", "conditionResult", "executed", "skipReason", "offsetMicros", "micros",
 *             "fault", "continueOnError", "conditionReads": [{"name","value"}], "reads": […],
 *             "writes": [{"name","value","removed"?}], "events": [{"kind","target","label","outcome","method",
 *             "status","offsetMicros","micros"}]}]}
 * </pre>
 * {@link #summaryJson()} is the list form: {@code {"id","time","startEpochMillis","node","method","path","status",
 * "durationMicros","totalMicros","policies"}}.
 */
public final class Trace {
    /** A variable as shown: masked ({@code *****}) or truncated text; {@code removed} for a remove. */
    public record Variable(String name, String value, boolean removed) {
    }

    /** A header as shown. */
    public record Header(String name, String value) {
    }

    /** A message as shown: status (responses; 0 for requests), headers, content (null if empty). */
    public record MessageSnapshot(int status, List<Header> headers, String content) {
        public MessageSnapshot {
            headers = List.copyOf(headers);
        }

        void json(StringBuilder b, boolean withStatus) {
            b.append('{');
            if (withStatus) {
                JsonOut.field(b, "status", status).append(',');
            }
            writeHeaders(b, "headers", headers).append(',');
            JsonOut.field(b, "content", content);
            b.append('}');
        }

        /** The value shown for a header (first, case-insensitive), or null. */
        public String header(String name) {
            for (Header h : headers) {
                if (h.name().equalsIgnoreCase(name)) {
                    return h.value();
                }
            }
            return null;
        }
    }

    /** A backend call of a TargetEndpoint. */
    public record TargetCall(String target, String method, String url, String query, int status, long offsetMicros,
            long micros, List<Header> requestHeaders, List<Header> responseHeaders) {
        public TargetCall {
            requestHeaders = List.copyOf(requestHeaders);
            responseHeaders = List.copyOf(responseHeaders);
        }
    }

    private final String id;
    private final int node;
    private final String proxy;
    private final String revision;
    private final String method;
    private final String path;
    private final String query;
    private final Instant start;
    private final long durationMicros;
    private final long totalMicros;
    private final int status;
    private final boolean error;
    private final MessageSnapshot request;
    private final MessageSnapshot response;
    private final List<TargetCall> targetCalls;
    private final List<Step> steps;
    private final Cost cost;

    Trace(String id, int node, String proxy, String revision, String method, String path, String query, Instant start,
            long durationMicros, long totalMicros, int status, boolean error, MessageSnapshot request,
            MessageSnapshot response, List<TargetCall> targetCalls, List<Step> steps) {
        this.id = id;
        this.node = node;
        this.proxy = proxy;
        this.revision = revision;
        this.method = method;
        this.path = path;
        this.query = query;
        this.start = start;
        this.durationMicros = durationMicros;
        this.totalMicros = totalMicros;
        this.status = status;
        this.error = error;
        this.request = request;
        this.response = response;
        this.targetCalls = List.copyOf(targetCalls);
        this.steps = List.copyOf(steps);
        this.cost = Cost.of(this.steps);
    }

    /** The request's {@code messageid}. */
    public String id() {
        return id;
    }

    /** The message processor (0 = the first) that ran it. */
    public int node() {
        return node;
    }

    public String proxy() {
        return proxy;
    }

    public String revision() {
        return revision;
    }

    public String method() {
        return method;
    }

    /** The request path, without the query. */
    public String path() {
        return path;
    }

    /** The query with values masked as {@code request.queryparam.NAME} is, or "" if none. */
    public String query() {
        return query;
    }

    public Instant start() {
        return start;
    }

    /** From the start of the request until its response was ready for the client. */
    public long durationMicros() {
        return durationMicros;
    }

    /** The whole exchange, PostClientFlow included. */
    public long totalMicros() {
        return totalMicros;
    }

    public int status() {
        return status;
    }

    public boolean error() {
        return error;
    }

    /** The client's request as received (masked). */
    public MessageSnapshot request() {
        return request;
    }

    /** The response the client got (masked). */
    public MessageSnapshot response() {
        return response;
    }

    public List<TargetCall> targetCalls() {
        return targetCalls;
    }

    public List<Step> steps() {
        return steps;
    }

    public Cost cost() {
        return cost;
    }

    /** The full JSON (see the class comment). */
    public String toJson() {
        StringBuilder b = new StringBuilder(4096);
        b.append('{');
        JsonOut.field(b, "id", id).append(',');
        JsonOut.field(b, "node", node).append(',');
        JsonOut.field(b, "proxy", proxy).append(',');
        JsonOut.field(b, "revision", revision).append(',');
        JsonOut.field(b, "method", method).append(',');
        JsonOut.field(b, "path", path).append(',');
        JsonOut.field(b, "query", query).append(',');
        JsonOut.field(b, "start", start.toString()).append(',');
        JsonOut.field(b, "startEpochMillis", start.toEpochMilli()).append(',');
        JsonOut.field(b, "durationMicros", durationMicros).append(',');
        JsonOut.field(b, "totalMicros", totalMicros).append(',');
        JsonOut.field(b, "status", status).append(',');
        JsonOut.field(b, "error", error).append(',');
        b.append("\"request\":");
        request.json(b, false);
        b.append(",\"response\":");
        response.json(b, true);
        b.append(",\"targetCalls\":[");
        for (int i = 0; i < targetCalls.size(); i++) {
            TargetCall t = targetCalls.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append('{');
            JsonOut.field(b, "target", t.target()).append(',');
            JsonOut.field(b, "method", t.method()).append(',');
            JsonOut.field(b, "url", t.url()).append(',');
            JsonOut.field(b, "query", t.query()).append(',');
            JsonOut.field(b, "status", t.status()).append(',');
            JsonOut.field(b, "offsetMicros", t.offsetMicros()).append(',');
            JsonOut.field(b, "micros", t.micros()).append(',');
            writeHeaders(b, "requestHeaders", t.requestHeaders()).append(',');
            writeHeaders(b, "responseHeaders", t.responseHeaders());
            b.append('}');
        }
        b.append("],\"cost\":");
        cost.json(b);
        b.append(",\"steps\":[");
        for (int i = 0; i < steps.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            steps.get(i).json(b);
        }
        b.append("]}");
        return b.toString();
    }

    /** The list form (see the class comment). */
    public String summaryJson() {
        StringBuilder b = new StringBuilder(256);
        summary(b);
        return b.toString();
    }

    void summary(StringBuilder b) {
        b.append('{');
        JsonOut.field(b, "id", id).append(',');
        JsonOut.field(b, "time", start.toString()).append(',');
        JsonOut.field(b, "startEpochMillis", start.toEpochMilli()).append(',');
        JsonOut.field(b, "node", node).append(',');
        JsonOut.field(b, "method", method).append(',');
        JsonOut.field(b, "path", path).append(',');
        JsonOut.field(b, "status", status).append(',');
        JsonOut.field(b, "durationMicros", durationMicros).append(',');
        JsonOut.field(b, "totalMicros", totalMicros).append(',');
        JsonOut.field(b, "policies", cost.policies());
        b.append('}');
    }

    /** A JSON array of the traces' list forms, in the given order. */
    public static String listJson(List<Trace> traces) {
        StringBuilder b = new StringBuilder(256 * traces.size() + 2);
        b.append('[');
        for (int i = 0; i < traces.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            traces.get(i).summary(b);
        }
        return b.append(']').toString();
    }

    private static StringBuilder writeHeaders(StringBuilder b, String name, List<Header> headers) {
        JsonOut.value(b, name);
        b.append(":[");
        for (int i = 0; i < headers.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append('{');
            JsonOut.field(b, "name", headers.get(i).name()).append(',');
            JsonOut.field(b, "value", headers.get(i).value());
            b.append('}');
        }
        return b.append(']');
    }
}
