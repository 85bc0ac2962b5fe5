package eu.securehub.psd2.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** §1.3 order, first-match Flows, RouteRules and the null route, PostClientFlow, base-path routing. */
class FlowOrderTest {
    static TestSupport.Backend backend;
    static LocalRuntime rt;
    static TestSupport.RecordFactory records = new TestSupport.RecordFactory();

    @BeforeAll
    static void start() throws Exception {
        backend = new TestSupport.Backend();
        InMemoryEnvironment env = new InMemoryEnvironment("test").targetServer("backend", "127.0.0.1", backend.port(), null);
        rt = LocalRuntime.start(RuntimeOptions.of(env).withFactory(records));
        rt.deployProxy(TestSupport.fixture("order"));
    }

    @AfterAll
    static void stop() {
        rt.close();
        backend.close();
    }

    @Test
    void fullOrderWithFirstMatchingFlowAndPathSuffixCopied() throws Exception {
        String requestId = TestSupport.newRequestId();
        HttpResponse<String> r = TestSupport.get(rt, "/order/a/x?k=v", requestId);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Trace")).hasValue(
                "ppre,pflowA,ppost,tpre,tflow,tpost,tpre_r,tflow_r,tpost_r,ppre_r,pflowA_r,ppost_r,");
        assertThat(backend.requests.of(requestId)).containsExactly("GET /echo/a/x?k=v");
        assertThat(r.body()).contains("\"path\":\"/echo/a/x\"");
        // PostClientFlow runs after the response was written (asynchronously: wait for this request's own record),
        // with client.sent.start.timestamp set.
        String rec = records.records.await(requestId);
        assertThat(rec).startsWith("ppre,pflowA,ppost,tpre,tflow,tpost,tpre_r,tflow_r,tpost_r,ppre_r,pflowA_r,ppost_r,pcf,|null|200|");
        assertThat(rec).doesNotEndWith("|-1");
    }

    @Test
    void elseFlowAndConditionalTargetFlow() throws Exception {
        HttpResponse<String> r = TestSupport.send(rt, "POST", "/order/b", "x", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Trace")).hasValue("ppre,pflowElse,ppost,tpre,tpost,tpre_r,tpost_r,ppre_r,ppost_r,");
    }

    @Test
    void nullRouteSkipsTargetAndAnswersEmpty200() throws Exception {
        String requestId = TestSupport.newRequestId();
        HttpResponse<String> r = TestSupport.get(rt, "/order/b?route=null", requestId);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("X-Trace")).hasValue("ppre,pflowElse,ppost,ppre_r,ppost_r,");
        // The PostClientFlow ran (after the response), so the request is over: the backend never saw it.
        assertThat(records.records.await(requestId)).startsWith("ppre,pflowElse,ppost,ppre_r,ppost_r,pcf,|null|200|");
        assertThat(backend.requests.of(requestId)).isEmpty();
    }

    @Test
    void routeRulesFirstMatchWins() throws Exception {
        String requestId = TestSupport.newRequestId();
        HttpResponse<String> r = TestSupport.get(rt, "/order?route=other", requestId);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(backend.requests.of(requestId)).containsExactly("GET /other?route=other");
        assertThat(r.headers().firstValue("X-Trace")).hasValue("ppre,pflowElse,ppost,tpre,ppre_r,ppost_r,");
    }

    @Test
    void unknownBasePathIs404() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/nothing/here");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("\"errorcode\":\"messaging.adaptors.http.flow.ApplicationNotFound\"");
        assertThat(TestSupport.get(rt, "/orderx").statusCode()).isEqualTo(404);
    }

    @Test
    void concurrentRequestsKeepTheirOwnVariables() throws Exception {
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(TestSupport.CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(rt.baseUrl() + "/order/a/" + i)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = all.get(i).get(20, TimeUnit.SECONDS);
            assertThat(r.body()).contains("/echo/a/" + i + "\"");
            assertThat(r.headers().firstValue("X-Trace").orElseThrow()).startsWith("ppre,pflowA,");
        }
    }
}
