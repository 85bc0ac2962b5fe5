package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.crypto.DekCache;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import eu.securehub.psd2.callouts.testing.TestKeys;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

class OpaqueTokenCalloutsTest {
    static final String ACCESS = "bank-access-token-7f3a";
    static final String REFRESH = "bank-refresh-token-91c2";

    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);
    private TestKeys keys;
    private final Map<String, String> kvm = new ConcurrentHashMap<>();

    @BeforeEach
    void freshKeys() {
        DekCache.clear();
        keys = new TestKeys().add("k1").warm();
    }

    private static Map<String, String> mintProps(String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put("keyring", "{private.keyring}");
        p.put("access-token", "{private.bank.access_token}");
        p.put("refresh-token", "{private.bank.refresh_token}");
        p.put("access-token-expires-in", "{bank.expires_in}");
        p.put("consent-id", "{consent.id}");
        p.put("bank-id", "{bank.id}");
        p.put("app-id", "{app.id}");
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private static Map<String, String> resolveProps(String step, String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put("keyring", "{private.keyring}");
        p.put("step", step);
        p.put("record", "{private.token.record}");
        p.put("app-id", "{app.id}");
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private MapMessageContext mintCtx() {
        return new MapMessageContext().set("private.keyring", keys.keyring())
                .set("private.bank.access_token", ACCESS).set("private.bank.refresh_token", REFRESH)
                .set("bank.expires_in", "300").set("consent.id", "consent-42").set("bank.id", "bank-a")
                .set("app.id", "crm-app-1");
    }

    /** Mints, stores the record as the flow's KVM Put would, and returns the opaque token. */
    private String mint(String... kv) {
        MapMessageContext c = mintCtx();
        for (int i = 0; i < kv.length; i += 2) {
            c.set(kv[i], kv[i + 1]);
        }
        assertThat(new MintOpaqueToken(mintProps()).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        kvm.put(c.string("token.kvm_key"), c.string("token.kvm_value"));
        return c.string("private.token.opaque");
    }

    /** Runs the two resolve steps around a KVM Get, as the flow does. */
    private MapMessageContext resolve(String authorization, String appId, String... kv) {
        MapMessageContext c = new MapMessageContext().set("private.keyring", keys.keyring())
                .set("request.header.Authorization", authorization).set("app.id", appId);
        ExecutionResult lookup = new ResolveOpaqueToken(resolveProps("lookup", kv)).execute(c, exec);
        if (lookup != ExecutionResult.SUCCESS) {
            return c;
        }
        String key = c.string("token.kvm_key");
        c.set("private.token.record", key == null ? null : kvm.get(key));
        new ResolveOpaqueToken(resolveProps("decrypt", kv)).execute(c, exec);
        return c;
    }

    @Test
    void mintGivesTheCrmAnOpaqueTokenAndTheStoreOnlyCiphertext() {
        MapMessageContext c = mintCtx();
        assertThat(new MintOpaqueToken(mintProps()).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        String token = c.string("private.token.opaque");
        assertThat(token).matches("hub_[A-Za-z0-9_-]{48}");
        assertThat(c.string("token.kvm_key")).matches("[A-Za-z0-9_-]{43}").doesNotContain(token.substring(4));
        assertThat(c.string("token.kvm_value")).doesNotContain(ACCESS, REFRESH, "consent-42", token);
        assertThat(c.string("token.expires_at")).isNotBlank();
        assertThat(c.variables().values()).noneMatch(v -> v.toString().contains(ACCESS) && !v.toString().equals(ACCESS));
    }

    @Test
    void tokensAreUniqueAndCarryAtLeast256RandomBits() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            tokens.add(OpaqueTokens.mint());
        }
        assertThat(tokens).hasSize(500).allMatch(OpaqueTokens::wellFormed);
        assertThat(OpaqueTokens.RANDOM_BYTES * 8).isGreaterThanOrEqualTo(256);
    }

    @Test
    void aConsentCredentialHoldsNoBankTokenAndNeverRefreshes() {
        MapMessageContext c = mintCtx().set("private.bank.access_token", "").set("private.bank.refresh_token", "")
                .set("bank.expires_in", "");
        Map<String, String> props = mintProps("credential", "consent");
        assertThat(new MintOpaqueToken(props).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        kvm.put(c.string("token.kvm_key"), c.string("token.kvm_value"));
        MapMessageContext r = resolve("Bearer " + c.string("private.token.opaque"), "crm-app-1");
        assertThat(r.string("token.error")).isNull();
        assertThat(r.string("token.credential")).isEqualTo("consent");
        assertThat(r.string("private.bank.access_token")).isEmpty();
        assertThat(r.string("token.consent_id")).isEqualTo("consent-42");
        assertThat(r.string("token.refresh_due")).as("there is nothing to refresh").isEqualTo("false");
        assertThat(r.string("token.access_expired")).isEqualTo("false");
        assertThat(mintAndResolveCredential()).isEqualTo("oauth");
    }

    private String mintAndResolveCredential() {
        return resolve("Bearer " + mint(), "crm-app-1").string("token.credential");
    }

    @Test
    void aConsentCredentialRefusesBankTokensAndAnUnknownCredentialIsRefused() {
        MapMessageContext withToken = mintCtx();
        assertThat(new MintOpaqueToken(mintProps("credential", "consent")).execute(withToken, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(withToken.string("token.error_code")).isEqualTo("invalid_property");
        assertThat(withToken.string("token.error")).doesNotContain(ACCESS);
        MapMessageContext odd = mintCtx();
        assertThat(new MintOpaqueToken(mintProps("credential", "cookie")).execute(odd, exec)).isSameAs(ExecutionResult.ABORT);
    }

    @Test
    void resolveReturnsTheBankTokenSetUnderPrivateNames() {
        String token = mint();
        MapMessageContext c = resolve("Bearer " + token, "crm-app-1");
        assertThat(c.string("token.error")).isNull();
        assertThat(c.string("private.bank.access_token")).isEqualTo(ACCESS);
        assertThat(c.string("private.bank.refresh_token")).isEqualTo(REFRESH);
        assertThat(c.string("private.token.opaque")).isEqualTo(token);
        assertThat(c.string("token.consent_id")).isEqualTo("consent-42");
        assertThat(c.string("token.bank_id")).isEqualTo("bank-a");
        assertThat(c.string("token.app_id")).isEqualTo("crm-app-1");
        assertThat(c.string("token.access_expired")).isEqualTo("false");
        assertThat(Long.parseLong(c.string("token.sca_time"))).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
        assertThat(c.variables().keySet().stream().filter(k -> !k.startsWith("private.")))
                .noneMatch(k -> ACCESS.equals(c.string(k)) || REFRESH.equals(c.string(k)));
    }

    @Test
    void theSchemeIsCaseInsensitiveAndAnExplicitAuthorizationPropertyWorks() {
        String token = mint();
        assertThat(resolve("bearer   " + token, "crm-app-1").string("token.error")).isNull();
        MapMessageContext c = resolve("ignored", "crm-app-1", "authorization", "Bearer {my.token}");
        assertThat(c.string("token.error_code")).isEqualTo("malformed_token");
        MapMessageContext d = new MapMessageContext().set("private.keyring", keys.keyring()).set("my.token", token);
        assertThat(new ResolveOpaqueToken(resolveProps("lookup", "authorization", "Bearer {my.token}")).execute(d, exec))
                .isSameAs(ExecutionResult.SUCCESS);
    }

    @Test
    void malformedTokensAreToldApartWithoutALookup() {
        String token = mint();
        String badChecksum = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
        for (String header : List.of("", "Basic dXNlcjpwYXNz", "Bearer", "Bearer " + token.substring(4),
                "Bearer " + token + "x", "Bearer " + badChecksum, "Bearer hub_" + "!".repeat(48), token)) {
            MapMessageContext c = resolve(header, "crm-app-1");
            assertThat(c.string("token.error_code")).as(header).isEqualTo("malformed_token");
            assertThat(c.string("token.kvm_key")).isNull();
        }
    }

    @Test
    void anUnknownTokenIsReported() {
        MapMessageContext c = resolve("Bearer " + OpaqueTokens.mint(), "crm-app-1");
        assertThat(c.string("token.error_code")).isEqualTo("unknown_token");
        assertThat(c.string("private.bank.access_token")).isNull();
    }

    @Test
    void aTokenBoundToAnotherCrmAppIsRefused() {
        String token = mint();
        MapMessageContext c = resolve("Bearer " + token, "crm-app-2");
        assertThat(c.string("token.error_code")).isEqualTo("app_mismatch");
        assertThat(c.string("private.bank.access_token")).isNull();
    }

    @Test
    void anExpiredTokenIsFlaggedForRemovalWithoutItsBankTokens() {
        // Minted 181 days ago (the default maximum lifetime is 180 days).
        MapMessageContext m = mintCtx().set("then", System.currentTimeMillis() - 181L * 24 * 3600 * 1000);
        assertThat(new MintOpaqueToken(mintProps("now", "{then}")).execute(m, exec)).isSameAs(ExecutionResult.SUCCESS);
        kvm.put(m.string("token.kvm_key"), m.string("token.kvm_value"));
        MapMessageContext c = resolve("Bearer " + m.string("private.token.opaque"), "crm-app-1");
        assertThat(c.string("token.error")).isNull();
        assertThat(c.string("token.expired")).isEqualTo("true");
        assertThat(c.string("token.kvm_key")).as("the record to delete").isEqualTo(m.string("token.kvm_key"));
        assertThat(c.string("private.bank.access_token")).isNull();
        assertThat(c.string("token.refresh_lease")).isNull();
    }

    @Test
    void expiresAtBoundsTheTokenAndTheMaximumLifetimeCapsIt() {
        long nowSeconds = System.currentTimeMillis() / 1000;
        MapMessageContext c = mintCtx().set("valid.until", nowSeconds + 3600);
        new MintOpaqueToken(mintProps("expires-at", "{valid.until}")).execute(c, exec);
        assertThat(c.string("token.expires_at")).isEqualTo(Long.toString(nowSeconds + 3600));

        MapMessageContext far = mintCtx().set("valid.until", nowSeconds + 400L * 24 * 3600);
        new MintOpaqueToken(mintProps("expires-at", "{valid.until}")).execute(far, exec);
        assertThat(Long.parseLong(far.string("token.expires_at"))).isLessThanOrEqualTo(nowSeconds + 1 + 180L * 24 * 3600);

        MapMessageContext past = mintCtx().set("valid.until", nowSeconds - 1);
        assertThat(new MintOpaqueToken(mintProps("expires-at", "{valid.until}")).execute(past, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(past.string("token.error_code")).isEqualTo("invalid_property");
    }

    @Test
    void anExpiredBankAccessTokenIsFlaggedForRefresh() {
        long now = System.currentTimeMillis();
        String token = mint();
        MapMessageContext c = resolve("Bearer " + token, "crm-app-1", "now", Long.toString(now + 296_000));
        assertThat(c.string("token.error")).isNull();
        assertThat(c.string("token.access_expired")).isEqualTo("true");
        assertThat(c.string("token.refresh_due")).isEqualTo("true");
    }

    @Test
    void aBankAccessTokenNearItsExpiryIsDueForRefreshButStillUsable() {
        // Minted with a 300 s access token: due in its last 60 s, no longer sent in its last 5 s.
        long now = System.currentTimeMillis();
        String token = mint();
        MapMessageContext fresh = resolve("Bearer " + token, "crm-app-1", "now", Long.toString(now));
        assertThat(fresh.string("token.refresh_due")).isEqualTo("false");
        MapMessageContext due = resolve("Bearer " + token, "crm-app-1", "now", Long.toString(now + 250_000));
        assertThat(due.string("token.refresh_due")).isEqualTo("true");
        assertThat(due.string("token.access_expired")).isEqualTo("false");
        assertThat(due.string("private.bank.access_token")).isEqualTo(ACCESS);
        MapMessageContext later = resolve("Bearer " + token, "crm-app-1", "now", Long.toString(now + 120_000),
                "refresh-ahead-seconds", "200");
        assertThat(later.string("token.refresh_due")).as("a bank's own refresh-ahead").isEqualTo("true");
    }

    @Test
    void theStoredValueShowsOnlyTheExpiryInClearAndAnOlderValueWithoutItStillOpens() {
        MapMessageContext m = mintCtx();
        new MintOpaqueToken(mintProps()).execute(m, exec);
        String stored = m.string("token.kvm_value");
        assertThat(stored).matches("[0-9]+\\.[A-Za-z0-9_-]+").startsWith(m.string("token.expires_at") + ".");
        kvm.put(m.string("token.kvm_key"), stored.substring(stored.indexOf('.') + 1));
        MapMessageContext c = resolve("Bearer " + m.string("private.token.opaque"), "crm-app-1");
        assertThat(c.string("token.error")).as("a value written before the prefix").isNull();
        assertThat(c.string("private.bank.access_token")).isEqualTo(ACCESS);
    }

    @Test
    void theRefreshLeaseNamesTheRecordAndItsGeneration() {
        String token = mint();
        MapMessageContext c = resolve("Bearer " + token, "crm-app-1");
        String lease = c.string("token.refresh_lease");
        assertThat(lease).isEqualTo(c.string("token.kvm_key") + "." + ResolveOpaqueToken.generation(ACCESS));
        assertThat(lease).doesNotContain(token, ACCESS, REFRESH);
        assertThat(ResolveOpaqueToken.generation("rotated-access")).as("a refresh is a new generation")
                .isNotEqualTo(ResolveOpaqueToken.generation(ACCESS)).hasSize(16);
    }

    @Test
    void aRefreshRestoresTheRotatedSetUnderTheSameToken() {
        String token = mint();
        MapMessageContext c = mintCtx().set("private.bank.access_token", "rotated-access").set("private.bank.refresh_token", "rotated-refresh")
                .set("private.token.opaque", token).set("sca", "1700000000");
        assertThat(new MintOpaqueToken(mintProps("opaque-token", "{private.token.opaque}", "sca-time", "{sca}")).execute(c, exec))
                .isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("private.token.opaque")).isEqualTo(token);
        kvm.put(c.string("token.kvm_key"), c.string("token.kvm_value"));
        MapMessageContext r = resolve("Bearer " + token, "crm-app-1");
        assertThat(r.string("private.bank.access_token")).isEqualTo("rotated-access");
        assertThat(r.string("private.bank.refresh_token")).isEqualTo("rotated-refresh");
        assertThat(r.string("token.sca_time")).isEqualTo("1700000000");

        MapMessageContext bad = mintCtx().set("t", "hub_nope");
        assertThat(new MintOpaqueToken(mintProps("opaque-token", "{t}")).execute(bad, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(bad.string("token.error_code")).isEqualTo("malformed_token");
    }

    @Test
    void aTamperedOrTransplantedRecordIsUndecryptable() {
        String a = mint();
        String b = mint();
        MapMessageContext lookupA = resolve("Bearer " + a, "crm-app-1");
        MapMessageContext lookupB = resolve("Bearer " + b, "crm-app-1");
        String keyA = lookupA.string("token.kvm_key");
        String keyB = lookupB.string("token.kvm_key");
        String recordB = kvm.get(keyB);

        kvm.put(keyA, recordB); // B's record stored under A's key
        assertThat(resolve("Bearer " + a, "crm-app-1").string("token.error_code")).isEqualTo("undecryptable_token");

        kvm.put(keyB, recordB.substring(0, recordB.length() - 3) + "AAA");
        assertThat(resolve("Bearer " + b, "crm-app-1").string("token.error_code")).isEqualTo("undecryptable_token");

        kvm.put(keyB, "garbage!");
        MapMessageContext g = resolve("Bearer " + b, "crm-app-1");
        assertThat(g.string("token.error_code")).isEqualTo("undecryptable_token");
        assertThat(g.string("token.error")).doesNotContain(ACCESS, b);
    }

    @Test
    void recordsUnderAKeyDroppedFromTheKeyringAreUndecryptable() {
        String token = mint();
        keys.add("k2").warm();
        String lookupRing = keys.keyring();
        keys = new TestKeys().add("k1"); // unrelated ring: the old key's DEK is gone
        assertThat(lookupRing).isNotEqualTo(keys.keyring());
        DekCache.clear();
        keys.warm();
        MapMessageContext c = resolve("Bearer " + token, "crm-app-1");
        assertThat(c.string("token.error_code")).isIn("unknown_token", "undecryptable_token");
    }

    @Test
    void mintValidatesItsInput() {
        Map<String, String[]> cases = Map.of(
                "missing_property", new String[] {"private.bank.access_token", null},
                "invalid_property", new String[] {"bank.expires_in", "soon"},
                "invalid_property ", new String[] {"consent.id", "a\nb"},
                "invalid_property  ", new String[] {"bank.id", "b".repeat(300)});
        cases.forEach((code, kv) -> {
            MapMessageContext c = mintCtx().set(kv[0], kv[1]);
            assertThat(new MintOpaqueToken(mintProps()).execute(c, exec)).isSameAs(ExecutionResult.ABORT);
            assertThat(c.string("token.error_code")).isEqualTo(code.trim());
            assertThat(c.string("token.kvm_value")).isNull();
        });
        MapMessageContext noExpiry = mintCtx().set("bank.expires_in", null);
        assertThat(new MintOpaqueToken(mintProps()).execute(noExpiry, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(noExpiry.string("token.error")).isEqualTo("missing_property: access-token-expires-in resolves to null or empty");
    }

    @Test
    void theConsentsFrequencyLimitsUnattendedAccess() {
        String[][] cases = {{null, null, "4", "4"}, {"2", null, "2", "2"}, {"1", null, "1", "1"}, {"10", null, "10", "4"},
            {"4", "2", "4", "2"}, {"3", "100", "3", "3"}, {"100", "0", "100", "0"}};
        for (String[] k : cases) {
            MapMessageContext m = mintCtx().set("authz.frequency", k[0]);
            assertThat(new MintOpaqueToken(mintProps("frequency-per-day", "{authz.frequency}")).execute(m, exec))
                    .isSameAs(ExecutionResult.SUCCESS);
            kvm.put(m.string("token.kvm_key"), m.string("token.kvm_value"));
            MapMessageContext c = resolve("Bearer " + m.string("private.token.opaque"), "crm-app-1",
                    "max-unattended-per-day", "{bank.unattended_per_day}");
            if (k[1] != null) {
                c.set("bank.unattended_per_day", k[1]);
                new ResolveOpaqueToken(resolveProps("decrypt", "max-unattended-per-day", "{bank.unattended_per_day}")).execute(c, exec);
            }
            assertThat(c.string("token.error")).isNull();
            assertThat(c.string("token.frequency_per_day")).as("%s/%s", k[0], k[1]).isEqualTo(k[2]);
            assertThat(c.string("token.unattended_allow")).as("%s/%s", k[0], k[1]).isEqualTo(k[3]);
        }
    }

    @Test
    void mintRefusesAnOutOfRangeFrequency() {
        for (String f : List.of("0", "101", "often")) {
            MapMessageContext m = mintCtx().set("authz.frequency", f);
            assertThat(new MintOpaqueToken(mintProps("frequency-per-day", "{authz.frequency}")).execute(m, exec))
                    .isSameAs(ExecutionResult.ABORT);
            assertThat(m.string("token.error_code")).isEqualTo("invalid_property");
        }
        MapMessageContext c = resolve("Bearer " + mint(), "crm-app-1", "max-unattended-per-day", "5000");
        assertThat(c.string("token.error_code")).isEqualTo("invalid_property");
    }

    @Test
    void resolveNeedsAKnownStep() {
        MapMessageContext c = new MapMessageContext().set("private.keyring", keys.keyring());
        assertThat(new ResolveOpaqueToken(resolveProps("both")).execute(c, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("token.error_code")).isEqualTo("invalid_property");
    }

    @Test
    void coldNodesAskForTheLookupKeyAndTheRecordKey() {
        keys.add("k2").lookup("k1").warm(); // records under k2, lookups under k1
        String token = mint();
        DekCache.clear();
        MapMessageContext c = new MapMessageContext().set("private.keyring", keys.keyring())
                .set("request.header.Authorization", "Bearer " + token).set("app.id", "crm-app-1");
        Map<String, String> p = resolveProps("lookup", "unwrapped-dek", "{kms.plaintext}", "unwrapped-dek-key-id", "{token.unwrap_key_id}");
        new ResolveOpaqueToken(p).execute(c, exec);
        assertThat(c.string("token.unwrap_required")).isEqualTo("true");
        assertThat(c.string("token.unwrap_key_id")).isEqualTo("k1");
        c.set("kms.plaintext", keys.dek("k1"));
        new ResolveOpaqueToken(p).execute(c, exec);
        assertThat(c.string("token.unwrap_required")).isEqualTo("false");
        c.set("private.token.record", kvm.get(c.string("token.kvm_key"))).set("kms.plaintext", null);

        Map<String, String> d = resolveProps("decrypt", "unwrapped-dek", "{kms.plaintext}", "unwrapped-dek-key-id", "{token.unwrap_key_id}");
        new ResolveOpaqueToken(d).execute(c, exec);
        assertThat(c.string("token.unwrap_required")).isEqualTo("true");
        assertThat(c.string("token.unwrap_key_id")).isEqualTo("k2");
        c.set("kms.plaintext", keys.dek("k2"));
        new ResolveOpaqueToken(d).execute(c, exec);
        assertThat(c.string("token.unwrap_required")).isEqualTo("false");
        assertThat(c.string("private.bank.access_token")).isEqualTo(ACCESS);
    }

    @Test
    void oneInstanceServesManyThreads() throws Exception {
        MintOpaqueToken minter = new MintOpaqueToken(mintProps());
        ResolveOpaqueToken lookup = new ResolveOpaqueToken(resolveProps("lookup"));
        ResolveOpaqueToken decrypt = new ResolveOpaqueToken(resolveProps("decrypt"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Set<String> failures = ConcurrentHashMap.newKeySet();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    String access = "access-" + thread + "-" + i;
                    MapMessageContext m = mintCtx().set("private.bank.access_token", access);
                    minter.execute(m, exec);
                    MapMessageContext r = new MapMessageContext().set("private.keyring", keys.keyring())
                            .set("request.header.Authorization", "Bearer " + m.string("private.token.opaque")).set("app.id", "crm-app-1");
                    lookup.execute(r, exec);
                    r.set("private.token.record", m.string("token.kvm_value"));
                    decrypt.execute(r, exec);
                    if (!access.equals(r.string("private.bank.access_token"))) {
                        failures.add(access);
                    }
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(failures).isEmpty();
    }
}
