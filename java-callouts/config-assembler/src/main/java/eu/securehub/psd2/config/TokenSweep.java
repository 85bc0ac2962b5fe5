package eu.securehub.psd2.config;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Removes the token records of hub tokens past their expiry (the consent's validUntil) from an environment's KVM
 * {@code psd2-hub-tokens}: the hub deletes a record when it is used after that, so only records never used again are
 * left for this. Each value starts with the record's expiry in clear, epoch seconds and a dot (the callouts'
 * {@code OpaqueTokens.storedValue}); nothing is decrypted. A value without that prefix (written before it existed) is
 * kept and counted.
 *
 * <p>Calls (Apigee management API v1): {@code GET …/environments/{env}/keyvaluemaps/psd2-hub-tokens/entries?pageSize=100}
 * and {@code pageToken} while {@code nextPageToken} is given (organizations.environments.keyvaluemaps.entries.list:
 * "If unspecified, at most 100 entries will be returned"; the response's {@code keyValueEntries} with {@code name} and
 * {@code value}), then, after the last page, {@code DELETE …/entries/{name}} for each expired record
 * (organizations.environments.keyvaluemaps.entries.delete). A map that does not exist yet (404) has nothing to sweep.
 */
final class TokenSweep {
    static final String MAP = "psd2-hub-tokens";
    static final int PAGE_SIZE = 100;

    private TokenSweep() {
    }

    /** The stored expiry of a token record value, or -1 when it has none. */
    static long expiry(String value) {
        int dot = value.indexOf('.');
        if (dot < 1 || dot > 18) {
            return -1;
        }
        for (int i = 0; i < dot; i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(value.substring(0, dot));
    }

    /** Sweeps; returns a one-line summary. {@code dryRun}: lists and counts, deletes nothing. */
    static String sweep(String environmentBase, String env, String bearer, long nowSeconds, boolean dryRun) {
        String entries = environmentBase + "/keyvaluemaps/" + MAP + "/entries";
        ManagementApi api = new ManagementApi(bearer, "Cannot sweep the token records of environment " + env);
        try {
            List<String> expired = new ArrayList<>();
            int total = 0;
            int withoutExpiry = 0;
            String pageToken = null;
            do {
                URI page = URI.create(entries + "?pageSize=" + PAGE_SIZE
                        + (pageToken == null ? "" : "&pageToken=" + URLEncoder.encode(pageToken, StandardCharsets.UTF_8)));
                ManagementApi.Response r = api.send("GET", page, null);
                if (r.status() == 404 && pageToken == null) {
                    return MAP + " in environment " + env + " does not exist yet: nothing to sweep";
                }
                if (!r.ok()) {
                    throw new ConfigException("The token records of environment " + env + " were not swept: GET " + page
                            + " answered " + r.status() + ": " + api.message(r));
                }
                Map<String, Object> doc = parse(r.body(), env);
                Object list = doc.get("keyValueEntries");
                for (Object o : list instanceof List ? (List<?>) list : List.of()) {
                    Map<String, Object> entry = ConfigTree.asMap(o);
                    String name = String.valueOf(entry.get("name"));
                    String value = entry.get("value") instanceof String ? (String) entry.get("value") : "";
                    total++;
                    long exp = expiry(value);
                    if (exp < 0) {
                        withoutExpiry++;
                    } else if (exp <= nowSeconds) {
                        expired.add(name);
                    }
                }
                Object next = doc.get("nextPageToken");
                pageToken = next instanceof String && !((String) next).isEmpty() ? (String) next : null;
            } while (pageToken != null);

            if (!dryRun) {
                for (String name : expired) {
                    URI entry = URI.create(entries + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8));
                    ManagementApi.Response r = api.send("DELETE", entry, null);
                    if (!r.ok() && r.status() != 404) {
                        throw new ConfigException("The token records of environment " + env + " were partly swept: DELETE "
                                + entry + " answered " + r.status() + ": " + api.message(r));
                    }
                }
            }
            return MAP + " in environment " + env + ": " + total + " records, " + expired.size() + " expired "
                    + (dryRun ? "(dry run: none deleted)" : "deleted") + ", " + withoutExpiry
                    + " without a stored expiry kept";
        } catch (IOException e) {
            throw new ConfigException("The token records of environment " + env + " were not swept: " + api.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("The token records of environment " + env + " were not swept: interrupted");
        } finally {
            api.close();
        }
    }

    private static Map<String, Object> parse(String body, String env) {
        try {
            Object doc = Json.parse(body);
            if (doc instanceof Map) {
                return ConfigTree.asMap(doc);
            }
        } catch (JsonException e) {
            // reported below
        }
        throw new ConfigException("The token records of environment " + env + " were not swept: the management API's"
                + " answer is not a JSON object");
    }
}
