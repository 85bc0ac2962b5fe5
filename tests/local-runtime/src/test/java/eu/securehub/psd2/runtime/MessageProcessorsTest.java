package eu.securehub.psd2.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several message processors in one runtime: each node runs the same deployed bundles with its own view of the
 * environment; requests go to the nodes in turn, or to the one the local-only header names.
 * Here each node's environment sends TargetServer "backend" to a backend of its own, which shows the node.
 */
class MessageProcessorsTest {
    static TestSupport.Backend first;
    static TestSupport.Backend second;
    static LocalRuntime rt;

    @BeforeAll
    static void start() throws Exception {
        first = new TestSupport.Backend();
        second = new TestSupport.Backend();
        InMemoryEnvironment node0 = new InMemoryEnvironment("test").targetServer("backend", "127.0.0.1", first.port(), null);
        InMemoryEnvironment node1 = new InMemoryEnvironment("test").targetServer("backend", "127.0.0.1", second.port(), null);
        rt = LocalRuntime.start(RuntimeOptions.of(node0).withOtherNodes(List.of(node1)).withFactory(
                new TestSupport.RecordFactory()));
        rt.deployProxy(TestSupport.fixture("faults"));
    }

    @AfterAll
    static void stop() {
        rt.close();
        first.close();
        second.close();
    }

    private static HttpResponse<String> echo(String id, Map<String, String> headers) throws Exception {
        Map<String, String> h = new java.util.HashMap<>(headers);
        h.put(TestSupport.REQUEST_ID, id);
        return TestSupport.send(rt, "GET", "/faults?path=echo", null, h);
    }

    @Test
    void aPinnedRequestRunsOnThatNode() throws Exception {
        assertThat(rt.nodeCount()).isEqualTo(2);
        for (int node = 0; node < 2; node++) {
            String id = TestSupport.newRequestId();
            HttpResponse<String> r = echo(id, Map.of(LocalRuntime.NODE_HEADER, Integer.toString(node)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat((node == 0 ? first : second).requests.of(id)).as("node %d's backend", node).hasSize(1);
            assertThat((node == 0 ? second : first).requests.of(id)).isEmpty();
        }
    }

    @Test
    void unpinnedRequestsGoToTheNodesInTurn() throws Exception {
        int onFirst = 0;
        int onSecond = 0;
        for (int i = 0; i < 6; i++) {
            String id = TestSupport.newRequestId();
            assertThat(echo(id, Map.of()).statusCode()).isEqualTo(200);
            onFirst += first.requests.of(id).size();
            onSecond += second.requests.of(id).size();
        }
        assertThat(onFirst).isEqualTo(3);
        assertThat(onSecond).isEqualTo(3);
    }
}
