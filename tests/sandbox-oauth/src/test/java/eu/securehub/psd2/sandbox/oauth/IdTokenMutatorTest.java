package eu.securehub.psd2.sandbox.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The id_token test hook: off by default, then every issued id_token passes through the mutator. */
class IdTokenMutatorTest {

    private Harness h;

    @BeforeEach
    void start() {
        h = new Harness();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private Map<String, Object> tokens() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        return Harness.json(h.exchange(h.tpp, h.authorise(pkce).get("code"), pkce));
    }

    @Test
    void theMutatorSeesTheSignedClaimsAndReplacesTheIdToken() throws Exception {
        AtomicReference<String> seenIssued = new AtomicReference<>();
        AtomicReference<JWTClaimsSet> seenClaims = new AtomicReference<>();
        h.as.idTokenMutator((claims, key, issued) -> {
            seenClaims.set(claims);
            seenIssued.set(issued);
            // Re-signed with the real key, but with another audience.
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.PS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), new JWTClaimsSet.Builder(claims).audience("someone-else").build());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        });

        Map<String, Object> tokens = tokens();

        SignedJWT issued = SignedJWT.parse(seenIssued.get());
        assertThat(issued.getJWTClaimsSet().getAudience()).isEqualTo(seenClaims.get().getAudience());
        SignedJWT idToken = SignedJWT.parse((String) tokens.get("id_token"));
        assertThat(idToken.getJWTClaimsSet().getAudience()).containsExactly("someone-else");
        assertThat(idToken.getJWTClaimsSet().getIssuer()).isEqualTo(seenClaims.get().getIssuer());
        RSAKey published = (RSAKey) JWKSet.parse(h.get(h.browser, AuthorizationServer.JWKS_PATH).body())
                .getKeyByKeyId(idToken.getHeader().getKeyID());
        assertThat(idToken.verify(new RSASSAVerifier(published))).isTrue();
    }

    @Test
    void withoutMutatorOrAfterClearingItTheIdTokenIsTheServersOwn() throws Exception {
        h.as.idTokenMutator((claims, key, issued) -> "not-a-jwt");
        assertThat(tokens()).containsEntry("id_token", "not-a-jwt");

        h.as.idTokenMutator(null);
        SignedJWT idToken = SignedJWT.parse((String) tokens().get("id_token"));
        assertThat(idToken.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
    }

    @Test
    void aFailingMutatorIsAServerError() throws Exception {
        h.as.idTokenMutator((claims, key, issued) -> {
            throw new IllegalStateException("boom");
        });
        Harness.Pkce pkce = Harness.Pkce.create();
        var r = h.exchange(h.tpp, h.authorise(pkce).get("code"), pkce);
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("server_error").doesNotContain("boom");
    }
}
