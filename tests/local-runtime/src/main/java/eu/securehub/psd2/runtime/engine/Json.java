package eu.securehub.psd2.runtime.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small JSON reader/writer and a JSONPath subset ($, .name, ['name'], [n], [*], .*, ..name) for ExtractVariables. */
public final class Json {
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    public static Object parse(String text) {
        Json j = new Json(text);
        j.ws();
        Object v = j.value();
        j.ws();
        if (j.i != j.s.length()) {
            throw j.err("trailing characters");
        }
        return v;
    }

    private IllegalArgumentException err(String m) {
        return new IllegalArgumentException("malformed JSON at " + i + ": " + m);
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private Object value() {
        if (i >= s.length()) {
            throw err("unexpected end");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{': {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (peek('}')) {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    if (!peek('"')) {
                        throw err("expected a key");
                    }
                    String k = string();
                    ws();
                    expect(':');
                    ws();
                    m.put(k, value());
                    ws();
                    if (peek(',')) {
                        i++;
                        continue;
                    }
                    expect('}');
                    return m;
                }
            }
            case '[': {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (peek(']')) {
                    i++;
                    return l;
                }
                while (true) {
                    ws();
                    l.add(value());
                    ws();
                    if (peek(',')) {
                        i++;
                        continue;
                    }
                    expect(']');
                    return l;
                }
            }
            case '"':
                return string();
            case 't':
                word("true");
                return Boolean.TRUE;
            case 'f':
                word("false");
                return Boolean.FALSE;
            case 'n':
                word("null");
                return null;
            default:
                return number();
        }
    }

    private boolean peek(char c) {
        return i < s.length() && s.charAt(i) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw err("expected '" + c + "'");
        }
        i++;
    }

    private void word(String w) {
        if (!s.startsWith(w, i)) {
            throw err("expected " + w);
        }
        i += w.length();
    }

    private Object number() {
        int st = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String n = s.substring(st, i);
        if (n.isEmpty()) {
            throw err("unexpected character");
        }
        try {
            if (n.contains(".") || n.contains("e") || n.contains("E")) {
                return Double.parseDouble(n);
            }
            long l = Long.parseLong(n);
            return l;
        } catch (NumberFormatException e) {
            throw err("bad number " + n);
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw err("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
    }

    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(v, b);
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static void write(Object v, StringBuilder b) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String str) {
            quote(str, b);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(e.getKey(), b);
                b.append(':');
                write(e.getValue(), b);
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int k = 0; k < l.size(); k++) {
                if (k > 0) {
                    b.append(',');
                }
                write(l.get(k), b);
            }
            b.append(']');
        } else {
            b.append(v);
        }
    }

    public static void quote(String str, StringBuilder b) {
        b.append('"');
        for (int k = 0; k < str.length(); k++) {
            char c = str.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Evaluates a JSONPath subset; returns the matches (possibly empty). */
    public static List<Object> path(Object root, String path) {
        String p = path.trim();
        if (!p.startsWith("$")) {
            throw new IllegalArgumentException("JSONPath must start with $: " + path);
        }
        List<Object> cur = new ArrayList<>();
        cur.add(root);
        int k = 1;
        while (k < p.length()) {
            char c = p.charAt(k);
            List<Object> next = new ArrayList<>();
            if (p.startsWith("..", k)) {
                k += 2;
                int e = k;
                while (e < p.length() && p.charAt(e) != '.' && p.charAt(e) != '[') {
                    e++;
                }
                String name = p.substring(k, e);
                k = e;
                for (Object o : cur) {
                    deep(o, name, next);
                }
            } else if (c == '.') {
                k++;
                int e = k;
                while (e < p.length() && p.charAt(e) != '.' && p.charAt(e) != '[') {
                    e++;
                }
                String name = p.substring(k, e);
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("bad JSONPath " + path);
                }
                k = e;
                for (Object o : cur) {
                    child(o, name, next);
                }
            } else if (c == '[') {
                int e = p.indexOf(']', k);
                if (e < 0) {
                    throw new IllegalArgumentException("bad JSONPath " + path);
                }
                String sel = p.substring(k + 1, e).trim();
                k = e + 1;
                for (Object o : cur) {
                    if (sel.equals("*")) {
                        child(o, "*", next);
                    } else if (sel.startsWith("'") && sel.endsWith("'") && sel.length() >= 2) {
                        child(o, sel.substring(1, sel.length() - 1), next);
                    } else if (o instanceof List<?> l) {
                        int idx;
                        try {
                            idx = Integer.parseInt(sel);
                        } catch (NumberFormatException ex) {
                            throw new IllegalArgumentException("unsupported JSONPath selector [" + sel + "]");
                        }
                        if (idx < 0) {
                            idx += l.size();
                        }
                        if (idx >= 0 && idx < l.size()) {
                            next.add(l.get(idx));
                        }
                    }
                }
            } else {
                throw new IllegalArgumentException("bad JSONPath " + path);
            }
            cur = next;
        }
        return cur;
    }

    private static void child(Object o, String name, List<Object> out) {
        if (o instanceof Map<?, ?> m) {
            if (name.equals("*")) {
                out.addAll(m.values());
            } else if (m.containsKey(name)) {
                out.add(m.get(name));
            }
        } else if (o instanceof List<?> l && name.equals("*")) {
            out.addAll(l);
        }
    }

    private static void deep(Object o, String name, List<Object> out) {
        if (o instanceof Map<?, ?> m) {
            if (m.containsKey(name)) {
                out.add(m.get(name));
            }
            for (Object v : m.values()) {
                deep(v, name, out);
            }
        } else if (o instanceof List<?> l) {
            for (Object v : l) {
                deep(v, name, out);
            }
        }
    }
}
