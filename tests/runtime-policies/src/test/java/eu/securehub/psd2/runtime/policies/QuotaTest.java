package eu.securehub.psd2.runtime.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QuotaTest {
    private final MutableClock clock = new MutableClock();
    private final TestEnvironment env = new TestEnvironment(clock);

    private static final String BUDGET = """
            <Quota name="Q-UnattendedBudget" type="rollingwindow">
              <DisplayName>Q-UnattendedBudget</DisplayName>
              <Identifier ref="hub.budget_key"/>
              <Allow count="4" countRef="bank.unattended_allow"/>
              <Interval>24</Interval>
              <TimeUnit>hour</TimeUnit>
              <Distributed>true</Distributed>
              <Synchronous>true</Synchronous>
            </Quota>
            """;

    private TestContext budget(String key) {
        return new TestContext(env).with("hub.budget_key", key);
    }

    @Test
    void rollingWindowBudgetSetsVariablesAndRaises429() {
        Policy q = Policies.create(BUDGET);
        for (int i = 1; i <= 4; i++) {
            TestContext ctx = budget("consent-1|acc-1");
            q.execute(ctx);
            assertThat(ctx.get("ratelimit.Q-UnattendedBudget.allowed.count")).isEqualTo(4L);
            assertThat(ctx.get("ratelimit.Q-UnattendedBudget.used.count")).isEqualTo((long) i);
            assertThat(ctx.get("ratelimit.Q-UnattendedBudget.available.count")).isEqualTo(4L - i);
            assertThat(ctx.get("ratelimit.Q-UnattendedBudget.exceed.count")).isEqualTo(0L);
            assertThat(ctx.get("ratelimit.Q-UnattendedBudget.failed")).isEqualTo(false);
            assertThat(ctx.get("ratelimit.Q-UnattendedBudget.identifier")).isEqualTo("consent-1|acc-1");
            assertThat(ctx.vars).doesNotContainKey("ratelimit.Q-UnattendedBudget.expiry.time");
            clock.advance(Duration.ofHours(1));
        }
        TestContext fifth = budget("consent-1|acc-1");
        assertThatThrownBy(() -> q.execute(fifth)).isInstanceOfSatisfying(PolicyFault.class, f -> {
            assertThat(f.status()).isEqualTo(429);
            assertThat(f.errorCode()).isEqualTo("policies.ratelimit.QuotaViolation");
            assertThat(f.faultName()).isEqualTo("QuotaViolation");
            assertThat(f.faultString()).isEqualTo("Rate limit quota violation. Quota limit exceeded. Identifier : consent-1|acc-1");
        });
        assertThat(fifth.get("ratelimit.Q-UnattendedBudget.failed")).isEqualTo(true);
        assertThat(fifth.get("ratelimit.Q-UnattendedBudget.exceed.count")).isEqualTo(1L);
        assertThat(fifth.get("ratelimit.Q-UnattendedBudget.available.count")).isEqualTo(0L);

        TestContext otherAccount = budget("consent-1|acc-2");
        q.execute(otherAccount);
        assertThat(otherAccount.get("ratelimit.Q-UnattendedBudget.used.count")).isEqualTo(1L);

        // 24 h after the first read it leaves the window: one more read is allowed.
        clock.advance(Duration.ofHours(20));
        TestContext next = budget("consent-1|acc-1");
        q.execute(next);
        assertThat(next.get("ratelimit.Q-UnattendedBudget.used.count")).isEqualTo(4L);
    }

    @Test
    void countRefOverridesCountWhenSet() {
        Policy q = Policies.create(BUDGET);
        TestContext ctx = budget("c").with("bank.unattended_allow", "2");
        q.execute(ctx);
        assertThat(ctx.get("ratelimit.Q-UnattendedBudget.allowed.count")).isEqualTo(2L);
        q.execute(budget("c").with("bank.unattended_allow", "2"));
        assertThatThrownBy(() -> q.execute(budget("c").with("bank.unattended_allow", "2"))).isInstanceOf(PolicyFault.class);
        TestContext bad = budget("c").with("bank.unattended_allow", "lots");
        q.execute(bad);
        assertThat(bad.get("ratelimit.Q-UnattendedBudget.allowed.count")).as("invalid ref: count").isEqualTo(4L);
    }

    @Test
    void defaultTypeSetsExpiryTimeAndIntervalRef() {
        Policy q = Policies.create("""
                <Quota name="Q">
                  <Allow count="1"/>
                  <Interval ref="window">1</Interval>
                  <TimeUnit ref="unit">minute</TimeUnit>
                </Quota>
                """);
        TestContext ctx = new TestContext(env);
        q.execute(ctx);
        assertThat(ctx.get("ratelimit.Q.expiry.time")).isEqualTo(clock.instant().plusSeconds(30).toEpochMilli());
        assertThat(ctx.get("ratelimit.Q.identifier")).isEqualTo("_default");
        assertThatThrownBy(() -> q.execute(new TestContext(env))).isInstanceOfSatisfying(PolicyFault.class,
                f -> assertThat(f.faultString()).endsWith("Identifier : _default"));
        assertThatThrownBy(() -> q.execute(new TestContext(env).with("window", "soon"))).isInstanceOfSatisfying(PolicyFault.class,
                f -> {
                    assertThat(f.errorCode()).isEqualTo("policies.ratelimit.FailedToResolveQuotaIntervalReference");
                    assertThat(f.status()).isEqualTo(500);
                });
        assertThatThrownBy(() -> q.execute(new TestContext(env).with("unit", "fortnight"))).isInstanceOfSatisfying(PolicyFault.class,
                f -> assertThat(f.errorCode()).isEqualTo("policies.ratelimit.FailedToResolveQuotaIntervalTimeUnitReference"));
    }

    @Test
    void messageWeight() {
        Policy q = Policies.create("""
                <Quota name="Q" type="flexi">
                  <Allow count="10"/>
                  <Interval>1</Interval>
                  <TimeUnit>hour</TimeUnit>
                  <MessageWeight ref="w"/>
                </Quota>
                """);
        TestContext ctx = new TestContext(env).with("w", "7");
        q.execute(ctx);
        assertThat(ctx.get("ratelimit.Q.used.count")).isEqualTo(7L);
        assertThat(ctx.get("ratelimit.Q.expiry.time")).isEqualTo(clock.instant().plusSeconds(3600).toEpochMilli());
        assertThatThrownBy(() -> q.execute(new TestContext(env).with("w", "4"))).isInstanceOf(PolicyFault.class);
        assertThatThrownBy(() -> q.execute(new TestContext(env).with("w", "-1"))).isInstanceOfSatisfying(PolicyFault.class,
                f -> assertThat(f.errorCode()).isEqualTo("policies.ratelimit.InvalidMessageWeight"));
    }

    @Test
    void countOnlyAndEnforceOnlyShareACounterThroughSharedName() {
        Policy count = Policies.create("""
                <Quota name="Q-BankFaultCount" type="rollingwindow">
                  <Identifier ref="hub.bank_id"/>
                  <Allow count="3"/>
                  <Interval ref="bank.breaker_window_minutes">1</Interval>
                  <TimeUnit>minute</TimeUnit>
                  <Distributed>true</Distributed>
                  <Synchronous>true</Synchronous>
                  <SharedName>psd2-bank-faults</SharedName>
                  <CountOnly>true</CountOnly>
                </Quota>
                """);
        Policy enforce = Policies.create("""
                <Quota name="Q-BankFaultCheck" type="rollingwindow" continueOnError="true">
                  <Identifier ref="hub.bank_id"/>
                  <Allow count="3"/>
                  <Interval>1</Interval>
                  <TimeUnit>minute</TimeUnit>
                  <SharedName>psd2-bank-faults</SharedName>
                  <EnforceOnly>true</EnforceOnly>
                </Quota>
                """);
        for (int i = 1; i <= 5; i++) {
            TestContext ctx = new TestContext(env).with("hub.bank_id", "bank-a");
            count.execute(ctx);
            assertThat(ctx.get("ratelimit.Q-BankFaultCount.used.count")).isEqualTo((long) i);
            assertThat(ctx.get("ratelimit.Q-BankFaultCount.failed")).isEqualTo(false);
        }
        TestContext check = new TestContext(env).with("hub.bank_id", "bank-a");
        assertThatThrownBy(() -> enforce.execute(check)).isInstanceOf(PolicyFault.class);
        assertThat(check.get("ratelimit.Q-BankFaultCheck.failed")).isEqualTo(true);
        assertThat(check.get("ratelimit.Q-BankFaultCheck.used.count")).isEqualTo(5L);
        TestContext otherBank = new TestContext(env).with("hub.bank_id", "bank-b");
        enforce.execute(otherBank);
        assertThat(otherBank.get("ratelimit.Q-BankFaultCheck.failed")).isEqualTo(false);
        assertThat(otherBank.get("ratelimit.Q-BankFaultCheck.used.count")).isEqualTo(0L);
    }

    @Test
    void manyThreadsIncrementingAQuota() throws Exception {
        Policy q = Policies.create(BUDGET.replace("count=\"4\"", "count=\"1000\""));
        AtomicInteger allowed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 24; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        try {
                            q.execute(budget("hot"));
                            allowed.incrementAndGet();
                        } catch (PolicyFault f) {
                            refused.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(allowed.get()).isEqualTo(1000);
        assertThat(refused.get()).isEqualTo(1400);
    }

    @Test
    void deploymentErrors() {
        assertThatThrownBy(() -> Policies.create(BUDGET.replace("rollingwindow", "sliding")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("InvalidQuotaType");
        assertThatThrownBy(() -> Policies.create(BUDGET.replace("<Interval>24</Interval>", "<Interval>0</Interval>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("InvalidQuotaInterval");
        assertThatThrownBy(() -> Policies.create(BUDGET.replace("<TimeUnit>hour</TimeUnit>", "<TimeUnit>year</TimeUnit>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("InvalidQuotaTimeUnit");
        assertThatThrownBy(() -> Policies.create(BUDGET.replace("<Interval>24</Interval>", "<Interval>24</Interval><StartTime>2026-01-01 00:00:00</StartTime>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("StartTimeNotSupported");
        assertThatThrownBy(() -> Policies.create(BUDGET.replace("rollingwindow", "calendar")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("InvalidStartTime");
        assertThatThrownBy(() -> Policies.create(BUDGET.replace("<TimeUnit>hour</TimeUnit>", "<TimeUnit>second</TimeUnit>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("InvalidTimeUnitForDistributedQuota");
        assertThatThrownBy(() -> Policies.create(BUDGET.replace("<Synchronous>true</Synchronous>",
                "<Synchronous>true</Synchronous><AsynchronousConfiguration><SyncIntervalInSeconds>20</SyncIntervalInSeconds></AsynchronousConfiguration>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("InvalidAsynchronizeConfigurationForSynchronousQuota");
        assertThatThrownBy(() -> Policies.create(BUDGET.replace("<Synchronous>true</Synchronous>",
                "<AsynchronousConfiguration><SyncIntervalInSeconds>5</SyncIntervalInSeconds></AsynchronousConfiguration>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("InvalidSynchronizeIntervalForAsyncConfiguration");
        assertThatThrownBy(() -> Policies.create(BUDGET.replace("<Synchronous>true</Synchronous>", "<CountOnly>true</CountOnly>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("SharedName");
        Policy calendar = Policies.create(BUDGET.replace("rollingwindow", "calendar")
                .replace("<Interval>24</Interval>", "<Interval>24</Interval><StartTime>2026-01-01 00:00:00</StartTime>"));
        assertThat(calendar.type()).isEqualTo("Quota");
    }

    @Test
    void unknownElementNamesFileAndLine() {
        assertThatThrownBy(() -> Policies.create(BUDGET.replace("<Distributed>true</Distributed>", "<Distributed>true</Distributed><Burst>2</Burst>")))
                .isInstanceOf(ConfigError.class).hasMessageStartingWith("apiproxy/policies/Test.xml:7: ").hasMessageContaining("Burst");
    }
}
