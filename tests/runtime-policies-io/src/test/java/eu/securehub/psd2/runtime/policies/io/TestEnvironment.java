package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.ApiKeys;
import eu.securehub.psd2.runtime.spi.App;
import eu.securehub.psd2.runtime.spi.Caches;
import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.GoogleAccessTokens;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.HttpCalls;
import eu.securehub.psd2.runtime.spi.HttpRequestData;
import eu.securehub.psd2.runtime.spi.HttpResponseData;
import eu.securehub.psd2.runtime.spi.KeyStoreEntry;
import eu.securehub.psd2.runtime.spi.KeyValueMaps;
import eu.securehub.psd2.runtime.spi.MessageLog;
import eu.securehub.psd2.runtime.spi.QuotaCounters;
import eu.securehub.psd2.runtime.spi.SpikeArrests;
import eu.securehub.psd2.runtime.spi.SslInfo;
import eu.securehub.psd2.runtime.spi.TargetServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/** An Environment for the tests: apps, keystores, a settable clock, Google tokens and real HTTP(S) calls. */
final class TestEnvironment implements Environment {
    static final class MutableClock extends Clock {
        volatile Instant now = Instant.parse("2026-01-15T10:00:00Z");

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    final MutableClock clock = new MutableClock();
    final Map<String, App> apps = new HashMap<>();
    final Map<String, KeyStoreEntry> stores = new HashMap<>();
    final List<List<String>> tokenRequests = new CopyOnWriteArrayList<>();
    final List<HttpRequestData> sent = new CopyOnWriteArrayList<>();
    final List<SslInfo> sentSsl = new CopyOnWriteArrayList<>();

    void keyStore(String name, KeyStore ks, char[] password) {
        stores.put(name, new KeyStoreEntry() {
            @Override public KeyStore keyStore() { return ks; }
            @Override public char[] password() { return password; }
            @Override public Set<String> aliases() {
                try {
                    return Set.copyOf(Collections.list(ks.aliases()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    @Override public String name() { return "test"; }
    @Override public Clock clock() { return clock; }
    @Override public KeyValueMaps kvms() { throw new UnsupportedOperationException(); }
    @Override public Caches caches() { throw new UnsupportedOperationException(); }
    @Override public QuotaCounters quotas() { throw new UnsupportedOperationException(); }
    @Override public SpikeArrests spikeArrests() { throw new UnsupportedOperationException(); }
    @Override public Optional<TargetServer> targetServer(String name) { return Optional.empty(); }

    @Override
    public Optional<KeyStoreEntry> keyStore(String nameOrRef) {
        String n = nameOrRef.startsWith("ref://") ? nameOrRef.substring(6) : nameOrRef;
        return Optional.ofNullable(stores.get(n));
    }

    @Override
    public ApiKeys apiKeys() {
        return key -> Optional.ofNullable(apps.get(key));
    }

    @Override public MessageLog messageLog() { throw new UnsupportedOperationException(); }

    @Override
    public GoogleAccessTokens googleTokens() {
        return scopes -> {
            tokenRequests.add(List.copyOf(scopes));
            return "ya29.local-token";
        };
    }

    @Override
    public HttpCalls http() {
        return this::send;
    }

    private HttpResponseData send(HttpRequestData req, SslInfo ssl, Duration connect, Duration io) throws IOException {
        sent.add(req);
        if (ssl != null) {
            sentSsl.add(ssl);
        }
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connect).version(HttpClient.Version.HTTP_1_1);
        if (ssl != null && "https".equalsIgnoreCase(req.uri().getScheme())) {
            b.sslContext(context(ssl));
            if (!ssl.protocols().isEmpty()) {
                SSLParameters p = new SSLParameters();
                p.setProtocols(ssl.protocols().toArray(new String[0]));
                b.sslParameters(p);
            }
        }
        HttpRequest.Builder r = HttpRequest.newBuilder(req.uri()).timeout(io)
                .method(req.method(), req.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(req.body()));
        for (String n : req.headers().names()) {
            if (Set.of("host", "content-length", "connection").contains(n.toLowerCase())) {
                continue;
            }
            for (String v : req.headers().all(n)) {
                r.header(n, v);
            }
        }
        HttpClient client = b.build();
        try {
            HttpResponse<byte[]> resp = client.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
            Headers h = Headers.create();
            resp.headers().map().forEach((k, vs) -> vs.forEach(v -> h.add(k, v)));
            return new HttpResponseData(resp.statusCode(), h, resp.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private SSLContext context(SslInfo ssl) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (ssl.trustStore() != null) {
                KeyStoreEntry e = keyStore(ssl.trustStore()).orElseThrow(() -> new IllegalStateException(
                        "no truststore " + ssl.trustStore()));
                tmf.init(e.keyStore());
            } else {
                tmf.init((KeyStore) null);
            }
            KeyManagerFactory kmf = null;
            if (ssl.clientAuth()) {
                KeyStoreEntry e = keyStore(ssl.keyStore()).orElseThrow(() -> new IllegalStateException(
                        "no keystore " + ssl.keyStore()));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(e.keyStore(), e.password());
            }
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return c;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static App app(String id, String status, List<String> products, Map<String, String> attrs) {
        return new App(id, id + "-name", "dev@example.eu", "dev-1", new ArrayList<>(products), attrs, status);
    }
}
