package eu.securehub.psd2.runtime.trace;

import eu.securehub.psd2.runtime.engine.Json;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Applies a {@link DebugMask} the way Apigee's Debug does ("Masking and hiding data",
 * https://cloud.google.com/apigee/docs/api-platform/security/data-masking): {@code private.*} variables are never
 * shown; variables the mask names show {@code *****}; the JSON paths mask values inside JSON bodies (request paths in
 * request messages, response paths in responses, fault paths — with the response paths — in error responses).
 *
 * <p>Assumptions (the docs do not say; all chosen to show less rather than more):
 * <ul>
 *   <li>Variable names are compared case-insensitively (header names are case-insensitive), and a masked name masks
 *       the names under it too ({@code request.header.authorization} masks {@code request.header.authorization.values},
 *       {@code request.content} masks {@code request.content.as.base64}).</li>
 *   <li>{@code message.X} and {@code error.X} are masked when {@code request.X} or {@code response.X} is.</li>
 *   <li>The message bodies shown for the client request and final response are {@code request.content} and
 *       {@code response.content}: a mask naming those variables hides the bodies entirely.</li>
 *   <li>Header display: Apigee's handling of header values in Debug is assumed to follow the variables
 *       {@code request.header.NAME} / {@code response.header.NAME}; in addition, {@code Authorization} and
 *       {@code x-api-key} header values are always shown as {@code *****} (a local choice).</li>
 *   <li>JSON paths also apply to variables holding message content ({@code request.content},
 *       {@code response.content}, {@code message.content}, {@code NAME.content}); a named message's or
 *       {@code message.content}'s body gets every path (whether it is a request or a response is not recorded).</li>
 * </ul>
 */
final class Masker {
    static final String MASK = "*****";
    static final int VALUE_LIMIT = 300;
    static final int CONTENT_LIMIT = 4000;
    private static final Set<String> ALWAYS_MASKED_HEADERS = Set.of("authorization", "x-api-key");

    /** One step of a JSON path: a member name, an index, or * (every member/element). */
    private record Tok(String name, int index, boolean star) {
    }

    private final Set<String> variables = new HashSet<>();
    private final List<List<Tok>> requestPaths;
    private final List<List<Tok>> responsePaths;
    private final List<List<Tok>> errorPaths;
    private final List<List<Tok>> allPaths;

    Masker(DebugMask mask) {
        for (String v : mask.variables()) {
            variables.add(v.trim().toLowerCase(Locale.ROOT));
        }
        requestPaths = parse(mask.requestJSONPaths());
        responsePaths = parse(mask.responseJSONPaths());
        errorPaths = new ArrayList<>(responsePaths);
        errorPaths.addAll(parse(mask.faultJSONPaths()));
        allPaths = new ArrayList<>(requestPaths);
        allPaths.addAll(errorPaths);
    }

    // ------------------------------------------------------------------ variables

    /** The variable as shown, or null when it is hidden ({@code private.*}). */
    Trace.Variable variable(String name, Object value, boolean removed) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("private.")) {
            return null;
        }
        if (removed) {
            return new Trace.Variable(name, null, true);
        }
        if (value == null) {
            return new Trace.Variable(name, null, false);
        }
        if (masked(lower)) {
            return new Trace.Variable(name, MASK, false);
        }
        String s = text(value);
        if (lower.endsWith(".content")) {
            String msg = lower.substring(0, lower.length() - ".content".length());
            s = json(s, msg.equals("request") ? requestPaths
                    : msg.equals("response") || msg.equals("error") ? errorPaths : allPaths);
        }
        return new Trace.Variable(name, truncate(s, VALUE_LIMIT), false);
    }

    /** Whether the mask names the variable (lower-cased) or a variable above it, directly or via message/error. */
    boolean masked(String lower) {
        if (hit(lower)) {
            return true;
        }
        if (lower.startsWith("message.")) {
            String rest = lower.substring(8);
            return hit("request." + rest) || hit("response." + rest);
        }
        if (lower.startsWith("error.")) {
            return hit("response." + lower.substring(6));
        }
        return false;
    }

    private boolean hit(String lower) {
        if (variables.isEmpty()) {
            return false;
        }
        if (variables.contains(lower)) {
            return true;
        }
        for (int dot = lower.lastIndexOf('.'); dot > 0; dot = lower.lastIndexOf('.', dot - 1)) {
            if (variables.contains(lower.substring(0, dot))) {
                return true;
            }
        }
        return false;
    }

    static String text(Object value) {
        if (value instanceof Message m) {
            return m.isRequest() ? "(request message)" : "(response message)";
        }
        if (value instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (value instanceof Collection<?> c) {
            return String.valueOf(new ArrayList<>(c));
        }
        return String.valueOf(value);
    }

    static String truncate(String s, int limit) {
        if (s == null || s.length() <= limit) {
            return s;
        }
        return s.substring(0, limit) + "…(" + s.length() + " chars)";
    }

    // ------------------------------------------------------------------ messages

    /** A message as shown; {@code var} is "request" or "response" (whose header/content variables apply). */
    Trace.MessageSnapshot message(TraceBuilder.RawMessage m, boolean error) {
        if (m == null) {
            return new Trace.MessageSnapshot(0, List.of(), null);
        }
        String var = m.request() ? "request" : "response";
        String content = null;
        if (m.content() != null && m.content().length > 0) {
            if (masked(var + ".content") || (error && masked("error.content"))) {
                content = MASK;
            } else {
                content = truncate(json(new String(m.content(), StandardCharsets.UTF_8),
                        m.request() ? requestPaths : error ? errorPaths : responsePaths), CONTENT_LIMIT);
            }
        }
        return new Trace.MessageSnapshot(m.status(), headers(m.headers(), var), content);
    }

    List<Trace.Header> headers(Headers h, String var) {
        List<Trace.Header> out = new ArrayList<>();
        if (h == null) {
            return out;
        }
        for (String n : h.names()) {
            String lower = n.toLowerCase(Locale.ROOT);
            boolean hide = ALWAYS_MASKED_HEADERS.contains(lower) || masked(var + ".header." + lower);
            for (String v : h.all(n)) {
                out.add(new Trace.Header(n, hide ? MASK : truncate(v, VALUE_LIMIT)));
            }
        }
        return out;
    }

    /** A query as shown: names in order, each value masked if {@code request.queryparam.NAME} is. */
    String query(Map<String, List<String>> q) {
        if (q == null || q.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<String>> e : q.entrySet()) {
            boolean hide = masked("request.queryparam." + e.getKey().toLowerCase(Locale.ROOT));
            List<String> values = e.getValue().isEmpty() ? List.of("") : e.getValue();
            for (String v : values) {
                if (b.length() > 0) {
                    b.append('&');
                }
                b.append(e.getKey()).append('=').append(hide ? MASK : truncate(v, 100));
            }
        }
        return b.toString();
    }

    /** A raw query string's decoded parameters, in order. */
    static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                k = java.net.URLDecoder.decode(k, StandardCharsets.UTF_8);
                v = java.net.URLDecoder.decode(v, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // shown as sent
            }
            out.computeIfAbsent(k, n -> new ArrayList<>()).add(v);
        }
        return out;
    }

    // ------------------------------------------------------------------ JSON paths

    /** The text with the paths' values replaced by *****, if it is JSON; else unchanged. */
    static String json(String text, List<List<Tok>> paths) {
        if (paths.isEmpty() || text == null) {
            return text;
        }
        String t = text.stripLeading();
        if (t.isEmpty() || (t.charAt(0) != '{' && t.charAt(0) != '[')) {
            return text;
        }
        Object doc;
        try {
            doc = Json.parse(text);
        } catch (RuntimeException e) {
            return text;
        }
        for (List<Tok> p : paths) {
            doc = apply(doc, p, 0);
        }
        return Json.write(doc);
    }

    @SuppressWarnings("unchecked")
    private static Object apply(Object node, List<Tok> path, int i) {
        if (i == path.size()) {
            return MASK;
        }
        Tok t = path.get(i);
        if (node instanceof Map<?, ?> raw) {
            Map<String, Object> m = (Map<String, Object>) raw;
            if (t.star()) {
                for (Map.Entry<String, Object> e : m.entrySet()) {
                    e.setValue(apply(e.getValue(), path, i + 1));
                }
            } else if (t.name() != null && m.containsKey(t.name())) {
                m.put(t.name(), apply(m.get(t.name()), path, i + 1));
            }
        } else if (node instanceof List<?> raw) {
            List<Object> l = (List<Object>) raw;
            if (t.star()) {
                for (int k = 0; k < l.size(); k++) {
                    l.set(k, apply(l.get(k), path, i + 1));
                }
            } else if (t.index() >= 0 && t.index() < l.size()) {
                l.set(t.index(), apply(l.get(t.index()), path, i + 1));
            }
        }
        return node;
    }

    /** Parses the JSONPath forms of edge.json: $.a.b, $.a[*].b, $.a, $['a'], $.a[0], $.*; others are ignored. */
    static List<List<Tok>> parse(List<String> paths) {
        List<List<Tok>> out = new ArrayList<>();
        for (String p : paths) {
            List<Tok> toks = parse(p.trim());
            if (toks != null) {
                out.add(toks);
            }
        }
        return out;
    }

    private static List<Tok> parse(String p) {
        if (!p.startsWith("$")) {
            return null;
        }
        List<Tok> toks = new ArrayList<>();
        int i = 1;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '.') {
                int j = i + 1;
                while (j < p.length() && p.charAt(j) != '.' && p.charAt(j) != '[') {
                    j++;
                }
                String name = p.substring(i + 1, j);
                if (name.isEmpty()) {
                    return null; // ".." (deep scan) is not supported
                }
                toks.add(name.equals("*") ? new Tok(null, -1, true) : new Tok(name, -1, false));
                i = j;
            } else if (c == '[') {
                int j = p.indexOf(']', i);
                if (j < 0) {
                    return null;
                }
                String in = p.substring(i + 1, j).trim();
                if (in.equals("*")) {
                    toks.add(new Tok(null, -1, true));
                } else if (in.length() >= 2 && (in.charAt(0) == '\'' || in.charAt(0) == '"')) {
                    toks.add(new Tok(in.substring(1, in.length() - 1), -1, false));
                } else {
                    try {
                        toks.add(new Tok(null, Integer.parseInt(in), false));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                i = j + 1;
            } else {
                return null;
            }
        }
        return toks;
    }
}
