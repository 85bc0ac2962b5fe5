package eu.securehub.psd2.callouts.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small strict JSON reader and writer (RFC 8259), enough for the callouts: it parses the keyring
 * and token records, and rewrites named members of a payload in place without building a tree.
 * Objects become {@link Map}s, arrays {@link List}s, integers {@link Long} (or {@link BigDecimal}
 * when they do not fit or have a fraction). Nesting is limited so hostile input cannot exhaust the stack.
 */
public final class Json {
    /** Deeper nesting than this is refused. */
    public static final int MAX_DEPTH = 64;

    /** Rewrites the raw JSON text of a named member's value. */
    @FunctionalInterface
    public interface MemberRewriter<E extends Exception> {
        String rewrite(String name, String rawValue) throws E, JsonException;
    }

    private Json() {
    }

    public static Object parse(String text) throws JsonException {
        Reader r = new Reader(text);
        r.ws();
        Object value = r.value(0);
        r.ws();
        r.end();
        return value;
    }

    /** Parses text that must be a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) throws JsonException {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new JsonException("expected a JSON object");
        }
        return (Map<String, Object>) value;
    }

    /**
     * Returns {@code text} with the value of every object member named in {@code names}, at any depth,
     * replaced by what {@code rewriter} returns for it. The value of a rewritten member is not searched.
     * Everything else, white space included, is copied as it is. The whole text is validated.
     */
    public static <E extends Exception> String rewriteMembers(String text, Set<String> names, MemberRewriter<E> rewriter)
            throws E, JsonException {
        Reader r = new Reader(text);
        StringBuilder out = new StringBuilder(text.length() + (text.length() >> 1));
        r.ws();
        r.rewrite(0, names, rewriter, out);
        r.ws();
        r.end();
        out.append(text, r.copiedUpTo, text.length());
        return out.toString();
    }

    /**
     * The JSON text of a value built from {@link Map}s (string keys, in their iteration order),
     * {@link List}s, {@link String}s, {@link Number}s, {@link Boolean}s and null, as {@link #parse} returns them.
     */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(value, b, 0, false);
        return b.toString();
    }

    /**
     * Like {@link #write}, but for people: every member and item on a line of its own, indented by two
     * spaces a level, {@code ": "} after a name, empty objects and arrays as {@code {}} and {@code []},
     * and a newline at the end.
     */
    public static String pretty(Object value) {
        StringBuilder b = new StringBuilder(256);
        write(value, b, 0, true);
        return b.append('\n').toString();
    }

    private static void write(Object value, StringBuilder b, int depth, boolean pretty) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("value nested deeper than " + MAX_DEPTH);
        }
        if (value == null) {
            b.append("null");
        } else if (value instanceof String) {
            quote((String) value, b);
        } else if (value instanceof Boolean || value instanceof Long || value instanceof Integer
                || value instanceof BigDecimal) {
            b.append(value);
        } else if (value instanceof Map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                first = next(b, first, depth + 1, pretty);
                quote(String.valueOf(e.getKey()), b);
                b.append(':');
                if (pretty) {
                    b.append(' ');
                }
                write(e.getValue(), b, depth + 1, pretty);
            }
            close(b, '}', first, depth, pretty);
        } else if (value instanceof List) {
            b.append('[');
            boolean first = true;
            for (Object item : (List<?>) value) {
                first = next(b, first, depth + 1, pretty);
                write(item, b, depth + 1, pretty);
            }
            close(b, ']', first, depth, pretty);
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getSimpleName() + " as JSON");
        }
    }

    /** Starts a member or item: a comma unless it is the first, then (pretty) a new indented line. */
    private static boolean next(StringBuilder b, boolean first, int depth, boolean pretty) {
        if (!first) {
            b.append(',');
        }
        if (pretty) {
            indent(b, depth);
        }
        return false;
    }

    private static void close(StringBuilder b, char bracket, boolean empty, int depth, boolean pretty) {
        if (pretty && !empty) {
            indent(b, depth);
        }
        b.append(bracket);
    }

    private static void indent(StringBuilder b, int depth) {
        b.append('\n');
        for (int i = 0; i < depth; i++) {
            b.append("  ");
        }
    }

    /** The JSON string literal for {@code s}. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        quote(s, b);
        return b.toString();
    }

    public static void quote(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
    }

    private static final class Reader {
        private final String s;
        private int pos;
        int copiedUpTo;

        Reader(String s) {
            this.s = s;
        }

        void ws() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    return;
                }
            }
        }

        void end() throws JsonException {
            if (pos != s.length()) {
                throw error("unexpected content after the JSON value");
            }
        }

        JsonException error(String what) {
            return new JsonException(what, pos);
        }

        char peek() throws JsonException {
            if (pos >= s.length()) {
                throw error("unexpected end of JSON");
            }
            return s.charAt(pos);
        }

        void expect(char c) throws JsonException {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        Object value(int depth) throws JsonException {
            char c = peek();
            switch (c) {
                case '{': return object(depth + 1);
                case '[': return array(depth + 1);
                case '"': return string();
                case 't': literal("true"); return Boolean.TRUE;
                case 'f': literal("false"); return Boolean.FALSE;
                case 'n': literal("null"); return null;
                default: return number();
            }
        }

        private void checkDepth(int depth) throws JsonException {
            if (depth > MAX_DEPTH) {
                throw error("JSON nested deeper than " + MAX_DEPTH);
            }
        }

        Map<String, Object> object(int depth) throws JsonException {
            checkDepth(depth);
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            ws();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                ws();
                String name = string();
                ws();
                expect(':');
                ws();
                if (map.put(name, value(depth)) != null) {
                    throw error("duplicate member name");
                }
                ws();
                char c = peek();
                pos++;
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}'");
                }
            }
        }

        List<Object> array(int depth) throws JsonException {
            checkDepth(depth);
            pos++;
            List<Object> list = new ArrayList<>();
            ws();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                ws();
                list.add(value(depth));
                ws();
                char c = peek();
                pos++;
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']'");
                }
            }
        }

        void literal(String word) throws JsonException {
            if (!s.startsWith(word, pos)) {
                throw error("invalid literal");
            }
            pos += word.length();
        }

        String string() throws JsonException {
            expect('"');
            StringBuilder b = null;
            int start = pos;
            while (true) {
                char c = peek();
                if (c == '"') {
                    String result = b == null ? s.substring(start, pos) : b.append(s, start, pos).toString();
                    pos++;
                    return result;
                }
                if (c < 0x20) {
                    throw error("control character in string");
                }
                if (c == '\\') {
                    if (b == null) {
                        b = new StringBuilder();
                    }
                    b.append(s, start, pos);
                    pos++;
                    b.append(escape());
                    start = pos;
                } else {
                    pos++;
                }
            }
        }

        private char escape() throws JsonException {
            char e = peek();
            pos++;
            switch (e) {
                case '"': return '"';
                case '\\': return '\\';
                case '/': return '/';
                case 'b': return '\b';
                case 'f': return '\f';
                case 'n': return '\n';
                case 'r': return '\r';
                case 't': return '\t';
                case 'u':
                    if (pos + 4 > s.length()) {
                        throw error("truncated \\u escape");
                    }
                    int v = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(s.charAt(pos + i), 16);
                        if (d < 0) {
                            throw error("invalid \\u escape");
                        }
                        v = (v << 4) | d;
                    }
                    pos += 4;
                    return (char) v;
                default:
                    pos--;
                    throw error("invalid escape");
            }
        }

        Number number() throws JsonException {
            int start = pos;
            boolean integral = true;
            if (pos < s.length() && s.charAt(pos) == '-') {
                pos++;
            }
            if (pos < s.length() && s.charAt(pos) == '0') {
                pos++;
            } else if (digits() == 0) {
                throw error("invalid JSON value");
            }
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                integral = false;
                if (digits() == 0) {
                    throw error("invalid number");
                }
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                integral = false;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (digits() == 0) {
                    throw error("invalid number");
                }
            }
            String text = s.substring(start, pos);
            if (integral && text.length() < 19) {
                return Long.parseLong(text);
            }
            return new BigDecimal(text);
        }

        private int digits() {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            return pos - start;
        }

        /** Validates without building anything. */
        void skip(int depth) throws JsonException {
            char c = peek();
            if (c == '{' || c == '[') {
                checkDepth(depth + 1);
                char close = c == '{' ? '}' : ']';
                pos++;
                ws();
                if (peek() == close) {
                    pos++;
                    return;
                }
                while (true) {
                    ws();
                    if (c == '{') {
                        string();
                        ws();
                        expect(':');
                        ws();
                    }
                    skip(depth + 1);
                    ws();
                    char n = peek();
                    pos++;
                    if (n == close) {
                        return;
                    }
                    if (n != ',') {
                        pos--;
                        throw error("expected ',' or '" + close + "'");
                    }
                }
            } else if (c == '"') {
                string();
            } else {
                value(depth);
            }
        }

        <E extends Exception> void rewrite(int depth, Set<String> names, MemberRewriter<E> rewriter, StringBuilder out)
                throws E, JsonException {
            char c = peek();
            if (c != '{' && c != '[') {
                skip(depth);
                return;
            }
            checkDepth(depth + 1);
            char close = c == '{' ? '}' : ']';
            pos++;
            ws();
            if (peek() == close) {
                pos++;
                return;
            }
            while (true) {
                ws();
                if (c == '{') {
                    String name = string();
                    ws();
                    expect(':');
                    ws();
                    if (names.contains(name)) {
                        int start = pos;
                        skip(depth + 1);
                        out.append(s, copiedUpTo, start).append(rewriter.rewrite(name, s.substring(start, pos)));
                        copiedUpTo = pos;
                    } else {
                        rewrite(depth + 1, names, rewriter, out);
                    }
                } else {
                    rewrite(depth + 1, names, rewriter, out);
                }
                ws();
                char n = peek();
                pos++;
                if (n == close) {
                    return;
                }
                if (n != ',') {
                    pos--;
                    throw error("expected ',' or '" + close + "'");
                }
            }
        }
    }
}
