package eu.securehub.psd2.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §4.7: own class loader over resources/java, Map constructor, MessageContext, ABORT/exception → 500. */
class JavaCalloutTest {
    @TempDir
    static Path dir;
    static LocalRuntime rt;

    @BeforeAll
    static void start() throws Exception {
        Path copy = TestSupport.copyFixture("java", dir.resolve("java"));
        TestSupport.writeCalloutJar(copy.resolve("apiproxy/resources/java/test-callout.jar"));
        rt = LocalRuntime.start(RuntimeOptions.of(new InMemoryEnvironment("test")));
        rt.deployProxy(copy);
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    @Test
    void calloutReadsAndSetsVariablesFromItsOwnClassLoader() throws Exception {
        HttpResponse<String> r = TestSupport.send(rt, "GET", "/java", null, Map.of("X-Name", "Ada"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Greeting")).hasValue("hello Ada");
        assertThat(r.headers().firstValue("X-Loader").orElseThrow()).startsWith("bundle:");
        // Property values are passed literally (no template resolution by the runtime).
        assertThat(r.headers().firstValue("X-Template")).hasValue("{not.resolved}");
    }

    @Test
    void abortIsExecutionReturnedFailure() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/java?fail=abort");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("{\"fault\":{\"faultstring\":\"Execution returned an error result\","
                + "\"detail\":{\"errorcode\":\"flow.execution.ExecutionReturnedFailure\"}}}");
    }

    @Test
    void exceptionIsExecutionReturnedFailure() throws Exception {
        HttpResponse<String> r = TestSupport.get(rt, "/java?fail=throw");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("flow.execution.ExecutionReturnedFailure");
    }
}
