package eu.securehub.psd2.keytool;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.GoogleCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.httpjson.InstantiatingHttpJsonChannelProvider;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client settings each connection makes; nothing here connects anywhere. */
class KmsConnectionTest {

    private static KeyManagementServiceSettings settings(String endpoint, KmsConnection.Transport transport, boolean plaintext,
            String token) throws Exception {
        return new KmsConnection(endpoint, transport, plaintext, token, Duration.ofSeconds(7)).settings();
    }

    @Test
    void defaultIsGoogleOverGrpcWithApplicationDefaultCredentials() throws Exception {
        KeyManagementServiceSettings s = settings(null, KmsConnection.Transport.GRPC, false, null);

        assertThat(s.getEndpoint()).isEqualTo("cloudkms.googleapis.com:443");
        assertThat(s.getCredentialsProvider()).isInstanceOf(GoogleCredentialsProvider.class);
        assertThat(s.getTransportChannelProvider()).isInstanceOf(InstantiatingGrpcChannelProvider.class);
    }

    @Test
    void accessTokenIsSentAsBearer() throws Exception {
        KeyManagementServiceSettings s = settings("kms.example:443", KmsConnection.Transport.GRPC, false, "t0ken");

        assertThat(s.getEndpoint()).isEqualTo("kms.example:443");
        assertThat(s.getCredentialsProvider()).isInstanceOf(FixedCredentialsProvider.class);
        assertThat(s.getCredentialsProvider().getCredentials().getRequestMetadata(URI.create("https://kms.example")))
                .isEqualTo(Map.of("Authorization", List.of("Bearer t0ken")));
    }

    @Test
    void plaintextWithoutTokenSendsNoCredentials() throws Exception {
        KeyManagementServiceSettings s = settings("127.0.0.1:9090", KmsConnection.Transport.GRPC, true, null);

        assertThat(s.getCredentialsProvider()).isInstanceOf(NoCredentialsProvider.class);
        assertThat(s.getTransportChannelProvider()).isInstanceOf(InstantiatingGrpcChannelProvider.class);
    }

    @Test
    void restUsesHttpJsonAndSpellsOutPlainHttp() throws Exception {
        KeyManagementServiceSettings tls = settings("kms.example:443", KmsConnection.Transport.REST, false, null);
        KeyManagementServiceSettings plain = settings("127.0.0.1:8080", KmsConnection.Transport.REST, true, "t");

        assertThat(tls.getTransportChannelProvider()).isInstanceOf(InstantiatingHttpJsonChannelProvider.class);
        assertThat(tls.getEndpoint()).isEqualTo("kms.example:443");
        assertThat(plain.getEndpoint()).isEqualTo("http://127.0.0.1:8080");
    }

    @Test
    void timeoutBoundsEncryptAndDecryptWithRetries() throws Exception {
        KeyManagementServiceSettings s = settings(null, KmsConnection.Transport.GRPC, false, null);

        for (var retry : List.of(s.encryptSettings().getRetrySettings(), s.decryptSettings().getRetrySettings())) {
            assertThat(retry.getTotalTimeoutDuration()).isEqualTo(Duration.ofSeconds(7));
            assertThat(retry.getMaxRpcTimeoutDuration()).isEqualTo(Duration.ofSeconds(7));
        }
        assertThat(s.encryptSettings().getRetryableCodes()).isNotEmpty();
    }
}
