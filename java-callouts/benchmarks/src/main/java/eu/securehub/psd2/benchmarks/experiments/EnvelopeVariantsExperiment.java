package eu.securehub.psd2.benchmarks.experiments;

import eu.securehub.psd2.benchmarks.Payloads;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.EnvelopeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Scratch experiment (not in the default run): the envelope's crypto core as the callouts have it
 * ({@code library*}: the real {@link Envelope}), next to format-identical variants that change one
 * thing at a time, to measure proposed fixes before anyone edits the callouts. Each variant's output
 * is checked, in setup, to open with the real {@link Envelope#decrypt}, and the real envelopes to
 * open with the variants.
 * <ul>
 * <li>{@code variantAsIs}: a copy of Envelope.encrypt (per-thread DRBG, 12 bytes per call), to check the copy costs the same;</li>
 * <li>{@code variantBufferedNonce}: the same DRBG asked for 64 nonces at a time;</li>
 * <li>{@code variantBufferedNonceScratch}: and the binary envelope built in a reused per-thread buffer (no array per call);</li>
 * <li>{@code variantDecryptNoCopy}: decrypt decoding base64url straight from the String into a reused buffer;</li>
 * <li>{@code variantDecryptJdkScratch}: decrypt with the JDK decoder, the text's bytes copied into a reused buffer.</li>
 * </ul>
 * Run: {@code java -jar psd2-hub-benchmarks.jar EnvelopeVariantsExperiment}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class EnvelopeVariantsExperiment {
    private static final String KEY_ID = "dek-20261122";
    private static final int NONCE = 12;
    private static final int TAG = 16;
    private static final int SCRATCH_MAX = 64 * 1024 + 256;
    private static final Base64.Encoder TEXT_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder TEXT_DECODER = Base64.getUrlDecoder();

    @Param({"1024", "65536"})
    public int size;

    private String payload;
    private byte[] plaintext;
    private byte[] associatedData;
    private DataKey dataKey;
    private String libraryText;

    // The variant's own copy of the key material, derived from the same DEK as Envelope's format says.
    private SecretKeySpec aesKey;
    private byte[] headerPrefix;
    private SecureRandom drbg;
    private Cipher cipher;
    private final byte[] nonces = new byte[NONCE * 64];
    private int nonceOffset = nonces.length;
    private final byte[] scratch = new byte[SCRATCH_MAX];

    @Setup
    public void setUp() throws Exception {
        payload = Payloads.transactionsJson(size);
        plaintext = payload.getBytes(StandardCharsets.UTF_8);
        associatedData = "consent:VOG-4f1c2a9e-7b3d-4e0a-9c55-1d2e3f4a5b6c|payload".getBytes(StandardCharsets.UTF_8);
        byte[] dek = new byte[32];
        new SecureRandom().nextBytes(dek);
        dataKey = DataKey.derive(KEY_ID, dek.clone());

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(dek, "HmacSHA256"));
        aesKey = new SecretKeySpec(mac.doFinal("psd2-hub/v1/aes-256-gcm".getBytes(StandardCharsets.US_ASCII)), "AES");
        byte[] commitment = mac.doFinal("psd2-hub/v1/key-commitment".getBytes(StandardCharsets.US_ASCII));
        byte[] id = KEY_ID.getBytes(StandardCharsets.US_ASCII);
        headerPrefix = new byte[2 + id.length + commitment.length];
        headerPrefix[0] = Envelope.VERSION;
        headerPrefix[1] = (byte) id.length;
        System.arraycopy(id, 0, headerPrefix, 2, id.length);
        System.arraycopy(commitment, 0, headerPrefix, 2 + id.length, commitment.length);
        drbg = SecureRandom.getInstance("DRBG");
        cipher = Cipher.getInstance("AES/GCM/NoPadding");

        libraryText = libraryEncrypt();
        for (String text : new String[] {variantAsIs(), variantBufferedNonce(), variantBufferedNonceScratch()}) {
            String opened = new String(Envelope.decrypt(dataKey, Envelope.parse(text), associatedData), StandardCharsets.UTF_8);
            if (!opened.equals(payload)) {
                throw new IllegalStateException("a variant's envelope does not open with Envelope.decrypt");
            }
        }
        if (!libraryDecrypt().equals(payload) || !variantDecryptNoCopy().equals(payload)
                || !variantDecryptJdkScratch().equals(payload)) {
            throw new IllegalStateException("decrypt variants do not round-trip");
        }
    }

    /** What EnvelopeEncrypt does after resolving its properties: String to UTF-8, Envelope.encryptToText. */
    @Benchmark
    public String libraryEncrypt() {
        return Envelope.encryptToText(dataKey, payload.getBytes(StandardCharsets.UTF_8), associatedData);
    }

    /** What EnvelopeDecrypt does: Envelope.parse (base64url decode), Envelope.decrypt, UTF-8 to String. */
    @Benchmark
    public String libraryDecrypt() throws EnvelopeException {
        return new String(Envelope.decrypt(dataKey, Envelope.parse(libraryText), associatedData), StandardCharsets.UTF_8);
    }

    @Benchmark
    public String variantAsIs() throws GeneralSecurityException {
        byte[] nonce = new byte[NONCE];
        drbg.nextBytes(nonce);
        return TEXT_ENCODER.encodeToString(seal(payload.getBytes(StandardCharsets.UTF_8), nonce));
    }

    @Benchmark
    public String variantBufferedNonce() throws GeneralSecurityException {
        return TEXT_ENCODER.encodeToString(seal(payload.getBytes(StandardCharsets.UTF_8), bufferedNonce()));
    }

    @Benchmark
    public String variantBufferedNonceScratch() throws GeneralSecurityException {
        byte[] in = payload.getBytes(StandardCharsets.UTF_8);
        int headerLength = headerPrefix.length + NONCE;
        int total = headerLength + in.length + TAG;
        byte[] out = total <= scratch.length ? scratch : new byte[total];
        System.arraycopy(headerPrefix, 0, out, 0, headerPrefix.length);
        byte[] nonce = bufferedNonce();
        System.arraycopy(nonce, 0, out, headerPrefix.length, NONCE);
        cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG * 8, nonce));
        cipher.updateAAD(out, 0, headerLength);
        cipher.updateAAD(associatedData);
        cipher.doFinal(in, 0, in.length, out, headerLength);
        ByteBuffer text = TEXT_ENCODER.encode(ByteBuffer.wrap(out, 0, total));
        return new String(text.array(), 0, text.remaining(), StandardCharsets.ISO_8859_1);
    }

    @Benchmark
    public String variantDecryptNoCopy() throws GeneralSecurityException {
        String text = libraryText;
        int maxBytes = text.length() / 4 * 3 + 2;
        byte[] b = maxBytes <= scratch.length ? scratch : new byte[maxBytes];
        int length = decodeUrl(text, b);
        int headerLength = headerPrefix.length + NONCE;
        cipher.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(TAG * 8, b, headerPrefix.length, NONCE));
        cipher.updateAAD(b, 0, headerLength);
        cipher.updateAAD(associatedData);
        byte[] plain = cipher.doFinal(b, headerLength, length - headerLength);
        return new String(plain, StandardCharsets.UTF_8);
    }

    /** Decrypt with the JDK decoder: the text's ASCII copied into a reused buffer, decoded from there. */
    @Benchmark
    @SuppressWarnings("deprecation")
    public String variantDecryptJdkScratch() throws GeneralSecurityException {
        String text = libraryText;
        int n = text.length();
        byte[] ascii = n <= scratch.length ? scratch : new byte[n];
        text.getBytes(0, n, ascii, 0); // base64url is ASCII: one byte per char, no allocation
        ByteBuffer decoded = TEXT_DECODER.decode(ByteBuffer.wrap(ascii, 0, n));
        byte[] b = decoded.array();
        int length = decoded.remaining();
        int headerLength = headerPrefix.length + NONCE;
        cipher.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(TAG * 8, b, headerPrefix.length, NONCE));
        cipher.updateAAD(b, 0, headerLength);
        cipher.updateAAD(associatedData);
        byte[] plain = cipher.doFinal(b, headerLength, length - headerLength);
        return new String(plain, StandardCharsets.UTF_8);
    }

    private byte[] seal(byte[] in, byte[] nonce) throws GeneralSecurityException {
        int headerLength = headerPrefix.length + NONCE;
        byte[] out = new byte[headerLength + in.length + TAG];
        System.arraycopy(headerPrefix, 0, out, 0, headerPrefix.length);
        System.arraycopy(nonce, 0, out, headerPrefix.length, NONCE);
        cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG * 8, nonce));
        cipher.updateAAD(out, 0, headerLength);
        cipher.updateAAD(associatedData);
        cipher.doFinal(in, 0, in.length, out, headerLength);
        return out;
    }

    private byte[] bufferedNonce() {
        if (nonceOffset == nonces.length) {
            drbg.nextBytes(nonces);
            nonceOffset = 0;
        }
        byte[] nonce = Arrays.copyOfRange(nonces, nonceOffset, nonceOffset + NONCE);
        Arrays.fill(nonces, nonceOffset, nonceOffset + NONCE, (byte) 0);
        nonceOffset += NONCE;
        return nonce;
    }

    private static final int[] URL_VALUES = new int[128];

    static {
        Arrays.fill(URL_VALUES, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            URL_VALUES[alphabet.charAt(i)] = i;
        }
    }

    /** Unpadded base64url from a String into {@code dst}; returns the decoded length. */
    static int decodeUrl(String s, byte[] dst) {
        int n = s.length();
        if (n % 4 == 1) {
            throw new IllegalArgumentException("not base64url");
        }
        int d = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            int bits = value(s.charAt(i)) << 18 | value(s.charAt(i + 1)) << 12 | value(s.charAt(i + 2)) << 6
                    | value(s.charAt(i + 3));
            dst[d++] = (byte) (bits >> 16);
            dst[d++] = (byte) (bits >> 8);
            dst[d++] = (byte) bits;
        }
        int rest = n - i;
        if (rest >= 2) {
            int bits = value(s.charAt(i)) << 18 | value(s.charAt(i + 1)) << 12 | (rest == 3 ? value(s.charAt(i + 2)) << 6 : 0);
            dst[d++] = (byte) (bits >> 16);
            if (rest == 3) {
                dst[d++] = (byte) (bits >> 8);
            }
        }
        return d;
    }

    private static int value(char c) {
        int v = c < 128 ? URL_VALUES[c] : -1;
        if (v < 0) {
            throw new IllegalArgumentException("not base64url");
        }
        return v;
    }
}
