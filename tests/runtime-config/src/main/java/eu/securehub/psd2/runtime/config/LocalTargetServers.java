package eu.securehub.psd2.runtime.config;

import eu.securehub.psd2.config.EnvironmentConfig;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.KeyStoreEntry;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.SslInfo;
import eu.securehub.psd2.runtime.spi.TargetServer;
import java.security.KeyStoreException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The environment's TargetServers from targetservers/ENV/NAME.json (the config plugin's shape: name, host, port,
 * isEnabled, sSLInfo). The sSLInfo members become an {@link SslInfo}; members the runtime does not emulate
 * (ciphers, commonName, ignoreValidationErrors true, a protocol other than HTTP) are start-up errors.
 */
final class LocalTargetServers {
    private static final Set<String> FIELDS = Set.of("name", "host", "port", "isEnabled", "sSLInfo", "protocol",
            "description");
    private static final Set<String> SSL_FIELDS = Set.of("enabled", "enforce", "clientAuthEnabled", "keyStore",
            "keyAlias", "trustStore", "ignoreValidationErrors", "protocols", "ciphers");

    record Server(String name, String host, int port, boolean enabled, Optional<SslInfo> ssl) implements TargetServer {
    }

    private LocalTargetServers() {
    }

    static Map<String, TargetServer> load(EnvironmentConfig config, LocalKeyStores keystores) {
        Map<String, TargetServer> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> e : config.targetServers().entrySet()) {
            Location at = new Location("targetservers/" + config.name() + "/" + e.getKey() + ".json", 0);
            out.put(e.getKey(), parse(at, e.getValue(), keystores));
        }
        return Collections.unmodifiableMap(out);
    }

    static Server parse(Location at, Map<String, Object> json, LocalKeyStores keystores) {
        unknown(at, "", json, FIELDS);
        Object protocol = json.get("protocol");
        if (protocol != null && !"HTTP".equals(protocol)) {
            throw new ConfigError(at, "protocol " + protocol + " is not emulated by the local runtime (HTTP is)");
        }
        String name = string(at, json, "name", true);
        String host = string(at, json, "host", true);
        Object port = json.get("port");
        if (!(port instanceof Number n) || n.longValue() < 1 || n.longValue() > 65535) {
            throw new ConfigError(at, "\"port\" must be a number from 1 to 65535");
        }
        // Apigee's default for isEnabled is true.
        boolean enabled = bool(at, json, "isEnabled", true);
        Optional<SslInfo> ssl = Optional.empty();
        if (json.get("sSLInfo") != null) {
            if (!(json.get("sSLInfo") instanceof Map)) {
                throw new ConfigError(at, "\"sSLInfo\" must be an object");
            }
            ssl = Optional.of(sslInfo(at, asMap(json.get("sSLInfo")), keystores));
        }
        return new Server(name, host, ((Number) port).intValue(), enabled, ssl);
    }

    private static SslInfo sslInfo(Location at, Map<String, Object> ssl, LocalKeyStores keystores) {
        unknown(at, "sSLInfo.", ssl, SSL_FIELDS);
        if (bool(at, ssl, "ignoreValidationErrors", false)) {
            throw new ConfigError(at, "sSLInfo.ignoreValidationErrors true is not emulated by the local runtime");
        }
        Object ciphers = ssl.get("ciphers");
        if (ciphers != null && !(ciphers instanceof List<?> l && l.isEmpty())) {
            throw new ConfigError(at, "sSLInfo.ciphers is not emulated by the local runtime (all JVM ciphers are used)");
        }
        boolean enabled = bool(at, ssl, "enabled", false);
        boolean enforce = bool(at, ssl, "enforce", false);
        boolean clientAuth = bool(at, ssl, "clientAuthEnabled", false);
        String keyStore = string(at, ssl, "keyStore", false);
        String keyAlias = string(at, ssl, "keyAlias", false);
        String trustStore = string(at, ssl, "trustStore", false);
        List<String> protocols = new ArrayList<>();
        Object p = ssl.get("protocols");
        if (p != null) {
            if (!(p instanceof List)) {
                throw new ConfigError(at, "sSLInfo.protocols must be an array");
            }
            for (Object o : (List<?>) p) {
                if (!(o instanceof String s) || !Set.of("TLSv1.2", "TLSv1.3").contains(s)) {
                    throw new ConfigError(at, "sSLInfo.protocols: " + o + " is not TLSv1.2 or TLSv1.3");
                }
                protocols.add(s);
            }
        }
        if (clientAuth && (keyStore == null || keyAlias == null)) {
            throw new ConfigError(at, "sSLInfo.clientAuthEnabled needs keyStore and keyAlias");
        }
        // What the SSLInfo names must exist now: Apigee resolves it at the call, the local runtime fails at start.
        if (keyStore != null) {
            KeyStoreEntry ks = keystores.find(keyStore).orElseThrow(() -> new ConfigError(at,
                    "sSLInfo.keyStore " + keyStore + " is no keystore or reference of this environment"));
            if (keyAlias != null && !hasKey(ks, keyAlias)) {
                throw new ConfigError(at, "sSLInfo.keyAlias " + keyAlias + " is no key entry of keystore " + keyStore);
            }
        }
        if (trustStore != null && keystores.find(trustStore).isEmpty()) {
            throw new ConfigError(at, "sSLInfo.trustStore " + trustStore + " is no keystore or reference of this environment");
        }
        return new SslInfo(enabled, enforce, clientAuth, keyStore, keyAlias, trustStore, protocols);
    }

    private static boolean hasKey(KeyStoreEntry ks, String alias) {
        try {
            return ks.aliases().contains(alias) && ks.keyStore().isKeyEntry(alias);
        } catch (KeyStoreException e) {
            return false;
        }
    }

    private static void unknown(Location at, String prefix, Map<String, Object> json, Set<String> known) {
        Set<String> unknown = new TreeSet<>(json.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            List<String> named = unknown.stream().map(u -> prefix + u).toList();
            throw new ConfigError(at, "unknown or not emulated member(s) " + named + " (nothing is ignored)");
        }
    }

    private static String string(Location at, Map<String, Object> json, String field, boolean required) {
        Object v = json.get(field);
        if (v == null && !required) {
            return null;
        }
        if (!(v instanceof String s) || s.isBlank()) {
            throw new ConfigError(at, "\"" + field + "\" must be a non-empty string");
        }
        return s;
    }

    private static boolean bool(Location at, Map<String, Object> json, String field, boolean dflt) {
        Object v = json.get(field);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean b)) {
            throw new ConfigError(at, "\"" + field + "\" must be true or false");
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }
}
