package eu.securehub.psd2.runtime.config;

import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.HttpCalls;
import eu.securehub.psd2.runtime.spi.HttpRequestData;
import eu.securehub.psd2.runtime.spi.HttpResponseData;
import eu.securehub.psd2.runtime.spi.Ssl;
import eu.securehub.psd2.runtime.spi.SslInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Outgoing HTTP for the runtime (ServiceCallout, target calls): the JDK {@link HttpClient}, one per SSL setting
 * and connect timeout, kept for the environment's life (connections are pooled, as Apigee's message processor
 * keeps them). Choices:
 * <ul>
 *   <li>TLS: with an enabled {@link SslInfo}, the {@link SSLContext} comes from {@link Ssl#clientContext} (client
 *       certificate from the keystore alias, the truststore) and the SSLInfo's protocols are the only ones
 *       offered. The JDK client asks the context's trust manager for HTTPS endpoint identification on every
 *       handshake: with {@code Enforce} the PKIX trust manager over the TrustStore checks the chain and the host
 *       name; without it, Ssl's context accepts any certificate and name (Apigee's non-enforcing SSLInfo). An
 *       {@code https} URL without SSLInfo (or with {@code Enabled} false: "the URL scheme wins") uses the JDK's
 *       default context and trust store (a choice: the local runtime never trusts blindly without being told).</li>
 *   <li>Redirects are never followed (Apigee returns the 3xx to the flow). HTTP/1.1 only, as Apigee X talks to
 *       targets.</li>
 *   <li>Hop-by-hop and transport headers of the request ({@code Host}, {@code Content-Length}, {@code Connection},
 *       {@code Transfer-Encoding}, {@code Keep-Alive}, {@code Expect}, {@code Upgrade}) are not copied: the client
 *       sets them from the URI and body, as Apigee sets the target's Host and length.</li>
 *   <li>{@code ioTimeout} is the JDK request timeout (until the response headers arrive); the connect timeout is
 *       the client's, raising {@link java.net.http.HttpConnectTimeoutException}.</li>
 * </ul>
 */
final class LocalHttpCalls implements HttpCalls {
    private static final Set<String> NOT_COPIED = Set.of("host", "content-length", "connection", "transfer-encoding",
            "keep-alive", "expect", "upgrade", "te", "trailer", "proxy-connection");

    private record ClientKey(SslInfo ssl, Duration connectTimeout) {
    }

    private final Supplier<Environment> environment;
    private final ConcurrentMap<ClientKey, HttpClient> clients = new ConcurrentHashMap<>();

    /** @param environment the environment whose keystores SSLInfo names (given late: it is built around this) */
    LocalHttpCalls(Supplier<Environment> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    @Override
    public HttpResponseData send(HttpRequestData req, SslInfo ssl, Duration connectTimeout, Duration ioTimeout)
            throws IOException {
        boolean tls = "https".equalsIgnoreCase(req.uri().getScheme());
        SslInfo effective = tls && ssl != null && ssl.enabled() ? ssl : null;
        HttpClient client = clients.computeIfAbsent(new ClientKey(effective, connectTimeout), this::newClient);

        HttpRequest.Builder b = HttpRequest.newBuilder(req.uri());
        if (ioTimeout != null && !ioTimeout.isZero() && !ioTimeout.isNegative()) {
            b.timeout(ioTimeout);
        }
        Headers headers = req.headers();
        if (headers != null) {
            for (String name : headers.names()) {
                if (NOT_COPIED.contains(name.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                for (String value : headers.all(name)) {
                    b.header(name, value);
                }
            }
        }
        byte[] body = req.body();
        b.method(req.method().toUpperCase(Locale.ROOT), body == null || body.length == 0
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException("interrupted while calling " + req.uri());
            io.initCause(e);
            throw io;
        }
        Headers out = Headers.create();
        for (Map.Entry<String, List<String>> h : response.headers().map().entrySet()) {
            if (h.getKey().startsWith(":")) {
                continue;
            }
            for (String v : h.getValue()) {
                out.add(h.getKey(), v);
            }
        }
        return new HttpResponseData(response.statusCode(), out, response.body() == null ? new byte[0] : response.body());
    }

    private HttpClient newClient(ClientKey key) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (key.connectTimeout() != null && !key.connectTimeout().isZero() && !key.connectTimeout().isNegative()) {
            b.connectTimeout(key.connectTimeout());
        }
        SslInfo ssl = key.ssl();
        SSLContext context;
        if (ssl != null) {
            context = Ssl.clientContext(environment.get(), ssl);
        } else {
            try {
                context = SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("no default TLS context", e);
            }
        }
        b.sslContext(context);
        SSLParameters params = context.getDefaultSSLParameters();
        if (ssl != null && !ssl.protocols().isEmpty()) {
            params.setProtocols(ssl.protocols().toArray(String[]::new));
        }
        b.sslParameters(params);
        return b.build();
    }
}
