package eu.securehub.psd2.keytool;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Keyring;
import java.util.Base64;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * Wraps and unwraps DEKs with a Cloud KMS key (the KEK), bound to their key id by the additional
 * authenticated data {@link Keyring#kmsAad(String)}. Every request and response carries the CRC32C
 * checksums Cloud KMS offers, and they are checked, so a DEK corrupted on the way is never written.
 */
final class KekClient {
    private final KeyManagementServiceClient client;
    private final String endpoint;

    KekClient(KeyManagementServiceClient client) {
        this.client = client;
        String configured = client.getSettings() == null ? null : client.getSettings().getEndpoint();
        this.endpoint = configured != null ? configured : "(default endpoint)";
    }

    /** A DEK as KMS wrapped it: the ciphertext in base64, and the key version that made it. */
    record Wrapped(String ciphertext, String keyVersion) {
    }

    /** Wraps {@code dek} with the primary version of {@code kek}. The caller owns and wipes {@code dek}. */
    Wrapped wrap(String kek, String keyId, ByteString dek) throws ToolException {
        ByteString aad = ByteString.copyFrom(Keyring.kmsAad(keyId));
        EncryptRequest request = EncryptRequest.newBuilder()
                .setName(kek)
                .setPlaintext(dek)
                .setPlaintextCrc32C(crc32c(dek))
                .setAdditionalAuthenticatedData(aad)
                .setAdditionalAuthenticatedDataCrc32C(crc32c(aad))
                .build();
        EncryptResponse response = call(() -> client.encrypt(request), kek, "wrap", keyId);
        boolean intact = response.getVerifiedPlaintextCrc32C()
                && response.getVerifiedAdditionalAuthenticatedDataCrc32C()
                && !response.getCiphertext().isEmpty()
                && response.getCiphertextCrc32C().equals(crc32c(response.getCiphertext()))
                && response.getName().startsWith(kek + "/cryptoKeyVersions/");
        if (!intact) {
            throw integrity(kek, "wrap", keyId);
        }
        return new Wrapped(Base64.getEncoder().encodeToString(response.getCiphertext().toByteArray()), response.getName());
    }

    /**
     * Unwraps a DEK. The result is the response's own immutable buffer: it cannot be wiped, so
     * callers use it at once and drop it.
     */
    ByteString unwrap(String kek, String keyId, String wrapped) throws ToolException {
        ByteString ciphertext = ByteString.copyFrom(Base64.getDecoder().decode(wrapped));
        ByteString aad = ByteString.copyFrom(Keyring.kmsAad(keyId));
        DecryptRequest request = DecryptRequest.newBuilder()
                .setName(kek)
                .setCiphertext(ciphertext)
                .setCiphertextCrc32C(crc32c(ciphertext))
                .setAdditionalAuthenticatedData(aad)
                .setAdditionalAuthenticatedDataCrc32C(crc32c(aad))
                .build();
        DecryptResponse response = call(() -> client.decrypt(request), kek, "unwrap", keyId);
        if (!response.hasPlaintextCrc32C() || !response.getPlaintextCrc32C().equals(crc32c(response.getPlaintext()))) {
            throw integrity(kek, "unwrap", keyId);
        }
        if (response.getPlaintext().size() != DataKey.DEK_BYTES) {
            throw ToolException.failed("key " + keyId + " unwraps to " + response.getPlaintext().size()
                    + " bytes, not a " + DataKey.DEK_BYTES + "-byte DEK");
        }
        return response.getPlaintext();
    }

    private <T> T call(Supplier<T> rpc, String kek, String operation, String keyId) throws ToolException {
        try {
            return rpc.get();
        } catch (ApiException e) {
            throw KmsErrors.of(e, endpoint, kek, operation, keyId);
        }
    }

    private static ToolException integrity(String kek, String operation, String keyId) {
        return ToolException.failed("the KMS response to " + operation + " key " + keyId + " with " + kek
                + " failed its CRC32C integrity check; nothing was written, try again");
    }

    static Int64Value crc32c(ByteString data) {
        CRC32C crc = new CRC32C();
        crc.update(data.asReadOnlyByteBuffer());
        return Int64Value.of(crc.getValue());
    }
}
