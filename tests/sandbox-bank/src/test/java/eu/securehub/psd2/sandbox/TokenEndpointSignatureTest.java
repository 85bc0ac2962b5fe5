package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange.SignatureCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * QSEAL signatures on the OAuth endpoints of a bank that requires signatures: POST /oauth/token always (the code
 * exchange and the refresh), POST /oauth/par with requireParSignatures; what is accepted, each refusal as an OAuth
 * error naming the Berlin Group code, the record of every checked call, and banks without signatures as before.
 */
class TokenEndpointSignatureTest extends BankTestBase {

  private static RequestSigner seal() {
    return RequestSigner.with(pki().qseal());
  }

  private SandboxBank signingBank() throws Exception {
    return start("alpha", List.of(pki().rootCa(), ExtraCertificates.get().extraRoot.certificate()),
        b -> b.requireSignatures(true));
  }

  private static String annasIban(SandboxBank bank) {
    return bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
  }

  private static void assertOAuthError(HttpResponse<String> r, int status, String error, String code)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode body = json(r);
    assertThat(body.path("error").asText()).as(r.body()).isEqualTo(error);
    assertThat(body.path("error_description").asText()).as(r.body()).startsWith(code + ": ");
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(body.has("access_token")).isFalse();
  }

  /** POSTs a form over the TPP's connection with exactly these headers (already signed, or not). */
  private static HttpResponse<String> post(Tpp tpp, String path, Map<String, String> headers, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(tpp.bank.baseUrl() + path));
    headers.forEach(b::header);
    return tpp.http.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, String> formHeaders() {
    return Tpp.headers("Content-Type", "application/x-www-form-urlencoded");
  }

  @Test
  void signedCodeExchangeAndRefreshAreAcceptedAndRecorded() throws Exception {
    SandboxBank bank = signingBank();
    Tpp tpp = tpp(bank).signingWith(seal());
    String consentId = tpp.createConsent(Tpp.consentBody(annasIban(bank)));
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    assertThat(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true).statusCode()).isEqualTo(200);

    HttpResponse<String> refreshed = tpp.refresh(tokens.refreshToken());
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    String newToken = json(refreshed).path("access_token").asText();
    assertThat(tpp.read("/v1/accounts", consentId, newToken, true).statusCode()).isEqualTo(200);

    assertThat(bank.tokenEndpointCalls()).extracting(TokenEndpointCall::endpoint, TokenEndpointCall::grantType,
            TokenEndpointCall::status, TokenEndpointCall::signature)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("/oauth/token", "authorization_code", 200, SignatureCheck.VALID),
            org.assertj.core.groups.Tuple.tuple("/oauth/token", "refresh_token", 200, SignatureCheck.VALID));
    assertThat(bank.tokenEndpointCalls()).allSatisfy(c -> {
      assertThat(c.signedAndValid()).isTrue();
      assertThat(Http.isUuid(c.requestId())).as(c.requestId()).isTrue();
    });
    assertThat(bank.tokenEndpointSignatures()).containsExactly(SignatureCheck.VALID, SignatureCheck.VALID);
    // The authorisation server read the replayed form as before: grants counted, access tokens remembered.
    assertThat(bank.tokenGrants("authorization_code")).isEqualTo(1);
    assertThat(bank.tokenGrants("refresh_token")).isEqualTo(1);
    assertThat(bank.unsignedOrInvalid()).isEmpty();
    // The (signed) PAR is not checked without requireParSignatures: only token calls are recorded.
    assertThat(bank.tokenEndpointCalls()).noneSatisfy(c -> assertThat(c.endpoint()).isEqualTo("/oauth/par"));
  }

  @Test
  void anUnsignedCodeExchangeIsInvalidRequestAndTheCodeStaysUsable() throws Exception {
    SandboxBank bank = signingBank();
    Tpp tpp = tpp(bank).signingWith(seal());
    String consentId = tpp.createConsent(Tpp.consentBody(annasIban(bank)));
    Tpp.Code code = tpp.authoriseForCode(consentId, "anna", "anna-sandbox-1", List.of(), true);

    assertOAuthError(tpp.signingWith(null).exchange(code), 400, "invalid_request", "SIGNATURE_MISSING");
    assertThat(bank.tokenGrants("authorization_code")).isZero();
    // Refused before the authorisation server saw it: the code was not used up.
    HttpResponse<String> signed = tpp.exchange(code);
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);

    assertThat(bank.tokenEndpointCalls()).extracting(TokenEndpointCall::grantType, TokenEndpointCall::status,
            TokenEndpointCall::signature)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("authorization_code", 400, SignatureCheck.MISSING),
            org.assertj.core.groups.Tuple.tuple("authorization_code", 200, SignatureCheck.VALID));
    assertThat(bank.unsignedOrInvalid()).as("the /v1 exchanges were all signed").isEmpty();
  }

  @Test
  void eachRefusalNamesItsCode() throws Exception {
    SandboxBank bank = signingBank();
    Tpp tpp = tpp(bank).signingWith(seal());
    String consentId = tpp.createConsent(Tpp.consentBody(annasIban(bank)));
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    assertThat(bank.tokenEndpointSignatures()).containsExactly(SignatureCheck.VALID);
    String form = Tpp.encodeForm(Map.of("grant_type", "refresh_token", "refresh_token", tokens.refreshToken(),
        "client_id", eu.securehub.psd2.testpki.TestPki.ORGANIZATION_IDENTIFIER));
    byte[] bytes = form.getBytes(StandardCharsets.UTF_8);

    // One signature header missing.
    for (String header : List.of("Digest", "Signature", "TPP-Signature-Certificate")) {
      Map<String, String> h = seal().sign("POST", "/oauth/token", formHeaders(), bytes);
      h.remove(header);
      assertOAuthError(post(tpp, "/oauth/token", h, form), 400, "invalid_request", "SIGNATURE_MISSING");
    }
    // The form changed after signing (the Digest is over the raw body).
    Map<String, String> tampered = seal().sign("POST", "/oauth/token", formHeaders(), bytes);
    assertOAuthError(post(tpp, "/oauth/token", tampered, form + "&scope=openid"), 401, "invalid_client",
        "SIGNATURE_INVALID");
    // Another key, X-Request-ID not signed, a wrong keyId.
    for (RequestSigner wrong : List.of(seal().withKey(pki().qwac().key()), seal().leavingUnsigned("x-request-id"),
        seal().withKeyId("SN=1A2B,CA=CN=Nobody"))) {
      assertOAuthError(post(tpp, "/oauth/token", wrong.sign("POST", "/oauth/token", formHeaders(), bytes), form),
          401, "invalid_client", "SIGNATURE_INVALID");
    }
    // Seals that are not the TPP's valid QSEAL.
    ExtraCertificates extra = ExtraCertificates.get();
    assertOAuthError(post(tpp, "/oauth/token", RequestSigner.with(pki().qwac()).sign("POST", "/oauth/token",
        formHeaders(), bytes), form), 401, "invalid_client", "CERTIFICATE_INVALID");
    assertOAuthError(post(tpp, "/oauth/token", RequestSigner.with(extra.otherOrganisationSeal).sign("POST",
        "/oauth/token", formHeaders(), bytes), form), 401, "invalid_client", "CERTIFICATE_INVALID");
    assertOAuthError(post(tpp, "/oauth/token", RequestSigner.with(extra.expiredSeal).sign("POST", "/oauth/token",
        formHeaders(), bytes), form), 401, "invalid_client", "CERTIFICATE_EXPIRED");

    assertThat(bank.tokenEndpointSignatures()).containsExactly(SignatureCheck.VALID, SignatureCheck.MISSING, SignatureCheck.MISSING,
        SignatureCheck.MISSING, SignatureCheck.INVALID, SignatureCheck.INVALID, SignatureCheck.INVALID,
        SignatureCheck.INVALID, SignatureCheck.CERTIFICATE_INVALID, SignatureCheck.CERTIFICATE_INVALID,
        SignatureCheck.CERTIFICATE_INVALID);
    assertThat(bank.tokenEndpointCalls().subList(1, 11)).allSatisfy(c -> {
      assertThat(c.grantType()).isEqualTo("refresh_token");
      assertThat(c.signedAndValid()).isFalse();
    });
    // None reached the authorisation server: the refresh token was never used.
    assertThat(bank.tokenGrants("refresh_token")).isZero();
    assertThat(tpp.refresh(tokens.refreshToken()).statusCode()).isEqualTo(200);
    assertThat(bank.authorizationServer().refreshTokenReuses()).isZero();
    assertThat(bank.tokenEndpointSignatures()).last().isEqualTo(SignatureCheck.VALID);
    assertThat(json(adminSummary(bank)).path("tokenEndpointUnsignedOrInvalid").asInt()).isEqualTo(10);
  }

  @Test
  void parSignaturesOnlyWhenAskedFor() throws Exception {
    SandboxBank bank = start("alpha", b -> b.requireSignatures(true).requireParSignatures(true));
    Tpp tpp = tpp(bank).signingWith(seal());
    String consentId = tpp.createConsent(Tpp.consentBody(annasIban(bank)));
    Map<String, String> par = Map.of("client_id", eu.securehub.psd2.testpki.TestPki.ORGANIZATION_IDENTIFIER,
        "response_type", "code", "redirect_uri", Tpp.REDIRECT_URI, "scope", "openid AIS:" + consentId, "state", "s1",
        "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method", "S256");
    assertOAuthError(tpp.signingWith(null).form("/oauth/par", par, tpp.http), 400, "invalid_request",
        "SIGNATURE_MISSING");
    // The whole journey, PAR and token endpoint signed.
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    assertThat(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true).statusCode()).isEqualTo(200);
    assertThat(bank.tokenEndpointCalls()).extracting(TokenEndpointCall::endpoint, TokenEndpointCall::status,
            TokenEndpointCall::signature)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("/oauth/par", 400, SignatureCheck.MISSING),
            org.assertj.core.groups.Tuple.tuple("/oauth/par", 201, SignatureCheck.VALID),
            org.assertj.core.groups.Tuple.tuple("/oauth/token", 200, SignatureCheck.VALID));
    assertThat(bank.tokenEndpointSignatures()).containsExactly(SignatureCheck.VALID);
  }

  @Test
  void withoutRequireSignaturesTheOAuthEndpointsAreAsBefore() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String consentId = tpp.createConsent(Tpp.consentBody(annasIban(bank)));
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    assertThat(tpp.refresh(tokens.refreshToken()).statusCode()).isEqualTo(200);
    // Signature headers, even wrong ones, are not looked at.
    Tpp.Tokens again = tpp.signingWith(seal().withKey(pki().qwac().key())).authorise(
        tpp.createConsent(Tpp.consentBody(annasIban(bank))), "anna", "anna-sandbox-1", List.of(), true);
    assertThat(again.accessToken()).isNotBlank();
    assertThat(bank.tokenEndpointCalls()).isEmpty();
    assertThat(bank.tokenEndpointSignatures()).isEmpty();
    assertThat(bank.tokenGrants("authorization_code")).isEqualTo(2);
    assertThat(json(adminSummary(bank)).has("tokenEndpointUnsignedOrInvalid")).isFalse();
  }

  @Test
  void aRedirectBankThatSignsHasNoTokenEndpoint() throws Exception {
    SandboxBank bank = start("gamma", b -> b.dialect(SandboxBank.Dialect.REDIRECT).requireSignatures(true));
    Tpp tpp = tpp(bank).signingWith(seal());
    assertThat(tpp.form("/oauth/token", Map.of("grant_type", "refresh_token", "refresh_token", "x"), tpp.http)
        .statusCode()).isEqualTo(404);
    assertThat(bank.tokenEndpointCalls()).isEmpty();
  }

  private static HttpResponse<String> adminSummary(SandboxBank bank) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(bank.adminUrl() + "/admin")).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
