package eu.securehub.psd2.keytool;

import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.CryptoKeyVersionName;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.KeyManagementServiceGrpc;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A stand-in for Cloud KMS's encrypt and decrypt, served in-process. Each key has versions, each
 * with its own random AES-256 key; encrypt uses the primary version (or a named one) with real
 * AES-GCM over the additional authenticated data. Its ciphertext is
 * {@code version (4 bytes) | nonce (12) | GCM ciphertext and tag}. Like Cloud KMS it checks the
 * request's CRC32C fields and fills the response's, answers NOT_FOUND for an unknown key,
 * PERMISSION_DENIED for a denied one, INVALID_ARGUMENT for a ciphertext that does not decrypt, and
 * FAILED_PRECONDITION for a disabled version.
 */
final class FakeKms extends KeyManagementServiceGrpc.KeyManagementServiceImplBase {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Key> keys = new ConcurrentHashMap<>();
    private final Set<String> denied = ConcurrentHashMap.newKeySet();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile boolean corruptChecksums;

    /** A key's versions, 1-based; one is primary. */
    private static final class Key {
        final List<SecretKeySpec> versions = new ArrayList<>();
        final Set<Integer> disabled = new HashSet<>();
        int primary;

        synchronized int addVersion() {
            byte[] material = new byte[32];
            RANDOM.nextBytes(material);
            versions.add(new SecretKeySpec(material, "AES"));
            primary = versions.size();
            return primary;
        }
    }

    /** Adds a key (name: projects/P/locations/L/keyRings/R/cryptoKeys/K) with version 1 primary. */
    FakeKms addKey(String name) {
        Key key = new Key();
        key.addVersion();
        keys.put(name, key);
        return this;
    }

    /** A KEK rotation: a new version becomes primary; older ones still decrypt. Returns its number. */
    int rotate(String name) {
        return keys.get(name).addVersion();
    }

    /** Disables a version: what it encrypted no longer decrypts. */
    void disable(String name, int version) {
        Key key = keys.get(name);
        synchronized (key) {
            key.disabled.add(version);
        }
    }

    /** Every call on this key is refused, as for a caller without the encrypter/decrypter role. */
    void deny(String name) {
        denied.add(name);
    }

    /** Makes responses carry wrong CRC32C values, as if corrupted on the way. */
    void corruptChecksums(boolean corrupt) {
        corruptChecksums = corrupt;
    }

    int calls() {
        return calls.get();
    }

    /** The key version that made a ciphertext. */
    static int versionOf(ByteString ciphertext) {
        return ciphertext.asReadOnlyByteBuffer().getInt();
    }

    @Override
    public void encrypt(EncryptRequest request, StreamObserver<EncryptResponse> response) {
        answer(response, () -> {
            String keyName = request.getName();
            Integer version = null;
            if (CryptoKeyVersionName.isParsableFrom(keyName)) {
                CryptoKeyVersionName v = CryptoKeyVersionName.parse(keyName);
                keyName = CryptoKeyName.format(v.getProject(), v.getLocation(), v.getKeyRing(), v.getCryptoKey());
                version = Integer.valueOf(v.getCryptoKeyVersion());
            }
            Key key = key(keyName, "useToEncrypt");
            checkCrc("plaintext", request.getPlaintext(), request.hasPlaintextCrc32C(), request.getPlaintextCrc32C());
            checkCrc("additional_authenticated_data", request.getAdditionalAuthenticatedData(),
                    request.hasAdditionalAuthenticatedDataCrc32C(), request.getAdditionalAuthenticatedDataCrc32C());
            SecretKeySpec material;
            int used;
            synchronized (key) {
                used = version != null ? version : key.primary;
                material = usable(key, keyName, used);
            }
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            byte[] sealed = gcm(Cipher.ENCRYPT_MODE, material, nonce, request.getAdditionalAuthenticatedData(),
                    request.getPlaintext().toByteArray());
            ByteString ciphertext = ByteString.copyFrom(ByteBuffer.allocate(4 + 12 + sealed.length)
                    .putInt(used).put(nonce).put(sealed).flip());
            return EncryptResponse.newBuilder()
                    .setName(keyName + "/cryptoKeyVersions/" + used)
                    .setCiphertext(ciphertext)
                    .setCiphertextCrc32C(crc(ciphertext))
                    .setVerifiedPlaintextCrc32C(request.hasPlaintextCrc32C())
                    .setVerifiedAdditionalAuthenticatedDataCrc32C(request.hasAdditionalAuthenticatedDataCrc32C())
                    .setProtectionLevel(ProtectionLevel.SOFTWARE)
                    .build();
        });
    }

    @Override
    public void decrypt(DecryptRequest request, StreamObserver<DecryptResponse> response) {
        answer(response, () -> {
            if (!CryptoKeyName.isParsableFrom(request.getName())) {
                throw Status.INVALID_ARGUMENT.withDescription("Resource name [" + request.getName() + "] is invalid.").asRuntimeException();
            }
            Key key = key(request.getName(), "useToDecrypt");
            checkCrc("ciphertext", request.getCiphertext(), request.hasCiphertextCrc32C(), request.getCiphertextCrc32C());
            checkCrc("additional_authenticated_data", request.getAdditionalAuthenticatedData(),
                    request.hasAdditionalAuthenticatedDataCrc32C(), request.getAdditionalAuthenticatedDataCrc32C());
            ByteBuffer in = request.getCiphertext().asReadOnlyByteBuffer();
            if (in.remaining() < 4 + 12 + 16) {
                throw invalidCiphertext();
            }
            int version = in.getInt();
            byte[] nonce = new byte[12];
            in.get(nonce);
            byte[] sealed = new byte[in.remaining()];
            in.get(sealed);
            SecretKeySpec material;
            boolean primary;
            synchronized (key) {
                if (version < 1 || version > key.versions.size()) {
                    throw invalidCiphertext();
                }
                material = usable(key, request.getName(), version);
                primary = version == key.primary;
            }
            ByteString plaintext = ByteString.copyFrom(
                    gcm(Cipher.DECRYPT_MODE, material, nonce, request.getAdditionalAuthenticatedData(), sealed));
            return DecryptResponse.newBuilder()
                    .setPlaintext(plaintext)
                    .setPlaintextCrc32C(crc(plaintext))
                    .setUsedPrimary(primary)
                    .setProtectionLevel(ProtectionLevel.SOFTWARE)
                    .build();
        });
    }

    private <T> void answer(StreamObserver<T> response, Supplier<T> call) {
        calls.incrementAndGet();
        T result;
        try {
            result = call.get();
        } catch (StatusRuntimeException e) {
            response.onError(e);
            return;
        }
        response.onNext(result);
        response.onCompleted();
    }

    private Key key(String name, String permission) {
        if (denied.contains(name)) {
            throw Status.PERMISSION_DENIED.withDescription("Permission 'cloudkms.cryptoKeyVersions." + permission
                    + "' denied on resource '" + name + "' (or it may not exist).").asRuntimeException();
        }
        Key key = keys.get(name);
        if (key == null) {
            throw Status.NOT_FOUND.withDescription("CryptoKey " + name + " not found.").asRuntimeException();
        }
        return key;
    }

    private static SecretKeySpec usable(Key key, String name, int version) {
        if (version < 1 || version > key.versions.size()) {
            throw Status.NOT_FOUND.withDescription("CryptoKeyVersion " + name + "/cryptoKeyVersions/" + version
                    + " not found.").asRuntimeException();
        }
        if (key.disabled.contains(version)) {
            throw Status.FAILED_PRECONDITION.withDescription(name + "/cryptoKeyVersions/" + version
                    + " is not enabled, current state is: DISABLED.").asRuntimeException();
        }
        return key.versions.get(version - 1);
    }

    private static void checkCrc(String field, ByteString data, boolean present, Int64Value crc) {
        if (present && crc.getValue() != crc32c(data)) {
            throw Status.INVALID_ARGUMENT.withDescription("The checksum in field " + field
                    + "_crc32c did not match the data in field " + field + ".").asRuntimeException();
        }
    }

    private Int64Value crc(ByteString data) {
        long value = crc32c(data);
        return Int64Value.of(corruptChecksums ? value ^ 1 : value);
    }

    static long crc32c(ByteString data) {
        CRC32C crc = new CRC32C();
        crc.update(data.asReadOnlyByteBuffer());
        return crc.getValue();
    }

    private static StatusRuntimeException invalidCiphertext() {
        return Status.INVALID_ARGUMENT.withDescription("Decryption failed: the ciphertext is invalid.").asRuntimeException();
    }

    private static byte[] gcm(int mode, SecretKeySpec key, byte[] nonce, ByteString aad, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(aad.toByteArray());
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            throw invalidCiphertext();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
