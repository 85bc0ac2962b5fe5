package eu.securehub.psd2.runtime.config;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Location;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Creates an environment's keyring (the psd2-hub-keys KVM's dek-keyring entry) with the project's own
 * kms-key-tool, run in-process ({@code eu.securehub.psd2.keytool.Main.run}) against a KMS reached over the REST
 * transport in plain HTTP on loopback (the local KMS), exactly as the platform team runs it against Cloud KMS.
 *
 * <p>The tool writes {@code <configDir>/kvms/<env>/psd2-hub-keys.json}. The local runtime passes a directory of its
 * own (under target/ or a temporary one), never the project root: kvms/local/psd2-hub-keys.json is generated
 * state, git-ignored, and a keyring made against an in-memory KMS is useless once that KMS stops, so it is made
 * anew (create --force) at every start.
 */
final class KeyringFactory {
    private KeyringFactory() {
    }

    /** Runs {@code kms-key-tool create --force} and returns the file it wrote. */
    static Path create(String env, LocalEnvironment.KeyringSpec spec) {
        Path configDir = spec.configDir().toAbsolutePath().normalize();
        List<String> args = List.of("create", "--env", env, "--kek", spec.kek(), "--force",
                "--config-dir", configDir.toString(), "--endpoint", spec.kmsEndpoint(), "--transport", "rest",
                "--plaintext", "--access-token", spec.bearerToken(), "--timeout", "30");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = eu.securehub.psd2.keytool.Main.run(args.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        Path file = configDir.resolve("kvms").resolve(env).resolve("psd2-hub-keys.json");
        if (exit != 0) {
            throw new ConfigError(new Location(file.toString(), 0), "kms-key-tool could not create the keyring"
                    + " against the KMS at " + spec.kmsEndpoint() + " (exit " + exit + "): "
                    + err.toString(StandardCharsets.UTF_8).strip());
        }
        return file;
    }
}
