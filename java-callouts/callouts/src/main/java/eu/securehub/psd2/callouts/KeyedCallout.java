package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.DekCache;
import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.callouts.crypto.KeyringException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A callout that needs data keys from the keyring. When a key is not in the DEK cache, the call
 * ends with {@code SUCCESS} and asks the flow to unwrap it:
 *
 * <pre>
 * &lt;prefix&gt;.unwrap_required    "true" (else "false")
 * &lt;prefix&gt;.unwrap_key_id      the key id to unwrap
 * &lt;prefix&gt;.unwrap_kek         the Cloud KMS key: POST https://cloudkms.googleapis.com/v1/{kek}:decrypt
 * &lt;prefix&gt;.unwrap_ciphertext  the request's "ciphertext" (base64)
 * &lt;prefix&gt;.unwrap_aad         the request's "additionalAuthenticatedData" (base64)
 * </pre>
 *
 * The flow calls KMS and runs the callout again with {@code unwrapped-dek} (the response's
 * {@code plaintext}) and {@code unwrapped-dek-key-id}; the key is cached and the call goes on.
 * A cold node may need one round per distinct key a call uses.
 */
abstract class KeyedCallout extends Callout {
    static final long DEFAULT_CACHE_SECONDS = 3600;

    /** The properties every keyed callout accepts, besides its own. */
    static final Set<String> KEYED_PROPERTIES = Set.of("keyring", "unwrapped-dek", "unwrapped-dek-key-id",
            "dek-cache-seconds");

    KeyedCallout(Map<String, String> properties, Set<String> accepted, String prefix, String... outputs) {
        super(properties, union(accepted, KEYED_PROPERTIES), prefix, concat(outputs, "unwrap_required", "unwrap_key_id",
                "unwrap_kek", "unwrap_ciphertext", "unwrap_aad"));
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Thrown inside a call when a key must be unwrapped first; not an error. */
    static final class UnwrapRequired extends CalloutException {
        private static final long serialVersionUID = 1L;
        final transient Keyring ring;
        final transient Keyring.WrappedKey key;

        UnwrapRequired(Keyring ring, Keyring.WrappedKey key) {
            super("unwrap_required", "data key " + key.keyId() + " must be unwrapped");
            this.ring = ring;
            this.key = key;
        }
    }

    protected abstract void runWithKeys(MessageContext ctx, Keyring ring, long now) throws CalloutException;

    @Override
    protected final void run(MessageContext ctx) throws CalloutException {
        long now = now(ctx);
        Keyring ring;
        try {
            ring = Keyring.of(required(ctx, "keyring"));
        } catch (KeyringException e) {
            throw new CalloutException("invalid_keyring", e.getMessage());
        }
        acceptUnwrapped(ctx, ring, now);
        try {
            runWithKeys(ctx, ring, now);
            ctx.setVariable(var("unwrap_required"), "false");
        } catch (UnwrapRequired u) {
            ctx.setVariable(var("unwrap_required"), "true");
            ctx.setVariable(var("unwrap_key_id"), u.key.keyId());
            ctx.setVariable(var("unwrap_kek"), u.ring.kek());
            ctx.setVariable(var("unwrap_ciphertext"), u.key.wrapped());
            ctx.setVariable(var("unwrap_aad"), Base64.getEncoder().encodeToString(Keyring.kmsAad(u.key.keyId())));
        }
    }

    /** Caches a DEK the flow unwrapped for this call, if it passed one. */
    private void acceptUnwrapped(MessageContext ctx, Keyring ring, long now) throws CalloutException {
        String plaintext = property(ctx, "unwrapped-dek");
        if (plaintext.isEmpty()) {
            return;
        }
        String keyId = required(ctx, "unwrapped-dek-key-id");
        Keyring.WrappedKey wrapped = ring.key(keyId);
        if (wrapped == null) {
            throw new CalloutException("unknown_key_id", "unwrapped-dek-key-id " + keyId + " is not in the keyring");
        }
        if (DekCache.get(wrapped.cacheKey(), now) != null) {
            return; // already cached (the flow variable outlives the round that filled it): nothing to do
        }
        byte[] dek;
        try {
            dek = Base64.getDecoder().decode(plaintext);
        } catch (IllegalArgumentException e) {
            throw new CalloutException("invalid_dek", "unwrapped-dek is not base64");
        }
        try {
            if (dek.length != DataKey.DEK_BYTES) {
                throw new CalloutException("invalid_dek", "unwrapped-dek must be " + DataKey.DEK_BYTES + " bytes");
            }
            long ttl = longProperty(ctx, "dek-cache-seconds", DEFAULT_CACHE_SECONDS, 1, 86400);
            DataKey key = DataKey.derive(keyId, dek);
            if (!key.checkValue().equals(wrapped.check())) {
                // Caching it would encrypt new data under a key no other node has: refuse instead.
                throw new CalloutException("invalid_dek", "unwrapped-dek is not data key " + keyId + " (its check value differs)");
            }
            DekCache.put(wrapped.cacheKey(), key, now + ttl * 1000, now);
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }

    /** The data key with this id, from the cache; asks for an unwrap when it is not there. */
    protected final DataKey dataKey(Keyring ring, String keyId, long now) throws CalloutException {
        Keyring.WrappedKey wrapped = ring.key(keyId);
        if (wrapped == null) {
            throw new CalloutException("unknown_key_id", "key id " + keyId + " is not in the keyring");
        }
        DataKey key = DekCache.get(wrapped.cacheKey(), now);
        if (key == null) {
            throw new UnwrapRequired(ring, wrapped);
        }
        return key;
    }
}
