package eu.securehub.psd2.runtime.config;

import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.HttpCalls;
import eu.securehub.psd2.runtime.spi.HttpRequestData;
import eu.securehub.psd2.runtime.spi.HttpResponseData;
import eu.securehub.psd2.runtime.spi.KeyStoreEntry;
import eu.securehub.psd2.runtime.spi.Ssl;
import eu.securehub.psd2.runtime.spi.SslInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Outgoing HTTP for the runtime (ServiceCallout, target calls): the JDK {@link HttpClient}, one per SSL setting,
 * connect timeout and resolved keystore/truststore, kept for the environment's life (connections are pooled, as
 * Apigee's message processor keeps them). Choices:
 * <ul>
 *   <li>TLS: with an enabled {@link SslInfo}, the {@link SSLContext} comes from {@link Ssl#clientContext} (client
 *       certificate from the keystore alias, the truststore) and the SSLInfo's protocols are the only ones
 *       offered. The JDK client asks the context's trust manager for HTTPS endpoint identification on every
 *       handshake: with {@code Enforce} the PKIX trust manager over the TrustStore checks the chain and the host
 *       name; without it, Ssl's context accepts any certificate and name (Apigee's non-enforcing SSLInfo). An
 *       {@code https} URL without SSLInfo (or with {@code Enabled} false: "the URL scheme wins") uses the JDK's
 *       default context and trust store (a choice: the local runtime never trusts blindly without being told).</li>
 *   <li>References are resolved at every request, not at load: after {@code psd2-qwac-keystore-ref} is pointed at
 *       another keystore, the next request gets a client built from that keystore, so new connections present its
 *       key; clients of the old keystore are dropped ({@link #forgetSuperseded}). A connection already open keeps the
 *       key it was opened with. How soon Apigee X's message processors follow a reference change, and what they do
 *       with open connections, is not documented (UNCONFIRMED): this is the local runtime's choice.</li>
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

    /**
     * One client per SSL setting, connect timeout and the keystore and truststore the SSLInfo's names resolve to at the
     * request ({@code ref://…} through the environment's references as they are then). The resolved entries compare by
     * the identity of their {@link java.security.KeyStore}: a keystore changed through the management API is a new
     * entry, so a reference switched to another keystore, or a keystore given another alias, gets a new client (new
     * TLS context, new connections, no session resumed from the old one).
     */
    private record ClientKey(SslInfo ssl, Duration connectTimeout, KeyStoreEntry keyStore, KeyStoreEntry trustStore) {
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
        HttpClient client = clients.computeIfAbsent(key(effective, connectTimeout), this::newClient);

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

    /**
     * Drops the clients whose keystore or truststore is no longer what their SSLInfo resolves to (after a reference
     * switch or an alias import). Requests in flight on them finish; their idle connections close with them. Which key
     * a connection already open presents after a switch on Apigee X is not documented (UNCONFIRMED): here new
     * connections after the switch present the new keystore's key, a connection already open keeps the one it was
     * opened with.
     */
    void forgetSuperseded() {
        clients.keySet().removeIf(k -> !k.equals(key(k.ssl(), k.connectTimeout())));
    }

    private ClientKey key(SslInfo ssl, Duration connectTimeout) {
        if (ssl == null) {
            return new ClientKey(null, connectTimeout, null, null);
        }
        Environment env = environment.get();
        KeyStoreEntry keyStore = ssl.clientAuth() && ssl.keyStore() != null ? env.keyStore(ssl.keyStore()).orElse(null)
                : null;
        KeyStoreEntry trustStore = ssl.enforce() && ssl.trustStore() != null
                ? env.keyStore(ssl.trustStore()).orElse(null) : null;
        return new ClientKey(ssl, connectTimeout, keyStore, trustStore);
    }

    /**
     * The environment with the keystore and truststore of {@code key} pinned, so that the TLS context is built from
     * exactly the entries the client is kept under, even if a reference changes meanwhile.
     */
    private Environment pinned(ClientKey key) {
        Environment env = environment.get();
        if (key.keyStore() == null && key.trustStore() == null) {
            return env;
        }
        return (Environment) Proxy.newProxyInstance(Environment.class.getClassLoader(), new Class<?>[] {Environment.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("keyStore") && args != null && args.length == 1) {
                        if (key.keyStore() != null && args[0].equals(key.ssl().keyStore())) {
                            return Optional.of(key.keyStore());
                        }
                        if (key.trustStore() != null && args[0].equals(key.ssl().trustStore())) {
                            return Optional.of(key.trustStore());
                        }
                    }
                    try {
                        return method.invoke(env, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
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
            context = Ssl.clientContext(pinned(key), ssl);
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
