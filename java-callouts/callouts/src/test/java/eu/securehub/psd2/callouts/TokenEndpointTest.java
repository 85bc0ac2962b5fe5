package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.Mockito;

class TokenEndpointTest {
    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);

    private static Map<String, String> props(String step) {
        Map<String, String> p = new HashMap<>();
        p.put("step", step);
        p.put("code", "{request.queryparam.code}");
        p.put("code-verifier", "{private.callback.code_verifier}");
        p.put("redirect-uri", "{hub.callback_url}");
        p.put("client-id", "{bank.client_id}");
        p.put("refresh-token", "{private.bank.refresh_token}");
        p.put("response", "{response.content}");
        p.put("previous-refresh-token", "{private.bank.refresh_token}");
        return p;
    }

    private MapMessageContext run(String step, MapMessageContext c) {
        new TokenEndpoint(props(step)).execute(c, exec);
        return c;
    }

    @Test
    void authorizationCodeBuildsTheFormBody() {
        MapMessageContext c = run("authorization-code", new MapMessageContext().set("request.queryparam.code", "Splx+lO/BeZ=")
                .set("private.callback.code_verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                .set("hub.callback_url", "https://api.example.eu/psd2/v1/oauth/callback").set("bank.client_id", "PSDDE-BAFIN-123456"));
        assertThat(c.string("oauth.error")).isNull();
        assertThat(c.string("private.oauth.request_body")).isEqualTo("grant_type=authorization_code&code=Splx%2BlO%2FBeZ%3D"
                + "&redirect_uri=https%3A%2F%2Fapi.example.eu%2Fpsd2%2Fv1%2Foauth%2Fcallback"
                + "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=PSDDE-BAFIN-123456");
        assertThat(c.variables().keySet()).filteredOn(k -> c.string(k).contains("Splx%2B")).allMatch(k -> k.startsWith("private."));
    }

    @Test
    void refreshBuildsTheFormBody() {
        MapMessageContext c = run("refresh", new MapMessageContext().set("private.bank.refresh_token", "rt 1&2")
                .set("bank.client_id", "PSDDE-BAFIN-123456"));
        assertThat(c.string("private.oauth.request_body"))
                .isEqualTo("grant_type=refresh_token&refresh_token=rt%201%262&client_id=PSDDE-BAFIN-123456");
    }

    @Test
    void requestStepsNeedTheirProperties() {
        MapMessageContext c = run("authorization-code", new MapMessageContext().set("request.queryparam.code", "c")
                .set("hub.callback_url", "https://cb").set("bank.client_id", "x"));
        assertThat(c.string("oauth.error")).isEqualTo("missing_property: code-verifier resolves to null or empty");
        MapMessageContext r = run("refresh", new MapMessageContext().set("bank.client_id", "x"));
        assertThat(r.string("oauth.error_code")).isEqualTo("missing_property");
        assertThat(r.string("private.oauth.request_body")).isNull();
    }

    @Test
    void responseReadsTheTokenSet() {
        MapMessageContext c = run("response", new MapMessageContext().set("response.content",
                "{\"access_token\":\"at-1\",\"token_type\":\"bearer\",\"expires_in\":3600,\"refresh_token\":\"rt-2\","
                        + "\"id_token\":\"eyJ.x.y\",\"scope\":\"openid AIS:1\"}").set("private.bank.refresh_token", "rt-1"));
        assertThat(c.string("oauth.error")).isNull();
        assertThat(c.string("private.oauth.access_token")).isEqualTo("at-1");
        assertThat(c.string("private.oauth.refresh_token")).isEqualTo("rt-2");
        assertThat(c.string("private.oauth.id_token")).isEqualTo("eyJ.x.y");
        assertThat(c.string("oauth.expires_in")).isEqualTo("3600");
        assertThat(c.string("oauth.token_type")).isEqualTo("Bearer");
        assertThat(c.string("oauth.grant_error")).isEmpty();
    }

    @Test
    void aResponseWithoutARefreshTokenKeepsThePreviousOne() {
        MapMessageContext c = run("response", new MapMessageContext().set("response.content",
                "{\"access_token\":\"at-2\",\"token_type\":\"Bearer\"}").set("private.bank.refresh_token", "rt-1"));
        assertThat(c.string("oauth.error")).isNull();
        assertThat(c.string("private.oauth.refresh_token")).isEqualTo("rt-1");
        assertThat(c.string("private.oauth.id_token")).isEmpty();
        assertThat(c.string("oauth.expires_in")).isEqualTo("300");
        MapMessageContext empty = run("response", new MapMessageContext().set("response.content",
                "{\"access_token\":\"at-2\",\"token_type\":\"Bearer\",\"refresh_token\":\"\",\"expires_in\":\"120\"}")
                .set("private.bank.refresh_token", "rt-1"));
        assertThat(empty.string("private.oauth.refresh_token")).isEqualTo("rt-1");
        assertThat(empty.string("oauth.expires_in")).isEqualTo("120");
        MapMessageContext none = run("response", new MapMessageContext().set("response.content",
                "{\"access_token\":\"at-2\",\"token_type\":\"Bearer\"}"));
        assertThat(none.string("private.oauth.refresh_token")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "{\"token_type\":\"Bearer\"}", "{\"access_token\":\"\",\"token_type\":\"Bearer\"}",
        "{\"access_token\":\"secret-at\"}", "{\"access_token\":\"secret-at\",\"token_type\":\"DPoP\"}",
        "{\"access_token\":\"secret-at\",\"token_type\":\"Bearer\",\"expires_in\":0}",
        "{\"access_token\":\"secret-at\",\"token_type\":\"Bearer\",\"expires_in\":\"soon\"}",
        "{\"access_token\":\"secret-at\",\"token_type\":\"Bearer\",\"expires_in\":1.5}",
        "{\"access_token\":\"secret at\",\"token_type\":\"Bearer\"}",
        "{\"access_token\":\"secret-at\",\"token_type\":\"Bearer\",\"refresh_token\":7}"})
    void refusesABadTokenResponse(String response) {
        MapMessageContext c = run("response", new MapMessageContext().set("response.content", response));
        assertThat(c.string("oauth.error_code")).isEqualTo("invalid_token_response");
        assertThat(c.string("oauth.error")).doesNotContain("secret");
        assertThat(c.string("private.oauth.access_token")).isNull();
    }

    @Test
    void anOAuthErrorNamesOnlyAStandardCode() {
        MapMessageContext c = run("response", new MapMessageContext().set("response.content",
                "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token rt-1 expired\"}"));
        assertThat(c.string("oauth.error_code")).isEqualTo("invalid_token_response");
        assertThat(c.string("oauth.grant_error")).isEqualTo("invalid_grant");
        assertThat(c.string("oauth.error")).contains("invalid_grant").doesNotContain("rt-1");
        MapMessageContext odd = run("response", new MapMessageContext().set("response.content", "{\"error\":\"bank says DE89 no\"}"));
        assertThat(odd.string("oauth.grant_error")).isEqualTo("other");
        assertThat(odd.string("oauth.error")).doesNotContain("DE89");
    }

    @Test
    void theStepMustBeKnown() {
        MapMessageContext c = new MapMessageContext();
        assertThat(new TokenEndpoint(Map.of("step", "client-credentials")).execute(c, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("oauth.error_code")).isEqualTo("invalid_property");
        for (String step : List.of("authorization-code", "refresh", "response")) {
            assertThat(new TokenEndpoint(Map.of("step", step)).execute(new MapMessageContext(), exec)).isSameAs(ExecutionResult.ABORT);
        }
    }
}
