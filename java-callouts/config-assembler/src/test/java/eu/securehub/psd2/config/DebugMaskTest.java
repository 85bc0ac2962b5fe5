package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Main debugmask} against a real HTTP server on 127.0.0.1 standing in for the management API: the request
 * Apigee X's organizations.environments.updateDebugmask expects, and the failures.
 */
class DebugMaskTest {
    private static final String TOKEN = "ya29.test-Token_0123456789";
    private static final String MASK = "{\"allEnvConfig\":{\"debugMasks\":[{\"namespaces\":{\"x\":\"urn:x\"},"
            + "\"requestJSONPaths\":[\"$.iban\",\"$.state\"],\"responseXPaths\":[\"/x:a/x:b\"],"
            + "\"variables\":[\"request.content\",\"response.content\"]}]},";

    @TempDir
    Path temp;

    private HttpServer server;
    private final List<Map<String, Object>> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> answer = new AtomicReference<>("{}");
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(Map.of(
                    "method", exchange.getRequestMethod(),
                    "path", exchange.getRequestURI().getRawPath(),
                    "query", String.valueOf(exchange.getRequestURI().getRawQuery()),
                    "authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
                    "contentType", String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")),
                    "body", new String(body, StandardCharsets.UTF_8)));
            byte[] reply = answer.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), reply.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(reply);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String host() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void run(Fixture f, String hostUrl, String bearer) {
        Main.run(new String[] {"debugmask", "--config-dir", f.config.toString(), "--hosturl", hostUrl,
                "--apiversion", "v1", "--org", "my-org", "--apigee-env", "eval", "--bearer", bearer},
                new Placeholders(name -> null), new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    private Fixture withMask() {
        Fixture f = Fixture.copy(temp);
        f.edit("edge.json", t -> t.replaceFirst("\\{", java.util.regex.Matcher.quoteReplacement("{" + MASK.substring(1))));
        return f;
    }

    @Test
    void patchesTheEnvironmentsDebugMaskWithEdgeJsonsMask() {
        Fixture f = withMask();

        run(f, host() + "/", TOKEN);

        assertThat(requests).hasSize(1);
        Map<String, Object> r = requests.get(0);
        assertThat(r.get("method")).isEqualTo("PATCH");
        assertThat(r.get("path")).isEqualTo("/v1/organizations/my-org/environments/eval/debugmask");
        // Lists replace the environment's instead of being appended to them (updateDebugmask's default).
        assertThat(r.get("query")).isEqualTo("replaceRepeatedFields=true");
        assertThat(r.get("authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(r.get("contentType")).isEqualTo("application/json");
        assertThat(ConfigTree.parseJson((String) r.get("body"), "body")).isEqualTo(Map.of(
                "namespaces", Map.of("x", "urn:x"),
                "requestJSONPaths", List.of("$.iban", "$.state"),
                "responseXPaths", List.of("/x:a/x:b"),
                "variables", List.of("request.content", "response.content")));
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("[config-assembler] debug mask of environment eval set from edge.json allEnvConfig.debugMasks"
                        + " (1 responseXPaths, 2 requestJSONPaths, 2 variables, 1 namespaces; replaceRepeatedFields=true)")
                .doesNotContain(TOKEN);
    }

    @Test
    void theProjectsOwnMaskIsSentAsEdgeJsonHasIt() {
        ProjectConfig project = ProjectConfig.copy(temp);
        Object edge = ConfigTree.readJson(project.config.resolve("edge.json"));
        Object mask = ((List<?>) ConfigTree.asMap(ConfigTree.asMap(edge).get("allEnvConfig")).get("debugMasks")).get(0);

        Main.run(new String[] {"debugmask", "--config-dir", project.config.toString(), "--hosturl", host(),
                "--apiversion", "v1", "--org", "my-org", "--apigee-env", "prod", "--bearer", TOKEN},
                new Placeholders(name -> null), new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).get("path")).isEqualTo("/v1/organizations/my-org/environments/prod/debugmask");
        assertThat(ConfigTree.parseJson((String) requests.get(0).get("body"), "body")).isEqualTo(mask);
    }

    @Test
    void aRefusalFailsWithTheApisMessageAndNeverTheToken() {
        Fixture f = withMask();
        status.set(403);
        answer.set("{\"error\":{\"code\":403,\"message\":\"Permission 'apigee.maskconfigs.update' denied (token "
                + TOKEN + ")\",\"status\":\"PERMISSION_DENIED\"}}");

        assertThatThrownBy(() -> run(f, host(), TOKEN))
                .isInstanceOf(ConfigException.class)
                .hasMessage("The debug mask of environment eval was not set: PATCH " + host()
                        + "/v1/organizations/my-org/environments/eval/debugmask?replaceRepeatedFields=true answered 403:"
                        + " PERMISSION_DENIED: Permission 'apigee.maskconfigs.update' denied (token [token])");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain(TOKEN);
    }

    @Test
    void anAnswerThatIsNotGooglesErrorJsonIsShownAsText() {
        Fixture f = withMask();
        status.set(502);
        answer.set("upstream connect error");

        assertThatThrownBy(() -> run(f, host(), TOKEN))
                .hasMessageEndingWith("answered 502: upstream connect error");
    }

    @Test
    void anUnreachableApiFailsTheStep() throws IOException {
        Fixture f = withMask();
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }

        assertThatThrownBy(() -> run(f, "http://127.0.0.1:" + closed, TOKEN))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("The debug mask of environment eval was not set: PATCH http://127.0.0.1:" + closed
                        + "/v1/organizations/my-org/environments/eval/debugmask?replaceRepeatedFields=true failed: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
    }

    @Test
    void withoutAMaskInEdgeJsonNothingIsSent() {
        Fixture f = Fixture.copy(temp);

        run(f, host(), TOKEN);

        assertThat(requests).isEmpty();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("NOTE: edge.json has no allEnvConfig.debugMasks");
    }

    @Test
    void badSettingsAreRefusedBeforeAnyCallAndTheTokenIsNotShown() {
        Fixture f = withMask();

        assertThatThrownBy(() -> run(f, host(), "${apigee.bearer}"))
                .hasMessage("Cannot set the debug mask of environment eval: it needs an access token:"
                        + " -Dbearer=$(gcloud auth print-access-token)");
        assertThatThrownBy(() -> run(f, host(), "abc\"def"))
                .hasMessageContaining("is not a bearer token").satisfies(e -> assertThat(e.getMessage()).doesNotContain("abc"));
        assertThatThrownBy(() -> run(f, "http://apigee.example", TOKEN))
                .hasMessageContaining("--hosturl http://apigee.example must be an https URL (http only to this machine");
        assertThatThrownBy(() -> Main.run(new String[] {"debugmask", "--config-dir", f.config.toString(), "--hosturl",
                host(), "--apiversion", "v1", "--org", "My_Org", "--apigee-env", "eval/../x", "--bearer", TOKEN},
                new Placeholders(n -> null), new PrintStream(out, true, StandardCharsets.UTF_8)))
                .hasMessageContaining("--org My_Org is not an Apigee organization name")
                .hasMessageContaining("--apigee-env eval/../x is not an Apigee environment name");
        assertThat(requests).isEmpty();
    }
}
