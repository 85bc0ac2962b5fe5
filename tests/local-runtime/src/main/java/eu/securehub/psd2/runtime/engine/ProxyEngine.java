package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.expr.Condition;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.Message;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.trace.Step;
import eu.securehub.psd2.runtime.trace.TraceBuilder;
import eu.securehub.psd2.runtime.trace.TraceRecorder;
import eu.securehub.psd2.runtime.trace.Tracing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Executes deployed proxies as Apigee X does (apigee-semantics.md §1.3 order, §1.4 RouteRules, §1.5 fault handling,
 * §1.6/§1.7 variables). Thread-safe: each request gets its own {@link Exchange}.
 */
public final class ProxyEngine {
    private static final Logger LOG = Logger.getLogger(ProxyEngine.class.getName());

    private final Environment env;
    private final TargetCaller targets;
    private final List<Deployment> deployments = new CopyOnWriteArrayList<>();
    private final Map<String, Bundle> sharedFlows = new ConcurrentHashMap<>();
    private volatile TraceRecorder recorder = TraceRecorder.off();
    private volatile int node;

    /** One ProxyEndpoint of a deployed proxy, with its base path matcher. */
    public record Deployment(Bundle bundle, Model.ProxyEndpointDef endpoint, Pattern basePath) {
    }

    public ProxyEngine(Environment env) {
        this.env = env;
        this.targets = new TargetCaller(env);
    }

    public Environment environment() {
        return env;
    }

    /** Records every request's Debug trace into {@code r} as message processor {@code nodeIndex}. */
    public void tracing(TraceRecorder r, int nodeIndex) {
        this.recorder = r == null ? TraceRecorder.off() : r;
        this.node = nodeIndex;
    }

    // ------------------------------------------------------------------ deployment

    public synchronized void deployProxy(Bundle b) {
        deployments.removeIf(d -> d.bundle().name().equals(b.name()));
        for (Model.ProxyEndpointDef ep : b.proxyEndpoints().values()) {
            for (Deployment d : deployments) {
                if (d.endpoint().basePath().equals(ep.basePath())) {
                    throw new ConfigError(ep.at(), "base path " + ep.basePath() + " is already deployed by " + d.bundle().name());
                }
            }
            deployments.add(new Deployment(b, ep, basePathPattern(ep.basePath())));
        }
        // Longest base path first: the most specific proxy wins.
        List<Deployment> sorted = new ArrayList<>(deployments);
        sorted.sort(Comparator.comparingInt((Deployment d) -> d.endpoint().basePath().length()).reversed());
        deployments.clear();
        deployments.addAll(sorted);
    }

    public void deploySharedFlow(Bundle b) {
        sharedFlows.put(b.name(), b);
    }

    public Optional<Bundle> sharedFlow(String name) {
        return Optional.ofNullable(sharedFlows.get(name));
    }

    /** A base path with '*' segment wildcards; matches the path itself or the path followed by /... */
    static Pattern basePathPattern(String basePath) {
        if (basePath.equals("/")) {
            return Pattern.compile("()(/.*)?");
        }
        StringBuilder re = new StringBuilder("(");
        for (String seg : basePath.substring(1).split("/")) {
            re.append('/').append(seg.equals("*") ? "[^/]+" : Pattern.quote(seg));
        }
        re.append(")(/.*)?");
        return Pattern.compile(re.toString());
    }

    public Optional<Deployment> match(String path) {
        for (Deployment d : deployments) {
            if (d.basePath().matcher(path).matches()) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ request processing

    /** The outcome of the main flow: the response to write and the PostClientFlow to run afterwards. */
    public record Outcome(Exchange exchange, Message response, Runnable postClientFlow) {
    }

    /** Runs the proxy for a request; never throws for flow errors (they become the error response). */
    public Outcome handle(Deployment d, Message request, String clientIp, int clientPort, String scheme, String host) {
        TraceBuilder tb = recorder.start(node, request);
        Exchange x = new Exchange(env, d.bundle(), request);
        x.engine(this);
        long now = x.clock().millis();
        Model.ProxyEndpointDef ep = d.endpoint();
        String path = request.path();
        java.util.regex.Matcher m = d.basePath().matcher(path);
        m.matches();
        String suffix = m.group(2) == null ? "" : m.group(2);
        String messageId = UUID.randomUUID().toString();
        x.set("messageid", messageId);
        x.set("organization.name", env.organization());
        x.set("environment.name", env.name());
        x.set("apiproxy.name", d.bundle().name());
        x.set("apiproxy.revision", d.bundle().revision());
        x.set("apiproxy.basepath", ep.basePath());
        x.set("proxy.basepath", ep.basePath());
        x.set("proxy.pathsuffix", suffix);
        x.set("proxy.name", ep.name());
        x.set("proxy.url", scheme + "://" + host + request.uri());
        x.set("proxy.client.ip", clientIp);
        x.set("client.ip", clientIp);
        x.set("client.host", clientIp);
        x.set("client.port", clientPort);
        x.set("client.scheme", scheme);
        x.set("client.ssl.enabled", "https".equals(scheme));
        x.set("client.received.start.timestamp", now);
        x.set("client.received.end.timestamp", now);
        x.set("client.sent.start.timestamp", -1L);
        x.set("client.sent.end.timestamp", -1L);
        x.set("is.error", false);
        // Client headers named X-Apigee-* are stripped from incoming requests (§1.2).
        for (String h : new ArrayList<>(request.headers().names())) {
            if (h.toLowerCase(Locale.ROOT).startsWith("x-apigee-")) {
                request.headers().remove(h);
            }
        }
        if (tb == null) {
            new Run(x, d).main();
            Message response = x.response();
            return new Outcome(x, response, () -> new Run(x, d).postClient());
        }
        // Debug trace: variable accesses are recorded from here on (the set-up above is the runtime's, not a step's).
        tb.identify(messageId, d.bundle().name(), d.bundle().revision());
        x.trace(tb);
        TraceBuilder before = Tracing.bind(tb);
        try {
            new Run(x, d).main();
        } finally {
            Tracing.restore(before);
            tb.mainDone(x.response(), Boolean.TRUE.equals(x.getPlain("is.error")));
        }
        Message response = x.response();
        TraceRecorder r = recorder;
        Runnable post = () -> {
            TraceBuilder was = Tracing.bind(tb);
            try {
                new Run(x, d).postClient();
            } finally {
                Tracing.restore(was);
                x.trace(null);
                try {
                    r.finish(tb);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "recording the trace of " + messageId + " failed", e);
                }
            }
        };
        return new Outcome(x, response, post);
    }

    /** One request's execution state. */
    private final class Run {
        final Exchange x;
        final Deployment d;
        Model.TargetEndpointDef target;

        Run(Exchange x, Deployment d) {
            this.x = x;
            this.d = d;
        }

        void main() {
            Model.ProxyEndpointDef ep = d.endpoint();
            boolean inTarget = false;
            try {
                // Proxy request: PreFlow, first matching Flow, PostFlow.
                x.set("current.flow.name", "PreFlow");
                flow("PROXY_REQ_FLOW PreFlow");
                runSteps(ep.preFlow().request(), d.bundle());
                flow("PROXY_REQ_FLOW");
                Model.FlowDef pf = firstMatch(ep.flows());
                if (pf != null) {
                    flow("PROXY_REQ_FLOW " + pf.name());
                    x.set("current.flow.name", pf.name());
                    x.set("proxy.flow.name", pf.name());
                    x.set("current.flow.description", pf.description());
                    x.set("proxy.flow.description", pf.description());
                    runSteps(pf.request(), d.bundle());
                }
                x.set("current.flow.name", "PostFlow");
                flow("PROXY_REQ_FLOW PostFlow");
                runSteps(ep.postFlow().request(), d.bundle());
                flow("PROXY_REQ_FLOW RouteRules");
                Model.RouteRuleDef route = selectRoute(ep);
                x.set("route.name", route.name());
                if (route.targetEndpoint() != null || route.url() != null) {
                    inTarget = true;
                    if (route.targetEndpoint() != null) {
                        target = d.bundle().targetEndpoints().get(route.targetEndpoint());
                        x.set("route.target", target.name());
                        runTarget(target, null);
                    } else {
                        x.set("route.target", route.url().render(x));
                        runTarget(null, route);
                    }
                    inTarget = false;
                } else {
                    // Null route: no target flows, no backend call; an empty 200 response (emulator note §1.3).
                    x.response(new SimpleMessage(false));
                }
                x.phase(Exchange.Phase.RESPONSE);
                x.set("current.flow.name", "PreFlow");
                flow("PROXY_RESP_FLOW PreFlow");
                runSteps(ep.preFlow().response(), d.bundle());
                // The response segment runs the Response of the Flow chosen for the request (re-evaluating the
                // conditions is UNCONFIRMED, §1.3); the docs say one conditional flow per segment and the trace
                // shows one flow per endpoint, so the request's choice is kept.
                if (pf != null) {
                    x.set("current.flow.name", pf.name());
                    flow("PROXY_RESP_FLOW " + pf.name());
                    runSteps(pf.response(), d.bundle());
                }
                x.set("current.flow.name", "PostFlow");
                flow("PROXY_RESP_FLOW PostFlow");
                runSteps(ep.postFlow().response(), d.bundle());
            } catch (StepFault f) {
                handleError(f, inTarget);
            }
        }

        private Model.FlowDef firstMatch(List<Model.FlowDef> flows) {
            for (Model.FlowDef f : flows) {
                if (traced(f.condition(), Step.FLOW_CONDITION, f.name(), "Flow")) {
                    return f;
                }
            }
            return null;
        }

        private boolean test(Condition c) {
            return c == null || c.test(x);
        }

        /** test(c), recorded in the trace as a condition entry (its reads attributed to the condition). */
        private boolean traced(Condition c, String kind, String name, String type) {
            TraceBuilder tb = x.trace();
            if (tb == null) {
                return test(c);
            }
            TraceBuilder.Open o = tb.begin(kind, x.bundle().name(), name, type, c == null ? null : c.text(), false);
            try {
                tb.beginCondition();
                boolean r = test(c);
                o.held(r);
                return r;
            } finally {
                tb.endCondition();
                tb.end(o);
            }
        }

        /** The trace's current segment and flow. */
        private void flow(String label) {
            TraceBuilder tb = x.trace();
            if (tb != null) {
                tb.flow(label);
            }
        }

        private Model.RouteRuleDef selectRoute(Model.ProxyEndpointDef ep) {
            for (Model.RouteRuleDef r : ep.routeRules()) {
                if (traced(r.condition(), Step.ROUTE_CONDITION, r.name(), "RouteRule")) {
                    return r;
                }
            }
            // No RouteRule matched (taxonomy: NoRoutesMatched). Status and errorcode are UNCONFIRMED for X (§1.4);
            // the runtime answers as Edge does: 500 messaging.runtime.RouteFailed (fault.name RouteFailed).
            throw systemFault(new PolicyFault("messaging.runtime.RouteFailed", 500,
                    "Unable to route the message to a Target Endpoint"));
        }

        private void runTarget(Model.TargetEndpointDef t, Model.RouteRuleDef directRoute) {
            Model.TargetConnection conn = t == null ? null : t.connection();
            x.set("target.copy.pathsuffix", true);
            x.set("target.copy.queryparams", true);
            if (t != null) {
                x.set("target.name", t.name());
                if (conn.url() != null) {
                    x.set("target.url", conn.url().render(x));
                }
                x.set("current.flow.name", "PreFlow");
                flow("TARGET_REQ_FLOW PreFlow");
                runSteps(t.preFlow().request(), d.bundle());
            } else {
                x.set("target.url", directRoute.url().render(x));
            }
            flow("TARGET_REQ_FLOW");
            Model.FlowDef tf = t == null ? null : firstMatch(t.flows());
            if (tf != null) {
                x.set("current.flow.name", tf.name());
                x.set("target.flow.name", tf.name());
                flow("TARGET_REQ_FLOW " + tf.name());
                runSteps(tf.request(), d.bundle());
            }
            if (t != null) {
                x.set("current.flow.name", "PostFlow");
                flow("TARGET_REQ_FLOW PostFlow");
                runSteps(t.postFlow().request(), d.bundle());
            }
            // The backend call.
            Message resp;
            TraceBuilder tb = x.trace();
            TraceBuilder.Open call = null;
            if (tb != null) {
                flow("TARGET_CALL");
                call = tb.begin(Step.TARGET, d.bundle().name(), t == null ? "(RouteRule URL)" : t.name(),
                        "TargetEndpoint", null, false);
            }
            try {
                resp = targets.call(x, conn);
            } catch (PolicyFault pf) {
                if (call != null) {
                    call.fault(pf.faultName());
                }
                throw systemFault(pf);
            } finally {
                if (call != null) {
                    tb.end(call);
                }
            }
            x.response(resp);
            x.phase(Exchange.Phase.RESPONSE);
            SuccessCodes codes = conn != null && conn.properties().containsKey("success.codes")
                    ? SuccessCodes.parse(conn.properties().get("success.codes")) : SuccessCodes.DEFAULT;
            if (!codes.isSuccess(resp.status())) {
                // The client receives the backend's own status and body unless a rule changes it (§1.5).
                PolicyFault f = new PolicyFault("messaging.adaptors.http.flow.ErrorResponseCode", resp.status(),
                        "Received " + resp.status() + " Response Code");
                if (call != null) {
                    call.fault(f.faultName());
                }
                throw new StepFault(f, null, true);
            }
            if (t != null) {
                x.set("current.flow.name", "PreFlow");
                flow("TARGET_RESP_FLOW PreFlow");
                runSteps(t.preFlow().response(), d.bundle());
                if (tf != null) {
                    x.set("current.flow.name", tf.name());
                    flow("TARGET_RESP_FLOW " + tf.name());
                    runSteps(tf.response(), d.bundle());
                }
                x.set("current.flow.name", "PostFlow");
                flow("TARGET_RESP_FLOW PostFlow");
                runSteps(t.postFlow().response(), d.bundle());
            }
        }

        private StepFault systemFault(PolicyFault f) {
            return new StepFault(f, null, false);
        }

        void runSteps(List<Model.Step> steps, Bundle bundle) {
            for (Model.Step s : steps) {
                executeStep(x, s, bundle);
            }
        }

        // -------------------------------------------------------------- errors (§1.5)

        void handleError(StepFault f, boolean inTarget) {
            enterErrorState(f);
            Model.ProxyEndpointDef ep = d.endpoint();
            if (inTarget && target != null) {
                // Target fault: the TargetEndpoint's FaultRules (top-down) and DefaultFaultRule, then — the
                // emulator choice of §1.5 — the ProxyEndpoint's DefaultFaultRule only (its FaultRules do not run).
                runFaultRules(target.faultRules(), target.defaultFaultRule(), "TARGET_ERROR");
                runDefaultOnly(ep.defaultFaultRule(), "PROXY_ERROR");
            } else if (inTarget) {
                // A RouteRule URL (no TargetEndpoint): nothing target-side; the proxy DefaultFaultRule.
                runDefaultOnly(ep.defaultFaultRule(), "PROXY_ERROR");
            } else {
                List<Model.FaultRuleDef> bottomUp = new ArrayList<>(ep.faultRules());
                java.util.Collections.reverse(bottomUp);
                runFaultRules(bottomUp, ep.defaultFaultRule(), "PROXY_ERROR");
            }
        }

        private void enterErrorState(StepFault f) {
            x.phase(Exchange.Phase.ERROR);
            PolicyFault pf = f.fault;
            x.set("is.error", true);
            x.set("fault.name", pf.faultName());
            x.set("fault.reason", pf.faultString());
            x.set("fault.category", f.policy != null ? "Step" : "Messaging");
            x.set("error.message", pf.faultString());
            x.set("error.state", f.policy != null ? "PROXY_REQ_FLOW" : "TARGET_REQ_FLOW");
            if (!f.responsePrepared) {
                x.response(defaultErrorResponse(pf));
            }
        }

        private void runFaultRules(List<Model.FaultRuleDef> rules, Model.DefaultFaultRuleDef dfr, String segment) {
            boolean executed = false;
            boolean raised = false;
            flow(segment + " FaultRules");
            for (Model.FaultRuleDef r : rules) {
                if (traced(r.condition(), Step.FAULT_RULE, r.name(), "FaultRule")) {
                    executed = true;
                    flow(segment + " FaultRule " + r.name());
                    raised = runErrorSteps(r.steps());
                    break;
                }
            }
            // The DefaultFaultRule runs if no FaultRule executed, or with AlwaysEnforce — but not after a FaultRule
            // that invoked a RaiseFault (§1.5 item 5).
            if (dfr != null && (!executed || dfr.alwaysEnforce()) && !raised) {
                flow(segment + " DefaultFaultRule");
                if (traced(dfr.condition(), Step.FAULT_RULE, dfr.name() == null ? "DefaultFaultRule" : dfr.name(),
                        "DefaultFaultRule")) {
                    runErrorSteps(dfr.steps());
                }
            }
        }

        private void runDefaultOnly(Model.DefaultFaultRuleDef dfr, String segment) {
            if (dfr == null) {
                return;
            }
            flow(segment + " DefaultFaultRule");
            if (traced(dfr.condition(), Step.FAULT_RULE, dfr.name() == null ? "DefaultFaultRule" : dfr.name(),
                    "DefaultFaultRule")) {
                runErrorSteps(dfr.steps());
            }
        }

        /** Runs error-flow steps; stops at the first fault. Returns true if a RaiseFault was raised. */
        private boolean runErrorSteps(List<Model.Step> steps) {
            try {
                runSteps(steps, d.bundle());
                return false;
            } catch (StepFault f) {
                // A fault inside fault handling stops the rule. It becomes the current fault; a RaiseFault's response
                // stands, any other fault's default error body replaces the pending response (UNCONFIRMED: Apigee's
                // exact body in this case is not documented; the later fault is what the client would debug).
                enterErrorState(f);
                return f.isRaiseFault();
            }
        }

        // -------------------------------------------------------------- PostClientFlow

        void postClient() {
            x.phase(Exchange.Phase.POST_CLIENT);
            long now = x.clock().millis();
            x.set("client.sent.start.timestamp", now);
            x.set("client.sent.end.timestamp", now);
            x.set("current.flow.name", "PostClientFlow");
            flow("POST_CLIENT_FLOW");
            try {
                runSteps(d.endpoint().postClientFlow(), d.bundle());
            } catch (StepFault f) {
                LOG.log(Level.WARNING, "PostClientFlow of " + d.bundle().name() + " failed: " + f.fault.getMessage());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "PostClientFlow of " + d.bundle().name() + " failed", e);
            }
        }
    }

    /** Apigee's default error response: {"fault":{"faultstring":…,"detail":{"errorcode":…}}}. */
    public static SimpleMessage defaultErrorResponse(PolicyFault pf) {
        SimpleMessage r = new SimpleMessage(false);
        r.status(pf.status());
        r.reasonPhrase(pf.reasonPhrase());
        r.headers().set("Content-Type", "application/json");
        for (Map.Entry<String, String> h : pf.headers().entrySet()) {
            r.headers().set(h.getKey(), h.getValue());
        }
        r.content(defaultErrorBody(pf.faultString(), pf.errorCode(), null).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    public static String defaultErrorBody(String faultString, String errorCode, String reason) {
        StringBuilder b = new StringBuilder("{\"fault\":{\"faultstring\":");
        Json.quote(faultString == null ? "" : faultString, b);
        b.append(",\"detail\":{\"errorcode\":");
        Json.quote(errorCode, b);
        if (reason != null) {
            b.append(",\"reason\":");
            Json.quote(reason, b);
        }
        b.append("}}}");
        return b.toString();
    }

    // ------------------------------------------------------------------ steps and shared flows

    /** The {ns} of {ns}.{policy}.failed per policy type (§1.6); unknown types use the lower-cased type. */
    static String failedVariable(Policy p) {
        String ns;
        switch (p.type()) {
            case "Quota":
            case "SpikeArrest":
                ns = "ratelimit";
                break;
            case "VerifyAPIKey":
                ns = "oauthV2";
                break;
            case "RaiseFault":
                // The Handling-faults page names raisefault.failed; the per-policy form is set as well.
                return "raisefault.failed";
            case "OASValidation":
                ns = "OASValidation";
                break;
            case "KeyValueMapOperations":
                ns = "keyvaluemap";
                break;
            default:
                ns = p.type().toLowerCase(Locale.ROOT);
        }
        return ns + "." + p.name() + ".failed";
    }

    /** Executes one step: enabled, condition, continueOnError (§1.5). Throws StepFault to enter the error state. */
    void executeStep(Exchange x, Model.Step s, Bundle bundle) {
        TraceBuilder tb = x.trace();
        if (tb == null) {
            executeStep(x, s, bundle, null, null);
            return;
        }
        Policy p = bundle.policies().get(s.policy());
        TraceBuilder.Open o = tb.begin(Step.POLICY, bundle.name(), p.name(), p.type(),
                s.condition() == null ? null : s.condition().text(), p.continueOnError());
        try {
            executeStep(x, s, bundle, tb, o);
        } catch (StepFault f) {
            o.fault(f.fault.faultName());
            throw f;
        } finally {
            tb.end(o);
        }
    }

    private void executeStep(Exchange x, Model.Step s, Bundle bundle, TraceBuilder tb, TraceBuilder.Open o) {
        Policy p = bundle.policies().get(s.policy());
        if (!p.enabled()) {
            if (o != null) {
                o.skipped("disabled");
            }
            return; // enabled="false": skipped as if absent
        }
        if (s.condition() != null) {
            boolean holds;
            if (tb == null) {
                holds = s.condition().test(x);
            } else {
                tb.beginCondition();
                try {
                    holds = s.condition().test(x);
                } finally {
                    tb.endCondition();
                }
                o.conditionResult(holds);
            }
            if (!holds) {
                if (o != null) {
                    o.skipped("condition false");
                }
                return;
            }
        }
        try {
            p.execute(x);
        } catch (PolicyFault pf) {
            onPolicyFault(x, p, pf, p.type().equals("RaiseFault"), o);
        } catch (StepFault inner) {
            // A fault inside a shared flow (FlowCallout): its variables are already set by the inner step.
            if (o != null) {
                o.fault(inner.fault.faultName());
            }
            if (p.continueOnError()) {
                x.set(failedVariable(p), true);
                return;
            }
            throw inner;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "policy " + p.name() + " (" + p.type() + ") threw", e);
            onPolicyFault(x, p, new PolicyFault("steps." + p.type().toLowerCase(Locale.ROOT) + ".ExecutionFailed", 500,
                    "Execution of " + p.name() + " failed: " + e.getClass().getSimpleName()), false, o);
        }
    }

    private void onPolicyFault(Exchange x, Policy p, PolicyFault pf, boolean prepared, TraceBuilder.Open o) {
        if (o != null) {
            o.fault(pf.faultName());
        }
        x.set(failedVariable(p), true);
        if (p.type().equals("RaiseFault")) {
            x.set("raisefault." + p.name() + ".failed", true);
        }
        x.set("fault.name", pf.faultName());
        if (p.continueOnError()) {
            return;
        }
        throw new StepFault(pf, p, prepared);
    }

    /** Runs a shared flow (FlowCallout); parameters are visible only during its execution (§4.9). */
    public void runSharedFlow(Exchange x, String name, Map<String, String> params) {
        Bundle sf = sharedFlows.get(name);
        if (sf == null) {
            throw new PolicyFault("flow.SharedFlowNotFound", 500, "Shared flow " + name + " not found");
        }
        Map<String, Object> saved = new java.util.HashMap<>();
        List<String> absent = new ArrayList<>();
        List<String> names = new ArrayList<>(params.keySet());
        names.add("apigee.edge.sharedflow.name");
        for (String n : names) {
            if (x.hasPlain(n)) {
                saved.put(n, x.getPlain(n));
            } else {
                absent.add(n);
            }
        }
        params.forEach(x::set);
        x.set("apigee.edge.sharedflow.name", name);
        x.pushBundle(sf);
        try {
            for (Model.Step s : sf.sharedFlowSteps()) {
                executeStep(x, s, sf);
            }
        } finally {
            x.popBundle();
            for (String n : absent) {
                x.remove(n);
            }
            saved.forEach(x::set);
        }
    }

    static Location none() {
        return new Location("runtime", 0);
    }
}
