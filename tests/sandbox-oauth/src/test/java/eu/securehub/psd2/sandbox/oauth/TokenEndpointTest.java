package eu.securehub.psd2.sandbox.oauth;

import eu.securehub.psd2.testpki.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The token endpoint's refusals, answered as RFC 6749 JSON errors. */
class TokenEndpointTest {

    private Harness h;

    @BeforeEach
    void start() {
        h = new Harness(b -> b.accessTokenLifetime(Duration.ofSeconds(30)));
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private static void assertError(HttpResponse<String> r, int status, String error) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        Map<String, Object> body = Harness.json(r);
        assertThat(body).containsEntry("error", error);
        assertThat(body.keySet()).isSubsetOf("error", "error_description");
        assertThat(r.body()).doesNotContain("Exception", "\tat ", "eu.securehub");
    }

    @Test
    void wrongPkceVerifierIsInvalidGrant() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        String code = h.authorise(pkce).get("code");
        assertError(h.exchange(h.tpp, code, Harness.Pkce.create()), 400, "invalid_grant");
        // A failed attempt consumes the code.
        assertError(h.exchange(h.tpp, code, pkce), 400, "invalid_grant");
    }

    @Test
    void missingVerifierIsInvalidGrant() throws Exception {
        String code = h.authorise(Harness.Pkce.create()).get("code");
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "authorization_code",
                "client_id", FakeBank.TPP, "code", code, "redirect_uri", Harness.REDIRECT_URI)), 400, "invalid_grant");
    }

    @Test
    void reusedCodeIsInvalidGrantAndRevokesTheTokensItGave() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        String code = h.authorise(pkce).get("code");
        HttpResponse<String> first = h.exchange(h.tpp, code, pkce);
        assertThat(first.statusCode()).isEqualTo(200);
        Map<String, Object> tokens = Harness.json(first);
        assertThat(h.as.grants().accessToken((String) tokens.get("access_token"))).isPresent();

        assertError(h.exchange(h.tpp, code, pkce), 400, "invalid_grant");
        assertThat(h.as.grants().accessToken((String) tokens.get("access_token"))).isEmpty();
        assertError(h.refresh(h.tpp, (String) tokens.get("refresh_token")), 400, "invalid_grant");
    }

    @Test
    void expiredCodeIsInvalidGrant() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        String code = h.authorise(pkce).get("code");
        h.clock.advance(Duration.ofSeconds(60));
        assertError(h.exchange(h.tpp, code, pkce), 400, "invalid_grant");
    }

    @Test
    void codeJustBeforeExpiryWorks() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        String code = h.authorise(pkce).get("code");
        h.clock.advance(Duration.ofSeconds(59));
        assertThat(h.exchange(h.tpp, code, pkce).statusCode()).isEqualTo(200);
    }

    @Test
    void wrongOrMissingRedirectUriIsInvalidGrant() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        String code = h.authorise(pkce).get("code");
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "authorization_code",
                "client_id", FakeBank.TPP, "code", code, "redirect_uri", "https://tpp.example/other",
                "code_verifier", pkce.verifier())), 400, "invalid_grant");

        Harness.Pkce pkce2 = Harness.Pkce.create();
        String code2 = h.authorise(pkce2).get("code");
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "authorization_code",
                "client_id", FakeBank.TPP, "code", code2, "code_verifier", pkce2.verifier())), 400, "invalid_grant");
    }

    @Test
    void clientIdNotMatchingTheCertificateIsInvalidClient() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        String code = h.authorise(pkce).get("code");
        // The QWAC says PSDDE-BAFIN-000001; claiming to be another registered TPP fails client authentication.
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "authorization_code",
                "client_id", FakeBank.OTHER_TPP, "code", code, "redirect_uri", Harness.REDIRECT_URI,
                "code_verifier", pkce.verifier())), 401, "invalid_client");
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "authorization_code",
                "client_id", "PSDDE-BAFIN-999999", "code", code, "redirect_uri", Harness.REDIRECT_URI,
                "code_verifier", pkce.verifier())), 401, "invalid_client");
        // Failed client authentication does not consume the code.
        assertThat(h.exchange(h.tpp, code, pkce).statusCode()).isEqualTo(200);
    }

    @Test
    void codeOfAnotherClientIsInvalidGrant() throws Exception {
        h.close();
        ClientAuthTest.Keys otherKeys = ClientAuthTest.Keys.create();
        h = new Harness(b -> b.clientJwks(id -> FakeBank.OTHER_TPP.equals(id)
                ? java.util.Optional.of(otherKeys.publicJwks()) : java.util.Optional.empty()));
        Harness.Pkce pkce = Harness.Pkce.create();
        String code = h.authorise(pkce).get("code");
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", Harness.REDIRECT_URI);
        form.put("code_verifier", pkce.verifier());
        form.put("client_assertion_type", AuthorizationServer.JWT_BEARER);
        form.put("client_assertion", otherKeys.assertion(FakeBank.OTHER_TPP, h.base.toString(), h.clock.instant()));
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, form), 400, "invalid_grant");
    }

    @Test
    void anotherCertificateThanAtParIsInvalidGrant() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        String code = h.authorise(pkce).get("code");
        // Same organisation, same CA, but not the certificate of the PAR.
        HttpClient otherCert = Harness.client(Harness.PKI.qwac(TestPki.Variant.NO_AI_ROLE));
        assertError(h.exchange(otherCert, code, pkce), 400, "invalid_grant");
    }

    @Test
    void missingClientCertificateAtParAndTokenIsInvalidClient() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        assertError(h.post(h.browser, AuthorizationServer.PAR_PATH,
                h.parForm(FakeBank.TPP, pkce, "openid AIS:" + FakeBank.CONSENT)), 401, "invalid_client");
        String code = h.authorise(pkce).get("code");
        assertError(h.exchange(h.browser, code, pkce), 401, "invalid_client");
    }

    @Test
    void reusedRefreshTokenAfterRotationIsInvalidGrant() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        Map<String, Object> tokens = Harness.json(h.exchange(h.tpp, h.authorise(pkce).get("code"), pkce));
        String oldRefresh = (String) tokens.get("refresh_token");
        HttpResponse<String> rotated = h.refresh(h.tpp, oldRefresh);
        assertThat(rotated.statusCode()).isEqualTo(200);
        Map<String, Object> next = Harness.json(rotated);

        assertError(h.refresh(h.tpp, oldRefresh), 400, "invalid_grant");
        // Reuse means the token leaked: the whole grant is revoked (RFC 9700 §4.14.2).
        assertError(h.refresh(h.tpp, (String) next.get("refresh_token")), 400, "invalid_grant");
        assertThat(h.as.grants().accessToken((String) next.get("access_token"))).isEmpty();
        assertThat(h.as.refreshTokenReuses()).as("the reuse is counted, for tests that must never cause one").isEqualTo(1);
    }

    @Test
    void refreshByAnotherClientOrWithoutCertificateFails() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        Map<String, Object> tokens = Harness.json(h.exchange(h.tpp, h.authorise(pkce).get("code"), pkce));
        String refresh = (String) tokens.get("refresh_token");
        assertError(h.refresh(h.browser, refresh), 401, "invalid_client");
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "refresh_token",
                "client_id", FakeBank.OTHER_TPP, "refresh_token", refresh)), 401, "invalid_client");
        assertError(h.refresh(h.tpp, "not-a-token"), 400, "invalid_grant");
        // Still usable by its client.
        assertThat(h.refresh(h.tpp, refresh).statusCode()).isEqualTo(200);
    }

    @Test
    void refreshOfARevokedConsentFails() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        Map<String, Object> tokens = Harness.json(h.exchange(h.tpp, h.authorise(pkce).get("code"), pkce));
        h.bank.setStatus(FakeBank.CONSENT, "revokedByPsu");
        assertError(h.refresh(h.tpp, (String) tokens.get("refresh_token")), 400, "invalid_grant");
    }

    @Test
    void accessTokensExpireAfterTheConfiguredLifetimeAndRefreshGivesANewOne() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        Map<String, Object> tokens = Harness.json(h.exchange(h.tpp, h.authorise(pkce).get("code"), pkce));
        assertThat(((Number) tokens.get("expires_in")).longValue()).isEqualTo(30);
        String access = (String) tokens.get("access_token");
        h.clock.advance(Duration.ofSeconds(29));
        assertThat(h.accounts(h.tpp, access).statusCode()).isEqualTo(200);
        h.clock.advance(Duration.ofSeconds(1));
        assertThat(h.as.grants().accessToken(access)).isEmpty();
        assertThat(h.accounts(h.tpp, access).statusCode()).isEqualTo(401);
        Map<String, Object> next = Harness.json(h.refresh(h.tpp, (String) tokens.get("refresh_token")));
        assertThat(h.accounts(h.tpp, (String) next.get("access_token")).statusCode()).isEqualTo(200);
    }

    @Test
    void badRequestsAreRfc6749Errors() throws Exception {
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "password",
                "client_id", FakeBank.TPP, "username", "alice", "password", "alice-secret")), 400,
                "unsupported_grant_type");
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("client_id", FakeBank.TPP)), 400,
                "invalid_request");
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "authorization_code",
                "client_id", FakeBank.TPP, "code", "unknown", "redirect_uri", Harness.REDIRECT_URI,
                "code_verifier", Harness.Pkce.create().verifier())), 400, "invalid_grant");
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type",
                List.of("authorization_code", "refresh_token"), "client_id", FakeBank.TPP)), 400, "invalid_request");
        assertError(h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "refresh_token",
                "client_id", FakeBank.TPP, "client_secret", "s", "refresh_token", "x")), 401, "invalid_client");
        assertError(h.get(h.tpp, AuthorizationServer.TOKEN_PATH), 405, "invalid_request");
        HttpResponse<String> json = h.tpp.send(HttpRequest.newBuilder(h.base.resolve(AuthorizationServer.TOKEN_PATH))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(json, 400, "invalid_request");
    }
}
