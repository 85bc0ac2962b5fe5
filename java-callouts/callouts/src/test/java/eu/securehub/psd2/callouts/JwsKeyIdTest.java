package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

class JwsKeyIdTest {
    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);

    static String token(String headerJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + ".e30.c2ln";
    }

    private String kid(String token) {
        MapMessageContext c = new MapMessageContext().set("private.oauth.id_token", token);
        assertThat(new JwsKeyId(Map.of("token", "{private.oauth.id_token}")).execute(c, exec))
                .isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("jws.error")).isNull();
        return c.string("jws.kid");
    }

    @Test
    void readsTheKeyIdOfTheProtectedHeader() {
        assertThat(kid(token("{\"alg\":\"PS256\",\"kid\":\"Xj3-k_9.a~b\",\"typ\":\"JWT\"}"))).isEqualTo("Xj3-k_9.a~b");
        assertThat(kid(token("{\"kid\":\"a+b/c=\",\"alg\":\"ES256\"}"))).isEqualTo("a+b/c=");
    }

    @Test
    void anythingUnreadableIsTheEmptyKeyIdAndNeverAFailure() {
        assertThat(kid(token("{\"alg\":\"PS256\"}"))).isEmpty();
        assertThat(kid(token("{\"alg\":\"PS256\",\"kid\":7}"))).isEmpty();
        assertThat(kid(token("{\"kid\":\"with space\"}"))).isEmpty();
        assertThat(kid(token("{\"kid\":\"" + "k".repeat(257) + "\"}"))).isEmpty();
        assertThat(kid(token("{\"kid\":\"\"}"))).isEmpty();
        assertThat(kid(token("[\"kid\"]"))).isEmpty();
        assertThat(kid(token("{not json"))).isEmpty();
        assertThat(kid("")).isEmpty();
        assertThat(kid("no-dots")).isEmpty();
        assertThat(kid("%%%.e30.c2ln")).isEmpty();
        assertThat(kid(".e30.c2ln")).isEmpty();
        assertThat(kid(token("{\"kid\":\"k\",\"pad\":\"" + "p".repeat(9000) + "\"}"))).as("header too long").isEmpty();
    }
}
