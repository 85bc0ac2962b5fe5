package eu.securehub.psd2.callouts.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An unwrapped data key (DEK) and what is derived from it once, when it is cached:
 * the AES-256-GCM key, the key commitment written into every envelope, and the key for
 * opaque-token lookup hashes. Each is HMAC-SHA256(DEK, label), so no two uses share a key.
 * The DEK itself is not kept.
 */
public final class DataKey {
    public static final int DEK_BYTES = 32;
    public static final int COMMITMENT_BYTES = 32;

    private static final byte[] LABEL_AES = label("psd2-hub/v1/aes-256-gcm");
    private static final byte[] LABEL_COMMIT = label("psd2-hub/v1/key-commitment");
    private static final byte[] LABEL_LOOKUP = label("psd2-hub/v1/token-lookup");

    /** A Mac per thread, keyed for the last data key it served: a Mac keeps its key after doFinal. */
    private static final ThreadLocal<KeyedMac> MACS = ThreadLocal.withInitial(KeyedMac::new);

    private static final class KeyedMac {
        final Mac mac = newMac();
        DataKey keyedFor;
    }

    private final String keyId;
    private final SecretKeySpec aesKey;
    private final SecretKeySpec lookupKey;
    /** version, key id length, key id and commitment: the first bytes of every envelope under this key. */
    private final byte[] headerPrefix;

    private DataKey(String keyId, SecretKeySpec aesKey, SecretKeySpec lookupKey, byte[] headerPrefix) {
        this.keyId = keyId;
        this.aesKey = aesKey;
        this.lookupKey = lookupKey;
        this.headerPrefix = headerPrefix;
    }

    /** Derives the key material from a 32-byte DEK; the caller should wipe {@code dek} afterwards. */
    public static DataKey derive(String keyId, byte[] dek) {
        if (dek.length != DEK_BYTES) {
            throw new IllegalArgumentException("a DEK has " + DEK_BYTES + " bytes");
        }
        Envelope.checkKeyId(keyId);
        try {
            Mac mac = newMac();
            mac.init(new SecretKeySpec(dek, "HmacSHA256"));
            byte[] aes = mac.doFinal(LABEL_AES);
            byte[] commitment = mac.doFinal(LABEL_COMMIT);
            byte[] lookup = mac.doFinal(LABEL_LOOKUP);
            byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
            byte[] prefix = new byte[2 + id.length + COMMITMENT_BYTES];
            prefix[0] = Envelope.VERSION;
            prefix[1] = (byte) id.length;
            System.arraycopy(id, 0, prefix, 2, id.length);
            System.arraycopy(commitment, 0, prefix, 2 + id.length, COMMITMENT_BYTES);
            DataKey key = new DataKey(keyId, new SecretKeySpec(aes, "AES"), new SecretKeySpec(lookup, "HmacSHA256"), prefix);
            Arrays.fill(aes, (byte) 0);
            Arrays.fill(lookup, (byte) 0);
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    public String keyId() {
        return keyId;
    }

    /**
     * The key check value the keyring records for this DEK: the base64url key commitment, which every
     * envelope under the key carries anyway. It tells whether an unwrapped DEK is the one a key id names.
     */
    public String checkValue() {
        return Base64Url.encode(headerPrefix, headerPrefix.length - COMMITMENT_BYTES, COMMITMENT_BYTES);
    }

    SecretKeySpec aesKey() {
        return aesKey;
    }

    /** HMAC-SHA256 of {@code data} under the key derived for opaque-token lookups. */
    public byte[] lookupMac(byte[] data) {
        try {
            KeyedMac m = MACS.get();
            if (m.keyedFor != this) {
                m.mac.init(lookupKey);
                m.keyedFor = this;
            }
            return m.mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 failed", e);
        }
    }

    byte[] headerPrefix() {
        return headerPrefix;
    }

    int headerPrefixLength() {
        return headerPrefix.length;
    }

    /** Constant-time check that an envelope's commitment is this key's. */
    boolean commits(byte[] envelope, int commitmentOffset) {
        int diff = 0;
        int from = headerPrefix.length - COMMITMENT_BYTES;
        for (int i = 0; i < COMMITMENT_BYTES; i++) {
            diff |= headerPrefix[from + i] ^ envelope[commitmentOffset + i];
        }
        return diff == 0;
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] label(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "DataKey[" + keyId + "]";
    }

}
