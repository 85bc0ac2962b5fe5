package eu.securehub.psd2.config;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The few calls this tool makes to Apigee's management API (https://cloud.google.com/apigee/docs/reference/apis/apigee/rest):
 * an environment's base URL checked part by part, a bearer token that goes into the Authorization header only (never
 * printed; an error message that happens to echo it has it replaced), and Google's JSON errors turned into one line.
 */
final class ManagementApi implements AutoCloseable {
    private static final Pattern ORG = Pattern.compile("^[a-z][a-z0-9-]{0,62}$");
    private static final Pattern ENV = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
    private static final Pattern API_VERSION = Pattern.compile("^v[0-9]+[a-z0-9]*$");
    /** RFC 6750 b64token: what may follow "Bearer " in the header. */
    private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9._~+/-]+=*$");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_MESSAGE = 600;

    /** An answer: its status and body. */
    record Response(int status, String body) {
        boolean ok() {
            return status >= 200 && status <= 299;
        }
    }

    private final String bearer;
    private final ExecutorService executor;
    private final HttpClient client;

    /**
     * @param cannot what the caller could not do without a usable token, e.g. "Cannot set the debug mask of
     *               environment eval": the start of the error message
     */
    ManagementApi(String bearer, String cannot) {
        if (bearer == null || bearer.isBlank() || bearer.startsWith("${")) {
            throw new ConfigException(cannot + ": it needs an access token: -Dbearer=$(gcloud auth print-access-token)");
        }
        if (!TOKEN.matcher(bearer).matches()) {
            throw new ConfigException(cannot + ": the access token given is not a bearer token (RFC 6750 characters only);"
                    + " it is not shown");
        }
        this.bearer = bearer;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "config-assembler-management-api");
            t.setDaemon(true);
            return t;
        });
        ProxySelector proxy = ProxySelector.getDefault();
        this.client = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(proxy != null ? proxy : HttpClient.Builder.NO_PROXY)
                .executor(executor)
                .build();
    }

    /**
     * {@code {hosturl}/{apiversion}/organizations/{org}/environments/{env}}; every part checked, so that nothing can
     * change the path. {@code title} heads the list of problems, e.g. "Cannot set the debug mask:".
     */
    static String environment(String hostUrl, String apiVersion, String org, String env, String title) {
        List<String> problems = new ArrayList<>();
        URI host = null;
        try {
            host = new URI(hostUrl.endsWith("/") ? hostUrl.substring(0, hostUrl.length() - 1) : hostUrl);
        } catch (URISyntaxException e) {
            problems.add("--hosturl " + hostUrl + " is not a URL");
        }
        if (host != null && (host.getHost() == null || host.getRawQuery() != null || host.getRawFragment() != null
                || !("https".equals(host.getScheme()) || ("http".equals(host.getScheme()) && isLoopback(host.getHost()))))) {
            problems.add("--hosturl " + hostUrl + " must be an https URL (http only to this machine, for a test double),"
                    + " without query, e.g. https://apigee.googleapis.com");
        }
        if (!API_VERSION.matcher(apiVersion).matches()) {
            problems.add("--apiversion " + apiVersion + " is not an API version such as v1");
        }
        if (!ORG.matcher(org).matches()) {
            problems.add("--org " + org + " is not an Apigee organization name (lower case letters, digits, '-')");
        }
        if (!ENV.matcher(env).matches()) {
            problems.add("--apigee-env " + env + " is not an Apigee environment name (lower case letters, digits, '-')");
        }
        if (!problems.isEmpty()) {
            throw ConfigException.of(title, problems);
        }
        return host + "/" + apiVersion + "/organizations/" + org + "/environments/" + env;
    }

    /** One call; a transport failure is an IOException whose message {@link #describe} makes safe to show. */
    Response send(String method, URI uri, String jsonBody) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + bearer)
                .header("Accept", "application/json");
        if (jsonBody == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(r.statusCode(), r.body());
    }

    /** The answer's message (Google's {"error":{"status","message"}} as "STATUS: message"), without the token. */
    String message(Response r) {
        return redact(apiMessage(r.body()));
    }

    /** A transport failure, without the token. */
    String describe(IOException e) {
        return redact(e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : ""));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private String redact(String message) {
        return message.replace(bearer, "[token]");
    }

    static boolean isLoopback(String host) {
        try {
            return "localhost".equalsIgnoreCase(host) || InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Google's {"error":{"code","message","status"}} as "STATUS: message"; any other answer as its (shortened) text. */
    static String apiMessage(String body) {
        String text = body == null ? "" : body.strip();
        try {
            Object doc = Json.parse(text);
            Object error = doc instanceof Map ? ConfigTree.asMap(doc).get("error") : null;
            if (error instanceof Map && ConfigTree.asMap(error).get("message") instanceof String) {
                Object status = ConfigTree.asMap(error).get("status");
                String message = (String) ConfigTree.asMap(error).get("message");
                return shorten(status instanceof String ? status + ": " + message : message);
            }
        } catch (JsonException notJson) {
            // an HTML page or plain text from a proxy in between: shown as it is
        }
        return text.isEmpty() ? "(no message)" : shorten(text);
    }

    private static String shorten(String s) {
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + " …";
    }
}
