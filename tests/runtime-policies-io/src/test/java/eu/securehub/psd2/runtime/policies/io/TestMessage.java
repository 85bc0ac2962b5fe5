package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.Message;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A plain Message for the tests. */
final class TestMessage implements Message {
    private final boolean request;
    private String verb = "GET";
    private String path = "";
    private String query = "";
    private Headers headers = Headers.create();
    private byte[] content = new byte[0];
    private int status = 200;
    private String reason;

    TestMessage(boolean request) {
        this.request = request;
    }

    static TestMessage request(String verb, String path, String query) {
        TestMessage m = new TestMessage(true);
        m.verb = verb;
        m.path = path;
        m.query = query == null ? "" : query;
        return m;
    }

    TestMessage header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    TestMessage body(String contentType, String body) {
        headers.set("Content-Type", contentType);
        content(body);
        return this;
    }

    @Override public String verb() { return verb; }
    @Override public void verb(String v) { verb = v; }
    @Override public String path() { return path; }
    @Override public void path(String p) { path = p; }
    @Override public String queryString() { return query; }
    @Override public void queryString(String raw) { query = raw == null ? "" : raw; }
    @Override public Headers headers() { return headers; }
    @Override public byte[] content() { return content; }
    @Override public void content(byte[] c) { content = c == null ? new byte[0] : c; }
    @Override public int status() { return status; }
    @Override public void status(int s) { status = s; }
    @Override public String reasonPhrase() { return reason; }
    @Override public void reasonPhrase(String p) { reason = p; }
    @Override public boolean isRequest() { return request; }

    @Override
    public Map<String, List<String>> queryParams() {
        return decode(query);
    }

    @Override
    public Map<String, List<String>> formParams() {
        return decode(contentAsString());
    }

    private static Map<String, List<String>> decode(String s) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (s == null || s.isEmpty()) {
            return out;
        }
        for (String pair : s.split("&")) {
            String[] kv = pair.split("=", 2);
            out.computeIfAbsent(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }

    private static String encode(Map<String, List<String>> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, vs) -> vs.forEach(v -> parts.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8))));
        return String.join("&", parts);
    }

    @Override public void setQueryParam(String n, String v) { var m = queryParams(); m.put(n, new ArrayList<>(List.of(v))); query = encode(m); }
    @Override public void addQueryParam(String n, String v) { var m = queryParams(); m.computeIfAbsent(n, k -> new ArrayList<>()).add(v); query = encode(m); }
    @Override public void removeQueryParam(String n) { var m = queryParams(); m.remove(n); query = encode(m); }
    @Override public void setFormParam(String n, String v) { var m = formParams(); m.put(n, new ArrayList<>(List.of(v))); content(encode(m)); }
    @Override public void addFormParam(String n, String v) { var m = formParams(); m.computeIfAbsent(n, k -> new ArrayList<>()).add(v); content(encode(m)); }
    @Override public void removeFormParam(String n) { var m = formParams(); m.remove(n); content(encode(m)); }

    @Override
    public Message copy() {
        TestMessage m = new TestMessage(request);
        m.verb = verb;
        m.path = path;
        m.query = query;
        m.headers = headers.copy();
        m.content = content.clone();
        m.status = status;
        m.reason = reason;
        return m;
    }
}
