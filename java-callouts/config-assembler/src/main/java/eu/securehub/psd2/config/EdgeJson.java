package eu.securehub.psd2.config;

import eu.securehub.psd2.callouts.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles the file apigee-config-maven-plugin reads ({@code apigee.config.file}): {@code envConfig.ENV} from the
 * folders, in the shape the plugin's 2.9.3 goals read (PluginShapeTest checks it rule by rule, citing the plugin).
 *
 * <p>For {@code mvn verify} ({@link #assembleAll}) every environment goes in, as committed, with edge.json's
 * {@code orgConfig}: deploy-time placeholders stay, and an environment without its key file
 * (kvms/ENV/psd2-hub-keys.json, written by kms-key-tool) is reported but not an error. For a deploy
 * ({@link #forDeploy}) only that environment goes in, and only what config/pom.xml's goals read (keystores,
 * aliases, references, targetservers, keyvaluemaps: no orgConfig, which the proxy's pom applies from edge.json), and
 * everything must be complete: placeholders resolved, the files they name present, the keyring there.
 *
 * <p>Both check the QWAC and the QSEAL ({@link CertificateCheck}): valid for at least the policy's days, with the PSD2
 * roles the registry's services need. {@code mvn verify} checks what it can read (a file named by a deploy-time
 * placeholder is "not checked", and says so); a deploy reads and checks every one.
 *
 * <p>Neither file holds the debug mask: no goal of the plugin reads one. {@code Main debugmask} applies edge.json's
 * allEnvConfig.debugMasks itself.
 */
final class EdgeJson {

    private EdgeJson() {
    }

    /** Every environment, as committed, certificates checked with the default policy (tests). */
    static List<String> assembleAll(ConfigTree tree, Path out) {
        return assembleAll(tree, out, CertificateCheck.Policy.build(CertificateCheck.DEFAULT_MIN_DAYS, Map.of(),
                Instant.now()), new ArrayList<>());
    }

    /**
     * Every environment, as committed. Returns the notes to show (e.g. a missing key file); adds to {@code checked}
     * one line per certificate saying whether and how it was checked ({@link CertificateCheck}: what placeholders
     * leave unreadable here is "not checked"). Refuses, writing nothing, a certificate that is readable and fails.
     */
    static List<String> assembleAll(ConfigTree tree, Path out, CertificateCheck.Policy policy, List<String> checked) {
        List<String> notes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Object> envConfig = new LinkedHashMap<>();
        for (ConfigTree.Env env : tree.envs.values()) {
            if (!env.hasKeyring()) {
                notes.add("environment " + env.name + " has no kvms/" + env.name + "/" + ConfigTree.KEYS_MAP
                        + ".json with a " + ConfigTree.KEYRING_ENTRY + " entry yet (kms-key-tool writes it);"
                        + " a deploy of " + env.name + " needs it");
            }
            CertificateCheck.Report report = CertificateCheck.check(env, CertificateCheck.kvms(env), keysFile(env),
                    false, policy, CertificateCheck::fromFiles);
            checked.addAll(report.lines);
            problems.addAll(report.problems);
            envConfig.put(env.name, envConfig(env));
        }
        if (!problems.isEmpty()) {
            throw ConfigException.of("The certificates of the configuration under " + tree.root + " are not fit to"
                    + " deploy:", problems);
        }
        Map<String, Object> doc = document(envConfig);
        doc.put("orgConfig", tree.orgConfig);
        write(out, doc);
        return notes;
    }

    /**
     * One environment for a deploy, under the Apigee environment name {@code apigeeEnv} (usually the
     * folder name). Fails, naming each problem, when anything is left to give.
     */
    static void forDeploy(ConfigTree tree, String envName, String apigeeEnv, Path out) {
        forDeploy(tree, envName, apigeeEnv, out, CertificateCheck.Policy.build(CertificateCheck.DEFAULT_MIN_DAYS,
                Map.of(), Instant.now()));
    }

    /**
     * One environment for a deploy, its QWAC and QSEAL checked with {@code policy} ({@link CertificateCheck}: every
     * one must be readable now). Returns one line per certificate checked.
     */
    static List<String> forDeploy(ConfigTree tree, String envName, String apigeeEnv, Path out,
            CertificateCheck.Policy policy) {
        ConfigTree.Env env = tree.envs.get(envName);
        if (env == null) {
            throw new ConfigException("environment " + envName + " is not configured: there is no targetservers/"
                    + envName + "/, keystores/" + envName + "/ and kvms/" + envName + "/ (known: " + tree.envs.keySet() + ")");
        }
        List<String> problems = new ArrayList<>();
        Path keys = tree.root.resolve("kvms").resolve(envName).resolve(ConfigTree.KEYS_MAP + ".json");
        if (!env.hasKeyring()) {
            problems.add(keys + " is missing or has no " + ConfigTree.KEYRING_ENTRY + " entry: create the keyring"
                    + " with kms-key-tool first (java -jar java-callouts/kms-key-tool/target/kms-key-tool.jar create --env "
                    + envName + " …)");
        }
        for (Map<String, Object> alias : env.aliases) {
            String what = "keystores/" + envName + ": alias " + alias.get("alias");
            for (Map.Entry<String, Object> e : alias.entrySet()) {
                if (e.getValue() instanceof String && Placeholders.unresolved((String) e.getValue())) {
                    problems.add(what + ": " + e.getKey() + " needs a value at deploy time: pass "
                            + Placeholders.describe((String) e.getValue()));
                } else if (ConfigTree.ALIAS_FILE_FIELDS.contains(e.getKey()) && e.getValue() instanceof String
                        && !Files.isRegularFile(Path.of((String) e.getValue()))) {
                    problems.add(what + ": " + e.getKey() + " " + e.getValue() + " is not a file");
                }
            }
        }
        if (!problems.isEmpty()) {
            // The certificates are read from these files: named first, they are checked on the next run.
            throw ConfigException.of("Cannot deploy environment " + envName + ":", problems);
        }
        CertificateCheck.Report report = CertificateCheck.check(env, CertificateCheck.kvms(env), keysFile(env), true,
                policy, CertificateCheck::fromFiles);
        if (!report.problems.isEmpty()) {
            throw ConfigException.of("Cannot deploy environment " + envName + ":", report.problems);
        }
        Map<String, Object> envConfig = new LinkedHashMap<>();
        envConfig.put(apigeeEnv, envConfig(env));
        write(out, document(envConfig));
        return report.lines;
    }

    private static String keysFile(ConfigTree.Env env) {
        return "kvms/" + env.name + "/" + ConfigTree.KEYS_MAP + ".json";
    }

    /** {@code version} as the plugin's own sample has it (samples/APIandConfig/HelloWorld/edge.json:2); nothing reads it. */
    private static Map<String, Object> document(Map<String, Object> envConfig) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", "1.0");
        doc.put("envConfig", envConfig);
        return doc;
    }

    private static Map<String, Object> envConfig(ConfigTree.Env env) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("keystores", env.keystores);
        c.put("aliases", env.aliases);
        c.put("references", env.references);
        c.put("targetServers", new ArrayList<>(env.targetServers.values()));
        c.put("kvms", new ArrayList<>(env.kvms.values()));
        return c;
    }

    /** Written through a temporary file; owner-only where the file system allows (it may hold a password). */
    private static void write(Path out, Object doc) {
        Path file = out.toAbsolutePath();
        Path temp = null;
        try {
            Files.createDirectories(file.getParent());
            temp = Files.createTempFile(file.getParent(), ".edge", ".tmp");
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(temp, Json.pretty(doc), StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ConfigException("cannot write " + file + ": " + e.getMessage());
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // nothing was left but a temporary copy in target/
                }
            }
        }
    }
}
