package eu.securehub.psd2.localkms;

import static eu.securehub.psd2.localkms.KmsHttp.b64;
import static eu.securehub.psd2.localkms.KmsHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.keytool.Main;
import eu.securehub.psd2.localkms.KmsHttp.Response;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's key tool (java-callouts/kms-key-tool, its Main.run in-process, Google's Java client
 * over the REST transport) against LocalKms: create, rotate and rewrap write a keyring whose wrapped
 * DEKs then unwrap through LocalKms's REST API and match the keyring's check values.
 */
class KeyToolAgainstLocalKmsTest {
    static final String TOKEN = "key-tool-token";
    static final String KEK = "projects/psd2-local/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/dek-kek";
    static final String KEK2 = "projects/psd2-local/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/dek-kek-2";

    @TempDir
    Path configDir;

    private LocalKms kms;

    @BeforeEach
    void start() {
        kms = LocalKms.start(0, TOKEN);
        kms.createKey(KEK);
        kms.createKey(KEK2);
    }

    @AfterEach
    void stop() {
        kms.close();
    }

    private record Run(int exit, String out, String err) {
    }

    private Run tool(String token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--env", "local", "--config-dir", configDir.toString(), "--endpoint", kms.endpoint(),
                "--transport", "rest", "--plaintext", "--access-token", token, "--timeout", "10"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Keyring keyring() throws Exception {
        String text = Files.readString(configDir.resolve("kvms/local/psd2-hub-keys.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> kvm = (Map<String, Object>) Json.parse(text);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) kvm.get("entry");
        String value = entries.stream().filter(e -> "dek-keyring".equals(e.get("name")))
                .map(e -> (String) e.get("value")).findFirst().orElseThrow();
        return Keyring.of(value);
    }

    /** Unwraps a DEK through LocalKms's REST API, as the hub's shared flow does, and checks it against the keyring. */
    private void assertUnwrapsThroughLocalKms(Keyring ring, String keyId) {
        Response r = new KmsHttp(kms, TOKEN).decrypt(ring.kek(), json(
                "ciphertext", ring.key(keyId).wrapped(),
                "additionalAuthenticatedData", b64(Keyring.kmsAad(keyId))));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        byte[] dek = r.bytes("plaintext");
        assertThat(dek).hasSize(DataKey.DEK_BYTES);
        assertThat(DataKey.derive(keyId, dek).checkValue()).isEqualTo(ring.key(keyId).check());

        // Bound to its key id: under another key id's AAD it does not unwrap.
        Response moved = new KmsHttp(kms, TOKEN).decrypt(ring.kek(), json(
                "ciphertext", ring.key(keyId).wrapped(),
                "additionalAuthenticatedData", b64(Keyring.kmsAad(keyId + "x"))));
        assertThat(moved.status()).isEqualTo(400);
    }

    @Test
    void createRotateAndRewrapAgainstLocalKms() throws Exception {
        Run create = tool(TOKEN, "create", "--kek", KEK, "--key-id", "dek-1");

        assertThat(create.exit()).as(create.err()).isZero();
        assertThat(create.out()).contains("key dek-1", KEK + "/cryptoKeyVersions/1");
        assertThat(kms.encryptCalls()).isEqualTo(1);
        Keyring ring = keyring();
        assertThat(ring.kek()).isEqualTo(KEK);
        assertThat(ring.current()).isEqualTo("dek-1");
        assertUnwrapsThroughLocalKms(ring, "dek-1");

        Run rotate = tool(TOKEN, "rotate", "--key-id", "dek-2");

        assertThat(rotate.exit()).as(rotate.err()).isZero();
        assertThat(rotate.out()).contains("key dek-2 is current");
        ring = keyring();
        assertThat(ring.current()).isEqualTo("dek-2");
        assertThat(ring.lookup()).isEqualTo("dek-1");
        assertThat(ring.keys()).containsOnlyKeys("dek-1", "dek-2");
        assertUnwrapsThroughLocalKms(ring, "dek-1");
        assertUnwrapsThroughLocalKms(ring, "dek-2");

        // A KEK rotation in KMS, then rewrap: every DEK wrapped by version 2, DEKs unchanged.
        String v2 = kms.rotateKey(KEK);
        kms.resetCounters();
        Run rewrap = tool(TOKEN, "rewrap");

        assertThat(rewrap.exit()).as(rewrap.err()).isZero();
        assertThat(rewrap.out()).contains("rewrapped 2 keys", v2);
        assertThat(kms.decryptCalls()).isEqualTo(2);
        assertThat(kms.encryptCalls()).isEqualTo(2);
        Keyring rewrapped = keyring();
        assertThat(rewrapped.key("dek-1").check()).isEqualTo(ring.key("dek-1").check());
        assertThat(rewrapped.key("dek-1").wrapped()).isNotEqualTo(ring.key("dek-1").wrapped());
        assertUnwrapsThroughLocalKms(rewrapped, "dek-1");
        assertUnwrapsThroughLocalKms(rewrapped, "dek-2");

        // Rewrap onto another KEK.
        Run moved = tool(TOKEN, "rewrap", "--kek", KEK2);

        assertThat(moved.exit()).as(moved.err()).isZero();
        assertThat(keyring().kek()).isEqualTo(KEK2);
        assertUnwrapsThroughLocalKms(keyring(), "dek-2");
    }

    @Test
    void wrongTokenIsReportedAsRejectedCredentials() {
        Run create = tool("not-the-token", "create", "--kek", KEK, "--key-id", "dek-1");

        assertThat(create.exit()).isEqualTo(3);
        assertThat(create.err()).contains("KMS rejected the credentials");
        assertThat(configDir.resolve("kvms/local/psd2-hub-keys.json")).doesNotExist();
        // Every call refused. Google's HTTP client answers a 401 carrying error="invalid_token" by refreshing
        // the credentials and retrying (up to 10 times); the tool's fixed token cannot refresh, so all fail.
        assertThat(kms.encryptCalls()).isPositive();
        assertThat(kms.failedCalls("encrypt")).isEqualTo(kms.encryptCalls());
    }

    @Test
    void unknownKeyIsReportedAsNotFound() {
        String unknown = "projects/psd2-local/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/missing";
        Run create = tool(TOKEN, "create", "--kek", unknown, "--key-id", "dek-1");

        assertThat(create.exit()).isEqualTo(3);
        assertThat(create.err()).contains("KMS key " + unknown + " not found");
    }

    @Test
    void corruptWrappedKeyIsReportedAsNotUnwrappable() throws Exception {
        assertThat(tool(TOKEN, "create", "--kek", KEK, "--key-id", "dek-1").exit()).isZero();
        Path file = configDir.resolve("kvms/local/psd2-hub-keys.json");
        String wrapped = keyring().key("dek-1").wrapped();
        // Flip one base64 character in the middle of the wrapped DEK.
        int i = wrapped.length() / 2;
        String corrupt = wrapped.substring(0, i) + (wrapped.charAt(i) == 'A' ? 'B' : 'A') + wrapped.substring(i + 1);
        Files.writeString(file, Files.readString(file).replace(wrapped, corrupt));

        Run rewrap = tool(TOKEN, "rewrap");

        assertThat(rewrap.exit()).isEqualTo(3);
        assertThat(rewrap.err()).contains("cannot unwrap key dek-1", "Decryption failed");
    }
}
