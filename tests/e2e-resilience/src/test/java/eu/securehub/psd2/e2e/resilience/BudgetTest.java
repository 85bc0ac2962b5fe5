package eu.securehub.psd2.e2e.resilience;

import static eu.securehub.psd2.e2e.resilience.Crm.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.localhub.RequestOutput;
import eu.securehub.psd2.sandbox.BerlinGroupContract;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank limits (shared flow psd2-bank-limits-v1): the unattended budget per consent × account at bank alpha
 * (default profile), and SpikeArrest at bank beta, whose profile's spikeArrestRate is overridden to 1ps.
 */
class BudgetTest {
    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY)
                .bankProfile("beta", "spikeArrestRate", "\"1ps\""));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void fourUnattendedReadsOfAnAccountThen429BudgetExhaustedWhileCustomerPresentReadsGoOn() throws Exception {
        String token = crm.token("alpha");
        String account = crm.firstAccountId(token);
        String balances = "/accounts/" + account + "/balances";
        List<String> reads = new ArrayList<>();

        for (int i = 1; i <= 4; i++) {
            HttpResponse<String> r = crm.read(token, balances, false);
            reads.add(Crm.requestId(r));
            assertThat(r.statusCode()).as("unattended read " + i + ": " + r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"balances\"");
            assertThat(r.headers().firstValue("RateLimit-Limit")).contains("4");
            assertThat(r.headers().firstValue("RateLimit-Remaining")).contains(Integer.toString(4 - i));
            assertThat(crm.awaitBankExchanges("alpha", r, 1)).as("unattended read " + i + " reaches the bank")
                    .hasSize(1);
        }

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> over = crm.read(token, balances, false);
            reads.add(Crm.requestId(over));
            assertProblem(over, 429, "budget-exhausted");
            assertThat(over.headers().firstValue("Retry-After")).contains("86400");
            assertThat(over.headers().firstValue("RateLimit-Reset")).contains("86400");
            assertThat(over.headers().firstValue("RateLimit-Limit")).contains("4");
            assertThat(over.headers().firstValue("RateLimit-Remaining")).contains("0");
            assertThat(crm.bankExchanges("alpha", over)).as("over the budget the bank is not called").isEmpty();
        }

        // The customer is present: not counted, not limited.
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> present = crm.read(token, balances, true);
            reads.add(Crm.requestId(present));
            assertThat(present.statusCode()).as(present.body()).isEqualTo(200);
            assertThat(present.body()).contains("\"balances\"");
        }

        // The bank's own limit (ACCESS_EXCEEDED) was never reached by these reads.
        List<BerlinGroupContract.Exchange> atTheBank = RequestOutput.bankExchanges(hub.bank("alpha"), reads);
        assertThat(atTheBank).as("the reads' bank exchanges").hasSizeGreaterThanOrEqualTo(4);
        assertThat(atTheBank).noneSatisfy(e -> assertThat(e.status()).isEqualTo(429));
        assertThat(atTheBank).allSatisfy(e -> assertThat(new String(e.responseBody() == null ? new byte[0]
                : e.responseBody(), java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("ACCESS_EXCEEDED"));
    }

    @Test
    void aBurstAboveTheBanksSpikeArrestRateIsPartlyRefused429RateLimited() throws Exception {
        String token = crm.token("beta");
        Thread.sleep(1100); // the consent's own bank call leaves the 1 s window
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                burst.add(() -> crm.read(token, "/accounts", true));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : pool.invokeAll(burst)) {
                answers.add(f.get());
            }
            assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200, 429).contains(200, 429);
            for (HttpResponse<String> r : answers) {
                if (r.statusCode() == 429) {
                    assertProblem(r, 429, "rate-limited");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
