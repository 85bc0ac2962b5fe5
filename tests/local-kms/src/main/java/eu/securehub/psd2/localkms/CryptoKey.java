package eu.securehub.psd2.localkms;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * One symmetric (ENCRYPT_DECRYPT) crypto key: versions 1..n, each a fresh AES-256 key held in
 * memory only, and a primary version that encrypts by default.
 *
 * <p>Ciphertext format (this stand-in's own; Google's is opaque too):
 * <pre>
 *   magic "LKM1" (4 bytes) | key version, big-endian int (4 bytes) | IV (12 bytes) | AES-GCM ciphertext and 16-byte tag
 * </pre>
 * The GCM additional data is the 8-byte header followed by the caller's additional authenticated
 * data, so changing the version marker, any ciphertext byte, or the AAD makes decryption fail.
 */
final class CryptoKey {
    static final byte[] MAGIC = {'L', 'K', 'M', '1'};
    static final int HEADER_BYTES = 8;
    static final int IV_BYTES = 12;
    static final int TAG_BITS = 128;
    static final int OVERHEAD = HEADER_BYTES + IV_BYTES + TAG_BITS / 8;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    /** Index i holds version i + 1. */
    private final List<SecretKey> versions = new CopyOnWriteArrayList<>();
    private volatile int primary;

    CryptoKey(String name) {
        this.name = name;
        addVersion();
    }

    String name() {
        return name;
    }

    /** Adds a new version and makes it primary; returns its number. */
    synchronized int addVersion() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, RANDOM);
            versions.add(generator.generateKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256 is not available", e);
        }
        primary = versions.size();
        return primary;
    }

    int primary() {
        return primary;
    }

    boolean hasVersion(int version) {
        return version >= 1 && version <= versions.size();
    }

    String versionName(int version) {
        return name + "/cryptoKeyVersions/" + version;
    }

    /** Encrypts with {@code version} (which exists). */
    byte[] encrypt(int version, byte[] plaintext, byte[] aad) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        byte[] header = header(version);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, versions.get(version - 1), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(header);
            cipher.updateAAD(aad);
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(HEADER_BYTES + IV_BYTES + sealed.length).put(header).put(iv).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /** The plaintext and the version that decrypted it. */
    record Decrypted(byte[] plaintext, int version) {
    }

    /**
     * Decrypts a ciphertext of this key. Throws {@link AEADBadTagException} (or another
     * {@link GeneralSecurityException}) when it is not one: malformed, from another key, tampered
     * with, or the AAD differs.
     */
    Decrypted decrypt(byte[] ciphertext, byte[] aad) throws GeneralSecurityException {
        if (ciphertext.length < OVERHEAD) {
            throw new AEADBadTagException("ciphertext too short");
        }
        ByteBuffer in = ByteBuffer.wrap(ciphertext);
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new AEADBadTagException("not a local KMS ciphertext");
        }
        int version = in.getInt();
        if (!hasVersion(version)) {
            throw new AEADBadTagException("unknown key version " + version);
        }
        byte[] iv = new byte[IV_BYTES];
        in.get(iv);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, versions.get(version - 1), new GCMParameterSpec(TAG_BITS, iv));
        cipher.updateAAD(ciphertext, 0, HEADER_BYTES);
        cipher.updateAAD(aad);
        byte[] plaintext = cipher.doFinal(ciphertext, HEADER_BYTES + IV_BYTES, ciphertext.length - HEADER_BYTES - IV_BYTES);
        return new Decrypted(plaintext, version);
    }

    private static byte[] header(int version) {
        return ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).putInt(version).array();
    }
}
