package eu.securehub.psd2.runtime.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConditionTest {

    private static Variables vars(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m::get;
    }

    private static final Variables SAMPLE = vars(
        "request.verb", "GET",
        "proxy.pathsuffix", "/accounts/123/balances",
        "request.header.Content-Type", "application/json; charset=utf-8",
        "request.header.X-Request-ID", "abc-123",
        "response.status.code", 404,
        "ratelimit.Q-1.failed", Boolean.TRUE,
        "big", 5_000_000_000L,
        "ratio", 1.5d,
        "flt", 2.5f,
        "flag", "true",
        "request.header.help!me", "yes",
        "is_set", "x",
        "empty", "");

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', textBlock = """
        request.verb = "GET" ;; true
        request.verb == "GET" ;; true
        request.verb = "get" ;; false
        request.verb Equals "GET" ;; true
        request.verb equals "GET" ;; true
        request.verb Is "GET" ;; true
        request.verb != "POST" ;; true
        request.verb NotEquals "GET" ;; false
        request.verb notequals "POST" ;; true
        request.verb IsNot "POST" ;; true
        request.verb := "get" ;; true
        request.verb EqualsCaseInsensitive "gEt" ;; true
        request.verb := "post" ;; false
        response.status.code > 400 ;; true
        response.status.code GreaterThan 404 ;; false
        response.status.code greaterthan 403 ;; true
        response.status.code >= 404 ;; true
        response.status.code GreaterThanOrEquals 405 ;; false
        response.status.code < 500 ;; true
        response.status.code LesserThan 404 ;; false
        response.status.code <= 404 ;; true
        response.status.code LesserThanOrEquals 403 ;; false
        proxy.pathsuffix ~~ "/accounts/[0-9]+/balances" ;; true
        proxy.pathsuffix JavaRegex "/accounts/.*" ;; true
        proxy.pathsuffix ~~ "/accounts" ;; false
        proxy.pathsuffix ~~ "balances" ;; false
        proxy.pathsuffix ~ "/accounts/*" ;; true
        proxy.pathsuffix Matches "*/balances" ;; true
        proxy.pathsuffix Like "/accounts" ;; false
        proxy.pathsuffix ~ "/Accounts/*" ;; false
        proxy.pathsuffix !~ "/accounts/*" ;; false
        proxy.pathsuffix !~ "/consents*" ;; true
        proxy.pathsuffix ~/ "/accounts/*/balances" ;; true
        proxy.pathsuffix MatchesPath "/accounts/**" ;; true
        proxy.pathsuffix LikePath "/accounts/*" ;; false
        proxy.pathsuffix =| "/accounts/" ;; true
        proxy.pathsuffix StartsWith "/consents" ;; false
        request.header.Content-Type =| "application/json" ;; true
        not (request.header.Content-Type =| "application/json") ;; false
        !(request.verb = "GET") ;; false
        ! request.verb = "POST" ;; true
        not request.verb = "POST" ;; true
        Not request.verb = "GET" ;; false
        request.verb = "GET" and response.status.code = 404 ;; true
        request.verb = "GET" && response.status.code = 200 ;; false
        request.verb = "GET" AND response.status.code = 404 ;; true
        request.verb = "POST" or response.status.code = 404 ;; true
        request.verb = "POST" || response.status.code = 200 ;; false
        request.verb = "POST" OR request.verb = "GET" ;; true
        (request.verb = "POST" or request.verb = "GET") and (response.status.code = 404) ;; true
        ((request.verb = "GET")) ;; true
        request.verb="GET" ;; true
        response.status.code>=400&&request.verb!="POST" ;; true
        ratelimit.Q-1.failed = true ;; true
        ratelimit.Q-1.failed = "true" ;; true
        request.header.X-Request-ID = "abc-123" ;; true
        'request.header.help!me' = "yes" ;; true
        true ;; true
        false ;; false
        flag ;; true
        unset.var ;; false
        "GET" = request.verb ;; true
        request.verb = request.verb ;; true
        """)
    void operators(String condition, boolean expected) {
        assertThat(Condition.parse(condition).test(SAMPLE)).as(condition).isEqualTo(expected);
    }

    /** The null table of the Conditions reference, row by row (LHS null, RHS null, both null). */
    @ParameterizedTest(name = "[{index}] {0}: lhsNull={1} rhsNull={2} both={3}")
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', textBlock = """
        = ;; false ;; false ;; true
        == ;; false ;; false ;; true
        := ;; false ;; false ;; true
        =| ;; false ;; false ;; false
        != ;; true ;; true ;; false
        > ;; true ;; false ;; false
        >= ;; false ;; true ;; true
        < ;; true ;; false ;; false
        <= ;; true ;; false ;; true
        ~ ;; false ;; false ;; false
        ~~ ;; false ;; false ;; false
        !~ ;; true ;; false ;; false
        ~/ ;; false ;; false ;; false
        """)
    void nullTable(String op, boolean lhsNull, boolean rhsNull, boolean bothNull) {
        Variables v = vars("set", "value");
        assertThat(Condition.parse("unset " + op + " \"value\"").test(v)).as("LHS null").isEqualTo(lhsNull);
        assertThat(Condition.parse("set " + op + " null").test(v)).as("RHS null").isEqualTo(rhsNull);
        assertThat(Condition.parse("unset " + op + " null").test(v)).as("both null").isEqualTo(bothNull);
        assertThat(Condition.parse("unset " + op + " other.unset").test(v)).as("both unset").isEqualTo(bothNull);
    }

    @Test
    void isNullForms() {
        Variables v = vars("request.header.host", "h", "flow.cachehit", Boolean.TRUE);
        assertThat(Condition.parse("request.header.host is null").test(v)).isFalse();
        assertThat(Condition.parse("request.header.other is null").test(v)).isTrue();
        assertThat(Condition.parse("not (request.header.other is null)").test(v)).isFalse();
        assertThat(Condition.parse("flow.cachehit is true").test(v)).isTrue();
        assertThat(Condition.parse("x = null").test(v)).isTrue();
        assertThat(Condition.parse("request.header.host != null").test(v)).isTrue();
        assertThat(Condition.parse("request.header.host = \"\"").test(vars("request.header.host", ""))).isTrue();
        assertThat(Condition.parse("request.header.host = null").test(vars("request.header.host", ""))).isFalse();
    }

    /** Coercion to the bigger type: Boolean < Integer < Long < Float < Double < String < Comparable; Object: false. */
    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', textBlock = """
        int400 = "400" ;; true
        int400 = 400 ;; true
        int400 = 400l ;; true
        int400 = 400L ;; true
        int400 = 400.0d ;; true
        int400 = 400f ;; true
        int400 = 400.5D ;; false
        int400 < 400.5f ;; true
        str400 = 400 ;; true
        str400 = 400.0d ;; false
        str1000 > 400 ;; false
        int1000 > 400 ;; true
        long5b > 2147483647 ;; true
        long5b = 5000000000l ;; true
        dbl15 = 1.5 ;; true
        dbl15 = 1.5f ;; true
        flt25 = 2.5d ;; true
        flt25 > 2 ;; true
        boolTrue = 1 ;; true
        boolTrue = true ;; true
        boolTrue = "true" ;; true
        boolTrue = "TRUE" ;; false
        boolTrue := "TRUE" ;; true
        strTrue = true ;; true
        neg = -3 ;; true
        neg < -2 ;; true
        obj = "x" ;; false
        obj != "x" ;; false
        obj = null ;; false
        date = date2 ;; true
        """)
    void coercion(String condition, boolean expected) {
        Object obj = new Object() {
            @Override
            public String toString() {
                return "x";
            }
        };
        Variables v = vars("int400", 400, "str400", "400", "str1000", "1000", "int1000", 1000,
            "long5b", 5_000_000_000L, "dbl15", 1.5d, "flt25", 2.5f, "boolTrue", Boolean.TRUE, "strTrue", "true",
            "neg", -3, "obj", obj, "date", java.time.LocalDate.of(2024, 1, 2),
            "date2", java.time.LocalDate.of(2024, 1, 2));
        assertThat(Condition.parse(condition).test(v)).as(condition).isEqualTo(expected);
    }

    @Test
    void byteContentIsText() {
        Variables v = vars("request.content", "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(Condition.parse("request.content = \"{\\\"a\\\":1}\"").test(v)).isTrue();
        assertThat(Condition.parse("request.content != null").test(v)).isTrue();
    }

    /** MatchesPath examples of the Conditions reference, plus trailing-slash sensitivity and escapes. */
    @ParameterizedTest(name = "[{index}] {1} ~/ {0} -> {2}")
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', textBlock = """
        /*/a/ ;; /x/a/ ;; true
        /*/a/* ;; /x/a/b ;; true
        /*/a/** ;; /x/a/b/c/d ;; true
        /a/**/feed/** ;; /a/b/feed/rss/1234 ;; true
        /*/a/ ;; /x/a ;; false
        /*/a/* ;; /x/a/b/c ;; false
        /*/a/** ;; /x/a ;; false
        /*/a/** ;; /x/a/ ;; false
        /a/**/feed/** ;; /a/feed/rss ;; false
        /accounts ;; /accounts ;; true
        /accounts ;; /accounts/ ;; false
        /accounts/ ;; /accounts ;; false
        /accounts ;; /Accounts ;; false
        /accounts/*/balances ;; /accounts/123/balances ;; true
        /accounts/*/balances ;; /accounts//balances ;; false
        /accounts/{id}/balances ;; /accounts/123/balances ;; true
        /accounts/{id} ;; /accounts/1/2 ;; false
        /users/%{user%} ;; /users/{user} ;; true
        /users/%{user%} ;; /users/bob ;; false
        /statuses/** ;; /statuses/1/2 ;; true
        /a* ;; /abc ;; true
        /a* ;; /abc/d ;; false
        """)
    void matchesPath(String pattern, String path, boolean expected) {
        Variables v = vars("p", path);
        assertThat(Condition.parse("p MatchesPath \"" + pattern + "\"").test(v)).isEqualTo(expected);
        assertThat(Condition.parse("p ~/ \"" + pattern + "\"").test(v)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0} ~ {1} -> {2}")
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', textBlock = """
        /cat ;; /cat ;; true
        /cat ;; /cat/ ;; false
        /*at ;; /cat ;; true
        /*at ;; /bat ;; true
        /*at ;; /at ;; true
        /* ;; /a/b/c ;; true
        /c*t ;; /cart ;; true
        /c?t ;; /cat ;; false
        /c?t ;; /c?t ;; true
        /cat ;; /Cat ;; false
        a.c ;; abc ;; false
        """)
    void matchesGlob(String pattern, String value, boolean expected) {
        assertThat(Condition.parse("v ~ \"" + pattern + "\"").test(vars("v", value))).isEqualTo(expected);
        assertThat(Condition.parse("v Matches \"" + pattern + "\"").test(vars("v", value))).isEqualTo(expected);
    }

    /** JavaRegex is a whole-string match (Matcher.matches). */
    @ParameterizedTest(name = "[{index}] {0} ~~ {1} -> {2}")
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', textBlock = """
        /cat ;; /cat ;; true
        /cat ;; /cat/bird ;; false
        /ca?t ;; /ct ;; true
        /c.t ;; /cut ;; true
        /extensive-search/? ;; /extensive-search/ ;; true
        /extensive-search/? ;; /extensive-search ;; true
        .*search.* ;; /extensive-search ;; true
        search ;; /extensive-search ;; false
        """)
    void javaRegexWholeMatch(String regex, String value, boolean expected) {
        assertThat(Condition.parse("v ~~ \"" + regex + "\"").test(vars("v", value))).isEqualTo(expected);
    }

    @Test
    void stringEscapesAndRegexBackslashes() {
        assertThat(Condition.parse("v ~~ \"\\d+\"").test(vars("v", "123"))).isTrue();
        assertThat(Condition.parse("v = \"say \\\"hi\\\"\"").test(vars("v", "say \"hi\""))).isTrue();
        assertThat(Condition.parse("v = \"a\\\\b\"").test(vars("v", "a\\b"))).isTrue();
    }

    @Test
    void blankConditionIsTrue() {
        assertThat(Condition.parse("").test(vars())).isTrue();
        assertThat(Condition.parse("  \n ").test(vars())).isTrue();
    }

    @Test
    void textIsKept() {
        assertThat(Condition.parse(" a = 1 ").text()).isEqualTo(" a = 1 ");
    }

    /** §0: and/or mixed without parentheses is refused; parenthesised forms are accepted. */
    @ParameterizedTest
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', textBlock = """
        a = 1 and b = 2 or c = 3 ;; 17
        a = 1 && b = 2 || c = 3 && d = 4 ;; 16
        a = 1 or b = 2 and c = 3 ;; 16
        (a = 1) || (b = 2) AND (c = 3) ;; 20
        not a = 1 or b = 2 and c = 3 ;; 20
        """)
    void mixedAndOrRefused(String condition, int column) {
        assertThatThrownBy(() -> Condition.parse(condition))
            .isInstanceOf(ExpressionException.class)
            .hasMessageContaining("parentheses")
            .satisfies(e -> assertThat(((ExpressionException) e).column()).isEqualTo(column));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "(a = 1 and b = 2) or c = 3",
        "a = 1 and (b = 2 or c = 3)",
        "a = 1 and b = 2 and c = 3",
        "a = 1 or b = 2 or c = 3",
        "((a = 1 or b = 2) and (c = 3 or d = 4)) or e = 5",
    })
    void parenthesisedMixturesAccepted(String condition) {
        assertThat(Condition.parse(condition)).isNotNull();
    }

    @Test
    void andOrEvaluation() {
        Variables v = vars("a", 1, "b", 2, "c", 3);
        assertThat(Condition.parse("(a = 1 and b = 9) or c = 3").test(v)).isTrue();
        assertThat(Condition.parse("a = 1 and (b = 9 or c = 9)").test(v)).isFalse();
        assertThat(Condition.parse("a = 9 or b = 9 or c = 3").test(v)).isTrue();
        assertThat(Condition.parse("a = 1 and b = 2 and c = 9").test(v)).isFalse();
    }

    /** Malformed conditions: ExpressionException with the column of the problem. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiterString = ";;", quoteCharacter = '`', textBlock = """
        request.verb = "GET ;; 16
        (request.verb = "GET" ;; 22
        request.verb = "GET") ;; 21
        request.verb = ;; 15
        = "GET" ;; 1
        request.verb = "GET" "POST" ;; 22
        request.verb ~~ "(unclosed" ;; 17
        a = 1 & b = 2 ;; 7
        a &gt; 1 ;; 3
        a = 12abc ;; 5
        a = 99999999999 ;; 5
        'unterminated = 1 ;; 1
        () ;; 2
        a = 1 and ;; 10
        a + 1 = 2 ;; 3
        `a = 1 ;` ;; 7
        """)
    void malformed(String condition, int column) {
        assertThatThrownBy(() -> Condition.parse(condition))
            .isInstanceOf(ExpressionException.class)
            .satisfies(e -> assertThat(((ExpressionException) e).column()).isEqualTo(column));
    }

    @Test
    void operatorWordAsVariableMustBeQuoted() {
        assertThatThrownBy(() -> Condition.parse("matches = \"x\"")).isInstanceOf(ExpressionException.class);
        assertThat(Condition.parse("'matches' = \"x\"").test(vars("matches", "x"))).isTrue();
    }

    @Test
    void namesWithDashesUnderscoresAndDots() {
        Variables v = vars("ratelimit.Q-1.failed", "true", "servicecallout.SC-Bank_Token.failed", Boolean.FALSE,
            "request.header.X-Request-ID", "r");
        assertThat(Condition.parse("ratelimit.Q-1.failed = \"true\"").test(v)).isTrue();
        assertThat(Condition.parse("servicecallout.SC-Bank_Token.failed = false").test(v)).isTrue();
        assertThat(Condition.parse("(request.header.X-Request-ID = null) or (request.header.X-Request-ID = \"\")")
            .test(v)).isFalse();
    }

    @Test
    void nonLiteralPatternsAreCompiledPerEvaluation() {
        Variables v = vars("p", "/a/b", "pat", "/a/*", "re", "/a/.", "glob", "/a*");
        assertThat(Condition.parse("p ~/ pat").test(v)).isTrue();
        assertThat(Condition.parse("p ~~ re").test(v)).isTrue();
        assertThat(Condition.parse("p ~ glob").test(v)).isTrue();
    }
}
