package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.sandbox.BerlinGroupContract;
import eu.securehub.psd2.sandbox.SandboxBank;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refreshing the bank's access token, end to end.
 * <ul>
 *   <li>Before the call: bank alpha issues access tokens that live 5 s. After the journey and a wait past the
 *       lifetime, a read is 200: the hub used a refresh_token grant at the bank's token endpoint before it called
 *       the account API (the bank never answered TOKEN_EXPIRED), and stored the rotated set: the next read works
 *       with yet another access token (the hub's 60 s refresh-ahead refreshes again; the used refresh token would be
 *       refused as a replay).</li>
 *   <li>On the bank's word: bank beta (default lifetime, 300 s) answers the next account read 401 TOKEN_EXPIRED once
 *       (the sandbox bank's one-shot fault): the hub refreshes once, retries the GET once with the new token, and
 *       the CRM gets 200.</li>
 *   <li>A token endpoint that fails (503) while the access token has run out: 503 bank-unavailable, then
 *       token_refreshing while that generation's lease lasts; the token record stays, nothing is refused.</li>
 * </ul>
 * Customer-present reads (PSU-IP-Address), so no budget plays a part.
 */
class RefreshTest {
    static final Duration LIFETIME = Duration.ofSeconds(5);

    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY)
                .accessTokenLifetime("alpha", LIFETIME));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    /** The bank's account reads for this CRM request (by its X-Request-ID), once there are at least {@code atLeast}. */
    private static List<BerlinGroupContract.Exchange> accountReadsOf(String bankId, HttpResponse<?> r, int atLeast) {
        return crm.awaitBankExchanges(bankId, r, atLeast).stream().filter(e -> e.path().startsWith("/v1/accounts"))
                .toList();
    }

    private static String bearer(BerlinGroupContract.Exchange e) {
        for (Map.Entry<String, List<String>> h : e.requestHeaders().entrySet()) {
            if (h.getKey().equalsIgnoreCase("Authorization")) {
                return h.getValue().get(0);
            }
        }
        throw new AssertionError("no Authorization header on " + e.path());
    }

    @Test
    void anExpiredBankTokenIsRefreshedBeforeTheCallAndTheRotatedSetIsStored() throws Exception {
        SandboxBank bank = hub.bank("alpha");
        int codesBefore = bank.tokenGrants("authorization_code");
        String token = crm.token("alpha");
        int refreshes = bank.tokenGrants("refresh_token");
        assertThat(bank.tokenGrants("authorization_code")).isEqualTo(codesBefore + 1);

        Thread.sleep(LIFETIME.toMillis() + 1000);
        HttpResponse<String> first = crm.read(token, "/accounts", true);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("\"accounts\"");
        assertThat(bank.tokenGrants("refresh_token")).as("a refresh_token grant at the bank").isGreaterThan(refreshes);
        List<BerlinGroupContract.Exchange> reads = accountReadsOf("alpha", first, 1);
        assertThat(reads).as("refreshed before the call: one read, no TOKEN_EXPIRED").hasSize(1)
                .allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
        String firstBearer = bearer(reads.get(0));

        int refreshesAfterFirst = bank.tokenGrants("refresh_token");
        HttpResponse<String> second = crm.read(token, "/accounts", true);
        assertThat(second.statusCode()).as("the rotated set was stored: " + second.body()).isEqualTo(200);
        List<BerlinGroupContract.Exchange> again = accountReadsOf("alpha", second, 1);
        assertThat(again).hasSize(1).allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
        assertThat(bank.tokenGrants("refresh_token")).as("refreshed again with the rotated refresh token")
                .isGreaterThan(refreshesAfterFirst);
        assertThat(bearer(again.get(0))).as("a new access token").isNotEqualTo(firstBearer);
        assertThat(bank.tokenGrants("authorization_code")).as("no new authorisation").isEqualTo(codesBefore + 1);
    }

    @Test
    void tokenExpiredFromTheBankIsRefreshedOnceAndTheReadRetriedOnce() throws Exception {
        SandboxBank bank = hub.bank("beta");
        String token = crm.token("beta");
        HttpResponse<String> warm = crm.read(token, "/accounts", true);
        assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
        int refreshes = bank.tokenGrants("refresh_token");
        assertThat(refreshes).as("the default lifetime needs no refresh").isZero();

        crm.faults("beta", "{\"clear\":true,\"tokenExpiredOnce\":true,\"pathPrefix\":\"/v1/accounts\"}");
        try {
            HttpResponse<String> r = crm.read(token, "/accounts", true);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"accounts\"");
            assertThat(bank.faults().tokenExpiredOnce()).as("the one-shot fault was used").isFalse();
            assertThat(bank.tokenGrants("refresh_token")).as("refreshed once").isEqualTo(refreshes + 1);
            List<BerlinGroupContract.Exchange> reads = accountReadsOf("beta", r, 2);
            assertThat(reads).as("the GET, then one retry (the same X-Request-ID)").hasSize(2);
            assertThat(reads.get(0).status()).isEqualTo(401);
            assertThat(reads.get(1).status()).isEqualTo(200);
            assertThat(reads.get(1).method()).isEqualTo("GET");
            assertThat(reads.get(1).path()).isEqualTo(reads.get(0).path());
            assertThat(bearer(reads.get(1))).as("retried with the refreshed token").isNotEqualTo(bearer(reads.get(0)));
            String refreshedBearer = bearer(reads.get(1));

            HttpResponse<String> next = crm.read(token, "/accounts", true);
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            List<BerlinGroupContract.Exchange> nextReads = accountReadsOf("beta", next, 1);
            assertThat(nextReads).hasSize(1);
            assertThat(bearer(nextReads.get(0))).as("the stored, refreshed token").isEqualTo(refreshedBearer);
            assertThat(bank.tokenGrants("refresh_token")).isEqualTo(refreshes + 1);
        } finally {
            crm.clearFaults("beta");
        }
    }

    @Test
    void aTokenEndpointOutageIsBankUnavailableAndTheStoredTokensStay() throws Exception {
        SandboxBank bank = hub.bank("alpha");
        String token = crm.token("alpha");
        int codes = bank.tokenGrants("authorization_code");
        int records = hub.environment().kvmStore().storedEntries("psd2-hub-tokens");
        Thread.sleep(LIFETIME.toMillis() + 1000);
        crm.faults("alpha", "{\"clear\":true,\"errorRate\":1.0,\"errorStatus\":503,\"pathPrefix\":\"/oauth/token\"}");
        try {
            HttpResponse<String> outage = crm.read(token, "/accounts", true);
            Crm.assertProblem(outage, 503, "bank-unavailable");
            assertThat(outage.body()).as("a bank outage, not a refused grant").contains("\"code\":\"bank_unavailable\"")
                    .doesNotContain("consent-invalid");

            // That generation's refresh lease is used for its minute: the next read waits for it, it is not refused.
            HttpResponse<String> next = crm.read(token, "/accounts", true);
            Crm.assertProblem(next, 503, "bank-unavailable");
            assertThat(next.body()).contains("\"code\":\"token_refreshing\"");
            assertThat(next.headers().firstValue("Retry-After")).hasValue("1");
        } finally {
            crm.clearFaults("alpha");
        }
        assertThat(hub.environment().kvmStore().storedEntries("psd2-hub-tokens")).as("the token record stays").isEqualTo(records);
        assertThat(bank.authorizationServer().refreshTokenReuses()).isZero();
        assertThat(bank.tokenGrants("authorization_code")).as("no new authorisation was needed").isEqualTo(codes);
    }
}
