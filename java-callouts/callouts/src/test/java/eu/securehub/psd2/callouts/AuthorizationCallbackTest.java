package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.Mockito;

class AuthorizationCallbackTest {
    static final long NOW = AuthorizationStartTest.NOW;
    static final String STATE = "dGhpcy1pcy1hLXN0YXRlLW9mLTMyLWJ5dGVzLWxvbmc";

    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);

    private static Map<String, String> props(String step) {
        Map<String, String> p = new HashMap<>();
        p.put("step", step);
        p.put("state", "{request.queryparam.state}");
        p.put("pending", "{private.pending}");
        p.put("iss", "{request.queryparam.iss}");
        p.put("issuer", "{bank.issuer}");
        p.put("code", "{request.queryparam.code}");
        p.put("error", "{request.queryparam.error}");
        p.put("return-url", "{callback.return_url}");
        p.put("outcome", "{callback.outcome}");
        p.put("now", "{now}");
        return p;
    }

    private MapMessageContext run(String step, MapMessageContext c) {
        new AuthorizationCallback(props(step)).execute(c, exec);
        return c;
    }

    private static MapMessageContext ctx() {
        return new MapMessageContext().set("request.queryparam.state", STATE).set("now", NOW);
    }

    @Test
    void stateGivesItsKey() throws Exception {
        MapMessageContext c = run("state", ctx());
        assertThat(c.string("callback.error")).isNull();
        assertThat(c.string("callback.state_key")).isEqualTo(AuthorizationStartTest.s256(STATE)).hasSize(43);
    }

    @Test
    void aStateFromAuthorizeIsAccepted() {
        assertThat(AuthzState.wellFormed(AuthzState.random())).isTrue();
        assertThat(AuthzState.stateKey(STATE)).isEqualTo(AuthzState.stateKey(STATE)).isNotEqualTo(AuthzState.stateKey(STATE + "x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "short", "dGhpcy1pcy1hLXN0YXRlLW9mLTMyLWJ5dGVzLWxvbm", "dGhpcy1pcy1hLXN0YXRlLW9mLTMyLWJ5dGVzLWxvbmcx",
        "dGhpcy1pcy1hLXN0YXRlLW9mLTMyLWJ5dGVzLWxvbm=", "dGhpcy1pcy1hLXN0YXRlLW9mLTMyLWJ5dGVzLWxvbm+", "dGhpcy1pcy1hLXN0YXRlLW9mLTMyLWJ5dGVzLWxvbm/"})
    void aMalformedStateIsRefused(String state) {
        MapMessageContext c = run("state", ctx().set("request.queryparam.state", state));
        assertThat(c.string("callback.error_code")).isEqualTo("invalid_state");
        assertThat(c.string("callback.state_key")).isNull();
        if (!state.isEmpty()) {
            assertThat(c.string("callback.error")).doesNotContain(state);
        }
    }

    static String pending(long exp) {
        return "{\"v\":1,\"consentId\":\"1234-wertiq-983\",\"bankId\":\"sandbox-a\",\"codeVerifier\":\"" + "v".repeat(43)
                + "\",\"nonce\":\"" + "n".repeat(43) + "\",\"appId\":\"app-1\",\"returnUrl\":\"https://crm.example/psd2/return\","
                + "\"frequencyPerDay\":2,\"validUntil\":\"2026-08-31\",\"exp\":" + exp + "}";
    }

    @Test
    void pendingReadsTheRecord() {
        MapMessageContext c = run("pending", ctx().set("private.pending", pending(NOW / 1000 + 1)));
        assertThat(c.string("callback.error")).isNull();
        assertThat(c.string("callback.bank_id")).isEqualTo("sandbox-a");
        assertThat(c.string("callback.consent_id")).isEqualTo("1234-wertiq-983");
        assertThat(c.string("private.callback.code_verifier")).isEqualTo("v".repeat(43));
        assertThat(c.string("callback.nonce")).isEqualTo("n".repeat(43));
        assertThat(c.string("callback.app_id")).isEqualTo("app-1");
        assertThat(c.string("callback.return_url")).isEqualTo("https://crm.example/psd2/return");
        assertThat(c.string("callback.frequency_per_day")).isEqualTo("2");
        assertThat(c.string("callback.valid_until")).isEqualTo("2026-08-31");
        assertThat(c.string("callback.valid_until_epoch")).isEqualTo(Long.toString(java.time.Instant.parse("2026-09-01T00:00:00Z").getEpochSecond()));
        assertThat(c.string("callback.error_location")).isEqualTo("https://crm.example/psd2/return?state=" + STATE + "&outcome=error");
        assertThat(c.variables().keySet()).filteredOn(k -> "v".repeat(43).equals(c.string(k)))
                .containsExactly("private.callback.code_verifier");
    }

    @Test
    void anExpiredPendingRecordStillGivesTheErrorLocation() {
        MapMessageContext c = ctx().set("private.pending", pending(NOW / 1000 - 1));
        assertThat(new AuthorizationCallback(props("pending")).execute(c, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("callback.error_code")).isEqualTo("expired_state");
        assertThat(c.string("callback.error_location")).isEqualTo("https://crm.example/psd2/return?state=" + STATE + "&outcome=error");
        assertThat(c.string("private.callback.code_verifier")).isNull();
        assertThat(c.string("callback.consent_id")).isNull();
        // exp equal to now is still valid
        assertThat(run("pending", ctx().set("private.pending", pending(NOW / 1000))).string("callback.error")).isNull();
    }

    @Test
    void aMalformedPendingRecordIsAnInvalidState() {
        String ok = pending(NOW / 1000 + 60);
        List<String> bad = List.of("", "garbage", "[]", ok.replace("\"v\":1", "\"v\":2"), ok.replace("\"v\":1,", ""),
                ok.replace("\"consentId\":\"1234-wertiq-983\",", ""), ok.replace("https://crm.example", "http://crm.example"),
                ok.replace("\"exp\":", "\"exp\":\"x\",\"e\":"), ok.replace("\"frequencyPerDay\":2", "\"frequencyPerDay\":0"),
                ok.replace("2026-08-31", "31.08.2026"), ok.replace("\"codeVerifier\":\"", "\"codeVerifier\":\" "));
        for (String p : bad) {
            MapMessageContext c = run("pending", ctx().set("private.pending", p));
            assertThat(c.string("callback.error_code")).as(p).isIn("invalid_state", "missing_property");
            if (!p.isEmpty()) {
                assertThat(c.string("callback.error_code")).isEqualTo("invalid_state");
            }
            assertThat(c.string("private.callback.code_verifier")).isNull();
            assertThat(c.string("callback.error")).doesNotContain("v".repeat(43), "n".repeat(43));
        }
        MapMessageContext badState = run("pending", ctx().set("request.queryparam.state", "x").set("private.pending", ok));
        assertThat(badState.string("callback.error_code")).isEqualTo("invalid_state");
    }

    @Test
    void verifyAcceptsTheIssuerAndACode() {
        MapMessageContext c = run("verify", ctx().set("request.queryparam.iss", "https://as.bank-a.example")
                .set("bank.issuer", "https://as.bank-a.example").set("request.queryparam.code", "SplxlOBeZQQYbYS6WxSbIA"));
        assertThat(c.string("callback.error")).isNull();
        assertThat(c.string("callback.outcome")).isEqualTo("success");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {"NULL", "''", "https://evil.example", "https://as.bank-a.example/", "HTTPS://as.bank-a.example"})
    void verifyRefusesAMissingOrOtherIssuer(String iss) {
        MapMessageContext c = run("verify", ctx().set("request.queryparam.iss", iss).set("bank.issuer", "https://as.bank-a.example")
                .set("request.queryparam.code", "abc"));
        assertThat(c.string("callback.error_code")).isEqualTo("issuer_mismatch");
        assertThat(c.string("callback.outcome")).isNull();
        assertThat(c.string("callback.error")).doesNotContain("evil");
    }

    @Test
    void verifyRefusesABadCode() {
        for (String code : new String[] {null, "a b", "x".repeat(513), "caf\u00e9", "a\tb"}) {
            MapMessageContext c = run("verify", ctx().set("request.queryparam.iss", "https://as").set("bank.issuer", "https://as")
                    .set("request.queryparam.code", code));
            assertThat(c.string("callback.error_code")).as(String.valueOf(code)).isEqualTo("invalid_code");
            assertThat(c.string("callback.outcome")).isNull();
        }
        MapMessageContext longest = run("verify", ctx().set("request.queryparam.iss", "https://as").set("bank.issuer", "https://as")
                .set("request.queryparam.code", "x".repeat(512)));
        assertThat(longest.string("callback.outcome")).isEqualTo("success");
    }

    @ParameterizedTest
    @CsvSource({"access_denied,denied", "server_error,error", "temporarily_unavailable,error", "invalid_scope,error"})
    void aBankErrorIsAnOutcomeNotAFailure(String error, String outcome) {
        MapMessageContext c = ctx().set("request.queryparam.error", error).set("bank.issuer", "https://as");
        assertThat(new AuthorizationCallback(props("verify")).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("callback.outcome")).isEqualTo(outcome);
        assertThat(c.string("callback.error")).isNull();
    }

    @Test
    void verifyNeedsTheIssuer() {
        MapMessageContext c = run("verify", ctx().set("request.queryparam.iss", "https://as").set("request.queryparam.code", "c"));
        assertThat(c.string("callback.error_code")).isEqualTo("missing_property");
    }

    @ParameterizedTest
    @CsvSource({"https://crm.example/return,success,https://crm.example/return?state=S&outcome=success",
        "https://crm.example/return?tenant=7,denied,https://crm.example/return?tenant=7&state=S&outcome=denied",
        "https://crm.example/return?,error,https://crm.example/return?state=S&outcome=error",
        "http://localhost:3000/cb,success,http://localhost:3000/cb?state=S&outcome=success"})
    void redirectAppendsStateAndOutcome(String url, String outcome, String location) {
        MapMessageContext c = run("redirect", ctx().set("callback.return_url", url).set("callback.outcome", outcome));
        assertThat(c.string("callback.error")).isNull();
        assertThat(c.string("callback.location")).isEqualTo(location.replace("state=S&", "state=" + STATE + "&"));
    }

    @Test
    void redirectRefusesOddInput() {
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("invalid_property", new Object[] {"callback.outcome", "maybe"});
        cases.put("missing_property", new Object[] {"callback.outcome", null});
        cases.put("invalid_return_url", new Object[] {"callback.return_url", "http://crm.example/return"});
        cases.put("missing_property ", new Object[] {"callback.return_url", null});
        cases.put("invalid_state", new Object[] {"request.queryparam.state", "abc"});
        cases.forEach((code, kv) -> {
            MapMessageContext c = ctx().set("callback.return_url", "https://crm.example/return").set("callback.outcome", "success")
                    .set((String) kv[0], kv[1]);
            run("redirect", c);
            assertThat(c.string("callback.error_code")).as(code).isEqualTo(code.trim());
            assertThat(c.string("callback.location")).isNull();
        });
    }

    @Test
    void theStepMustBeKnown() {
        MapMessageContext c = run("finish", ctx());
        assertThat(c.string("callback.error_code")).isEqualTo("invalid_property");
    }
}
