package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.HttpCalls;
import eu.securehub.psd2.runtime.spi.HttpRequestData;
import eu.securehub.psd2.runtime.spi.HttpResponseData;
import eu.securehub.psd2.runtime.spi.Message;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.SslInfo;
import eu.securehub.psd2.runtime.spi.TargetServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * The backend call of a TargetEndpoint (§5): URL or LoadBalancer (TargetServers, round robin) + Path, SSLInfo (the
 * TargetServer's wins over the endpoint's), target.copy.pathsuffix / copy.queryparams, connect.timeout.millis
 * (→ 503) and io.timeout.millis (→ 504), target.* variables.
 */
final class TargetCaller {
    /** Hop-by-hop and connection-level headers not forwarded (the HTTP client sets its own). */
    private static final List<String> NOT_FORWARDED = List.of("host", "connection", "content-length", "expect",
            "upgrade", "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection", "http2-settings");

    private final Environment env;
    private final HttpCalls own;
    private final Map<Model.TargetConnection, AtomicInteger> roundRobin = new ConcurrentHashMap<>();

    TargetCaller(Environment env) {
        this.env = env;
        this.own = new JdkHttpCalls(env);
    }

    Message call(Exchange x, Model.TargetConnection conn) {
        String base;
        SslInfo ssl = null;
        Map<String, String> props = conn == null ? Map.of() : conn.properties();
        if (conn == null || conn.url() != null) {
            base = String.valueOf(x.get("target.url"));
            if (conn != null) {
                ssl = conn.ssl();
            }
        } else {
            List<String> servers = conn.servers();
            int i = Math.floorMod(roundRobin.computeIfAbsent(conn, c -> new AtomicInteger()).getAndIncrement(), servers.size());
            String name = servers.get(i);
            TargetServer ts = env.targetServer(name).orElseThrow(() -> new PolicyFault(
                    "messaging.adaptors.http.flow.NoActiveTargets", 503, "No active targets: TargetServer " + name + " is not defined"));
            if (!ts.enabled()) {
                throw new PolicyFault("messaging.adaptors.http.flow.NoActiveTargets", 503, "No active targets: TargetServer " + name + " is disabled");
            }
            ssl = ts.ssl().orElse(conn.ssl());
            boolean tls = ssl != null && ssl.enabled();
            String path = conn.path() == null ? "" : conn.path().render(x);
            if (!path.isEmpty() && !path.startsWith("/")) {
                path = "/" + path;
            }
            base = (tls ? "https" : "http") + "://" + ts.host() + ":" + ts.port() + path;
            x.set("loadbalancing.targetserver", name);
            x.set("target.url", base);
        }
        StringBuilder url = new StringBuilder(base);
        if (truthy(x.get("target.copy.pathsuffix"))) {
            String suffix = String.valueOf(x.get("proxy.pathsuffix") == null ? "" : x.get("proxy.pathsuffix"));
            if (url.length() > 0 && url.charAt(url.length() - 1) == '/' && suffix.startsWith("/")) {
                suffix = suffix.substring(1);
            }
            url.append(suffix);
        }
        Message req = x.request();
        if (truthy(x.get("target.copy.queryparams")) && !req.queryString().isEmpty()) {
            url.append(url.indexOf("?") >= 0 ? '&' : '?').append(req.queryString());
        }
        URI uri;
        try {
            uri = URI.create(url.toString());
        } catch (IllegalArgumentException e) {
            throw new PolicyFault("messaging.adaptors.http.flow.InvalidTargetURL", 500, "Invalid target URL " + url);
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new PolicyFault("messaging.adaptors.http.flow.InvalidTargetURL", 500, "Invalid target URL " + url);
        }
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        if (https && ssl == null) {
            // §5.2: an https:// URL uses TLS even without SSLInfo; then the JVM's default trust applies.
            ssl = new SslInfo(true, true, false, null, null, null, List.of());
        }
        if (!https) {
            ssl = null; // http:// never uses TLS
        }
        x.set("target.scheme", uri.getScheme());
        x.set("target.host", uri.getHost());
        x.set("target.port", uri.getPort() > 0 ? uri.getPort() : (https ? 443 : 80));
        x.set("target.basepath", uri.getRawPath());
        x.set("target.ssl.enabled", https);
        x.set("request.url", uri.toString());

        Headers h = Headers.create();
        for (String n : req.headers().names()) {
            if (NOT_FORWARDED.contains(n.toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String v : req.headers().all(n)) {
                h.add(n, v);
            }
        }
        Duration connect = Duration.ofMillis(Long.parseLong(props.getOrDefault("connect.timeout.millis", "3000").trim()));
        Duration io = Duration.ofMillis(Long.parseLong(props.getOrDefault("io.timeout.millis", "55000").trim()));
        HttpCalls http = env.http() != null ? env.http() : own;
        long sent = x.clock().millis();
        x.set("target.sent.start.timestamp", sent);
        x.set("target.sent.end.timestamp", sent);
        HttpResponseData r;
        eu.securehub.psd2.runtime.trace.TraceBuilder tb = x.trace();
        long t0 = System.nanoTime();
        Object targetName = x.getPlain("target.name");
        try {
        try {
            r = http.send(new HttpRequestData(req.verb(), uri, h, req.content()), ssl, connect, io);
        } catch (HttpConnectTimeoutException e) {
            throw new PolicyFault("messaging.adaptors.http.flow.ServiceUnavailable", 503, "Service Unavailable", e);
        } catch (HttpTimeoutException e) {
            // Apigee X's documented body adds "reason":"TARGET_READ_TIMEOUT"; the errorcode and status are the same.
            throw new PolicyFault("messaging.adaptors.http.flow.GatewayTimeout", 504, "Gateway Timeout", e);
        } catch (SSLException e) {
            // Runtime error catalog (https://cloud.google.com/apigee/docs/api-platform/errorcatalog/mp-runtime-errorcatalog):
            // a failed TLS handshake with the target is messaging.adaptors.http.flow.SslHandshakeFailed, 503,
            // faultstring "SSL Handshake failed <exception>".
            throw new PolicyFault("messaging.adaptors.http.flow.SslHandshakeFailed", 503, "SSL Handshake failed " + e.getMessage(), e);
        } catch (ConnectException e) {
            throw new PolicyFault("messaging.adaptors.http.flow.ServiceUnavailable", 503, "Service Unavailable", e);
        } catch (IOException e) {
            Throwable c = e.getCause();
            if (c instanceof SSLException || e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("handshake")) {
                throw new PolicyFault("messaging.adaptors.http.flow.SslHandshakeFailed", 503, "SSL Handshake failed", e);
            }
            throw new PolicyFault("messaging.adaptors.http.flow.ServiceUnavailable", 503, "Service Unavailable", e);
        } catch (InterruptedExceptionWrapper e) {
            throw new PolicyFault("messaging.adaptors.http.flow.ServiceUnavailable", 503, "Service Unavailable", e);
        }
        } catch (PolicyFault pf) {
            if (tb != null) {
                tb.targetCall(targetName == null ? null : String.valueOf(targetName), req.verb(), uri, 0, t0, h, null);
            }
            throw pf;
        }
        if (tb != null) {
            tb.targetCall(targetName == null ? null : String.valueOf(targetName), req.verb(), uri, r.status(), t0, h,
                    r.headers());
        }
        long recv = x.clock().millis();
        x.set("target.received.start.timestamp", recv);
        x.set("target.received.end.timestamp", recv);
        SimpleMessage resp = new SimpleMessage(false);
        resp.status(r.status());
        Headers rh = Headers.create();
        for (String n : r.headers().names()) {
            if (NOT_FORWARDED.contains(n.toLowerCase(Locale.ROOT)) && !n.equalsIgnoreCase("host")) {
                continue;
            }
            for (String v : r.headers().all(n)) {
                rh.add(n, v);
            }
        }
        resp.headers(rh);
        resp.content(r.body());
        return resp;
    }

    static boolean truthy(Object o) {
        if (o == null) {
            return false;
        }
        if (o instanceof Boolean b) {
            return b;
        }
        return "true".equalsIgnoreCase(String.valueOf(o).trim());
    }

    /** Thrown by HttpCalls implementations wrapping an interrupt. */
    static final class InterruptedExceptionWrapper extends RuntimeException {
        InterruptedExceptionWrapper(Throwable cause) {
            super(cause);
        }
    }
}
