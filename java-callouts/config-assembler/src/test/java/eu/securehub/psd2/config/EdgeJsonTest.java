package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeJsonTest {
    @TempDir
    Path temp;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String... path) {
        Object v = o;
        for (String p : path) {
            v = ((Map<String, Object>) v).get(p);
        }
        return (Map<String, Object>) v;
    }

    @Test
    void assemblesOrgConfigAndEveryEnvironmentAsCommitted() {
        Fixture f = Fixture.copy(temp);
        Path out = temp.resolve("target/edge.json");

        List<String> notes = EdgeJson.assembleAll(f.load(), out);

        Object doc = ConfigTree.parseJson(f.read(out), "edge.json");
        assertThat(map(doc).keySet()).containsExactly("version", "envConfig", "orgConfig");
        assertThat(map(doc, "envConfig").keySet()).containsExactly("dev", "live");
        assertThat(map(doc, "envConfig", "dev").keySet())
                .containsExactly("keystores", "aliases", "references", "targetServers", "kvms");
        assertThat(map(doc, "orgConfig")).isEqualTo(map(ConfigTree.parseJson(f.read(f.config("edge.json")), "e"), "orgConfig"));
        List<?> aliases = (List<?>) map(doc, "envConfig", "live").get("aliases");
        // Placeholders stay; a default applies and the path is made absolute against the config dir.
        assertThat(map(aliases.get(0))).containsEntry("password", "${fx.password}")
                .containsEntry("filePath", f.config.toAbsolutePath().resolve("pki/qwac.p12").toString());
        assertThat(notes).containsExactly("environment live has no kvms/live/psd2-hub-keys.json with a dek-keyring"
                + " entry yet (kms-key-tool writes it); a deploy of live needs it");
    }

    @Test
    void aDeployNeedsTheKeyFile() {
        Fixture f = Fixture.copy(temp);

        assertThatThrownBy(() -> EdgeJson.forDeploy(f.load(), "live", "live", temp.resolve("out.json")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Cannot deploy environment live:")
                .hasMessageContaining("psd2-hub-keys.json is missing or has no dek-keyring entry: create the keyring"
                        + " with kms-key-tool first");
        assertThat(temp.resolve("out.json")).doesNotExist();
    }

    @Test
    void aDeployNeedsEveryPlaceholderAndTheFilesItNames() {
        Fixture f = Fixture.copy(temp);

        assertThatThrownBy(() -> EdgeJson.forDeploy(f.load(), "dev", "dev", temp.resolve("out.json")))
                .hasMessageContaining("keystores/dev: alias qwac: password needs a value at deploy time: pass"
                        + " -Dfx.password=… (or env FX_PASSWORD)")
                .hasMessageContaining("keystores/dev: alias qwac: filePath " + f.config.resolve("pki/qwac.p12") + " is not a file")
                .hasMessageContaining("keystores/dev: alias bank-north: certFilePath");
    }

    @Test
    void aCompleteDeployWritesThatEnvironmentOnlyUnderItsApigeeName() throws Exception {
        Fixture f = Fixture.copy(temp);
        Path pki = Files.createDirectories(temp.resolve("pki-out"));
        for (String name : List.of("north.pem", "south.pem")) {
            Files.writeString(pki.resolve(name), "x");
        }
        // The deploy reads the QWAC (CertificateCheck): a real one, a year valid.
        TestCertificates.writePkcs12(pki.resolve("qwac.p12"), TestCertificates.validFor(java.time.Instant.now(), 365).make());
        Map<String, String> props = new HashMap<>(Map.of("fx.password", TestCertificates.PASSWORD, "fx.pki", pki.toString()));
        ConfigTree tree = ConfigTree.load(f.config, new Placeholders(props::get));
        Path out = temp.resolve("out.json");

        EdgeJson.forDeploy(tree, "dev", "eval", out);

        Object doc = ConfigTree.parseJson(f.read(out), "out");
        assertThat(map(doc, "envConfig").keySet()).containsExactly("eval");
        List<?> aliases = (List<?>) map(doc, "envConfig", "eval").get("aliases");
        assertThat(map(aliases.get(0))).containsEntry("password", TestCertificates.PASSWORD)
                .containsEntry("filePath", pki.resolve("qwac.p12").toString());
        // The plugin's kvms goal touches only the maps named here, whatever apigee.config.options says (update, sync
        // and delete all loop over the config's maps, KVMMojo.java:225-255): never a map of customer data.
        List<?> kvms = (List<?>) map(doc, "envConfig", "eval").get("kvms");
        assertThat(kvms.stream().map(k -> map(k).get("name")).toList())
                .containsExactlyInAnyOrder("psd2-hub-banks", "psd2-hub-config", "psd2-hub-keys")
                .doesNotContainAnyElementsOf(ConfigTree.RUNTIME_MAPS);
        if (Files.getFileStore(out).supportsFileAttributeView("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void anUnknownEnvironmentIsNamed() {
        Fixture f = Fixture.copy(temp);

        assertThatThrownBy(() -> EdgeJson.forDeploy(f.load(), "prod", "prod", temp.resolve("o.json")))
                .hasMessage("environment prod is not configured: there is no targetservers/prod/, keystores/prod/"
                        + " and kvms/prod/ (known: [dev, live])");
    }

    @Test
    void theDebugMaskStaysOutOfThePluginsFileAndNothingElseMayBeInAllEnvConfig() throws Exception {
        Fixture f = Fixture.copy(temp);
        f.edit("edge.json", t -> t.replaceFirst("\\{", "{\"allEnvConfig\":{\"debugMasks\":[{\"variables\":[\"request.content\"]}]},"));
        Path out = temp.resolve("target/edge.json");

        ConfigTree tree = f.load();
        EdgeJson.assembleAll(tree, out);

        // No goal of apigee-config-maven-plugin 2.9.3 reads a debug mask: Main debugmask applies it from edge.json.
        assertThat(tree.debugMask).isEqualTo(Map.of("variables", List.of("request.content")));
        Object doc = ConfigTree.parseJson(f.read(out), "edge.json");
        assertThat(map(doc).keySet()).containsExactly("version", "envConfig", "orgConfig");
        for (String env : List.of("dev", "live")) {
            assertThat(map(doc, "envConfig", env).keySet())
                    .containsExactly("keystores", "aliases", "references", "targetServers", "kvms");
        }

        f.edit("edge.json", t -> t.replace("\"allEnvConfig\":{", "\"allEnvConfig\":{\"kvms\":[],"));
        assertThatThrownBy(f::load).isInstanceOf(ConfigException.class)
                .hasMessageContaining("edge.json allEnvConfig has \"kvms\": only debugMasks is the same in every environment");
    }

    @Test
    void aDeployFileHoldsOnlyWhatTheConfigModulesGoalsRead() throws Exception {
        Fixture f = Fixture.copy(temp);
        Path pki = Files.createDirectories(temp.resolve("pki-out"));
        for (String name : List.of("north.pem", "south.pem")) {
            Files.writeString(pki.resolve(name), "x");
        }
        TestCertificates.writePkcs12(pki.resolve("qwac.p12"), TestCertificates.validFor(java.time.Instant.now(), 365).make());
        ConfigTree tree = ConfigTree.load(f.config, new Placeholders(Map.of("fx.password", TestCertificates.PASSWORD,
                "fx.pki", pki.toString())::get));
        Path out = temp.resolve("out.json");

        EdgeJson.forDeploy(tree, "dev", "dev", out);

        // orgConfig is applied by the proxy's pom from edge.json; config/pom.xml runs env goals only.
        assertThat(map(ConfigTree.parseJson(f.read(out), "out")).keySet()).containsExactly("version", "envConfig");
    }
}
