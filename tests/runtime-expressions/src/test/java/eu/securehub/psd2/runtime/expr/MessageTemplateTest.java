package eu.securehub.psd2.runtime.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageTemplateTest {

    private static final Map<String, Object> VALUES = new HashMap<>();

    static {
        VALUES.put("alpha", "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        VALUES.put("seven", 7);
        VALUES.put("abc", "abc");
        VALUES.put("user.name", "jdoe");
        VALUES.put("upper", "Hello World");
        VALUES.put("header", "Bearer ylSkZIjbdWybfs4fUQe9BqP0LH5Z");
        VALUES.put("regex1", "^Bearer ");
        VALUES.put("quoted", "she said \"hello\"");
        VALUES.put("xmlish", "<thing a='1'>&</thing>");
        VALUES.put("epoch1", "1494390266");
        VALUES.put("epoch2", 1494390266000L);
        VALUES.put("fmt", "yyyy-MM-dd HH:mm:ss.SSS");
        VALUES.put("hmac.key", "Jefe");
        VALUES.put("hmac.msg", "what do ya want for nothing?");
        VALUES.put("hmac.hexkey", "4a656665");
        VALUES.put("hmac.b64key", "SmVmZQ==");
        VALUES.put("encoded", "aGVsbG8=");
        VALUES.put("plain", "hello");
        VALUES.put("empty", "");
        VALUES.put("json", "{\"store\":{\"book\":[{\"author\":\"Nigel\",\"price\":8.95},"
            + "{\"author\":\"Evelyn\",\"price\":12.99,\"tags\":[\"a\",\"b\"]}],\"open\":true,\"none\":null}}");
        VALUES.put("path.var", "$.store.book[0].author");
        VALUES.put("bytes", "bytes!".getBytes(StandardCharsets.UTF_8));
        VALUES.put("url", "https://bank.example/auth?x=1");
        VALUES.put("bankid", "alpha");
    }

    private static final Variables VARS = VALUES::get;

    private static String render(String template) {
        return MessageTemplate.parse(template).render(VARS);
    }

    /** Function examples (docs' examples where they exist). */
    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', emptyValue = "", textBlock = """
        {md5Hex('abc')}                   | 900150983cd24fb0d6963f7d28e17f72
        {sha1Hex('abc')}                  | a9993e364706816aba3e25717850c26c9cd0d89d
        {sha256Hex('abc')}                | ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        {sha384Hex('abc')}                | cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7
        {sha512Hex('abc')}                | ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f
        {md5Base64('abc')}                | kAFQmDzST7DWlj99KOF/cg==
        {sha1Base64('abc')}               | qZk+NkcGgWq6PiVxeFDCbJzQ2J0=
        {sha256Base64(abc)}               | ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=
        {sha384Base64('abc')}             | ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn
        {sha512Base64('abc')}             | 3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==
        {encodeBase64(plain)}             | aGVsbG8=
        {encodeBase64('hello')}           | aGVsbG8=
        {decodeBase64(encoded)}           | hello
        {decodeBase64('aGVsbG8-_w')}      | ``
        {toUpperCase(upper)}              | HELLO WORLD
        {toLowerCase(upper)}              | hello world
        {toLowerCase(foo.bar:FOO)}        | foo
        {toUpperCase(foo.bar)}            | ``
        {substring(alpha,22)}             | WXYZ
        {substring(alpha,22,24)}          | WX
        {substring(alpha,-4)}             | WXYZ
        {substring(alpha,-8,-4)}          | STUV
        {substring(alpha,0,10)}           | ABCDEFGHIJ
        {substring(alpha,0,seven)}        | ABCDEFG
        {substring(alpha,seven,10)}       | HIJ
        {substring(alpha,30)}             | ``
        {substring(alpha,10,5)}           | ``
        {replaceAll(header,regex1,'')}    | ylSkZIjbdWybfs4fUQe9BqP0LH5Z
        {replaceAll(header,'[0-9]','#')}  | Bearer ylSkZIjbdWybfs#fUQe#BqP#LH#Z
        {replaceFirst(header,'[0-9]','#')} | Bearer ylSkZIjbdWybfs#fUQe9BqP0LH5Z
        {replaceAll(plain,'(l+)','[$1]')} | he[ll]o
        {escapeJSON(quoted)}              | she said \\"hello\\"
        {escapeJSON(url)}                 | https:\\/\\/bank.example\\/auth?x=1
        {escapeXML(xmlish)}               | &lt;thing a=&apos;1&apos;&gt;&amp;&lt;/thing&gt;
        {escapeXML11(xmlish)}             | &lt;thing a=&apos;1&apos;&gt;&amp;&lt;/thing&gt;
        {encodeHTML(xmlish)}              | &lt;thing a=&#39;1&#39;&gt;&amp;&lt;/thing&gt;
        {timeFormat('dd/MM/yyyy',epoch1)} | 10/05/2017
        {timeFormatUTC('dd/MM/yyyy HH:mm',epoch1)} | 10/05/2017 04:24
        {timeFormatMs(fmt,epoch2)}        | 2017-05-10 04:24:26.000
        {timeFormatUTCMs(fmt,epoch2)}     | 2017-05-10 04:24:26.000
        {timeFormatUTCMs('EEE',epoch2)}   | Wed
        {hmacSha256(hmac.key,hmac.msg)}   | W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=
        {hmacSha256(hmac.key,hmac.msg,'utf-8','hex')} | 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
        {hmacSha256(hmac.hexkey,hmac.msg,'hex','base16')} | 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
        {hmacSha256(hmac.b64key,hmac.msg,'base64','base64')} | W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=
        {hmacSha224(hmac.key,hmac.msg,'utf-8','hex')} | a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44
        {hmacSha384(hmac.key,hmac.msg,'utf-8','hex')} | af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649
        {hmacSha512(hmac.key,hmac.msg,'utf-8','hex')} | 164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737
        {hmacMd5(hmac.key,hmac.msg)}      | dQx4PmqwtQPqqG4xCl23OA==
        {hmacSha1(hmac.key,hmac.msg,'utf-8','hex')} | effcdf6ae5eb2fa2d27416d5f184df9c259a7c79
        {firstnonnull(nope,nada,'fallback')} | fallback
        {firstnonnull(nope,plain,'fallback')} | hello
        {firstnonnull(empty,plain)}       | ``
        {firstnonnull(nope,nada)}         | null
        {jsonPath('$.store.book[0].author',json)} | Nigel
        {jsonPath('$.store.book[*].author',json)} | Nigel
        {jsonPath('$.store.book[*].author',json,true)} | ["Nigel","Evelyn"]
        {jsonPath('$.store.book[-1].price',json)} | 12.99
        {jsonPath('$.store.open',json)} | true
        {jsonPath('$.store.book[1].tags',json)} | ["a","b"]
        {jsonPath('$.store.book[1].tags',json,true)} | ["a","b"]
        {jsonPath('$.store.none',json)}     | ``
        {jsonPath('$.store.missing',json)}  | ``
        {jsonPath(path.var,json)}         | Nigel
        {jsonPath('$.store.book[1].author',json)} | Evelyn
        {jsonPath('$.store.*',json,true)}   | [[{"author":"Nigel","price":8.95},{"author":"Evelyn","price":12.99,"tags":["a","b"]}],true,null]
        """)
    void functions(String template, String expected) {
        assertThat(render(template)).isEqualTo(expected);
    }

    @Test
    void randomFunctions() {
        assertThat(render("{createUuid()}")).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(render("{createUuid()}")).isNotEqualTo(render("{createUuid()}"));
        assertThat(Long.parseLong(render("{randomLong()}"))).isNotNull();
        for (int i = 0; i < 50; i++) {
            long a = Long.parseLong(render("{randomLong(10,20)}"));
            assertThat(a).isBetween(10L, 19L);
            assertThat(Long.parseLong(render("{randomLong(5)}"))).isGreaterThanOrEqualTo(5L);
            assertThat(Long.parseLong(render("{randomLong(seven,8)}"))).isEqualTo(7L);
        }
    }

    @ParameterizedTest(name = "[{index}] xeger {0}")
    @ValueSource(strings = {"[a-z]{3}-\\d{2}", "(foo|bar)+", "ab?c*", "[^a-z]{5}", "\\w{4,8}\\.x", "(?:x|y){2}",
        "^[A-F0-9]{8}$", "."})
    void xeger(String regex) {
        String anchored = regex;
        for (int i = 0; i < 30; i++) {
            assertThat(render("{xeger('" + regex + "')}")).matches(anchored);
        }
    }

    @Test
    void xegerSubsetRefusesTheRest() {
        assertThatThrownBy(() -> MessageTemplate.parse("{xeger('(?=a)b')}")).isInstanceOf(ExpressionException.class);
        assertThatThrownBy(() -> MessageTemplate.parse("{xeger('\\p{L}')}")).isInstanceOf(ExpressionException.class);
    }

    @Test
    void xpathIsUnsupportedAtParseTime() {
        assertThatThrownBy(() -> MessageTemplate.parse("x {xpath('/a/b',request.content)}"))
            .isInstanceOf(UnsupportedOperationException.class)
            .hasMessageContaining("xpath")
            .hasMessageContaining("column 4");
    }

    @Test
    void variablesAndDefaults() {
        assertThat(render("Hello {user.name}!")).isEqualTo("Hello jdoe!");
        assertThat(render("{request.header.id:Unknown}")).isEqualTo("Unknown");
        assertThat(render("{user.name:Unknown}")).isEqualTo("jdoe");
        assertThat(render("[{unset.var}]")).isEqualTo("[]");
        assertThat(render("[{unset.var:}]")).isEqualTo("[]");
        assertThat(render("{empty:default}")).isEqualTo("");
        assertThat(render("{seven}{bytes}")).isEqualTo("7bytes!");
        assertThat(render("{protocol:https}://{site:google.com}/path")).isEqualTo("https://google.com/path");
        assertThat(render("{a:b:c}")).isEqualTo("b:c");
        assertThat(render("psd2-hub/session|{bankid}|{user.name}")).isEqualTo("psd2-hub/session|alpha|jdoe");
    }

    @Test
    void strictRendering() {
        MessageTemplate t = MessageTemplate.parse("id={unset.var}");
        assertThat(t.render(VARS)).isEqualTo("id=");
        assertThatThrownBy(() -> t.renderStrict(VARS))
            .isInstanceOf(UnresolvedVariableException.class)
            .satisfies(e -> assertThat(((UnresolvedVariableException) e).variable()).isEqualTo("unset.var"));
        assertThat(MessageTemplate.parse("{unset.var:d}").renderStrict(VARS)).isEqualTo("d");
        assertThat(MessageTemplate.parse("{user.name}").renderStrict(VARS)).isEqualTo("jdoe");
        assertThatThrownBy(() -> MessageTemplate.parse("{escapeJSON(unset.var)}").renderStrict(VARS))
            .isInstanceOf(UnresolvedVariableException.class);
        assertThat(MessageTemplate.parse("{escapeJSON(unset.var)}").render(VARS)).isEmpty();
        assertThat(MessageTemplate.parse("{firstnonnull(unset.var,'x')}").renderStrict(VARS)).isEqualTo("x");
    }

    @Test
    void jsonPayloadBracesStayLiteral() {
        assertThat(render("{\"a\":\"{user.name}\"}")).isEqualTo("{\"a\":\"jdoe\"}");
        assertThat(render("{ \"error\" : { \"message\" : \"quota\", \"clientId\" : \"{user.name}\" } }"))
            .isEqualTo("{ \"error\" : { \"message\" : \"quota\", \"clientId\" : \"jdoe\" } }");
        assertThat(render("{\"n\":{seven},\"list\":[{},{}],\"o\":{}}")).isEqualTo("{\"n\":7,\"list\":[{},{}],\"o\":{}}");
        assertThat(render("{\"body\":\"{escapeJSON(quoted)}\"}")).isEqualTo("{\"body\":\"she said \\\"hello\\\"\"}");
        assertThat(render("a } b { c {")).isEqualTo("a } b { c {");
        assertThat(render("{1abc} {-x} {.y}")).isEqualTo("{1abc} {-x} {.y}");
        MessageTemplate literal = MessageTemplate.parse("{\"type\":\"urn:x\",\"status\":500}");
        assertThat(literal.isLiteral()).isTrue();
        assertThat(literal.variableNames()).isEmpty();
    }

    @Test
    void variableNamesAndLiteral() {
        MessageTemplate t = MessageTemplate.parse("{a.b}-{hmacSha256(k,'v')}-{c:d}-{createUuid()}-{a.b}");
        assertThat(t.variableNames()).containsExactly("a.b", "k", "c");
        assertThat(t.isLiteral()).isFalse();
        assertThat(MessageTemplate.parse("plain text").isLiteral()).isTrue();
        assertThat(MessageTemplate.parse("").render(VARS)).isEmpty();
        assertThat(t.text()).isEqualTo("{a.b}-{hmacSha256(k,'v')}-{c:d}-{createUuid()}-{a.b}");
    }

    /** Malformed function calls: ExpressionException with the column of the problem. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        {nosuch(a)}                       | 2
        ab{toUpperCase(toLowerCase(x))}   | 16
        {toUpperCase( x)}                 | 14
        {toUpperCase(x )}                 | 15
        {substring(a, 1)}                 | 14
        {toUpperCase(x)                   | 16
        {toUpperCase(x,y)}                | 2
        {createUuid(x)}                   | 2
        {substring(alpha)}                | 2
        {substring(alpha,'x')}            | 18
        {replaceAll(a,'[','')}            | 15
        {hmacSha256(k,v,'latin1')}        | 17
        {hmacSha256(k,v,'hex','utf-8')}   | 23
        {timeFormat('bad pattern q',e)}   | 13
        {jsonPath('$..a',json)}             | 11
        {jsonPath('$.a[?(@.x)]',json)}      | 11
        {toUpperCase('abc)}               | 14
        {toUpperCase(x)y}                 | 16
        {sha256Hex(,x)}                   | 12
        {randomLong(5,1)}                 | 15
        {toUpperCase(a"b)}                | 15
        """)
    void malformedCalls(String template, int column) {
        assertThatThrownBy(() -> MessageTemplate.parse(template))
            .isInstanceOf(ExpressionException.class)
            .satisfies(e -> assertThat(((ExpressionException) e).column()).as(e.getMessage()).isEqualTo(column));
    }

    @Test
    void anUnquotedLiteralJsonPathIsRefused() {
        // Message templates: "If you use fixed strings, enclose them in single quotes".
        assertThatThrownBy(() -> MessageTemplate.parse("{jsonPath($.a,json)}"))
            .isInstanceOf(ExpressionException.class).hasMessageContaining("single-quoted");
    }

    @Test
    void renderTimeFailuresNameTheFunction() {
        Variables v = Map.<String, Object>of("notjson", "{oops", "notnum", "abc", "badre", "(")::get;
        assertThatThrownBy(() -> MessageTemplate.parse("x{jsonPath('$.a',notjson)}").render(v))
            .isInstanceOf(ExpressionException.class).hasMessageContaining("jsonPath")
            .satisfies(e -> assertThat(((ExpressionException) e).column()).isEqualTo(2));
        assertThatThrownBy(() -> MessageTemplate.parse("{timeFormatMs('yyyy',notnum)}").render(v))
            .isInstanceOf(ExpressionException.class);
        assertThatThrownBy(() -> MessageTemplate.parse("{replaceAll(notnum,badre,'')}").render(v))
            .isInstanceOf(ExpressionException.class);
    }

    @Test
    void templatesAreThreadSafe() throws Exception {
        MessageTemplate t = MessageTemplate.parse("{timeFormatUTCMs(fmt,epoch2)}|{sha256Hex(abc)}|{user.name}");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(pool.submit(() -> t.render(VARS)));
            }
            for (java.util.concurrent.Future<String> f : results) {
                assertThat(f.get()).isEqualTo(
                    "2017-05-10 04:24:26.000|ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad|jdoe");
            }
        } finally {
            pool.shutdown();
        }
    }
}
