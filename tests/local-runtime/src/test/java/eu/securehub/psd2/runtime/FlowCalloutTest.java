package eu.securehub.psd2.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** §4.9: parameters visible only during the shared flow; faults propagate; missing shared flow. */
class FlowCalloutTest {
    static LocalRuntime rt;

    @BeforeAll
    static void start() {
        rt = LocalRuntime.start(RuntimeOptions.of(new InMemoryEnvironment("test")));
        rt.deploySharedFlow(TestSupport.fixture("sf-params"));
        rt.deployProxy(TestSupport.fixture("callout"));
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    @Test
    void parameterIsScopedToTheSharedFlow() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/callout?v=hello");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Seen")).hasValue("hello");
        assertThat(r.headers().firstValue("X-Name")).hasValue("sf-params");
        assertThat(r.headers().firstValue("X-After")).hasValue("unset");
    }

    @Test
    void faultInSharedFlowPropagates() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/callout?v=fail");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).isEqualTo("inner");
    }

    @Test
    void missingSharedFlowIsSharedFlowNotFound() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/callout?missing=1");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("\"errorcode\":\"flow.SharedFlowNotFound\"");
    }
}
