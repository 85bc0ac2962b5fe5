package eu.securehub.psd2.runtime.trace;

import eu.securehub.psd2.runtime.spi.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The local runtime's Debug sessions: keeps the last {@link #capacity()} requests' traces of every message processor
 * (a ring buffer; 0 = tracing off), each masked with the environment's {@link DebugMask} when its request (PostClientFlow
 * included) finishes — nothing unmasked is kept after that. Apigee masks "in the gateway before debug data leaves it"
 * (https://cloud.google.com/apigee/docs/api-platform/security/data-masking); here it is before the trace is stored.
 *
 * <p>Outbound calls are counted per destination label: the runtime cannot know what a host is, so whoever starts it
 * names them ({@link #label}, e.g. {@code "127.0.0.1:8443" → "bank alpha"}, {@code "127.0.0.1:8089" → "Cloud KMS"});
 * an unlabelled destination counts under its {@code host:port}. Thread-safe.
 */
public final class TraceRecorder {
    private final int capacity;
    private final DebugMask mask;
    private final Masker masker;
    private final Map<String, String> labels = new ConcurrentHashMap<>();
    private final ArrayDeque<Trace> traces = new ArrayDeque<>();
    private long recorded;

    public TraceRecorder(int capacity, DebugMask mask) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, not " + capacity);
        }
        this.capacity = capacity;
        this.mask = mask == null ? DebugMask.NONE : mask;
        this.masker = new Masker(this.mask);
    }

    /** A recorder that records nothing. */
    public static TraceRecorder off() {
        return new TraceRecorder(0, DebugMask.NONE);
    }

    public boolean enabled() {
        return capacity > 0;
    }

    public int capacity() {
        return capacity;
    }

    public DebugMask mask() {
        return mask;
    }

    /** Names a destination ({@code host:port}, e.g. {@code 127.0.0.1:8443}) for the cost counts. */
    public TraceRecorder label(String hostPort, String label) {
        labels.put(hostPort.toLowerCase(java.util.Locale.ROOT), label);
        return this;
    }

    public Map<String, String> labels() {
        return Map.copyOf(labels);
    }

    /** A new raw trace for a request (engine-internal), or null when tracing is off. */
    public TraceBuilder start(int node, Message clientRequest) {
        return enabled() ? new TraceBuilder(node, clientRequest) : null;
    }

    /** Masks the finished request's record and stores it (dropping the oldest beyond the capacity). */
    public Trace finish(TraceBuilder b) {
        b.allDone();
        Trace t = mask(b);
        synchronized (this) {
            traces.addLast(t);
            while (traces.size() > capacity) {
                traces.removeFirst();
            }
            recorded++;
            notifyAll();
        }
        return t;
    }

    /** How many traces were recorded since the start (or the last {@link #clear}), kept or not. */
    public synchronized long recorded() {
        return recorded;
    }

    /** The kept traces, newest first. */
    public synchronized List<Trace> list() {
        List<Trace> out = new ArrayList<>(traces.size());
        Iterator<Trace> it = traces.descendingIterator();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    /** The trace of the request with this messageid. */
    public Optional<Trace> get(String id) {
        return find(t -> t.id().equals(id));
    }

    /** The newest kept trace matching. */
    public synchronized Optional<Trace> find(Predicate<Trace> p) {
        Iterator<Trace> it = traces.descendingIterator();
        while (it.hasNext()) {
            Trace t = it.next();
            if (p.test(t)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * The newest trace whose client request had header {@code name} with {@code value} (as shown: a masked header
     * cannot be found), e.g. {@code byRequestHeader("X-Request-ID", id)}.
     */
    public Optional<Trace> byRequestHeader(String name, String value) {
        return find(t -> value.equals(t.request().header(name)));
    }

    /** Waits (up to {@code timeout}) for a matching trace: a trace is stored after the PostClientFlow. */
    public synchronized Trace await(Predicate<Trace> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Trace> t = find(p);
            if (t.isPresent()) {
                return t.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("no matching trace within " + timeout + " (tracing "
                        + (enabled() ? "on, " + traces.size() + " kept" : "off") + ")");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** {@link #await} for {@link #byRequestHeader}. */
    public Trace awaitByRequestHeader(String name, String value, Duration timeout) throws InterruptedException {
        return await(t -> value.equals(t.request().header(name)), timeout);
    }

    public synchronized void clear() {
        traces.clear();
        recorded = 0;
    }

    // ------------------------------------------------------------------ masking

    private Trace mask(TraceBuilder b) {
        List<Step> steps = new ArrayList<>(b.steps.size() + 1);
        if (!b.looseEvents.isEmpty()) {
            steps.add(new Step(0, Step.TARGET, "", b.proxy, 0, "(runtime)", "Runtime", null, null, true, null, 0, 0,
                    null, false, List.of(), List.of(), List.of(), labelled(b.looseEvents)));
        }
        for (TraceBuilder.Open o : b.steps) {
            steps.add(new Step(steps.size(), o.kind, o.flow, o.bundle, o.depth, o.name, o.type, o.condition,
                    o.conditionResult, o.executed, o.skipReason, (o.startNanos - b.startNanos) / 1000,
                    Math.max(0, (o.endNanos - o.startNanos) / 1000), o.fault, o.continueOnError,
                    vars(o.conditionReads), vars(o.reads), vars(o.writes),
                    o.events == null ? List.of() : labelled(o.events)));
        }
        List<Trace.TargetCall> calls = new ArrayList<>(b.targetCalls.size());
        for (TraceBuilder.RawTargetCall c : b.targetCalls) {
            calls.add(new Trace.TargetCall(c.target(), c.method(), c.scheme() + "://" + c.host() + ":" + c.port()
                    + (c.path() == null ? "" : c.path()), masker.query(Masker.parseQuery(c.rawQuery())), c.status(),
                    (c.startNanos() - b.startNanos) / 1000, (c.endNanos() - c.startNanos()) / 1000,
                    masker.headers(c.requestHeaders(), "request"), masker.headers(c.responseHeaders(), "response")));
        }
        Trace.MessageSnapshot response = masker.message(b.response, b.error);
        return new Trace(b.id, b.node, b.proxy, b.revision, b.method, b.path, masker.query(b.query),
                Instant.ofEpochMilli(b.startEpochMillis), (b.mainEndNanos - b.startNanos) / 1000,
                (b.endNanos - b.startNanos) / 1000, b.response == null ? 0 : b.response.status(), b.error,
                masker.message(b.clientRequest, false), response, calls, steps);
    }

    private List<Trace.Variable> vars(List<TraceBuilder.Access> l) {
        if (l == null) {
            return List.of();
        }
        List<Trace.Variable> out = new ArrayList<>(l.size());
        for (TraceBuilder.Access a : l) {
            Trace.Variable v = masker.variable(a.name(), a.value(), a.removed());
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private List<Event> labelled(List<Event> events) {
        List<Event> out = new ArrayList<>(events.size());
        for (Event e : events) {
            out.add(Event.HTTP.equals(e.kind())
                    ? e.withLabel(labels.getOrDefault(e.target().toLowerCase(java.util.Locale.ROOT), e.target())) : e);
        }
        return out;
    }
}
