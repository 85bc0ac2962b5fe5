package eu.securehub.psd2.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;

/** Assertions on the hub's one error shape (RFC 9457, {@code urn:psd2-hub:problem:<slug>}). */
final class Problems {
    private Problems() {
    }

    /** A problem+json of this status and slug, with X-Request-ID (a UUID, the same in the body) and no internals. */
    static JsonNode assertProblem(Hub.Reply r, int status, String slug) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as(r.toString()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.path("type").asText()).as(r.toString()).isEqualTo("urn:psd2-hub:problem:" + slug);
        assertThat(p.path("status").asInt()).as(r.toString()).isEqualTo(status);
        assertThat(p.path("title").asText()).as(r.toString()).isNotBlank();
        assertThat(p.path("code").asText()).as(r.toString()).matches("[A-Za-z0-9_.-]{1,64}");
        String requestId = r.header("X-Request-ID");
        assertThat(requestId).as(r.toString()).isNotNull();
        assertThat(UUID.fromString(requestId)).isNotNull();
        if (p.has("requestId")) {
            assertThat(p.path("requestId").asText()).as(r.toString()).isEqualTo(requestId);
        }
        assertNoInternals(r);
        return p;
    }

    /** No stack trace, exception, class or policy name, file path or Apigee default error in the body. */
    static void assertNoInternals(Hub.Reply r) {
        assertThat(r.body()).as(r.toString())
                .doesNotContainPattern("\\bat [a-z][\\w$]*(\\.[\\w$]+)+\\(")
                .doesNotContainPattern("(?i)exception|stack ?trace|java\\.|javax\\.|eu\\.securehub|com\\.apigee")
                .doesNotContainPattern("\"fault(string|Name)?\"|errorcode|steps\\.|messaging\\.")
                // policy names (case-sensitive: a lower-case hex UUID never matches)
                .doesNotContainPattern("\\b(Java|JS|AM|RF|EV|KVM|FC|SC|OAS|VA|ML|Q|SA|LC|PC)-[A-Z]")
                .doesNotContain("/work/").doesNotContain("/tmp/");
    }
}
