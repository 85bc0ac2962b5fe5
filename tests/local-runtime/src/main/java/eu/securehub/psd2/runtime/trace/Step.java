package eu.securehub.psd2.runtime.trace;

import java.util.List;

/**
 * One entry of a trace's timeline, in the order it started.
 *
 * @param index           position in the trace (0-based)
 * @param kind            {@link #POLICY} (a Step of a flow), {@link #FLOW_CONDITION} (a conditional Flow's condition
 *                        tested while choosing the flow), {@link #ROUTE_CONDITION} (a RouteRule's), {@link #FAULT_RULE}
 *                        (a FaultRule's), or {@link #TARGET} (the backend call)
 * @param flow            segment and flow, e.g. {@code PROXY_REQ_FLOW PreFlow}, {@code TARGET_RESP_FLOW getAccounts},
 *                        {@code PROXY_ERROR DefaultFaultRule}, {@code POST_CLIENT_FLOW}; inside a shared flow the
 *                        segment of the FlowCallout
 * @param bundle          the proxy or shared flow the step belongs to
 * @param depth           0 in the proxy, 1 inside a FlowCallout's shared flow, 2 inside a shared flow it calls …
 * @param name            policy name (or flow / RouteRule / FaultRule / TargetEndpoint name)
 * @param type            policy type (e.g. {@code VerifyAPIKey}; {@code Flow}, {@code RouteRule}, {@code FaultRule},
 *                        {@code TargetEndpoint} for the other kinds)
 * @param condition       the condition's text, or null if none
 * @param conditionResult its result, or null if none was tested
 * @param executed        whether the policy ran (a condition entry: whether the condition held)
 * @param skipReason      {@code condition false} or {@code disabled} when not executed, else null
 * @param offsetMicros    start, from the start of the request
 * @param micros          duration
 * @param fault           the fault's name (fault.name) when the step raised one, else null
 * @param continueOnError the policy's continueOnError
 * @param conditionReads  the variables the condition read
 * @param reads           the variables the step read (masked)
 * @param writes          the variables the step wrote or removed (masked)
 * @param events          what the step did outside the flow (KVM, quota, cache, HTTP, logging)
 */
public record Step(int index, String kind, String flow, String bundle, int depth, String name, String type,
        String condition, Boolean conditionResult, boolean executed, String skipReason, long offsetMicros,
        long micros, String fault, boolean continueOnError, List<Trace.Variable> conditionReads,
        List<Trace.Variable> reads, List<Trace.Variable> writes, List<Event> events) {
    public static final String POLICY = "POLICY";
    public static final String FLOW_CONDITION = "FLOW_CONDITION";
    public static final String ROUTE_CONDITION = "ROUTE_CONDITION";
    public static final String FAULT_RULE = "FAULT_RULE";
    public static final String TARGET = "TARGET";

    public Step {
        conditionReads = List.copyOf(conditionReads);
        reads = List.copyOf(reads);
        writes = List.copyOf(writes);
        events = List.copyOf(events);
    }

    /** A policy that ran. */
    public boolean isExecutedPolicy() {
        return executed && POLICY.equals(kind);
    }

    void json(StringBuilder b) {
        b.append('{');
        JsonOut.field(b, "index", index).append(',');
        JsonOut.field(b, "kind", kind).append(',');
        JsonOut.field(b, "flow", flow).append(',');
        JsonOut.field(b, "bundle", bundle).append(',');
        JsonOut.field(b, "depth", depth).append(',');
        JsonOut.field(b, "name", name).append(',');
        JsonOut.field(b, "type", type).append(',');
        JsonOut.field(b, "condition", condition).append(',');
        JsonOut.field(b, "conditionResult", conditionResult).append(',');
        JsonOut.field(b, "executed", executed).append(',');
        JsonOut.field(b, "skipReason", skipReason).append(',');
        JsonOut.field(b, "offsetMicros", offsetMicros).append(',');
        JsonOut.field(b, "micros", micros).append(',');
        JsonOut.field(b, "fault", fault).append(',');
        JsonOut.field(b, "continueOnError", continueOnError).append(',');
        JsonOut.vars(b, "conditionReads", conditionReads).append(',');
        JsonOut.vars(b, "reads", reads).append(',');
        JsonOut.vars(b, "writes", writes).append(',');
        b.append("\"events\":[");
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            events.get(i).json(b);
        }
        b.append("]}");
    }
}
