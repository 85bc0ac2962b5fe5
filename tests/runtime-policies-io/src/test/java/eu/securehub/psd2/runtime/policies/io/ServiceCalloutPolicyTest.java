package eu.securehub.psd2.runtime.policies.io;

import static eu.securehub.psd2.runtime.policies.io.Faults.fault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Message;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.testpki.TestPki;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServiceCalloutPolicyTest {
    TestEnvironment env = new TestEnvironment();
    TlsServer server;
    final Map<String, String> seen = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        server = TlsServer.http(x -> {
            seen.put("method", x.getRequestMethod());
            seen.put("uri", x.getRequestURI().toString());
            seen.put("auth", String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
            seen.put("body", new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String path = x.getRequestURI().getPath();
            if (path.startsWith("/slow")) {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = path.startsWith("/status/") ? Integer.parseInt(path.substring(8)) : 200;
            TlsServer.respond(x, status, "application/json", "{\"status\":" + status + "}");
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Policy policy(String body) {
        return new ServiceCalloutFactory().create(TestXml.parse("<ServiceCallout name=\"SC-1\" continueOnError=\"true\">"
                + body + "</ServiceCallout>"), null);
    }

    static final String STANDARD = """
            <Request variable="calloutRequest" clearPayload="false"/>
            <Response>calloutResponse</Response>
            <Timeout>1000</Timeout>
            <HTTPTargetConnection>
              <URL>{base}/{where}</URL>
              <Properties>
                <Property name="success.codes">2xx</Property>
              </Properties>
            </HTTPTargetConnection>""";

    TestContext ctx(String where) {
        TestContext c = new TestContext(env).with("base", server.url("http", "")).with("where", where);
        Message req = c.newMessage("calloutRequest", true);
        req.verb("POST");
        req.headers().set("Content-Type", "application/json");
        req.content("{\"a\":1}");
        return c;
    }

    @Test
    void aSuccessfulCallPopulatesTheResponseVariable() {
        TestContext c = ctx("ok/path");
        policy(STANDARD).execute(c);
        assertThat(seen).containsEntry("method", "POST").containsEntry("uri", "/ok/path").containsEntry("body", "{\"a\":1}");
        Message r = c.message("calloutResponse");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentAsString()).isEqualTo("{\"status\":200}");
        assertThat(r.headers().first("content-type")).isEqualTo("application/json");
        assertThat(c.vars).containsEntry("servicecallout.SC-1.failed", false);
    }

    @Test
    void aStatusOutsideSuccessCodesIsExecutionFailedWithTheResponseStillPopulated() {
        TestContext c = ctx("status/404");
        PolicyFault f = fault(policy(STANDARD), c, "steps.servicecallout.ExecutionFailed", 500);
        assertThat(f.faultName()).isEqualTo("ExecutionFailed");
        assertThat(f.faultString()).contains("ResponseCode 404 is treated as error");
        assertThat(c.message("calloutResponse").status()).isEqualTo(404);
        assertThat(c.get("calloutResponse.content")).isEqualTo("{\"status\":404}");
        assertThat(c.vars).containsEntry("servicecallout.SC-1.failed", true);
        // The default success codes (1xx, 2xx, 3xx) apply without the property: 302 passes, 500 fails.
        Policy defaults = policy(STANDARD.replace("<Property name=\"success.codes\">2xx</Property>", ""));
        defaults.execute(ctx("status/302"));
        fault(defaults, ctx("status/500"), "steps.servicecallout.ExecutionFailed", 500);
        // Exact codes.
        policy(STANDARD.replace(">2xx<", ">2xx,404<")).execute(ctx("status/404"));
    }

    @Test
    void connectionFailureAndTimeoutAreExecutionFailed() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        TestContext c = ctx("x").with("base", "http://127.0.0.1:" + closed);
        fault(policy(STANDARD), c, "steps.servicecallout.ExecutionFailed", 500);
        assertThat(c.vars).containsEntry("servicecallout.SC-1.failed", true);
        TestContext slow = ctx("slow");
        PolicyFault f = fault(policy(STANDARD), slow, "steps.servicecallout.ExecutionFailed", 500);
        assertThat(f.faultString()).contains("timeout");
        ServiceCalloutPolicy p = (ServiceCalloutPolicy) policy(STANDARD.replace("<Timeout>1000<", "<Timeout>200<"));
        assertThat(p.ioTimeout().toMillis()).isEqualTo(200);
        ServiceCalloutPolicy dflt = (ServiceCalloutPolicy) policy(STANDARD.replace("<Timeout>1000</Timeout>", ""));
        assertThat(dflt.ioTimeout().toMillis()).as("the I/O default").isEqualTo(55000);
    }

    @Test
    void endpointTimeoutPropertiesAreRefusedInAServiceCallout() {
        // The X ServiceCallout reference documents <Timeout>; io/connect.timeout.millis are TargetEndpoint properties.
        for (String property : List.of("io.timeout.millis", "connect.timeout.millis")) {
            String xml = STANDARD.replace("<Property name=\"success.codes\">2xx</Property>",
                    "<Property name=\"" + property + "\">1000</Property>");
            assertThatThrownBy(() -> policy(xml)).hasMessageContaining(property).hasMessageContaining("<Timeout>");
        }
    }

    @Test
    void googleAccessTokenAuthenticationAddsABearerToken() {
        Policy p = policy(STANDARD.replace("<Properties>", """
                <Authentication><GoogleAccessToken><Scopes>
                  <Scope>https://www.googleapis.com/auth/cloudkms</Scope>
                </Scopes></GoogleAccessToken></Authentication><Properties>"""));
        p.execute(ctx("kms"));
        assertThat(seen).containsEntry("auth", "Bearer ya29.local-token");
        assertThat(env.tokenRequests).containsExactly(List.of("https://www.googleapis.com/auth/cloudkms"));
    }

    @Test
    void requestVariablesMustBeRequestMessages() {
        TestContext c = ctx("x").with("calloutRequest2", "a string");
        fault(policy(STANDARD.replace("calloutRequest", "calloutRequest2")), c,
                "steps.servicecallout.RequestVariableNotMessageType", 500);
        TestContext c2 = ctx("x");
        c2.newMessage("aResponse", false);
        fault(policy(STANDARD.replace("calloutRequest", "aResponse")), c2,
                "steps.servicecallout.RequestVariableNotRequestMessageType", 500);
    }

    @Test
    void theTargetUrlVariableOverridesTheUrlAndAnUnresolvedUrlFails() {
        TestContext c = ctx("ignored").with("servicecallout.SC-1.target.url", server.url("http", "/override"));
        policy(STANDARD).execute(c);
        assertThat(seen).containsEntry("uri", "/override");
        TestContext unresolved = ctx("x");
        unresolved.vars.remove("base");
        fault(policy(STANDARD), unresolved, "steps.servicecallout.ExecutionFailed", 500);
    }

    @Test
    void sslInfoIsPassedToTheEnvironmentsHttpClient() throws Exception {
        TestPki pki = TestPki.create(List.of("alpha"));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.bankCa("alpha"));
        env.keyStore("bank-trust", trust, new char[0]);
        try (TlsServer tls = TlsServer.https(pki.bankServer("alpha"), x -> TlsServer.respond(x, 200, "application/json", "{}"))) {
            Policy p = policy(STANDARD.replace("<Properties>", """
                    <SSLInfo><Enabled>true</Enabled><Enforce>true</Enforce><TrustStore>ref://bank-trust</TrustStore>
                      <Protocols><Protocol>TLSv1.2</Protocol><Protocol>TLSv1.3</Protocol></Protocols></SSLInfo><Properties>"""));
            TestContext c = ctx("x").with("base", tls.url("https", ""));
            p.execute(c);
            assertThat(c.message("calloutResponse").status()).isEqualTo(200);
            assertThat(env.sentSsl).last().satisfies(s -> {
                assertThat(s.enforce()).isTrue();
                assertThat(s.trustStore()).isEqualTo("ref://bank-trust");
                assertThat(s.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
            });
            // Without the bank's CA the handshake fails: ExecutionFailed.
            Policy untrusted = policy(STANDARD);
            fault(untrusted, ctx("x").with("base", tls.url("https", "")), "steps.servicecallout.ExecutionFailed", 500);
        }
    }

    @Test
    void requestOperationsUseTheRuntimesMessageOps() {
        Policy p;
        try {
            p = policy("""
                    <Request variable="built"><IgnoreUnresolvedVariables>false</IgnoreUnresolvedVariables>
                      <Set><Verb>PUT</Verb><Payload contentType="application/json">{"v":"{value}"}</Payload></Set>
                    </Request><Response>out</Response>
                    <HTTPTargetConnection><URL>{base}/built</URL></HTTPTargetConnection>""");
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("the runtime's MessageOps is not implemented yet: " + e.getMessage());
            return;
        }
        TestContext c = new TestContext(env).with("base", server.url("http", "")).with("value", "x1");
        p.execute(c);
        assertThat(seen).containsEntry("method", "PUT").containsEntry("body", "{\"v\":\"x1\"}");
    }

    @Test
    void withoutResponseTheCallIsFireAndForget() {
        Policy p = policy(STANDARD.replace("<Response>calloutResponse</Response>", ""));
        TestContext c = ctx("status/500");
        p.execute(c);
        assertThat(seen).containsEntry("uri", "/status/500");
        assertThat(c.message("calloutResponse")).isNull();
    }

    @Test
    void configurationIsStrict() {
        assertThatThrownBy(() -> policy("<Response>r</Response>")).isInstanceOf(ConfigError.class)
                .hasMessageContaining("HTTPTargetConnection");
        assertThatThrownBy(() -> policy("<HTTPTargetConnection/>")).isInstanceOf(ConfigError.class)
                .hasMessageContaining("URL");
        assertThatThrownBy(() -> policy(STANDARD.replace("name=\"success.codes\">2xx", "name=\"keepalive.timeout.millis\">60000")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("keepalive");
        assertThatThrownBy(() -> policy(STANDARD.replace(">2xx<", ">ok<"))).isInstanceOf(ConfigError.class);
        assertThatThrownBy(() -> policy(STANDARD.replace("<Timeout>1000<", "<Timeout>soon<")))
                .isInstanceOf(ConfigError.class);
        assertThatThrownBy(() -> policy(STANDARD.replace("<URL>{base}/{where}</URL>", "<URL>{noSuchFunction(base)}/x</URL>")))
                .isInstanceOf(ConfigError.class);
        assertThatThrownBy(() -> policy(STANDARD.replace("clearPayload=\"false\"", "clearPayload=\"maybe\"")))
                .isInstanceOf(ConfigError.class);
        assertThatThrownBy(() -> policy(STANDARD.replace("<Properties>",
                "<Authentication><GoogleIDToken><Audience>x</Audience></GoogleIDToken></Authentication><Properties>")))
                .isInstanceOf(ConfigError.class);
        assertThatThrownBy(() -> policy(STANDARD.replace("<Properties>", "<LoadBalancer/><Properties>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("LoadBalancer");
    }
}
