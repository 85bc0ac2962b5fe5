package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.crypto.DekCache;
import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import eu.securehub.psd2.callouts.testing.TestKeys;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

class EnvelopeCalloutsTest {
    static final String IBAN = "DE89370400440532013000";
    static final String ACCOUNT = "{\"account\":{\"iban\":\"" + IBAN + "\",\"currency\":\"EUR\"},"
            + "\"balances\":[{\"balanceAmount\":{\"currency\":\"EUR\",\"amount\":\"5877.78\"}}],\"name\":\"Main\"}";

    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);
    private TestKeys keys;

    @BeforeEach
    void freshKeys() {
        DekCache.clear();
        keys = new TestKeys().add("k1").warm();
    }

    private static Map<String, String> props(String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put("keyring", "{private.keyring}");
        p.put("source", "{payload}");
        p.put("associated-data", "consent:{consent.id}|log");
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private MapMessageContext ctx(String payload) {
        return new MapMessageContext().set("private.keyring", keys.keyring()).set("payload", payload).set("consent.id", "c-1");
    }

    private String encrypt(MapMessageContext ctx, String... kv) {
        assertThat(new EnvelopeEncrypt(props(kv)).execute(ctx, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(ctx.string("envelope.unwrap_required")).isEqualTo("false");
        return ctx.string("envelope.output");
    }

    private ExecutionResult decrypt(MapMessageContext ctx, String... kv) {
        return new EnvelopeDecrypt(props(kv)).execute(ctx, exec);
    }

    @Test
    void wholeBodyRoundTrip() {
        MapMessageContext c = ctx(ACCOUNT);
        String ciphertext = encrypt(c);
        assertThat(ciphertext).doesNotContain(IBAN).matches("[A-Za-z0-9_-]+");
        assertThat(c.string("envelope.key_id")).isEqualTo("k1");

        MapMessageContext d = ctx(ciphertext);
        assertThat(decrypt(d)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(d.string("envelope.output")).isEqualTo(ACCOUNT);
        assertThat(d.string("envelope.error")).isNull();
    }

    @Test
    void aLargeLogSafeCopyIsCutToOutputMaxBytesWithAMarker() {
        StringBuilder page = new StringBuilder("{\"account\":{\"iban\":\"" + IBAN + "\"},\"transactions\":{\"booked\":[");
        for (int i = 0; i < 1000; i++) {
            page.append(i == 0 ? "" : ",").append("{\"transactionId\":\"t-").append(i)
                    .append("\",\"creditorName\":\"Müller GmbH\",\"transactionAmount\":{\"currency\":\"EUR\",\"amount\":\"-")
                    .append(i).append(".50\"},\"remittanceInformationUnstructured\":\"Rechnung Nr. ").append(i).append("\"}");
        }
        page.append("]}}");
        MapMessageContext c = ctx(page.toString());
        String copy = encrypt(c, "fields", "iban,transactions", "output-max-bytes", "65536");
        assertThat(copy.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(65536);
        assertThat(copy).matches("(?s).*…\\[truncated; bytes=[0-9]+\\]$").doesNotContain(IBAN).doesNotContain("Müller");
        assertThat(c.string("envelope.truncated")).isEqualTo("true");

        MapMessageContext small = ctx(ACCOUNT);
        assertThat(encrypt(small, "fields", "iban", "output-max-bytes", "65536")).doesNotContain("truncated");
        assertThat(small.string("envelope.truncated")).isEqualTo("false");
    }

    @Test
    void capNeverSplitsACharacterAndCountsUtf8Bytes() {
        String text = "ä".repeat(50) + "😀".repeat(50);
        for (int max = 40; max < 300; max += 7) { // the whole text is 300 bytes
            String cut = EnvelopeEncrypt.cap(text, max);
            assertThat(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).as("max %d", max).isLessThanOrEqualTo(max);
            String kept = cut.substring(0, cut.indexOf(EnvelopeEncrypt.TRUNCATED));
            assertThat(text).startsWith(kept);
            assertThat(kept.isEmpty() || !Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isTrue();
            assertThat(cut).endsWith("bytes=" + text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "]");
        }
        assertThat(EnvelopeEncrypt.cap("short", 100)).isEqualTo("short");
    }

    @Test
    void namedFieldsAreEncryptedInPlaceForALogSafeCopy() {
        MapMessageContext c = ctx(ACCOUNT);
        encrypt(c, "fields", "iban, balances", "output", "log.safe_copy");
        assertThat(c.string("envelope.output")).isNull();
        String logSafe = c.string("log.safe_copy");
        assertThat(logSafe).doesNotContain(IBAN).doesNotContain("5877.78").contains("\"currency\":\"EUR\"", "\"name\":\"Main\"");

        MapMessageContext d = ctx(logSafe);
        assertThat(decrypt(d, "fields", "iban,balances")).isSameAs(ExecutionResult.SUCCESS);
        assertThat(d.string("envelope.output")).isEqualTo(ACCOUNT);
    }

    @Test
    void aFieldCiphertextMovedToAnotherFieldOrContextFails() {
        String logSafe = encrypt(ctx("{\"iban\":\"" + IBAN + "\",\"bban\":\"x\"}"), "fields", "iban,bban");
        String ivalue = logSafe.substring(logSafe.indexOf("\"iban\":\"") + 8, logSafe.indexOf('"', logSafe.indexOf("\"iban\":\"") + 8));
        String moved = "{\"iban\":\"x\",\"bban\":\"" + ivalue + "\"}";
        MapMessageContext d = ctx(moved.replace("\"iban\":\"x\"", "\"iban\":\"" + ivalue + "\""));
        assertThat(decrypt(d, "fields", "iban,bban")).isSameAs(ExecutionResult.ABORT);
        assertThat(d.string("envelope.error_code")).isEqualTo("decryption_failed");

        MapMessageContext other = ctx(logSafe).set("consent.id", "c-2");
        assertThat(decrypt(other, "fields", "iban,bban")).isSameAs(ExecutionResult.ABORT);
        assertThat(other.string("envelope.error_code")).isEqualTo("decryption_failed");
    }

    @Test
    void wrongAssociatedDataFailsWithoutLeakingAnything() {
        String ciphertext = encrypt(ctx(ACCOUNT));
        MapMessageContext d = ctx(ciphertext).set("consent.id", "c-2");
        assertThat(decrypt(d)).isSameAs(ExecutionResult.ABORT);
        assertThat(d.string("envelope.error_code")).isEqualTo("decryption_failed");
        assertThat(d.string("envelope.error")).startsWith("decryption_failed: ").doesNotContain(IBAN, ciphertext, keys.dek("k1"));
        assertThat(d.string("envelope.output")).isNull();
    }

    @Test
    void associatedDataIsRequired() {
        MapMessageContext c = ctx(ACCOUNT);
        ExecutionResult r = new EnvelopeEncrypt(props("associated-data", "{unset.variable}")).execute(c, exec);
        assertThat(r).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("envelope.error_code")).isEqualTo("missing_associated_data");
    }

    @Test
    void coldCacheAsksTheFlowToUnwrapThenCachesWhatItGets() {
        DekCache.clear();
        Keyring.WrappedKey wrapped;
        try {
            wrapped = Keyring.of(keys.keyring()).key("k1");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        MapMessageContext c = ctx(ACCOUNT);
        EnvelopeEncrypt callout = new EnvelopeEncrypt(props(
                "unwrapped-dek", "{private.kms.plaintext}", "unwrapped-dek-key-id", "{envelope.unwrap_key_id}"));
        assertThat(callout.execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("envelope.unwrap_required")).isEqualTo("true");
        assertThat(c.string("envelope.unwrap_key_id")).isEqualTo("k1");
        assertThat(c.string("envelope.unwrap_ciphertext")).isEqualTo(wrapped.wrapped());
        assertThat(c.string("envelope.unwrap_kek")).isEqualTo("projects/p/locations/europe-west3/keyRings/hub/cryptoKeys/kek");
        assertThat(new String(Base64.getDecoder().decode(c.string("envelope.unwrap_aad")))).isEqualTo("psd2-hub/dek/k1");
        assertThat(c.string("envelope.output")).isNull();

        // The flow calls Cloud KMS and runs the callout again with the plaintext.
        c.set("private.kms.plaintext", keys.dek("k1"));
        assertThat(callout.execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("envelope.unwrap_required")).isEqualTo("false");
        assertThat(c.string("envelope.output")).isNotBlank();
        assertThat(DekCache.size()).isEqualTo(1);

        // Later policies of the same request still see the plaintext variable: the cached key is kept as it is.
        assertThat(callout.execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("envelope.unwrap_required")).isEqualTo("false");

        // Warm: the next request needs no KMS call at all.
        MapMessageContext next = ctx(ACCOUNT);
        assertThat(new EnvelopeEncrypt(props()).execute(next, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(next.string("envelope.unwrap_required")).isEqualTo("false");
    }

    @Test
    void cachedKeysExpire() {
        DekCache.clear();
        long now = System.currentTimeMillis();
        MapMessageContext c = ctx(ACCOUNT).set("private.kms.plaintext", keys.dek("k1")).set("now", now);
        Map<String, String> p = props("unwrapped-dek", "{private.kms.plaintext}", "unwrapped-dek-key-id", "k1",
                "dek-cache-seconds", "60", "now", "{now}");
        assertThat(new EnvelopeEncrypt(p).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        MapMessageContext later = ctx(ACCOUNT).set("now", now + 61_000);
        assertThat(new EnvelopeEncrypt(props("now", "{now}")).execute(later, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(later.string("envelope.unwrap_required")).isEqualTo("true");
    }

    @Test
    void badUnwrappedKeysAreRefused() {
        DekCache.clear();
        Map<String, String> p = props("unwrapped-dek", "{dek}", "unwrapped-dek-key-id", "{dek.id}");
        MapMessageContext shortKey = ctx(ACCOUNT).set("dek", Base64.getEncoder().encodeToString(new byte[16])).set("dek.id", "k1");
        assertThat(new EnvelopeEncrypt(p).execute(shortKey, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(shortKey.string("envelope.error_code")).isEqualTo("invalid_dek");

        MapMessageContext notBase64 = ctx(ACCOUNT).set("dek", "%%%").set("dek.id", "k1");
        assertThat(new EnvelopeEncrypt(p).execute(notBase64, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(notBase64.string("envelope.error_code")).isEqualTo("invalid_dek");

        MapMessageContext unknownId = ctx(ACCOUNT).set("dek", keys.dek("k1")).set("dek.id", "k9");
        assertThat(new EnvelopeEncrypt(p).execute(unknownId, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(unknownId.string("envelope.error_code")).isEqualTo("unknown_key_id");

        MapMessageContext noId = ctx(ACCOUNT).set("dek", keys.dek("k1"));
        assertThat(new EnvelopeEncrypt(p).execute(noId, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(noId.string("envelope.error_code")).isEqualTo("missing_property");
        assertThat(DekCache.size()).isZero();
    }

    @Test
    void anUnwrappedDekThatIsNotTheKeyIdsIsRefusedAndNotCached() {
        String ciphertext = encrypt(ctx(ACCOUNT));
        DekCache.clear();
        TestKeys impostor = new TestKeys().add("k1");
        MapMessageContext d = ctx(ciphertext).set("dek", impostor.dek("k1"));
        assertThat(decrypt(d, "unwrapped-dek", "{dek}", "unwrapped-dek-key-id", "k1")).isSameAs(ExecutionResult.ABORT);
        assertThat(d.string("envelope.error_code")).isEqualTo("invalid_dek");
        assertThat(d.string("envelope.error")).contains("check value").doesNotContain(impostor.dek("k1"));
        assertThat(DekCache.size()).isZero();

        // Another key's DEK handed over under this key id (a flow mixing up two unwraps) is refused too.
        keys.add("k2");
        MapMessageContext e = ctx(ACCOUNT).set("dek", keys.dek("k2"));
        assertThat(new EnvelopeEncrypt(props("unwrapped-dek", "{dek}", "unwrapped-dek-key-id", "k1")).execute(e, exec))
                .isSameAs(ExecutionResult.ABORT);
        assertThat(e.string("envelope.error_code")).isEqualTo("invalid_dek");
        assertThat(DekCache.size()).isZero();
    }

    @Test
    void aCiphertextUnderAnotherDekWithTheSameIdDoesNotOpen() {
        TestKeys other = new TestKeys().add("k1").warm();
        MapMessageContext c = new MapMessageContext().set("private.keyring", other.keyring()).set("payload", ACCOUNT)
                .set("consent.id", "c-1");
        assertThat(new EnvelopeEncrypt(props()).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        MapMessageContext d = ctx(c.string("envelope.output"));
        assertThat(decrypt(d)).isSameAs(ExecutionResult.ABORT);
        assertThat(d.string("envelope.error_code")).isEqualTo("decryption_failed");
    }

    @Test
    void dataWrittenBeforeARotationStillDecrypts() {
        String old = encrypt(ctx(ACCOUNT));
        keys.add("k2").warm();
        MapMessageContext c = ctx(ACCOUNT);
        String fresh = encrypt(c);
        assertThat(c.string("envelope.key_id")).isEqualTo("k2");
        for (String ciphertext : List.of(old, fresh)) {
            MapMessageContext d = ctx(ciphertext);
            assertThat(decrypt(d)).isSameAs(ExecutionResult.SUCCESS);
            assertThat(d.string("envelope.output")).isEqualTo(ACCOUNT);
        }
    }

    @Test
    void aKeyIdNoLongerInTheKeyringIsReported() {
        String ciphertext = encrypt(ctx(ACCOUNT));
        keys = new TestKeys().add("k2").warm();
        MapMessageContext d = ctx(ciphertext);
        assertThat(decrypt(d)).isSameAs(ExecutionResult.ABORT);
        assertThat(d.string("envelope.error_code")).isEqualTo("unknown_key_id");
        assertThat(d.string("envelope.error")).contains("k1");
    }

    @Test
    void garbageTruncatedAndTamperedInputGiveStableCodes() {
        String ciphertext = encrypt(ctx(ACCOUNT));
        Map<String, String> cases = Map.of(
                "not base64 at all!", "invalid_ciphertext",
                "", "invalid_ciphertext",
                ciphertext.substring(0, 40), "invalid_ciphertext",
                withoutLastBytes(ciphertext, 3), "decryption_failed",
                nonCanonical(ciphertext), "invalid_ciphertext",
                "Ag" + ciphertext.substring(2), "unsupported_version",
                flip(ciphertext, ciphertext.length() - 10), "decryption_failed");
        cases.forEach((input, code) -> {
            MapMessageContext d = ctx(input);
            assertThat(decrypt(d)).as(code).isSameAs(ExecutionResult.ABORT);
            assertThat(d.string("envelope.error_code")).as(input).isEqualTo(code);
            assertThat(d.string("envelope.error")).doesNotContain(IBAN);
        });
    }

    /** The text of the envelope without its last {@code n} bytes (a canonical text: only the tag is cut short). */
    private static String withoutLastBytes(String text, int n) {
        byte[] bytes = java.util.Base64.getUrlDecoder().decode(text);
        return java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(java.util.Arrays.copyOf(bytes, bytes.length - n));
    }

    /** The same bytes with the last character's unused bits set: a second text for them, which is refused. */
    private static String nonCanonical(String text) {
        String canonical = text.length() % 4 == 0 ? withoutLastBytes(text, 1) : text;
        char last = canonical.charAt(canonical.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return canonical.substring(0, canonical.length() - 1) + alphabet.charAt(alphabet.indexOf(last) | 1);
    }

    private static String flip(String text, int at) {
        char c = text.charAt(at);
        return text.substring(0, at) + (c == 'A' ? 'B' : 'A') + text.substring(at + 1);
    }

    @Test
    void oversizedInputIsRefusedBeforeAnyWork() {
        MapMessageContext c = ctx("x".repeat(2000));
        assertThat(new EnvelopeEncrypt(props("max-bytes", "1000")).execute(c, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("envelope.error_code")).isEqualTo("payload_too_large");
        MapMessageContext f = ctx("{\"iban\":\"" + "x".repeat(2000) + "\"}");
        assertThat(new EnvelopeEncrypt(props("max-bytes", "1000", "fields", "iban")).execute(f, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(f.string("envelope.error_code")).isEqualTo("payload_too_large");
        MapMessageContext d = ctx("A".repeat(4000));
        assertThat(decrypt(d, "max-bytes", "1000")).isSameAs(ExecutionResult.ABORT);
        assertThat(d.string("envelope.error_code")).isEqualTo("payload_too_large");
    }

    @Test
    void invalidJsonAndNonCiphertextFieldsAreReported() {
        MapMessageContext c = ctx("{\"iban\": ");
        assertThat(new EnvelopeEncrypt(props("fields", "iban")).execute(c, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("envelope.error_code")).isEqualTo("invalid_json");
        MapMessageContext d = ctx("{\"iban\": 42}");
        assertThat(decrypt(d, "fields", "iban")).isSameAs(ExecutionResult.ABORT);
        assertThat(d.string("envelope.error_code")).isEqualTo("invalid_ciphertext");
    }

    @Test
    void brokenConfigurationIsReported() {
        MapMessageContext noRing = ctx(ACCOUNT).set("private.keyring", null);
        assertThat(new EnvelopeEncrypt(props()).execute(noRing, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(noRing.string("envelope.error")).isEqualTo("missing_property: keyring resolves to null or empty");
        MapMessageContext badRing = ctx(ACCOUNT).set("private.keyring", "{}");
        assertThat(new EnvelopeEncrypt(props()).execute(badRing, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(badRing.string("envelope.error_code")).isEqualTo("invalid_keyring");
        MapMessageContext badOut = ctx(ACCOUNT);
        assertThat(new EnvelopeEncrypt(props("output", "not a {name}")).execute(badOut, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(badOut.string("envelope.error_code")).isEqualTo("invalid_property");
        MapMessageContext badNumber = ctx(ACCOUNT);
        assertThat(new EnvelopeEncrypt(props("max-bytes", "ten")).execute(badNumber, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(badNumber.string("envelope.error_code")).isEqualTo("invalid_property");
    }

    @Test
    void aSuccessClearsTheErrorOfAnEarlierRun() {
        MapMessageContext c = ctx(ACCOUNT).set("envelope.error", "old").set("envelope.error_code", "old");
        encrypt(c);
        assertThat(c.string("envelope.error")).isNull();
        assertThat(c.string("envelope.error_code")).isNull();
    }

    @Test
    void oneInstanceServesManyThreads() throws Exception {
        EnvelopeEncrypt enc = new EnvelopeEncrypt(props());
        EnvelopeDecrypt dec = new EnvelopeDecrypt(props());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                tasks.add(() -> {
                    for (int i = 0; i < 300; i++) {
                        String payload = "{\"iban\":\"" + IBAN + "\",\"n\":" + thread + i + "}";
                        MapMessageContext c = ctx(payload).set("consent.id", "c-" + thread);
                        if (enc.execute(c, exec) != ExecutionResult.SUCCESS) {
                            return false;
                        }
                        MapMessageContext d = ctx(c.string("envelope.output")).set("consent.id", "c-" + thread);
                        if (dec.execute(d, exec) != ExecutionResult.SUCCESS || !payload.equals(d.string("envelope.output"))) {
                            return false;
                        }
                    }
                    return true;
                });
            }
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
