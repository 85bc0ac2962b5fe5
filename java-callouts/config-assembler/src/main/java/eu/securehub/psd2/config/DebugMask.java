package eu.securehub.psd2.config;

import eu.securehub.psd2.callouts.json.Json;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        return URI.create(ManagementApi.environment(hostUrl, apiVersion, org, env, "Cannot set the debug mask:")
                + "/debugmask?" + QUERY);
    }

    /**
     * Sends the mask; returns a one-line summary. A transport failure or a non-2xx answer is a ConfigException with
     * the management API's own message (its {@code error.status} and {@code error.message} when the answer is
     * Google's JSON error), never with the token.
     */
    static String apply(Map<String, Object> mask, URI uri, String env, String bearer) {
        ManagementApi api = new ManagementApi(bearer, "Cannot set the debug mask of environment " + env);
        try {
            ManagementApi.Response response = api.send("PATCH", uri, Json.write(mask));
            if (!response.ok()) {
                throw new ConfigException("The debug mask of environment " + env + " was not set: PATCH " + uri
                        + " answered " + response.status() + ": " + api.message(response));
            }
            return "debug mask of environment " + env + " set from edge.json allEnvConfig.debugMasks (" + counts(mask)
                    + "; " + QUERY + ")";
        } catch (IOException e) {
            throw new ConfigException("The debug mask of environment " + env + " was not set: PATCH " + uri
                    + " failed: " + api.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("The debug mask of environment " + env + " was not set: interrupted");
        } finally {
            api.close();
        }
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
