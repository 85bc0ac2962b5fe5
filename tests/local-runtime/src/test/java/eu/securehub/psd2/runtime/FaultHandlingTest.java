package eu.securehub.psd2.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** §1.5: FaultRules order, DefaultFaultRule/AlwaysEnforce, RaiseFault in a FaultRule, target faults, defaults, timeouts. */
class FaultHandlingTest {
    static TestSupport.Backend backend;
    static LocalRuntime rt;
    static TestSupport.RecordFactory records = new TestSupport.RecordFactory();

    @BeforeAll
    static void start() throws Exception {
        backend = new TestSupport.Backend();
        InMemoryEnvironment env = new InMemoryEnvironment("test").targetServer("backend", "127.0.0.1", backend.port(), null);
        rt = LocalRuntime.start(RuntimeOptions.of(env).withFactory(records));
        rt.deployProxy(TestSupport.fixture("faults"));
    }

    @AfterAll
    static void stop() {
        rt.close();
        backend.close();
    }

    @Test
    void proxyFaultRulesBottomUpThenAlwaysEnforcedDefault() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/faults?fail=proxy");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("raised proxy");
        assertThat(r.headers().firstValue("X-From-RF")).hasValue("yes");
        assertThat(r.headers().firstValue("X-Trace")).hasValue("bottom,pdfr,");
    }

    @Test
    void raiseFaultInFaultRuleSkipsDefaultFaultRule() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/faults?fail=proxy&rfrule=1");
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.headers().firstValue("X-Trace")).hasValue("bottom,");
    }

    @Test
    void targetFaultRunsTargetRulesTopDownThenProxyDefaultOnly() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/faults?fail=target&path=echo");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("raised target");
        // t1 (top-down), no target DefaultFaultRule (a rule ran, no AlwaysEnforce), no proxy FaultRule, proxy DFR.
        assertThat(r.headers().firstValue("X-Trace")).hasValue("t1,pdfr,");
    }

    @Test
    void backendErrorStatusIsErrorResponseCodeWithTheBackendsBody() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/faults?path=status/500");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("{\"backend\":500}");
        assertThat(r.headers().firstValue("X-Trace")).hasValue("t3,pdfr,");
    }

    @Test
    void continueOnErrorSetsFailedVariableAndGoesOn() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/faults?path=echo");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Failed")).hasValue("true");
        assertThat(r.headers().firstValue("X-Fault")).hasValue("UnresolvedVariable");
        // enabled="false" RaiseFault (status 499) never ran.
    }

    @Test
    void unhandledFaultGivesApigeeDefaultBodyAndPostClientFlowStillRuns() throws Exception {
        String requestId = TestSupport.newRequestId();
        HttpResponse<String> r = TestSupport.get(rt, "/faults?fail=unhandled", requestId);
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"fault\":{\"faultstring\":\"Unresolved variable : no.such.variable\","
                + "\"detail\":{\"errorcode\":\"steps.assignmessage.UnresolvedVariable\"}}}");
        // The PostClientFlow runs after the response (asynchronously): wait for this request's own record.
        assertThat(records.records.await(requestId)).startsWith("null|UnresolvedVariable|500|");
        assertThat(records.records.of(requestId)).as("one PostClientFlow run").hasSize(1);
    }

    @Test
    void ioTimeoutIs504() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/faults?path=slow&fail=none");
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.headers().firstValue("X-Trace")).hasValue("tdfr,pdfr,");
        assertThat(r.body()).contains("messaging.adaptors.http.flow.GatewayTimeout");
    }

    @Test
    void unreachableTargetIs503() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        InMemoryEnvironment env = new InMemoryEnvironment("test").targetServer("backend", "127.0.0.1", closed, null);
        try (LocalRuntime other = LocalRuntime.start(RuntimeOptions.of(env).withFactory(new TestSupport.RecordFactory()))) {
            other.deployProxy(TestSupport.fixture("faults"));
            HttpResponse<String> r = TestSupport.get(other, "/faults?path=echo");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("messaging.adaptors.http.flow.ServiceUnavailable");
        }
    }
}
