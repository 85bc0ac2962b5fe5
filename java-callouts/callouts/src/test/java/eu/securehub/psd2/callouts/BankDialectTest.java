package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.Mockito;

/** The dialect members of a registry entry (sca, signing, services), as BankProfile reads them. */
class BankDialectTest {
    static final String REDIRECT = "{\"bankId\":\"gamma\",\"name\":\"Gamma\",\"services\":[\"AIS\",\"PIS\"],"
            + "\"sca\":{\"approaches\":[\"REDIRECT\",\"DECOUPLED\"],\"preferred\":\"REDIRECT\",\"explicitAuthorisation\":true,"
            + "\"statusPollSeconds\":7},"
            + "\"signing\":{\"profile\":\"berlin-group\",\"headers\":[\"digest\",\"x-request-id\",\"psu-id\",\"date\"]}}";

    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);
    private final BankProfile callout = new BankProfile(Map.of("bank-id", "{hub.bank_id}", "profile", "{kvm.profile}"));

    private MapMessageContext run(String bankId, String profile) {
        MapMessageContext c = new MapMessageContext().set("hub.bank_id", bankId).set("kvm.profile", profile);
        callout.execute(c, exec);
        return c;
    }

    @Test
    void aRedirectBankWithoutOAuthThatSigns() {
        MapMessageContext c = run("gamma", REDIRECT);
        assertThat(c.string("bank.error")).isNull();
        assertThat(c.string("bank.supported")).isEqualTo("true");
        assertThat(c.string("bank.oauth")).isEqualTo("false");
        assertThat(c.string("bank.sca_approaches")).isEqualTo("REDIRECT DECOUPLED");
        assertThat(c.string("bank.sca_preferred")).isEqualTo("REDIRECT");
        assertThat(c.string("bank.sca_explicit")).isEqualTo("true");
        assertThat(c.string("bank.sca_request")).isEqualTo("redirect");
        assertThat(c.string("bank.sca_poll_seconds")).isEqualTo("7");
        assertThat(c.string("bank.signing")).isEqualTo("berlin-group");
        assertThat(c.string("bank.signing_headers")).isEqualTo("digest x-request-id psu-id date");
        assertThat(c.string("bank.signing_token_endpoint")).isEqualTo("false");
        assertThat(c.string("bank.signing_par_endpoint")).isEqualTo("false");
        assertThat(c.string("bank.services")).isEqualTo("AIS PIS");
        assertThat(c.string("bank.issuer")).isEmpty();
    }

    @Test
    void anEntryWithoutDialectMembersIsTheHubsFirstDialect() {
        MapMessageContext c = run("sandbox-a", BankProfileTest.PROFILE);
        assertThat(c.string("bank.error")).isNull();
        assertThat(c.string("bank.sca_approaches")).isEqualTo("OAUTH");
        assertThat(c.string("bank.sca_preferred")).isEqualTo("OAUTH");
        assertThat(c.string("bank.sca_request")).isEqualTo("oauth");
        assertThat(c.string("bank.oauth")).isEqualTo("true");
        assertThat(c.string("bank.signing")).isEqualTo("none");
        assertThat(c.string("bank.signing_headers")).isEmpty();
        assertThat(c.string("bank.services")).isEqualTo("AIS");
        assertThat(c.string("bank.sca_poll_seconds")).isEqualTo("5");
    }

    @Test
    void anEmbeddedOnlyBankIsDocumentedButUnsupported() {
        String embedded = "{\"name\":\"E\",\"supported\":false,\"sca\":{\"approaches\":[\"EMBEDDED\"]}}";
        MapMessageContext c = run("epsilon", embedded);
        assertThat(c.string("bank.error")).isNull();
        assertThat(c.string("bank.supported")).isEqualTo("false");
        assertThat(c.string("bank.sca_preferred")).isEmpty();
        MapMessageContext unmarked = run("epsilon", embedded.replace("\"supported\":false,", ""));
        assertThat(unmarked.string("bank.error")).contains("supported");
    }

    @Test
    void signingTheTokenEndpointNeedsOAuth() {
        MapMessageContext c = run("gamma", REDIRECT.replace("\"date\"]}", "\"date\"],\"tokenEndpoint\":true}"));
        assertThat(c.string("bank.error")).contains("tokenEndpoint");
        String oauthSigned = BankProfileTest.PROFILE.replace("\"unattendedPerDay\"",
                "\"signing\":{\"profile\":\"berlin-group\",\"tokenEndpoint\":true},\"unattendedPerDay\"");
        MapMessageContext o = run("sandbox-a", oauthSigned);
        assertThat(o.string("bank.error")).isNull();
        assertThat(o.string("bank.signing_token_endpoint")).isEqualTo("true");
        assertThat(o.string("bank.signing_headers")).as("Berlin Group's list by default")
                .isEqualTo("digest x-request-id psu-id psu-corporate-id date tpp-redirect-uri");
    }

    @Test
    void signingThePushedAuthorisationRequestNeedsOAuthAndTheBerlinGroupProfile() {
        MapMessageContext c = run("gamma", REDIRECT.replace("\"date\"]}", "\"date\"],\"parEndpoint\":true}"));
        assertThat(c.string("bank.error")).contains("parEndpoint").contains("OAUTH");
        String unsigned = BankProfileTest.PROFILE.replace("\"unattendedPerDay\"",
                "\"signing\":{\"profile\":\"none\",\"parEndpoint\":true},\"unattendedPerDay\"");
        assertThat(run("sandbox-a", unsigned).string("bank.error")).contains("parEndpoint").contains("berlin-group");
        String oauthSigned = BankProfileTest.PROFILE.replace("\"unattendedPerDay\"",
                "\"signing\":{\"profile\":\"berlin-group\",\"tokenEndpoint\":true,\"parEndpoint\":true},\"unattendedPerDay\"");
        MapMessageContext o = run("sandbox-a", oauthSigned);
        assertThat(o.string("bank.error")).isNull();
        assertThat(o.string("bank.signing_par_endpoint")).isEqualTo("true");
        assertThat(o.string("bank.signing_token_endpoint")).isEqualTo("true");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"approaches\":[\"REDIRECT\",\"DECOUPLED\"]|\"approaches\":[]|approaches",
        "\"approaches\":[\"REDIRECT\",\"DECOUPLED\"]|\"approaches\":[\"REDIRECT\",\"REDIRECT\"]|approaches",
        "\"approaches\":[\"REDIRECT\",\"DECOUPLED\"]|\"approaches\":[\"OAUTH2\"]|approaches",
        "\"approaches\":[\"REDIRECT\",\"DECOUPLED\"]|\"approaches\":\"REDIRECT\"|approaches",
        "\"preferred\":\"REDIRECT\"|\"preferred\":\"OAUTH\"|preferred",
        "\"preferred\":\"REDIRECT\"|\"preferred\":\"EMBEDDED\"|preferred",
        "\"statusPollSeconds\":7|\"statusPollSeconds\":61|statusPollSeconds",
        "\"explicitAuthorisation\":true|\"explicitAuthorisation\":\"yes\"|explicitAuthorisation",
        "\"profile\":\"berlin-group\"|\"profile\":\"jws\"|profile",
        "\"digest\",\"x-request-id\",|\"x-request-id\",|headers",
        "\"psu-id\",|\"psu-id\",\"authorization\",|headers",
        "\"services\":[\"AIS\",\"PIS\"]|\"services\":[\"AIS\",\"CBPII\"]|services",
        "\"services\":[\"AIS\",\"PIS\"]|\"services\":[]|services"})
    void refusesABrokenDialectNamingTheMember(String good, String bad, String member) {
        MapMessageContext c = run("gamma", REDIRECT.replace(good, bad));
        assertThat(c.string("bank.error_code")).isEqualTo("invalid_bank_profile");
        assertThat(c.string("bank.error")).contains(member);
        assertThat(c.string("bank.id")).isNull();
    }

    @Test
    void oauthMembersBelongOnlyToAnOAuthBank() {
        MapMessageContext c = run("gamma", REDIRECT.replace("\"name\":\"Gamma\"", "\"name\":\"Gamma\",\"issuer\":\"https://g.example\""));
        assertThat(c.string("bank.error")).contains("issuer");
        MapMessageContext missing = run("gamma", REDIRECT.replace("[\"REDIRECT\",\"DECOUPLED\"]", "[\"REDIRECT\",\"OAUTH\"]"));
        assertThat(missing.string("bank.error")).as("OAUTH offered: metadataUrl and the rest are required")
                .contains("metadataUrl");
        assertThat(BankDialect.check(Map.of("sca", Map.of("approaches", java.util.List.of("DECOUPLED"), "preferred", "DECOUPLED"))))
                .isEmpty();
        assertThat(BankDialect.check(Map.of("sca", Map.of("approaches", java.util.List.of("DECOUPLED"))))).singleElement()
                .asString().contains("preferred");
    }
}
