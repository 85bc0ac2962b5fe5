package eu.securehub.psd2.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.runtime.trace.DebugMask;
import eu.securehub.psd2.runtime.trace.Step;
import eu.securehub.psd2.runtime.trace.Trace;
import eu.securehub.psd2.runtime.trace.TraceRecorder;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local Debug trace: steps, conditions, shared-flow nesting, faults, masking, the ring buffer, concurrency. */
class TraceTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final DebugMask MASK = new DebugMask(List.of("$.state"), List.of("$.iban", "$.accounts[*].iban"),
            List.of(), List.of("hub.token", "request.header.x-custom", "request.queryparam.code"));

    static TestSupport.Backend backend;
    static LocalRuntime rt;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestSupport.Backend();
        InMemoryEnvironment env = new InMemoryEnvironment("test").targetServer("backend", "127.0.0.1", backend.port(), null);
        rt = LocalRuntime.start(RuntimeOptions.of(env).withFactory(new TestSupport.RecordFactory()).withTraces(200)
                .withDebugMask(MASK));
        rt.deploySharedFlow(TestSupport.fixture("sf-params"));
        rt.deployProxy(TestSupport.fixture("callout"));
        rt.deployProxy(TestSupport.fixture("order"));
        rt.deployProxy(TestSupport.fixture("trace"));
        rt.traces().label("127.0.0.1:" + backend.port(), "bank test");
    }

    @AfterAll
    static void stop() {
        rt.close();
        backend.close();
    }

    static Trace traceOf(String requestId) throws InterruptedException {
        return rt.traces().awaitByRequestHeader(TestSupport.REQUEST_ID, requestId, WAIT);
    }

    static List<String> executed(Trace t) {
        return t.steps().stream().filter(Step::isExecutedPolicy).map(Step::name).toList();
    }

    @Test
    void stepsInOrderWithConditionsSkippedStepsAndTheTargetCall() throws Exception {
        String id = TestSupport.newRequestId();
        HttpResponse<String> r = TestSupport.get(rt, "/order/a/x?k=v", id);
        assertThat(r.statusCode()).isEqualTo(200);
        Trace t = traceOf(id);

        assertThat(t.proxy()).isEqualTo("order");
        assertThat(t.revision()).isEqualTo("3");
        assertThat(t.method()).isEqualTo("GET");
        assertThat(t.path()).isEqualTo("/order/a/x");
        assertThat(t.query()).isEqualTo("k=v");
        assertThat(t.status()).isEqualTo(200);
        assertThat(t.node()).isZero();
        assertThat(executed(t)).containsExactly("M-ppre", "M-pflowA", "M-ppost", "M-tpre", "M-tflow", "M-tpost",
                "M-tpre_r", "M-tflow_r", "M-tpost_r", "M-ppre_r", "M-pflowA_r", "M-ppost_r", "AM-Expose", "M-pcf",
                "R-PostClient");
        // The first matching flow's condition held; the flows after it were not evaluated.
        Step flowA = t.steps().stream().filter(s -> s.kind().equals(Step.FLOW_CONDITION) && s.name().equals("A"))
                .findFirst().orElseThrow();
        assertThat(flowA.condition()).contains("MatchesPath");
        assertThat(flowA.conditionResult()).isTrue();
        assertThat(flowA.conditionReads()).extracting(Trace.Variable::name).contains("proxy.pathsuffix");
        assertThat(t.steps()).noneMatch(s -> s.kind().equals(Step.FLOW_CONDITION) && s.name().equals("A2"));
        // RouteRules: "nothing" and "other" tested false, "main" chosen.
        assertThat(t.steps().stream().filter(s -> s.kind().equals(Step.ROUTE_CONDITION)).map(s -> s.name() + "="
                + s.executed()).toList()).containsExactly("nothing=false", "other=false", "main=true");
        // Segments and flows.
        assertThat(step(t, "M-ppre").flow()).isEqualTo("PROXY_REQ_FLOW PreFlow");
        assertThat(step(t, "M-pflowA").flow()).isEqualTo("PROXY_REQ_FLOW A");
        assertThat(step(t, "M-tflow_r").flow()).isEqualTo("TARGET_RESP_FLOW TF");
        assertThat(step(t, "M-pcf").flow()).isEqualTo("POST_CLIENT_FLOW");
        // Offsets grow; the writes of a step are its own.
        for (int i = 1; i < t.steps().size(); i++) {
            assertThat(t.steps().get(i).offsetMicros()).isGreaterThanOrEqualTo(t.steps().get(i - 1).offsetMicros());
        }
        assertThat(step(t, "M-ppre").writes()).extracting(Trace.Variable::name).containsExactly("trace");
        assertThat(step(t, "M-ppre").writes().get(0).value()).isEqualTo("ppre,");
        // The target call: a step, a recorded call, an outbound event labelled for the cost counts.
        Step target = t.steps().stream().filter(s -> s.kind().equals(Step.TARGET)).findFirst().orElseThrow();
        assertThat(target.name()).isEqualTo("main");
        assertThat(target.events()).singleElement().satisfies(e -> {
            assertThat(e.label()).isEqualTo("bank test");
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.method()).isEqualTo("GET");
        });
        assertThat(t.targetCalls()).singleElement().satisfies(c -> {
            assertThat(c.url()).isEqualTo("http://127.0.0.1:" + backend.port() + "/echo/a/x");
            assertThat(c.query()).isEqualTo("k=v");
            assertThat(c.status()).isEqualTo(200);
        });
        assertThat(t.cost().policies()).isEqualTo(15);
        assertThat(t.cost().bankCalls()).isEqualTo(1);
        assertThat(t.cost().callsByDestination()).containsEntry("bank test", 1);
        assertThat(t.totalMicros()).isGreaterThanOrEqualTo(t.durationMicros());
        assertThat(t.toJson()).contains("\"kind\":\"ROUTE_CONDITION\"").contains("\"cost\":{\"policies\":15,");
    }

    @Test
    void skippedStepsSayWhy() throws Exception {
        String id = TestSupport.newRequestId();
        TestSupport.get(rt, "/tr", id);
        Trace t = traceOf(id);
        Step never = step(t, "AM-Never");
        assertThat(never.executed()).isFalse();
        assertThat(never.skipReason()).isEqualTo("condition false");
        assertThat(never.condition()).isEqualTo("request.queryparam.never = \"yes\"");
        assertThat(never.conditionResult()).isFalse();
        assertThat(never.conditionReads()).extracting(Trace.Variable::name).containsExactly("request.queryparam.never");
        assertThat(never.writes()).isEmpty();
        Step disabled = step(t, "AM-Disabled");
        assertThat(disabled.executed()).isFalse();
        assertThat(disabled.skipReason()).isEqualTo("disabled");
        assertThat(executed(t)).containsExactly("AM-Secrets", "AM-Body");
        assertThat(t.cost().policies()).isEqualTo(2);
    }

    @Test
    void sharedFlowStepsAreNestedUnderTheirFlowCallout() throws Exception {
        String id = TestSupport.newRequestId();
        TestSupport.get(rt, "/callout?v=hello", id);
        Trace t = traceOf(id);
        assertThat(t.steps().stream().filter(s -> s.kind().equals(Step.POLICY))
                .map(s -> s.depth() + ":" + s.bundle() + ":" + s.name() + ":" + s.executed()).toList())
                .containsExactly("0:callout:FC-Missing:false", "0:callout:FC-Shared:true", "1:sf-params:AM-Seen:true",
                        "1:sf-params:RF-Inner:false", "0:callout:AM-Report:true");
        Step fc = step(t, "FC-Shared");
        Step inner = step(t, "AM-Seen");
        assertThat(inner.offsetMicros()).isGreaterThanOrEqualTo(fc.offsetMicros());
        assertThat(inner.offsetMicros() + inner.micros()).isLessThanOrEqualTo(fc.offsetMicros() + fc.micros());
        // The parameter was written by the FlowCallout; the inner step read it.
        assertThat(fc.writes()).extracting(Trace.Variable::name).contains("p.one", "apigee.edge.sharedflow.name");
        assertThat(inner.reads()).contains(new Trace.Variable("p.one", "hello", false));
        assertThat(t.cost().flowCallouts()).isEqualTo(1);
        assertThat(t.cost().policies()).isEqualTo(3);
    }

    @Test
    void aFaultIsOnItsStepAndTheErrorFlowFollows() throws Exception {
        String id = TestSupport.newRequestId();
        HttpResponse<String> r = TestSupport.get(rt, "/callout?v=fail", id);
        assertThat(r.statusCode()).isEqualTo(422);
        Trace t = traceOf(id);
        assertThat(step(t, "RF-Inner").fault()).isEqualTo("RaiseFault");
        assertThat(step(t, "RF-Inner").depth()).isEqualTo(1);
        // The FlowCallout carries the fault that came out of its shared flow.
        assertThat(step(t, "FC-Shared").fault()).isEqualTo("RaiseFault");
        assertThat(t.status()).isEqualTo(422);
        assertThat(t.error()).isTrue();

        String id2 = TestSupport.newRequestId();
        assertThat(TestSupport.get(rt, "/tr?fail=1", id2).statusCode()).isEqualTo(418);
        Trace t2 = traceOf(id2);
        assertThat(step(t2, "RF-Fail").fault()).isEqualTo("RaiseFault");
        assertThat(step(t2, "RF-Fail").flow()).isEqualTo("PROXY_REQ_FLOW Fails");
        assertThat(step(t2, "AM-InFault").flow()).isEqualTo("PROXY_ERROR DefaultFaultRule");
        assertThat(step(t2, "AM-InFault").reads()).contains(new Trace.Variable("fault.name", "RaiseFault", false));
        assertThat(t2.steps()).noneMatch(s -> s.name().equals("AM-Body") && s.executed());
        assertThat(t2.toJson()).contains("\"fault\":\"RaiseFault\"");
    }

    @Test
    void masksPrivateVariablesMaskedVariablesJsonPathsAndHeaders() throws Exception {
        String id = TestSupport.newRequestId();
        HttpResponse<String> r = TestSupport.send(rt, "POST", "/tr?code=abc-code&x=1",
                "{\"state\":\"st-123-secret\",\"keep\":\"kept\"}", Map.of(TestSupport.REQUEST_ID, id,
                        "Authorization", "Bearer bearer-xyz", "x-api-key", "key-1-secret", "X-Custom", "custom-secret",
                        "Content-Type", "application/json"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("DE89370400440532013000"); // the traffic itself is not masked
        Trace t = traceOf(id);
        String json = t.toJson();

        assertThat(json).doesNotContain("s3cr3t-private", "tok-masked", "bearer-xyz", "key-1-secret", "custom-secret",
                "st-123-secret", "abc-code", "DE89370400440532013000", "DE02120300000000202051");
        assertThat(json).contains("kept", "Anna", "visible", "\"query\":\"code=*****&x=1\"");

        Step secrets = step(t, "AM-Secrets");
        // private.* is left out entirely (its write and the condition's read of it); a masked variable shows *****.
        assertThat(secrets.writes()).extracting(Trace.Variable::name).containsExactly("hub.token");
        assertThat(secrets.writes()).contains(new Trace.Variable("hub.token", "*****", false));
        Step nothing = step(t, "AM-Nothing");
        assertThat(nothing.conditionReads()).extracting(Trace.Variable::name).doesNotContain("private.secret");
        // JSON paths inside a variable holding message content.
        assertThat(nothing.conditionReads()).contains(new Trace.Variable("request.content",
                "{\"state\":\"*****\",\"keep\":\"kept\"}", false));
        // … but the snapshots always hide Authorization and x-api-key, and the headers the mask names.
        assertThat(t.request().header("Authorization")).isEqualTo("*****");
        assertThat(t.request().header("x-api-key")).isEqualTo("*****");
        assertThat(t.request().header("X-Custom")).isEqualTo("*****");
        assertThat(t.request().content()).isEqualTo("{\"state\":\"*****\",\"keep\":\"kept\"}");
        assertThat(t.response().content()).isEqualTo(
                "{\"iban\":\"*****\",\"name\":\"Anna\",\"accounts\":[{\"iban\":\"*****\",\"currency\":\"EUR\"}]}");
        assertThat(t.response().header("X-Out")).isEqualTo("visible");
    }

    @Test
    void anUnmaskedVariableHoldingASecretIsShownUntilTheMaskNamesIt() throws Exception {
        // copied.auth holds the Authorization header's value; masking it is edge.json's job (variables).
        String id = TestSupport.newRequestId();
        TestSupport.send(rt, "GET", "/tr?copyauth=1", null, Map.of(TestSupport.REQUEST_ID, id, "Authorization", "Bearer shown-1"));
        assertThat(traceOf(id).toJson()).contains("shown-1");
        try (LocalRuntime masked = LocalRuntime.start(RuntimeOptions.of(new InMemoryEnvironment("test")).withTraces(5)
                .withDebugMask(new DebugMask(List.of(), List.of(), List.of(),
                        List.of("copied.auth", "request.header.authorization"))))) {
            masked.deployProxy(TestSupport.fixture("trace"));
            String id2 = TestSupport.newRequestId();
            TestSupport.send(masked, "GET", "/tr?copyauth=1", null, Map.of(TestSupport.REQUEST_ID, id2, "Authorization", "Bearer hidden-2"));
            Trace t = masked.traces().awaitByRequestHeader(TestSupport.REQUEST_ID, id2, WAIT);
            assertThat(t.toJson()).doesNotContain("hidden-2");
            assertThat(step(t, "AM-CopyAuth").reads()).contains(new Trace.Variable("request.header.Authorization", "*****", false));
            assertThat(step(t, "AM-CopyAuth").writes()).contains(new Trace.Variable("copied.auth", "*****", false));
        }
    }

    @Test
    void theRingBufferKeepsTheLastTracesOnly() throws Exception {
        try (LocalRuntime small = LocalRuntime.start(RuntimeOptions.of(new InMemoryEnvironment("test")).withTraces(3))) {
            small.deploySharedFlow(TestSupport.fixture("sf-params"));
            small.deployProxy(TestSupport.fixture("callout"));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String id = TestSupport.newRequestId();
                ids.add(id);
                TestSupport.get(small, "/callout?v=" + i, id);
                small.traces().awaitByRequestHeader(TestSupport.REQUEST_ID, id, WAIT);
            }
            assertThat(small.traces().recorded()).isEqualTo(5);
            assertThat(small.traces().list()).hasSize(3).extracting(tr -> tr.request().header(TestSupport.REQUEST_ID))
                    .containsExactly(ids.get(4), ids.get(3), ids.get(2));
            assertThat(small.traces().byRequestHeader(TestSupport.REQUEST_ID, ids.get(0))).isEmpty();
            Trace newest = small.traces().list().get(0);
            assertThat(small.traces().get(newest.id())).contains(newest);
            assertThat(Trace.listJson(small.traces().list())).startsWith("[{\"id\":\"" + newest.id() + "\"");
        }
        try (LocalRuntime off = LocalRuntime.start(RuntimeOptions.of(new InMemoryEnvironment("test")))) {
            off.deployProxy(TestSupport.fixture("trace"));
            assertThat(TestSupport.get(off, "/tr").statusCode()).isEqualTo(200);
            assertThat(off.traces().enabled()).isFalse();
            assertThat(off.traces().list()).isEmpty();
        }
    }

    @Test
    void concurrentRequestsEachGetTheirOwnCompleteTrace() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<String>> sent = new ArrayList<>();
            for (int i = 0; i < threads * 4; i++) {
                int n = i;
                sent.add(pool.submit(() -> {
                    String id = TestSupport.newRequestId();
                    String path = n % 2 == 0 ? "/callout?v=c" + n : "/order/a/x?k=o" + n;
                    assertThat(TestSupport.get(rt, path, id).statusCode()).isEqualTo(200);
                    return n + "|" + id;
                }));
            }
            for (Future<String> f : sent) {
                String[] parts = f.get().split("\\|");
                int n = Integer.parseInt(parts[0]);
                Trace t = traceOf(parts[1]);
                if (n % 2 == 0) {
                    assertThat(t.proxy()).isEqualTo("callout");
                    assertThat(t.steps().stream().filter(s -> s.kind().equals(Step.POLICY)).map(Step::name).toList())
                            .containsExactly("FC-Missing", "FC-Shared", "AM-Seen", "RF-Inner", "AM-Report");
                    // Its own parameter value, no other request's.
                    assertThat(step(t, "AM-Seen").reads()).contains(new Trace.Variable("p.one", "c" + n, false));
                    assertThat(t.toJson()).doesNotContainPattern("\"(c|o)(?!" + n + "\")[0-9]+\"");
                } else {
                    assertThat(t.proxy()).isEqualTo("order");
                    assertThat(executed(t)).hasSize(15).endsWith("M-pcf", "R-PostClient");
                    assertThat(t.query()).isEqualTo("k=o" + n);
                    assertThat(t.targetCalls()).singleElement().satisfies(c -> assertThat(c.query()).isEqualTo("k=o" + n));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nodesShareOneRecorder() throws Exception {
        try (LocalRuntime two = LocalRuntime.start(RuntimeOptions.of(new InMemoryEnvironment("test"))
                .withOtherNodes(List.of(new InMemoryEnvironment("test"))).withTraces(10))) {
            two.deployProxy(TestSupport.fixture("trace"));
            String a = TestSupport.newRequestId();
            String b = TestSupport.newRequestId();
            TestSupport.send(two, "GET", "/tr", null, Map.of(TestSupport.REQUEST_ID, a, LocalRuntime.NODE_HEADER, "0"));
            TestSupport.send(two, "GET", "/tr", null, Map.of(TestSupport.REQUEST_ID, b, LocalRuntime.NODE_HEADER, "1"));
            assertThat(two.traces().awaitByRequestHeader(TestSupport.REQUEST_ID, a, WAIT).node()).isZero();
            assertThat(two.traces().awaitByRequestHeader(TestSupport.REQUEST_ID, b, WAIT).node()).isEqualTo(1);
        }
    }

    @Test
    void tracingOverheadIsSmall() throws Exception {
        // A rough figure, printed (not asserted tightly: the machine is shared): the same request with and without
        // tracing.
        try (LocalRuntime on = LocalRuntime.start(RuntimeOptions.of(new InMemoryEnvironment("test")).withTraces(200)
                .withDebugMask(MASK));
                LocalRuntime off = LocalRuntime.start(RuntimeOptions.of(new InMemoryEnvironment("test")))) {
            for (LocalRuntime x : List.of(on, off)) {
                x.deploySharedFlow(TestSupport.fixture("sf-params"));
                x.deployProxy(TestSupport.fixture("callout"));
            }
            int n = Integer.getInteger("trace.overhead.requests", 300);
            long[] ns = new long[2];
            for (int round = 0; round < 3; round++) {
                for (int k = round % 2; k < 2 && k >= 0; k = k == round % 2 ? 1 - k : -1) {
                    LocalRuntime x = k == 0 ? on : off;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        TestSupport.get(x, "/callout?v=" + i);
                    }
                    ns[k] = System.nanoTime() - t0;
                }
            }
            System.out.printf("TraceTest overhead: %d requests, traced %.3f ms/request, untraced %.3f ms/request%n", n,
                    ns[0] / 1e6 / n, ns[1] / 1e6 / n);
            assertThat(on.traces().recorded()).isGreaterThan(0);
        }
    }

    static Step step(Trace t, String name) {
        Optional<Step> s = t.steps().stream().filter(x -> x.kind().equals(Step.POLICY) && x.name().equals(name)).findFirst();
        assertThat(s).as("step " + name + " in " + t.steps().stream().map(Step::name).toList()).isPresent();
        return s.get();
    }
}
