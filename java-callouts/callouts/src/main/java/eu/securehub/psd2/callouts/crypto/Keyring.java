package eu.securehub.psd2.callouts.crypto;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The KVM entry {@code dek-keyring}: every data key, wrapped by the Cloud KMS key (KEK), and which
 * one is current. Written by the KMS key tool, read by the flow with a KVM Get, parsed here.
 *
 * <pre>
 * {"version":1,
 *  "kek":"projects/P/locations/L/keyRings/R/cryptoKeys/K",
 *  "current":"dek-20261122",         // encrypts new data
 *  "lookup":"dek-20261122",          // keys the opaque-token lookup hash
 *  "keys":{"dek-20261122":"CiQA...", "dek-20260501":"CiQA..."},   // KMS ciphertexts, base64
 *  "checks":{"dek-20261122":"q3Vb...", "dek-20260501":"8fJk..."}}  // DataKey#checkValue of each DEK
 * </pre>
 *
 * Each wrapped DEK was encrypted by Cloud KMS with the additional authenticated data
 * {@link #kmsAad(String)}, so a wrapped DEK moved to another key id does not unwrap.
 */
public final class Keyring {
    private static final int MAX_PARSED = 16;
    /** Unpadded base64url of a 32-byte commitment. */
    private static final int CHECK_LENGTH = 43;
    private static final Map<String, Keyring> PARSED = new ConcurrentHashMap<>();

    private final String kek;
    private final String current;
    private final String lookup;
    private final Map<String, WrappedKey> keys;

    private Keyring(String kek, String current, String lookup, Map<String, WrappedKey> keys) {
        this.kek = kek;
        this.current = current;
        this.lookup = lookup;
        this.keys = keys;
    }

    /** Parses a keyring, reusing the result for the same text (the KVM value rarely changes). */
    public static Keyring of(String text) throws KeyringException {
        Keyring ring = PARSED.get(text);
        if (ring == null) {
            ring = parse(text);
            if (PARSED.size() >= MAX_PARSED) {
                PARSED.clear();
            }
            PARSED.put(text, ring);
        }
        return ring;
    }

    static Keyring parse(String text) throws KeyringException {
        Map<String, Object> json;
        try {
            json = Json.parseObject(text);
        } catch (JsonException e) {
            throw new KeyringException("keyring is not valid JSON: " + e.getMessage());
        }
        if (!Long.valueOf(1).equals(json.get("version"))) {
            throw new KeyringException("keyring version must be 1");
        }
        String kek = string(json, "kek");
        String current = string(json, "current");
        String lookup = string(json, "lookup");
        Object keysValue = json.get("keys");
        if (!(keysValue instanceof Map) || ((Map<?, ?>) keysValue).isEmpty()) {
            throw new KeyringException("keyring has no keys");
        }
        Object checksValue = json.get("checks");
        if (!(checksValue instanceof Map)) {
            throw new KeyringException("keyring has no checks");
        }
        Map<?, ?> checks = (Map<?, ?>) checksValue;
        if (!checks.keySet().equals(((Map<?, ?>) keysValue).keySet())) {
            throw new KeyringException("keyring checks do not name exactly its keys");
        }
        Map<String, WrappedKey> keys = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) keysValue).entrySet()) {
            String keyId = (String) e.getKey();
            if (!Envelope.isKeyId(keyId)) {
                throw new KeyringException("keyring key id is not 1 to 64 characters from [A-Za-z0-9._:-]");
            }
            if (!(e.getValue() instanceof String)) {
                throw new KeyringException("keyring key " + keyId + " is not a base64 string");
            }
            String wrapped = (String) e.getValue();
            byte[] wrappedBytes;
            try {
                wrappedBytes = Base64.getDecoder().decode(wrapped);
            } catch (IllegalArgumentException ex) {
                throw new KeyringException("keyring key " + keyId + " is not a base64 string");
            }
            if (wrappedBytes.length == 0) {
                throw new KeyringException("keyring key " + keyId + " is empty");
            }
            Object check = checks.get(keyId);
            if (!(check instanceof String) || ((String) check).length() != CHECK_LENGTH) {
                throw new KeyringException("keyring check of key " + keyId + " is not a key check value");
            }
            keys.put(keyId, new WrappedKey(keyId, wrapped, (String) check,
                    keyId + "#" + Envelope.text(sha256(wrappedBytes))));
        }
        if (!keys.containsKey(current)) {
            throw new KeyringException("keyring current key " + current + " is not among its keys");
        }
        if (!keys.containsKey(lookup)) {
            throw new KeyringException("keyring lookup key " + lookup + " is not among its keys");
        }
        return new Keyring(kek, current, lookup, Collections.unmodifiableMap(keys));
    }

    private static String string(Map<String, Object> json, String name) throws KeyringException {
        Object v = json.get(name);
        if (!(v instanceof String) || ((String) v).isEmpty()) {
            throw new KeyringException("keyring has no " + name);
        }
        return (String) v;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The additional authenticated data Cloud KMS binds a wrapped DEK to: its key id. */
    public static byte[] kmsAad(String keyId) {
        return ("psd2-hub/dek/" + keyId).getBytes(StandardCharsets.US_ASCII);
    }

    public String kek() {
        return kek;
    }

    public String current() {
        return current;
    }

    public String lookup() {
        return lookup;
    }

    /** The wrapped key with this id, or null. */
    public WrappedKey key(String keyId) {
        return keys.get(keyId);
    }

    public Map<String, WrappedKey> keys() {
        return keys;
    }

    /** A data key as the keyring holds it: wrapped, with the cache key of its unwrapped form. */
    public static final class WrappedKey {
        private final String keyId;
        private final String wrapped;
        private final String check;
        private final String cacheKey;

        WrappedKey(String keyId, String wrapped, String check, String cacheKey) {
            this.keyId = keyId;
            this.wrapped = wrapped;
            this.check = check;
            this.cacheKey = cacheKey;
        }

        /** The DEK's {@link DataKey#checkValue()}: an unwrapped DEK that does not match is not this key. */
        public String check() {
            return check;
        }

        public String keyId() {
            return keyId;
        }

        /** The Cloud KMS ciphertext, base64: the {@code ciphertext} of a KMS decrypt request. */
        public String wrapped() {
            return wrapped;
        }

        /** Key id and SHA-256 of the wrapped DEK: a re-wrapped or replaced DEK is a new cache entry. */
        public String cacheKey() {
            return cacheKey;
        }
    }
}
