package eu.securehub.psd2.runtime.policies.state;

import eu.securehub.psd2.runtime.spi.KeyValueMaps;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The environment's key value maps as Apigee X keeps them (apigee-semantics.md §0, §4.3, §6).
 *
 * <p>One {@code InMemoryKeyValueMaps} is the shared, persistent store of an environment; {@link #node()} gives
 * the view of one message processor with its own read cache. The object itself is also a {@link KeyValueMaps}:
 * the view of its first node, which is what a one-node local runtime uses.
 *
 * <ul>
 *   <li>Values are kept encrypted at rest (X encrypts every KVM): AES-256-GCM with a key made for this instance,
 *       a fresh 96-bit IV per value, and the map and key name as associated data so a ciphertext cannot be
 *       moved to another entry. The node caches hold the same ciphertexts: a value is in clear only while a
 *       caller holds it.</li>
 *   <li>Entries never expire from the store; only {@link KeyValueMaps#delete} (or {@link #adminDelete}) removes
 *       them.</li>
 *   <li>Reads go through the node's cache. An entry read from the store is cached on that node with the time it
 *       was read; a later read on the node uses it while it is younger than the reading policy's
 *       {@code ExpiryTimeInSecs} ({@code cacheTtl}). A put or delete through a policy updates the store and
 *       the writing node's cache only; other nodes keep what they cached until it is older than their readers'
 *       expiry. Writes through the management API ({@link #adminPut}, {@link #adminDelete}) refresh no node
 *       cache (Google staff answer quoted in §4.3).</li>
 * </ul>
 *
 * <p>Choices on points the documentation leaves open (UNCONFIRMED in the reference; the published KVM page only
 * says the cache keeps what was read for ExpiryTimeInSecs):
 * <ul>
 *   <li>A miss is cached like a value (negative caching): the stalest reading the docs allow, so a flow that
 *       relies on seeing another node's or the management API's write at once fails here as it may on X.</li>
 *   <li>The age of a cached entry is judged against the expiry of the policy that reads it now, not the one
 *       that filled the cache: a policy with {@code ExpiryTimeInSecs} 1 never sees a value more than 1 s old,
 *       whatever other policies on the node read the same key with.</li>
 * </ul>
 */
public final class InMemoryKeyValueMaps implements KeyValueMaps {
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Clock clock;
    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();
    /** map name -> (entry key -> ciphertext). */
    private final ConcurrentMap<String, ConcurrentMap<String, byte[]>> store = new ConcurrentHashMap<>();
    private final Node firstNode;

    public InMemoryKeyValueMaps(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, random);
            this.key = generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256 is not available", e);
        }
        this.firstNode = new Node();
    }

    public InMemoryKeyValueMaps() {
        this(Clock.systemUTC());
    }

    /** Another message processor of the same environment: same store, its own read cache. */
    public KeyValueMaps node() {
        return new Node();
    }

    @Override
    public Optional<String> get(String map, String key, Duration cacheTtl) {
        return firstNode.get(map, key, cacheTtl);
    }

    @Override
    public void put(String map, String key, String value, boolean override) {
        firstNode.put(map, key, value, override);
    }

    @Override
    public void delete(String map, String key) {
        firstNode.delete(map, key);
    }

    /** A write through the management API (or the deploy's initial entries): refreshes no node's cache. */
    public void adminPut(String map, String key, String value) {
        entries(map).put(key, encrypt(map, key, value));
    }

    /** A delete through the management API: refreshes no node's cache. */
    public void adminDelete(String map, String key) {
        ConcurrentMap<String, byte[]> m = store.get(map);
        if (m != null) {
            m.remove(key);
        }
    }

    /** What the store holds now, bypassing every cache (for tests and tools). */
    public Optional<String> storedValue(String map, String key) {
        ConcurrentMap<String, byte[]> m = store.get(map);
        byte[] sealed = m == null ? null : m.get(key);
        return sealed == null ? Optional.empty() : Optional.of(decrypt(map, key, sealed));
    }

    /** How many entries the store holds in a map now, bypassing every cache (for tests and tools). */
    public int storedEntries(String map) {
        ConcurrentMap<String, byte[]> m = store.get(map);
        return m == null ? 0 : m.size();
    }

    /** The values a map holds now, in clear, bypassing every cache (for tests measuring sizes). */
    public java.util.List<String> storedValues(String map) {
        ConcurrentMap<String, byte[]> m = store.get(map);
        if (m == null) {
            return java.util.List.of();
        }
        java.util.List<String> values = new java.util.ArrayList<>();
        m.forEach((key, sealed) -> values.add(decrypt(map, key, sealed)));
        return values;
    }

    /** The ciphertext kept for an entry (tests check that no value is kept in clear). */
    Optional<byte[]> sealedValue(String map, String key) {
        ConcurrentMap<String, byte[]> m = store.get(map);
        byte[] sealed = m == null ? null : m.get(key);
        return Optional.ofNullable(sealed).map(byte[]::clone);
    }

    private ConcurrentMap<String, byte[]> entries(String map) {
        return store.computeIfAbsent(map, m -> new ConcurrentHashMap<>());
    }

    private byte[] encrypt(String map, String entryKey, String value) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad(map, entryKey));
            byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("KVM encryption failed", e);
        }
    }

    private String decrypt(String map, String entryKey, byte[] sealed) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
            cipher.updateAAD(aad(map, entryKey));
            return new String(cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("KVM entry " + map + "/" + entryKey + " cannot be decrypted", e);
        }
    }

    private static byte[] aad(String map, String entryKey) {
        return (map + '\u0000' + entryKey).getBytes(StandardCharsets.UTF_8);
    }

    /** What a node cached for one entry: the ciphertext (null = absent) and when it was read or written. */
    private record Cached(byte[] sealed, Instant at) {
    }

    /** One message processor's view: the shared store behind its own read cache. */
    private final class Node implements KeyValueMaps {
        private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

        @Override
        public Optional<String> get(String map, String entryKey, Duration cacheTtl) {
            Objects.requireNonNull(map, "map");
            Objects.requireNonNull(entryKey, "key");
            Instant now = clock.instant();
            String slot = slot(map, entryKey);
            Cached cached = cache.get(slot);
            boolean hit = true;
            if (cached == null || !fresh(cached, now, cacheTtl)) {
                ConcurrentMap<String, byte[]> m = store.get(map);
                cached = new Cached(m == null ? null : m.get(entryKey), now);
                cache.put(slot, cached);
                hit = false;
            }
            // The request's Debug trace (a no-op outside one): node-cache hit or datastore read.
            eu.securehub.psd2.runtime.trace.Tracing.kvmGet(map, hit);
            return cached.sealed() == null ? Optional.empty() : Optional.of(decrypt(map, entryKey, cached.sealed()));
        }

        @Override
        public void put(String map, String entryKey, String value, boolean override) {
            Objects.requireNonNull(value, "value");
            byte[] sealed = encrypt(map, entryKey, value);
            ConcurrentMap<String, byte[]> m = entries(map);
            // The store decides atomically; the node then caches what the store holds afterwards.
            byte[] now = override ? m.merge(entryKey, sealed, (old, fresh) -> fresh) : m.merge(entryKey, sealed, (old, fresh) -> old);
            cache.put(slot(map, entryKey), new Cached(now, clock.instant()));
            eu.securehub.psd2.runtime.trace.Tracing.kvmPut(map);
        }

        @Override
        public void delete(String map, String entryKey) {
            ConcurrentMap<String, byte[]> m = store.get(map);
            if (m != null) {
                m.remove(entryKey);
            }
            cache.put(slot(map, entryKey), new Cached(null, clock.instant()));
            eu.securehub.psd2.runtime.trace.Tracing.kvmDelete(map);
        }

        private boolean fresh(Cached cached, Instant now, Duration cacheTtl) {
            if (cacheTtl == null || cacheTtl.isNegative() || cacheTtl.isZero()) {
                return false;
            }
            return now.isBefore(cached.at().plus(cacheTtl));
        }

        private String slot(String map, String entryKey) {
            return map + '\u0000' + entryKey;
        }
    }
}
