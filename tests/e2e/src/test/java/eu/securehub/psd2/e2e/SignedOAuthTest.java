package eu.securehub.psd2.e2e;

import static eu.securehub.psd2.e2e.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange.SignatureCheck;
import eu.securehub.psd2.sandbox.SandboxBank;
import eu.securehub.psd2.sandbox.TokenEndpointCall;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An OAuth bank that requires QSEAL signatures on every request, its token endpoint included (the German cooperative
 * banks' and ING's way): beta's sandbox requires them, and beta's registry entry says {@code "signing":
 * {"profile": "berlin-group", "tokenEndpoint": true, "parEndpoint": true}}. The hub signs every /v1 request, the
 * pushed authorisation request (FC-SignParRequest → psd2-sca-v1 sign-par), the code exchange and the
 * refresh (psd2-bank-auth-v1 FC-SignTokenRequest → psd2-sca-v1 sign-token) and the read it retries after the bank's
 * TOKEN_EXPIRED (sign-retry, SC-BankRetry); the bank checks and records each signature. With {@code tokenEndpoint}
 * false the hub's unsigned code exchange is refused, and the customer comes back to the CRM with outcome=error.
 */
class SignedOAuthTest {

    private static final String SIGNS_TOKEN_ENDPOINT =
            "{\"profile\":\"berlin-group\",\"tokenEndpoint\":true,\"parEndpoint\":true}";
    private static final String SIGNS_V1_ONLY = "{\"profile\":\"berlin-group\",\"tokenEndpoint\":false}";

    /** beta's sandbox requires signatures, on its pushed authorisation requests too when {@code signing} says the hub signs them. */
    private static LocalHub start(Path work, String signing) {
        LocalHub.Options o = LocalHub.Options.freePorts(Hub.ROOT, work).consumerKey(Hub.KEY)
                .bankProfile("beta", "signing", signing);
        return LocalHub.start(signing.contains("parEndpoint") ? o.requireParSignatures("beta") : o.requireSignatures("beta"));
    }

    private static Browser.Journey authorise(Hub hub, JsonNode consent) {
        try (Browser browser = new Browser()) {
            return browser.authorise(consent.path("authorisationUrl").asText(), "anna", "anna-sandbox-1", "Approve",
                    hub.local.returnUrl());
        }
    }

    @Test
    void everyRequestAndEveryTokenEndpointCallIsSignedTheRetriedReadToo(@TempDir Path work) {
        try (LocalHub local = start(work, SIGNS_TOKEN_ENDPOINT)) {
            Hub hub = Hub.of(local);
            SandboxBank beta = local.bank("beta");
            assertThat(beta.requiresSignatures()).isTrue();
            String iban = hub.iban("beta", "anna");

            Hub.Reply created = hub.createConsent("beta", iban);
            JsonNode consent = created.json();
            assertThat(consent.path("nextStep").asText()).isEqualTo("redirect");
            assertThat(consent.path("authorisationUrl").asText()).startsWith(beta.baseUrl().toString());
            String state = consent.path("state").asText();
            Browser.Journey journey = authorise(hub, consent);
            assertThat(BrowserJourneyTest.query(URI.create(journey.finalUrl()).getRawQuery()))
                    .containsEntry("state", state).containsEntry("outcome", "success");

            Hub.Reply session = hub.collect(state);
            assertThat(session.status()).as(session.toString()).isEqualTo(200);
            String token = session.json().path("accessToken").asText();
            Hub.Reply accounts = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
            assertThat(accounts.status()).as(accounts.toString()).isEqualTo(200);
            assertThat(accounts.json().path("accounts").path(0).path("iban").asText()).isEqualTo(iban);
            assertThat(beta.tokenGrants("refresh_token")).isZero();

            // The bank says the access token expired: the hub refreshes (signed) and retries the read (signed).
            beta.faults().tokenExpiredOnce(true);
            Hub.Reply again = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.json().path("accounts").path(0).path("iban").asText()).isEqualTo(iban);
            assertThat(beta.faults().tokenExpiredOnce()).as("the one-shot fault was used").isFalse();
            assertThat(beta.tokenGrants("refresh_token")).as("refreshed once").isEqualTo(1);

            List<Exchange> reads = beta.exchanges().stream()
                    .filter(e -> e.path().equals("/v1/accounts") && again.requestId().equals(e.requestHeader("X-Request-ID")))
                    .toList();
            assertThat(reads).as("the read, then its retry").extracting(Exchange::status).containsExactly(401, 200);
            assertThat(reads).extracting(Exchange::signature).containsOnly(SignatureCheck.VALID);
            // The retry keeps the customer's presence (PSU-IP-Address): the bank counts no unattended read.
            assertThat(reads).allSatisfy(e -> assertThat(e.requestHeader("PSU-IP-Address")).isEqualTo(Hub.PSU_IP));
            assertThat(beta.unattendedReads(consent.path("consentId").asText(), "accounts")).isZero();

            // Every /v1 exchange at beta was signed and valid; every token endpoint call too.
            assertThat(beta.exchanges()).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.signature()).as(e.toString()).isEqualTo(SignatureCheck.VALID));
            assertThat(beta.unsignedOrInvalid()).isEmpty();
            assertThat(beta.tokenEndpointCalls())
                    .extracting(TokenEndpointCall::endpoint, TokenEndpointCall::grantType, TokenEndpointCall::status,
                            TokenEndpointCall::signature)
                    .containsExactly(tuple("/oauth/par", null, 201, SignatureCheck.VALID),
                            tuple("/oauth/token", "authorization_code", 200, SignatureCheck.VALID),
                            tuple("/oauth/token", "refresh_token", 200, SignatureCheck.VALID));
            assertThat(beta.tokenEndpointCalls()).allSatisfy(c -> assertThat(c.requestId()).isNotBlank());
            assertThat(beta.tokenEndpointCalls().get(0).requestId()).as("the PAR is the consent creation's")
                    .isEqualTo(created.requestId());
            assertThat(beta.tokenEndpointCalls().get(2).requestId()).as("the refresh is the CRM request's")
                    .isEqualTo(again.requestId());
            assertThat(beta.tokenEndpointSignatures()).containsOnly(SignatureCheck.VALID);
            beta.assertContractClean();
            // The other banks as before: alpha signs nothing and checks nothing.
            assertThat(local.bank("alpha").requiresSignatures()).isFalse();
        }
    }

    @Test
    void withoutTokenEndpointSigningTheCodeExchangeIsRefusedAndTheCustomerComesBackWithAnError(
            @TempDir Path work) {
        try (LocalHub local = start(work, SIGNS_V1_ONLY)) {
            Hub hub = Hub.of(local);
            SandboxBank beta = local.bank("beta");
            JsonNode consent = hub.createConsent("beta", hub.iban("beta", "anna")).json();
            String state = consent.path("state").asText();

            Browser.Journey journey = authorise(hub, consent);

            assertThat(BrowserJourneyTest.query(URI.create(journey.finalUrl()).getRawQuery()))
                    .containsEntry("state", state).containsEntry("outcome", "error");
            assertThat(local.returnPageVisits()).anySatisfy(v -> {
                assertThat(v.state()).isEqualTo(state);
                assertThat(v.outcome()).isEqualTo("error");
            });
            assertProblem(hub.collect(state), 404, "session-not-found");
            assertThat(beta.tokenEndpointCalls()).extracting(TokenEndpointCall::grantType, TokenEndpointCall::status,
                    TokenEndpointCall::signature)
                    .containsExactly(tuple("authorization_code", 400, SignatureCheck.MISSING));
            assertThat(beta.tokenGrants("authorization_code")).as("no token was issued").isZero();
            assertThat(beta.unsignedOrInvalid()).as("the /v1 requests were signed").isEmpty();
            beta.assertContractClean();
        }
    }
}
