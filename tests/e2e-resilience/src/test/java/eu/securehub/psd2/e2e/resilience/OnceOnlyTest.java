package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.BankPages;
import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.runtime.LocalRuntime;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once-only across message processors. KVM get-then-delete is not atomic and each node keeps what it read or wrote
 * for the policy's ExpiryTimeInSecs: a node that wrote an entry can still read it after another node deleted it. So
 * a session (or a pending authorisation) could be used twice. Q-SessionOnce and Q-CallbackOnce, a distributed,
 * synchronous Quota of 1 per state, let exactly one use through. The hub runs two nodes here; requests are pinned to
 * a node with the local runtime's node header.
 */
class OnceOnlyTest {
    static final int CONCURRENT = 8;

    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;
    static ExecutorService pool;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY).nodes(2));
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

    /** The bank's redirect back to the hub after the customer approved the consent {@code consent} created. */
    static URI approve(HttpResponse<String> consent) throws Exception {
        assertThat(consent.statusCode()).as(consent.body()).isEqualTo(201);
        return BankPages.loginAndApprove(crm.browser, hub.bank("alpha").baseUrl().toString(),
                Crm.jsonString(consent.body(), "authorisationUrl"), "anna", "anna-sandbox-1");
    }

    static HttpResponse<String> callback(URI callback, int node) throws Exception {
        return crm.browser.send(HttpRequest.newBuilder(callback).header(LocalRuntime.NODE_HEADER, Integer.toString(node))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> collect(String state, int node) throws Exception {
        return crm.http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/sessions"))
                .header("x-api-key", Crm.KEY).header("Content-Type", "application/json")
                .header(LocalRuntime.NODE_HEADER, Integer.toString(node))
                .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"" + state + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSessionIsHandedOutOnceAlthoughAnotherNodeStillHasItInItsCache() throws Exception {
        HttpResponse<String> consent = crm.createConsent("alpha");
        String state = Crm.jsonString(consent.body(), "state");
        // The callback stores the session on node 1, which keeps it in its KVM cache for ExpiryTimeInSecs (1 s).
        HttpResponse<String> back = callback(approve(consent), 1);
        assertThat(back.headers().firstValue("Location").orElse("")).contains("outcome=success");

        long t0 = System.nanoTime();
        HttpResponse<String> first = collect(state, 0);
        HttpResponse<String> again = collect(state, 1);
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        Assumptions.assumeTrue(ms < 800, "both collections within node 1's cache time (took " + ms + " ms)");
        Crm.assertProblem(again, 404, "session-not-found");
        assertThat(again.body()).doesNotContain("accessToken");
        assertThat(again.headers().firstValue("Retry-After")).as("not a budget answer").isEmpty();
    }

    @Test
    void aPendingAuthorisationIsUsedOnceAlthoughAnotherNodeStillHasItInItsCache() throws Exception {
        long t0 = System.nanoTime();
        // Created on node 1: the pending authorisation is in node 1's KVM cache.
        HttpResponse<String> consent = crm.http.send(crm.consentRequest("alpha")
                .header(LocalRuntime.NODE_HEADER, "1").build(), HttpResponse.BodyHandlers.ofString());
        URI callback = approve(consent);
        HttpResponse<String> first = callback(callback, 0);
        HttpResponse<String> again = callback(callback, 1);
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(first.headers().firstValue("Location").orElse("")).as(first.body()).contains("outcome=success");
        Assumptions.assumeTrue(ms < 900, "both callbacks within node 1's cache time (took " + ms + " ms)");
        // Refused before the bank's token endpoint, not sent back to the CRM after a failed code exchange.
        Crm.assertProblem(again, 404, "session-not-found");
    }

    /** Runs {@code call} {@link #CONCURRENT} times at once (released together) and returns every answer. */
    static <T> List<T> atOnce(Callable<T> call) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            futures.add(pool.submit(() -> {
                go.await();
                return call.call();
            }));
        }
        go.countDown();
        List<T> all = new ArrayList<>();
        for (Future<T> f : futures) {
            all.add(f.get(60, TimeUnit.SECONDS));
        }
        return all;
    }

    @RepeatedTest(3)
    void concurrentCollectionsOfOneSessionOnBothNodesHandTheTokenOutOnce() throws Exception {
        Crm.Returned back = crm.authorise("alpha");
        assertThat(back.outcome()).isEqualTo("success");

        List<HttpResponse<String>> answers = atOnce(() -> crm.collect(back.state()));

        assertThat(answers.stream().filter(r -> r.statusCode() == 200)).as("collections that got the token").hasSize(1);
        for (HttpResponse<String> r : answers) {
            if (r.statusCode() != 200) {
                Crm.assertProblem(r, 404, "session-not-found");
            }
        }
    }
}
