package eu.securehub.psd2.runtime.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An environment's debug mask, the fields of Apigee X's DebugMask resource that apply to JSON traffic
 * (https://cloud.google.com/apigee/docs/reference/apis/apigee/rest/v1/DebugMask): {@code requestJSONPaths},
 * {@code responseJSONPaths}, {@code faultJSONPaths} and {@code variables}. The XPath fields are not applied (the hub
 * speaks JSON only). Masked values show as {@code *****}, as in Apigee's Debug ("Masking and hiding data",
 * https://cloud.google.com/apigee/docs/api-platform/security/data-masking). By default nothing is masked.
 */
public record DebugMask(List<String> requestJSONPaths, List<String> responseJSONPaths, List<String> faultJSONPaths,
        List<String> variables) {

    /** Nothing masked (Apigee's default); {@code private.*} variables are still hidden. */
    public static final DebugMask NONE = new DebugMask(List.of(), List.of(), List.of(), List.of());

    public DebugMask {
        requestJSONPaths = List.copyOf(requestJSONPaths == null ? List.of() : requestJSONPaths);
        responseJSONPaths = List.copyOf(responseJSONPaths == null ? List.of() : responseJSONPaths);
        faultJSONPaths = List.copyOf(faultJSONPaths == null ? List.of() : faultJSONPaths);
        variables = List.copyOf(variables == null ? List.of() : variables);
    }

    /** From a DebugMask JSON object as parsed (e.g. edge.json's {@code allEnvConfig.debugMasks[0]}); null → NONE. */
    public static DebugMask fromMap(Map<String, ?> mask) {
        if (mask == null) {
            return NONE;
        }
        return new DebugMask(strings(mask.get("requestJSONPaths")), strings(mask.get("responseJSONPaths")),
                strings(mask.get("faultJSONPaths")), strings(mask.get("variables")));
    }

    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (o != null) {
                    out.add(String.valueOf(o));
                }
            }
        }
        return out;
    }
}
