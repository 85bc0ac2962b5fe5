package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

class ConsentViewTest {
    static final long SCA = Instant.parse("2026-01-10T08:30:00Z").getEpochSecond();
    static final String RESPONSE = "{\"access\":{\"accounts\":[{\"iban\":\"DE89370400440532013000\",\"currency\":\"EUR\"}]},"
            + "\"recurringIndicator\":true,\"validUntil\":\"2026-08-31\",\"frequencyPerDay\":4,\"lastActionDate\":\"2026-02-27\","
            + "\"consentStatus\":\"valid\",\"consentId\":\"1234-wertiq-983\",\"_links\":{\"account\":{\"href\":\"/v1/accounts\"}}}";

    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);
    private final Map<String, String> props = Map.of("consent-response", "{response.content}", "sca-time", "{token.sca_time}",
            "reauth-days", "{days}", "now", "{now}");

    private MapMessageContext run(String response, long nowSeconds) {
        MapMessageContext c = new MapMessageContext().set("response.content", response).set("token.sca_time", SCA)
                .set("now", nowSeconds * 1000);
        new ConsentView(props).execute(c, exec);
        return c;
    }

    @Test
    void buildsTheViewWithoutTheAccess() throws Exception {
        MapMessageContext c = run(RESPONSE, Instant.parse("2026-03-01T10:00:00Z").getEpochSecond());
        assertThat(c.string("consent.error")).isNull();
        assertThat(c.string("consent.status")).isEqualTo("valid");
        String body = c.string("consent.body");
        assertThat(body).doesNotContain("DE89", "access", "iban", "_links", "recurringIndicator");
        Map<String, Object> view = Json.parseObject(body);
        assertThat(view).containsExactly(Map.entry("consentId", "1234-wertiq-983"), Map.entry("consentStatus", "valid"),
                Map.entry("validUntil", "2026-08-31"), Map.entry("frequencyPerDay", 4L), Map.entry("lastActionDate", "2026-02-27"),
                Map.entry("reauthenticationDueAt", "2026-07-09T08:30:00Z"), Map.entry("daysUntilReauthentication", 129L));
    }

    @Test
    void optionalMembersMayBeAbsentAndDaysNeverGoNegative() throws Exception {
        String minimal = "{\"consentStatus\":\"expired\",\"validUntil\":\"2026-08-31\",\"frequencyPerDay\":1}";
        MapMessageContext c = run(minimal, SCA + 200L * 86400);
        Map<String, Object> view = Json.parseObject(c.string("consent.body"));
        assertThat(view).doesNotContainKeys("consentId", "lastActionDate").containsEntry("daysUntilReauthentication", 0L)
                .containsEntry("consentStatus", "expired");
        // floor: one second short of a full day is 0 days; exactly at SCA it is 180
        assertThat(Json.parseObject(run(minimal, SCA + 179L * 86400 + 1).string("consent.body")))
                .containsEntry("daysUntilReauthentication", 0L);
        assertThat(Json.parseObject(run(minimal, SCA).string("consent.body"))).containsEntry("daysUntilReauthentication", 180L);
    }

    @Test
    void theConsentIdPropertyNamesTheConsentWhenTheBankDoesNot() throws Exception {
        String minimal = "{\"consentStatus\":\"valid\",\"validUntil\":\"2026-08-31\",\"frequencyPerDay\":4}";
        MapMessageContext c = new MapMessageContext().set("response.content", minimal).set("token.sca_time", SCA)
                .set("token.consent_id", "c-42").set("now", SCA * 1000);
        new ConsentView(Map.of("consent-response", "{response.content}", "consent-id", "{token.consent_id}",
                "sca-time", "{token.sca_time}", "now", "{now}")).execute(c, exec);
        assertThat(Json.parseObject(c.string("consent.body"))).containsEntry("consentId", "c-42");
    }

    @Test
    void reauthDaysCanBeSet() throws Exception {
        MapMessageContext c = new MapMessageContext().set("response.content", RESPONSE).set("token.sca_time", SCA).set("days", "90")
                .set("now", SCA * 1000);
        new ConsentView(props).execute(c, exec);
        assertThat(Json.parseObject(c.string("consent.body"))).containsEntry("reauthenticationDueAt", "2026-04-10T08:30:00Z")
                .containsEntry("daysUntilReauthentication", 90L);
    }

    @Test
    void refusesABadBankResponse() {
        for (String bad : List.of("", "nope", "[]", RESPONSE.replace("\"consentStatus\":\"valid\",", ""),
                RESPONSE.replace("\"valid\"", "\"<script>\""), RESPONSE.replace("\"validUntil\":\"2026-08-31\",", ""),
                RESPONSE.replace("2026-08-31", "someday"), RESPONSE.replace("\"frequencyPerDay\":4", "\"frequencyPerDay\":\"4\""),
                RESPONSE.replace("2026-02-27", "yesterday DE89"), RESPONSE.replace("1234-wertiq-983", "a b"))) {
            MapMessageContext c = run(bad, SCA);
            assertThat(c.string("consent.error_code")).as(bad).isEqualTo("invalid_bank_response");
            assertThat(c.string("consent.body")).isNull();
            assertThat(c.string("consent.error")).doesNotContain("DE89", "script");
        }
    }

    @Test
    void needsTheScaTime() {
        MapMessageContext c = new MapMessageContext().set("response.content", RESPONSE);
        assertThat(new ConsentView(props).execute(c, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("consent.error_code")).isEqualTo("missing_property");
    }
}
