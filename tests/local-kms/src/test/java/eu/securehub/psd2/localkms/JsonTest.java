package eu.securehub.psd2.localkms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() throws Exception {
        Object value = Json.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}} ");

        Map<String, Object> b = new LinkedHashMap<>();
        b.put("c", "x\"\\/\b\f\n\r\té\uD83D\uDE00");
        assertThat(value).isEqualTo(Map.of("a", Arrays.asList(new BigDecimal(1), new BigDecimal("-2.5e3"), true, false, null), "b", b));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "}", "{\"a\"}", "{\"a\":1,}", "[1,]", "01", "1.", "-", "1e", "\"\\x\"", "\"a",
            "\"\u0001\"", "tru", "nul", "{a:1}", "{\"a\":1}{}", "\"\\u12g4\"", "{\"a\":1,\"a\":2}"})
    void refusesWhatIsNotJson(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(Json.JsonException.class);
    }

    @Test
    void refusesDeepNesting() {
        assertThatThrownBy(() -> Json.parse("[".repeat(100) + "]".repeat(100))).isInstanceOf(Json.JsonException.class);
    }

    @Test
    void writesAndReadsBack() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "quote \" backslash \\ newline \n control \u0001 base64 ab+/==");
        value.put("n", 42L);
        value.put("t", true);
        value.put("z", null);
        value.put("l", Arrays.asList(1, "x"));

        String text = Json.write(value);

        assertThat(text).startsWith("{\"s\":\"quote \\\" backslash \\\\ newline \\n control \\u0001 base64 ab+/==\",\"n\":42,");
        Map<String, Object> expected = new LinkedHashMap<>(value);
        expected.put("n", new BigDecimal(42));
        expected.put("l", Arrays.asList(BigDecimal.ONE, "x"));
        assertThat(Json.parse(text)).isEqualTo(expected);
    }
}
