package eu.securehub.psd2.keytool;

import com.google.auth.Credentials;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * A fixed OAuth2 access token, sent as {@code Authorization: Bearer}. Deliberately not a
 * {@code GoogleCredentials}: gRPC refuses to send those over a plaintext channel, and a local fake
 * KMS (the only place {@code --plaintext} is allowed) is exactly where a fixed token is used.
 */
final class BearerTokenCredentials extends Credentials {
    private static final long serialVersionUID = 1L;

    private final String token;

    BearerTokenCredentials(String token) {
        this.token = token;
    }

    @Override
    public String getAuthenticationType() {
        return "OAuth2";
    }

    @Override
    public Map<String, List<String>> getRequestMetadata(URI uri) {
        return Map.of("Authorization", List.of("Bearer " + token));
    }

    @Override
    public boolean hasRequestMetadata() {
        return true;
    }

    @Override
    public boolean hasRequestMetadataOnly() {
        return true;
    }

    /** A fixed token cannot be refreshed; when it expires, KMS answers UNAUTHENTICATED. */
    @Override
    public void refresh() {
    }

    @Override
    public String toString() {
        return "BearerTokenCredentials[token redacted]";
    }
}
