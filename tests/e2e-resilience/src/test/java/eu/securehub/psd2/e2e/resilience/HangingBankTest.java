package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bank that stops answering, under steady traffic, on two message processors. Bank alpha's breaker: 3 faults in
 * 60 s open it for 5 s, a call is slow from 1 s, one half-open probe; its read timeout (readTimeoutMs, written into
 * the TargetEndpoint by the build) is 10 s. For 60 s the CRM sends a read every 100 ms while alpha hangs on every
 * account read.
 * <p>The breaker sees calls hanging before they time out (each node registers its calls in flight; a later request
 * counts those older than slowCallMs into the bank's distributed fault counter), so the hang is cut off about
 * slowCallMs after it starts: only the reads sent in that first second, and one half-open probe per open period over
 * both nodes, are held until the read timeout; every other read is refused at once with 503 bank-unavailable and Retry-After. Before, every
 * read of the first read timeout waited it out. Prints the counts and the latency of the refusals.
 */
class HangingBankTest {
    static final String BREAKER = "{\"failureThreshold\":3,\"windowSeconds\":60,\"openSeconds\":5,\"slowCallMs\":1000,"
            + "\"halfOpenPermitted\":1,\"maxCallsInFlight\":50}";
    /** Bank beta: at most 2 calls in flight per message processor. */
    static final String CAPPED = "{\"failureThreshold\":5,\"windowSeconds\":60,\"openSeconds\":5,\"slowCallMs\":3000,"
            + "\"halfOpenPermitted\":1,\"maxCallsInFlight\":2}";
    static final long SLOW_MS = 1000;
    static final long OPEN_MS = 5000;
    static final long READ_TIMEOUT_MS = 10_000;
    static final long PERIOD_MS = 100;
    static final long HANG_MS = 30_000;
    static final int NODES = 2;

    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY).nodes(NODES)
                .bankProfile("alpha", "breaker", BREAKER).bankProfile("alpha", "spikeArrestRate", "\"500ps\"")
                .bankProfile("beta", "breaker", CAPPED).bankProfile("beta", "spikeArrestRate", "\"500ps\""));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    record Seen(long at, long ms, int status, String code, String retryAfter, String body) {
    }

    static long percentile(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.max(0, Math.ceil(p * sorted.size()) - 1));
    }

    @Test
    void aHangingBankIsCutOffNearTheSlowCallThresholdAndEveryOtherReadIsRefusedAtOnce() throws Exception {
        String token = crm.token("alpha");
        for (int i = 0; i < 2 * NODES; i++) {
            HttpResponse<String> warm = crm.read(token, "/accounts", true);
            assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
        }
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        crm.faults("alpha", "{\"clear\":true,\"hang\":true,\"hangLimitMs\":30000,\"pathPrefix\":\"/v1/accounts\"}");
        List<CompletableFuture<Seen>> answers = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (long next = 0; next < HANG_MS; next += PERIOD_MS) {
                long wait = next - (System.nanoTime() - t0) / 1_000_000;
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                long at = System.nanoTime();
                answers.add(crm.readAsync(token, "/accounts", true).thenApply(r -> new Seen((at - t0) / 1_000_000,
                        (System.nanoTime() - at) / 1_000_000, r.statusCode(),
                        r.statusCode() == 200 ? "" : Crm.jsonString(r.body(), "code"),
                        r.headers().firstValue("Retry-After").orElse(""), r.body())));
            }
            List<Seen> seen = new ArrayList<>();
            for (CompletableFuture<Seen> a : answers) {
                seen.add(a.get(READ_TIMEOUT_MS + 30_000, TimeUnit.MILLISECONDS));
            }
            report(seen, load);
        } finally {
            crm.clearFaults("alpha");
        }

        // The bank is back: after the open time a probe succeeds and closes the breaker.
        Thread.sleep(OPEN_MS + 500);
        HttpResponse<String> probe = crm.read(token, "/accounts", true);
        HttpResponse<String> after = probe.statusCode() == 200 ? probe : crm.read(token, "/accounts", true);
        assertThat(after.statusCode()).as("recovered: " + after.body()).isEqualTo(200);
    }

    @Test
    void aBankAtItsCapOfCallsInFlightIsNotCalledAgainUntilOneEnds() throws Exception {
        String token = crm.token("beta");
        crm.faults("beta", "{\"clear\":true,\"latencyMs\":1500,\"pathPrefix\":\"/v1/accounts\"}");
        try {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 4 * NODES; i++) {
                all.add(crm.readAsync(token, "/accounts", true));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> a : all) {
                answers.add(a.get(30, TimeUnit.SECONDS));
            }
            long ok = answers.stream().filter(r -> r.statusCode() == 200).count();
            List<HttpResponse<String>> busy = answers.stream().filter(r -> r.statusCode() == 503).toList();
            assertThat(ok).as("at most 2 in flight on each of %d nodes", NODES).isBetween(1L, 2L * NODES);
            assertThat(ok + busy.size()).isEqualTo(answers.size());
            for (HttpResponse<String> r : busy) {
                Crm.assertProblem(r, 503, "bank-unavailable");
                assertThat(r.body()).contains("\"code\":\"bank_busy\"");
                assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(crm.bankExchanges("beta", r)).as("refused before the bank").isEmpty();
            }
        } finally {
            crm.clearFaults("beta");
        }
        HttpResponse<String> after = crm.read(token, "/accounts", true);
        assertThat(after.statusCode()).as("the slots are free again: " + after.body()).isEqualTo(200);
    }

    private static void report(List<Seen> seen, double load) {
        List<Seen> held = seen.stream().filter(s -> s.ms() > SLOW_MS + 1000).toList();
        List<Long> refusals = seen.stream().filter(s -> s.status() == 503).map(Seen::ms).sorted().toList();
        long ok = seen.stream().filter(s -> s.status() == 200).count();
        long timeouts = seen.stream().filter(s -> s.status() == 504).count();
        long sentInFirstSlow = seen.stream().filter(s -> s.at() < SLOW_MS).count();
        System.out.printf(Locale.ROOT, "hanging bank, %d nodes, %d reads over %d s (one every %d ms), load average %.2f:%n"
                + "  held past slowCallMs + 1 s: %d (sent in the hang's first slowCallMs: %d, then at %s s)%n"
                + "  answered 504 at the read timeout: %d; 200: %d%n"
                + "  refused 503: %d, latency median %d ms, p99 %d ms, max %d ms%n",
                NODES, seen.size(), HANG_MS / 1000, PERIOD_MS, load, held.size(),
                held.stream().filter(s -> s.at() < SLOW_MS).count(),
                held.stream().filter(s -> s.at() >= SLOW_MS).map(s -> String.format(Locale.ROOT, "%.1f", s.at() / 1000.0)).toList(),
                timeouts, ok, refusals.size(), percentile(refusals, 0.5), percentile(refusals, 0.99),
                refusals.isEmpty() ? 0 : refusals.get(refusals.size() - 1));

        for (Seen s : seen) {
            assertThat(s.status()).as(s.body()).isIn(503, 504);
            if (s.status() == 503) {
                assertThat(s.code()).as(s.body()).isIn("bank_unavailable", "bank_busy");
                assertThat(s.retryAfter()).as("every refusal says when to retry: " + s.body()).isNotEmpty();
            }
        }
        // The hang's first slowCallMs cannot be told from slow answers: the reads sent in it are held, and a few sent
        // while the nodes learn of it. After it, one half-open probe per open period over all nodes (Q-BreakerProbe), and
        // one per node in the first period when the nodes opened the breaker a moment apart (two open periods).
        long cycles = HANG_MS / (OPEN_MS + SLOW_MS) + 1;
        long bound = sentInFirstSlow + 2 * NODES + cycles + NODES;
        assertThat(held.size()).as("held past slowCallMs + 1 s (bound %d; the old breaker held every read of the first %d s)",
                bound, READ_TIMEOUT_MS / 1000).isLessThanOrEqualTo((int) bound);
        assertThat(refusals.size()).as("most reads are refused at once").isGreaterThan(seen.size() * 3 / 4);
    }
}
