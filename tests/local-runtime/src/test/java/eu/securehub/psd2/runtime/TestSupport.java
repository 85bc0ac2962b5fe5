package eu.securehub.psd2.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

final class TestSupport {
    private TestSupport() {
    }

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static Path fixture(String name) {
        try {
            return Paths.get(TestSupport.class.getResource("/bundles/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies a fixture bundle to a temp dir (to modify it). */
    static Path copyFixture(String name, Path to) throws IOException {
        Path src = fixture(name);
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(src.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(src.relativize(file).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
        return to;
    }

    /**
     * The header that ties a request to its asynchronous output: the {@link Backend} and the {@link RecordFactory}
     * keep each entry with the value this header had, so a test waits for its own entries (a PostClientFlow runs
     * after the response, possibly after the next test's request) instead of taking the first one of a queue.
     */
    static final String REQUEST_ID = "X-Request-ID";

    /** How long a test waits for its request's asynchronous output. */
    static final Duration ASYNC_TIMEOUT = Duration.ofSeconds(10);

    static String newRequestId() {
        return UUID.randomUUID().toString();
    }

    static HttpResponse<String> get(LocalRuntime rt, String pathAndQuery) throws Exception {
        return send(rt, "GET", pathAndQuery, null, Map.of());
    }

    /** GET with {@link #REQUEST_ID} set to {@code requestId}. */
    static HttpResponse<String> get(LocalRuntime rt, String pathAndQuery, String requestId) throws Exception {
        return send(rt, "GET", pathAndQuery, null, Map.of(REQUEST_ID, requestId));
    }

    static HttpResponse<String> send(LocalRuntime rt, String verb, String pathAndQuery, String body,
            Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(rt.baseUrl() + pathAndQuery))
                .timeout(Duration.ofSeconds(20))
                .method(verb, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Entries written by other threads (the backend's, a PostClientFlow's), each kept with the {@link #REQUEST_ID}
     * of the request that produced it; read by request id only, waiting (bounded) for entries still to come.
     */
    static final class ByRequestId {
        private final String what;
        private final List<Map.Entry<String, String>> entries = new ArrayList<>();

        ByRequestId(String what) {
            this.what = what;
        }

        synchronized void add(String requestId, String entry) {
            entries.add(Map.entry(Objects.toString(requestId), entry));
            notifyAll();
        }

        /** The entries of this request so far, oldest first (no waiting: for "none at all" checks). */
        synchronized List<String> of(String requestId) {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, String> e : entries) {
                if (e.getKey().equals(requestId)) {
                    out.add(e.getValue());
                }
            }
            return out;
        }

        /** The first entry of this request, waiting up to {@link #ASYNC_TIMEOUT} for it. */
        synchronized String await(String requestId) throws InterruptedException {
            long deadline = System.nanoTime() + ASYNC_TIMEOUT.toNanos();
            List<String> mine = of(requestId);
            while (mine.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " for request " + REQUEST_ID + "=" + requestId + " within "
                            + ASYNC_TIMEOUT + "; entries (request id=entry): " + entries);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
                mine = of(requestId);
            }
            return mine.get(0);
        }
    }

    /** A plain HTTP backend: /echo → JSON of the request; /status/N → status N; /slow → 2 s delay. */
    static final class Backend implements AutoCloseable {
        final HttpServer server;
        /** "METHOD /path?query" of every request, by its {@link #REQUEST_ID} header (kept before it is answered). */
        final ByRequestId requests = new ByRequestId("backend request");

        Backend() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", this::handle);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        private void handle(HttpExchange ex) throws IOException {
            String path = ex.getRequestURI().getRawPath();
            String q = ex.getRequestURI().getRawQuery();
            requests.add(ex.getRequestHeaders().getFirst(REQUEST_ID),
                    ex.getRequestMethod() + " " + path + (q == null ? "" : "?" + q));
            int status = 200;
            String body;
            if (path.startsWith("/status/")) {
                status = Integer.parseInt(path.substring(8));
                body = "{\"backend\":" + status + "}";
            } else if (path.startsWith("/slow")) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                body = "{\"slow\":true}";
            } else {
                body = "{\"path\":\"" + path + "\",\"query\":\"" + (q == null ? "" : q) + "\",\"xname\":\""
                        + ex.getRequestHeaders().getFirst("X-Name") + "\"}";
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /**
     * Test policy &lt;Record name="x"/&gt;: records "trace|fault.name|response.status.code|client.sent.start.timestamp",
     * by the request's {@link #REQUEST_ID} header.
     */
    static final class RecordFactory implements PolicyFactory {
        final ByRequestId records = new ByRequestId("Record entry");

        @Override
        public String type() {
            return "Record";
        }

        @Override
        public Policy create(PolicyXml xml, BundleInfo bundle) {
            String name = xml.name();
            Location at = xml.location();
            xml.done();
            return new Policy() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public String type() {
                    return "Record";
                }

                @Override
                public boolean continueOnError() {
                    return false;
                }

                @Override
                public boolean enabled() {
                    return true;
                }

                @Override
                public Location location() {
                    return at;
                }

                @Override
                public void execute(FlowContext ctx) {
                    records.add(ctx.getString("request.header." + REQUEST_ID), ctx.getString("trace") + "|"
                            + ctx.getString("fault.name") + "|"
                            + ctx.getString("response.status.code") + "|" + ctx.getString("client.sent.start.timestamp"));
                }
            };
        }
    }

    /** Packs the compiled test callout class into a jar. */
    static void writeCalloutJar(Path jar) throws IOException {
        String cls = "eu/securehub/psd2/runtime/testcallout/EchoCallout.class";
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                var in = TestSupport.class.getClassLoader().getResourceAsStream(cls)) {
            out.putNextEntry(new JarEntry(cls));
            in.transferTo(out);
            out.closeEntry();
        }
    }
}
