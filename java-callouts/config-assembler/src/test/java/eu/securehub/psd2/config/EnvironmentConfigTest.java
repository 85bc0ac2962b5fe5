package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public view of one environment that the local runtime builds its environment from. */
class EnvironmentConfigTest {
    @TempDir
    Path temp;

    @Test
    void oneEnvironmentAsTheDeployReadsIt() {
        Fixture fx = Fixture.copy(temp);

        EnvironmentConfig dev = EnvironmentConfig.load(fx.config, "dev",
                name -> name.equals("fx.password") ? "secret" : null);

        assertThat(dev.name()).isEqualTo("dev");
        assertThat(dev.root()).isEqualTo(fx.config.toAbsolutePath().normalize());
        assertThat(dev.targetServers()).containsOnlyKeys("bank-north", "bank-south-2");
        assertThat(dev.keystores()).extracting(k -> k.get("name")).containsExactly("qwac-ks", "trust-ks");
        Map<String, Object> qwac = dev.aliases().get(0);
        assertThat(qwac).containsEntry("password", "secret")
                .containsEntry("filePath", dev.root().resolve("pki/qwac.p12").toString());
        assertThat(dev.references()).isNotEmpty();
        // Bank profiles written as JSON objects are compact JSON strings, as the config plugin uploads them.
        assertThat(dev.kvms().get("psd2-hub-banks").get("north")).startsWith("{\"").doesNotContain("\n");
        assertThat(dev.kvms().get(EnvironmentConfig.keysMap())).containsEntry(EnvironmentConfig.keyringEntry(), "{\"v\":1}");
        assertThat(dev.orgConfig()).containsKey("apiProducts");
    }

    @Test
    void unknownEnvironmentAndKvmFiles() throws Exception {
        Fixture fx = Fixture.copy(temp);

        assertThatThrownBy(() -> EnvironmentConfig.load(fx.config, "qa", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("environment qa is not configured");

        Path file = temp.resolve("keys.json");
        Files.writeString(file, "{\"name\":\"psd2-hub-keys\",\"entry\":[{\"name\":\"dek-keyring\",\"value\":{\"v\":2}}]}");
        assertThat(EnvironmentConfig.readKvmFile(file)).containsExactly(Map.entry("dek-keyring", "{\"v\":2}"));
        Files.writeString(file, "{\"name\":\"x\",\"entry\":[{\"name\":\"a\",\"value\":1}]}");
        assertThatThrownBy(() -> EnvironmentConfig.readKvmFile(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("entry a needs a string");
    }
}
