package eu.securehub.psd2.benchmarks;

import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.EnvelopeDecrypt;
import eu.securehub.psd2.callouts.EnvelopeEncrypt;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Envelope encrypt and decrypt of a whole payload through the callouts' {@code execute}, as the
 * flow runs them on a warm node, next to two baselines of what naive stateless code does:
 * <ul>
 * <li>{@code raw*}: JCA AES-256-GCM on bytes: {@code Cipher.getInstance}, {@code init} with a fresh
 *     random 12-byte IV from a shared {@code new SecureRandom()}, {@code doFinal}; output IV||ciphertext||tag.</li>
 * <li>{@code rawBase64*}: the same plus base64url (unpadded) to a String, and back: the envelope's text form.</li>
 * </ul>
 * The baselines start from bytes; the callouts start from the flow variable (a String) and end in one.
 * The annotations' iterations are defaults; {@link BenchmarkRunner} sets the run's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 12, time = 1)
@Measurement(iterations = 5, time = 1)
public class EnvelopeBenchmark {
    static final int IV_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final SecureRandom NAIVE_RANDOM = new SecureRandom();
    private static final Base64.Encoder B64_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getUrlDecoder();

    /** Payload size in bytes: 1 KB, 64 KB, 1 MB. */
    @Param({"1024", "65536", "1048576"})
    public int size;

    private EnvelopeEncrypt encrypt;
    private EnvelopeDecrypt decrypt;
    private MapMessageContext encryptCtx;
    private MapMessageContext decryptCtx;

    private SecretKeySpec rawKey;
    private byte[] plaintext;
    private byte[] rawCiphertext;
    private String rawCiphertextText;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        String payload = Payloads.transactionsJson(size);
        String keyring = Flow.warmKeyring();

        encrypt = new EnvelopeEncrypt(Flow.encryptProperties());
        encryptCtx = Flow.context(keyring).set("request.content", payload);
        Flow.expectSuccess(Flow.run(encrypt, encryptCtx), encryptCtx, "envelope");

        decrypt = new EnvelopeDecrypt(Flow.decryptProperties());
        decryptCtx = Flow.context(keyring).set("archive.ciphertext", encryptCtx.string("envelope.ciphertext"));
        Flow.expectSuccess(Flow.run(decrypt, decryptCtx), decryptCtx, "envelope");
        if (!payload.equals(decryptCtx.string("envelope.plaintext"))) {
            throw new IllegalStateException("the callouts do not round-trip the payload");
        }

        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        rawKey = new SecretKeySpec(key, "AES");
        plaintext = payload.getBytes(StandardCharsets.UTF_8);
        rawCiphertext = rawEncrypt();
        rawCiphertextText = rawBase64Encrypt();
        if (!Arrays.equals(plaintext, rawDecrypt()) || !Arrays.equals(plaintext, rawBase64Decrypt())) {
            throw new IllegalStateException("the baselines do not round-trip the payload");
        }
    }

    @Benchmark
    public Object calloutEncrypt() {
        check(encrypt.execute(encryptCtx, null));
        return encryptCtx.getVariable("envelope.ciphertext");
    }

    @Benchmark
    public Object calloutDecrypt() {
        check(decrypt.execute(decryptCtx, null));
        return decryptCtx.getVariable("envelope.plaintext");
    }

    @Benchmark
    public byte[] rawEncrypt() throws GeneralSecurityException {
        return gcmEncrypt(rawKey, plaintext);
    }

    @Benchmark
    public String rawBase64Encrypt() throws GeneralSecurityException {
        return B64_ENCODER.encodeToString(gcmEncrypt(rawKey, plaintext));
    }

    @Benchmark
    public byte[] rawDecrypt() throws GeneralSecurityException {
        return gcmDecrypt(rawKey, rawCiphertext);
    }

    @Benchmark
    public byte[] rawBase64Decrypt() throws GeneralSecurityException {
        return gcmDecrypt(rawKey, B64_DECODER.decode(rawCiphertextText));
    }

    static byte[] gcmEncrypt(SecretKeySpec key, byte[] plaintext) throws GeneralSecurityException {
        byte[] iv = new byte[IV_BYTES];
        NAIVE_RANDOM.nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
        byte[] out = new byte[IV_BYTES + plaintext.length + TAG_BITS / 8];
        System.arraycopy(iv, 0, out, 0, IV_BYTES);
        cipher.doFinal(plaintext, 0, plaintext.length, out, IV_BYTES);
        return out;
    }

    static byte[] gcmDecrypt(SecretKeySpec key, byte[] message) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, message, 0, IV_BYTES));
        return cipher.doFinal(message, IV_BYTES, message.length - IV_BYTES);
    }

    private static void check(ExecutionResult result) {
        if (result != ExecutionResult.SUCCESS) {
            throw new IllegalStateException("callout aborted");
        }
    }
}
