package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

class BankProfileTest {
    static final String PROFILE = "{\"bankId\":\"sandbox-a\",\"name\":\"Sandbox Bank A\","
            + "\"metadataUrl\":\"https://as.bank-a.example:8443/.well-known/openid-configuration\","
            + "\"issuer\":\"https://as.bank-a.example:8443\",\"clientId\":\"PSDDE-BAFIN-123456\","
            + "\"jwksUri\":\"https://as.bank-a.example:8443/jwks\",\"idTokenAlgorithm\":\"ES256\",\"scopes\":\"openid accounts\","
            + "\"unattendedPerDay\":2,\"spikeArrestRate\":\"30pm\","
            + "\"breaker\":{\"failureThreshold\":7,\"windowSeconds\":90,\"openSeconds\":45,\"slowCallMs\":8000,\"halfOpenPermitted\":2,"
            + "\"maxCallsInFlight\":12},\"readTimeoutMs\":9000}";

    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);
    private final BankProfile callout = new BankProfile(Map.of("bank-id", "{hub.bank_id}", "profile", "{kvm.profile}"));

    private MapMessageContext run(String bankId, String profile) {
        MapMessageContext c = new MapMessageContext().set("hub.bank_id", bankId).set("kvm.profile", profile);
        callout.execute(c, exec);
        return c;
    }

    @Test
    void readsAProfileIntoVariables() {
        MapMessageContext c = new MapMessageContext().set("hub.bank_id", "sandbox-a").set("kvm.profile", PROFILE);
        assertThat(callout.execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("bank.id")).isEqualTo("sandbox-a");
        assertThat(c.string("bank.target")).isEqualTo("bank-sandbox-a");
        assertThat(c.string("bank.name")).isEqualTo("Sandbox Bank A");
        assertThat(c.string("bank.metadata_url")).isEqualTo("https://as.bank-a.example:8443/.well-known/openid-configuration");
        assertThat(c.string("bank.issuer")).isEqualTo("https://as.bank-a.example:8443");
        assertThat(c.string("bank.client_id")).isEqualTo("PSDDE-BAFIN-123456");
        assertThat(c.string("bank.jwks_uri")).isEqualTo("https://as.bank-a.example:8443/jwks");
        assertThat(c.string("bank.id_token_alg")).isEqualTo("ES256");
        assertThat(c.string("bank.scopes")).isEqualTo("openid accounts");
        assertThat(c.string("bank.unattended_per_day")).isEqualTo("2");
        assertThat(c.string("bank.spike_rate")).isEqualTo("30pm");
        assertThat(c.string("bank.breaker_threshold")).isEqualTo("7");
        assertThat(c.string("bank.breaker_window_seconds")).isEqualTo("90");
        assertThat(c.string("bank.breaker_window_minutes")).isEqualTo("2");
        assertThat(c.string("bank.breaker_open_seconds")).isEqualTo("45");
        assertThat(c.string("bank.breaker_slow_ms")).isEqualTo("8000");
        assertThat(c.string("bank.breaker_half_open")).isEqualTo("2");
        assertThat(c.string("bank.breaker_max_in_flight")).isEqualTo("12");
        assertThat(c.string("bank.read_timeout_ms")).isEqualTo("9000");
        assertThat(c.string("bank.error")).isNull();
    }

    @Test
    void fillsInTheDefaults() {
        String minimal = "{\"name\":\"B\",\"metadataUrl\":\"https://b.example/.well-known/openid-configuration\","
                + "\"issuer\":\"https://b.example\",\"clientId\":\"c\",\"jwksUri\":\"https://b.example/jwks\",\"scopes\":\"openid\"}";
        MapMessageContext c = run("b", minimal);
        assertThat(c.string("bank.error")).isNull();
        assertThat(c.string("bank.unattended_per_day")).isEqualTo("4");
        assertThat(c.string("bank.id_token_alg")).as("FAPI 2.0's PS256 unless the registry says otherwise").isEqualTo("PS256");
        assertThat(c.string("bank.spike_rate")).isEqualTo("20ps");
        assertThat(c.string("bank.breaker_threshold")).isEqualTo("5");
        assertThat(c.string("bank.breaker_window_seconds")).isEqualTo("60");
        assertThat(c.string("bank.breaker_window_minutes")).isEqualTo("1");
        assertThat(c.string("bank.breaker_open_seconds")).isEqualTo("30");
        assertThat(c.string("bank.breaker_slow_ms")).isEqualTo("3000");
        assertThat(c.string("bank.breaker_half_open")).isEqualTo("1");
        assertThat(c.string("bank.breaker_max_in_flight")).isEqualTo("50");
        assertThat(c.string("bank.read_timeout_ms")).as("well below Apigee's 55 s").isEqualTo("10000");
    }

    @ParameterizedTest
    @CsvSource({"1,1", "59,1", "60,1", "61,2", "3600,60"})
    void theWindowInMinutesIsRoundedUp(long seconds, String minutes) {
        MapMessageContext c = run("sandbox-a", PROFILE.replace("\"windowSeconds\":90", "\"windowSeconds\":" + seconds));
        assertThat(c.string("bank.breaker_window_minutes")).isEqualTo(minutes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", "A", "sandbox_a", "a.b", "../x", "a b", "abcdefghijabcdefghijabcdefghijabcdefghijx"})
    void refusesAMalformedBankId(String bankId) {
        MapMessageContext c = run(bankId, PROFILE);
        assertThat(c.string("bank.error_code")).isEqualTo("invalid_bank_id");
        assertThat(c.string("bank.target")).isNull();
        if (!bankId.isEmpty()) {
            assertThat(c.string("bank.error")).doesNotContain(bankId);
        }
    }

    @Test
    void aBankIdOfFortyCharactersIsFine() {
        String id = "a".repeat(40);
        assertThat(run(id, PROFILE.replace("sandbox-a", id)).string("bank.target")).isEqualTo("bank-" + id);
    }

    @Test
    void anEmptyProfileIsAnUnknownBank() {
        MapMessageContext c = run("sandbox-z", null);
        assertThat(c.string("bank.error_code")).isEqualTo("unknown_bank");
        assertThat(c.string("bank.error")).doesNotContain("sandbox-z");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not json|profile",
        "[]|profile",
        "\"bankId\":\"sandbox-a\"|bankId",
        "\"name\":\"Sandbox Bank A\"|name",
        "\"metadataUrl\":\"https://as.bank-a.example:8443/.well-known/openid-configuration\"|metadataUrl",
        "\"issuer\":\"https://as.bank-a.example:8443\"|issuer",
        "\"clientId\":\"PSDDE-BAFIN-123456\"|clientId",
        "\"jwksUri\":\"https://as.bank-a.example:8443/jwks\"|jwksUri",
        "\"idTokenAlgorithm\":\"ES256\"|idTokenAlgorithm",
        "\"scopes\":\"openid accounts\"|scopes",
        "\"unattendedPerDay\":2|unattendedPerDay",
        "\"spikeArrestRate\":\"30pm\"|spikeArrestRate",
        "\"failureThreshold\":7|failureThreshold",
        "\"windowSeconds\":90|windowSeconds",
        "\"openSeconds\":45|openSeconds",
        "\"slowCallMs\":8000|slowCallMs",
        "\"halfOpenPermitted\":2|halfOpenPermitted"})
    void refusesABadProfileNamingTheMemberNotItsValue(String member, String name) {
        String[] bad = badValues(name);
        for (String value : bad) {
            String profile = member.startsWith("\"") ? PROFILE.replace(member, member.split(":", 2)[0] + ":" + value) : member;
            MapMessageContext c = run("sandbox-a", profile);
            assertThat(c.string("bank.error_code")).as(profile).isEqualTo("invalid_bank_profile");
            assertThat(c.string("bank.error")).contains(name);
            if (value.length() > 4) {
                assertThat(c.string("bank.error")).doesNotContain(value.replace("\"", ""));
            }
            assertThat(c.string("bank.id")).isNull();
        }
    }

    private static String[] badValues(String name) {
        switch (name) {
            case "bankId": return new String[] {"\"sandbox-b\"", "7"};
            case "name": return new String[] {"\"\"", "null", "\"" + "n".repeat(201) + "\""};
            case "metadataUrl":
            case "issuer":
            case "jwksUri":
                return new String[] {"\"http://bank.example/x\"", "\"ftp://bank.example\"", "\"https://user@bank.example\"",
                    "\"https://bank.example/#frag\"", "\"https:///nohost\"", "\"https://bank.example/a b\"", "null"};
            case "clientId": return new String[] {"\"a b\"", "\"\"", "12"};
            case "idTokenAlgorithm": return new String[] {"\"RS256\"", "\"HS256\"", "\"none\"", "\"PS256,ES256\"", "256"};
            case "scopes": return new String[] {"\"\"", "\"openid  accounts\"", "\" openid\"", "\"open\\\"id\""};
            case "unattendedPerDay": return new String[] {"0", "5", "2.5", "\"2\""};
            case "spikeArrestRate": return new String[] {"\"20\"", "\"20ph\"", "\"fast\""};
            case "failureThreshold":
            case "halfOpenPermitted":
                return new String[] {"0", "101", "\"5\""};
            case "windowSeconds":
            case "openSeconds":
                return new String[] {"0", "86401"};
            case "slowCallMs": return new String[] {"0", "3600001"};
            default: return new String[] {"x"};
        }
    }

    @Test
    void loopbackHttpIsAllowedForLocalSandboxes() {
        String local = PROFILE.replace("https://as.bank-a.example:8443", "http://127.0.0.1:9443")
                .replace("\"jwksUri\":\"http://127.0.0.1:9443/jwks\"", "\"jwksUri\":\"http://localhost:9443/jwks\"");
        MapMessageContext c = run("sandbox-a", local);
        assertThat(c.string("bank.error")).isNull();
        assertThat(c.string("bank.issuer")).isEqualTo("http://127.0.0.1:9443");
        assertThat(c.string("bank.jwks_uri")).isEqualTo("http://localhost:9443/jwks");
        MapMessageContext v6 = run("sandbox-a", PROFILE.replace("https://as.bank-a.example:8443", "http://[::1]:9443"));
        assertThat(v6.string("bank.error")).isNull();
        MapMessageContext lookalike = run("sandbox-a", PROFILE.replace("https://as.bank-a.example:8443", "http://127.0.0.1.evil.example"));
        assertThat(lookalike.string("bank.error_code")).isEqualTo("invalid_bank_profile");
    }

    @Test
    void theConsentsAllowanceCanOnlyLowerTheBanksUnattendedBudget() {
        BankProfile withConsent = new BankProfile(Map.of("bank-id", "{hub.bank_id}", "profile", "{kvm.profile}",
                "consent-unattended-allow", "{token.unattended_allow}"));
        MapMessageContext lower = new MapMessageContext().set("hub.bank_id", "sandbox-a").set("kvm.profile", PROFILE)
                .set("token.unattended_allow", "1");
        assertThat(withConsent.execute(lower, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(lower.string("bank.unattended_allow")).isEqualTo("1");

        MapMessageContext higher = new MapMessageContext().set("hub.bank_id", "sandbox-a").set("kvm.profile", PROFILE)
                .set("token.unattended_allow", "4");
        withConsent.execute(higher, exec);
        assertThat(higher.string("bank.unattended_allow")).isEqualTo("2");

        MapMessageContext none = run("sandbox-a", PROFILE);
        assertThat(none.string("bank.unattended_allow")).isEqualTo("2");
    }
}
