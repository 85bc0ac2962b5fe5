package eu.securehub.psd2.keytool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.protobuf.ByteString;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Keyring;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** create, rotate, rewrap and show, end to end through the command line and the fake KMS. */
class KeyringToolTest extends ToolTestBase {

    @Test
    void createWritesAKeyringOfOneNewKey() throws Exception {
        Result r = run("create", "--env", "dev", "--kek", KEK);

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains(T0_KEY_ID).contains(KEK + "/cryptoKeyVersions/1");
        Keyring ring = keyring("dev");
        assertThat(ring.kek()).isEqualTo(KEK);
        assertThat(ring.current()).isEqualTo(T0_KEY_ID);
        assertThat(ring.lookup()).isEqualTo(T0_KEY_ID);
        assertThat(ring.keys()).containsOnlyKeys(T0_KEY_ID);
        assertThat(unwrapAll("dev").get(T0_KEY_ID).size()).isEqualTo(DataKey.DEK_BYTES);
    }

    @Test
    void createWritesTheFileTheConfigPluginReads() {
        run("create", "--env", "dev", "--kek", KEK, "--key-id", "k1");

        String keyring = keyringJson("dev");
        assertThat(keyring).startsWith("{\"version\":1,\"kek\":\"" + KEK + "\",\"current\":\"k1\",\"lookup\":\"k1\",\"keys\":{\"k1\":\"");
        // Pretty-printed, 2-space indent, newline at the end; base64 padding is not HTML-escaped.
        assertThat(kvmText("dev")).isEqualTo("{\n"
                + "  \"name\": \"psd2-hub-keys\",\n"
                + "  \"entry\": [\n"
                + "    {\n"
                + "      \"name\": \"dek-keyring\",\n"
                + "      \"value\": \"" + keyring.replace("\"", "\\\"") + "\"\n"
                + "    }\n"
                + "  ]\n"
                + "}\n");
    }

    @Test
    void everyKeyCarriesTheCheckValueOfItsDek() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        clock.advance(Duration.ofHours(1));
        run("rotate", "--env", "dev");
        Keyring ring = keyring("dev");
        for (Map.Entry<String, ByteString> dek : unwrapAll("dev").entrySet()) {
            String check = DataKey.derive(dek.getKey(), dek.getValue().toByteArray()).checkValue();
            assertThat(ring.key(dek.getKey()).check()).isEqualTo(check);
        }
    }

    @Test
    void rewrapRefusesAKeyWhoseDekDoesNotMatchItsCheckValue() throws Exception {
        run("create", "--env", "dev", "--kek", KEK, "--key-id", "k1");
        String check = keyring("dev").key("k1").check();
        String forged = (check.charAt(0) == 'A' ? "B" : "A") + check.substring(1);
        writeKvm("dev", kvmText("dev").replace(check, forged));
        String before = kvmText("dev");

        Result r = run("rewrap", "--env", "dev");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("key k1 unwraps to a DEK that does not match its check value");
        assertThat(kvmText("dev")).isEqualTo(before);
    }

    @Test
    void createUsesTheGivenKeyId() throws Exception {
        assertThat(run("create", "--env", "dev", "--kek", KEK, "--key-id", "hub:2026.11_a-1").exitCode()).isZero();

        assertThat(keyring("dev").current()).isEqualTo("hub:2026.11_a-1");
    }

    @Test
    void createReplacesAKeyringOnlyWithForce() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        String before = kvmText("dev");
        clock.advance(Duration.ofHours(1));

        Result refused = run("create", "--env", "dev", "--kek", KEK);
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.err()).isEqualTo("kms-key-tool: " + kvmPath("dev")
                + " already has a dek-keyring entry; --force replaces it, and data encrypted under its keys can then no longer be decrypted\n");
        assertThat(kvmText("dev")).isEqualTo(before);

        assertThat(run("create", "--env", "dev", "--kek", KEK, "--force").exitCode()).isZero();
        assertThat(keyring("dev").keys()).containsOnlyKeys("dek-20261122t163000z");
    }

    @Test
    void rotateAddsACurrentKeyAndKeepsTheOthers() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        String firstWrapped = keyring("dev").key(T0_KEY_ID).wrapped();
        ByteString firstDek = unwrapAll("dev").get(T0_KEY_ID);
        clock.advance(Duration.ofDays(30));

        Result r = run("rotate", "--env", "dev");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("dek-20261222t153000z is current").contains("lookup stays " + T0_KEY_ID).contains("2 keys");
        Keyring ring = keyring("dev");
        assertThat(ring.keys().keySet()).containsExactly(T0_KEY_ID, "dek-20261222t153000z");
        assertThat(ring.current()).isEqualTo("dek-20261222t153000z");
        assertThat(ring.lookup()).isEqualTo(T0_KEY_ID);
        assertThat(ring.kek()).isEqualTo(KEK);
        assertThat(ring.key(T0_KEY_ID).wrapped()).isEqualTo(firstWrapped);
        Map<String, ByteString> deks = unwrapAll("dev");
        assertThat(deks.get(T0_KEY_ID)).isEqualTo(firstDek);
        assertThat(deks.get("dek-20261222t153000z")).isNotEqualTo(firstDek);
    }

    @Test
    void rotateRefusesAKeyIdAlreadyInTheKeyring() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        String before = kvmText("dev");

        Result sameSecond = run("rotate", "--env", "dev");
        assertThat(sameSecond.exitCode()).isEqualTo(3);
        assertThat(sameSecond.err()).isEqualTo("kms-key-tool: key id " + T0_KEY_ID + " is already in " + kvmPath("dev")
                + " (one rotation per second at most; or pass --key-id)\n");
        assertThat(kvmText("dev")).isEqualTo(before);

        assertThat(run("rotate", "--env", "dev", "--key-id", "second").exitCode()).isZero();
        assertThat(keyring("dev").current()).isEqualTo("second");
    }

    @Test
    void rewrapAfterAKekRotationKeepsEveryDek() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        clock.advance(Duration.ofDays(1));
        run("rotate", "--env", "dev");
        Map<String, ByteString> before = unwrapAll("dev");
        Keyring old = keyring("dev");
        int primary = kms.fake.rotate(KEK);

        Result r = run("rewrap", "--env", "dev");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("rewrapped 2 keys in " + kvmPath("dev") + " with " + KEK + "/cryptoKeyVersions/2\n");
        Keyring ring = keyring("dev");
        assertThat(ring.kek()).isEqualTo(KEK);
        assertThat(ring.current()).isEqualTo(old.current());
        assertThat(ring.lookup()).isEqualTo(old.lookup());
        assertThat(ring.keys().keySet()).containsExactlyElementsOf(old.keys().keySet());
        ring.keys().values().forEach(key -> assertThat(
                FakeKms.versionOf(ByteString.copyFrom(Base64.getDecoder().decode(key.wrapped())))).isEqualTo(primary));
        // Once the old version is gone, every DEK still unwraps, to the same bytes.
        kms.fake.disable(KEK, 1);
        assertThat(unwrapAll("dev")).isEqualTo(before);
    }

    @Test
    void rewrapToAnotherKekMovesTheKeyring() throws Exception {
        kms.fake.addKey(OTHER_KEK);
        run("create", "--env", "dev", "--kek", KEK);
        clock.advance(Duration.ofDays(1));
        run("rotate", "--env", "dev");
        Map<String, ByteString> before = unwrapAll("dev");

        Result r = run("rewrap", "--env", "dev", "--kek", OTHER_KEK);

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains(OTHER_KEK + "/cryptoKeyVersions/1").contains("the keyring's kek was " + KEK);
        Keyring ring = keyring("dev");
        assertThat(ring.kek()).isEqualTo(OTHER_KEK);
        assertThat(unwrapAll("dev")).isEqualTo(before);
        KeyManagementServiceClient client = kms.client();
        assertThatThrownBy(() -> unwrap(client, KEK, T0_KEY_ID, ring.key(T0_KEY_ID).wrapped()))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void showPrintsIdsAndRolesButNoKeyMaterial() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        clock.advance(Duration.ofDays(1));
        run("rotate", "--env", "dev");
        int calls = kms.fake.calls();
        factory = connection -> {
            throw new AssertionError("show must not open a KMS client");
        };

        Result r = run("show", "--env", "dev");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("file:    " + kvmPath("dev") + " (entry dek-keyring)\n"
                + "kek:     " + KEK + "\n"
                + "current: dek-20261123t153000z\n"
                + "lookup:  " + T0_KEY_ID + "\n"
                + "keys:    2\n"
                + "  " + T0_KEY_ID + "  lookup\n"
                + "  dek-20261123t153000z  current\n");
        keyring("dev").keys().values().forEach(key -> assertThat(r.out()).doesNotContain(key.wrapped()));
        assertThat(kms.fake.calls()).isEqualTo(calls);
    }

    @Test
    void aWrappedDekMovedToAnotherKeyIdDoesNotUnwrap() throws Exception {
        run("create", "--env", "dev", "--kek", KEK, "--key-id", "a");
        run("rotate", "--env", "dev", "--key-id", "b");
        Keyring ring = keyring("dev");
        KeyManagementServiceClient client = kms.client();

        assertThat(unwrap(client, KEK, "a", ring.key("a").wrapped()).size()).isEqualTo(DataKey.DEK_BYTES);
        assertThatThrownBy(() -> unwrap(client, KEK, "b", ring.key("a").wrapped()))
                .isInstanceOf(InvalidArgumentException.class);

        // The same through the tool: key b's slot now holds key a's wrapped DEK.
        writeKvm("dev", kvmText("dev").replace(ring.key("b").wrapped(), ring.key("a").wrapped()));
        String before = kvmText("dev");
        Result r = run("rewrap", "--env", "dev");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("kms-key-tool: KMS key " + KEK + " cannot unwrap key b: it was wrapped by another KEK"
                + " or for another key id, or it is corrupt (INVALID_ARGUMENT: Decryption failed: the ciphertext is invalid.)");
        assertThat(kvmText("dev")).isEqualTo(before);
    }

    @Test
    void noDekIsEverPrintedOrWrittenInTheClear() throws Exception {
        kms.fake.addKey(OTHER_KEK);
        run("create", "--env", "dev", "--kek", KEK);
        clock.advance(Duration.ofDays(1));
        run("rotate", "--env", "dev");
        run("rewrap", "--env", "dev", "--kek", OTHER_KEK);
        run("show", "--env", "dev");
        run("rotate", "--env", "dev");
        String file = kvmText("dev");

        Map<String, ByteString> deks = unwrapAll("dev");
        assertThat(deks).hasSize(2);
        for (ByteString dek : deks.values()) {
            byte[] b = dek.toByteArray();
            String hex = HexFormat.of().formatHex(b);
            for (String form : new String[] {Base64.getEncoder().encodeToString(b),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(b), hex, hex.toUpperCase(Locale.ROOT)}) {
                assertThat(printed).noneMatch(text -> text.contains(form));
                assertThat(file).doesNotContain(form);
            }
        }
    }

    @Test
    void otherEntriesAndMembersOfTheFileStay() throws Exception {
        writeKvm("dev", "{\n"
                + "  \"name\": \"psd2-hub-keys\",\n"
                + "  \"entry\": [\n"
                + "    {\"name\": \"aspsp-base-url\", \"value\": \"https://aspsp.example/psd2?a=1&b=2\"},\n"
                + "    {\"name\": \"limits\", \"value\": \"{\\\"rps\\\":10}\"}\n"
                + "  ],\n"
                + "  \"comment\": \"kept\"\n"
                + "}\n");

        run("create", "--env", "dev", "--kek", KEK, "--key-id", "k1");
        String keyring = keyringJson("dev").replace("\"", "\\\"");
        String expected = "{\n"
                + "  \"name\": \"psd2-hub-keys\",\n"
                + "  \"entry\": [\n"
                + "    {\n"
                + "      \"name\": \"aspsp-base-url\",\n"
                + "      \"value\": \"https://aspsp.example/psd2?a=1&b=2\"\n"
                + "    },\n"
                + "    {\n"
                + "      \"name\": \"limits\",\n"
                + "      \"value\": \"{\\\"rps\\\":10}\"\n"
                + "    },\n"
                + "    {\n"
                + "      \"name\": \"dek-keyring\",\n"
                + "      \"value\": \"" + keyring + "\"\n"
                + "    }\n"
                + "  ],\n"
                + "  \"comment\": \"kept\"\n"
                + "}\n";
        assertThat(kvmText("dev")).isEqualTo(expected);

        // The keyring entry is replaced where it is, and nothing else changes.
        run("rotate", "--env", "dev", "--key-id", "k2");
        assertThat(kvmText("dev")).isEqualTo(expected.replace(keyring, keyringJson("dev").replace("\"", "\\\"")));
        assertThat(keyring("dev").keys()).containsOnlyKeys("k1", "k2");
    }

    @Test
    void environmentsHaveTheirOwnFiles() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        run("create", "--env", "prod", "--kek", KEK);

        assertThat(keyring("dev").key(T0_KEY_ID).wrapped()).isNotEqualTo(keyring("prod").key(T0_KEY_ID).wrapped());
        assertThat(unwrapAll("dev").get(T0_KEY_ID)).isNotEqualTo(unwrapAll("prod").get(T0_KEY_ID));
    }
}
