package eu.securehub.psd2.callouts.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] AD = "consent:c-1|field:transactions".getBytes(StandardCharsets.UTF_8);

    static DataKey key(String id) {
        byte[] dek = new byte[32];
        RANDOM.nextBytes(dek);
        return DataKey.derive(id, dek);
    }

    @Test
    void roundTripsAndHasTheDocumentedLayout() throws Exception {
        DataKey k = key("dek-1");
        byte[] plaintext = "{\"iban\":\"DE89370400440532013000\"}".getBytes(StandardCharsets.UTF_8);
        byte[] env = Envelope.encrypt(k, plaintext, AD);

        assertThat(env[0]).isEqualTo((byte) 1);
        assertThat(env[1]).isEqualTo((byte) 5);
        assertThat(new String(env, 2, 5, StandardCharsets.US_ASCII)).isEqualTo("dek-1");
        assertThat(env).hasSize(Envelope.overhead(5) + plaintext.length);
        assertThat(Envelope.decrypt(k, Envelope.parse(env), AD)).isEqualTo(plaintext);

        String text = Envelope.encryptToText(k, plaintext, AD);
        assertThat(text).matches("[A-Za-z0-9_-]+");
        assertThat(Envelope.keyIdOf(text)).isEqualTo("dek-1");
        assertThat(Envelope.decrypt(k, Envelope.parse(text), AD)).isEqualTo(plaintext);
    }

    @Test
    void everySizeAroundTheThreadBufferRoundTrips() throws Exception {
        DataKey k = key("k");
        byte[] big = new byte[70 * 1024];
        RANDOM.nextBytes(big);
        for (int n : new int[] {0, 1, 2047, 2048, 64 * 1024, 64 * 1024 + 200, 70 * 1024, 1, 5000}) {
            byte[] plaintext = Arrays.copyOf(big, n);
            String text = Envelope.encryptToText(k, plaintext, AD);
            assertThat(Envelope.decryptText(text, id -> k, AD)).as("size %d", n).isEqualTo(plaintext);
            assertThat(Envelope.decrypt(k, Envelope.parse(text), AD)).isEqualTo(plaintext);
        }
    }

    @Test
    void textDecryptsInPlaceToAStringAtEverySizeAndRefusesATamperedOne() throws Exception {
        DataKey k = key("k");
        StringBuilder json = new StringBuilder();
        while (json.length() < 70 * 1024) {
            json.append("{\"iban\":\"DE89370400440532013000\",\"name\":\"Zoë Ø\"},");
        }
        for (int n : new int[] {0, 1, 2047, 64 * 1024, 70 * 1024, 3}) {
            String plaintext = json.substring(0, n);
            byte[] bytes = plaintext.getBytes(StandardCharsets.UTF_8);
            String text = Envelope.encryptToText(k, bytes, AD);
            assertThat(Envelope.decryptTextToString(text, id -> k, AD)).as("size %d", n).isEqualTo(plaintext);
            // The next call reuses the buffer the previous one decrypted in: a tampered tag is still refused.
            String tampered = text.substring(0, text.length() - 2) + (text.charAt(text.length() - 2) == 'A' ? 'Q' : 'A')
                    + text.charAt(text.length() - 1);
            assertThatThrownBy(() -> Envelope.decryptTextToString(tampered, id -> k, AD))
                    .isInstanceOf(EnvelopeException.class);
        }
    }

    @Test
    void decryptTextAsksForTheKeyNamedInTheHeader() throws Exception {
        DataKey k1 = key("k1");
        DataKey k2 = key("k2");
        String text = Envelope.encryptToText(k2, new byte[] {4}, AD);
        java.util.List<String> asked = new java.util.ArrayList<>();
        byte[] plain = Envelope.decryptText(text, id -> {
            asked.add(id);
            return id.equals("k1") ? k1 : k2;
        }, AD);
        assertThat(plain).containsExactly(4);
        assertThat(asked).containsExactly("k2");
        assertThatThrownBy(() -> Envelope.decryptText(text, id -> k1, AD))
                .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.code()).isEqualTo(EnvelopeException.FAILED));
        assertThatThrownBy(() -> Envelope.decryptText("A", id -> k1, AD))
                .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.code()).isEqualTo(EnvelopeException.MALFORMED));
        assertThatThrownBy(() -> Envelope.decryptText(text.substring(0, 30), id -> k2, AD))
                .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.code()).isEqualTo(EnvelopeException.MALFORMED));
    }

    @Test
    void emptyPlaintextRoundTrips() throws Exception {
        DataKey k = key("k");
        assertThat(Envelope.decrypt(k, Envelope.parse(Envelope.encryptToText(k, new byte[0], AD)), AD)).isEmpty();
    }

    @Test
    void noncesAreFreshPerMessage() {
        DataKey k = key("k");
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            byte[] env = Envelope.encrypt(k, new byte[1], AD);
            int at = 2 + 1 + DataKey.COMMITMENT_BYTES;
            nonces.add(Base64.getEncoder().encodeToString(Arrays.copyOfRange(env, at, at + Envelope.NONCE_BYTES)));
        }
        assertThat(nonces).hasSize(2000);
    }

    @Test
    void everyTamperedByteFailsToDecrypt() throws Exception {
        DataKey k = key("dek-1");
        byte[] env = Envelope.encrypt(k, "balance 100.00 EUR".getBytes(StandardCharsets.UTF_8), AD);
        for (int i = 2; i < env.length; i++) {
            byte[] t = env.clone();
            t[i] ^= 0x01;
            assertThatThrownBy(() -> Envelope.decrypt(k, Envelope.parse(t), AD))
                    .as("byte %d", i)
                    .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.code()).isIn(
                            EnvelopeException.FAILED, EnvelopeException.MALFORMED));
        }
    }

    @Test
    void wrongAssociatedDataFails() {
        DataKey k = key("k");
        byte[] env = Envelope.encrypt(k, new byte[] {1, 2, 3}, AD);
        assertThatThrownBy(() -> Envelope.decrypt(k, Envelope.parse(env), "consent:c-2|field:transactions".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.code()).isEqualTo(EnvelopeException.FAILED));
    }

    @Test
    void anotherKeyUnderTheSameIdIsRefusedByTheCommitment() {
        DataKey k1 = key("k");
        DataKey k2 = key("k");
        byte[] env = Envelope.encrypt(k1, new byte[] {1}, AD);
        assertThatThrownBy(() -> Envelope.decrypt(k2, Envelope.parse(env), AD))
                .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.code()).isEqualTo(EnvelopeException.FAILED))
                .hasMessageContaining("does not authenticate under key k");
    }

    @Test
    void commitmentIsCheckedBeforeGcm() throws Exception {
        // A ciphertext whose commitment was swapped for another key's must be refused even though its
        // GCM part is untouched: the commitment binds the ciphertext to exactly one DEK.
        DataKey k1 = key("k");
        DataKey k2 = key("k");
        byte[] env = Envelope.encrypt(k1, new byte[] {1}, AD);
        byte[] forged = env.clone();
        System.arraycopy(k2.headerPrefix(), 0, forged, 0, k2.headerPrefixLength());
        assertThatThrownBy(() -> Envelope.decrypt(k1, Envelope.parse(forged), AD)).isInstanceOf(EnvelopeException.class);
        assertThatThrownBy(() -> Envelope.decrypt(k2, Envelope.parse(forged), AD)).isInstanceOf(EnvelopeException.class);
    }

    @Test
    void truncatedGarbageAndUnknownVersionsAreMalformed() {
        DataKey k = key("dek-1");
        byte[] env = Envelope.encrypt(k, new byte[10], AD);
        for (int len = 0; len < Envelope.overhead(5); len++) {
            byte[] cut = Arrays.copyOf(env, len);
            assertThatThrownBy(() -> Envelope.parse(cut)).as("length %d", len).isInstanceOf(EnvelopeException.class);
        }
        byte[] v2 = env.clone();
        v2[0] = 2;
        assertThatThrownBy(() -> Envelope.parse(v2)).isInstanceOfSatisfying(EnvelopeException.class,
                e -> assertThat(e.code()).isEqualTo(EnvelopeException.UNSUPPORTED_VERSION));
        byte[] badId = env.clone();
        badId[2] = '/';
        assertThatThrownBy(() -> Envelope.parse(badId)).isInstanceOfSatisfying(EnvelopeException.class,
                e -> assertThat(e.code()).isEqualTo(EnvelopeException.MALFORMED));
        byte[] zeroId = env.clone();
        zeroId[1] = 0;
        assertThatThrownBy(() -> Envelope.parse(zeroId)).isInstanceOf(EnvelopeException.class);
        assertThatThrownBy(() -> Envelope.parse("not base64!")).isInstanceOfSatisfying(EnvelopeException.class,
                e -> assertThat(e.code()).isEqualTo(EnvelopeException.MALFORMED));
        assertThatThrownBy(() -> Envelope.parse("")).isInstanceOf(EnvelopeException.class);
    }

    @Test
    void keyIdsAreChecked() {
        assertThat(Envelope.isKeyId("dek-2026.11_22:a")).isTrue();
        assertThat(Envelope.isKeyId("")).isFalse();
        assertThat(Envelope.isKeyId("a".repeat(65))).isFalse();
        assertThat(Envelope.isKeyId("a b")).isFalse();
        assertThatThrownBy(() -> DataKey.derive("bad id", new byte[32])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DataKey.derive("k", new byte[16])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void derivationIsDeterministicPerDek() throws Exception {
        byte[] dek = new byte[32];
        RANDOM.nextBytes(dek);
        DataKey a = DataKey.derive("k", dek.clone());
        DataKey b = DataKey.derive("k", dek.clone());
        byte[] env = Envelope.encrypt(a, new byte[] {7}, AD);
        assertThat(Envelope.decrypt(b, Envelope.parse(env), AD)).containsExactly(7);
        assertThat(a.lookupMac(new byte[] {1})).isEqualTo(b.lookupMac(new byte[] {1}));
        assertThat(a.toString()).doesNotContain(Base64.getEncoder().encodeToString(dek));
    }
}
