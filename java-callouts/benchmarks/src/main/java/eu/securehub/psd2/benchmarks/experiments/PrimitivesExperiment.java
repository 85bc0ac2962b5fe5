package eu.securehub.psd2.benchmarks.experiments;

import eu.securehub.psd2.benchmarks.Payloads;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
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
 * Scratch experiment (not in the default run): what one envelope call is made of, piece by piece,
 * so the callouts' figures can be explained. Nonce sources (12 bytes), Cipher lookup and init,
 * GCM on a reused Cipher, base64url and String/byte conversions.
 * Run: {@code java -jar psd2-hub-benchmarks.jar PrimitivesExperiment}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class PrimitivesExperiment {
    private static final SecureRandom NATIVE_SHARED = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    @Param({"1024"})
    public int size;

    private SecureRandom drbg;
    private SecureRandom sha1prng;
    private SecureRandom nonBlocking;
    private final byte[] nonceBuffer = new byte[12 * 64];
    private int nonceOffset = nonceBuffer.length;
    private long counter;

    private Cipher cipher;
    private Mac mac;
    private SecretKeySpec key;
    private SecretKeySpec macKey;
    private String payload;
    private byte[] plaintext;
    private byte[] ciphertext;
    private String ciphertextText;

    @Setup
    public void setUp() throws GeneralSecurityException {
        drbg = SecureRandom.getInstance("DRBG");
        sha1prng = SecureRandom.getInstance("SHA1PRNG");
        nonBlocking = SecureRandom.getInstance("NativePRNGNonBlocking");
        cipher = Cipher.getInstance("AES/GCM/NoPadding");
        mac = Mac.getInstance("HmacSHA256");
        byte[] k = new byte[32];
        NATIVE_SHARED.nextBytes(k);
        key = new SecretKeySpec(k, "AES");
        macKey = new SecretKeySpec(k, "HmacSHA256");
        payload = Payloads.transactionsJson(size);
        plaintext = payload.getBytes(StandardCharsets.UTF_8);
        ciphertext = gcmReusedCipher();
        ciphertextText = B64.encodeToString(ciphertext);
    }

    @Benchmark
    public byte[] nonceNativePrngShared() {
        byte[] n = new byte[12];
        NATIVE_SHARED.nextBytes(n);
        return n;
    }

    @Benchmark
    public byte[] nonceNativePrngNonBlocking() {
        byte[] n = new byte[12];
        nonBlocking.nextBytes(n);
        return n;
    }

    /** What Envelope does: a DRBG per thread, 12 bytes per call. */
    @Benchmark
    public byte[] nonceDrbgPerCall() {
        byte[] n = new byte[12];
        drbg.nextBytes(n);
        return n;
    }

    /** The same DRBG, asked for 64 nonces at a time. */
    @Benchmark
    public byte[] nonceDrbgBuffered() {
        if (nonceOffset == nonceBuffer.length) {
            drbg.nextBytes(nonceBuffer);
            nonceOffset = 0;
        }
        byte[] n = new byte[12];
        System.arraycopy(nonceBuffer, nonceOffset, n, 0, 12);
        nonceOffset += 12;
        return n;
    }

    @Benchmark
    public byte[] nonceSha1Prng() {
        byte[] n = new byte[12];
        sha1prng.nextBytes(n);
        return n;
    }

    @Benchmark
    public Cipher cipherGetInstance() throws GeneralSecurityException {
        return Cipher.getInstance("AES/GCM/NoPadding");
    }

    @Benchmark
    public Cipher cipherInitReused() throws GeneralSecurityException {
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, counterNonce()));
        return cipher;
    }

    /** GCM alone: a reused Cipher, a counter nonce, output into a preallocated-size array. */
    @Benchmark
    public byte[] gcmReusedCipher() throws GeneralSecurityException {
        byte[] nonce = counterNonce();
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        byte[] out = new byte[12 + plaintext.length + 16];
        System.arraycopy(nonce, 0, out, 0, 12);
        cipher.doFinal(plaintext, 0, plaintext.length, out, 12);
        return out;
    }

    @Benchmark
    public byte[] gcmDecryptReusedCipher() throws GeneralSecurityException {
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, ciphertext, 0, 12));
        return cipher.doFinal(ciphertext, 12, ciphertext.length - 12);
    }

    @Benchmark
    public byte[] hmacSha256Token() throws GeneralSecurityException {
        mac.init(macKey);
        mac.update(plaintext, 0, Math.min(52, plaintext.length));
        return mac.doFinal();
    }

    @Benchmark
    public String base64Encode() {
        return B64.encodeToString(ciphertext);
    }

    @Benchmark
    public byte[] base64Decode() {
        return B64D.decode(ciphertextText);
    }

    @Benchmark
    public byte[] stringToUtf8() {
        return payload.getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public String utf8ToString() {
        return new String(plaintext, StandardCharsets.UTF_8);
    }

    private byte[] counterNonce() {
        long c = ++counter;
        byte[] n = new byte[12];
        for (int i = 0; i < 8; i++) {
            n[4 + i] = (byte) (c >>> (8 * i));
        }
        return n;
    }
}
