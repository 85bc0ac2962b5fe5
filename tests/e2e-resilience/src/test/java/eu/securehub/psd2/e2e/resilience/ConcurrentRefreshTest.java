package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.sandbox.SandboxBank;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent reads on one hub token across the bank's access-token refresh, on two message processors. Bank alpha
 * issues access tokens that live {@value #LIFETIME_SECONDS} s, bank beta {@value #STEADY_LIFETIME_SECONDS} s; both
 * rotate refresh tokens: a rotated refresh token
 * presented again revokes the whole grant (RFC 9700 §4.14), so a hub that refreshed twice would lose the consent.
 * The hub's access token is due for refresh in its last 60 s (so at once, here) and no longer sent in its last 5 s.
 * <ul>
 *   <li>Steady traffic (beta): bursts of {@value #CONCURRENT} reads one after the other. One read per burst wins the
 *       record's refresh lease and refreshes; the others read with the token they have, which still works: every
 *       read is 200 at its first attempt.</li>
 *   <li>At the moment of expiry (alpha): each burst comes after the stored token ran out. One read refreshes, the others get
 *       503 bank-unavailable (code token_refreshing) with Retry-After: 1; the CRM retries after it, as the CRM developer's guide says
 *       (at most twice here), and every read ends 200.</li>
 * </ul>
 * In both: no consent-invalid ever, the bank never saw a refresh token twice, and the consent needed no new
 * authorisation. Customer-present reads, so no budget plays a part; the spike arrest is raised out of the way.
 */
class ConcurrentRefreshTest {
    static final int LIFETIME_SECONDS = 7;
    /** Bank beta's tokens, for the steady bursts: usable for 15 s after each refresh, a wide margin for slow rounds. */
    static final int STEADY_LIFETIME_SECONDS = 20;
    static final int CONCURRENT = 10;
    static final int ROUNDS = 12;

    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;
    static ExecutorService pool;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY).nodes(2)
                .accessTokenLifetime("alpha", Duration.ofSeconds(LIFETIME_SECONDS))
                .accessTokenLifetime("beta", Duration.ofSeconds(STEADY_LIFETIME_SECONDS))
                .bankProfile("alpha", "spikeArrestRate", "\"500ps\"").bankProfile("beta", "spikeArrestRate", "\"500ps\""));
        crm = new Crm(hub);
        pool = Executors.newFixedThreadPool(CONCURRENT);
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (hub != null) {
            hub.close();
        }
    }

    /** One read as a CRM makes it: a 503 with Retry-After is retried after it (at most 3 attempts). */
    record Outcome(List<HttpResponse<String>> attempts) {
        HttpResponse<String> first() {
            return attempts.get(0);
        }

        HttpResponse<String> last() {
            return attempts.get(attempts.size() - 1);
        }
    }

    static Outcome readAsACrm(String token) throws Exception {
        List<HttpResponse<String>> attempts = new ArrayList<>();
        while (true) {
            HttpResponse<String> r = crm.read(token, "/accounts", true);
            attempts.add(r);
            String retryAfter = r.headers().firstValue("Retry-After").orElse("");
            if (r.statusCode() != 503 || retryAfter.isEmpty() || attempts.size() == 3) {
                return new Outcome(attempts);
            }
            Thread.sleep(Long.parseLong(retryAfter) * 1000);
        }
    }

    static List<Outcome> burst(String token) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            futures.add(pool.submit(() -> {
                go.await();
                return readAsACrm(token);
            }));
        }
        go.countDown();
        List<Outcome> all = new ArrayList<>();
        for (Future<Outcome> f : futures) {
            all.add(f.get(60, TimeUnit.SECONDS));
        }
        return all;
    }

    static void assertNoCasualty(List<Outcome> outcomes, SandboxBank bank) {
        for (Outcome o : outcomes) {
            for (HttpResponse<String> r : o.attempts()) {
                assertThat(r.body()).as("never consent-invalid").doesNotContain("consent-invalid");
                if (r.statusCode() != 200) {
                    Crm.assertProblem(r, 503, "bank-unavailable");
                    assertThat(r.body()).contains("\"code\":\"token_refreshing\"");
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                }
            }
            assertThat(o.last().statusCode()).as(o.last().body()).isEqualTo(200);
        }
        assertThat(bank.authorizationServer().refreshTokenReuses()).as("no refresh token was presented twice").isZero();
    }

    @Test
    void steadyBurstsAcrossEveryRefreshAllSucceedAtTheFirstAttempt() throws Exception {
        SandboxBank bank = hub.bank("beta");
        String token = crm.token("beta");
        int codes = bank.tokenGrants("authorization_code");
        // The journey's token may have run out meanwhile (two nodes: each step waits for the cache): one read renews it.
        assertThat(readAsACrm(token).last().statusCode()).isEqualTo(200);
        int refreshesBefore = bank.tokenGrants("refresh_token");
        int firstAttempt503 = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<Outcome> outcomes = burst(token);
            assertNoCasualty(outcomes, bank);
            firstAttempt503 += (int) outcomes.stream().filter(o -> o.first().statusCode() != 200).count();
        }
        int refreshes = bank.tokenGrants("refresh_token") - refreshesBefore;
        System.out.printf(Locale.ROOT, "steady: %d rounds x %d reads: %d refreshes at the bank, %d first attempts 503%n",
                ROUNDS, CONCURRENT, refreshes, firstAttempt503);
        assertThat(firstAttempt503).as("the old token serves while one request refreshes").isZero();
        // Each refresh used a different refresh token (no reuse, asserted above): the lease allows one refresh per token
        // generation. With a lifetime shorter than the hub's 60 s refresh-ahead each new generation is due at once, so
        // a burst may refresh more than once; how often depends on timing, not on the design. What the lease promises
        // is that refreshes stay far below one per read.
        assertThat(refreshes).as("refreshes").isBetween(1, ROUNDS * CONCURRENT / 2);
        assertThat(bank.tokenGrants("authorization_code")).as("no new authorisation").isEqualTo(codes);
    }

    @Test
    void burstsAtTheMomentOfExpiryAllSucceedAfterAtMostOneRetry() throws Exception {
        SandboxBank bank = hub.bank("alpha");
        String token = crm.token("alpha");
        int codes = bank.tokenGrants("authorization_code");
        int retried = 0;
        int retriedTwice = 0;
        int refreshesBefore = bank.tokenGrants("refresh_token");
        for (int round = 0; round < ROUNDS; round++) {
            // The token stored by the last refresh is past its last usable second (lifetime - 5 s skew).
            Thread.sleep((LIFETIME_SECONDS - 5) * 1000L + 300);
            List<Outcome> outcomes = burst(token);
            assertNoCasualty(outcomes, bank);
            retried += (int) outcomes.stream().filter(o -> o.attempts().size() == 2).count();
            retriedTwice += (int) outcomes.stream().filter(o -> o.attempts().size() == 3).count();
        }
        int refreshes = bank.tokenGrants("refresh_token") - refreshesBefore;
        System.out.printf(Locale.ROOT, "at expiry: %d rounds x %d reads: %d refreshes at the bank, %d reads retried once, "
                + "%d twice (the renewed token was not stored yet)%n", ROUNDS, CONCURRENT, refreshes, retried, retriedTwice);
        // Every refresh presented a different refresh token (no reuse, asserted above): one refresh per token generation.
        // With a lifetime shorter than the hub's 60 s refresh-ahead each new generation is due at once, so the retries
        // of a wave may refresh again (a CI run saw 62 in 20 rounds; how many depends on timing, not on the design).
        // What the lease promises is at least one per round and far fewer than one per read.
        assertThat(refreshes).as("refreshes").isBetween(ROUNDS, ROUNDS * CONCURRENT / 2);
        assertThat(bank.tokenGrants("authorization_code")).as("no new authorisation").isEqualTo(codes);
    }
}
