package eu.securehub.psd2.callouts.testing;

import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.DekCache;
import eu.securehub.psd2.callouts.crypto.Keyring;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keyrings for tests and benchmarks, made at run time: each "wrapped" DEK is a random stand-in for
 * a Cloud KMS ciphertext, and the matching DEK can be put straight into the DEK cache ({@link #warm})
 * or handed to a callout as {@code unwrapped-dek} ({@link #dek}).
 */
public final class TestKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, byte[]> deks = new LinkedHashMap<>();
    private final Map<String, String> wrapped = new LinkedHashMap<>();
    private String current;
    private String lookup;

    public TestKeys add(String keyId) {
        byte[] dek = new byte[DataKey.DEK_BYTES];
        RANDOM.nextBytes(dek);
        byte[] fakeWrapped = new byte[100];
        RANDOM.nextBytes(fakeWrapped);
        deks.put(keyId, dek);
        wrapped.put(keyId, Base64.getEncoder().encodeToString(fakeWrapped));
        current = keyId;
        if (lookup == null) {
            lookup = keyId;
        }
        return this;
    }

    public TestKeys current(String keyId) {
        current = keyId;
        return this;
    }

    public TestKeys lookup(String keyId) {
        lookup = keyId;
        return this;
    }

    public String keyring() {
        StringBuilder keys = new StringBuilder();
        StringBuilder checks = new StringBuilder();
        wrapped.forEach((id, w) -> {
            String sep = keys.length() == 0 ? "" : ",";
            keys.append(sep).append('"').append(id).append("\":\"").append(w).append('"');
            checks.append(sep).append('"').append(id).append("\":\"").append(check(id)).append('"');
        });
        return "{\"version\":1,\"kek\":\"projects/p/locations/europe-west3/keyRings/hub/cryptoKeys/kek\","
                + "\"current\":\"" + current + "\",\"lookup\":\"" + lookup + "\",\"keys\":{" + keys + "},"
                + "\"checks\":{" + checks + "}}";
    }

    /** The key check value of a DEK, as the key tool records it. */
    public String check(String keyId) {
        return DataKey.derive(keyId, deks.get(keyId).clone()).checkValue();
    }

    /** The DEK as Cloud KMS decrypt returns it: base64. */
    public String dek(String keyId) {
        return Base64.getEncoder().encodeToString(deks.get(keyId));
    }

    /** Puts every DEK of this keyring into the DEK cache, as after a KMS unwrap. */
    public TestKeys warm() {
        try {
            Keyring ring = Keyring.of(keyring());
            long now = System.currentTimeMillis();
            deks.forEach((id, dek) -> DekCache.put(ring.key(id).cacheKey(), DataKey.derive(id, dek.clone()),
                    now + 3_600_000L, now));
            return this;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
