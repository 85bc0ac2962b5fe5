package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.sandbox.oauth.IdTokenMutator;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The callback's id token check (VJWT-IdTokenPS256 / VJWT-IdTokenES256, chosen by the bank's registry entry, with the
 * JWKS the hub fetches itself over mTLS and caches per key id): bank alpha's authorisation server issues a bad id token
 * (the sandbox-oauth test hook {@code AuthorizationServer.idTokenMutator}); the hub must send the browser back to the
 * CRM with outcome=error and store nothing, so the state's session cannot be collected (404 session-not-found). Bank
 * beta's registry entry is overridden to ES256 while its server signs PS256. A rotated signing key is fetched once.
 */
class JwtTest {
    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY)
                .bankProfile("beta", "idTokenAlgorithm", "\"ES256\""));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @AfterEach
    void realIdTokens() {
        hub.bank("alpha").authorizationServer().idTokenMutator(null);
    }

    static String resign(JWTClaimsSet claims, RSAKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.PS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    enum Bad {
        TAMPERED((claims, key, issued) -> {
            String[] parts = issued.split("\\.");
            String payload = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)
                    .replace("\"sub\":\"", "\"sub\":\"x");
            return parts[0] + "." + Base64URL.encode(payload) + "." + parts[2];
        }),
        EXPIRED((claims, key, issued) -> resign(new JWTClaimsSet.Builder(claims)
                .issueTime(Date.from(Instant.now().minusSeconds(3600)))
                .expirationTime(Date.from(Instant.now().minusSeconds(1800))).build(), key)),
        WRONG_AUDIENCE((claims, key, issued) -> resign(new JWTClaimsSet.Builder(claims).audience("PSDDE-BAFIN-999999")
                .claim("azp", "PSDDE-BAFIN-999999").build(), key)),
        WRONG_ISSUER((claims, key, issued) -> resign(new JWTClaimsSet.Builder(claims)
                .issuer("https://evil.example").build(), key)),
        WRONG_NONCE((claims, key, issued) -> resign(new JWTClaimsSet.Builder(claims)
                .claim("nonce", "not-the-hubs-nonce").build(), key)),
        ALG_NONE((claims, key, issued) -> new PlainJWT(claims).serialize()),
        HS256_WITH_THE_BANKS_PUBLIC_KEY((claims, key, issued) -> {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new MACSigner(key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        }),
        UNKNOWN_KID((claims, key, issued) -> resign(claims,
                new RSAKeyGenerator(2048).keyID("not-published-" + System.nanoTime()).generate()));

        final IdTokenMutator mutator;

        Bad(IdTokenMutator mutator) {
            this.mutator = mutator;
        }
    }

    @ParameterizedTest
    @EnumSource(Bad.class)
    void aBadIdTokenSendsTheBrowserBackWithOutcomeErrorAndStoresNothing(Bad bad) throws Exception {
        hub.bank("alpha").authorizationServer().idTokenMutator(bad.mutator);

        Crm.Returned back = crm.authorise("alpha");

        assertThat(back.returnQuery()).containsEntry("state", back.state()).containsEntry("outcome", "error")
                .containsOnlyKeys("state", "outcome");
        HttpResponse<String> session = crm.collect(back.state());
        Crm.assertProblem(session, 404, "session-not-found");
    }

    @Test
    void theUnchangedIdTokenIsAccepted() throws Exception {
        Crm.Returned back = crm.authorise("alpha");

        assertThat(back.outcome()).isEqualTo("success");
        assertThat(crm.collect(back.state()).statusCode()).isEqualTo(200);
    }

    @Test
    void aRotatedSigningKeyMissesTheCachedJwksOnceAndIsAccepted() throws Exception {
        var server = hub.bank("alpha").authorizationServer();
        assertThat(crm.authorise("alpha").outcome()).isEqualTo("success");
        int fetched = server.jwksRequests();
        assertThat(crm.authorise("alpha").outcome()).isEqualTo("success");
        assertThat(server.jwksRequests()).as("the JWKS of this kid is cached").isEqualTo(fetched);

        hub.bank("alpha").rotateSigningKey();
        assertThat(crm.authorise("alpha").outcome()).as("signed with the new key").isEqualTo("success");
        assertThat(server.jwksRequests()).as("the new kid missed the cache: fetched once").isEqualTo(fetched + 1);
        assertThat(crm.authorise("alpha").outcome()).isEqualTo("success");
        assertThat(server.jwksRequests()).as("then cached again").isEqualTo(fetched + 1);
    }

    @Test
    void theRegistrysIdTokenAlgorithmChoosesThePolicy() throws Exception {
        // Beta's registry entry says ES256; its authorisation server signs PS256: VJWT-IdTokenES256 refuses the token.
        Crm.Returned back = crm.authorise("beta");
        assertThat(back.returnQuery()).containsEntry("outcome", "error");
        Crm.assertProblem(crm.collect(back.state()), 404, "session-not-found");
    }
}
