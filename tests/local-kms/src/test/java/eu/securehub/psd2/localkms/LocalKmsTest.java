package eu.securehub.psd2.localkms;

import static eu.securehub.psd2.localkms.KmsHttp.b64;
import static eu.securehub.psd2.localkms.KmsHttp.crc;
import static eu.securehub.psd2.localkms.KmsHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.localkms.KmsHttp.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalKmsTest {
    static final String TOKEN = "local-test-token";
    static final String KEY = "projects/p1/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/kek";
    static final String OTHER_KEY = "projects/p1/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/other";
    static final String PLAINTEXT = "a 32-byte data key, or anything";
    static final String AAD = "psd2-hub/dek/dek-1";

    private LocalKms kms;
    private KmsHttp http;

    @BeforeEach
    void start() {
        kms = LocalKms.start(0, TOKEN);
        kms.createKey(KEY);
        kms.createKey(OTHER_KEY);
        http = new KmsHttp(kms, TOKEN);
    }

    @AfterEach
    void stop() {
        kms.close();
    }

    private Response encrypt(String plaintext, String aad) {
        return http.encrypt(KEY, json("plaintext", b64(plaintext), "additionalAuthenticatedData", b64(aad),
                "plaintextCrc32c", crc(plaintext), "additionalAuthenticatedDataCrc32c", crc(aad)));
    }

    private String ciphertext(String plaintext, String aad) {
        Response r = encrypt(plaintext, aad);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.string("ciphertext");
    }

    private Response decrypt(String name, String ciphertext, String aad) {
        return http.decrypt(name, json("ciphertext", ciphertext, "additionalAuthenticatedData", b64(aad)));
    }

    private static void assertError(Response r, int code, String status, String messagePart) {
        assertThat(r.status()).as(r.body()).isEqualTo(code);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(r.json()).as(r.body()).containsOnlyKeys("error");
        assertThat(r.error()).containsOnlyKeys("code", "message", "status");
        assertThat(r.errorCode()).isEqualTo(code);
        assertThat(r.errorStatus()).isEqualTo(status);
        assertThat(r.errorMessage()).contains(messagePart);
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void roundTripWithChecksums() {
        Response enc = encrypt(PLAINTEXT, AAD);

        assertThat(enc.status()).as(enc.body()).isEqualTo(200);
        assertThat(enc.headers().firstValue("Content-Type")).hasValue("application/json; charset=UTF-8");
        assertThat(enc.json()).containsOnlyKeys("name", "ciphertext", "ciphertextCrc32c", "verifiedPlaintextCrc32c",
                "verifiedAdditionalAuthenticatedDataCrc32c", "protectionLevel");
        assertThat(enc.string("name")).isEqualTo(KEY + "/cryptoKeyVersions/1");
        assertThat(enc.json().get("verifiedPlaintextCrc32c")).isEqualTo(true);
        assertThat(enc.json().get("verifiedAdditionalAuthenticatedDataCrc32c")).isEqualTo(true);
        assertThat(enc.string("protectionLevel")).isEqualTo("SOFTWARE");
        byte[] ciphertext = enc.bytes("ciphertext");
        assertThat(enc.string("ciphertextCrc32c")).isEqualTo(crc(ciphertext));
        assertThat(new String(ciphertext, StandardCharsets.ISO_8859_1)).doesNotContain(PLAINTEXT);

        Response dec = http.decrypt(KEY, json("ciphertext", enc.string("ciphertext"), "additionalAuthenticatedData", b64(AAD),
                "ciphertextCrc32c", crc(ciphertext), "additionalAuthenticatedDataCrc32c", crc(AAD)));

        assertThat(dec.status()).as(dec.body()).isEqualTo(200);
        assertThat(dec.json()).containsOnlyKeys("plaintext", "plaintextCrc32c", "usedPrimary", "protectionLevel");
        assertThat(new String(dec.bytes("plaintext"), StandardCharsets.UTF_8)).isEqualTo(PLAINTEXT);
        assertThat(dec.string("plaintextCrc32c")).isEqualTo(crc(PLAINTEXT));
        assertThat(dec.json().get("usedPrimary")).isEqualTo(true);
        assertThat(dec.string("protectionLevel")).isEqualTo("SOFTWARE");
    }

    @Test
    void roundTripWithoutAadOrChecksumsReportsNothingVerified() {
        byte[] data = new byte[65536];
        ThreadLocalRandom.current().nextBytes(data);
        Response enc = http.encrypt(KEY, json("plaintext", b64(data)));

        assertThat(enc.status()).as(enc.body()).isEqualTo(200);
        assertThat(enc.json().get("verifiedPlaintextCrc32c")).isEqualTo(false);
        assertThat(enc.json().get("verifiedAdditionalAuthenticatedDataCrc32c")).isEqualTo(false);

        Response dec = http.decrypt(KEY, json("ciphertext", enc.string("ciphertext")));
        assertThat(dec.status()).as(dec.body()).isEqualTo(200);
        assertThat(dec.bytes("plaintext")).isEqualTo(data);
    }

    @Test
    void crc32cIsCastagnoli() {
        // The CRC-32C check value (RFC 3720, B.4): CRC32C("123456789") = 0xE3069283.
        assertThat(LocalKms.crc32c("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xE3069283L);
    }

    @Test
    void encryptionIsRandomised() {
        assertThat(ciphertext(PLAINTEXT, AAD)).isNotEqualTo(ciphertext(PLAINTEXT, AAD));
    }

    @Test
    void acceptsUrlSafeBase64ProtoFieldNamesAndNumericChecksums() {
        byte[] data = {(byte) 0xfb, (byte) 0xff, (byte) 0xfe, 1};
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(data);
        Response enc = http.encrypt(KEY, json("plaintext", urlSafe, "plaintext_crc32c", LocalKms.crc32c(data),
                "additional_authenticated_data", b64(AAD), "additional_authenticated_data_crc32c", crc(AAD)));

        assertThat(enc.status()).as(enc.body()).isEqualTo(200);
        assertThat(enc.json().get("verifiedPlaintextCrc32c")).isEqualTo(true);
        assertThat(enc.json().get("verifiedAdditionalAuthenticatedDataCrc32c")).isEqualTo(true);
        assertThat(decrypt(KEY, enc.string("ciphertext"), AAD).bytes("plaintext")).isEqualTo(data);
    }

    @Test
    void enumEncodingIntAnswersProtectionLevelAsNumber() {
        // What the Google Java client's REST transport asks for: $alt=json;enum-encoding=int
        Response r = KmsHttp.send("POST", URI.create(kms.baseUrl() + "/" + KEY + ":encrypt?$alt=json%3Benum-encoding%3Dint"),
                Json.write(json("plaintext", b64(PLAINTEXT))), "Bearer " + TOKEN);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(((Number) r.json().get("protectionLevel")).intValue()).isEqualTo(1);
    }

    @Test
    void rotatedKeyEncryptsWithNewPrimaryAndStillDecryptsOldVersions() {
        String old = ciphertext(PLAINTEXT, AAD);

        assertThat(kms.rotateKey(KEY)).isEqualTo(KEY + "/cryptoKeyVersions/2");
        assertThat(kms.primaryVersion(KEY)).isEqualTo(KEY + "/cryptoKeyVersions/2");

        Response enc = encrypt(PLAINTEXT, AAD);
        assertThat(enc.string("name")).isEqualTo(KEY + "/cryptoKeyVersions/2");
        assertThat(decrypt(KEY, enc.string("ciphertext"), AAD).json().get("usedPrimary")).isEqualTo(true);
        Response oldDec = decrypt(KEY, old, AAD);
        assertThat(oldDec.status()).isEqualTo(200);
        assertThat(oldDec.json().get("usedPrimary")).isEqualTo(false);

        Response pinned = http.encrypt(KEY + "/cryptoKeyVersions/1", json("plaintext", b64(PLAINTEXT)));
        assertThat(pinned.string("name")).isEqualTo(KEY + "/cryptoKeyVersions/1");
        assertThat(decrypt(KEY, pinned.string("ciphertext"), "").json().get("usedPrimary")).isEqualTo(false);
    }

    // ------------------------------------------------------------------ AAD and tampering

    @Test
    void wrongAadIsRefused() {
        String ciphertext = ciphertext(PLAINTEXT, AAD);

        assertError(decrypt(KEY, ciphertext, "psd2-hub/dek/dek-2"), 400, "INVALID_ARGUMENT", "Decryption failed");
        assertError(http.decrypt(KEY, json("ciphertext", ciphertext)), 400, "INVALID_ARGUMENT", "Decryption failed");
    }

    @Test
    void aadGivenOnlyAtDecryptionIsRefused() {
        Response enc = http.encrypt(KEY, json("plaintext", b64(PLAINTEXT)));

        assertError(decrypt(KEY, enc.string("ciphertext"), AAD), 400, "INVALID_ARGUMENT", "Decryption failed");
    }

    @Test
    void ciphertextOfAnotherKeyIsRefused() {
        assertError(decrypt(OTHER_KEY, ciphertext(PLAINTEXT, AAD), AAD), 400, "INVALID_ARGUMENT",
                "Decryption failed: verify that 'name' refers to the correct CryptoKey.");
    }

    /** Every region: magic, version marker, IV, encrypted data, tag. */
    @ParameterizedTest
    @ValueSource(ints = {0, 3, 4, 7, 8, 19, 20, 25, -16, -1})
    void tamperedCiphertextIsRefused(int index) {
        byte[] ciphertext = Base64.getDecoder().decode(ciphertext(PLAINTEXT, AAD));
        int i = index >= 0 ? index : ciphertext.length + index;
        ciphertext[i] ^= 0x01;

        assertError(decrypt(KEY, b64(ciphertext), AAD), 400, "INVALID_ARGUMENT", "Decryption failed");
    }

    @Test
    void truncatedOrExtendedCiphertextIsRefused() {
        byte[] ciphertext = Base64.getDecoder().decode(ciphertext(PLAINTEXT, AAD));

        assertError(decrypt(KEY, b64(java.util.Arrays.copyOf(ciphertext, ciphertext.length - 1)), AAD), 400,
                "INVALID_ARGUMENT", "Decryption failed");
        assertError(decrypt(KEY, b64(java.util.Arrays.copyOf(ciphertext, ciphertext.length + 1)), AAD), 400,
                "INVALID_ARGUMENT", "Decryption failed");
        assertError(decrypt(KEY, b64(new byte[10]), AAD), 400, "INVALID_ARGUMENT", "Decryption failed");
    }

    @Test
    void versionMarkerNamingAnotherExistingVersionIsRefused() {
        kms.rotateKey(KEY);
        byte[] ciphertext = Base64.getDecoder().decode(ciphertext(PLAINTEXT, AAD));
        assertThat(ciphertext[7]).isEqualTo((byte) 2);
        ciphertext[7] = 1;

        assertError(decrypt(KEY, b64(ciphertext), AAD), 400, "INVALID_ARGUMENT", "Decryption failed");
    }

    // ------------------------------------------------------------------ CRC32C

    @ParameterizedTest
    @ValueSource(strings = {"plaintextCrc32c", "additionalAuthenticatedDataCrc32c"})
    void encryptChecksumMismatchIsRefused(String field) {
        Map<String, Object> body = json("plaintext", b64(PLAINTEXT), "additionalAuthenticatedData", b64(AAD),
                "plaintextCrc32c", crc(PLAINTEXT), "additionalAuthenticatedDataCrc32c", crc(AAD));
        body.put(field, Long.toString((Long.parseLong((String) body.get(field)) + 1) & 0xffffffffL));

        Response r = http.encrypt(KEY, body);

        String protoField = field.equals("plaintextCrc32c") ? "plaintext_crc32c" : "additional_authenticated_data_crc32c";
        assertError(r, 400, "INVALID_ARGUMENT", "The checksum in field " + protoField + " did not match");
        assertThat(kms.failedCalls("encrypt")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ciphertextCrc32c", "additionalAuthenticatedDataCrc32c"})
    void decryptChecksumMismatchIsRefused(String field) {
        String ciphertext = ciphertext(PLAINTEXT, AAD);
        Map<String, Object> body = json("ciphertext", ciphertext, "additionalAuthenticatedData", b64(AAD),
                "ciphertextCrc32c", crc(Base64.getDecoder().decode(ciphertext)), "additionalAuthenticatedDataCrc32c", crc(AAD));
        body.put(field, "0");

        Response r = http.decrypt(KEY, body);

        String protoField = field.equals("ciphertextCrc32c") ? "ciphertext_crc32c" : "additional_authenticated_data_crc32c";
        assertError(r, 400, "INVALID_ARGUMENT", "The checksum in field " + protoField + " did not match");
    }

    @Test
    void checksumOfAbsentAadIsTheChecksumOfNothing() {
        Response r = http.encrypt(KEY, json("plaintext", b64(PLAINTEXT), "additionalAuthenticatedDataCrc32c", "0"));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("verifiedAdditionalAuthenticatedDataCrc32c")).isEqualTo(true);
        assertError(http.encrypt(KEY, json("plaintext", b64(PLAINTEXT), "additionalAuthenticatedDataCrc32c", "1")),
                400, "INVALID_ARGUMENT", "additional_authenticated_data_crc32c");
    }

    // ------------------------------------------------------------------ authentication

    @Test
    void missingTokenIsUnauthenticated() {
        URI uri = URI.create(kms.baseUrl() + "/" + KEY + ":encrypt");
        Response r = KmsHttp.send("POST", uri, Json.write(json("plaintext", b64(PLAINTEXT))), null);

        assertError(r, 401, "UNAUTHENTICATED", "Request is missing required authentication credential");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer wrong-token", "Bearer local-test-token-and-more", "Bearer local-test-toke",
            "Basic bG9jYWw6dGVzdA==", "local-test-token", "Bearer", "Bearer  "})
    void wrongTokenIsUnauthenticated(String authorization) {
        URI uri = URI.create(kms.baseUrl() + "/" + KEY + ":decrypt");
        Response r = KmsHttp.send("POST", uri, Json.write(json("ciphertext", ciphertext(PLAINTEXT, AAD))), authorization);

        assertError(r, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials");
    }

    @Test
    void bearerSchemeIsCaseInsensitive() {
        URI uri = URI.create(kms.baseUrl() + "/" + KEY + ":encrypt");
        Response r = KmsHttp.send("POST", uri, Json.write(json("plaintext", b64(PLAINTEXT))), "bearer " + TOKEN);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ not found, methods, paths

    @Test
    void unknownKeyIsNotFound() {
        String unknown = "projects/p1/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/nope";

        assertError(http.encrypt(unknown, json("plaintext", b64(PLAINTEXT))), 404, "NOT_FOUND", "CryptoKey " + unknown + " not found");
        assertError(decrypt(unknown, ciphertext(PLAINTEXT, AAD), AAD), 404, "NOT_FOUND", "not found");
        assertError(http.encrypt(KEY + "/cryptoKeyVersions/2", json("plaintext", b64(PLAINTEXT))), 404, "NOT_FOUND",
                "CryptoKeyVersion " + KEY + "/cryptoKeyVersions/2 not found");
    }

    @Test
    void unknownPathsAreNotFound() {
        assertError(http.post(KEY + ":sign", "{}"), 404, "NOT_FOUND", "not found");
        assertError(http.post(KEY, "{}"), 404, "NOT_FOUND", "not found");
        assertError(http.post(KEY + "/cryptoKeyVersions/1:decrypt", "{}"), 404, "NOT_FOUND", "not found");
        assertError(http.post("projects/p1/keyRings/r/cryptoKeys/k:encrypt", "{}"), 404, "NOT_FOUND", "not found");
        assertError(KmsHttp.send("POST", URI.create("http://127.0.0.1:" + kms.port() + "/v2/" + KEY + ":encrypt"), "{}",
                "Bearer " + TOKEN), 404, "NOT_FOUND", "not found");
        assertError(KmsHttp.send("GET", URI.create("http://127.0.0.1:" + kms.port() + "/"), null, null),
                404, "NOT_FOUND", "not found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
    void otherHttpMethodsAreNotAllowed(String method) {
        Response r = KmsHttp.send(method, URI.create(kms.baseUrl() + "/" + KEY + ":encrypt"),
                method.equals("GET") || method.equals("DELETE") ? null : "{}", "Bearer " + TOKEN);

        assertError(r, 405, "UNIMPLEMENTED", "use POST");
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    }

    // ------------------------------------------------------------------ malformed requests

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"plaintext\": }", "[1,2]", "\"text\"", "{\"plaintext\":\"aGk=\"} x",
            "{\"plaintext\":\"aGk=\",\"plaintext\":\"aGk=\"}", "{'plaintext':'aGk='}", "null"})
    void invalidJsonIsRefused(String body) {
        assertError(http.post(KEY + ":encrypt", body), 400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    }

    @Test
    void badBase64IsRefused() {
        assertError(http.encrypt(KEY, json("plaintext", "not*base64!")), 400, "INVALID_ARGUMENT",
                "Invalid value at 'plaintext' (TYPE_BYTES), Base64 decoding failed");
        assertError(http.decrypt(KEY, json("ciphertext", "%%%")), 400, "INVALID_ARGUMENT",
                "Invalid value at 'ciphertext' (TYPE_BYTES)");
        assertError(http.encrypt(KEY, json("plaintext", b64(PLAINTEXT), "additionalAuthenticatedData", "a")), 400,
                "INVALID_ARGUMENT", "'additional_authenticated_data'");
    }

    @Test
    void wrongTypesAndUnknownFieldsAreRefused() {
        assertError(http.encrypt(KEY, json("plaintext", 12)), 400, "INVALID_ARGUMENT", "Invalid value at 'plaintext'");
        assertError(http.encrypt(KEY, json("plaintext", b64(PLAINTEXT), "plaintextCrc32c", "twelve")), 400,
                "INVALID_ARGUMENT", "Invalid value at 'plaintext_crc32c'");
        assertError(http.encrypt(KEY, json("plaintext", b64(PLAINTEXT), "plaintextCrc32c", true)), 400,
                "INVALID_ARGUMENT", "Invalid value at 'plaintext_crc32c'");
        assertError(http.encrypt(KEY, json("plaintext", b64(PLAINTEXT), "plaintextCrc32c", "99999999999999999999")), 400,
                "INVALID_ARGUMENT", "Invalid value at 'plaintext_crc32c'");
        assertError(http.encrypt(KEY, json("plaintext", b64(PLAINTEXT), "keyVersion", "1")), 400,
                "INVALID_ARGUMENT", "Unknown name \"keyVersion\": Cannot find field.");
        assertError(http.decrypt(KEY, json("plaintext", b64(PLAINTEXT))), 400, "INVALID_ARGUMENT", "Unknown name \"plaintext\"");
        assertError(http.encrypt(KEY, json("plaintext", b64(PLAINTEXT), "name", OTHER_KEY)), 400, "INVALID_ARGUMENT", "name");
        assertError(http.encrypt(KEY, json("plaintext", b64(PLAINTEXT), "plaintext_crc32c", crc(PLAINTEXT),
                "plaintextCrc32c", crc(PLAINTEXT))), 400, "INVALID_ARGUMENT", "given twice");
    }

    @Test
    void missingOrOversizedDataIsRefused() {
        assertError(http.post(KEY + ":encrypt", ""), 400, "INVALID_ARGUMENT", "'plaintext'");
        assertError(http.encrypt(KEY, json("plaintext", "")), 400, "INVALID_ARGUMENT", "'plaintext'");
        assertError(http.decrypt(KEY, json("additionalAuthenticatedData", b64(AAD))), 400, "INVALID_ARGUMENT", "'ciphertext'");
        assertError(http.encrypt(KEY, json("plaintext", b64(new byte[65537]))), 400, "INVALID_ARGUMENT", "64KiB");
        assertError(http.encrypt(KEY, json("plaintext", b64(PLAINTEXT), "additionalAuthenticatedData", b64(new byte[65537]))),
                400, "INVALID_ARGUMENT", "64KiB");
        assertError(http.post(KEY + ":encrypt", "{\"plaintext\":\"" + "A".repeat(LocalKms.MAX_BODY_BYTES) + "\"}"), 400,
                "INVALID_ARGUMENT", "Request payload size exceeds the limit");
    }

    // ------------------------------------------------------------------ counters

    @Test
    void countersCountEveryCallAndFailure() {
        String ciphertext = ciphertext(PLAINTEXT, AAD);
        decrypt(KEY, ciphertext, AAD);
        decrypt(KEY, ciphertext, "wrong");
        KmsHttp.send("POST", URI.create(kms.baseUrl() + "/" + KEY + ":encrypt"), "{}", null);
        http.post(KEY + ":sign", "{}");

        assertThat(kms.encryptCalls()).isEqualTo(2);
        assertThat(kms.decryptCalls()).isEqualTo(2);
        assertThat(kms.calls("encrypt")).isEqualTo(2);
        assertThat(kms.failedCalls("encrypt")).isEqualTo(1);
        assertThat(kms.failedCalls("decrypt")).isEqualTo(1);
        assertThat(kms.calls("sign")).isZero();

        Response admin = KmsHttp.send("GET", URI.create("http://127.0.0.1:" + kms.port() + "/admin/counters"), null, null);
        assertThat(admin.status()).isEqualTo(200);
        assertThat(admin.json()).isEqualTo(Map.of(
                "calls", Map.of("encrypt", 2L, "decrypt", 2L),
                "failed", Map.of("encrypt", 1L, "decrypt", 1L)));

        kms.resetCounters();
        assertThat(kms.encryptCalls()).isZero();
        assertThat(kms.failedCalls("decrypt")).isZero();

        ciphertext(PLAINTEXT, AAD);
        Response reset = KmsHttp.send("POST", URI.create("http://127.0.0.1:" + kms.port() + "/admin/counters/reset"), "", null);
        assertThat(reset.status()).isEqualTo(200);
        assertThat(kms.encryptCalls()).isZero();
        assertError(KmsHttp.send("DELETE", URI.create("http://127.0.0.1:" + kms.port() + "/admin/counters"), null, null),
                405, "UNIMPLEMENTED", "not allowed");
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrentCallsAllSucceedAndAreCounted() throws Exception {
        int threads = 16;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                tasks.add(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String plaintext = "secret " + thread + "/" + i;
                        String aad = "aad " + thread + "/" + i;
                        Response enc = encrypt(plaintext, aad);
                        assertThat(enc.status()).as(enc.body()).isEqualTo(200);
                        Response dec = decrypt(KEY, enc.string("ciphertext"), aad);
                        assertThat(dec.status()).as(dec.body()).isEqualTo(200);
                        assertThat(new String(dec.bytes("plaintext"), StandardCharsets.UTF_8)).isEqualTo(plaintext);
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(kms.encryptCalls()).isEqualTo(threads * perThread);
        assertThat(kms.decryptCalls()).isEqualTo(threads * perThread);
        assertThat(kms.failedCalls("encrypt") + kms.failedCalls("decrypt")).isZero();
    }

    // ------------------------------------------------------------------ Java API

    @Test
    void javaApi() {
        assertThat(kms.baseUrl().toString()).isEqualTo("http://127.0.0.1:" + kms.port() + "/v1");
        assertThat(kms.endpoint()).isEqualTo("127.0.0.1:" + kms.port());
        assertThat(kms.port()).isPositive();

        kms.createKey(KEY); // idempotent: the key and its versions stay
        assertThat(kms.primaryVersion(KEY)).endsWith("/cryptoKeyVersions/1");

        assertThatThrownBy(() -> kms.createKey("projects/p/locations/l/keyRings/r")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kms.createKey("projects/p/locations/l/keyRings/r/cryptoKeys/k/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kms.rotateKey(KEY + "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalKms.start(0, " ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalKms.start(0, "with space")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalKms.start(kms.port(), TOKEN)).isInstanceOf(java.io.UncheckedIOException.class);
    }

    @Test
    void closedServerRefusesConnectionsAndKeysAreGone() {
        URI uri = URI.create(kms.baseUrl() + "/" + KEY + ":encrypt");
        kms.close();

        assertThatThrownBy(() -> KmsHttp.send("POST", uri, "{}", "Bearer " + TOKEN)).isInstanceOf(java.io.UncheckedIOException.class);
        assertThatThrownBy(() -> kms.primaryVersion(KEY)).isInstanceOf(IllegalArgumentException.class);
    }
}
