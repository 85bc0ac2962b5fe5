package eu.securehub.psd2.runtime.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CacheTest {
    private final MutableClock clock = new MutableClock();
    private final TestEnvironment env = new TestEnvironment(clock);

    private static final String POPULATE = """
            <PopulateCache name="PC-BankMetadata">
              <DisplayName>PC-BankMetadata</DisplayName>
              <CacheKey>
                <Prefix>psd2-hub-as-metadata</Prefix>
                <KeyFragment ref="hub.bank_id"/>
              </CacheKey>
              <Scope>Exclusive</Scope>
              <Source>hub.bank_metadata</Source>
              <ExpirySettings>
                <TimeoutInSeconds>3600</TimeoutInSeconds>
              </ExpirySettings>
            </PopulateCache>
            """;

    private static final String LOOKUP = """
            <LookupCache name="LC-BankMetadata">
              <CacheKey>
                <Prefix>psd2-hub-as-metadata</Prefix>
                <KeyFragment ref="hub.bank_id"/>
              </CacheKey>
              <Scope>Exclusive</Scope>
              <AssignTo>hub.bank_metadata</AssignTo>
            </LookupCache>
            """;

    @Test
    void populateThenLookupSetsTheDocumentedVariables() {
        Policy populate = Policies.create(POPULATE);
        Policy lookup = Policies.create(LOOKUP);

        TestContext miss = new TestContext(env).with("hub.bank_id", "bank-a");
        lookup.execute(miss);
        assertThat(miss.get("lookupcache.LC-BankMetadata.cachehit")).isEqualTo(false);
        assertThat(miss.get("hub.bank_metadata")).isNull();
        assertThat(miss.get("lookupcache.LC-BankMetadata.cachekey")).isEqualTo("psd2-hub-as-metadata__bank-a");
        assertThat(miss.get("lookupcache.LC-BankMetadata.assignto")).isEqualTo("hub.bank_metadata");
        assertThat(miss.get("lookupcache.LC-BankMetadata.cachename")).isNotNull();

        populate.execute(new TestContext(env).with("hub.bank_id", "bank-a").with("hub.bank_metadata", "{\"issuer\":\"a\"}"));
        TestContext hit = new TestContext(env).with("hub.bank_id", "bank-a");
        lookup.execute(hit);
        assertThat(hit.get("lookupcache.LC-BankMetadata.cachehit")).isEqualTo(true);
        assertThat(hit.get("hub.bank_metadata")).isEqualTo("{\"issuer\":\"a\"}");

        TestContext otherBank = new TestContext(env).with("hub.bank_id", "bank-b");
        lookup.execute(otherBank);
        assertThat(otherBank.get("lookupcache.LC-BankMetadata.cachehit")).isEqualTo(false);

        clock.advance(Duration.ofSeconds(3600));
        TestContext expired = new TestContext(env).with("hub.bank_id", "bank-a");
        lookup.execute(expired);
        assertThat(expired.get("lookupcache.LC-BankMetadata.cachehit")).isEqualTo(false);
    }

    @Test
    void timeoutInSecWithRefAndScopeKeys() {
        Policy populate = Policies.create("""
                <PopulateCache name="PC">
                  <CacheKey><KeyFragment>literal</KeyFragment><KeyFragment ref="id"/></CacheKey>
                  <CacheResource>my-cache</CacheResource>
                  <Scope>Global</Scope>
                  <Source>value</Source>
                  <ExpirySettings><TimeoutInSec ref="ttl">100</TimeoutInSec></ExpirySettings>
                </PopulateCache>
                """);
        populate.execute(new TestContext(env).with("id", "7").with("value", "x").with("ttl", "10"));
        assertThat(env.caches.get("my-cache", "local__local__literal__7")).contains("x");
        clock.advance(Duration.ofSeconds(10));
        assertThat(env.caches.get("my-cache", "local__local__literal__7")).isEmpty();

        populate.execute(new TestContext(env).with("id", "8").with("value", "y"));
        clock.advance(Duration.ofSeconds(99));
        assertThat(env.caches.get("my-cache", "local__local__literal__8")).as("unset ref: the literal 100 s").contains("y");
    }

    @Test
    void strictness() {
        assertThatThrownBy(() -> Policies.create(POPULATE.replace("<Source>", "<Sauce>x</Sauce><Source>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("Test.xml:8").hasMessageContaining("Sauce");
        assertThatThrownBy(() -> Policies.create(LOOKUP.replace("<Scope>Exclusive</Scope>", "<Scope>Everywhere</Scope>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("<Scope>");
        assertThatThrownBy(() -> Policies.create(POPULATE.replace("<TimeoutInSeconds>3600</TimeoutInSeconds>",
                "<TimeoutInSeconds>0</TimeoutInSeconds>"))).isInstanceOf(ConfigError.class).hasMessageContaining("Invalid timeout");
        assertThatThrownBy(() -> Policies.create(LOOKUP.replace("<AssignTo>hub.bank_metadata</AssignTo>", "")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("AssignTo");
    }

    private static final String INVALIDATE = """
            <InvalidateCache name="IC-BankMetadata">
              <CacheKey>
                <Prefix>psd2-hub-as-metadata</Prefix>
                <KeyFragment ref="hub.bank_id"/>
              </CacheKey>
              <Scope>Exclusive</Scope>
              <PurgeChildEntries>false</PurgeChildEntries>
            </InvalidateCache>
            """;

    @Test
    void invalidateRemovesTheEntryItNames() {
        Policies.create(POPULATE).execute(new TestContext(env).with("hub.bank_id", "bank-a").with("hub.bank_metadata", "m"));
        Policies.create(POPULATE).execute(new TestContext(env).with("hub.bank_id", "bank-b").with("hub.bank_metadata", "n"));
        Policies.create(INVALIDATE).execute(new TestContext(env).with("hub.bank_id", "bank-a"));

        TestContext a = new TestContext(env).with("hub.bank_id", "bank-a");
        Policies.create(LOOKUP).execute(a);
        assertThat(a.get("lookupcache.LC-BankMetadata.cachehit")).isEqualTo(false);
        TestContext b = new TestContext(env).with("hub.bank_id", "bank-b");
        Policies.create(LOOKUP).execute(b);
        assertThat(b.get("hub.bank_metadata")).as("another entry stays").isEqualTo("n");
        Policies.create(INVALIDATE).execute(new TestContext(env).with("hub.bank_id", "none"));
    }

    @Test
    void invalidateRefusesWhatItDoesNotImplement() {
        assertThatThrownBy(() -> Policies.create(INVALIDATE.replace("<PurgeChildEntries>false", "<PurgeChildEntries>true")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("PurgeChildEntries");
        assertThatThrownBy(() -> Policies.create(INVALIDATE.replace("<Scope>", "<CacheContext><ProxyName>p</ProxyName></CacheContext><Scope>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("CacheContext");
    }

    @Test
    void anotherNodeSeesANewEntryOneSecondAfterItWasWritten() {
        eu.securehub.psd2.runtime.policies.state.InMemoryCaches writer =
                new eu.securehub.psd2.runtime.policies.state.InMemoryCaches(clock);
        eu.securehub.psd2.runtime.policies.state.InMemoryCaches other = writer.node();
        writer.put("c", "k", "v", Duration.ofSeconds(60));
        assertThat(writer.get("c", "k")).contains("v");
        assertThat(other.get("c", "k")).as("in the writer's L1 only").isEmpty();
        clock.advance(Duration.ofMillis(999));
        assertThat(other.get("c", "k")).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(other.get("c", "k")).as("in L2 after a second").contains("v");
        other.remove("c", "k");
        assertThat(writer.get("c", "k")).as("an invalidation is seen everywhere").isEmpty();
        assertThat(writer.storedEntries("c", "")).isZero();
    }
}
