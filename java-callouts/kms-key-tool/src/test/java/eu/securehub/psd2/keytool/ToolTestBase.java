package eu.securehub.psd2.keytool;

import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import eu.securehub.psd2.callouts.crypto.Keyring;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A fake KMS in-process, a config directory, a settable clock, and the tool's command line over them. */
abstract class ToolTestBase {
    static final String KEK = "projects/hub-prod/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/dek-kek";
    static final String OTHER_KEK = "projects/hub-prod/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/dek-kek-2";
    static final Instant T0 = Instant.parse("2026-11-22T15:30:00Z");
    static final String T0_KEY_ID = "dek-20261122t153000z";

    @TempDir
    Path dir;

    final InProcessKms kms = new InProcessKms();
    final SettableClock clock = new SettableClock(T0);
    Map<String, String> environment = Map.of();
    Cli.KmsClientFactory factory = kms.factory();
    /** Everything the tool printed in this test, for checks that nothing secret was. */
    final List<String> printed = new ArrayList<>();

    ToolTestBase() {
        kms.fake.addKey(KEK);
    }

    @AfterEach
    void closeKms() {
        kms.close();
    }

    record Result(int exitCode, String out, String err) {
    }

    /** Runs the tool on this test's config directory, as main would, without exiting. */
    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--config-dir");
        all.add(dir.toString());
        int code = new Cli(factory, clock, environment).run(all.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        Result result = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        printed.add(result.out());
        printed.add(result.err());
        return result;
    }

    Path kvmPath(String env) {
        return dir.resolve("kvms").resolve(env).resolve("psd2-hub-keys.json");
    }

    String kvmText(String env) {
        try {
            return Files.readString(kvmPath(env));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void writeKvm(String env, String text) {
        try {
            Files.createDirectories(kvmPath(env).getParent());
            Files.writeString(kvmPath(env), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The keyring entry's value, as the KVM would hold it. */
    String keyringJson(String env) {
        return JsonParser.parseString(kvmText(env)).getAsJsonObject().getAsJsonArray("entry").asList().stream()
                .map(JsonElement::getAsJsonObject)
                .filter(e -> e.get("name").getAsString().equals("dek-keyring"))
                .findFirst().orElseThrow().get("value").getAsString();
    }

    Keyring keyring(String env) throws Exception {
        return Keyring.of(keyringJson(env));
    }

    /** Every DEK of the environment's keyring, unwrapped through the fake KMS with the keyring's kek. */
    Map<String, ByteString> unwrapAll(String env) throws Exception {
        Keyring ring = keyring(env);
        KeyManagementServiceClient client = kms.client();
        Map<String, ByteString> deks = new LinkedHashMap<>();
        ring.keys().forEach((id, key) -> deks.put(id, unwrap(client, ring.kek(), id, key.wrapped())));
        return deks;
    }

    static ByteString unwrap(KeyManagementServiceClient client, String kek, String keyId, String wrapped) {
        return client.decrypt(DecryptRequest.newBuilder()
                .setName(kek)
                .setCiphertext(ByteString.copyFrom(Base64.getDecoder().decode(wrapped)))
                .setAdditionalAuthenticatedData(ByteString.copyFrom(Keyring.kmsAad(keyId)))
                .build()).getPlaintext();
    }

    /** A clock the test moves. */
    static final class SettableClock extends Clock {
        private Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
