package eu.securehub.psd2.localhub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import eu.securehub.psd2.runtime.trace.Cost;
import eu.securehub.psd2.runtime.trace.Event;
import eu.securehub.psd2.runtime.trace.Step;
import eu.securehub.psd2.runtime.trace.Trace;
import eu.securehub.psd2.runtime.trace.TraceRecorder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The local hub's Debug page on 127.0.0.1 (like Apigee's Debug tool, over the runtime's {@link TraceRecorder}; every
 * trace is already masked): {@code GET /traces} (JSON list, newest first), {@code GET /traces/{id}} (one trace's JSON),
 * {@code GET /} (HTML: the requests, newest first), {@code GET /trace/{id}} (HTML: that request's cost counts and its
 * steps as a timeline). Server-rendered, no external scripts; everything shown is HTML-escaped.
 */
public final class DebugPage implements AutoCloseable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final HttpServer server;
    private final ExecutorService executor;
    private final TraceRecorder traces;

    private DebugPage(HttpServer server, ExecutorService executor, TraceRecorder traces) {
        this.server = server;
        this.executor = executor;
        this.traces = traces;
    }

    static DebugPage start(int port, TraceRecorder traces) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 32);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + " (the debug page)", e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "debug-page");
            t.setDaemon(true);
            return t;
        });
        DebugPage page = new DebugPage(server, executor, traces);
        server.createContext("/", page::handle);
        server.setExecutor(executor);
        server.start();
        return page;
    }

    /** {@code http://127.0.0.1:<port>/}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            if (!"GET".equals(x.getRequestMethod())) {
                send(x, 405, "text/plain; charset=utf-8", "GET only");
                return;
            }
            if (path.equals("/traces")) {
                send(x, 200, "application/json", Trace.listJson(traces.list()));
            } else if (path.startsWith("/traces/")) {
                Optional<Trace> t = traces.get(path.substring("/traces/".length()));
                if (t.isPresent()) {
                    send(x, 200, "application/json", t.get().toJson());
                } else {
                    send(x, 404, "application/json", "{\"error\":\"no such trace (only the last " + traces.capacity()
                            + " are kept)\"}");
                }
            } else if (path.equals("/")) {
                send(x, 200, "text/html; charset=utf-8", listPage(traces.list()));
            } else if (path.startsWith("/trace/")) {
                Optional<Trace> t = traces.get(path.substring("/trace/".length()));
                if (t.isPresent()) {
                    send(x, 200, "text/html; charset=utf-8", tracePage(t.get()));
                } else {
                    send(x, 404, "text/html; charset=utf-8", page("Trace not found",
                            "<p>No such trace: only the last " + traces.capacity() + " are kept. <a href=\"/\">All requests</a></p>"));
                }
            } else {
                send(x, 404, "text/plain; charset=utf-8", "Not found");
            }
        } catch (RuntimeException e) {
            send(x, 500, "text/plain; charset=utf-8", "debug page error: " + e.getClass().getSimpleName());
        }
    }

    // ------------------------------------------------------------------ HTML

    private static final String CSS = "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}"
            + "table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;"
            + "vertical-align:top}th{background:#f3f3f3}.num{text-align:right}.err{color:#b00}"
            + ".step{display:grid;grid-template-columns:34em 1fr;align-items:start;border-bottom:1px solid #eee}"
            + ".label{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.track{position:relative;height:1.2em;"
            + "background:#fafafa}.bar{position:absolute;top:2px;height:.9em;min-width:2px;background:#4a7fd4}"
            + ".skipped{color:#999}.skipped .bar{background:#ccc}.fault .bar{background:#d33}.fault{color:#b00}"
            + ".cond .bar{background:#9b7fd4}.target .bar{background:#2a9d5c}.flow{color:#777;font-size:12px}"
            + "details{font-size:12px;margin:2px 0 4px}code{font-size:12px;word-break:break-all}"
            + ".cost td{padding:2px 10px}";

    private static String page(String title, String body) {
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title><style>" + CSS
                + "</style></head><body>" + body + "</body></html>";
    }

    static String listPage(List<Trace> list) {
        StringBuilder b = new StringBuilder("<h1>Local Debug: last requests</h1>");
        b.append("<p>").append(list.size()).append(" trace(s), newest first; masked with edge.json's debug mask. "
                + "JSON: <a href=\"/traces\">/traces</a></p>");
        b.append("<table id=\"requests\"><tr><th>time (UTC)</th><th>node</th><th>request</th><th>status</th>"
                + "<th class=\"num\">ms</th><th class=\"num\">policies</th><th class=\"num\">bank calls</th>"
                + "<th class=\"num\">KMS calls</th></tr>");
        for (Trace t : list) {
            String href = "/trace/" + url(t.id());
            b.append("<tr class=\"").append(t.status() >= 400 ? "err" : "").append("\"><td>")
                    .append(esc(TIME.format(t.start()))).append("</td><td>").append(t.node()).append("</td><td>")
                    .append("<a class=\"req\" href=\"").append(esc(href)).append("\">").append(esc(t.method()))
                    .append(' ').append(esc(t.path())).append("</a></td><td>").append(t.status())
                    .append("</td><td class=\"num\">").append(ms(t.durationMicros())).append("</td><td class=\"num\">")
                    .append(t.cost().policies()).append("</td><td class=\"num\">").append(t.cost().bankCalls())
                    .append("</td><td class=\"num\">").append(t.cost().kmsCalls()).append("</td></tr>");
        }
        b.append("</table>");
        return page("Local Debug", b.toString());
    }

    static String tracePage(Trace t) {
        StringBuilder b = new StringBuilder();
        b.append("<p><a href=\"/\">&larr; all requests</a> &middot; <a href=\"/traces/").append(esc(url(t.id())))
                .append("\">JSON</a></p>");
        b.append("<h1 id=\"title\">").append(esc(t.method())).append(' ').append(esc(t.path()))
                .append(t.query().isEmpty() ? "" : "?" + esc(t.query())).append(" &rarr; ").append(t.status())
                .append("</h1>");
        b.append("<p>messageid <code>").append(esc(t.id())).append("</code> &middot; node ").append(t.node())
                .append(" &middot; ").append(esc(t.proxy())).append(" rev ").append(esc(t.revision())).append(" &middot; ")
                .append(esc(t.start().toString())).append(" &middot; ").append(ms(t.durationMicros()))
                .append(" ms (").append(ms(t.totalMicros())).append(" ms with PostClientFlow)</p>");
        cost(b, t.cost());
        b.append("<h2>Timeline</h2><div id=\"timeline\">");
        double total = Math.max(1, t.totalMicros());
        for (Step s : t.steps()) {
            String cls = "step" + (s.fault() != null ? " fault" : !s.executed() ? " skipped" : "")
                    + (s.kind().equals(Step.TARGET) ? " target" : s.kind().equals(Step.POLICY) ? "" : " cond");
            double left = Math.min(100, s.offsetMicros() * 100.0 / total);
            double width = Math.max(0.2, Math.min(100 - left, s.micros() * 100.0 / total));
            b.append("<div class=\"").append(cls).append("\" data-kind=\"").append(esc(s.kind())).append("\" data-type=\"")
                    .append(esc(s.type())).append("\"><div class=\"label\" style=\"padding-left:")
                    .append(s.depth() * 1.5).append("em\">");
            b.append("<span class=\"flow\">").append(esc(s.flow())).append("</span> ");
            b.append("<strong>").append(esc(s.name())).append("</strong> <span class=\"type\">(").append(esc(s.type()))
                    .append(")</span>");
            if (s.depth() > 0) {
                b.append(" <span class=\"flow\">in ").append(esc(s.bundle())).append("</span>");
            }
            b.append(" ").append(ms3(s.micros())).append(" ms");
            if (!s.executed() && s.skipReason() != null) {
                b.append(" &middot; skipped: ").append(esc(s.skipReason()));
            }
            if (s.fault() != null) {
                b.append(" &middot; <span class=\"err\">fault ").append(esc(s.fault())).append("</span>");
            }
            details(b, s);
            b.append("</div><div class=\"track\"><div class=\"bar\" style=\"left:").append(String.format(java.util.Locale.ROOT, "%.3f", left))
                    .append("%;width:").append(String.format(java.util.Locale.ROOT, "%.3f", width)).append("%\" title=\"")
                    .append(esc(s.name() + " +" + ms3(s.offsetMicros()) + " ms, " + ms3(s.micros()) + " ms"))
                    .append("\"></div></div></div>");
        }
        b.append("</div>");
        messages(b, t);
        return page("Trace " + t.method() + " " + t.path(), b.toString());
    }

    private static void cost(StringBuilder b, Cost c) {
        b.append("<h2>Cost</h2><table class=\"cost\" id=\"cost\">");
        row(b, "policies executed", c.policies());
        row(b, "FlowCallouts", c.flowCallouts());
        row(b, "JavaCallouts", c.javaCallouts());
        row(b, "ServiceCallouts", c.serviceCallouts());
        row(b, "KVM reads (node-cache hits / datastore reads)", c.kvmReads() + " (" + c.kvmCacheHits() + " / "
                + c.kvmDatastoreReads() + ")");
        row(b, "KVM writes", c.kvmWrites());
        row(b, "Quota updates (distributed)", c.quotaUpdates() + " (" + c.distributedQuotaUpdates() + ")");
        row(b, "cache lookups (hits / misses), populates", c.cacheLookups() + " (" + c.cacheHits() + " / "
                + c.cacheMisses() + "), " + c.cachePopulates());
        row(b, "Cloud Logging writes", c.logWrites());
        row(b, "outbound calls", c.outboundCalls());
        row(b, "bank calls", c.bankCalls());
        row(b, "KMS calls", c.kmsCalls());
        for (Map.Entry<String, Integer> e : c.callsByDestination().entrySet()) {
            row(b, "calls to " + e.getKey(), e.getValue());
        }
        b.append("</table>");
    }

    private static void row(StringBuilder b, String name, Object value) {
        b.append("<tr><td>").append(esc(name)).append("</td><td class=\"num\">").append(esc(String.valueOf(value)))
                .append("</td></tr>");
    }

    private static void details(StringBuilder b, Step s) {
        int n = s.conditionReads().size() + s.reads().size() + s.writes().size() + s.events().size();
        if (s.condition() == null && n == 0) {
            return;
        }
        b.append("<details><summary>");
        if (s.condition() != null) {
            b.append("condition <code>").append(esc(s.condition())).append("</code> = ")
                    .append(esc(String.valueOf(s.conditionResult()))).append("; ");
        }
        b.append(s.reads().size()).append(" read(s), ").append(s.writes().size()).append(" write(s), ")
                .append(s.events().size()).append(" event(s)</summary>");
        vars(b, "condition read", s.conditionReads());
        vars(b, "read", s.reads());
        vars(b, "write", s.writes());
        if (!s.events().isEmpty()) {
            b.append("<table>");
            for (Event e : s.events()) {
                b.append("<tr><td>").append(esc(e.kind())).append("</td><td><code>")
                        .append(esc(e.label() != null && !e.label().equals(e.target()) ? e.label() + " (" + e.target() + ")"
                                : e.target())).append("</code></td><td>").append(esc(e.outcome()));
                if (e.method() != null) {
                    b.append(" ").append(esc(e.method())).append(" &rarr; ").append(e.status()).append(", ")
                            .append(ms3(e.micros())).append(" ms");
                }
                b.append("</td></tr>");
            }
            b.append("</table>");
        }
        b.append("</details>");
    }

    private static void vars(StringBuilder b, String what, List<Trace.Variable> vars) {
        if (vars.isEmpty()) {
            return;
        }
        b.append("<table>");
        for (Trace.Variable v : vars) {
            b.append("<tr><td>").append(what).append("</td><td><code>").append(esc(v.name())).append("</code></td><td><code>")
                    .append(v.removed() ? "(removed)" : esc(String.valueOf(v.value()))).append("</code></td></tr>");
        }
        b.append("</table>");
    }

    private static void messages(StringBuilder b, Trace t) {
        b.append("<h2>Messages</h2><details><summary>client request</summary>");
        message(b, t.request());
        b.append("</details><details><summary>response to the client (").append(t.response().status())
                .append(")</summary>");
        message(b, t.response());
        b.append("</details>");
        for (Trace.TargetCall c : t.targetCalls()) {
            b.append("<details><summary>target call ").append(esc(c.method())).append(' ').append(esc(c.url()))
                    .append(" &rarr; ").append(c.status()).append(", ").append(ms3(c.micros())).append(" ms</summary>");
            headers(b, c.requestHeaders());
            headers(b, c.responseHeaders());
            b.append("</details>");
        }
    }

    private static void message(StringBuilder b, Trace.MessageSnapshot m) {
        headers(b, m.headers());
        if (m.content() != null) {
            b.append("<pre><code>").append(esc(m.content())).append("</code></pre>");
        }
    }

    private static void headers(StringBuilder b, List<Trace.Header> headers) {
        b.append("<table>");
        for (Trace.Header h : headers) {
            b.append("<tr><td>").append(esc(h.name())).append("</td><td><code>").append(esc(h.value()))
                    .append("</code></td></tr>");
        }
        b.append("</table>");
    }

    private static String ms(long micros) {
        return String.valueOf(Math.round(micros / 1000.0));
    }

    private static String ms3(long micros) {
        return String.format(java.util.Locale.ROOT, "%.3f", micros / 1000.0);
    }

    private static String url(String id) {
        return java.net.URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        x.sendResponseHeaders(status, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
