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
import org.junit.jupiter.api.Test;

class KeyValueMapOperationsTest {
    private final MutableClock clock = new MutableClock();
    private final TestEnvironment env = new TestEnvironment(clock);

    private static final String PUT = """
            <KeyValueMapOperations name="KVM-Put" mapIdentifier="psd2-hub-sessions">
              <DisplayName>KVM-Put</DisplayName>
              <Scope>environment</Scope>
              <ExpiryTimeInSecs>300</ExpiryTimeInSecs>
              <Put override="true">
                <Key><Parameter>session</Parameter><Parameter ref="state_key"/></Key>
                <Value ref="sealed"/>
              </Put>
            </KeyValueMapOperations>
            """;

    private static final String GET = """
            <KeyValueMapOperations name="KVM-Get" mapIdentifier="psd2-hub-sessions">
              <Scope>environment</Scope>
              <ExpiryTimeInSecs>1</ExpiryTimeInSecs>
              <Get assignTo="private.session.sealed">
                <Key><Parameter>session</Parameter><Parameter ref="state_key"/></Key>
              </Get>
            </KeyValueMapOperations>
            """;

    @Test
    void putGetDeleteWithAJoinedKey() {
        Policy put = Policies.create(PUT);
        Policy get = Policies.create(GET);
        Policy delete = Policies.create("""
                <KeyValueMapOperations name="KVM-Delete" mapIdentifier="psd2-hub-sessions">
                  <Delete><Key><Parameter>session</Parameter><Parameter ref="state_key"/></Key></Delete>
                </KeyValueMapOperations>
                """);
        put.execute(new TestContext(env).with("state_key", "abc").with("sealed", "s3cr3t"));
        assertThat(env.kvmStore.storedValue("psd2-hub-sessions", "session__abc")).contains("s3cr3t");

        TestContext ctx = new TestContext(env).with("state_key", "abc");
        get.execute(ctx);
        assertThat(ctx.get("private.session.sealed")).isEqualTo("s3cr3t");

        delete.execute(new TestContext(env).with("state_key", "abc"));
        TestContext after = new TestContext(env).with("state_key", "abc");
        get.execute(after);
        assertThat(after.get("private.session.sealed")).as("a missing key leaves the variable unset").isNull();
    }

    @Test
    void overrideDefaultsToFalse() {
        Policy put = Policies.create("""
                <KeyValueMapOperations name="KVM-Put" mapIdentifier="m">
                  <Put><Key><Parameter>k</Parameter></Key><Value ref="v"/></Put>
                </KeyValueMapOperations>
                """);
        put.execute(new TestContext(env).with("v", "first"));
        put.execute(new TestContext(env).with("v", "second"));
        assertThat(env.kvmStore.storedValue("m", "k")).contains("first");
    }

    @Test
    void unresolvedKeyOrValueWritesNothing() {
        Policy put = Policies.create(PUT);
        put.execute(new TestContext(env).with("sealed", "x"));
        put.execute(new TestContext(env).with("state_key", "abc"));
        assertThat(env.kvmStore.storedValue("psd2-hub-sessions", "session__abc")).isEmpty();
        TestContext ctx = new TestContext(env);
        Policies.create(GET).execute(ctx);
        assertThat(ctx.vars).doesNotContainKey("private.session.sealed");
    }

    @Test
    void getsOnAnotherNodeAreStaleForExpiryTimeInSecs() {
        // The breaker's pattern: a put on node A; node B reads through a 5 s cache.
        Policy put = Policies.create(PUT);
        Policy get5 = Policies.create(GET.replace("<ExpiryTimeInSecs>1</ExpiryTimeInSecs>", "<ExpiryTimeInSecs>5</ExpiryTimeInSecs>"));
        TestEnvironment nodeB = env.otherNode();
        put.execute(new TestContext(env).with("state_key", "k").with("sealed", "closed"));
        TestContext read = new TestContext(nodeB).with("state_key", "k");
        get5.execute(read);
        assertThat(read.get("private.session.sealed")).isEqualTo("closed");

        put.execute(new TestContext(env).with("state_key", "k").with("sealed", "open"));
        TestContext onA = new TestContext(env).with("state_key", "k");
        get5.execute(onA);
        assertThat(onA.get("private.session.sealed")).as("the writing node sees its own put").isEqualTo("open");
        clock.advance(Duration.ofSeconds(4));
        TestContext stale = new TestContext(nodeB).with("state_key", "k");
        get5.execute(stale);
        assertThat(stale.get("private.session.sealed")).isEqualTo("closed");
        clock.advance(Duration.ofSeconds(1));
        TestContext fresh = new TestContext(nodeB).with("state_key", "k");
        get5.execute(fresh);
        assertThat(fresh.get("private.session.sealed")).isEqualTo("open");
    }

    @Test
    void expiryDefaultsTo300Seconds() {
        for (String expiry : new String[] {"", "<ExpiryTimeInSecs>0</ExpiryTimeInSecs>", "<ExpiryTimeInSecs>-1</ExpiryTimeInSecs>"}) {
            KeyValueMapOperationsPolicy p = (KeyValueMapOperationsPolicy) Policies.create(
                    "<KeyValueMapOperations name=\"G\" mapIdentifier=\"m\">" + expiry
                            + "<Get assignTo=\"x\"><Key><Parameter>k</Parameter></Key></Get></KeyValueMapOperations>");
            assertThat(p.expiry()).isEqualTo(Duration.ofSeconds(300));
        }
    }

    @Test
    void scopesKeepMapsApartAndMapNameRef() {
        Policy put = Policies.create("""
                <KeyValueMapOperations name="P" mapIdentifier="m">
                  <Scope>apiproxy</Scope>
                  <Put override="true"><Key><Parameter>k</Parameter></Key><Value>proxy-value</Value></Put>
                </KeyValueMapOperations>
                """);
        put.execute(new TestContext(env));
        assertThat(env.kvmStore.storedValue("apiproxy:psd2-hub-v1:m", "k")).contains("proxy-value");
        assertThat(env.kvmStore.storedValue("m", "k")).isEmpty();

        env.kvmStore.adminPut("dynamic", "k", "v");
        Policy get = Policies.create("""
                <KeyValueMapOperations name="G">
                  <MapName ref="map.name">fallback</MapName>
                  <Get assignTo="out" index="1"><Key><Parameter>k</Parameter></Key></Get>
                </KeyValueMapOperations>
                """);
        TestContext ctx = new TestContext(env).with("map.name", "dynamic");
        get.execute(ctx);
        assertThat(ctx.get("out")).isEqualTo("v");
    }

    @Test
    void emptyMapIdentifierFailsEachCallAsDocumented() {
        Policy p = Policies.create("""
                <KeyValueMapOperations name="StoreKvm" mapIdentifier="">
                  <Put override="true"><Key><Parameter ref="k"/></Key><Value ref="v"/></Put>
                </KeyValueMapOperations>
                """);
        assertThatThrownBy(() -> p.execute(new TestContext(env).with("k", "a").with("v", "b")))
                .isInstanceOfSatisfying(PolicyFault.class, f -> {
                    assertThat(f.status()).isEqualTo(500);
                    assertThat(f.errorCode()).isEqualTo("Internal Server Error");
                    assertThat(f.faultString()).isEqualTo("java.lang.UnsupportedOperationException");
                });
    }

    @Test
    void deploymentErrors() {
        assertThatThrownBy(() -> Policies.create("""
                <KeyValueMapOperations name="GetKVM" mapIdentifier="m">
                  <Get assignTo="x" index="0"><Key><Parameter>k</Parameter></Key></Get>
                </KeyValueMapOperations>
                """)).isInstanceOf(ConfigError.class).hasMessageContaining("Invalid index 0 in KeyValueMapStepDefinition GetKVM");
        assertThatThrownBy(() -> Policies.create("""
                <KeyValueMapOperations name="P" mapIdentifier="m">
                  <Put><Key><Parameter>k</Parameter></Key></Put>
                </KeyValueMapOperations>
                """)).isInstanceOf(ConfigError.class).hasMessageContaining("Value is missing");
        assertThatThrownBy(() -> Policies.create("""
                <KeyValueMapOperations name="D" mapIdentifier="m">
                  <Delete/>
                </KeyValueMapOperations>
                """)).isInstanceOf(ConfigError.class).hasMessageContaining("Key is missing");
        assertThatThrownBy(() -> Policies.create("""
                <KeyValueMapOperations name="B" mapIdentifier="m">
                  <MapName>n</MapName>
                  <Get assignTo="x"><Key><Parameter>k</Parameter></Key></Get>
                </KeyValueMapOperations>
                """)).isInstanceOf(ConfigError.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> Policies.create("""
                <KeyValueMapOperations name="N" mapIdentifier="m">
                  <Scope>environment</Scope>
                </KeyValueMapOperations>
                """)).isInstanceOf(ConfigError.class).hasMessageContaining("at least one of");
        assertThatThrownBy(() -> Policies.create("""
                <KeyValueMapOperations name="S" mapIdentifier="m">
                  <Scope>galaxy</Scope>
                  <Get assignTo="x"><Key><Parameter>k</Parameter></Key></Get>
                </KeyValueMapOperations>
                """)).isInstanceOf(ConfigError.class).hasMessageContaining("<Scope>");
    }

    @Test
    void unknownElementOrAttributeNamesFileAndLine() {
        assertThatThrownBy(() -> Policies.create("""
                <KeyValueMapOperations name="G" mapIdentifier="m">
                  <Scope>environment</Scope>
                  <Get assignTo="x">
                    <Key><Parameter>k</Parameter></Key>
                    <Default>nope</Default>
                  </Get>
                </KeyValueMapOperations>
                """)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/policies/Test.xml:5: ")
                .hasMessageContaining("Default");
        assertThatThrownBy(() -> Policies.create("""
                <KeyValueMapOperations name="G" mapIdentifier="m">
                  <Get assignTo="x" cache="no"><Key><Parameter>k</Parameter></Key></Get>
                </KeyValueMapOperations>
                """)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/policies/Test.xml:2: ")
                .hasMessageContaining("cache");
        assertThatThrownBy(() -> Policies.create("""
                <KeyValueMapOperations name="G" mapIdentifier="m">
                  <InitialEntries/>
                  <Get assignTo="x"><Key><Parameter>k</Parameter></Key></Get>
                </KeyValueMapOperations>
                """)).isInstanceOf(ConfigError.class).hasMessageContaining("Test.xml:2").hasMessageContaining("InitialEntries");
    }

    @Test
    void manyRequestsWritingKeysConcurrently() throws Exception {
        Policy put = Policies.create(PUT);
        Policy get = Policies.create(GET);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        String key = thread + "-" + i;
                        put.execute(new TestContext(env).with("state_key", key).with("sealed", "v" + key));
                        TestContext ctx = new TestContext(env).with("state_key", key);
                        get.execute(ctx);
                        assertThat(ctx.get("private.session.sealed")).isEqualTo("v" + key);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(env.kvmStore.storedValue("psd2-hub-sessions", "session__15-299")).contains("v15-299");
    }
}
