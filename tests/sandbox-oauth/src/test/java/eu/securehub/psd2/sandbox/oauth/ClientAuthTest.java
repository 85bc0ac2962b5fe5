package eu.securehub.psd2.sandbox.oauth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import eu.securehub.psd2.testpki.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Client authentication at PAR (tls_client_auth and private_key_jwt) and the PAR request checks. */
class ClientAuthTest {

    /** A client's private_key_jwt key pair. */
    record Keys(RSAKey key) {
        static Keys create() throws Exception {
            return new Keys(new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate());
        }

        JWKSet publicJwks() {
            return new JWKSet(key.toPublicJWK());
        }

        String assertion(String clientId, Object audience, Instant now) throws Exception {
            return assertion(clientId, audience, now, UUID.randomUUID().toString());
        }

        String assertion(String clientId, Object audience, Instant now, String jti) throws Exception {
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(clientId).subject(clientId)
                    .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(60))).jwtID(jti);
            claims = audience instanceof String s ? claims.audience(s) : claims.claim("aud", audience);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.PS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims.build());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        }
    }

    private Harness h;
    private Keys keys;

    @BeforeEach
    void start() throws Exception {
        keys = Keys.create();
        h = new Harness(b -> b.clientJwks(id -> FakeBank.TPP.equals(id) ? Optional.of(keys.publicJwks())
                : Optional.empty()));
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private Map<String, Object> jwtParForm(Harness.Pkce pkce, String assertion) {
        Map<String, Object> form = h.parForm(FakeBank.TPP, pkce, "openid AIS:" + FakeBank.CONSENT);
        form.remove("client_id");
        form.put("client_assertion_type", AuthorizationServer.JWT_BEARER);
        form.put("client_assertion", assertion);
        return form;
    }

    private static void assertError(HttpResponse<String> r, int status, String error) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(Harness.json(r)).containsEntry("error", error);
    }

    @Test
    void privateKeyJwtWorksAtParAndToken() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        HttpResponse<String> par = h.post(h.tpp, AuthorizationServer.PAR_PATH,
                jwtParForm(pkce, keys.assertion(FakeBank.TPP, h.base.toString(), h.clock.instant())));
        assertThat(par.statusCode()).as(par.body()).isEqualTo(201);
        HttpResponse<String> page = h.authorizeGet((String) Harness.json(par).get("request_uri"));
        Map<String, String> params = Harness.redirectParams(
                h.decide(h.login(page, "alice", "alice-secret"), "approve", java.util.List.of()));

        Map<String, Object> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", params.get("code"));
        form.put("redirect_uri", Harness.REDIRECT_URI);
        form.put("code_verifier", pkce.verifier());
        form.put("client_assertion_type", AuthorizationServer.JWT_BEARER);
        form.put("client_assertion", keys.assertion(FakeBank.TPP, h.base.toString(), h.clock.instant()));
        HttpResponse<String> token = h.post(h.tpp, AuthorizationServer.TOKEN_PATH, form);
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        Grant grant = h.as.grants().accessToken((String) Harness.json(token).get("access_token")).orElseThrow();
        assertThat(grant.clientId()).isEqualTo(FakeBank.TPP);
        // Still bound to the TLS client certificate.
        assertThat(grant.certThumbprintS256()).isEqualTo(Grant.thumbprintS256(Harness.PKI.qwac().certificate()));
    }

    @Test
    void privateKeyJwtRefusals() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        Instant now = h.clock.instant();
        // Replayed assertion (same jti).
        String assertion = keys.assertion(FakeBank.TPP, h.base.toString(), now);
        assertThat(h.post(h.tpp, AuthorizationServer.PAR_PATH, jwtParForm(pkce, assertion)).statusCode())
                .isEqualTo(201);
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, jwtParForm(pkce, assertion)), 401, "invalid_client");
        // Audience other than the issuer (FAPI 2.0: the issuer is the only accepted audience).
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, jwtParForm(pkce,
                keys.assertion(FakeBank.TPP, h.base + AuthorizationServer.PAR_PATH, now))), 401, "invalid_client");
        // Expired.
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, jwtParForm(pkce,
                keys.assertion(FakeBank.TPP, h.base.toString(), now.minusSeconds(120)))), 401, "invalid_client");
        // Signed with another key.
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, jwtParForm(pkce,
                Keys.create().assertion(FakeBank.TPP, h.base.toString(), now))), 401, "invalid_client");
        // A client without registered keys.
        Map<String, Object> other = jwtParForm(pkce, keys.assertion(FakeBank.OTHER_TPP, h.base.toString(), now));
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, other), 401, "invalid_client");
        // client_id contradicting the assertion.
        Map<String, Object> contradicting = jwtParForm(pkce, keys.assertion(FakeBank.TPP, h.base.toString(), now));
        contradicting.put("client_id", FakeBank.OTHER_TPP);
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, contradicting), 401, "invalid_client");
        // No client certificate: tokens could not be bound.
        assertError(h.post(h.browser, AuthorizationServer.PAR_PATH, jwtParForm(pkce,
                keys.assertion(FakeBank.TPP, h.base.toString(), now))), 401, "invalid_client");
    }

    @Test
    void tlsClientAuthNeedsTheOrganisationOfTheClientInTheCertificate() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH,
                h.parForm(FakeBank.OTHER_TPP, pkce, "openid AIS:" + FakeBank.CONSENT)), 401, "invalid_client");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH,
                h.parForm("PSDDE-BAFIN-999999", pkce, "openid AIS:" + FakeBank.CONSENT)), 401, "invalid_client");
        Map<String, Object> noClientId = h.parForm(FakeBank.TPP, pkce, "openid AIS:" + FakeBank.CONSENT);
        noClientId.remove("client_id");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, noClientId), 401, "invalid_client");
        // Another certificate of the same organisation authenticates the same client.
        assertThat(h.post(Harness.client(Harness.PKI.qwac(TestPki.Variant.NO_AI_ROLE)), AuthorizationServer.PAR_PATH,
                h.parForm(FakeBank.TPP, pkce, "openid AIS:" + FakeBank.CONSENT)).statusCode()).isEqualTo(201);
    }

    @Test
    void parChecksTheAuthorisationRequest() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        String scope = "openid AIS:" + FakeBank.CONSENT;

        Map<String, Object> noPkce = h.parForm(FakeBank.TPP, pkce, scope);
        noPkce.remove("code_challenge");
        noPkce.remove("code_challenge_method");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, noPkce), 400, "invalid_request");

        Map<String, Object> plain = h.parForm(FakeBank.TPP, pkce, scope);
        plain.put("code_challenge_method", "plain");
        plain.put("code_challenge", pkce.verifier());
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, plain), 400, "invalid_request");

        Map<String, Object> noMethod = h.parForm(FakeBank.TPP, pkce, scope);
        noMethod.remove("code_challenge_method");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, noMethod), 400, "invalid_request");

        Map<String, Object> noRedirect = h.parForm(FakeBank.TPP, pkce, scope);
        noRedirect.remove("redirect_uri");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, noRedirect), 400, "invalid_request");

        Map<String, Object> httpRedirect = h.parForm(FakeBank.TPP, pkce, scope);
        httpRedirect.put("redirect_uri", "http://tpp.example/cb");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, httpRedirect), 400, "invalid_request");

        Map<String, Object> fragment = h.parForm(FakeBank.TPP, pkce, scope);
        fragment.put("redirect_uri", "https://tpp.example/cb#x");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, fragment), 400, "invalid_request");

        Map<String, Object> token = h.parForm(FakeBank.TPP, pkce, scope);
        token.put("response_type", "token");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, token), 400, "unsupported_response_type");

        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, h.parForm(FakeBank.TPP, pkce, "openid")), 400,
                "invalid_scope");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, h.parForm(FakeBank.TPP, pkce, "AIS:unknown")), 400,
                "invalid_scope");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH,
                h.parForm(FakeBank.TPP, pkce, scope + " PIS:payment-1")), 400, "invalid_scope");
        h.bank.setStatus(FakeBank.CONSENT, "rejected");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, h.parForm(FakeBank.TPP, pkce, scope)), 400,
                "invalid_scope");
        h.bank.setStatus(FakeBank.CONSENT, "received");

        Map<String, Object> withRequestUri = h.parForm(FakeBank.TPP, pkce, scope);
        withRequestUri.put("request_uri", "urn:ietf:params:oauth:request_uri:x");
        assertError(h.post(h.tpp, AuthorizationServer.PAR_PATH, withRequestUri), 400, "invalid_request");

        // A loopback http redirect URI is accepted (local development).
        Map<String, Object> loopback = h.parForm(FakeBank.TPP, pkce, scope);
        loopback.put("redirect_uri", "http://127.0.0.1:8080/callback");
        assertThat(h.post(h.tpp, AuthorizationServer.PAR_PATH, loopback).statusCode()).isEqualTo(201);
    }
}
