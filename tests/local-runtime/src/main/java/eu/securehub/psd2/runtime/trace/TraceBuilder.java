package eu.securehub.psd2.runtime.trace;

import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The raw record of one request while it runs (engine-internal; policies report through {@link Tracing}). Used by
 * one thread at a time: the request's, then the PostClientFlow's. It keeps references only (variable names and the
 * values as they were returned or given, header copies, body arrays); masking and stringifying happen once, in
 * {@link TraceRecorder#finish}, after which the builder is dropped.
 */
public final class TraceBuilder {
    /** One variable access as it happened; {@code value} is the object itself (stringified at the end). */
    record Access(String name, Object value, boolean removed) {
    }

    /** A raw message snapshot: status, a copy of the headers, the body array (SimpleMessage replaces, never edits). */
    record RawMessage(boolean request, int status, Headers headers, byte[] content) {
        static RawMessage of(Message m) {
            return new RawMessage(m.isRequest(), m.isRequest() ? 0 : m.status(), m.headers().copy(), m.content());
        }
    }

    record RawTargetCall(String target, String method, String scheme, String host, int port, String path,
            String rawQuery, int status, long startNanos, long endNanos, Headers requestHeaders,
            Headers responseHeaders) {
    }

    /** A step being recorded (engine-internal). */
    public static final class Open {
        final String kind;
        final String flow;
        final String bundle;
        final int depth;
        final String name;
        final String type;
        final String condition;
        final boolean continueOnError;
        final long startNanos;
        long endNanos;
        Boolean conditionResult;
        boolean executed = true;
        String skipReason;
        String fault;
        List<Access> conditionReads;
        List<Access> reads;
        List<Access> writes;
        List<Event> events;

        Open(String kind, String flow, String bundle, int depth, String name, String type, String condition,
                boolean continueOnError) {
            this.kind = kind;
            this.flow = flow;
            this.bundle = bundle;
            this.depth = depth;
            this.name = name;
            this.type = type;
            this.condition = condition;
            this.continueOnError = continueOnError;
            this.startNanos = System.nanoTime();
        }

        public void conditionResult(boolean r) {
            conditionResult = r;
        }

        /** Not executed, and why ({@code condition false}, {@code disabled}). */
        public void skipped(String reason) {
            executed = false;
            skipReason = reason;
        }

        /** A condition entry (flow, RouteRule, FaultRule): executed means the condition held. */
        public void held(boolean r) {
            conditionResult = r;
            executed = r;
        }

        public void fault(String faultName) {
            if (fault == null) {
                fault = faultName;
            }
        }

        private static List<Access> add(List<Access> l, Access a) {
            List<Access> out = l == null ? new ArrayList<>(4) : l;
            out.add(a);
            return out;
        }
    }

    final long startNanos = System.nanoTime();
    final long startEpochMillis = System.currentTimeMillis();
    final int node;
    String id;
    String proxy;
    String revision;
    final RawMessage clientRequest;
    final String method;
    final String path;
    final Map<String, List<String>> query;
    RawMessage response;
    boolean error;
    long mainEndNanos;
    long endNanos;
    String flow = "";
    private boolean inCondition;
    final List<Open> steps = new ArrayList<>(64);
    private final ArrayDeque<Open> open = new ArrayDeque<>();
    final List<RawTargetCall> targetCalls = new ArrayList<>(1);
    final List<Event> looseEvents = new ArrayList<>(0);

    public TraceBuilder(int node, Message clientRequest) {
        this.node = node;
        this.clientRequest = RawMessage.of(clientRequest);
        this.method = clientRequest.verb();
        this.path = clientRequest.path();
        this.query = clientRequest.queryString().isEmpty() ? Map.of() : clientRequest.queryParams();
    }

    public void identify(String messageId, String proxyName, String proxyRevision) {
        this.id = messageId;
        this.proxy = proxyName;
        this.revision = proxyRevision;
    }

    /** The segment and flow the next steps belong to, e.g. {@code PROXY_REQ_FLOW PreFlow}. */
    public void flow(String segmentAndFlow) {
        this.flow = segmentAndFlow;
    }

    public String flow() {
        return flow;
    }

    /** Starts a step; it receives the variable accesses and events until {@link #end}. */
    public Open begin(String kind, String bundle, String name, String type, String condition, boolean continueOnError) {
        Open s = new Open(kind, flow, bundle, open.size(), name, type, condition, continueOnError);
        steps.add(s);
        open.push(s);
        return s;
    }

    public void end(Open s) {
        s.endNanos = System.nanoTime();
        // Normally the top; a step left open by an unexpected throw is closed with it.
        while (!open.isEmpty()) {
            Open top = open.pop();
            if (top.endNanos == 0) {
                top.endNanos = s.endNanos;
            }
            if (top == s) {
                break;
            }
        }
    }

    /** Variable reads until {@link #endCondition} are the current step's condition's. */
    public void beginCondition() {
        inCondition = true;
    }

    public void endCondition() {
        inCondition = false;
    }

    public void read(String name, Object value) {
        Open s = open.peek();
        if (s != null) {
            if (inCondition) {
                s.conditionReads = Open.add(s.conditionReads, new Access(name, value, false));
            } else {
                s.reads = Open.add(s.reads, new Access(name, value, false));
            }
        }
    }

    public void write(String name, Object value) {
        Open s = open.peek();
        if (s != null) {
            s.writes = Open.add(s.writes, new Access(name, value, false));
        }
    }

    public void removed(String name) {
        Open s = open.peek();
        if (s != null) {
            s.writes = Open.add(s.writes, new Access(name, null, true));
        }
    }

    /** An event of the current step (or of the request if no step is open). */
    public void event(String kind, String target, String outcome, String method, int status, long startNanos,
            long micros) {
        Event e = new Event(kind, target, null, outcome, method, status, (startNanos - this.startNanos) / 1000, micros);
        Open s = open.peek();
        if (s == null) {
            looseEvents.add(e);
        } else {
            if (s.events == null) {
                s.events = new ArrayList<>(2);
            }
            s.events.add(e);
        }
    }

    /** A backend call of the target (the engine's TargetCaller). */
    public void targetCall(String target, String method, java.net.URI uri, int status, long startNanos,
            Headers requestHeaders, Headers responseHeaders) {
        long end = System.nanoTime();
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        targetCalls.add(new RawTargetCall(target, method, uri.getScheme(), uri.getHost(), port, uri.getRawPath(), uri.getRawQuery(),
                status, startNanos, end, requestHeaders, responseHeaders));
        event(Event.HTTP, uri.getHost() + ":" + port, status == 0 ? "target error" : "target", method, status,
                startNanos, (end - startNanos) / 1000);
    }

    /** The main flow is done: the response the client gets. */
    public void mainDone(Message finalResponse, boolean isError) {
        mainEndNanos = System.nanoTime();
        response = finalResponse == null ? null : RawMessage.of(finalResponse);
        error = isError;
    }

    /** The PostClientFlow (if any) is done too. */
    public void allDone() {
        endNanos = System.nanoTime();
        if (mainEndNanos == 0) {
            mainEndNanos = endNanos;
        }
    }
}
