package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.HttpCalls;
import eu.securehub.psd2.runtime.spi.HttpRequestData;
import eu.securehub.psd2.runtime.spi.HttpResponseData;
import eu.securehub.psd2.runtime.spi.Ssl;
import eu.securehub.psd2.runtime.spi.SslInfo;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLParameters;

/**
 * {@link HttpCalls} over the JDK HttpClient (HTTP/1.1), one client per (SSLInfo, connect timeout), the TLS context
 * from {@link Ssl#clientContext}. Connect timeout → HttpConnectTimeoutException; io timeout (no response headers
 * in time) → HttpTimeoutException.
 */
public final class JdkHttpCalls implements HttpCalls {
    private static final List<String> RESTRICTED = List.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "te", "trailer", "http2-settings");

    private final Environment env;
    private final Map<Object, HttpClient> clients = new ConcurrentHashMap<>();

    public JdkHttpCalls(Environment env) {
        this.env = env;
    }

    private HttpClient client(SslInfo ssl, Duration connect) {
        return clients.computeIfAbsent(List.of(Objects.requireNonNullElse((Object) ssl, "plain"), connect), k -> {
            HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connect);
            if (ssl != null) {
                b.sslContext(Ssl.clientContext(env, ssl));
                SSLParameters params = new SSLParameters();
                if (!ssl.protocols().isEmpty()) {
                    params.setProtocols(ssl.protocols().toArray(String[]::new));
                }
                b.sslParameters(params);
            }
            return b.build();
        });
    }

    @Override
    public HttpResponseData send(HttpRequestData req, SslInfo ssl, Duration connectTimeout, Duration ioTimeout) throws IOException {
        boolean tls = ssl != null && "https".equalsIgnoreCase(req.uri().getScheme());
        HttpClient c = client(tls ? ssl : null, connectTimeout == null ? Duration.ofSeconds(3) : connectTimeout);
        byte[] body = req.body() == null ? new byte[0] : req.body();
        HttpRequest.Builder b = HttpRequest.newBuilder(req.uri())
                .method(req.method(), body.length == 0 && !hasBody(req.method())
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (ioTimeout != null && !ioTimeout.isZero()) {
            b.timeout(ioTimeout);
        }
        if (req.headers() != null) {
            for (String n : req.headers().names()) {
                if (RESTRICTED.contains(n.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                for (String v : req.headers().all(n)) {
                    b.header(n, v);
                }
            }
        }
        HttpResponse<byte[]> r;
        try {
            r = c.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Headers h = Headers.create();
        r.headers().map().forEach((n, vs) -> {
            if (!n.startsWith(":")) {
                vs.forEach(v -> h.add(n, v));
            }
        });
        return new HttpResponseData(r.statusCode(), h, r.body() == null ? new byte[0] : r.body());
    }

    private static boolean hasBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }
}
