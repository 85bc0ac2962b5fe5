package eu.securehub.psd2.runtime.config;

import eu.securehub.psd2.runtime.spi.ApiKeys;
import eu.securehub.psd2.runtime.spi.App;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Location;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * API products, developers and apps from edge.json's orgConfig, each app with one consumer key: the key an option
 * fixes for it, or a fresh random one per start (48 characters from [A-Za-z0-9]). Ids are stable across starts
 * (name-based UUIDs of the developer's email and the app's name). Every app and credential is approved: an
 * {@code approvalType} "manual" product is approved too, as the environment's administrator would do locally.
 */
final class LocalApiKeys implements ApiKeys {
    private static final Set<String> PRODUCT_FIELDS = Set.of("name", "displayName", "description", "approvalType",
            "attributes", "environments", "operationGroup", "scopes", "quota", "quotaInterval", "quotaTimeUnit");
    private static final Set<String> DEVELOPER_FIELDS = Set.of("email", "firstName", "lastName", "userName",
            "attributes");
    private static final Set<String> APP_FIELDS = Set.of("name", "displayName", "apiProducts", "callbackUrl",
            "attributes", "scopes");
    private static final String KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static final int KEY_LENGTH = 48;
    /** A fixed key's app name with this prefix is a local copy of the first app (LocalEnvironment.Options.appCopy). */
    static final String COPY_PREFIX = "+";

    private final Map<String, App> byKey;
    private final Map<String, String> keyByApp;
    private final Map<String, ApiProduct> products;

    private LocalApiKeys(Map<String, App> byKey, Map<String, String> keyByApp, Map<String, ApiProduct> products) {
        this.byKey = byKey;
        this.keyByApp = keyByApp;
        this.products = products;
    }

    @Override
    public Optional<App> verify(String consumerKey) {
        return consumerKey == null ? Optional.empty() : Optional.ofNullable(byKey.get(consumerKey));
    }

    /** App name → its consumer key, in edge.json's order. */
    Map<String, String> consumerKeys() {
        return keyByApp;
    }

    Map<String, ApiProduct> products() {
        return products;
    }

    /**
     * @param fixedKeys      app name → consumer key to use instead of a random one
     * @param attributeOverrides app name ("*" for every app) → attributes set over the app's own
     */
    static LocalApiKeys load(Map<String, Object> orgConfig, Map<String, String> fixedKeys,
            Map<String, Map<String, String>> attributeOverrides, SecureRandom random) {
        Location at = new Location("edge.json", 0);
        Map<String, ApiProduct> products = new LinkedHashMap<>();
        for (Object o : list(at, orgConfig, "apiProducts")) {
            ApiProduct p = product(at, asMap(at, o, "apiProducts"));
            products.put(p.name(), p);
        }
        Map<String, String> developerIds = new LinkedHashMap<>();
        for (Object o : list(at, orgConfig, "developers")) {
            Map<String, Object> d = asMap(at, o, "developers");
            strict(at, "developer " + d.get("email"), d, DEVELOPER_FIELDS);
            String email = (String) d.get("email");
            developerIds.put(email, uuid("developer:" + email));
        }
        Map<String, App> byKey = new LinkedHashMap<>();
        Map<String, String> keyByApp = new LinkedHashMap<>();
        Object apps = orgConfig.get("developerApps");
        if (apps != null) {
            for (Map.Entry<String, Object> e : asMap(at, apps, "developerApps").entrySet()) {
                String email = e.getKey();
                for (Object o : (List<?>) e.getValue()) {
                    Map<String, Object> a = asMap(at, o, "developerApps." + email);
                    String name = (String) a.get("name");
                    String what = "app " + name + " of " + email;
                    strict(at, what, a, APP_FIELDS);
                    if (keyByApp.containsKey(name)) {
                        throw new ConfigError(at, what + ": another developer has an app of the same name; the local"
                                + " runtime names apps' keys by app name");
                    }
                    Map<String, String> attributes = attributes(at, what, a.get("attributes"));
                    Map<String, String> all = attributeOverrides.getOrDefault("*", Map.of());
                    attributes.putAll(all);
                    attributes.putAll(attributeOverrides.getOrDefault(name, Map.of()));
                    List<String> appProducts = new ArrayList<>();
                    for (Object p : list(at, a, "apiProducts")) {
                        appProducts.add((String) p);
                    }
                    String key = fixedKeys.containsKey(name) ? fixedKeys.get(name) : newKey(random);
                    if (key == null || key.isBlank() || byKey.containsKey(key)) {
                        throw new ConfigError(at, what + ": the consumer key given for it is empty or another app's");
                    }
                    App app = new App(uuid("app:" + email + "/" + name), name, email, developerIds.get(email),
                            List.copyOf(appProducts), Collections.unmodifiableMap(attributes), "approved");
                    byKey.put(key, app);
                    keyByApp.put(name, key);
                }
            }
        }
        // Local-only apps ("<name>=<key>" in fixedKeys under the prefix "+"): a copy of the first app under another
        // name, its developer, products and attributes, for tests of what is bound to an app (edge.json is unchanged).
        Map<String, String> copies = new LinkedHashMap<>();
        fixedKeys.forEach((name, key) -> {
            if (name.startsWith(COPY_PREFIX)) {
                copies.put(name.substring(COPY_PREFIX.length()), key);
            }
        });
        if (!copies.isEmpty()) {
            if (byKey.isEmpty()) {
                throw new ConfigError(at, "a local copy of an app needs an app in orgConfig.developerApps");
            }
            App first = byKey.values().iterator().next();
            for (Map.Entry<String, String> c : copies.entrySet()) {
                if (keyByApp.containsKey(c.getKey()) || c.getValue() == null || c.getValue().isBlank()
                        || byKey.containsKey(c.getValue())) {
                    throw new ConfigError(at, "local app " + c.getKey() + ": its name or key is taken, or the key is empty");
                }
                App app = new App(uuid("app:" + first.developerEmail() + "/" + c.getKey()), c.getKey(),
                        first.developerEmail(), first.developerId(), first.apiProducts(), first.attributes(), "approved");
                byKey.put(c.getValue(), app);
                keyByApp.put(c.getKey(), c.getValue());
            }
        }
        Set<String> unknownApps = new TreeSet<>(fixedKeys.keySet());
        unknownApps.removeIf(n -> n.startsWith(COPY_PREFIX));
        unknownApps.addAll(attributeOverrides.keySet());
        unknownApps.remove("*");
        unknownApps.removeAll(keyByApp.keySet());
        if (!unknownApps.isEmpty()) {
            throw new ConfigError(at, "options name app(s) " + unknownApps + " that orgConfig.developerApps does not"
                    + " have (apps: " + keyByApp.keySet() + ")");
        }
        return new LocalApiKeys(Collections.unmodifiableMap(byKey), Collections.unmodifiableMap(keyByApp),
                Collections.unmodifiableMap(products));
    }

    private static ApiProduct product(Location at, Map<String, Object> p) {
        String name = (String) p.get("name");
        String what = "API product " + name;
        strict(at, what, p, PRODUCT_FIELDS);
        List<String> environments = strings(at, what, p, "environments");
        List<ApiProduct.Operation> operations = new ArrayList<>();
        Object group = p.get("operationGroup");
        if (group != null) {
            Map<String, Object> g = asMap(at, group, what + " operationGroup");
            strict(at, what + " operationGroup", g, Set.of("operationConfigType", "operationConfigs"));
            if (!"proxy".equals(g.getOrDefault("operationConfigType", "proxy"))) {
                throw new ConfigError(at, what + ": operationConfigType " + g.get("operationConfigType")
                        + " is not emulated by the local runtime (proxy is)");
            }
            for (Object c : list(at, g, "operationConfigs")) {
                Map<String, Object> config = asMap(at, c, what + " operationConfigs");
                strict(at, what + " operationConfig", config, Set.of("apiSource", "operations"));
                for (Object op : list(at, config, "operations")) {
                    Map<String, Object> operation = asMap(at, op, what + " operations");
                    strict(at, what + " operation", operation, Set.of("resource", "methods"));
                    operations.add(new ApiProduct.Operation((String) config.get("apiSource"),
                            (String) operation.get("resource"), strings(at, what, operation, "methods")));
                }
            }
        }
        return new ApiProduct(name, (String) p.get("displayName"), (String) p.getOrDefault("approvalType", "auto"),
                attributes(at, what, p.get("attributes")), environments, operations, strings(at, what, p, "scopes"),
                text(p.get("quota")), text(p.get("quotaInterval")), text(p.get("quotaTimeUnit")));
    }

    private static String text(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    /** [{"name","value"}] → name → value, in order. */
    private static Map<String, String> attributes(Location at, String what, Object list) {
        Map<String, String> out = new LinkedHashMap<>();
        if (list == null) {
            return out;
        }
        if (!(list instanceof List)) {
            throw new ConfigError(at, what + ": \"attributes\" must be an array of {name, value}");
        }
        for (Object o : (List<?>) list) {
            Map<String, Object> a = asMap(at, o, what + " attributes");
            strict(at, what + " attribute", a, Set.of("name", "value"));
            if (!(a.get("name") instanceof String n) || !(a.get("value") instanceof String v)) {
                throw new ConfigError(at, what + ": every attribute needs a string name and value");
            }
            out.put(n, v);
        }
        return out;
    }

    private static List<String> strings(Location at, String what, Map<String, Object> json, String field) {
        List<String> out = new ArrayList<>();
        for (Object o : list(at, json, field)) {
            if (!(o instanceof String s)) {
                throw new ConfigError(at, what + ": \"" + field + "\" must be an array of strings");
            }
            out.add(s);
        }
        return out;
    }

    private static List<?> list(Location at, Map<String, Object> json, String field) {
        Object v = json.get(field);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new ConfigError(at, "\"" + field + "\" must be an array");
        }
        return l;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Location at, Object o, String what) {
        if (!(o instanceof Map)) {
            throw new ConfigError(at, what + ": expected an object");
        }
        return (Map<String, Object>) o;
    }

    private static void strict(Location at, String what, Map<String, Object> item, Set<String> known) {
        Set<String> unknown = new TreeSet<>(item.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ConfigError(at, what + ": unknown or not emulated member(s) " + unknown + " (nothing is ignored)");
        }
    }

    private static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String newKey(SecureRandom random) {
        StringBuilder sb = new StringBuilder(KEY_LENGTH);
        for (int i = 0; i < KEY_LENGTH; i++) {
            sb.append(KEY_CHARS.charAt(random.nextInt(KEY_CHARS.length())));
        }
        return sb.toString();
    }
}
