package eu.securehub.psd2.config;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One environment's configuration, read and checked exactly as the build and the deploy read it
 * ({@link ConfigTree}), for tools that run the environment elsewhere: the local Apigee runtime
 * (tests/runtime-config) builds its environment from it, so the local hub and a deploy share one
 * source of truth.
 *
 * <p>The values are the shapes apigee-config-maven-plugin reads (as {@code target/edge.json} holds
 * them): TargetServers as their JSON objects, keystores, aliases (placeholders resolved through the
 * given lookup, relative file paths made absolute against the project root) and references, KVMs
 * with every value a string (a JSON object value, such as a bank profile, in its compact JSON form),
 * and edge.json's orgConfig. All collections are unmodifiable; the maps inside them are the parsed
 * JSON and must not be changed.
 */
public final class EnvironmentConfig {
    private final Path root;
    private final ConfigTree.Env env;
    private final Map<String, Object> orgConfig;
    private final Map<String, Object> debugMask;

    private EnvironmentConfig(Path root, ConfigTree.Env env, Map<String, Object> orgConfig,
            Map<String, Object> debugMask) {
        this.root = root;
        this.env = env;
        this.orgConfig = orgConfig;
        this.debugMask = debugMask;
    }

    /**
     * Reads and checks the configuration under {@code root} (every environment is checked, as
     * {@code mvn verify} does) and returns environment {@code envName}.
     *
     * @param placeholders the value of a {@code ${name}} placeholder in keystores/, or null for none
     *                     (then the placeholder's default applies, or it stays as written)
     * @throws ConfigException naming every problem, or when the environment has no folders
     */
    public static EnvironmentConfig load(Path root, String envName, Function<String, String> placeholders) {
        Objects.requireNonNull(envName, "envName");
        Function<String, String> lookup = placeholders != null ? placeholders : name -> null;
        ConfigTree tree = ConfigTree.load(root, new Placeholders(lookup));
        ConfigTree.Env env = tree.envs.get(envName);
        if (env == null) {
            throw new ConfigException("environment " + envName + " is not configured: there is no targetservers/"
                    + envName + "/, keystores/" + envName + "/ and kvms/" + envName + "/ under " + tree.root
                    + " (known: " + tree.envs.keySet() + ")");
        }
        return new EnvironmentConfig(tree.root, env, tree.orgConfig, tree.debugMask);
    }

    /** The project root, absolute and normalised. */
    /**
     * edge.json's {@code allEnvConfig.debugMasks[0]} as checked at load (the Apigee X DebugMask the deploy sets on every
     * environment), or null when edge.json has none.
     */
    public Map<String, Object> debugMask() {
        return debugMask;
    }

    public Path root() {
        return root;
    }

    /** The environment (folder) name. */
    public String name() {
        return env.name;
    }

    /** TargetServer name → its JSON object (targetservers/ENV/NAME.json), sorted by name. */
    public Map<String, Map<String, Object>> targetServers() {
        return Collections.unmodifiableMap(env.targetServers);
    }

    /** The keystores ({@code {"name": …}}) of keystores/ENV/*.json. */
    public List<Map<String, Object>> keystores() {
        return Collections.unmodifiableList(env.keystores);
    }

    /**
     * The aliases of keystores/ENV/*.json: placeholders resolved where the lookup (or the
     * placeholder's default) gives a value, file paths ({@code filePath}, {@code certFilePath},
     * {@code keyFilePath}) absolute.
     */
    public List<Map<String, Object>> aliases() {
        return Collections.unmodifiableList(env.aliases);
    }

    /** The references ({@code name}, {@code refers}, {@code resourceType}) of keystores/ENV/*.json. */
    public List<Map<String, Object>> references() {
        return Collections.unmodifiableList(env.references);
    }

    /**
     * KVM name → (entry name → value), both in file order; maps sorted by name. A value written as a
     * JSON object or array is its compact JSON text, as the config plugin uploads it. Includes
     * kvms/ENV/psd2-hub-keys.json when that file exists.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Map<String, String>> kvms() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> kvm : env.kvms.entrySet()) {
            Map<String, String> entries = new LinkedHashMap<>();
            for (Object o : (List<Object>) kvm.getValue().get("entry")) {
                Map<String, Object> entry = ConfigTree.asMap(o);
                entries.put((String) entry.get("name"), (String) entry.get("value"));
            }
            out.put(kvm.getKey(), Collections.unmodifiableMap(entries));
        }
        return Collections.unmodifiableMap(out);
    }

    /** edge.json's orgConfig: apiProducts, developers, developerApps (keyed by developer email). */
    public Map<String, Object> orgConfig() {
        return Collections.unmodifiableMap(orgConfig);
    }

    /** The name of the KVM that holds the keyring (kms-key-tool's file kvms/ENV/psd2-hub-keys.json). */
    public static String keysMap() {
        return ConfigTree.KEYS_MAP;
    }

    /** The keyring's entry name in {@link #keysMap()}. */
    public static String keyringEntry() {
        return ConfigTree.KEYRING_ENTRY;
    }

    /**
     * Reads one KVM file in the kvms/ENV/MAP.json shape ({@code {"name","entry":[{"name","value"}]}}),
     * e.g. a keyring kms-key-tool wrote outside the project: entry name → value, a JSON object or array
     * value as its compact JSON text.
     *
     * @throws ConfigException when the file cannot be read or does not have that shape
     */
    public static Map<String, String> readKvmFile(Path file) {
        Object doc = ConfigTree.readJson(file);
        List<String> problems = new ArrayList<>();
        Map<String, String> out = new LinkedHashMap<>();
        if (!(doc instanceof Map) || !(ConfigTree.asMap(doc).get("entry") instanceof List)
                || !(ConfigTree.asMap(doc).get("name") instanceof String)) {
            throw new ConfigException(file + ": expected {\"name\": MAP, \"entry\": [{\"name\", \"value\"}, …]}");
        }
        for (Object o : (List<?>) ConfigTree.asMap(doc).get("entry")) {
            Object name = o instanceof Map ? ConfigTree.asMap(o).get("name") : null;
            Object value = o instanceof Map ? ConfigTree.asMap(o).get("value") : null;
            if (!(name instanceof String) || ((String) name).isEmpty()) {
                problems.add("every entry needs a string \"name\"");
            } else if (value instanceof String) {
                out.put((String) name, (String) value);
            } else if (value instanceof Map || value instanceof List) {
                out.put((String) name, eu.securehub.psd2.callouts.json.Json.write(value));
            } else {
                problems.add("entry " + name + " needs a string (or JSON object) \"value\"");
            }
        }
        if (!problems.isEmpty()) {
            throw ConfigException.of(file + " is not a KVM file:", problems);
        }
        return Collections.unmodifiableMap(out);
    }

    /** How many days a QWAC or QSEAL must still be valid when nothing says otherwise (the config step's default). */
    public static int defaultCertificateMinDays() {
        return CertificateCheck.DEFAULT_MIN_DAYS;
    }

    /**
     * The config step's certificate check ({@code mvn verify} and a deploy run it on the files) over the certificates
     * a caller holds, e.g. the local runtime: the QWAC of every key alias the TargetServers present (through their
     * keyStore reference), the QSEAL of entry {@code qseal} of the keys map, against the services and signing of the
     * registry psd2-hub-banks: valid now and for {@code minDays} more days, with the ETSI TS 119 495 PSD2 QCStatement
     * and the role of every service enabled (AIS: PSP_AI, PIS: PSP_PI); a missing qseal entry is refused only when a
     * bank signs (signing.profile berlin-group).
     *
     * @param minDays     at least 1; named in a refusal together with {@code option}, how the caller sets it
     * @param now         the time to check against
     * @param keyAliasCertificate (keystore, alias) → the certificate the caller loaded for that key alias, or null
     * @param kvms        map → entry → value as the caller serves them (psd2-hub-banks, psd2-hub-keys)
     * @param keysLabel   where the keys map came from, for the messages (e.g. the keyring file)
     * @param option      how the caller's user changes {@code minDays}, named in a refusal
     * @return one line per certificate saying what was checked (CN, notAfter, days left, roles); no key material
     * @throws ConfigException listing every problem
     */
    public List<String> checkCertificates(int minDays, Instant now,
            BiFunction<String, String, X509Certificate> keyAliasCertificate, Map<String, Map<String, String>> kvms,
            String keysLabel, String option) {
        Objects.requireNonNull(keyAliasCertificate, "keyAliasCertificate");
        CertificateCheck.Policy policy = new CertificateCheck.Policy(minDays, Map.of(), Objects.requireNonNull(now, "now"),
                Objects.requireNonNull(option, "option"), option);
        CertificateCheck.Report report = CertificateCheck.check(env, Objects.requireNonNull(kvms, "kvms"), keysLabel, true,
                policy, (use, alias) -> {
                    X509Certificate cert = keyAliasCertificate.apply(use.keystore, use.alias);
                    return cert != null ? CertificateCheck.Loaded.of(cert)
                            : CertificateCheck.Loaded.problem("the key alias has no certificate loaded");
                });
        if (!report.problems.isEmpty()) {
            throw ConfigException.of("The certificates of environment " + env.name + " are not fit to use:", report.problems);
        }
        return Collections.unmodifiableList(report.lines);
    }

    /** True when the text still holds a {@code ${…}} placeholder. */
    public static boolean hasPlaceholder(String text) {
        return Placeholders.unresolved(text);
    }

    /** How to give the placeholders left in the text, e.g. {@code -Dpsd2.qwac.password=… (or env PSD2_QWAC_PASSWORD)}. */
    public static String describePlaceholders(String text) {
        return Placeholders.describe(text);
    }

    /** The deploy's lookup: Java system properties, then environment variables (see Placeholders). */
    public static Function<String, String> systemPlaceholders() {
        Placeholders system = Placeholders.fromSystem();
        return name -> {
            String text = "${" + name + "}";
            String v = system.resolve(text);
            return v.equals(text) ? null : v;
        };
    }
}
