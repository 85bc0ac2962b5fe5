package eu.securehub.psd2.sandbox.oauth;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;

/**
 * Test hook of {@link AuthorizationServer#idTokenMutator(IdTokenMutator)}: replaces the id_token the token endpoint
 * issues, for negative tests of a relying party (tampered, expired, wrong aud/iss/nonce, alg none, HS256 with the
 * public key, unknown kid). Never set in a normal run.
 */
@FunctionalInterface
public interface IdTokenMutator {

    /**
     * @param claims     the claims the server signed
     * @param signingKey the server's current signing key (private; its kid is published in the JWKS)
     * @param issued     the id_token the server would issue (PS256, compact serialisation)
     * @return the id_token to issue instead
     */
    String mutate(JWTClaimsSet claims, RSAKey signingKey, String issued) throws Exception;
}
