package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.Mockito;

/** Following the bank's SCA approach: its answer, the pending record, the status, the poll gate. */
class ScaApproachTest {
    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);

    private MapMessageContext answer(String header, String body, String offered) {
        Map<String, String> p = Map.of("step", "answer", "approach-header", "{h}", "response", "{b}", "offered", "{o}");
        MapMessageContext c = new MapMessageContext().set("h", header).set("b", body).set("o", offered);
        new ScaApproach(p).execute(c, exec);
        return c;
    }

    static String consent(String links) {
        return "{\"consentStatus\":\"received\",\"consentId\":\"c-1\",\"_links\":{" + links + "}}";
    }

    @Test
    void scaOAuthIsTheOAuthJourney() {
        MapMessageContext c = answer("REDIRECT", consent("\"scaOAuth\":{\"href\":\"https://bank.example/.well-known/oauth-authorization-server\"}"), "OAUTH");
        assertThat(c.string("sca.error")).isNull();
        assertThat(c.string("sca.approach")).isEqualTo("oauth");
        assertThat(c.string("sca.next")).isEqualTo("oauth");
        assertThat(c.string("sca.consent_id")).isEqualTo("c-1");
        assertThat(c.string("sca.consent_status")).isEqualTo("received");
    }

    @Test
    void scaRedirectSendsTheBrowserToTheBankAndKeepsTheStatusLinkAsAPath() {
        MapMessageContext c = answer("REDIRECT", consent("\"scaRedirect\":{\"href\":\"https://bank.example/sca/a-7\"},"
                + "\"scaStatus\":{\"href\":\"https://bank.example/v1/consents/c-1/authorisations/a-7\"}"), "REDIRECT");
        assertThat(c.string("sca.error")).isNull();
        assertThat(c.string("sca.next")).isEqualTo("redirect");
        assertThat(c.string("sca.redirect_url")).isEqualTo("https://bank.example/sca/a-7");
        assertThat(c.string("sca.status_path")).as("never another host").isEqualTo("/v1/consents/c-1/authorisations/a-7");
    }

    @Test
    void decoupledIsPolledAndAnExplicitStartComesFirst() {
        MapMessageContext c = answer("DECOUPLED", "{\"consentStatus\":\"received\",\"consentId\":\"c-2\",\"psuMessage\":\"Open your app\","
                + "\"_links\":{\"scaStatus\":{\"href\":\"/v1/consents/c-2/authorisations/a-1\"}}}", "DECOUPLED");
        assertThat(c.string("sca.next")).isEqualTo("poll");
        assertThat(c.string("sca.status_path")).isEqualTo("/v1/consents/c-2/authorisations/a-1");
        assertThat(c.string("sca.psu_message")).isEqualTo("Open your app");
        MapMessageContext start = answer("DECOUPLED", consent("\"startAuthorisation\":{\"href\":\"/v1/consents/c-1/authorisations\"}"), "DECOUPLED");
        assertThat(start.string("sca.next")).isEqualTo("start");
        assertThat(start.string("sca.start_path")).isEqualTo("/v1/consents/c-1/authorisations");
        // The start's answer: no consentId in it, the flow passes the one it has.
        Map<String, String> p = Map.of("step", "answer", "approach-header", "{h}", "response", "{b}", "offered", "{o}",
                "consent-id", "{id}");
        MapMessageContext started = new MapMessageContext().set("h", "DECOUPLED").set("o", "DECOUPLED").set("id", "c-1")
                .set("b", "{\"scaStatus\":\"started\",\"authorisationId\":\"a-9\",\"_links\":{\"scaStatus\":{\"href\":\"/v1/consents/c-1/authorisations/a-9\"}}}");
        new ScaApproach(p).execute(started, exec);
        assertThat(started.string("sca.next")).isEqualTo("poll");
        assertThat(started.string("sca.authorisation_id")).isEqualTo("a-9");
        assertThat(started.string("sca.consent_id")).isEqualTo("c-1");
    }

    @Test
    void embeddedAndApproachesTheRegistryDoesNotOfferAreRefused() {
        MapMessageContext embedded = answer("EMBEDDED", consent("\"startAuthorisationWithPsuAuthentication\":{\"href\":\"/v1/x\"}"), "REDIRECT EMBEDDED");
        assertThat(embedded.string("sca.error_code")).isEqualTo("embedded_not_supported");
        MapMessageContext byLink = answer("", consent("\"updatePsuAuthentication\":{\"href\":\"/v1/x\"}"), "REDIRECT");
        assertThat(byLink.string("sca.error_code")).isEqualTo("embedded_not_supported");
        MapMessageContext notOffered = answer("DECOUPLED", consent("\"scaStatus\":{\"href\":\"/v1/s\"}"), "REDIRECT");
        assertThat(notOffered.string("sca.error_code")).isEqualTo("unexpected_sca_approach");
        MapMessageContext unknown = answer("CARRIER_PIGEON", consent("\"scaStatus\":{\"href\":\"/v1/s\"}"), "REDIRECT");
        assertThat(unknown.string("sca.error_code")).isEqualTo("unexpected_sca_approach");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"scaRedirect\":{\"href\":\"http://bank.example/sca\"}|scaRedirect",
        "\"scaRedirect\":{\"href\":\"javascript:alert(1)\"}|scaRedirect",
        "\"scaRedirect\":{}|scaRedirect"})
    void aRedirectLinkMustBeHttps(String links, String member) {
        MapMessageContext c = answer("REDIRECT", consent(links), "REDIRECT");
        assertThat(c.string("sca.error_code")).isEqualTo("invalid_bank_response");
        assertThat(c.string("sca.error")).contains(member).doesNotContain("alert");
    }

    @Test
    void aStatusLinkOutsideTheApiIsRefused() {
        MapMessageContext c = answer("DECOUPLED", consent("\"scaStatus\":{\"href\":\"/v1/../admin\"}"), "DECOUPLED");
        assertThat(c.string("sca.error_code")).isEqualTo("invalid_bank_response");
    }

    @Test
    void thePendingRecordOfARedirectOrDecoupledJourney() throws Exception {
        Map<String, String> p = new HashMap<>();
        for (String k : new String[] {"approach", "state", "consent-id", "bank-id", "app-id", "return-url", "frequency-per-day",
            "valid-until", "status-path"}) {
            p.put(k, "{" + k + "}");
        }
        p.put("step", "pending");
        p.put("now", "1767225600000");
        String state = AuthzState.random();
        MapMessageContext c = new MapMessageContext().set("approach", "decoupled").set("state", state).set("consent-id", "c-2")
                .set("bank-id", "delta").set("app-id", "crm").set("return-url", "https://crm.example/r").set("frequency-per-day", "4")
                .set("valid-until", "2026-08-31").set("status-path", "/v1/consents/c-2/authorisations/a-1");
        assertThat(new ScaApproach(p).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        Map<String, Object> pending = Json.parseObject(c.string(AuthorizationStart.PENDING));
        assertThat(pending).containsEntry("approach", "decoupled").containsEntry("consentId", "c-2")
                .containsEntry("statusPath", "/v1/consents/c-2/authorisations/a-1").containsEntry("exp", 1767225600L + 600)
                .doesNotContainKeys("codeVerifier", "nonce");
        assertThat(c.string("authz.expires_in")).isEqualTo("600");
        assertThat(c.string("authz.retain_seconds")).isEqualTo("900");
        // The callback reads it back, without PKCE members.
        Map<String, String> cb = Map.of("step", "pending", "state", "{s}", "pending", "{p}", "now", "1767225601000");
        MapMessageContext back = new MapMessageContext().set("s", state).set("p", c.string(AuthorizationStart.PENDING));
        new AuthorizationCallback(cb).execute(back, exec);
        assertThat(back.string("callback.error")).isNull();
        assertThat(back.string("callback.approach")).isEqualTo("decoupled");
        assertThat(back.string("callback.status_path")).isEqualTo("/v1/consents/c-2/authorisations/a-1");
        c.set("status-path", "");
        assertThat(new ScaApproach(p).execute(c, exec)).as("decoupled needs its status link").isSameAs(ExecutionResult.ABORT);
    }

    @ParameterizedTest
    @CsvSource({
        "ok, finalised, valid, success, finalised",
        "ok, finalised, received, error, failed",
        "ok, started, received, error, failed",
        "ok, failed, rejected, denied, failed",
        "nok, finalised, valid, denied, failed",
        "'', started, '', pending, pending",
        "'', psuAuthenticated, '', pending, pending",
        "'', finalised, '', success, finalised",
        "'', exempted, '', success, finalised",
        "'', failed, '', denied, failed",
        "'', somethingNew, '', error, failed"})
    void theOutcome(String result, String sca, String consent, String outcome, String crm) {
        Map<String, String> p = Map.of("step", "status", "redirect-result", "{r}", "sca-status", "{s}", "consent-status", "{c}");
        MapMessageContext c = new MapMessageContext().set("r", result).set("s", "{\"scaStatus\":\"" + sca + "\"}")
                .set("c", consent.isEmpty() ? "" : "{\"consentStatus\":\"" + consent + "\"}");
        new ScaApproach(p).execute(c, exec);
        assertThat(c.string("sca.error")).isNull();
        assertThat(c.string("sca.outcome")).isEqualTo(outcome);
        assertThat(c.string("sca.crm_status")).isEqualTo(crm);
    }

    @Test
    void thePollGateOpensInTheFirstHalfOfEachSlot() {
        Map<String, String> p = Map.of("step", "poll-slot", "poll-seconds", "4", "state-key", "k", "now", "{now}");
        MapMessageContext start = run(p, 1_000_000L);
        MapMessageContext early = run(p, 1_001_999L);
        MapMessageContext late = run(p, 1_002_000L);
        MapMessageContext next = run(p, 1_004_000L);
        assertThat(start.string("sca.poll_key")).isEqualTo("k.250").isEqualTo(early.string("sca.poll_key"))
                .isEqualTo(late.string("sca.poll_key"));
        assertThat(next.string("sca.poll_key")).isEqualTo("k.251");
        assertThat(start.string("sca.poll_open")).isEqualTo("true");
        assertThat(early.string("sca.poll_open")).isEqualTo("true");
        assertThat(late.string("sca.poll_open")).as("two bank polls are never closer than half a slot").isEqualTo("false");
        assertThat(start.string("sca.retry_after")).isEqualTo("4");
        assertThat(late.string("sca.retry_after")).isEqualTo("2");
        assertThat(run(p, 1_003_999L).string("sca.retry_after")).isEqualTo("1");
    }

    private MapMessageContext run(Map<String, String> p, long now) {
        MapMessageContext c = new MapMessageContext().set("now", now);
        new ScaApproach(p).execute(c, exec);
        return c;
    }
}
