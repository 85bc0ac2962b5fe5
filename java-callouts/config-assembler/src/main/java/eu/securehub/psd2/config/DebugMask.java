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
 * The environment's debug mask, applied by the deploy itself: apigee-config-maven-plugin 2.9.3 has no goal for it
 * (its goals are listed in PluginShapeTest; a {@code debugmasks} goal exists only on the plugin's unreleased branch
 * issue199).
 *
 * <p>Apigee X keeps one DebugMask per environment (a singleton: it always exists, it is never created or deleted).
 * Its fields, per https://cloud.google.com/apigee/docs/reference/apis/apigee/rest/v1/DebugMask : {@code namespaces}
 * (map prefix → URI) and the string lists {@code requestXPaths}, {@code responseXPaths}, {@code faultXPaths},
 * {@code requestJSONPaths}, {@code responseJSONPaths}, {@code faultJSONPaths}, {@code variables}.
 *
 * <p>It is set with {@code PATCH {hosturl}/{apiversion}/organizations/{org}/environments/{env}/debugmask}
 * (organizations.environments.updateDebugmask,
 * https://cloud.google.com/apigee/docs/reference/apis/apigee/rest/v1/organizations.environments/updateDebugmask ).
 * That method has two query parameters: {@code replaceRepeatedFields} ("whether to replace existing values in the
 * debug mask when doing an update ... The default behavior is to append the values (false)") and {@code updateMask}
 * (a field mask for partial updates). This step sends {@code replaceRepeatedFields=true} and no {@code updateMask}:
 * every list edge.json gives replaces the environment's list (without it a path removed from edge.json would stay
 * masked forever, and every deploy would append duplicates), and the update is not narrowed to named fields. A list
 * edge.json leaves out altogether is not sent and stays as Apigee has it (PATCH semantics).
 *
 * <p>The bearer token goes into the Authorization header only: it is never printed, and an error message that
 * happens to echo it has it replaced.
 */
final class DebugMask {
    static final String NAMESPACES = "namespaces";
    /** The DebugMask's repeated string fields, in the resource's order. */
    static final List<String> LISTS = List.of("requestXPaths", "responseXPaths", "faultXPaths", "requestJSONPaths",
            "responseJSONPaths", "faultJSONPaths", "variables");
    static final String QUERY = "replaceRepeatedFields=true";

    private static final Pattern ORG = Pattern.compile("^[a-z][a-z0-9-]{0,62}$");
    private static final Pattern ENV = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
    private static final Pattern API_VERSION = Pattern.compile("^v[0-9]+[a-z0-9]*$");
    /** RFC 6750 b64token: what may follow "Bearer " in the header. */
    private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9._~+/-]+=*$");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_MESSAGE = 600;

    private DebugMask() {
    }

    /** Checks a debug mask object from edge.json: only DebugMask fields, each of its type. */
    static void check(String what, Map<String, Object> mask, List<String> problems) {
        for (Map.Entry<String, Object> e : mask.entrySet()) {
            String field = e.getKey();
            Object v = e.getValue();
            if (field.equals(NAMESPACES)) {
                if (!(v instanceof Map)) {
                    problems.add(what + ".namespaces must be an object of prefix: namespace URI");
                    continue;
                }
                for (Map.Entry<String, Object> ns : ConfigTree.asMap(v).entrySet()) {
                    if (!(ns.getValue() instanceof String) || ((String) ns.getValue()).isBlank()) {
                        problems.add(what + ".namespaces." + ns.getKey() + " must be a namespace URI (a string)");
                    }
                }
            } else if (LISTS.contains(field)) {
                if (!(v instanceof List)) {
                    problems.add(what + "." + field + " must be an array of strings");
                    continue;
                }
                for (Object item : (List<?>) v) {
                    if (!(item instanceof String) || ((String) item).isBlank()) {
                        problems.add(what + "." + field + " must hold non-empty strings only (found " + Json.write(item) + ")");
                    }
                }
            } else {
                problems.add(what + " has \"" + field + "\", which is not a field of Apigee's DebugMask (namespaces, "
                        + String.join(", ", LISTS) + ")");
            }
        }
    }

    /** The method's URL; every part checked, so that nothing can change the path. */
    static URI uri(String hostUrl, String apiVersion, String org, String env) {
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
            throw ConfigException.of("Cannot set the debug mask:", problems);
        }
        return URI.create(host + "/" + apiVersion + "/organizations/" + org + "/environments/" + env + "/debugmask?"
                + QUERY);
    }

    /**
     * Sends the mask; returns a one-line summary. A transport failure or a non-2xx answer is a ConfigException with
     * the management API's own message (its {@code error.status} and {@code error.message} when the answer is
     * Google's JSON error), never with the token.
     */
    static String apply(Map<String, Object> mask, URI uri, String env, String bearer) {
        if (bearer == null || bearer.isBlank() || bearer.startsWith("${")) {
            throw new ConfigException("Cannot set the debug mask of environment " + env
                    + ": it needs an access token: -Dbearer=$(gcloud auth print-access-token)");
        }
        if (!TOKEN.matcher(bearer).matches()) {
            throw new ConfigException("Cannot set the debug mask of environment " + env
                    + ": the access token given is not a bearer token (RFC 6750 characters only); it is not shown");
        }
        String body = Json.write(mask);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "config-assembler-debugmask");
            t.setDaemon(true);
            return t;
        });
        try {
            ProxySelector proxy = ProxySelector.getDefault();
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(CONNECT_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .proxy(proxy != null ? proxy : HttpClient.Builder.NO_PROXY)
                    .executor(executor)
                    .build();
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(REQUEST_TIMEOUT)
                    .header("Authorization", "Bearer " + bearer)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            int status = response.statusCode();
            if (status < 200 || status > 299) {
                throw new ConfigException("The debug mask of environment " + env + " was not set: PATCH " + uri
                        + " answered " + status + ": " + redact(apiMessage(response.body()), bearer));
            }
            return "debug mask of environment " + env + " set from edge.json allEnvConfig.debugMasks (" + counts(mask)
                    + "; " + QUERY + ")";
        } catch (IOException e) {
            throw new ConfigException("The debug mask of environment " + env + " was not set: PATCH " + uri
                    + " failed: " + redact(e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : ""),
                            bearer));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("The debug mask of environment " + env + " was not set: interrupted");
        } finally {
            executor.shutdownNow();
        }
    }

    private static boolean isLoopback(String host) {
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

    private static String redact(String message, String bearer) {
        return message.replace(bearer, "[token]");
    }

    private static String counts(Map<String, Object> mask) {
        List<String> parts = new ArrayList<>();
        for (String field : LISTS) {
            Object v = mask.get(field);
            if (v instanceof List) {
                parts.add(((List<?>) v).size() + " " + field);
            }
        }
        if (mask.get(NAMESPACES) instanceof Map) {
            parts.add(ConfigTree.asMap(mask.get(NAMESPACES)).size() + " namespaces");
        }
        return parts.isEmpty() ? "empty" : String.join(", ", parts);
    }
}
