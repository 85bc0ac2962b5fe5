package eu.securehub.psd2.keytool;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.gax.grpc.GrpcStatusCode;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.ApiExceptionFactory;
import io.grpc.Status;
import java.net.ConnectException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The messages of failures the in-process fake cannot produce. */
class KmsErrorsTest {
    private static final String KEK = ToolTestBase.KEK;

    private static String message(ApiException e) {
        return KmsErrors.of(e, "kms.example:443", KEK, "wrap", "k1").getMessage();
    }

    private static ApiException exception(Throwable cause, Status.Code code) {
        return ApiExceptionFactory.createException(cause, GrpcStatusCode.of(code), false);
    }

    @Test
    void restConnectionFailuresAreUnreachable() {
        // Over REST, gax reports these as UNKNOWN with the I/O exception as cause.
        assertThat(message(exception(new ConnectException("Connection refused"), Status.Code.UNKNOWN)))
                .isEqualTo("KMS endpoint kms.example:443 is unreachable: java.net.ConnectException: Connection refused");
        assertThat(message(exception(new UnknownHostException("kms.example"), Status.Code.UNKNOWN)))
                .startsWith("KMS endpoint kms.example:443 is unreachable: ");
    }

    @Test
    void grpcUnavailableIsUnreachable() {
        ApiException e = exception(Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new ConnectException("Connection refused")).asRuntimeException(), Status.Code.UNAVAILABLE);

        assertThat(message(e)).isEqualTo("KMS endpoint kms.example:443 is unreachable: UNAVAILABLE: io exception (Connection refused)");
    }

    @Test
    void otherCodes() {
        assertThat(message(exception(Status.UNAUTHENTICATED.withDescription("Request had invalid authentication credentials.")
                .asRuntimeException(), Status.Code.UNAUTHENTICATED)))
                .isEqualTo("KMS rejected the credentials (UNAUTHENTICATED: Request had invalid authentication credentials.):"
                        + " check --access-token, KMS_ACCESS_TOKEN or Application Default Credentials");
        assertThat(message(exception(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 29.9s")
                .asRuntimeException(), Status.Code.DEADLINE_EXCEEDED)))
                .isEqualTo("KMS endpoint kms.example:443 did not answer in time (see --timeout): DEADLINE_EXCEEDED: deadline exceeded after 29.9s");
        assertThat(message(exception(Status.RESOURCE_EXHAUSTED.withDescription("Quota exceeded").asRuntimeException(),
                Status.Code.RESOURCE_EXHAUSTED)))
                .isEqualTo("KMS could not wrap key k1 with " + KEK + ": RESOURCE_EXHAUSTED: Quota exceeded");
    }

    @Test
    void detailIsOneBoundedLine() {
        String detail = KmsErrors.detail(new IllegalStateException("first\nsecond\t third " + "x".repeat(1000)));

        assertThat(detail).startsWith("first second third x").doesNotContain("\n").hasSize(303);
    }
}
