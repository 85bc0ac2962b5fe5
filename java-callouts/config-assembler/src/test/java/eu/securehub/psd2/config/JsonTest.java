package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsEveryKindOfValueKeepingMemberOrder() {
        Object v = Json.parse("{\"b\":1,\"a\":[true,false,null,\"x\\u00e9\\n\",-2.5e1,{}]}", "t");

        assertThat(v).isEqualTo(Map.of("b", 1L, "a", java.util.Arrays.asList(true, false, null, "xé\n",
                new BigDecimal("-2.5e1"), Map.of())));
        assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) v).keySet())).containsExactly("b", "a");
    }

    @Test
    void writesCompactAndPrettyTextThatReadsBack() {
        Object v = Json.parse("{\"name\":\"q\\\"uote\",\"entry\":[{\"n\":1}],\"empty\":[]}", "t");

        assertThat(Json.compact(v)).isEqualTo("{\"name\":\"q\\\"uote\",\"entry\":[{\"n\":1}],\"empty\":[]}");
        assertThat(Json.pretty(v)).isEqualTo("{\n  \"name\": \"q\\\"uote\",\n  \"entry\": [\n    {\n      \"n\": 1\n"
                + "    }\n  ],\n  \"empty\": []\n}\n");
        assertThat(Json.parse(Json.pretty(v), "again")).isEqualTo(v);
    }

    @Test
    void rejectsDuplicateMembersTrailingTextAndBadSyntaxNamingThePlace() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}", "f.json"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("f.json is not valid JSON: duplicate member \"a\" at line 1, column 13");
        assertThatThrownBy(() -> Json.parse("{}\n{}", "f.json"))
                .hasMessageContaining("text after the JSON value at line 2, column 1");
        assertThatThrownBy(() -> Json.parse("[1,]", "f.json")).hasMessageContaining("f.json is not valid JSON");
        assertThatThrownBy(() -> Json.parse("{'a':1}", "f.json")).hasMessageContaining("expected a member name");
        assertThat(Json.parse(" [ ] ", "t")).isEqualTo(List.of());
    }
}
