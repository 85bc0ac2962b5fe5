package eu.securehub.psd2.sandbox.oauth;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Discovery metadata and the JWKS with key rotation. */
class DiscoveryAndJwksTest {

    private Harness h;

    @BeforeEach
    void start() {
        h = new Harness(b -> b.signingKeyGracePeriod(Duration.ofHours(1)));
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    @Test
    void discoveryMetadata() throws Exception {
        HttpResponse<String> r = h.get(h.browser, AuthorizationServer.DISCOVERY_PATH);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        Map<String, Object> m = Harness.json(r);
        String iss = h.base.toString();
        assertThat(m).containsEntry("issuer", iss)
                .containsEntry("authorization_endpoint", iss + "/oauth/authorize")
                .containsEntry("token_endpoint", iss + "/oauth/token")
                .containsEntry("jwks_uri", iss + "/jwks")
                .containsEntry("pushed_authorization_request_endpoint", iss + "/oauth/par")
                .containsEntry("require_pushed_authorization_requests", true)
                .containsEntry("response_types_supported", List.of("code"))
                .containsEntry("grant_types_supported", List.of("authorization_code", "refresh_token"))
                .containsEntry("code_challenge_methods_supported", List.of("S256"))
                .containsEntry("token_endpoint_auth_methods_supported", List.of("tls_client_auth", "private_key_jwt"))
                .containsEntry("tls_client_certificate_bound_access_tokens", true)
                .containsEntry("authorization_response_iss_parameter_supported", true)
                .containsEntry("id_token_signing_alg_values_supported", List.of("PS256"))
                .containsEntry("subject_types_supported", List.of("public"))
                .containsEntry("scopes_supported", List.of("openid", "AIS", "PIS"));
        assertThat(h.post(h.browser, AuthorizationServer.DISCOVERY_PATH, Map.of()).statusCode()).isEqualTo(405);
    }

    @Test
    void jwksPublishesPublicRsaKeysOnly() throws Exception {
        JWKSet jwks = JWKSet.parse(h.get(h.browser, AuthorizationServer.JWKS_PATH).body());
        assertThat(jwks.getKeys()).hasSize(1);
        JWK key = jwks.getKeys().get(0);
        assertThat(key).isInstanceOf(RSAKey.class);
        assertThat(key.isPrivate()).isFalse();
        assertThat(key.getKeyID()).isNotBlank();
        assertThat(key.getAlgorithm().getName()).isEqualTo("PS256");
        assertThat(key.getKeyUse().identifier()).isEqualTo("sig");
        assertThat(((RSAKey) key).size()).isGreaterThanOrEqualTo(2048);
    }

    @Test
    void rotationSignsWithTheNewKeyAndKeepsTheOldOneForTheGracePeriod() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        Map<String, Object> tokens = Harness.json(h.exchange(h.tpp, h.authorise(pkce).get("code"), pkce));
        SignedJWT before = SignedJWT.parse((String) tokens.get("id_token"));
        String oldKid = before.getHeader().getKeyID();

        String newKid = h.as.rotateSigningKey();
        assertThat(newKid).isNotEqualTo(oldKid);
        JWKSet jwks = JWKSet.parse(h.get(h.browser, AuthorizationServer.JWKS_PATH).body());
        assertThat(jwks.getKeys()).extracting(JWK::getKeyID).containsExactly(newKid, oldKid);
        // Tokens signed before the rotation still verify with the published old key.
        assertThat(before.verify(new RSASSAVerifier((RSAKey) jwks.getKeyByKeyId(oldKid)))).isTrue();

        Map<String, Object> next = Harness.json(h.refresh(h.tpp, (String) tokens.get("refresh_token")));
        SignedJWT after = SignedJWT.parse((String) next.get("id_token"));
        assertThat(after.getHeader().getKeyID()).isEqualTo(newKid);
        assertThat(after.verify(new RSASSAVerifier((RSAKey) jwks.getKeyByKeyId(newKid)))).isTrue();

        h.clock.advance(Duration.ofMinutes(59));
        assertThat(JWKSet.parse(h.get(h.browser, AuthorizationServer.JWKS_PATH).body()).getKeys())
                .extracting(JWK::getKeyID).containsExactly(newKid, oldKid);
        h.clock.advance(Duration.ofMinutes(1));
        assertThat(JWKSet.parse(h.get(h.browser, AuthorizationServer.JWKS_PATH).body()).getKeys())
                .extracting(JWK::getKeyID).containsExactly(newKid);
        assertThat(h.as.jwks().getKeys()).extracting(JWK::getKeyID).containsExactly(newKid);
    }

    @Test
    void otherPathsAreLeftToTheNextHandler() throws Exception {
        assertThat(AuthorizationServer.handles("/oauth/token")).isTrue();
        assertThat(AuthorizationServer.handles("/v1/accounts")).isFalse();
        assertThat(h.get(h.browser, "/oauth/other").statusCode()).isEqualTo(404);
    }
}
