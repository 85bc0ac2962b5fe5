package eu.securehub.psd2.sandbox.oauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole flow a TPP and a person go through: PAR, login and consent pages, code, tokens, refresh. */
class AuthorizationFlowTest {

    private Harness h;

    @BeforeEach
    void start() {
        h = new Harness();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    @Test
    void happyPathFromParToRefresh() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();

        HttpResponse<String> parResponse = h.post(h.tpp, AuthorizationServer.PAR_PATH,
                h.parForm(FakeBank.TPP, pkce, "openid AIS:" + FakeBank.CONSENT));
        assertThat(parResponse.statusCode()).isEqualTo(201);
        Map<String, Object> par = Harness.json(parResponse);
        assertThat((String) par.get("request_uri")).startsWith("urn:ietf:params:oauth:request_uri:");
        assertThat(((Number) par.get("expires_in")).longValue()).isEqualTo(60);
        assertThat(parResponse.headers().firstValue("Cache-Control")).hasValue("no-store");

        // The login page, as a browser (no client certificate) gets it.
        HttpResponse<String> login = h.authorizeGet((String) par.get("request_uri"));
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(login.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(login.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(login.body())
                .contains("<html lang=\"en\">", "<title>Log in – Alpha Bank</title>", "<h1>Log in to Alpha Bank</h1>")
                .contains("<label for=\"username\">Username</label>", "<input id=\"username\" name=\"username\"")
                .contains("<label for=\"password\">Password</label>",
                        "<input id=\"password\" name=\"password\" type=\"password\"")
                .contains("<form method=\"post\" action=\"/oauth/authorize\">")
                .contains("<button type=\"submit\" class=\"primary\" name=\"action\" value=\"login\">Log in</button>")
                .contains(FakeBank.TPP)
                .doesNotContain("<script");

        HttpResponse<String> consent = h.login(login, "alice", "alice-secret");
        assertThat(consent.statusCode()).isEqualTo(200);
        assertThat(consent.body())
                .contains("<h1>Approve access to your accounts</h1>")
                .contains("<li>Balances of DE89 3704 0044 0532 0130 00</li>",
                        "<li>Transactions of DE89 3704 0044 0532 0130 00</li>")
                .contains("2030-12-31", "up to 4 times a day")
                .contains("value=\"approve\">Approve</button>", "value=\"deny\">Deny</button>")
                .doesNotContain("type=\"checkbox\"");
        assertThat(Harness.hidden(consent, "csrf_token")).isNotEqualTo(Harness.hidden(login, "csrf_token"));

        HttpResponse<String> redirect = h.decide(consent, "approve", List.of());
        assertThat(redirect.statusCode()).isEqualTo(302);
        Map<String, String> params = Harness.redirectParams(redirect);
        assertThat(params).containsEntry("state", "state-123").containsEntry("iss", h.base.toString())
                .containsKey("code").doesNotContainKey("error");
        assertThat(h.bank.approvals).containsExactly(
                new FakeBank.Approval(FakeBank.CONSENT, "customer-alice", List.of()));

        HttpResponse<String> tokenResponse = h.exchange(h.tpp, params.get("code"), pkce);
        assertThat(tokenResponse.statusCode()).as(tokenResponse.body()).isEqualTo(200);
        assertThat(tokenResponse.headers().firstValue("Cache-Control")).hasValue("no-store");
        Map<String, Object> tokens = Harness.json(tokenResponse);
        assertThat(tokens).containsEntry("token_type", "Bearer").containsEntry("scope", "openid AIS:consent-1")
                .containsKeys("access_token", "refresh_token", "id_token");
        assertThat(((Number) tokens.get("expires_in")).longValue()).isEqualTo(300);

        // The access token is opaque and bound to the QWAC (RFC 8705).
        String accessToken = (String) tokens.get("access_token");
        assertThat(accessToken).doesNotContain(".");
        Grant grant = h.as.grants().accessToken(accessToken).orElseThrow();
        assertThat(grant.clientId()).isEqualTo(FakeBank.TPP);
        assertThat(grant.consentId()).isEqualTo(FakeBank.CONSENT);
        assertThat(grant.customerId()).isEqualTo("customer-alice");
        assertThat(grant.scope()).isEqualTo("openid AIS:consent-1");
        assertThat(grant.certThumbprintS256()).isEqualTo(Grant.thumbprintS256(Harness.PKI.qwac().certificate()));
        assertThat(grant.expiresAt()).isEqualTo(h.clock.instant().plusSeconds(300));
        assertThat(grant.boundTo(Harness.PKI.qwac().certificate())).isTrue();
        assertThat(grant.boundTo(Harness.PKI.qwac(eu.securehub.psd2.testpki.TestPki.Variant.NO_AI_ROLE)
                .certificate())).isFalse();
        assertThat(h.accounts(h.tpp, accessToken).statusCode()).isEqualTo(200);
        // The same token over a connection with another certificate (or none) is refused by the resource server.
        assertThat(h.accounts(h.browser, accessToken).statusCode()).isEqualTo(401);
        assertThat(h.accounts(Harness.client(Harness.PKI.qwac(eu.securehub.psd2.testpki.TestPki.Variant.NO_AI_ROLE)),
                accessToken).statusCode()).isEqualTo(401);

        // The id token, verified with the published JWKS.
        JWKSet jwks = JWKSet.parse(h.get(h.browser, AuthorizationServer.JWKS_PATH).body());
        SignedJWT idToken = SignedJWT.parse((String) tokens.get("id_token"));
        assertThat(idToken.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
        String kid = idToken.getHeader().getKeyID();
        assertThat(kid).isNotBlank();
        RSAKey key = (RSAKey) jwks.getKeyByKeyId(kid);
        assertThat(key).isNotNull();
        assertThat(key.isPrivate()).isFalse();
        assertThat(idToken.verify(new RSASSAVerifier(key))).isTrue();
        JWTClaimsSet claims = idToken.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(h.base.toString());
        assertThat(claims.getSubject()).isEqualTo("customer-alice");
        assertThat(claims.getAudience()).containsExactly(FakeBank.TPP);
        assertThat(claims.getStringClaim("nonce")).isEqualTo("nonce-456");
        Instant now = h.clock.instant();
        assertThat(claims.getIssueTime().toInstant()).isBetween(now.minusSeconds(1), now.plusSeconds(1));
        assertThat(claims.getExpirationTime().toInstant()).isAfter(now);

        // Refresh: new tokens, rotation.
        h.clock.advance(Duration.ofSeconds(10));
        HttpResponse<String> refreshed = h.refresh(h.tpp, (String) tokens.get("refresh_token"));
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        Map<String, Object> next = Harness.json(refreshed);
        assertThat(next.get("access_token")).isNotEqualTo(accessToken);
        assertThat(next.get("refresh_token")).isNotEqualTo(tokens.get("refresh_token"));
        assertThat(next).containsEntry("scope", "openid AIS:consent-1").containsKey("id_token");
        assertThat(h.accounts(h.tpp, (String) next.get("access_token")).statusCode()).isEqualTo(200);
        SignedJWT refreshedId = SignedJWT.parse((String) next.get("id_token"));
        assertThat(refreshedId.verify(new RSASSAVerifier(key))).isTrue();
        assertThat(refreshedId.getJWTClaimsSet().getSubject()).isEqualTo("customer-alice");

        // And the rotated refresh token keeps working.
        HttpResponse<String> again = h.refresh(h.tpp, (String) next.get("refresh_token"));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    }

    @Test
    void withoutOpenidScopeThereIsNoIdToken() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        HttpResponse<String> page = h.authorizeGet(h.par(pkce, "AIS:" + FakeBank.CONSENT));
        Map<String, String> params = Harness.redirectParams(
                h.decide(h.login(page, "alice", "alice-secret"), "approve", List.of()));
        Map<String, Object> tokens = Harness.json(h.exchange(h.tpp, params.get("code"), pkce));
        assertThat(tokens).containsKeys("access_token", "refresh_token").doesNotContainKey("id_token")
                .containsEntry("scope", "AIS:consent-1");
    }

    @Test
    void theCustomerChoosesAccountsWhenTheConsentLeavesTheChoice() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        HttpResponse<String> consent = h.login(h.authorizeGet(h.par(pkce, "openid AIS:" + FakeBank.BANK_OFFERED_CONSENT)),
                "bob", "bob-secret");
        assertThat(consent.body())
                .contains("<legend>Choose the accounts to share</legend>")
                .contains("<input type=\"checkbox\" id=\"account-0\" name=\"account\" value=\"acc-1\">"
                        + "<label for=\"account-0\">Current account – DE89370400440532013000</label>")
                .contains("<label for=\"account-1\">Savings account – DE02120300000000202051</label>");

        HttpResponse<String> none = h.decide(consent, "approve", List.of());
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(none.body()).contains("role=\"alert\"", "Choose at least one of the accounts listed.");
        assertThat(h.bank.approvals).isEmpty();

        HttpResponse<String> redirect = h.decide(none, "approve", List.of("acc-2"));
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(Harness.redirectParams(redirect)).containsKey("code");
        assertThat(h.bank.approvals).containsExactly(
                new FakeBank.Approval(FakeBank.BANK_OFFERED_CONSENT, "customer-bob", List.of("acc-2")));
    }

    @Test
    void denyRedirectsWithAccessDeniedStateAndIss() throws Exception {
        HttpResponse<String> consent = h.login(h.authorizeGet(h.par(Harness.Pkce.create())), "alice", "alice-secret");
        HttpResponse<String> redirect = h.decide(consent, "deny", List.of());
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(Harness.redirectParams(redirect)).containsEntry("error", "access_denied")
                .containsEntry("state", "state-123").containsEntry("iss", h.base.toString()).doesNotContainKey("code");
        assertThat(h.bank.rejections).containsExactly(FakeBank.CONSENT);
        assertThat(h.bank.approvals).isEmpty();
        // The finished authorisation cannot be approved afterwards.
        assertThat(h.decide(consent, "approve", List.of()).statusCode()).isEqualTo(400);
    }

    @Test
    void cancelOnTheLoginPageIsAccessDenied() throws Exception {
        HttpResponse<String> page = h.authorizeGet(h.par(Harness.Pkce.create()));
        HttpResponse<String> redirect = h.post(h.browser, AuthorizationServer.AUTHORIZE_PATH, Map.of(
                "tx", Harness.hidden(page, "tx"), "csrf_token", Harness.hidden(page, "csrf_token"),
                "action", "cancel"));
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(Harness.redirectParams(redirect)).containsEntry("error", "access_denied")
                .containsEntry("iss", h.base.toString());
    }

    @Test
    void wrongPasswordShowsTheLoginPageAgainAndFiveFailuresEndTheAuthorisation() throws Exception {
        HttpResponse<String> page = h.authorizeGet(h.par(Harness.Pkce.create()));
        for (int i = 1; i < AuthorizationServer.MAX_LOGIN_ATTEMPTS; i++) {
            HttpResponse<String> again = h.login(page, "alice", "wrong");
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.body()).contains("role=\"alert\"", "The username or password is not correct.",
                    "aria-invalid=\"true\"").doesNotContain("wrong");
            // The previous page's token is no longer accepted.
            assertThat(h.login(page, "alice", "alice-secret").statusCode()).isEqualTo(403);
            page = again;
        }
        HttpResponse<String> last = h.login(page, "alice", "wrong");
        assertThat(last.statusCode()).isEqualTo(302);
        assertThat(Harness.redirectParams(last)).containsEntry("error", "access_denied");
    }

    @Test
    void aMissingOrWrongCsrfTokenIsRefused() throws Exception {
        HttpResponse<String> page = h.authorizeGet(h.par(Harness.Pkce.create()));
        String tx = Harness.hidden(page, "tx");

        HttpResponse<String> missing = h.post(h.browser, AuthorizationServer.AUTHORIZE_PATH, Map.of(
                "tx", tx, "username", "alice", "password", "alice-secret", "action", "login"));
        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(missing.headers().firstValue("Location")).isEmpty();
        assertThat(missing.body()).contains("Form not accepted");

        HttpResponse<String> wrong = h.post(h.browser, AuthorizationServer.AUTHORIZE_PATH, Map.of(
                "tx", tx, "csrf_token", "forged", "username", "alice", "password", "alice-secret",
                "action", "login"));
        assertThat(wrong.statusCode()).isEqualTo(403);

        // Without the transaction either.
        assertThat(h.post(h.browser, AuthorizationServer.AUTHORIZE_PATH, Map.of(
                "csrf_token", Harness.hidden(page, "csrf_token"), "username", "alice", "password", "alice-secret",
                "action", "login")).statusCode()).isEqualTo(400);

        // The real page still works; consent approval needs the consent page's own token.
        HttpResponse<String> consent = h.login(page, "alice", "alice-secret");
        assertThat(consent.statusCode()).isEqualTo(200);
        HttpResponse<String> withLoginToken = h.post(h.browser, AuthorizationServer.AUTHORIZE_PATH, Map.of(
                "tx", tx, "csrf_token", Harness.hidden(page, "csrf_token"), "action", "approve"));
        assertThat(withLoginToken.statusCode()).isEqualTo(403);
        assertThat(h.bank.approvals).isEmpty();
        assertThat(h.decide(consent, "approve", List.of()).statusCode()).isEqualTo(302);
    }

    @Test
    void unknownReusedOrExpiredRequestUriShowsAnErrorPageAndNeverRedirects() throws Exception {
        HttpResponse<String> unknown = h.authorizeGet("urn:ietf:params:oauth:request_uri:nope");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.headers().firstValue("Location")).isEmpty();
        assertThat(unknown.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(unknown.body()).contains("<h1>Unknown authorisation request</h1>");

        String requestUri = h.par(Harness.Pkce.create());
        assertThat(h.authorizeGet(requestUri).statusCode()).isEqualTo(200);
        HttpResponse<String> reused = h.authorizeGet(requestUri);
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(reused.headers().firstValue("Location")).isEmpty();

        String expiring = h.par(Harness.Pkce.create());
        h.clock.advance(Duration.ofSeconds(61));
        HttpResponse<String> expired = h.authorizeGet(expiring);
        assertThat(expired.statusCode()).isEqualTo(400);
        assertThat(expired.headers().firstValue("Location")).isEmpty();
        assertThat(expired.body()).doesNotContain(Harness.REDIRECT_URI);

        // Without request_uri (no PAR) or with another client's id: also an error page.
        assertThat(h.get(h.browser, AuthorizationServer.AUTHORIZE_PATH + "?client_id=" + FakeBank.TPP
                + "&response_type=code&redirect_uri=" + Harness.enc("https://evil.example/cb")).statusCode())
                .isEqualTo(400);
        String other = h.par(Harness.Pkce.create());
        HttpResponse<String> otherClient = h.get(h.browser, AuthorizationServer.AUTHORIZE_PATH + "?client_id="
                + FakeBank.OTHER_TPP + "&request_uri=" + Harness.enc(other));
        assertThat(otherClient.statusCode()).isEqualTo(400);
        assertThat(otherClient.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void theLoginMustFinishWithinTheLoginLifetime() throws Exception {
        HttpResponse<String> page = h.authorizeGet(h.par(Harness.Pkce.create()));
        h.clock.advance(Duration.ofMinutes(11));
        HttpResponse<String> late = h.login(page, "alice", "alice-secret");
        assertThat(late.statusCode()).isEqualTo(400);
        assertThat(late.headers().firstValue("Location")).isEmpty();
    }
}
