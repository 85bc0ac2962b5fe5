package eu.securehub.psd2.config;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The project's configuration folders, read and checked:
 *
 * <pre>
 * edge.json                         orgConfig only (API product, developer, app)
 * targetservers/ENV/bank-ID.json    one TargetServer per bank
 * keystores/ENV/*.json              {"keystores":[…],"aliases":[…],"references":[…]}
 * kvms/ENV/MAP.json                 {"name":"MAP","entry":[{"name","value"}]}
 * </pre>
 *
 * Every problem found is collected and reported at once. The checks are the ones that would
 * otherwise only fail at run time in Apigee: a bank without a TargetServer (or the reverse), banks
 * that differ between environments, a TargetServer whose TLS is not enforced with client
 * authentication and keystore/truststore references, a reference to a keystore or alias that no
 * file defines.
 */
final class ConfigTree {
    static final Pattern BANK_ID = Pattern.compile("^[a-z0-9][a-z0-9-]{0,39}$");
    static final Pattern ENV_NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,31}$");
    static final String BANKS_MAP = "psd2-hub-banks";
    static final String KEYS_MAP = "psd2-hub-keys";
    static final String KEYRING_ENTRY = "dek-keyring";
    static final String BANK_PREFIX = "bank-";
    /** Maps every environment defines (the keys map comes from the key tool and is checked apart). */
    static final List<String> REQUIRED_MAPS = List.of("psd2-hub-config", BANKS_MAP);
    /**
     * Maps the hub writes at run time (customer tokens, breaker state). The config must never name them: the config
     * plugin's kvms goal with option sync or delete deletes every map its config names, entries and all
     * (apigee-config-maven-plugin KVMMojo.doEnvUpdate, KVMMojo.java:225-255 at 81881ca: "case delete:" and
     * "case sync:" call deleteEnvKVM for each map of the config). A KVM Put creates its map ("When the following
     * policy runs, it creates an encrypted KVM named FooKVM", KeyValueMapOperations policy reference).
     */
    static final List<String> RUNTIME_MAPS = List.of("psd2-hub-tokens", "psd2-hub-breaker");
    static final List<String> HUB_CONFIG_ENTRIES = List.of("kms-endpoint", "callback-url", "redirect-callback-url",
            "pending-ttl-seconds");
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    /**
     * The alias formats Apigee X accepts (keystores.aliases.create, query parameter format:
     * https://cloud.google.com/apigee/docs/reference/apis/apigee/rest/v1/organizations.environments.keystores.aliases/create).
     * apigee-config-maven-plugin 2.9.3 also passes keycertjar (AliasMojo.java:428-433), an Edge format that X refuses.
     */
    static final Set<String> ALIAS_FORMATS = Set.of("pkcs12", "keycertfile", "selfsignedcert");
    /** Edge's JAR alias format: refused here with its own message, before Apigee X refuses the upload. */
    static final String KEYCERTJAR = "keycertjar";
    static final List<String> ALIAS_FILE_FIELDS = List.of("filePath", "certFilePath", "keyFilePath");

    /** One environment's config, in the shapes apigee-config-maven-plugin reads. */
    static final class Env {
        final String name;
        final Map<String, Map<String, Object>> targetServers = new TreeMap<>();
        final List<Map<String, Object>> keystores = new ArrayList<>();
        final List<Map<String, Object>> aliases = new ArrayList<>();
        final List<Map<String, Object>> references = new ArrayList<>();
        /** Map name → {"name","entry":[{"name","value"(string)}]}, sorted by name. */
        final Map<String, Map<String, Object>> kvms = new TreeMap<>();
        final Set<String> registryBanks = new TreeSet<>();
        /** Bank id → its registry entry's readTimeoutMs (or the default). */
        final Map<String, Long> readTimeouts = new TreeMap<>();

        Env(String name) {
            this.name = name;
        }

        Set<String> targetBanks() {
            Set<String> ids = new TreeSet<>();
            for (String ts : targetServers.keySet()) {
                if (ts.startsWith(BANK_PREFIX)) {
                    ids.add(ts.substring(BANK_PREFIX.length()));
                }
            }
            return ids;
        }

        boolean hasKeyring() {
            Map<String, Object> keys = kvms.get(KEYS_MAP);
            return keys != null && entryNames(keys).contains(KEYRING_ENTRY);
        }
    }

    final Path root;
    final Map<String, Object> orgConfig;
    /**
     * edge.json's allEnvConfig.debugMasks[0]: the debug mask every environment gets (an Apigee X DebugMask), or null
     * when edge.json has none. The deploy applies it with {@code Main debugmask} ({@link DebugMask}); it is not written
     * into the config plugin's file, as no goal of apigee-config-maven-plugin 2.9.3 reads a debug mask.
     */
    final Map<String, Object> debugMask;
    final Map<String, Env> envs;
    final Set<String> bankIds;
    /** Bank id → the read timeout of its TargetEndpoint (readTimeoutMs, the same in every environment). */
    final Map<String, Long> readTimeouts;

    private ConfigTree(Path root, Map<String, Object> orgConfig, Map<String, Object> debugMask,
            Map<String, Env> envs, Set<String> bankIds, Map<String, Long> readTimeouts) {
        this.root = root;
        this.orgConfig = orgConfig;
        this.debugMask = debugMask;
        this.envs = envs;
        this.bankIds = bankIds;
        this.readTimeouts = readTimeouts;
    }

    /**
     * Reads and checks the folders under {@code root}. Keystore values keep their placeholders here
     * unless {@code placeholders} resolves them; relative file paths are made absolute against root.
     */
    static ConfigTree load(Path root, Placeholders placeholders) {
        Path base = root.toAbsolutePath().normalize();
        List<String> problems = new ArrayList<>();

        Map<String, Object> debugMask = new LinkedHashMap<>();
        Map<String, Object> orgConfig = readOrgConfig(base.resolve("edge.json"), debugMask, problems);

        Set<String> tsEnvs = envDirs(base, "targetservers", problems);
        Set<String> ksEnvs = envDirs(base, "keystores", problems);
        Set<String> kvmEnvs = envDirs(base, "kvms", problems);
        Set<String> all = new TreeSet<>(tsEnvs);
        all.addAll(ksEnvs);
        all.addAll(kvmEnvs);
        if (all.isEmpty()) {
            problems.add("no environment found: expected targetservers/ENV/, keystores/ENV/ and kvms/ENV/ under " + base);
        }
        for (String env : all) {
            for (Map.Entry<String, Set<String>> folder : Map.of("targetservers", tsEnvs, "keystores", ksEnvs,
                    "kvms", kvmEnvs).entrySet()) {
                if (!folder.getValue().contains(env)) {
                    problems.add("environment " + env + " has no " + folder.getKey() + "/" + env + "/ folder"
                            + " (every environment needs targetservers/, keystores/ and kvms/)");
                }
            }
        }

        Map<String, Env> envs = new TreeMap<>();
        for (String name : all) {
            if (!ENV_NAME.matcher(name).matches()) {
                problems.add("environment folder name '" + name + "' is not a valid name (lower case, digits, '-')");
                continue;
            }
            Env env = new Env(name);
            readTargetServers(base, env, problems);
            readKeystores(base, env, placeholders, problems);
            readKvms(base, env, problems);
            checkEnv(env, problems);
            envs.put(name, env);
        }

        // Every environment defines the same logical banks: the proxy's generated targets serve them all.
        Set<String> bankIds = new TreeSet<>();
        String first = null;
        for (Env env : envs.values()) {
            Set<String> banks = env.targetBanks();
            if (first == null) {
                first = env.name;
                bankIds.addAll(banks);
            } else if (!banks.equals(bankIds)) {
                problems.add("environments " + first + " and " + env.name + " define different banks ("
                        + first + ": " + bankIds + ", " + env.name + ": " + banks
                        + "): every environment needs the same bank ids in targetservers/ and kvms/"
                        + BANKS_MAP + ".json");
            }
        }
        // The proxy bundle is built once for every environment and its io.timeout.millis is a literal: a bank's
        // readTimeoutMs must be the same in every environment's registry.
        Map<String, Long> readTimeouts = new TreeMap<>();
        for (String id : bankIds) {
            Map<String, Long> byEnv = new TreeMap<>();
            for (Env env : envs.values()) {
                byEnv.put(env.name, env.readTimeouts.getOrDefault(id, BankProfileCheck.DEFAULT_READ_TIMEOUT_MS));
            }
            if (new TreeSet<>(byEnv.values()).size() > 1) {
                problems.add("bank " + id + ": readTimeoutMs differs between environments " + byEnv + ": the proxy bundle"
                        + " is built once for all of them and Apigee X takes io.timeout.millis as written, so give it the"
                        + " same value in every kvms/ENV/" + BANKS_MAP + ".json");
            }
            readTimeouts.put(id, byEnv.values().iterator().next());
        }
        if (first != null && bankIds.isEmpty()) {
            problems.add("no bank is configured (targetservers/ENV/bank-ID.json)");
        }

        if (!problems.isEmpty()) {
            throw ConfigException.of("The configuration under " + base + " is inconsistent:", problems);
        }
        return new ConfigTree(base, orgConfig, debugMask.isEmpty() ? null : Collections.unmodifiableMap(debugMask),
                Collections.unmodifiableMap(envs), Collections.unmodifiableSet(bankIds),
                Collections.unmodifiableMap(readTimeouts));
    }

    // ---------------------------------------------------------------- edge.json

    private static Map<String, Object> readOrgConfig(Path file, Map<String, Object> debugMask,
            List<String> problems) {
        Map<String, Object> org = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            problems.add(file + " not found (it holds orgConfig: the API product, developer and app)");
            return org;
        }
        Object doc;
        try {
            doc = readJson(file);
        } catch (ConfigException e) {
            problems.add(e.getMessage());
            return org;
        }
        if (!(doc instanceof Map)) {
            problems.add("edge.json is not a JSON object");
            return org;
        }
        Map<String, Object> edge = asMap(doc);
        for (String key : edge.keySet()) {
            if (key.equals("envConfig") || key.equals("apiConfig")) {
                problems.add("edge.json has " + key + ": environment config is assembled from targetservers/, "
                        + "keystores/ and kvms/ (one source per value); edge.json holds orgConfig only");
            } else if (!key.equals("orgConfig") && !key.equals("version") && !key.equals("allEnvConfig")) {
                problems.add("edge.json has an unknown member \"" + key + "\" (expected orgConfig, allEnvConfig)");
            }
        }
        readAllEnvConfig(edge.get("allEnvConfig"), debugMask, problems);
        if (!(edge.get("orgConfig") instanceof Map)) {
            problems.add("edge.json has no orgConfig object");
            return org;
        }
        org = asMap(edge.get("orgConfig"));
        checkOrgConfig(org, problems);
        return org;
    }

    /**
     * allEnvConfig holds what every environment gets alike; only debugMasks (a list of one Apigee X DebugMask, the
     * environment's singleton) is allowed, so nothing else is written twice. Its fields are checked here, so that
     * {@code mvn verify} already refuses a mask the deploy's PATCH would send wrong ({@link DebugMask#check}).
     */
    private static void readAllEnvConfig(Object value, Map<String, Object> out, List<String> problems) {
        if (value == null) {
            return;
        }
        if (!(value instanceof Map)) {
            problems.add("edge.json allEnvConfig must be an object");
            return;
        }
        for (Map.Entry<String, Object> e : asMap(value).entrySet()) {
            if (!e.getKey().equals("debugMasks")) {
                problems.add("edge.json allEnvConfig has \"" + e.getKey() + "\": only debugMasks is the same in every"
                        + " environment; the rest is per environment in targetservers/, keystores/ and kvms/");
            } else if (!(e.getValue() instanceof List) || ((List<?>) e.getValue()).size() != 1
                    || !(((List<?>) e.getValue()).get(0) instanceof Map)) {
                problems.add("edge.json allEnvConfig.debugMasks must be a list of one debug mask object"
                        + " (Apigee X has one debug mask per environment)");
            } else {
                Map<String, Object> mask = asMap(((List<?>) e.getValue()).get(0));
                int before = problems.size();
                DebugMask.check("edge.json allEnvConfig.debugMasks[0]", mask, problems);
                if (problems.size() == before) {
                    out.putAll(mask);
                }
            }
        }
    }

    private static void checkOrgConfig(Map<String, Object> org, List<String> problems) {
        Set<String> products = namesOf(org.get("apiProducts"), "name", "edge.json orgConfig.apiProducts", problems);
        Set<String> developers = namesOf(org.get("developers"), "email", "edge.json orgConfig.developers", problems);
        Object apps = org.get("developerApps");
        if (apps == null) {
            return;
        }
        if (!(apps instanceof Map)) {
            problems.add("edge.json orgConfig.developerApps must be an object keyed by developer email");
            return;
        }
        for (Map.Entry<String, Object> e : asMap(apps).entrySet()) {
            if (!developers.contains(e.getKey())) {
                problems.add("edge.json developerApps are listed under " + e.getKey()
                        + ", which is not in orgConfig.developers");
            }
            if (!(e.getValue() instanceof List)) {
                problems.add("edge.json developerApps." + e.getKey() + " must be an array of apps");
                continue;
            }
            for (Object app : (List<?>) e.getValue()) {
                if (!(app instanceof Map) || !(asMap(app).get("name") instanceof String)) {
                    problems.add("edge.json developerApps." + e.getKey() + " has an app without a name");
                    continue;
                }
                Object appProducts = asMap(app).get("apiProducts");
                if (appProducts instanceof List) {
                    for (Object p : (List<?>) appProducts) {
                        if (!products.contains(p)) {
                            problems.add("edge.json app " + asMap(app).get("name") + " uses API product " + p
                                    + ", which is not in orgConfig.apiProducts");
                        }
                    }
                }
            }
        }
    }

    private static Set<String> namesOf(Object list, String key, String what, List<String> problems) {
        Set<String> names = new LinkedHashSet<>();
        if (list == null) {
            return names;
        }
        if (!(list instanceof List)) {
            problems.add(what + " must be an array");
            return names;
        }
        for (Object o : (List<?>) list) {
            Object name = o instanceof Map ? asMap(o).get(key) : null;
            if (!(name instanceof String) || ((String) name).isEmpty()) {
                problems.add(what + " has a member without \"" + key + "\"");
            } else if (!names.add((String) name)) {
                problems.add(what + " lists " + name + " twice");
            }
        }
        return names;
    }

    // ---------------------------------------------------------------- folders

    private static Set<String> envDirs(Path base, String folder, List<String> problems) {
        Set<String> names = new TreeSet<>();
        Path dir = base.resolve(folder);
        if (!Files.isDirectory(dir)) {
            problems.add(folder + "/ not found under " + base);
            return names;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            problems.add("cannot list " + dir + ": " + e.getMessage());
        }
        return names;
    }

    /** The *.json files of a folder, sorted by name; other files (a README) are ignored. */
    private static List<Path> jsonFiles(Path dir, List<String> problems) {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            problems.add("cannot list " + dir + ": " + e.getMessage());
        }
        return files;
    }

    private static String rel(Path base, Path file) {
        return base.relativize(file).toString().replace('\\', '/');
    }

    private static String baseName(Path file) {
        String n = file.getFileName().toString();
        return n.substring(0, n.length() - ".json".length());
    }

    // ---------------------------------------------------------------- target servers

    private static void readTargetServers(Path base, Env env, List<String> problems) {
        for (Path file : jsonFiles(base.resolve("targetservers").resolve(env.name), problems)) {
            String where = rel(base, file);
            Map<String, Object> ts = readObject(file, where, problems);
            if (ts == null) {
                continue;
            }
            Object name = ts.get("name");
            if (!baseName(file).equals(name)) {
                problems.add(where + ": \"name\" must equal the file name (" + baseName(file) + ")");
                continue;
            }
            String n = (String) name;
            if (!n.startsWith(BANK_PREFIX) || !BANK_ID.matcher(n.substring(BANK_PREFIX.length())).matches()) {
                problems.add(where + ": a TargetServer is named bank-<bankId>, bankId matching " + BANK_ID.pattern());
                continue;
            }
            if (!(ts.get("host") instanceof String) || ((String) ts.get("host")).isBlank()) {
                problems.add(where + ": \"host\" is missing");
            }
            Object port = ts.get("port");
            if (!(port instanceof Long) || (Long) port < 1 || (Long) port > 65535) {
                problems.add(where + ": \"port\" must be a number from 1 to 65535");
            }
            if (!Boolean.TRUE.equals(ts.get("isEnabled"))) {
                problems.add(where + ": \"isEnabled\" must be true (remove the bank from every environment instead)");
            }
            checkSslInfo(where, ts.get("sSLInfo"), problems);
            env.targetServers.put(n, ts);
        }
    }

    private static void checkSslInfo(String where, Object sslInfo, List<String> problems) {
        if (!(sslInfo instanceof Map)) {
            problems.add(where + ": \"sSLInfo\" is missing: a bank is called over mutual TLS only");
            return;
        }
        Map<String, Object> ssl = asMap(sslInfo);
        for (String flag : List.of("enabled", "enforce", "clientAuthEnabled")) {
            if (!Boolean.TRUE.equals(ssl.get(flag))) {
                problems.add(where + ": sSLInfo." + flag + " must be true");
            }
        }
        if (Boolean.TRUE.equals(ssl.get("ignoreValidationErrors"))) {
            problems.add(where + ": sSLInfo.ignoreValidationErrors must not be true");
        }
        for (String ref : List.of("keyStore", "trustStore")) {
            Object v = ssl.get(ref);
            if (!(v instanceof String) || !((String) v).startsWith("ref://") || ((String) v).length() == 6) {
                problems.add(where + ": sSLInfo." + ref + " must be a reference (ref://NAME)");
            }
        }
        if (!(ssl.get("keyAlias") instanceof String) || ((String) ssl.get("keyAlias")).isBlank()) {
            problems.add(where + ": sSLInfo.keyAlias is missing (the QWAC key alias)");
        }
        Object protocols = ssl.get("protocols");
        if (!(protocols instanceof List) || ((List<?>) protocols).isEmpty()
                || !PROTOCOLS.containsAll((List<?>) protocols)) {
            problems.add(where + ": sSLInfo.protocols must list TLSv1.2 and/or TLSv1.3 only");
        }
    }

    // ---------------------------------------------------------------- keystores

    private static void readKeystores(Path base, Env env, Placeholders placeholders, List<String> problems) {
        for (Path file : jsonFiles(base.resolve("keystores").resolve(env.name), problems)) {
            String where = rel(base, file);
            Map<String, Object> doc = readObject(file, where, problems);
            if (doc == null) {
                continue;
            }
            for (Map.Entry<String, Object> e : doc.entrySet()) {
                List<Map<String, Object>> target;
                switch (e.getKey()) {
                    case "keystores":
                        target = env.keystores;
                        break;
                    case "aliases":
                        target = env.aliases;
                        break;
                    case "references":
                        target = env.references;
                        break;
                    default:
                        problems.add(where + ": unknown member \"" + e.getKey()
                                + "\" (expected keystores, aliases, references)");
                        continue;
                }
                if (!(e.getValue() instanceof List)) {
                    problems.add(where + ": \"" + e.getKey() + "\" must be an array");
                    continue;
                }
                for (Object o : (List<?>) e.getValue()) {
                    if (!(o instanceof Map)) {
                        problems.add(where + ": every member of \"" + e.getKey() + "\" must be an object");
                        continue;
                    }
                    Map<String, Object> item = asMap(o);
                    if (e.getKey().equals("aliases")) {
                        if (KEYCERTJAR.equals(item.get("format"))) {
                            problems.add(where + ": alias " + item.get("alias") + ": format keycertjar is not accepted by"
                                    + " Apigee X (only " + String.join(", ", new TreeSet<>(ALIAS_FORMATS)) + "):"
                                    + " convert the JAR's key and certificate into a PKCS#12 file (format pkcs12,"
                                    + " filePath, password) or PEM files (format keycertfile, certFilePath, keyFilePath)");
                        }
                        item = resolveAlias(base, where, item, placeholders, problems);
                    }
                    target.add(item);
                }
            }
        }
        Set<String> keystores = namesOf(env.keystores, "name", "keystores/" + env.name + " keystores", problems);
        Set<String> aliasKeys = new TreeSet<>();
        for (Map<String, Object> a : env.aliases) {
            Object alias = a.get("alias");
            Object ks = a.get("keystorename");
            Object format = a.get("format");
            String what = "keystores/" + env.name + ": alias " + alias;
            if (!(alias instanceof String) || !(ks instanceof String)) {
                problems.add("keystores/" + env.name + ": every alias needs \"alias\" and \"keystorename\"");
                continue;
            }
            if (!keystores.contains(ks)) {
                problems.add(what + " is in keystore " + ks + ", which no keystores/" + env.name + " file defines");
            }
            if (!aliasKeys.add(ks + "/" + alias)) {
                problems.add(what + " is defined twice in keystore " + ks);
            }
            if (KEYCERTJAR.equals(format)) {
                // already reported, naming its file, where it was read
            } else if (!ALIAS_FORMATS.contains(format)) {
                problems.add(what + ": \"format\" must be one of " + new TreeSet<>(ALIAS_FORMATS));
            } else if (format.equals("pkcs12") && !(a.get("filePath") instanceof String)) {
                problems.add(what + ": format " + format + " needs \"filePath\"");
            } else if (format.equals("keycertfile") && !(a.get("certFilePath") instanceof String)) {
                problems.add(what + ": format keycertfile needs \"certFilePath\"");
            }
        }
        Set<String> refs = namesOf(env.references, "name", "keystores/" + env.name + " references", problems);
        for (Map<String, Object> r : env.references) {
            if (!keystores.contains(r.get("refers"))) {
                problems.add("keystores/" + env.name + ": reference " + r.get("name") + " refers to "
                        + r.get("refers") + ", which is not a keystore of this environment");
            }
            if (!"KeyStore".equals(r.get("resourceType"))) {
                problems.add("keystores/" + env.name + ": reference " + r.get("name") + " needs \"resourceType\": \"KeyStore\"");
            }
        }
        env.references.removeIf(r -> !refs.contains(r.get("name")));
    }

    private static Map<String, Object> resolveAlias(Path base, String where, Map<String, Object> alias,
            Placeholders placeholders, List<String> problems) {
        Map<String, Object> out = new LinkedHashMap<>();
        Object password = alias.get("password");
        if (password != null
                && !(password instanceof String && Placeholders.PLACEHOLDER.matcher((String) password).matches())) {
            problems.add(where + ": alias " + alias.get("alias") + ": \"password\" must be a ${…} placeholder given"
                    + " at deploy time, never a committed value");
        }
        for (Map.Entry<String, Object> e : alias.entrySet()) {
            Object v = e.getValue();
            if (v instanceof String) {
                String s = placeholders.resolve((String) v);
                if (ALIAS_FILE_FIELDS.contains(e.getKey()) && !Placeholders.unresolved(s) && !s.isEmpty()) {
                    s = base.resolve(s).normalize().toString();
                }
                v = s;
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    // ---------------------------------------------------------------- kvms

    private static void readKvms(Path base, Env env, List<String> problems) {
        for (Path file : jsonFiles(base.resolve("kvms").resolve(env.name), problems)) {
            String where = rel(base, file);
            Map<String, Object> doc = readObject(file, where, problems);
            if (doc == null) {
                continue;
            }
            if (!baseName(file).equals(doc.get("name"))) {
                problems.add(where + ": \"name\" must equal the file name (" + baseName(file) + ")");
                continue;
            }
            for (String key : doc.keySet()) {
                if (!key.equals("name") && !key.equals("entry")) {
                    problems.add(where + ": unknown member \"" + key + "\" (expected name, entry)");
                }
            }
            Object entries = doc.get("entry");
            if (!(entries instanceof List)) {
                problems.add(where + ": \"entry\" must be an array (empty for a map the flows fill)");
                continue;
            }
            List<Object> out = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>();
            for (Object o : (List<?>) entries) {
                Object name = o instanceof Map ? asMap(o).get("name") : null;
                if (!(name instanceof String) || ((String) name).isEmpty()) {
                    problems.add(where + ": every entry needs a string \"name\"");
                    continue;
                }
                if (!names.add((String) name)) {
                    problems.add(where + ": entry " + name + " is defined twice");
                    continue;
                }
                Object value = asMap(o).get("value");
                String text;
                if (value instanceof String) {
                    text = (String) value;
                } else if (value instanceof Map || value instanceof List) {
                    // Written as JSON for readability; a KVM value is a string, so it is stored compact.
                    text = Json.write(value);
                } else {
                    problems.add(where + ": entry " + name + " needs a string (or JSON object) \"value\"");
                    continue;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", name);
                entry.put("value", text);
                out.add(entry);
            }
            Map<String, Object> kvm = new LinkedHashMap<>();
            kvm.put("name", doc.get("name"));
            kvm.put("entry", out);
            env.kvms.put((String) doc.get("name"), kvm);
            if (doc.get("name").equals(BANKS_MAP)) {
                readBankRegistry(where, kvm, env, problems);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Set<String> entryNames(Map<String, Object> kvm) {
        Set<String> names = new LinkedHashSet<>();
        for (Object o : (List<Object>) kvm.get("entry")) {
            names.add((String) asMap(o).get("name"));
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private static void readBankRegistry(String where, Map<String, Object> kvm, Env env, List<String> problems) {
        for (Object o : (List<Object>) kvm.get("entry")) {
            String id = (String) asMap(o).get("name");
            String what = where + ": bank " + id;
            if (!BANK_ID.matcher(id).matches()) {
                problems.add(what + ": a bank id matches " + BANK_ID.pattern());
                continue;
            }
            env.registryBanks.add(id);
            Object profile;
            try {
                profile = parseJson((String) asMap(o).get("value"), what + " profile");
            } catch (ConfigException e) {
                problems.add(e.getMessage());
                continue;
            }
            if (!(profile instanceof Map)) {
                problems.add(what + ": the profile must be a JSON object");
                continue;
            }
            BankProfileCheck.check(what, id, asMap(profile), problems);
            // The PSD2 services the hub uses there: each needs its role in the QWAC and the QSEAL (CertificateCheck).
            BankServices.of(what, asMap(profile), problems);
            env.readTimeouts.put(id, BankProfileCheck.readTimeoutMs(asMap(profile)));
        }
    }

    // ---------------------------------------------------------------- per environment

    private static void checkEnv(Env env, List<String> problems) {
        String e = env.name;
        for (String map : REQUIRED_MAPS) {
            if (!env.kvms.containsKey(map)) {
                problems.add("kvms/" + e + "/" + map + ".json is missing");
            }
        }
        for (String map : RUNTIME_MAPS) {
            if (env.kvms.containsKey(map)) {
                problems.add("kvms/" + e + "/" + map + ".json must not exist: the hub writes " + map + " at run time, and a"
                        + " deploy with apigee.config.options=sync or delete would delete the map with every entry in it");
            }
        }
        Map<String, Object> hubConfig = env.kvms.get("psd2-hub-config");
        if (hubConfig != null) {
            Set<String> names = entryNames(hubConfig);
            for (String entry : HUB_CONFIG_ENTRIES) {
                if (!names.contains(entry)) {
                    problems.add("kvms/" + e + "/psd2-hub-config.json has no entry " + entry);
                }
            }
        }
        Set<String> registry = env.registryBanks;
        Set<String> targets = env.targetBanks();
        if (env.kvms.containsKey(BANKS_MAP)) {
            for (String id : registry) {
                if (!targets.contains(id)) {
                    problems.add("bank " + id + " is in kvms/" + e + "/" + BANKS_MAP + ".json but has no TargetServer"
                            + " targetservers/" + e + "/" + BANK_PREFIX + id + ".json");
                }
            }
            for (String id : targets) {
                if (!registry.contains(id)) {
                    problems.add("TargetServer targetservers/" + e + "/" + BANK_PREFIX + id + ".json has no bank " + id
                            + " in kvms/" + e + "/" + BANKS_MAP + ".json");
                }
            }
        }

        // What the TargetServers refer to must exist in this environment's keystores folder.
        Map<String, String> refToKeystore = new TreeMap<>();
        for (Map<String, Object> r : env.references) {
            refToKeystore.put((String) r.get("name"), String.valueOf(r.get("refers")));
        }
        for (Map<String, Object> ts : env.targetServers.values()) {
            Object ssl = ts.get("sSLInfo");
            if (!(ssl instanceof Map)) {
                continue;
            }
            String where = "targetservers/" + e + "/" + ts.get("name") + ".json";
            String keyStore = refName(asMap(ssl).get("keyStore"));
            String trustStore = refName(asMap(ssl).get("trustStore"));
            if (keyStore != null) {
                String ks = refToKeystore.get(keyStore);
                if (ks == null) {
                    problems.add(where + ": keyStore reference " + keyStore + " is not in keystores/" + e);
                } else if (!hasAlias(env, ks, asMap(ssl).get("keyAlias"))) {
                    problems.add(where + ": keyAlias " + asMap(ssl).get("keyAlias") + " is not an alias of keystore "
                            + ks + " in keystores/" + e);
                }
            }
            if (trustStore != null) {
                String ks = refToKeystore.get(trustStore);
                String bankAlias = (String) ts.get("name");
                if (ks == null) {
                    problems.add(where + ": trustStore reference " + trustStore + " is not in keystores/" + e);
                } else if (!hasAlias(env, ks, bankAlias)) {
                    problems.add(where + ": truststore " + ks + " has no alias " + bankAlias
                            + " (the bank's CA certificate) in keystores/" + e);
                }
            }
        }
    }

    static String refName(Object v) {
        return v instanceof String && ((String) v).startsWith("ref://") ? ((String) v).substring(6) : null;
    }

    private static boolean hasAlias(Env env, String keystore, Object alias) {
        for (Map<String, Object> a : env.aliases) {
            if (keystore.equals(a.get("keystorename")) && a.get("alias") != null && a.get("alias").equals(alias)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- helpers

    static Object readJson(Path file) {
        try {
            return parseJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Parses JSON text; an error names {@code what} (the file) and the line and column, as an editor counts them. */
    static Object parseJson(String text, String what) {
        try {
            return Json.parse(text);
        } catch (JsonException e) {
            String message = e.getMessage();
            if (e.offset() >= 0) {
                int line = 1;
                int column = 1;
                for (int i = 0; i < Math.min(e.offset(), text.length()); i++) {
                    if (text.charAt(i) == '\n') {
                        line++;
                        column = 1;
                    } else {
                        column++;
                    }
                }
                message = message.substring(0, message.lastIndexOf(" at offset ")) + " at line " + line + ", column " + column;
            }
            throw new ConfigException(what + " is not valid JSON: " + message);
        }
    }

    private static Map<String, Object> readObject(Path file, String where, List<String> problems) {
        Object doc;
        try {
            doc = readJson(file);
        } catch (ConfigException e) {
            problems.add(e.getMessage());
            return null;
        }
        if (!(doc instanceof Map)) {
            problems.add(where + " is not a JSON object");
            return null;
        }
        return asMap(doc);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }
}
