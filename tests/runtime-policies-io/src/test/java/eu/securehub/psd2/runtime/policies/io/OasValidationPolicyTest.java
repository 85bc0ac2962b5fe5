package eu.securehub.psd2.runtime.policies.io;

import static eu.securehub.psd2.runtime.policies.io.Faults.fault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OasValidationPolicyTest {
    static final String SPEC = """
            openapi: 3.0.3
            info: {title: t, version: "1"}
            servers: [{url: "https://example.test/base/v1"}]
            paths:
              /items/{id}:
                parameters:
                  - {name: id, in: path, required: true, schema: {type: string, pattern: "^[a-z]{1,8}$"}}
                post:
                  parameters:
                    - {name: X-Trace, in: header, required: true, schema: {type: string, format: uuid, pattern: "^[0-9a-f-]{36}$"}}
                    - {name: mode, in: query, required: false, schema: {type: string, enum: [fast, slow]}}
                    - {name: session, in: cookie, required: false, schema: {type: string}}
                  requestBody:
                    required: true
                    content:
                      application/json:
                        schema:
                          type: object
                          additionalProperties: false
                          required: [n]
                          properties: {n: {type: integer, maximum: 4}}
                  responses:
                    "201":
                      description: ok
                      content:
                        application/json:
                          schema: {type: object, required: [id], properties: {id: {type: string}}}
            """;
    static final String TRACE = "0b7f2f0e-4c1a-4a8e-9d7e-2b1c3d4e5f60";

    @TempDir
    Path dir;
    TestBundle bundle;
    TestEnvironment env = new TestEnvironment();

    @BeforeEach
    void writeSpec() throws IOException {
        Files.createDirectories(dir.resolve("resources/oas"));
        Files.writeString(dir.resolve("resources/oas/spec.yaml"), SPEC);
        bundle = new TestBundle("p", dir, false);
    }

    Policy policy(String options) {
        return new OasValidationFactory().create(TestXml.parse("""
                <OASValidation name="OAS-1">
                  <OASResource>oas://spec.yaml</OASResource>
                  <Source>request</Source>
                  %s
                </OASValidation>""".formatted(options)), bundle);
    }

    static final String STRICT = """
            <Options><ValidateMessageBody>true</ValidateMessageBody>
              <AllowUnspecifiedParameters><Header>true</Header><Query>false</Query><Cookie>true</Cookie></AllowUnspecifiedParameters>
            </Options>""";

    TestContext ctx(TestMessage request, String suffix) {
        return new TestContext(env, bundle, request).with("proxy.pathsuffix", suffix);
    }

    TestMessage post(String body) {
        return TestMessage.request("POST", "/base/v1/items/abc", "").header("X-Trace", TRACE).body("application/json", body);
    }

    @Test
    void aValidRequestPassesWithThePathMatchedOnTheProxyPathSuffix() {
        Policy p = policy(STRICT);
        TestContext c = ctx(post("{\"n\": 3}"), "/items/abc");
        assertThatCode(() -> p.execute(c)).doesNotThrowAnyException();
        assertThat(c.get("OASValidation.OAS-1.failed")).isNull();
    }

    @Test
    void theSpecsServersAreIgnored() {
        // With the servers' base path in the suffix the path is unknown: only proxy.pathsuffix counts.
        TestContext c = ctx(post("{\"n\": 3}"), "/base/v1/items/abc");
        PolicyFault f = fault(policy(STRICT), c, "steps.oasvalidation.Failed", 400);
        assertThat(f.faultName()).isEqualTo("Failed");
        assertThat((String) c.get("OASValidation.OAS-1.fault.cause")).contains("No API path found that matches request '/base/v1/items/abc'");
    }

    @Test
    void anInvalidBodySetsTheFaultVariables() {
        TestContext c = ctx(post("{\"n\": 9}"), "/items/abc");
        PolicyFault f = fault(policy(STRICT), c, "steps.oasvalidation.Failed", 400);
        assertThat(c.get("OASValidation.OAS-1.failed")).isEqualTo(true);
        assertThat((String) c.get("OASValidation.OAS-1.fault.cause")).startsWith("[ERROR - ").contains("maximum");
        assertThat(f.faultString()).contains("OASValidation OAS-1 with resource \"oas://spec.yaml\": failed with reason:");
    }

    @Test
    void unknownPathAndWrongVerbAre400Too() {
        fault(policy(STRICT), ctx(post("{\"n\": 1}"), "/nothing"), "steps.oasvalidation.Failed", 400);
        TestMessage put = TestMessage.request("PUT", "/base/v1/items/abc", "").header("X-Trace", TRACE);
        TestContext c = ctx(put, "/items/abc");
        fault(policy(STRICT), c, "steps.oasvalidation.Failed", 400);
        assertThat((String) c.get("OASValidation.OAS-1.fault.cause")).contains("PUT operation not allowed on path '/items/abc'");
    }

    @Test
    void parametersAreChecked() {
        TestMessage noHeader = TestMessage.request("POST", "/x", "").body("application/json", "{\"n\": 1}");
        fault(policy(STRICT), ctx(noHeader, "/items/abc"), "steps.oasvalidation.Failed", 400);
        fault(policy(STRICT), ctx(post("{\"n\": 1}"), "/items/ABC"), "steps.oasvalidation.Failed", 400);
        TestMessage badQuery = post("{\"n\": 1}");
        badQuery.queryString("mode=medium");
        fault(policy(STRICT), ctx(badQuery, "/items/abc"), "steps.oasvalidation.Failed", 400);
    }

    @Test
    void unspecifiedQueryParametersFollowTheOption() {
        TestMessage extra = post("{\"n\": 1}");
        extra.queryString("mode=fast&typo=1");
        TestContext c = ctx(extra, "/items/abc");
        fault(policy(STRICT), c, "steps.oasvalidation.Failed", 400);
        assertThat((String) c.get("OASValidation.OAS-1.fault.cause")).contains("Query parameter 'typo' is unexpected");
        Policy lenient = policy("<Options><ValidateMessageBody>true</ValidateMessageBody><AllowUnspecifiedParameters>"
                + "<Query>true</Query></AllowUnspecifiedParameters></Options>");
        assertThatCode(() -> lenient.execute(ctx(extra, "/items/abc"))).doesNotThrowAnyException();
    }

    @Test
    void unspecifiedHeadersAndCookiesFollowTheOption() {
        TestMessage m = post("{\"n\": 1}").header("X-Other", "1").header("Cookie", "session=a; tracker=b");
        assertThatCode(() -> policy(STRICT).execute(ctx(m, "/items/abc"))).doesNotThrowAnyException();
        Policy noHeaders = policy("<Options><AllowUnspecifiedParameters><Header>false</Header></AllowUnspecifiedParameters></Options>");
        TestContext c = ctx(m, "/items/abc");
        fault(noHeaders, c, "steps.oasvalidation.Failed", 400);
        assertThat((String) c.get("OASValidation.OAS-1.fault.cause")).contains("X-Other").doesNotContain("X-Trace");
        Policy noCookies = policy("<Options><AllowUnspecifiedParameters><Cookie>false</Cookie></AllowUnspecifiedParameters></Options>");
        TestContext c2 = ctx(m, "/items/abc");
        fault(noCookies, c2, "steps.oasvalidation.Failed", 400);
        assertThat((String) c2.get("OASValidation.OAS-1.fault.cause")).contains("tracker").doesNotContain("'session'");
    }

    @Test
    void onlyApplicationJsonBodiesAreSchemaChecked() {
        TestMessage text = TestMessage.request("POST", "/x", "").header("X-Trace", TRACE).body("text/plain", "{\"n\": 99, \"x\": 1}");
        assertThatCode(() -> policy(STRICT).execute(ctx(text, "/items/abc"))).doesNotThrowAnyException();
        // A charset parameter does not change the media type (choice on an UNCONFIRMED point).
        TestMessage charset = TestMessage.request("POST", "/x", "").header("X-Trace", TRACE)
                .body("application/json; charset=utf-8", "{\"n\": 99}");
        fault(policy(STRICT), ctx(charset, "/items/abc"), "steps.oasvalidation.Failed", 400);
        // A required body must exist whatever the content type.
        TestMessage none = TestMessage.request("POST", "/x", "").header("X-Trace", TRACE);
        fault(policy(STRICT), ctx(none, "/items/abc"), "steps.oasvalidation.Failed", 400);
    }

    @Test
    void withoutValidateMessageBodyTheSchemaIsNotChecked() {
        Policy p = policy("<Options><ValidateMessageBody>false</ValidateMessageBody></Options>");
        assertThatCode(() -> p.execute(ctx(post("{\"n\": 99}"), "/items/abc"))).doesNotThrowAnyException();
        TestMessage none = TestMessage.request("POST", "/x", "").header("X-Trace", TRACE);
        fault(p, ctx(none, "/items/abc"), "steps.oasvalidation.Failed", 400);
    }

    @Test
    void responsesAreValidatedWithSourceResponse() {
        Policy p = new OasValidationFactory().create(TestXml.parse("""
                <OASValidation name="OAS-R"><OASResource>oas://spec.yaml</OASResource><Source>response</Source>
                <Options><ValidateMessageBody>true</ValidateMessageBody></Options></OASValidation>"""), bundle);
        TestContext c = ctx(post("{\"n\": 1}"), "/items/abc");
        c.response().status(201);
        c.response().headers().set("Content-Type", "application/json");
        c.response().content("{\"id\": \"a\"}");
        assertThatCode(() -> p.execute(c)).doesNotThrowAnyException();
        c.response().content("{\"x\": 1}");
        fault(p, c, "steps.oasvalidation.Failed", 400);
        assertThat(c.get("OASValidation.OAS-R.failed")).isEqualTo(true);
    }

    @Test
    void configurationIsStrict() {
        assertThatThrownBy(() -> policy("<Options><ValidateMessageBody>yes</ValidateMessageBody></Options>"))
                .isInstanceOf(ConfigError.class).hasMessageContaining("Test.xml");
        assertThatThrownBy(() -> policy("<Options><Strict>true</Strict></Options>"))
                .isInstanceOf(ConfigError.class).hasMessageContaining("Strict");
        assertThatThrownBy(() -> new OasValidationFactory().create(TestXml.parse(
                "<OASValidation name=\"x\"><OASResource>oas://missing.yaml</OASResource></OASValidation>"), bundle))
                .isInstanceOf(ConfigError.class).hasMessageContaining("missing.yaml");
        assertThatThrownBy(() -> new OasValidationFactory().create(TestXml.parse(
                "<OASValidation name=\"x\"><OASResource>https://x/spec.yaml</OASResource></OASValidation>"), bundle))
                .isInstanceOf(ConfigError.class);
    }

    @Test
    void openApi31IsRefused() throws IOException {
        Files.writeString(dir.resolve("resources/oas/new.yaml"), SPEC.replace("3.0.3", "3.1.0"));
        assertThatThrownBy(() -> new OasValidationFactory().create(TestXml.parse(
                "<OASValidation name=\"x\"><OASResource>oas://new.yaml</OASResource></OASValidation>"), bundle))
                .isInstanceOf(ConfigError.class).hasMessageContaining("3.0 only");
    }
}
