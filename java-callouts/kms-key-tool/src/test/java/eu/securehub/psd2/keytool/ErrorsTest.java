package eu.securehub.psd2.keytool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every failure: its one line on stderr, its exit code, and that nothing was written. Usage errors
 * are found before any file is read or KMS called.
 */
class ErrorsTest extends ToolTestBase {
    private static final String MISSING_KEK = "projects/hub-prod/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/missing";

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                                                | missing command: create, rotate, rewrap, show or qseal (see --help)
            delete --env dev                                  | unknown command delete: create, rotate, rewrap, show or qseal (see --help)
            show                                              | show needs --env ENV
            show --env ../prod                                | --env must be an Apigee environment name: letters, digits, - and _
            show --env dev extra                              | unexpected argument extra
            show --env dev --verbose                          | unknown option --verbose (see --help)
            show --env dev --env prod                         | --env is given twice
            show --env                                        | --env needs a value
            rotate --env dev --force                          | --force is not an option of rotate
            show --env dev --kek x                            | --kek is not an option of show
            create --env dev                                  | create needs --kek projects/P/locations/L/keyRings/R/cryptoKeys/K
            create --env dev --kek projects/p/keyRings/r/cryptoKeys/k | --kek must look like projects/P/locations/L/keyRings/R/cryptoKeys/K
            create --env dev --kek projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1 | --kek must look like projects/P/locations/L/keyRings/R/cryptoKeys/K
            rewrap --env dev --kek=kek                        | --kek must look like projects/P/locations/L/keyRings/R/cryptoKeys/K
            rotate --env dev --key-id bad/id                  | --key-id must be 1 to 64 characters from [A-Za-z0-9._:-]
            rotate --env dev --transport http                 | --transport must be grpc or rest
            rotate --env dev --endpoint cloudkms.googleapis.com | --endpoint must be HOST:PORT, e.g. cloudkms.googleapis.com:443
            rotate --env dev --plaintext                      | --plaintext needs --endpoint HOST:PORT of a local KMS
            rotate --env dev --plaintext --endpoint kms.example:8080 | --plaintext is only for a local KMS: --endpoint must be localhost, 127.0.0.1 or [::1]
            rotate --env dev --plaintext=yes --endpoint localhost:1 | --plaintext takes no value
            rotate --env dev --timeout 0                      | --timeout must be a number of seconds from 1 to 600
            rotate --env dev --access-token=                  | --access-token is empty
            """)
    void usageErrorsExitWithTwoBeforeAnythingHappens(String args, String message) {
        factory = connection -> {
            throw new AssertionError("no KMS client on a usage error");
        };

        Result r = run(args.isEmpty() ? new String[0] : args.split(" "));

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("kms-key-tool: " + message + "\n");
        assertThat(r.out()).isEmpty();
        assertThat(kms.fake.calls()).isZero();
        assertThat(dir.resolve("kvms")).doesNotExist();
    }

    @Test
    void helpPrintsUsageAndExitsWithZero() {
        for (String help : new String[] {"--help", "-h"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"rotate", help}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(Options.USAGE).contains("create", "rotate", "rewrap", "show");
            assertThat(err.size()).isZero();
        }
    }

    @Test
    void mainReportsUsageErrorsOnOneLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = Main.run(new String[0], new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("kms-key-tool: missing command: create, rotate, rewrap, show or qseal (see --help)\n");
    }

    @Test
    void unknownKekIsNotFound() {
        Result r = run("create", "--env", "dev", "--kek", MISSING_KEK);

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("kms-key-tool: KMS key " + MISSING_KEK + " not found\n");
        assertThat(kvmPath("dev")).doesNotExist();
    }

    @Test
    void deniedKekNamesTheRoleNeeded() {
        kms.fake.deny(KEK);

        Result r = run("create", "--env", "dev", "--kek", KEK);

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("kms-key-tool: permission denied on KMS key " + KEK
                + ": the caller needs roles/cloudkms.cryptoKeyEncrypterDecrypter on that key"
                + " (KMS gives the same answer when the key does not exist)\n");
        assertThat(kvmPath("dev")).doesNotExist();
    }

    @Test
    void deniedDecryptDuringRewrapWritesNothing() {
        run("create", "--env", "dev", "--kek", KEK);
        String before = kvmText("dev");
        kms.fake.deny(KEK);

        Result r = run("rewrap", "--env", "dev");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("roles/cloudkms.cryptoKeyEncrypterDecrypter");
        assertThat(kvmText("dev")).isEqualTo(before);
    }

    @Test
    void unreachableEndpointFailsWithinTheTimeout() {
        factory = kms.unreachable();
        long start = System.nanoTime();

        Result r = run("create", "--env", "dev", "--kek", KEK, "--timeout", "1");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("kms-key-tool: KMS endpoint cloudkms.googleapis.com:443 is unreachable: UNAVAILABLE: Could not find server");
        assertThat(r.err().lines()).hasSize(1);
        assertThat(System.nanoTime() - start).isLessThan(10_000_000_000L);
        assertThat(kvmPath("dev")).doesNotExist();
    }

    @Test
    void disabledKekVersionCannotWrap() {
        run("create", "--env", "dev", "--kek", KEK);
        kms.fake.disable(KEK, 1);

        Result r = run("rotate", "--env", "dev", "--key-id", "k2");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("kms-key-tool: KMS key " + KEK + " cannot wrap key k2 (is the key or its version"
                + " disabled or destroyed?): FAILED_PRECONDITION: " + KEK + "/cryptoKeyVersions/1 is not enabled, current state is: DISABLED.\n");
    }

    @Test
    void corruptedKmsResponseIsRejected() {
        kms.fake.corruptChecksums(true);

        Result r = run("create", "--env", "dev", "--kek", KEK, "--key-id", "k1");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("kms-key-tool: the KMS response to wrap key k1 with " + KEK
                + " failed its CRC32C integrity check; nothing was written, try again\n");
        assertThat(kvmPath("dev")).doesNotExist();
    }

    @Test
    void clientThatCannotBeSetUpIsAConfigurationError() {
        factory = connection -> {
            throw new IOException("Your default credentials were not found.\nTo set up Application Default Credentials, see ...");
        };

        Result r = run("create", "--env", "dev", "--kek", KEK);

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("kms-key-tool: cannot set up the KMS client: Your default credentials were not found."
                + " To set up Application Default Credentials, see ... (run gcloud auth application-default login,"
                + " set GOOGLE_APPLICATION_CREDENTIALS, or pass --access-token)\n");
    }

    @Test
    void sdkPayloadLoggingIsRefused() {
        environment = Map.of("GOOGLE_SDK_JAVA_LOGGING", "true");

        Result r = run("create", "--env", "dev", "--kek", KEK);

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("kms-key-tool: unset GOOGLE_SDK_JAVA_LOGGING: it makes the KMS client log request payloads, which hold DEKs\n");
        assertThat(kms.fake.calls()).isZero();
    }

    @Test
    void missingFileIsReportedByEveryCommandThatNeedsIt() {
        for (String command : new String[] {"rotate", "rewrap", "show"}) {
            Result r = run(command, "--env", "dev");
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.err()).isEqualTo("kms-key-tool: " + kvmPath("dev")
                    + " not found (create the keyring first, or check --env and --config-dir)\n");
        }
        assertThat(kms.fake.calls()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"name":"psd2-hub-keys","entry":[                    | is not valid JSON: 
            {"name":"psd2-hub-keys","entry":[]} trailing         | is not valid JSON: 
            {'name':'psd2-hub-keys'}                             | is not valid JSON: 
            []                                                   | is not a JSON object
            {"name":"other-kvm","entry":[]}                      | has "name": "other-kvm", expected "psd2-hub-keys"
            {"name":"psd2-hub-keys","entry":{}}                  | : "entry" is not an array
            {"name":"psd2-hub-keys","entry":[{"value":"x"}]}     | : every member of "entry" needs a string "name"
            {"entry":[{"name":"dek-keyring","value":1}]}         | : entry dek-keyring has no string "value"
            {"entry":[{"name":"a","value":"1"}]}                 | has no dek-keyring entry (create the keyring first)
            {"entry":[{"name":"dek-keyring","value":"{"}]}       | : entry dek-keyring is not a valid keyring: keyring is not valid JSON
            {"entry":[{"name":"dek-keyring","value":"{\\"version\\":2}"}]} | : entry dek-keyring is not a valid keyring: keyring version must be 1
            """)
    void malformedFileOrKeyringIsAConfigurationError(String content, String message) throws IOException {
        writeKvm("dev", content);

        for (String command : new String[] {"rotate", "rewrap", "show"}) {
            Result r = run(command, "--env", "dev");
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.err()).startsWith("kms-key-tool: " + kvmPath("dev")).contains(message);
            assertThat(r.err().lines()).hasSize(1);
        }
        assertThat(Files.readString(kvmPath("dev"))).isEqualTo(content);
        assertThat(kms.fake.calls()).isZero();
    }

    @Test
    void keyringWhoseCurrentKeyIsMissingIsRejected() {
        run("create", "--env", "dev", "--kek", KEK, "--key-id", "k1");
        writeKvm("dev", kvmText("dev").replace("\\\"current\\\":\\\"k1\\\"", "\\\"current\\\":\\\"k9\\\""));

        Result r = run("rotate", "--env", "dev");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("kms-key-tool: " + kvmPath("dev")
                + ": entry dek-keyring is not a valid keyring: keyring current key k9 is not among its keys\n");
    }

    @Test
    void keyringWithAMalformedKekIsRejectedBeforeAnyCall() {
        run("create", "--env", "dev", "--kek", KEK, "--key-id", "k1");
        writeKvm("dev", kvmText("dev").replace(KEK, "projects/p/cryptoKeys/k"));
        int calls = kms.fake.calls();

        Result r = run("rotate", "--env", "dev");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("kms-key-tool: " + kvmPath("dev") + ": the keyring's kek projects/p/cryptoKeys/k"
                + " does not look like projects/P/locations/L/keyRings/R/cryptoKeys/K\n");
        assertThat(kms.fake.calls()).isEqualTo(calls);
    }

    @Test
    void errorsNeverCarryStackTraces() {
        Result[] results = {
            run("create", "--env", "dev", "--kek", MISSING_KEK),
            run("rotate", "--env", "dev"),
            run("create", "--env", "dev", "--kek", "nonsense"),
        };
        for (Result r : results) {
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }
}
