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
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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

    static HttpResponse<String> get(LocalRuntime rt, String pathAndQuery) throws Exception {
        return send(rt, "GET", pathAndQuery, null, Map.of());
    }

    static HttpResponse<String> send(LocalRuntime rt, String verb, String pathAndQuery, String body,
            Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(rt.baseUrl() + pathAndQuery))
                .timeout(Duration.ofSeconds(20))
                .method(verb, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A plain HTTP backend: /echo → JSON of the request; /status/N → status N; /slow → 2 s delay. */
    static final class Backend implements AutoCloseable {
        final HttpServer server;
        final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

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
            requests.add(ex.getRequestMethod() + " " + path + (q == null ? "" : "?" + q));
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

    /** Test policy &lt;Record name="x"/&gt;: records the "trace" variable and the phase it ran in. */
    static final class RecordFactory implements PolicyFactory {
        final BlockingQueue<String> records = new LinkedBlockingQueue<>();

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
                    records.add(ctx.getString("trace") + "|" + ctx.getString("fault.name") + "|"
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
