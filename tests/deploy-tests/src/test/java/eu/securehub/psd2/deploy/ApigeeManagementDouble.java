package eu.securehub.psd2.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recording double of the Apigee X management API, just what apigee-edge-maven-plugin 2.5.0 calls
 * (see toolchain.md): bundle import, deployment of a revision, and the deployment's status.
 *
 * <p>Every request is recorded in order. Requests without {@code Authorization: Bearer <token>} get 401;
 * requests it does not know are logged to stderr and answered 404, so that a test shows them.
 * Revisions count per API type and name from 1 (or after {@link #existingRevisions}). Failures can be
 * scripted: an import answered 400 INVALID_ARGUMENT ({@link #failImport}), a deployment whose status
 * is ERROR with a message ({@link #failDeployment}).
 */
final class ApigeeManagementDouble implements AutoCloseable {

    /** The two kinds of bundle, by their collection name in the management API's paths. */
    enum ApiType {
        PROXY("apis"), SHARED_FLOW("sharedflows");

        final String collection;

        ApiType(String collection) {
            this.collection = collection;
        }

        static ApiType of(String collection) {
            for (ApiType t : values()) {
                if (t.collection.equals(collection)) {
                    return t;
                }
            }
            throw new IllegalArgumentException(collection);
        }
    }

    enum Kind { IMPORT, DEPLOY, DEPLOYMENT_STATUS, UNKNOWN }

    /**
     * One request and the double's answer. {@code type}, {@code name}, {@code env}, {@code revision}
     * are null where the path has none (for an import, {@code revision} is the one answered);
     * {@code form} holds a deployment's form body, {@code zip} an import's {@code content} part.
     */
    record Call(int seq, String method, String path, String query, Map<String, List<String>> headers,
                byte[] body, Kind kind, String org, ApiType type, String name, String env, String revision,
                Map<String, String> form, Multipart.Part zip, int status, String response) {

        Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        boolean succeeded() {
            return status / 100 == 2;
        }

        @Override
        public String toString() {
            return "#" + seq + " " + method + " " + path + (query == null ? "" : "?" + query) + " -> " + status
                    + (kind == Kind.DEPLOYMENT_STATUS && response.contains("\"state\"") ? " " + response : "");
        }
    }

    private static final Pattern IMPORT_PATH = Pattern.compile("/v1/organizations/([^/]+)/(apis|sharedflows)");
    private static final Pattern DEPLOYMENT_PATH = Pattern.compile(
            "/v1/organizations/([^/]+)/environments/([^/]+)/(apis|sharedflows)/([^/]+)/revisions/([0-9]+)/deployments");

    private final String bearerToken;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "apigee-double");
        t.setDaemon(true);
        return t;
    });

    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Integer> revisions = new HashMap<>();
    private final Map<String, String> importFailures = new HashMap<>();
    private final Map<String, String> deploymentFailures = new HashMap<>();
    /** type/name/env → revision deployed there. */
    private final Map<String, String> deployed = new HashMap<>();
    /** type/name/revision → whether that revision's bundle calls Google APIs (GoogleAccessToken, CloudLogging). */
    private final Map<String, Boolean> callsGoogleApis = new HashMap<>();

    private ApigeeManagementDouble(String bearerToken) throws IOException {
        this.bearerToken = bearerToken;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /** Starts a double on 127.0.0.1 on a free port, accepting only {@code Bearer <bearerToken>}. */
    static ApigeeManagementDouble start(String bearerToken) throws IOException {
        ApigeeManagementDouble d = new ApigeeManagementDouble(bearerToken);
        d.server.start();
        return d;
    }

    /** The value for {@code apigee.hosturl}: {@code http://127.0.0.1:<port>}. */
    String hostUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The bundle {@code name} already has {@code count} revisions: its next import answers count + 1. */
    synchronized ApigeeManagementDouble existingRevisions(ApiType type, String name, int count) {
        revisions.put(key(type, name), count);
        return this;
    }

    /** Imports of {@code name} answer 400 INVALID_ARGUMENT with {@code message}. */
    synchronized ApigeeManagementDouble failImport(ApiType type, String name, String message) {
        importFailures.put(key(type, name), message);
        return this;
    }

    /** Deployments of {@code name} report state ERROR with {@code message} in errors[]. */
    synchronized ApigeeManagementDouble failDeployment(ApiType type, String name, String message) {
        deploymentFailures.put(key(type, name), message);
        return this;
    }

    /** Every request so far, in the order received. */
    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();

            Call call;
            synchronized (this) {
                call = answer(calls.size() + 1, method, path, query, headers, body);
                calls.add(call);
            }
            if (call.kind() == Kind.UNKNOWN) {
                System.err.println("[apigee-double] unknown call answered 404: " + method + " " + path
                        + (query == null ? "" : "?" + query));
            }
            byte[] out = call.response().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
            exchange.sendResponseHeaders(call.status(), out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    private Call answer(int seq, String method, String path, String query,
                        Map<String, List<String>> headers, byte[] body) {
        CallBuilder c = new CallBuilder(seq, method, path, query, headers, body);

        Matcher imp = IMPORT_PATH.matcher(path);
        Matcher dep = DEPLOYMENT_PATH.matcher(path);
        if (imp.matches() && method.equals("POST")) {
            c.kind = Kind.IMPORT;
            c.org = decode(imp.group(1));
            c.type = ApiType.of(imp.group(2));
            Map<String, String> params = formDecode(query);
            c.name = params.get("name");
            if (!"import".equals(params.get("action")) || c.name == null || c.name.isEmpty()) {
                c.kind = Kind.UNKNOWN;
                return c.error(400, "INVALID_ARGUMENT", "expected ?action=import&name=<name>, got ?" + query);
            }
        } else if (dep.matches() && (method.equals("POST") || method.equals("GET"))) {
            c.kind = method.equals("POST") ? Kind.DEPLOY : Kind.DEPLOYMENT_STATUS;
            c.org = decode(dep.group(1));
            c.env = decode(dep.group(2));
            c.type = ApiType.of(dep.group(3));
            c.name = decode(dep.group(4));
            c.revision = dep.group(5);
        } else {
            c.kind = Kind.UNKNOWN;
            return c.error(404, "NOT_FOUND", "the Apigee double does not know " + method + " " + path);
        }

        String auth = c.header("authorization");
        if (auth == null || !auth.equals("Bearer " + bearerToken)) {
            return c.error(401, "UNAUTHENTICATED",
                    "Request had invalid authentication credentials. Expected OAuth 2 access token.");
        }

        String key = key(c.type, c.name);
        switch (c.kind) {
            case IMPORT -> {
                List<Multipart.Part> parts;
                try {
                    parts = Multipart.parse(c.header("content-type"), body);
                } catch (IllegalArgumentException e) {
                    return c.error(400, "INVALID_ARGUMENT", "multipart body: " + e.getMessage());
                }
                c.zip = parts.stream().filter(p -> p.name().equals("content")).findFirst().orElse(null);
                if (c.zip == null) {
                    return c.error(400, "INVALID_ARGUMENT", "no form part named content");
                }
                if (importFailures.containsKey(key)) {
                    return c.error(400, "INVALID_ARGUMENT", importFailures.get(key));
                }
                int revision = revisions.merge(key, 1, Integer::sum);
                c.revision = Integer.toString(revision);
                callsGoogleApis.put(key + "/" + c.revision, callsGoogleApis(c.zip.content()));
                return c.ok("{\"name\":" + json(c.name) + ",\"revision\":" + json(c.revision)
                        + ",\"type\":\"Application\",\"createdAt\":\"" + Instant.now().toEpochMilli() + "\"}");
            }
            case DEPLOY -> {
                c.form = formDecode(new String(body, StandardCharsets.UTF_8));
                if (Integer.parseInt(c.revision) > revisions.getOrDefault(key, 0)) {
                    return c.error(404, "NOT_FOUND", "revision " + c.revision + " of " + c.name + " does not exist");
                }
                // Apigee X refuses a bundle that authenticates to Google APIs without ?serviceAccount= ("Using Google
                // authentication"; the message as Apigee's users report it on Google's forum).
                String serviceAccount = formDecode(query == null ? "" : query).get("serviceAccount");
                if ((serviceAccount == null || serviceAccount.isEmpty())
                        && callsGoogleApis.getOrDefault(key + "/" + c.revision, false)) {
                    return c.error(400, "FAILED_PRECONDITION", "deployment validations failed; MISSING_SERVICE_ACCOUNT: "
                            + "Deployment of \"organizations/" + c.org + "/" + c.type.collection + "/" + c.name + "/revisions/"
                            + c.revision + "\" requires a service account identity, but one was not provided with the request.");
                }
                deployed.put(key + "/" + c.env, c.revision);
                return c.ok(deploymentJson(c, null));
            }
            case DEPLOYMENT_STATUS -> {
                if (!c.revision.equals(deployed.get(key + "/" + c.env))) {
                    return c.error(404, "NOT_FOUND", "revision " + c.revision + " of " + c.name
                            + " is not deployed in " + c.env);
                }
                String failure = deploymentFailures.get(key);
                return c.ok(deploymentJson(c, failure == null ? "READY" : "ERROR")
                        .replaceFirst("}$", failure == null ? "}"
                                : ",\"errors\":[{\"code\":400,\"message\":" + json(failure) + "}]}"));
            }
            default -> throw new IllegalStateException(c.kind.name());
        }
    }

    private static String deploymentJson(CallBuilder c, String state) {
        String field = c.type == ApiType.PROXY ? "apiProxy" : "sharedFlow";
        return "{\"environment\":" + json(c.env) + ",\"" + field + "\":" + json(c.name)
                + ",\"revision\":" + json(c.revision)
                + ",\"deployStartTime\":\"" + Instant.now().toEpochMilli() + "\""
                + (state == null ? "" : ",\"state\":" + json(state)) + "}";
    }

    private static String key(ApiType type, String name) {
        return type.collection + "/" + name;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Whether a bundle zip has a policy with GoogleAccessToken/GoogleIDToken authentication or CloudLogging. */
    static boolean callsGoogleApis(byte[] zip) {
        BundleZip z = BundleZip.of(zip);
        for (String n : z.namesMatching(".*/policies/[^/]+\\.xml")) {
            String xml = new String(z.content(n), StandardCharsets.UTF_8);
            if (xml.contains("<GoogleAccessToken") || xml.contains("<GoogleIDToken") || xml.contains("<CloudLogging")) {
                return true;
            }
        }
        return false;
    }

    static Map<String, String> formDecode(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        if (s == null || s.isEmpty()) {
            return m;
        }
        for (String pair : s.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                m.put(decode(pair), "");
            } else {
                m.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        return m;
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Collects a call's fields while it is answered. */
    private static final class CallBuilder {
        final int seq;
        final String method;
        final String path;
        final String query;
        final Map<String, List<String>> headers;
        final byte[] body;
        Kind kind;
        String org;
        ApiType type;
        String name;
        String env;
        String revision;
        Map<String, String> form;
        Multipart.Part zip;

        CallBuilder(int seq, String method, String path, String query, Map<String, List<String>> headers,
                    byte[] body) {
            this.seq = seq;
            this.method = method;
            this.path = path;
            this.query = query;
            this.headers = headers;
            this.body = body;
        }

        String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        Call ok(String response) {
            return build(200, response);
        }

        /** A Google-style error body: {"error":{"code","message","status"}}. */
        Call error(int status, String googleStatus, String message) {
            return build(status, "{\"error\":{\"code\":" + status + ",\"message\":" + json(message)
                    + ",\"status\":" + json(googleStatus) + "}}");
        }

        private Call build(int status, String response) {
            return new Call(seq, method, path, query, Map.copyOf(headers), body, kind, org, type, name, env,
                    revision, form == null ? Map.of() : Map.copyOf(form), zip, status, response);
        }
    }
}
