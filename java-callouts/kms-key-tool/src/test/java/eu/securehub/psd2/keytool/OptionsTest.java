package eu.securehub.psd2.keytool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static Options parse(Map<String, String> environment, String... args) throws ToolException {
        return Options.parse(args, environment);
    }

    @Test
    void defaults() throws ToolException {
        Options o = parse(Map.of(), "rotate", "--env", "dev");

        assertThat(o.command()).isEqualTo(Options.Command.ROTATE);
        assertThat(o.env()).isEqualTo("dev");
        assertThat(o.kek()).isNull();
        assertThat(o.keyId()).isNull();
        assertThat(o.force()).isFalse();
        assertThat(o.configDir()).isEqualTo(Path.of(""));
        assertThat(o.connection()).isEqualTo(new KmsConnection(null, KmsConnection.Transport.GRPC, false, null,
                Duration.ofSeconds(30)));
        assertThat(o.connection().endpointLabel()).isEqualTo("cloudkms.googleapis.com:443");
    }

    @Test
    void everyOptionInEitherForm() throws ToolException {
        Options o = parse(Map.of(), "--env=dev", "create", "--kek", ToolTestBase.KEK, "--key-id=k1", "--force",
                "--config-dir", "/srv/hub", "--endpoint", "127.0.0.1:9090", "--transport=rest", "--plaintext",
                "--access-token", "t0ken", "--timeout", "5");

        assertThat(o).isEqualTo(new Options(Options.Command.CREATE, "dev", ToolTestBase.KEK, "k1", true, Path.of("/srv/hub"),
                new KmsConnection("127.0.0.1:9090", KmsConnection.Transport.REST, true, "t0ken", Duration.ofSeconds(5))));
    }

    @Test
    void accessTokenComesFromTheEnvironmentUnlessGiven() throws ToolException {
        Map<String, String> env = Map.of("KMS_ACCESS_TOKEN", "from-env");

        assertThat(parse(env, "show", "--env", "dev").connection().accessToken()).isEqualTo("from-env");
        assertThat(parse(env, "show", "--env", "dev", "--access-token", "given").connection().accessToken()).isEqualTo("given");
        assertThatThrownBy(() -> parse(Map.of("KMS_ACCESS_TOKEN", " "), "show", "--env", "dev"))
                .hasMessage("KMS_ACCESS_TOKEN is empty");
    }

    @Test
    void plaintextOnlyToLoopback() throws ToolException {
        for (String endpoint : new String[] {"localhost:8080", "127.0.0.1:8080", "127.1.2.3:1", "[::1]:8080"}) {
            assertThat(parse(Map.of(), "show", "--env", "dev", "--plaintext", "--endpoint", endpoint).connection().plaintext()).isTrue();
        }
        for (String endpoint : new String[] {"10.0.0.1:8080", "kms.internal:443", "[2001:db8::1]:443", "localhost.evil.example:1"}) {
            assertThatThrownBy(() -> parse(Map.of(), "show", "--env", "dev", "--plaintext", "--endpoint", endpoint))
                    .isInstanceOf(ToolException.class).hasMessageStartingWith("--plaintext is only for a local KMS");
        }
    }

    @Test
    void connectionOptionsAreAcceptedByShowAndIgnored() throws ToolException {
        assertThat(parse(Map.of(), "show", "--env", "dev", "--endpoint", "kms.example:443").command()).isEqualTo(Options.Command.SHOW);
    }

    @Test
    void keksAreCryptoKeyNames() {
        assertThat(KeyringTool.isKek(ToolTestBase.KEK)).isTrue();
        assertThat(KeyringTool.isKek("projects/p/locations/l/keyRings/r/cryptoKeys/k")).isTrue();
        assertThat(KeyringTool.isKek("projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1")).isFalse();
        assertThat(KeyringTool.isKek("projects/p/locations/l/keyRings/r/cryptoKeys/")).isFalse();
        assertThat(KeyringTool.isKek("projects//locations/l/keyRings/r/cryptoKeys/k")).isFalse();
        assertThat(KeyringTool.isKek("projects/p/locations/l/keyRings/r")).isFalse();
        assertThat(KeyringTool.isKek("")).isFalse();
        assertThat(KeyringTool.isKek(null)).isFalse();
    }

    @Test
    void toStringNeverShowsTheToken() throws ToolException {
        Options o = parse(Map.of(), "show", "--env", "dev", "--access-token", "s3cret-token");

        assertThat(o.toString()).doesNotContain("s3cret-token").contains("accessToken=redacted");
        assertThat(new BearerTokenCredentials("s3cret-token").toString()).doesNotContain("s3cret-token");
    }
}
