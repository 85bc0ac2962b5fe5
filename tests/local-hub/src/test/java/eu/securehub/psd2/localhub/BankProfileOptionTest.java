package eu.securehub.psd2.localhub;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Options.bankProfile: a top-level member of a bank profile replaced (or added) as JSON. */
class BankProfileOptionTest {
    static final String PROFILE = "{\"bankId\":\"alpha\",\"unattendedPerDay\":4,\"spikeArrestRate\":\"20ps\","
            + "\"breaker\":{\"failureThreshold\":5,\"openSeconds\":30},\"scopes\":\"openid\"}";

    @Test
    void replacesAnObjectMember() {
        String p = LocalHub.withMember(PROFILE, "breaker", "{\"failureThreshold\":3,\"openSeconds\":2}");
        assertThat(p).isEqualTo("{\"bankId\":\"alpha\",\"unattendedPerDay\":4,\"spikeArrestRate\":\"20ps\","
                + "\"breaker\":{\"failureThreshold\":3,\"openSeconds\":2},\"scopes\":\"openid\"}");
    }

    @Test
    void replacesStringAndNumberMembers() {
        String p = LocalHub.withMember(LocalHub.withMember(PROFILE, "spikeArrestRate", "\"1ps\""), "unattendedPerDay", "2");
        assertThat(p).contains("\"spikeArrestRate\":\"1ps\",").contains("\"unattendedPerDay\":2,")
                .contains("\"breaker\":{\"failureThreshold\":5,\"openSeconds\":30}");
    }

    @Test
    void addsAMissingMember() {
        assertThat(LocalHub.withMember("{\"a\":1}", "b", "\"x\"")).isEqualTo("{\"a\":1,\"b\":\"x\"}");
        assertThat(LocalHub.withMember("{}", "b", "2")).isEqualTo("{\"b\":2}");
    }
}
