package eu.securehub.psd2.runtime.config;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Location;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Creates an environment's keyring (the psd2-hub-keys KVM's dek-keyring entry) with the project's own
 * kms-key-tool, run in-process ({@code eu.securehub.psd2.keytool.Main.run}) against a KMS reached over the REST
 * transport in plain HTTP on loopback (the local KMS), exactly as the platform team runs it against Cloud KMS;
 * and, when asked, imports the TPP's QSEAL into the same file ({@code qseal import}: entry {@code qseal}).
 *
 * <p>The tool writes {@code <configDir>/kvms/<env>/psd2-hub-keys.json}. The local runtime passes a directory of its
 * own (under target/ or a temporary one), never the project root: kvms/local/psd2-hub-keys.json is generated
 * state, git-ignored, and a keyring made against an in-memory KMS is useless once that KMS stops, so it is made
 * anew (create --force) at every start, and the QSEAL encrypted anew under its data key.
 */
final class KeyringFactory {
    private KeyringFactory() {
    }

    /** Runs {@code kms-key-tool create --force} and returns the file it wrote. */
    static Path create(String env, LocalEnvironment.KeyringSpec spec) {
        Path configDir = spec.configDir().toAbsolutePath().normalize();
        List<String> args = new ArrayList<>(List.of("create", "--env", env, "--kek", spec.kek(), "--force"));
        args.addAll(connection(spec, configDir));
        run(args, Map.of(), file(configDir, env), "could not create the keyring against the KMS at " + spec.kmsEndpoint());
        return file(configDir, env);
    }

    /**
     * Runs {@code kms-key-tool qseal import} with the spec's PKCS#12 file (alias {@code qseal}) into the keyring file
     * {@link #create} wrote (the tool unwraps the keyring's current DEK at the KMS for it) and returns that file. The
     * password goes to the tool as {@code QSEAL_P12_PASSWORD}, or, when the spec has none, as the {@code password.txt}
     * beside the PKCS#12 file.
     */
    static Path importQseal(String env, LocalEnvironment.KeyringSpec spec) {
        Path configDir = spec.configDir().toAbsolutePath().normalize();
        Path p12 = spec.qsealP12().toAbsolutePath().normalize();
        List<String> args = new ArrayList<>(List.of("qseal", "import", "--env", env, "--p12", p12.toString(),
                "--alias", LocalEnvironment.KeyringSpec.QSEAL_ALIAS));
        char[] password = spec.qsealPassword();
        Map<String, String> environment = Map.of();
        if (password == null) {
            args.addAll(List.of("--password-file", p12.resolveSibling("password.txt").toString()));
        } else {
            environment = Map.of("QSEAL_P12_PASSWORD", new String(password));
            Arrays.fill(password, '\0');
        }
        args.addAll(connection(spec, configDir));
        run(args, environment, file(configDir, env), "could not import the QSEAL of " + p12);
        return file(configDir, env);
    }

    private static List<String> connection(LocalEnvironment.KeyringSpec spec, Path configDir) {
        return List.of("--config-dir", configDir.toString(), "--endpoint", spec.kmsEndpoint(), "--transport", "rest",
                "--plaintext", "--access-token", spec.bearerToken(), "--timeout", "30");
    }

    private static Path file(Path configDir, String env) {
        return configDir.resolve("kvms").resolve(env).resolve("psd2-hub-keys.json");
    }

    private static void run(List<String> args, Map<String, String> environment, Path file, String failure) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = eu.securehub.psd2.keytool.Main.run(args.toArray(String[]::new), environment,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        if (exit != 0) {
            throw new ConfigError(new Location(file.toString(), 0), "kms-key-tool " + failure
                    + " (exit " + exit + "): " + err.toString(StandardCharsets.UTF_8).strip());
        }
    }
}
