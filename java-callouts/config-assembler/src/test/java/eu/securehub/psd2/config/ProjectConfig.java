package eu.securehub.psd2.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * The project's own configuration (edge.json, targetservers/, keystores/, kvms/ at the project root), copied into a
 * temporary directory together with what a deploy needs and nobody commits: the keyring kms-key-tool writes
 * (kvms/ENV/psd2-hub-keys.json, unless the developer has one) and the certificate files the keystores name, with a
 * value for every deploy-time placeholder, as {@code -Dpsd2.qwac.p12=… -Dpsd2.qwac.password=…} would give them.
 */
final class ProjectConfig {
    static final String PASSWORD = "fixture-qwac-password";

    final Path root;
    final Path config;
    final Path secure;

    private ProjectConfig(Path root, Path config, Path secure) {
        this.root = root;
        this.config = config;
        this.secure = secure;
    }

    /** The project root: the first folder above the module's with edge.json, shared-pom.xml and config/pom.xml. */
    static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("edge.json")) && Files.isRegularFile(p.resolve("shared-pom.xml"))
                    && Files.isRegularFile(p.resolve("config/pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no project root (edge.json, shared-pom.xml, config/pom.xml) above "
                + Path.of("").toAbsolutePath());
    }

    static ProjectConfig copy(Path temp) {
        Path root = projectRoot();
        Path config = temp.resolve("project");
        try {
            Files.createDirectories(config);
            Files.copy(root.resolve("edge.json"), config.resolve("edge.json"));
            for (String folder : List.of("targetservers", "keystores", "kvms")) {
                Path source = root.resolve(folder);
                try (Stream<Path> s = Files.walk(source)) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        Path target = config.resolve(folder).resolve(source.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(p, target);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ProjectConfig(root, config, temp.resolve("secure"));
    }

    /** The environments: the folders under targetservers/. */
    List<String> envs() {
        try (Stream<Path> s = Files.list(config.resolve("targetservers"))) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What a deploy of {@code env} is given: a value for every placeholder in keystores/ENV (a file under
     * {@link #secure} when the placeholder is a whole file field, a folder there when it starts one, the password
     * otherwise); the files they name are created, and the keyring if the environment has none.
     */
    Map<String, String> deployValues(String env) {
        Map<String, String> values = new TreeMap<>();
        List<Map<String, Object>> aliases = EnvironmentConfig.load(config, env, null).aliases();
        for (Map<String, Object> alias : aliases) {
            for (Map.Entry<String, Object> field : alias.entrySet()) {
                if (!(field.getValue() instanceof String)) {
                    continue;
                }
                String v = (String) field.getValue();
                Matcher m = Placeholders.PLACEHOLDER.matcher(v);
                while (m.find()) {
                    String name = m.group(1);
                    if (!ConfigTree.ALIAS_FILE_FIELDS.contains(field.getKey())) {
                        values.put(name, PASSWORD);
                    } else if (m.group().equals(v)) {
                        values.put(name, secure.resolve(name).toString());
                    } else {
                        values.put(name, secure.resolve(name + ".d").toString());
                    }
                }
            }
        }
        try {
            for (Map<String, Object> alias : EnvironmentConfig.load(config, env, values::get).aliases()) {
                for (String field : ConfigTree.ALIAS_FILE_FIELDS) {
                    if (alias.get(field) instanceof String) {
                        Path file = Path.of((String) alias.get(field));
                        Files.createDirectories(file.getParent());
                        Files.writeString(file, "fixture " + field + " of alias " + alias.get("alias"), StandardCharsets.UTF_8);
                    }
                }
                // The deploy reads the QWAC (CertificateCheck): a PKCS#12 file with a certificate a year valid, with
                // the PSD2 roles of both services.
                if ("pkcs12".equals(alias.get("format")) && alias.get("filePath") instanceof String) {
                    TestCertificates.writePkcs12(Path.of((String) alias.get("filePath")),
                            TestCertificates.validFor(java.time.Instant.now(), 365).make(),
                            String.valueOf(alias.getOrDefault("password", "")));
                }
            }
            Path keys = config.resolve("kvms").resolve(env).resolve(EnvironmentConfig.keysMap() + ".json");
            if (!Files.exists(keys)) {
                // The keyring, and the QSEAL (the local registry's gamma signs): as kms-key-tool writes them.
                String qseal = TestCertificates.qsealEntry(TestCertificates.validFor(java.time.Instant.now(), 365).make())
                        .replace("\"", "\\\"");
                Files.writeString(keys, "{\"name\": \"" + EnvironmentConfig.keysMap() + "\", \"entry\": [{\"name\": \""
                        + EnvironmentConfig.keyringEntry() + "\", \"value\": \"{\\\"v\\\":1}\"}, {\"name\": \"qseal\", \"value\": \""
                        + qseal + "\"}]}", StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LinkedHashMap<>(values);
    }

}
