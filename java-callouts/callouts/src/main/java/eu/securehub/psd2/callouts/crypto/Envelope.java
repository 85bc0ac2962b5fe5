package eu.securehub.psd2.callouts.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The hub's ciphertext format, version 1: AES-256-GCM under a data key, with the key id and a key
 * commitment in a header that is itself authenticated.
 *
 * <pre>
 * offset      size  field
 * 0           1     version, 0x01
 * 1           1     n, the key id's length (1..64)
 * 2           n     key id, ASCII [A-Za-z0-9._:-]
 * 2+n         32    key commitment, HMAC-SHA256(DEK, "psd2-hub/v1/key-commitment")
 * 34+n        12    nonce, random per message
 * 46+n        m+16  AES-256-GCM ciphertext of the m plaintext bytes, then the 16-byte tag
 * </pre>
 *
 * The GCM key is HMAC-SHA256(DEK, "psd2-hub/v1/aes-256-gcm"); the GCM additional data is the header
 * (bytes 0 to 46+n) followed by the caller's associated data (UTF-8). The text form is the whole
 * envelope in unpadded base64url. Decryption checks the commitment before GCM, so a ciphertext
 * can only ever open under the one DEK it was made with.
 */
public final class Envelope {
    public static final byte VERSION = 1;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;
    public static final int MAX_KEY_ID_LENGTH = 64;

    /** Messages up to this size are built in a per-thread buffer; larger ones get their own array. */
    private static final int SCRATCH_LIMIT = 64 * 1024 + 256;
    private static final int NONCES_PER_DRAW = 64;

    private static final ThreadLocal<PerThread> PER_THREAD = ThreadLocal.withInitial(PerThread::new);

    /** Looks up the data key named in an envelope's header, between parsing and decrypting. */
    @FunctionalInterface
    public interface KeyLookup<E extends Exception> {
        DataKey key(String keyId) throws E;
    }

    private Envelope() {
    }

    /** The overhead an envelope adds to a plaintext, for a key id of {@code keyIdLength} characters. */
    public static int overhead(int keyIdLength) {
        return 2 + keyIdLength + DataKey.COMMITMENT_BYTES + NONCE_BYTES + TAG_BYTES;
    }

    /** Encrypts and returns the text form. */
    public static String encryptToText(DataKey key, byte[] plaintext, byte[] associatedData) {
        PerThread t = PER_THREAD.get();
        int length = key.headerPrefixLength() + NONCE_BYTES + plaintext.length + TAG_BYTES;
        byte[] out = t.buffer(length);
        seal(t, key, plaintext, associatedData, out);
        return Base64Url.encode(out, 0, length);
    }

    /** Encrypts and returns the binary form. */
    public static byte[] encrypt(DataKey key, byte[] plaintext, byte[] associatedData) {
        byte[] out = new byte[key.headerPrefixLength() + NONCE_BYTES + plaintext.length + TAG_BYTES];
        seal(PER_THREAD.get(), key, plaintext, associatedData, out);
        return out;
    }

    private static void seal(PerThread t, DataKey key, byte[] plaintext, byte[] associatedData, byte[] out) {
        byte[] prefix = key.headerPrefix();
        int headerLength = prefix.length + NONCE_BYTES;
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        t.nonce(out, prefix.length);
        try {
            Cipher cipher = t.cipher;
            cipher.init(Cipher.ENCRYPT_MODE, key.aesKey(), new GCMParameterSpec(TAG_BYTES * 8, out, prefix.length, NONCE_BYTES));
            cipher.updateAAD(out, 0, headerLength);
            cipher.updateAAD(associatedData);
            cipher.doFinal(plaintext, 0, plaintext.length, out, headerLength);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Decrypts the text form in one go: decodes it, reads the key id, asks {@code keys} for that data
     * key, checks the commitment and decrypts. The decoded envelope never leaves this call.
     */
    public static <E extends Exception> byte[] decryptText(String text, KeyLookup<E> keys, byte[] associatedData)
            throws EnvelopeException, E {
        PerThread t = PER_THREAD.get();
        byte[] b = decode(t, text);
        int length = Base64Url.decodedLength(text.length());
        String keyId = header(b, length);
        return open(t.cipher, keys.key(keyId), b, length, keyId, associatedData);
    }

    /**
     * {@link #decryptText} for UTF-8 plaintext, returned as a String. One array does all the work:
     * the text's bytes, decoded in place ({@link Base64Url#decodeInPlace}), then decrypted in place
     * (GCM is a stream mode: same array, same offset), then read into the String. So a call
     * allocates the text's length and the String, where decoding to a new array and decrypting to
     * another (what the raw baseline does) allocates two more arrays of the payload's size. The
     * array is this call's own and is dropped when it returns (it holds the plaintext, as the
     * String does); the thread's buffer is not used, so no plaintext outlives the call in it.
     */
    public static <E extends Exception> String decryptTextToString(String text, KeyLookup<E> keys,
            byte[] associatedData) throws EnvelopeException, E {
        int length = Base64Url.decodedLength(text.length());
        byte[] b = length < 0 ? null : Base64Url.decodeInPlace(text);
        if (b == null) {
            throw new EnvelopeException(EnvelopeException.MALFORMED, "ciphertext is not base64url");
        }
        String keyId = header(b, length);
        DataKey key = keys.key(keyId);
        Cipher cipher = PER_THREAD.get().cipher;
        int start = initDecrypt(cipher, key, b, keyId, associatedData);
        try {
            int n = cipher.doFinal(b, start, length - start, b, start);
            return new String(b, start, n, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw notAuthentic(keyId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    /** Decodes the text form into the thread's buffer (or, past its limit, a new array). */
    private static byte[] decode(PerThread t, String text) throws EnvelopeException {
        int length = Base64Url.decodedLength(text.length());
        if (length < 0) {
            throw new EnvelopeException(EnvelopeException.MALFORMED, "ciphertext is not base64url");
        }
        byte[] b = t.buffer(length);
        if (!Base64Url.decode(text, b)) {
            throw new EnvelopeException(EnvelopeException.MALFORMED, "ciphertext is not base64url");
        }
        return b;
    }

    /** Decodes the text form and checks the header; nothing is decrypted yet. */
    public static Parsed parse(String text) throws EnvelopeException {
        int length = Base64Url.decodedLength(text.length());
        byte[] bytes = new byte[Math.max(0, length)];
        if (length < 0 || !Base64Url.decode(text, bytes)) {
            throw new EnvelopeException(EnvelopeException.MALFORMED, "ciphertext is not base64url");
        }
        return parse(bytes);
    }

    /** Checks the header of a binary envelope. */
    public static Parsed parse(byte[] bytes) throws EnvelopeException {
        return new Parsed(bytes, header(bytes, bytes.length));
    }

    /** Checks the header of the first {@code length} bytes and returns the key id. */
    private static String header(byte[] bytes, int length) throws EnvelopeException {
        if (length < 2) {
            throw new EnvelopeException(EnvelopeException.MALFORMED, "ciphertext is truncated");
        }
        if (bytes[0] != VERSION) {
            throw new EnvelopeException(EnvelopeException.UNSUPPORTED_VERSION,
                    "ciphertext version " + (bytes[0] & 0xff) + " is not supported (this hub reads version " + VERSION + ")");
        }
        int n = bytes[1] & 0xff;
        if (n < 1 || n > MAX_KEY_ID_LENGTH) {
            throw new EnvelopeException(EnvelopeException.MALFORMED, "ciphertext header is malformed");
        }
        if (length < overhead(n)) {
            throw new EnvelopeException(EnvelopeException.MALFORMED, "ciphertext is truncated");
        }
        String keyId = new String(bytes, 2, n, StandardCharsets.US_ASCII);
        if (!isKeyId(keyId)) {
            throw new EnvelopeException(EnvelopeException.MALFORMED, "ciphertext header is malformed");
        }
        return keyId;
    }

    /** Decrypts a parsed envelope with its key; fails alike for a wrong key, data or associated data. */
    public static byte[] decrypt(DataKey key, Parsed envelope, byte[] associatedData) throws EnvelopeException {
        return open(PER_THREAD.get().cipher, key, envelope.bytes, envelope.bytes.length, envelope.keyId, associatedData);
    }

    private static byte[] open(Cipher cipher, DataKey key, byte[] b, int length, String keyId, byte[] associatedData)
            throws EnvelopeException {
        int start = initDecrypt(cipher, key, b, keyId, associatedData);
        try {
            return cipher.doFinal(b, start, length - start);
        } catch (AEADBadTagException e) {
            throw notAuthentic(keyId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    /** Checks the key commitment and initialises the cipher; returns where the GCM ciphertext starts. */
    private static int initDecrypt(Cipher cipher, DataKey key, byte[] b, String keyId, byte[] associatedData)
            throws EnvelopeException {
        int commitmentOffset = 2 + (b[1] & 0xff);
        if (!key.keyId().equals(keyId) || !key.commits(b, commitmentOffset)) {
            throw new EnvelopeException(EnvelopeException.FAILED, "ciphertext does not authenticate under key " + keyId);
        }
        int headerLength = commitmentOffset + DataKey.COMMITMENT_BYTES + NONCE_BYTES;
        try {
            cipher.init(Cipher.DECRYPT_MODE, key.aesKey(),
                    new GCMParameterSpec(TAG_BYTES * 8, b, headerLength - NONCE_BYTES, NONCE_BYTES));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
        cipher.updateAAD(b, 0, headerLength);
        cipher.updateAAD(associatedData);
        return headerLength;
    }

    private static EnvelopeException notAuthentic(String keyId) {
        return new EnvelopeException(EnvelopeException.FAILED,
                "ciphertext does not authenticate under key " + keyId + " and the given associated data");
    }

    /** Decodes the text form just far enough to read the key id. */
    public static String keyIdOf(String text) throws EnvelopeException {
        return parse(text).keyId();
    }

    public static boolean isKeyId(String keyId) {
        if (keyId == null || keyId.isEmpty() || keyId.length() > MAX_KEY_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < keyId.length(); i++) {
            char c = keyId.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static void checkKeyId(String keyId) {
        if (!isKeyId(keyId)) {
            throw new IllegalArgumentException("a key id has 1 to 64 characters from [A-Za-z0-9._:-]");
        }
    }

    /** The unpadded base64url text of bytes (used for token and lookup-key encodings too). */
    public static String text(byte[] bytes) {
        return Base64Url.encode(bytes, 0, bytes.length);
    }

    /**
     * A thread's working state: its Cipher (a Cipher is not thread-safe, and getInstance is costly),
     * its DRBG, drawn 64 nonces at a time (each 12-byte slice is used once; nonces are public, so
     * drawing ahead weakens nothing), and a buffer for envelopes, which holds only ciphertext.
     */
    private static final class PerThread {
        final Cipher cipher = newCipher();
        final SecureRandom random = newRandom();
        final byte[] nonces = new byte[NONCE_BYTES * NONCES_PER_DRAW];
        int nextNonce = nonces.length;
        byte[] buffer = new byte[2048];

        void nonce(byte[] out, int offset) {
            if (nextNonce == nonces.length) {
                random.nextBytes(nonces);
                nextNonce = 0;
            }
            System.arraycopy(nonces, nextNonce, out, offset, NONCE_BYTES);
            nextNonce += NONCE_BYTES;
        }

        byte[] buffer(int length) {
            if (length > SCRATCH_LIMIT) {
                return new byte[length];
            }
            if (buffer.length < length) {
                buffer = new byte[Math.min(SCRATCH_LIMIT, Math.max(length, buffer.length * 2))];
            }
            return buffer;
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
        }
    }

    private static SecureRandom newRandom() {
        try {
            // One DRBG per thread: independent state, so threads never wait on a shared generator.
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    /** A decoded envelope whose header has been checked. */
    public static final class Parsed {
        private final byte[] bytes;
        private final String keyId;

        Parsed(byte[] bytes, String keyId) {
            this.bytes = bytes;
            this.keyId = keyId;
        }

        public String keyId() {
            return keyId;
        }
    }
}
