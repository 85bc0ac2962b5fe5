package eu.securehub.psd2.keytool;

import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Envelope;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keyring operations: create, rotate, rewrap and show. Each reads the kvms file, calls Cloud
 * KMS, and writes the file only when everything succeeded. DEKs exist unwrapped only in memory,
 * for the length of one KMS call, and are never printed.
 */
final class KeyringTool {
    static final String KEK_FORMAT = "projects/P/locations/L/keyRings/R/cryptoKeys/K";

    private static final DateTimeFormatter KEY_ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final KekClient kms;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    KeyringTool(KeyManagementServiceClient client, Clock clock) {
        this.kms = new KekClient(client);
        this.clock = clock;
    }

    /** A new keyring with one new DEK, current and lookup; replaces an existing one only with {@code force}. */
    String create(KvmFile file, String kek, String keyId, boolean force) throws ToolException {
        checkCreate(file, force);
        checkKek(kek);
        String id = keyId != null ? keyId : newKeyId();
        checkKeyId(id);
        NewDek dek = newDek(kek, id);
        KekClient.Wrapped wrapped = dek.wrapped;
        file.setKeyring(KeyringModel.of(kek, id, wrapped.ciphertext(), dek.check).toJson());
        file.save();
        return "created the keyring in " + file.path() + ": key " + id + " (current and lookup), wrapped by "
                + wrapped.keyVersion();
    }

    /** A new DEK, wrapped by the keyring's KEK, becomes current; the lookup key and older keys stay. */
    String rotate(KvmFile file, String keyId) throws ToolException {
        KeyringModel ring = read(file);
        String id = keyId != null ? keyId : newKeyId();
        checkKeyId(id);
        if (ring.keys.containsKey(id)) {
            throw ToolException.failed("key id " + id + " is already in " + file.path()
                    + (keyId == null ? " (one rotation per second at most; or pass --key-id)" : ""));
        }
        NewDek dek = newDek(ring.kek, id);
        KekClient.Wrapped wrapped = dek.wrapped;
        ring.put(id, wrapped.ciphertext(), dek.check);
        ring.current = id;
        file.setKeyring(ring.toJson());
        file.save();
        return "rotated the keyring in " + file.path() + ": key " + id + " is current, wrapped by "
                + wrapped.keyVersion() + "; lookup stays " + ring.lookup + "; " + ring.keys.size() + " keys";
    }

    /**
     * Unwraps every DEK and wraps it again with the primary version of the keyring's KEK (after a
     * KEK rotation), or of {@code newKek}, which then becomes the keyring's KEK. Key ids and DEKs
     * stay the same, so all data stays readable.
     */
    String rewrap(KvmFile file, String newKek) throws ToolException {
        KeyringModel ring = read(file);
        String from = ring.kek;
        String to = from;
        if (newKek != null) {
            checkKek(newKek);
            to = newKek;
        }
        Map<String, String> rewrapped = new LinkedHashMap<>();
        Set<String> versions = new TreeSet<>();
        for (Map.Entry<String, String> key : ring.keys.entrySet()) {
            // The unwrapped DEK is the decrypt response's own immutable buffer: it goes straight into
            // the encrypt request and is dropped with both.
            ByteString dek = kms.unwrap(from, key.getKey(), key.getValue());
            checkUnwrapped(key.getKey(), dek, ring.checks.get(key.getKey()));
            KekClient.Wrapped wrapped = kms.wrap(to, key.getKey(), dek);
            rewrapped.put(key.getKey(), wrapped.ciphertext());
            versions.add(wrapped.keyVersion());
        }
        ring.keys.putAll(rewrapped);
        ring.kek = to;
        file.setKeyring(ring.toJson());
        file.save();
        return "rewrapped " + rewrapped.size() + " keys in " + file.path() + " with " + String.join(", ", versions)
                + (to.equals(from) ? "" : "; the keyring's kek was " + from);
    }

    /** Key ids, which is current and lookup, and the KEK; never key material, wrapped or not. */
    static String show(KvmFile file) throws ToolException {
        KeyringModel ring = KeyringModel.parse(file.requireKeyring(), file.path());
        StringBuilder s = new StringBuilder();
        s.append("file:    ").append(file.path()).append(" (entry ").append(KvmFile.ENTRY_NAME).append(")\n");
        s.append("kek:     ").append(ring.kek).append('\n');
        s.append("current: ").append(ring.current).append('\n');
        s.append("lookup:  ").append(ring.lookup).append('\n');
        s.append("keys:    ").append(ring.keys.size()).append('\n');
        for (String id : ring.keys.keySet()) {
            s.append("  ").append(id);
            if (id.equals(ring.current)) {
                s.append("  current");
            }
            if (id.equals(ring.lookup)) {
                s.append("  lookup");
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** Refuses to replace an existing keyring unless forced: its keys would be lost, and the data under them. */
    static void checkCreate(KvmFile file, boolean force) throws ToolException {
        if (file.keyring() != null && !force) {
            throw ToolException.failed(file.path() + " already has a " + KvmFile.ENTRY_NAME + " entry; --force replaces it,"
                    + " and data encrypted under its keys can then no longer be decrypted");
        }
    }

    static boolean isKek(String name) {
        return name != null && CryptoKeyName.isParsableFrom(name) && !name.contains("//") && !name.endsWith("/");
    }

    /** Reads the file's keyring, whose kek must be a key name too (it is used as one). */
    static KeyringModel read(KvmFile file) throws ToolException {
        KeyringModel ring = KeyringModel.parse(file.requireKeyring(), file.path());
        if (!isKek(ring.kek)) {
            throw ToolException.failed(file.path() + ": the keyring's kek " + ring.kek + " does not look like " + KEK_FORMAT);
        }
        return ring;
    }

    /** The same check as when the arguments are parsed, for callers that skip that. */
    private static void checkKek(String kek) throws ToolException {
        if (!isKek(kek)) {
            throw ToolException.usage("--kek must look like " + KEK_FORMAT);
        }
    }

    private static void checkKeyId(String keyId) throws ToolException {
        if (!Envelope.isKeyId(keyId)) {
            throw ToolException.usage("--key-id must be 1 to 64 characters from [A-Za-z0-9._:-]");
        }
    }

    /** dek-yyyymmddthhmmssz, the clock's UTC time in lower case, e.g. dek-20261122t153000z. */
    String newKeyId() {
        return "dek-" + KEY_ID_TIME.format(clock.instant()).toLowerCase(Locale.ROOT);
    }

    /** A new DEK, wrapped, and its key check value. */
    private record NewDek(KekClient.Wrapped wrapped, String check) {
    }

    /** Refuses to re-wrap a DEK that is not the one the keyring's check value names (a corrupt or swapped entry). */
    static void checkUnwrapped(String keyId, ByteString dek, String expected) throws ToolException {
        byte[] copy = dek.toByteArray();
        try {
            if (copy.length != DataKey.DEK_BYTES || !DataKey.derive(keyId, copy).checkValue().equals(expected)) {
                throw ToolException.failed("key " + keyId + " unwraps to a DEK that does not match its check value;"
                        + " the keyring entry is corrupt or was edited by hand");
            }
        } finally {
            Arrays.fill(copy, (byte) 0);
        }
    }

    /**
     * A fresh random DEK, wrapped. The array is wiped whatever happens; the copies gRPC makes while
     * sending the request are out of reach, and go with its buffers.
     */
    private NewDek newDek(String kek, String keyId) throws ToolException {
        byte[] dek = new byte[DataKey.DEK_BYTES];
        try {
            random.nextBytes(dek);
            String check = DataKey.derive(keyId, dek).checkValue();
            // unsafeWrap shares the array instead of copying it, so wiping it wipes the request's view too.
            return new NewDek(kms.wrap(kek, keyId, UnsafeByteOperations.unsafeWrap(dek)), check);
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }
}
