package eu.securehub.psd2.runtime.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SpikeArrestTest {
    private final MutableClock clock = new MutableClock();
    private final TestEnvironment env = new TestEnvironment(clock);

    private static final String SA = """
            <SpikeArrest name="SA-BankSpikeArrest">
              <DisplayName>SA-BankSpikeArrest</DisplayName>
              <Identifier ref="hub.bank_id"/>
              <Rate ref="bank.spike_rate">20ps</Rate>
              <UseEffectiveCount>true</UseEffectiveCount>
            </SpikeArrest>
            """;

    @Test
    void aBurstOverTheRateIsRefusedWith429() {
        Policy sa = Policies.create(SA);
        for (int i = 0; i < 20; i++) {
            TestContext ctx = new TestContext(env).with("hub.bank_id", "bank-a");
            sa.execute(ctx);
            assertThat(ctx.get("ratelimit.SA-BankSpikeArrest.failed")).isEqualTo(false);
            assertThat(ctx.get("ratelimit.SA-BankSpikeArrest.exceed.count")).isEqualTo(0L);
            assertThat(ctx.get("ratelimit.SA-BankSpikeArrest.allowed.count")).isEqualTo(20L);
        }
        TestContext refused = new TestContext(env).with("hub.bank_id", "bank-a");
        assertThatThrownBy(() -> sa.execute(refused)).isInstanceOfSatisfying(PolicyFault.class, f -> {
            assertThat(f.status()).isEqualTo(429);
            assertThat(f.errorCode()).isEqualTo("policies.ratelimit.SpikeArrestViolation");
            assertThat(f.faultName()).isEqualTo("SpikeArrestViolation");
        });
        assertThat(refused.get("ratelimit.SA-BankSpikeArrest.failed")).isEqualTo(true);
        assertThat(refused.get("ratelimit.SA-BankSpikeArrest.exceed.count")).isEqualTo(1L);
        assertThat(refused.get("ratelimit.SA-BankSpikeArrest.available.count")).isEqualTo(0L);
        sa.execute(new TestContext(env).with("hub.bank_id", "bank-b"));
        clock.advance(Duration.ofSeconds(1));
        sa.execute(new TestContext(env).with("hub.bank_id", "bank-a"));
    }

    @Test
    void rateRefAndSmoothing() {
        Policy sa = Policies.create("""
                <SpikeArrest name="SA">
                  <Rate ref="rate">30pm</Rate>
                  <MessageWeight ref="w"/>
                </SpikeArrest>
                """);
        sa.execute(new TestContext(env));
        clock.advance(Duration.ofMillis(1999));
        assertThatThrownBy(() -> sa.execute(new TestContext(env))).isInstanceOf(PolicyFault.class);
        clock.advance(Duration.ofMillis(1));
        sa.execute(new TestContext(env));
        // 60pm from the ref: one per second.
        clock.advance(Duration.ofSeconds(1));
        sa.execute(new TestContext(env).with("rate", "60pm"));
        assertThatThrownBy(() -> sa.execute(new TestContext(env).with("rate", "lots"))).isInstanceOfSatisfying(PolicyFault.class, f -> {
            assertThat(f.errorCode()).isEqualTo("policies.ratelimit.FailedToResolveSpikeArrestRate");
            assertThat(f.status()).isEqualTo(500);
        });
        assertThatThrownBy(() -> sa.execute(new TestContext(env).with("w", "x"))).isInstanceOfSatisfying(PolicyFault.class,
                f -> assertThat(f.errorCode()).isEqualTo("policies.ratelimit.InvalidMessageWeight"));
    }

    @Test
    void deploymentErrorsAndStrictness() {
        assertThatThrownBy(() -> Policies.create(SA.replace("20ps", "20ph"))).isInstanceOf(ConfigError.class)
                .hasMessageContaining("InvalidAllowedRate");
        assertThatThrownBy(() -> Policies.create(SA.replace("<Rate ref=\"bank.spike_rate\">20ps</Rate>", "")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("Rate");
        assertThatThrownBy(() -> Policies.create(SA.replace("<UseEffectiveCount>true", "<UseEffectiveCount>maybe")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("true or false");
        assertThatThrownBy(() -> Policies.create(SA.replace("<Identifier ref=\"hub.bank_id\"/>", "<Identifier ref=\"hub.bank_id\" scope=\"x\"/>")))
                .isInstanceOf(ConfigError.class).hasMessageStartingWith("apiproxy/policies/Test.xml:3: ").hasMessageContaining("scope");
    }
}
