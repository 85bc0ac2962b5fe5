package eu.securehub.psd2.keytool;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.UnaryCallSettings;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * How to reach Cloud KMS: endpoint, transport, TLS, credentials and time limit; and the
 * {@link KeyManagementServiceClient} built from them.
 *
 * @param endpoint    HOST:PORT, or null for Google's endpoint
 * @param accessToken a fixed bearer token, or null for Application Default Credentials
 *                    (or, with {@code plaintext}, no credentials at all)
 * @param timeout     the time limit of each KMS call, retries included
 */
record KmsConnection(String endpoint, Transport transport, boolean plaintext, String accessToken, Duration timeout) {

    enum Transport { GRPC, REST }

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Opens a client; the production {@link Cli.KmsClientFactory}. */
    static KeyManagementServiceClient open(KmsConnection connection) throws IOException {
        return KeyManagementServiceClient.create(connection.settings());
    }

    /** The client settings; building them contacts nothing (credentials load when the client is created). */
    KeyManagementServiceSettings settings() throws IOException {
        KeyManagementServiceSettings.Builder builder = transport == Transport.REST
                ? KeyManagementServiceSettings.newHttpJsonBuilder()
                : KeyManagementServiceSettings.newBuilder();
        if (endpoint != null) {
            if (transport == Transport.REST) {
                // gax prefixes https:// to an endpoint without a scheme; plaintext needs it spelled out.
                builder.setEndpoint(plaintext ? "http://" + endpoint : endpoint);
            } else {
                builder.setEndpoint(endpoint);
                if (plaintext) {
                    builder.setTransportChannelProvider(KeyManagementServiceSettings.defaultGrpcTransportProviderBuilder()
                            .setChannelConfigurator(channel -> channel.usePlaintext())
                            .build());
                }
            }
        }
        if (accessToken != null) {
            builder.setCredentialsProvider(FixedCredentialsProvider.create(new BearerTokenCredentials(accessToken)));
        } else if (plaintext) {
            // Never send Application Default Credentials in clear text, even to localhost.
            builder.setCredentialsProvider(NoCredentialsProvider.create());
        }
        limitTime(builder, timeout);
        return builder.build();
    }

    /**
     * Bounds encrypt and decrypt, retries included, by {@code timeout} (KMS's defaults retry an
     * unreachable endpoint for a minute). Tests apply it to their in-process clients too.
     */
    static void limitTime(KeyManagementServiceSettings.Builder builder, Duration timeout) {
        for (UnaryCallSettings.Builder<?, ?> call : List.of(builder.encryptSettings(), builder.decryptSettings())) {
            RetrySettings retry = call.getRetrySettings();
            call.setRetrySettings(retry.toBuilder()
                    .setTotalTimeoutDuration(timeout)
                    .setInitialRpcTimeoutDuration(timeout)
                    .setMaxRpcTimeoutDuration(timeout)
                    .setRpcTimeoutMultiplier(1.0)
                    .build());
        }
    }

    /** The endpoint as messages name it. */
    String endpointLabel() {
        return endpoint != null ? endpoint : KeyManagementServiceSettings.getDefaultEndpoint();
    }

    @Override
    public String toString() {
        return "KmsConnection[endpoint=" + endpointLabel() + ", transport=" + transport + ", plaintext=" + plaintext
                + ", accessToken=" + (accessToken == null ? "none" : "redacted") + ", timeout=" + timeout + "]";
    }
}
