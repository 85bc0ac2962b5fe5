package eu.securehub.psd2.localhub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for the CRM's return page on 127.0.0.1: where the hub sends the customer's browser after the bank
 * ({@code GET /crm/return?state=…&outcome=success|denied|error}). It shows the outcome and the next step (collect
 * the hub token with {@code POST /sessions}), and remembers what it received (tests). The same server (the CRM port)
 * serves the demo CRM ({@link DemoCrmPage}) on every other path once it is {@link #mount mounted}.
 */
public final class CrmReturnPage implements AutoCloseable {
    static final String PATH = "/crm/return";

    /** One visit of the return page. */
    public record Visit(String state, String outcome, String rawQuery) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Visit> visits = new CopyOnWriteArrayList<>();
    private volatile String hubBaseUrl = "$HUB";
    private volatile String consumerKey = "$KEY";

    private CrmReturnPage(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static CrmReturnPage start(int port) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 32);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + " (the CRM return page)", e);
        }
        // The demo CRM's pages wait for the hub (and a browser opens several connections): more than two threads.
        ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "crm-return-page");
            t.setDaemon(true);
            return t;
        });
        CrmReturnPage page = new CrmReturnPage(server, executor);
        server.createContext(PATH, page::handle);
        server.createContext("/", page::handle);
        server.setExecutor(executor);
        server.start();
        return page;
    }

    /** Serves {@code handler} on every path but the return page's (the demo CRM). */
    void mount(com.sun.net.httpserver.HttpHandler handler) {
        server.removeContext("/");
        server.createContext("/", handler);
    }

    /** {@code http://127.0.0.1:<port>}: the CRM port's origin. */
    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** For the page's copy-paste hint. */
    void hub(String baseUrl, String key) {
        this.hubBaseUrl = baseUrl;
        this.consumerKey = key;
    }

    /** {@code http://127.0.0.1:<port>/crm/return}: the return URL registered for the CRM app. */
    String url() {
        return origin() + PATH;
    }

    List<Visit> visits() {
        return List.copyOf(visits);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            URI uri = x.getRequestURI();
            if (!PATH.equals(uri.getPath()) || !"GET".equals(x.getRequestMethod())) {
                send(x, 404, "text/plain; charset=utf-8", "Not found: this is the local CRM's return page, " + PATH);
                return;
            }
            Map<String, String> q = query(uri.getRawQuery());
            String state = q.getOrDefault("state", "");
            String outcome = q.getOrDefault("outcome", "");
            visits.add(new Visit(state, outcome, uri.getRawQuery()));
            String next = "success".equals(outcome)
                    ? "<p>Collect the hub token (server to server, once):</p><pre>curl -sS -X POST \""
                            + esc(hubBaseUrl) + "/sessions\" -H \"x-api-key: " + esc(consumerKey)
                            + "\" -H \"Content-Type: application/json\" -d '{\"state\": \"" + esc(state)
                            + "\"}'</pre>"
                    : "<p>The authorisation did not succeed: start a new journey.</p>";
            String html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>CRM (local) - bank connection</title>"
                    + "</head><body><h1>Back at the CRM</h1><p>outcome: <strong id=\"outcome\">" + esc(outcome)
                    + "</strong></p><p>state: <code id=\"state\">" + esc(state) + "</code></p>" + next
                    + "</body></html>";
            send(x, 200, "text/html; charset=utf-8", html);
        }
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            m.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return m;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
