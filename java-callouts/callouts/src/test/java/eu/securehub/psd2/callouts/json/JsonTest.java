package eu.securehub.psd2.callouts.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() throws Exception {
        Map<String, Object> m = Json.parseObject(
                " {\"s\":\"a\\\"b\\u00e9\\n\",\"i\":-12,\"d\":1.5e2,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,{}],\"o\":{\"x\":[]}} ");
        assertThat(m.get("s")).isEqualTo("a\"bé\n");
        assertThat(m.get("i")).isEqualTo(-12L);
        assertThat(m.get("d")).isEqualTo(new BigDecimal("1.5e2"));
        assertThat(m.get("t")).isEqualTo(true);
        assertThat(m.get("f")).isEqualTo(false);
        assertThat(m).containsEntry("n", null);
        assertThat((List<?>) m.get("a")).hasSize(2);
        assertThat(m.get("o")).isEqualTo(Map.of("x", List.of()));
        assertThat(m.keySet()).containsExactly("s", "i", "d", "t", "f", "n", "a", "o");
        assertThat(Json.parse(" [ ] ")).isEqualTo(List.of());
    }

    @Test
    void decodesEveryEscapeAndSurrogatePairs() throws Exception {
        assertThat(Json.parse("\"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\""))
                .isEqualTo("x\"\\/\b\f\n\r\t\u00e9\uD83D\uDE00");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":}", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"x",
        "\"\\x\"", "\"\\u12\"", "{\"a\":1}x", "{\"a\":1,\"a\":2}", "\"a\u0001\"", "{a:1}", "[1 2]", "nul", "1e",
        "}", "{\"a\"}", "\"\\u12g4\"", "{\"a\":1}{}", "{}\n{}", "{'a':1}"})
    void refusesMalformedJson(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(JsonException.class);
    }

    @Test
    void refusesDeepNestingWithoutExhaustingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(JsonException.class).hasMessageContaining("deeper");
        assertThatThrownBy(() -> Json.rewriteMembers(deep, Set.of("x"), (n, r) -> r))
                .isInstanceOf(JsonException.class).hasMessageContaining("deeper");
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThatCode(ok);
    }

    private static void assertThatCode(String json) {
        try {
            Json.parse(json);
        } catch (JsonException e) {
            throw new AssertionError("expected valid JSON", e);
        }
    }

    @Test
    void rewritesNamedMembersAtAnyDepthAndKeepsTheRest() throws Exception {
        String in = "{ \"iban\" : \"DE89370400440532013000\", \"name\":\"x\",\n"
                + " \"accounts\": [ {\"iban\":\"FR7630006000011234567890189\", \"balances\": [{\"amount\":\"1.00\"}]} ] }";
        String out = Json.rewriteMembers(in, Set.of("iban", "balances"), (name, raw) -> "\"<" + name + ":" + raw.length() + ">\"");
        assertThat(out).isEqualTo("{ \"iban\" : \"<iban:24>\", \"name\":\"x\",\n"
                + " \"accounts\": [ {\"iban\":\"<iban:29>\", \"balances\": \"<balances:19>\"} ] }");
    }

    @Test
    void rewriteValidatesTheWholeText() {
        assertThatThrownBy(() -> Json.rewriteMembers("{\"iban\":\"x\"", Set.of("iban"), (n, r) -> r))
                .isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> Json.rewriteMembers("{\"iban\":\"x\"} trailing", Set.of("iban"), (n, r) -> r))
                .isInstanceOf(JsonException.class);
    }

    @Test
    void rewriteOfAScalarDocumentChangesNothing() throws Exception {
        assertThat(Json.rewriteMembers(" \"iban\" ", Set.of("iban"), (n, r) -> "x")).isEqualTo(" \"iban\" ");
    }

    @Test
    void writesWhatItParses() throws Exception {
        String text = "{\"s\":\"a\\\"b\\u0001\u00e9\",\"i\":-12,\"d\":1.5,\"t\":true,\"n\":null,\"a\":[1,{}],\"o\":{\"x\":[]}}";
        assertThat(Json.write(Json.parse(text))).isEqualTo(text);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", List.of("x", false));
        assertThat(Json.write(m)).isEqualTo("{\"z\":1,\"a\":[\"x\",false]}");
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesPrettyTextIndentedByTwoSpacesThatReadsBack() throws Exception {
        Object v = Json.parse("{\"name\":\"q\\\"uote\",\"entry\":[{\"n\":1}],\"empty\":[],\"none\":{}}");

        assertThat(Json.pretty(v)).isEqualTo("{\n  \"name\": \"q\\\"uote\",\n  \"entry\": [\n    {\n      \"n\": 1\n"
                + "    }\n  ],\n  \"empty\": [],\n  \"none\": {}\n}\n");
        assertThat(Json.parse(Json.pretty(v))).isEqualTo(v);
        assertThat(Json.pretty("s")).isEqualTo("\"s\"\n");
        assertThatThrownBy(() -> Json.pretty(List.of(new Object()))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quotes() throws Exception {
        assertThat(Json.quote("a\"\\\n\u0001")).isEqualTo("\"a\\\"\\\\\\n\\u0001\"");
        assertThat(Json.parse(Json.quote("v\"\u00e9\t"))).isEqualTo("v\"\u00e9\t");
    }

    @Test
    void errorMessagesGiveAnOffsetNotTheContent() {
        assertThatThrownBy(() -> Json.parse("{\"secret-value\": nope}"))
                .hasMessageContaining("offset").hasMessageNotContaining("secret-value").hasMessageNotContaining("nope");
    }

    @Test
    void errorsTellTheOffsetSoACallerCanNameTheLine() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}"))
                .isInstanceOfSatisfying(JsonException.class, e -> assertThat(e.offset()).isEqualTo(12))
                .hasMessage("duplicate member name at offset 12");
        assertThatThrownBy(() -> Json.parse("{}\n{}"))
                .isInstanceOfSatisfying(JsonException.class, e -> assertThat(e.offset()).isEqualTo(3));
        assertThatThrownBy(() -> Json.parseObject("[]"))
                .isInstanceOfSatisfying(JsonException.class, e -> assertThat(e.offset()).isEqualTo(-1));
    }
}
