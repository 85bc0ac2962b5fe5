package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.Message;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The runtime's {@link Message}. Not thread-safe: a message belongs to one exchange. */
public final class SimpleMessage implements Message, eu.securehub.psd2.runtime.spi.MessageOps.VersionSettable {
    private final boolean request;
    private String verb = "GET";
    private String path = "/";
    private String query = "";
    private String version = "1.1";
    private Headers headers = Headers.create();
    private byte[] content = new byte[0];
    private int status = 200;
    private String reason;

    public SimpleMessage(boolean request) {
        this.request = request;
    }

    @Override
    public String verb() {
        return verb;
    }

    @Override
    public void verb(String verb) {
        this.verb = verb;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public void path(String path) {
        this.path = path == null ? "" : path;
    }

    @Override
    public String queryString() {
        return query;
    }

    @Override
    public void queryString(String raw) {
        this.query = raw == null ? "" : (raw.startsWith("?") ? raw.substring(1) : raw);
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public void version(String v) {
        this.version = v;
    }

    @Override
    public Headers headers() {
        return headers;
    }

    public void headers(Headers h) {
        this.headers = h;
    }

    @Override
    public byte[] content() {
        return content;
    }

    @Override
    public void content(byte[] content) {
        this.content = content == null ? new byte[0] : content;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public void status(int status) {
        this.status = status;
    }

    @Override
    public String reasonPhrase() {
        return reason;
    }

    @Override
    public void reasonPhrase(String phrase) {
        this.reason = phrase;
    }

    @Override
    public boolean isRequest() {
        return request;
    }

    static Map<String, List<String>> decode(String s) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (s == null || s.isEmpty()) {
            return m;
        }
        for (String pair : s.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            m.computeIfAbsent(dec(k), x -> new ArrayList<>()).add(dec(v));
        }
        return m;
    }

    private static String dec(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    static String encode(Map<String, List<String>> m) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<String>> e : m.entrySet()) {
            for (String v : e.getValue()) {
                if (sb.length() > 0) {
                    sb.append('&');
                }
                sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(v == null ? "" : v, StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }

    @Override
    public Map<String, List<String>> queryParams() {
        return Collections.unmodifiableMap(decode(query));
    }

    @Override
    public Map<String, List<String>> formParams() {
        return Collections.unmodifiableMap(decode(contentAsString()));
    }

    private void editQuery(java.util.function.Consumer<Map<String, List<String>>> edit) {
        Map<String, List<String>> m = decode(query);
        edit.accept(m);
        query = encode(m);
    }

    private void editForm(java.util.function.Consumer<Map<String, List<String>>> edit) {
        Map<String, List<String>> m = decode(contentAsString());
        edit.accept(m);
        content(encode(m));
        headers.set("Content-Type", "application/x-www-form-urlencoded");
    }

    @Override
    public void setQueryParam(String name, String value) {
        editQuery(m -> m.put(name, new ArrayList<>(List.of(value == null ? "" : value))));
    }

    @Override
    public void addQueryParam(String name, String value) {
        editQuery(m -> m.computeIfAbsent(name, x -> new ArrayList<>()).add(value == null ? "" : value));
    }

    @Override
    public void removeQueryParam(String name) {
        editQuery(m -> m.remove(name));
    }

    @Override
    public void setFormParam(String name, String value) {
        editForm(m -> m.put(name, new ArrayList<>(List.of(value == null ? "" : value))));
    }

    @Override
    public void addFormParam(String name, String value) {
        editForm(m -> m.computeIfAbsent(name, x -> new ArrayList<>()).add(value == null ? "" : value));
    }

    @Override
    public void removeFormParam(String name) {
        editForm(m -> m.remove(name));
    }

    @Override
    public Message copy() {
        SimpleMessage m = new SimpleMessage(request);
        m.verb = verb;
        m.path = path;
        m.query = query;
        m.version = version;
        m.headers = headers.copy();
        m.content = content.clone();
        m.status = status;
        m.reason = reason;
        return m;
    }

    @Override
    public String toString() {
        return request ? verb + " " + uri() : "HTTP " + status;
    }
}
