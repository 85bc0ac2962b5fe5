package eu.securehub.psd2.runtime.policies.io;

import static eu.securehub.psd2.runtime.policies.io.Faults.fault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import eu.securehub.psd2.runtime.engine.Exchange;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class JsonThreatProtectionPolicyTest {
    static final String FAILED = JsonThreatProtectionPolicy.EXECUTION_FAILED;
    static final String EXCEEDED = "JSONThreatProtection[JTP-1]: Execution failed. reason: JSONThreatProtection[JTP-1]: Exceeded ";
    static final String INVALID = "JSONThreatProtection[JTP-1]: Execution failed. reason: Expecting ";

    TestEnvironment env = new TestEnvironment();
    TestBundle bundle = new TestBundle("p", Path.of("."), false);

    static Policy policy(String elements) {
        return new JsonThreatProtectionFactory().create(TestXml.parse(
                "<JSONThreatProtection name=\"JTP-1\">\n" + elements + "\n</JSONThreatProtection>"), null);
    }

    TestContext json(String body) {
        return new TestContext(env, bundle, TestMessage.request("POST", "/x", "").body("application/json", body));
    }

    /** A request-flow check with Source request (the TestContext has no "message"). */
    static Policy onRequest(String limits) {
        return policy("<Source>request</Source>\n" + limits);
    }

    static void passes(Policy p, FlowContext c) {
        assertThatCode(() -> p.execute(c)).doesNotThrowAnyException();
    }

    static void fails(Policy p, FlowContext c, String faultString) {
        PolicyFault f = fault(p, c, FAILED, 500);
        assertThat(f.faultString()).isEqualTo(faultString);
        assertThat(f.faultName()).isEqualTo("ExecutionFailed");
    }

    // ------------------------------------------------------------------ the five limits

    @Test
    void containerDepthCountsNestedObjectsAndArraysFromOne() {
        Policy p = onRequest("<ContainerDepth>3</ContainerDepth>");
        passes(p, json("{\"a\": {\"b\": [1, 2]}, \"c\": [[3]]}"));
        passes(p, json("[[[]]]"));
        fails(p, json("{\n  \"a\": {\n    \"b\": [\n      [1]\n    ]\n  }\n}"), EXCEEDED + "container depth at line 4");
        fails(onRequest("<ContainerDepth>1</ContainerDepth>"), json("[{}]"), EXCEEDED + "container depth at line 1");
    }

    @Test
    void objectEntryCountIsPerObject() {
        Policy p = onRequest("<ObjectEntryCount>2</ObjectEntryCount>");
        passes(p, json("{\"a\": 1, \"b\": 2}"));
        // Six members in all, but no object has more than two.
        passes(p, json("{\"a\": {\"x\": 1, \"y\": 2}, \"b\": {\"z\": 1, \"w\": [{\"p\": 1, \"q\": 2}]}}"));
        fails(p, json("{\"a\": 1, \"b\": 2,\n \"c\": 3}"), EXCEEDED + "object entry count at line 2");
        fails(p, json("[{\"a\": 1}, {\"a\": 1,\n\"b\": 2,\n\"c\": 3}]"), EXCEEDED + "object entry count at line 3");
        // A repeated name is another member.
        fails(p, json("{\"a\": 1, \"a\": 2, \"a\": 3}"), EXCEEDED + "object entry count at line 1");
    }

    @Test
    void arrayElementCountIsPerArray() {
        Policy p = onRequest("<ArrayElementCount>3</ArrayElementCount>");
        passes(p, json("[1, 2, 3]"));
        passes(p, json("[[1, 2, 3], [4, 5, 6], {\"a\": [7, 8, 9]}]"));
        fails(p, json("[\n1,\n2,\n3,\n4\n]"), EXCEEDED + "array element count at line 5");
        fails(p, json("{\"a\": [1, 2, 3, \"x\"]}"), EXCEEDED + "array element count at line 1");
    }

    @Test
    void objectEntryNameLengthCountsDecodedCharacters() {
        Policy p = onRequest("<ObjectEntryNameLength>5</ObjectEntryNameLength>");
        passes(p, json("{\"abcde\": \"a long value, not a name\"}"));
        passes(p, json("{\"ééééé\": 1}"));                       // 10 bytes, 5 characters
        passes(p, json("{\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\": 1}")); // 30 characters of escapes, 5 decoded
        passes(p, json("{\"😀😀😀😀😀\": 1}"));                     // 5 code points (10 UTF-16 units)
        passes(p, json("{\"\\ud83d\\ude00\\\"\\n\\t\\\\\": 1}"));      // an escaped pair is one character
        fails(p, json("{\"abcde\": 1,\n \"abcdef\": 2}"), EXCEEDED + "object entry name length at line 2");
        fails(p, json("{\"ééééé\\u00e9\": 1}"), EXCEEDED + "object entry name length at line 1");
    }

    @Test
    void stringValueLengthCountsValuesNotNames() {
        Policy p = onRequest("<StringValueLength>4</StringValueLength>");
        passes(p, json("{\"a-very-long-name\": \"abcd\", \"b\": [\"wxyz\", \"\"], \"c\": 12345678}"));
        passes(p, json("[\"éééé\", \"\\u00e9\\u00e9\\u00e9\\u00e9\"]"));
        fails(p, json("{\"a\": \"abcd\",\n\n \"b\": \"abcde\"}"), EXCEEDED + "string value length at line 3");
        fails(p, json("\"abcde\""), EXCEEDED + "string value length at line 1"); // a top-level string
    }

    @Test
    void negativeOrAbsentLimitsAreNotApplied() {
        String big = "{\"" + "n".repeat(5000) + "\": [" + "\"" + "v".repeat(5000) + "\","
                + "1,".repeat(5000) + "[".repeat(40) + "]".repeat(40) + "]}";
        passes(onRequest(""), json(big));
        passes(onRequest("""
                <ArrayElementCount>-1</ArrayElementCount>
                <ContainerDepth>-5</ContainerDepth>
                <ObjectEntryCount>-1</ObjectEntryCount>
                <ObjectEntryNameLength>-1</ObjectEntryNameLength>
                <StringValueLength>-100</StringValueLength>"""), json(big));
        JsonThreatProtectionPolicy p = (JsonThreatProtectionPolicy) onRequest("<ContainerDepth>-2</ContainerDepth>");
        assertThat(p.limits()).isEqualTo(JsonThreatScanner.Limits.NONE);
    }

    @Test
    void zeroIsALimit() {
        passes(onRequest("<ObjectEntryCount>0</ObjectEntryCount>"), json("{}"));
        fails(onRequest("<ObjectEntryCount>0</ObjectEntryCount>"), json("{\"a\": 1}"), EXCEEDED + "object entry count at line 1");
        passes(onRequest("<StringValueLength>0</StringValueLength>"), json("[\"\"]"));
        fails(onRequest("<ContainerDepth>0</ContainerDepth>"), json("[]"), EXCEEDED + "container depth at line 1");
        passes(onRequest("<ContainerDepth>0</ContainerDepth>"), json("42"));
    }

    @Test
    void theFirstViolationInDocumentOrderIsReported() {
        Policy p = onRequest("<ObjectEntryCount>1</ObjectEntryCount><StringValueLength>2</StringValueLength>");
        fails(p, json("{\"a\": \"abc\", \"b\": 1}"), EXCEEDED + "string value length at line 1");
        fails(p, json("{\"a\": \"ab\",\n \"b\": \"abc\"}"), EXCEEDED + "object entry count at line 2");
        // A limit broken before a syntax error wins over it, and the other way round.
        fails(p, json("{\"a\": \"abc\" \"b\"}"), EXCEEDED + "string value length at line 1");
        fails(p, json("{\"a\" \"abc\"}"), INVALID + ": at line 1");
    }

    // ------------------------------------------------------------------ invalid JSON

    @Test
    void invalidJsonIsExecutionFailedWithExpecting() {
        Policy p = onRequest("<ContainerDepth>10</ContainerDepth>");
        fails(p, json("{\n  \"a\": 1,\n  \"b\" 2\n}"), INVALID + ": at line 3"); // the documented example's form
        fails(p, json("{\"a\": 1,}"), INVALID + "\" at line 1");
        fails(p, json("{a: 1}"), INVALID + "\" or } at line 1");
        fails(p, json("[1, 2,\n]"), INVALID + "value at line 2");
        fails(p, json("[1 2]"), INVALID + ", or ] at line 1");
        fails(p, json("{\"a\": 1 \"b\": 2}"), INVALID + ", or } at line 1");
        fails(p, json("{\"a\": 1}\n{\"b\": 2}"), INVALID + "end of input at line 2");
        fails(p, json("{\"a\": tru}"), INVALID + "true at line 1");
        fails(p, json("[01]"), INVALID + ", or ] at line 1");
        fails(p, json("[1.]"), INVALID + "digit at line 1");
        fails(p, json("[-]"), INVALID + "digit at line 1");
        fails(p, json("[\"a\\x\"]"), INVALID + "escape sequence at line 1");
        fails(p, json("[\"\\u12G4\"]"), INVALID + "hex digit at line 1");
        fails(p, json("[\"abc"), INVALID + "\" at line 1");
        fails(p, json("[\"a\tb\"]"), INVALID + "\" at line 1"); // a raw control character
        fails(p, json("{\"a\": [1, 2"), INVALID + ", or ] at line 1");
        fails(p, json("   \n  "), INVALID + "value at line 2");
        fails(p, json("// comment\n{}"), INVALID + "value at line 1");
        // CR LF and CR alone end a line once each.
        fails(p, json("{\r\n\"a\": 1,\r\"b\" 2}"), INVALID + ": at line 3");
        passes(p, json("{\"a\": [1, -0.5e+3, 2E-2, true, false, null, \"\\/\\b\\f\\r\"], \"b\": {}}"));
        passes(p, json(" 12 "));
    }

    @Test
    void invalidJsonFailsEvenWithoutLimits() {
        fails(onRequest(""), json("{\"a\" 1}"), INVALID + ": at line 1");
    }

    // ------------------------------------------------------------------ what is checked

    @Test
    void onlyApplicationJsonBodiesAreChecked() {
        Policy p = onRequest("<StringValueLength>1</StringValueLength>");
        TestMessage text = TestMessage.request("POST", "/x", "").body("text/plain", "[\"long\"");
        passes(p, new TestContext(env, bundle, text));
        TestMessage problem = TestMessage.request("POST", "/x", "").body("application/problem+json", "[\"long\"]");
        passes(p, new TestContext(env, bundle, problem));
        TestMessage none = TestMessage.request("POST", "/x", "");
        none.content("[\"long\"]");
        passes(p, new TestContext(env, bundle, none));
        TestMessage charset = TestMessage.request("POST", "/x", "").body("Application/JSON; charset=utf-8", "[\"long\"]");
        fails(p, new TestContext(env, bundle, charset), EXCEEDED + "string value length at line 1");
    }

    @Test
    void anEmptyBodyPasses() {
        Policy p = onRequest("<ContainerDepth>0</ContainerDepth>");
        passes(p, json(""));
    }

    @Test
    void theDefaultSourceIsTheFlowsMessage() {
        Policy p = policy("<StringValueLength>3</StringValueLength>");
        assertThat(((JsonThreatProtectionPolicy) p).source()).isEqualTo("message");
        Exchange x = new Exchange(env, bundle, TestMessage.request("POST", "/x", "").body("application/json", "[\"abcd\"]"));
        fails(p, x, EXCEEDED + "string value length at line 1"); // request flow: the request
        x.request().content("[\"abc\"]");
        x.phase(Exchange.Phase.RESPONSE);
        x.response().headers().set("Content-Type", "application/json");
        x.response().content("{\"a\":\n\"abcd\"}");
        fails(p, x, EXCEEDED + "string value length at line 2"); // response flow: the response
        x.response().content("{\"a\": \"abc\"}");
        passes(p, x);
    }

    @Test
    void sourceRequestAndResponseAreCheckedInEitherFlow() {
        Policy req = policy("<Source>request</Source><ArrayElementCount>1</ArrayElementCount>");
        Policy resp = policy("<Source>response</Source><ArrayElementCount>1</ArrayElementCount>");
        Exchange x = new Exchange(env, bundle, TestMessage.request("POST", "/x", "").body("application/json", "[1]"));
        passes(req, x);
        x.phase(Exchange.Phase.RESPONSE);
        x.response().headers().set("Content-Type", "application/json");
        x.response().content("[1, 2]");
        passes(req, x); // still the request, in the response flow
        fails(resp, x, EXCEEDED + "array element count at line 1");
        x.request().content("[1, 2]");
        fails(req, x, EXCEEDED + "array element count at line 1");
    }

    @Test
    void aNamedMessageVariableCanBeTheSource() {
        Policy p = policy("<Source>calloutResponse</Source><ObjectEntryCount>1</ObjectEntryCount>");
        Exchange x = new Exchange(env, bundle, TestMessage.request("GET", "/x", ""));
        x.newMessage("calloutResponse", false).headers().set("Content-Type", "application/json");
        x.message("calloutResponse").content("{\"a\": 1, \"b\": 2}");
        fails(p, x, EXCEEDED + "object entry count at line 1");
    }

    @Test
    void aMissingSourceIsSourceUnavailable() {
        Policy p = policy("<Source>calloutResponse</Source>");
        Exchange x = new Exchange(env, bundle, TestMessage.request("GET", "/x", ""));
        PolicyFault f = fault(p, x, JsonThreatProtectionPolicy.SOURCE_UNAVAILABLE, 500);
        assertThat(f.faultString()).isEqualTo("JSONThreatProtection[JTP-1]:: Source[calloutResponse] is not available");
        assertThat(f.faultName()).isEqualTo("SourceUnavailable");
        // The response in a request flow, before there is one.
        PolicyFault r = fault(policy("<Source>response</Source>"), x, JsonThreatProtectionPolicy.SOURCE_UNAVAILABLE, 500);
        assertThat(r.faultString()).isEqualTo("JSONThreatProtection[JTP-1]:: Source[response] is not available");
    }

    @Test
    void aVariableThatIsNoMessageIsNonMessageVariable() {
        Policy p = policy("<Source>payload</Source>");
        Exchange x = new Exchange(env, bundle, TestMessage.request("GET", "/x", ""));
        x.set("payload", "{\"a\": 1}");
        PolicyFault f = fault(p, x, JsonThreatProtectionPolicy.NON_MESSAGE_VARIABLE, 500);
        assertThat(f.faultString()).isEqualTo("JSONThreatProtection[JTP-1]: Variable payload does not resolve to a Message");
        assertThat(f.faultName()).isEqualTo("NonMessageVariable");
    }

    @Test
    void thePolicySetsNoVariables() {
        TestContext c = json("{\"a\" 1}");
        c.vars.clear();
        fault(onRequest("<ContainerDepth>2</ContainerDepth>"), c, FAILED, 500);
        assertThat(c.vars).isEmpty();
    }

    // ------------------------------------------------------------------ large bodies

    @Test
    void aLargeBodyFailsFastOnTheFirstViolation() {
        // 300 000 bytes: an array of short strings whose 11th element breaks the limit; the body never ends
        // (no closing bracket, then garbage), so any error but the limit means the scan went on past it.
        StringBuilder b = new StringBuilder("[");
        while (b.length() < 299_000) {
            b.append("\"abcdefgh\",");
        }
        while (b.length() < 300_000) {
            b.append('#');
        }
        String body = b.toString();
        assertThat(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(300_000);
        Policy p = onRequest("<ArrayElementCount>10</ArrayElementCount><StringValueLength>8</StringValueLength>");
        Assertions.assertTimeout(Duration.ofSeconds(5), () -> fails(p, json(body), EXCEEDED + "array element count at line 1"));

        // 300 000 bytes of '[': a nesting attack stops at the first level over the limit.
        String deep = "[".repeat(300_000);
        Assertions.assertTimeout(Duration.ofSeconds(5), () -> fails(onRequest("<ContainerDepth>20</ContainerDepth>"),
                json(deep), EXCEEDED + "container depth at line 1"));
        // A single 300 000-character string is reported once it passes the limit.
        String longString = "[\"" + "x".repeat(299_996) + "\"]";
        Assertions.assertTimeout(Duration.ofSeconds(5), () -> fails(onRequest("<StringValueLength>100</StringValueLength>"),
                json(longString), EXCEEDED + "string value length at line 1"));
    }

    @Test
    void deepNestingWithoutALimitDoesNotOverflowTheStack() {
        String deep = "[".repeat(150_000) + "]".repeat(150_000);
        passes(onRequest(""), json(deep));
        fails(onRequest(""), json("[".repeat(150_000)), INVALID + "value at line 1");
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void theDocumentedSampleBuilds() {
        Policy p = new JsonThreatProtectionFactory().create(TestXml.parse("""
                <JSONThreatProtection async="false" continueOnError="false" enabled="true" name="JSON-Threat-Protection-1">
                   <DisplayName>JSONThreatProtection 1</DisplayName>
                   <ArrayElementCount>20</ArrayElementCount>
                   <ContainerDepth>10</ContainerDepth>
                   <ObjectEntryCount>15</ObjectEntryCount>
                   <ObjectEntryNameLength>50</ObjectEntryNameLength>
                   <Source>request</Source>
                   <StringValueLength>500</StringValueLength>
                   <Properties/>
                </JSONThreatProtection>"""), null);
        assertThat(p.type()).isEqualTo("JSONThreatProtection");
        assertThat(p.name()).isEqualTo("JSON-Threat-Protection-1");
        assertThat(((JsonThreatProtectionPolicy) p).limits())
                .isEqualTo(new JsonThreatScanner.Limits(20, 10, 15, 50, 500));
    }

    @Test
    void unknownElementsAndAttributesAreRefusedWithFileAndLine() {
        assertThatThrownBy(() -> policy("<ContainerDepth>3</ContainerDepth>\n<MaxDepth>3</MaxDepth>"))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/policies/Test.xml:3:").hasMessageContaining("MaxDepth");
        assertThatThrownBy(() -> policy("<Source clearPayload=\"true\">request</Source>"))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/policies/Test.xml:2:").hasMessageContaining("clearPayload");
        assertThatThrownBy(() -> new JsonThreatProtectionFactory().create(TestXml.parse(
                "<JSONThreatProtection name=\"x\" strict=\"true\"/>"), null))
                .isInstanceOf(ConfigError.class).hasMessageContaining("Test.xml:1").hasMessageContaining("strict");
        assertThatThrownBy(() -> policy("<Properties>\n<Property name=\"a\">1</Property></Properties>"))
                .isInstanceOf(ConfigError.class).hasMessageStartingWith("apiproxy/policies/Test.xml:3:")
                .hasMessageContaining("Property");
        assertThatThrownBy(() -> policy("<Properties>x</Properties>"))
                .isInstanceOf(ConfigError.class).hasMessageContaining("Test.xml:2");
    }

    @Test
    void limitsMustBeIntegers() {
        for (String bad : new String[] {"ten", "1.5", "", "+3", "99999999999999999999"}) {
            ConfigError e = catchThrowableOfType(ConfigError.class,
                    () -> policy("\n<StringValueLength>" + bad + "</StringValueLength>"));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.getMessage()).as(bad).startsWith("apiproxy/policies/Test.xml:3:").contains("StringValueLength");
        }
        assertThatThrownBy(() -> policy("<ContainerDepth>1</ContainerDepth><ContainerDepth>2</ContainerDepth>"))
                .isInstanceOf(ConfigError.class);
        assertThatThrownBy(() -> policy("<Source/>"))
                .isInstanceOf(ConfigError.class).hasMessageContaining("Source");
    }

    @Test
    void theFactoryIsRegistered() {
        PolicyFactory found = null;
        for (PolicyFactory f : ServiceLoader.load(PolicyFactory.class)) {
            if (f.type().equals("JSONThreatProtection")) {
                found = f;
            }
        }
        assertThat(found).isInstanceOf(JsonThreatProtectionFactory.class);
    }
}
