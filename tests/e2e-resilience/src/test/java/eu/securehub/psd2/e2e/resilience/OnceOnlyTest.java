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
 * Once-only across message processors. Pending authorisations and sessions live in Apigee's cache; a lookup then
 * an invalidation is not atomic, and a new entry is in its writer's memory only for a second before every node sees
 * it. So a session (or a pending authorisation) could be used twice by concurrent requests. Q-SessionOnce and
 * Q-CallbackOnce, a distributed, synchronous Quota of 1 per state, let exactly one use through. The hub runs two
 * nodes here; requests are pinned to a node with the local runtime's node header.
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
    void aSessionIsHandedOutOnceWhicheverNodeIsAsked() throws Exception {
        HttpResponse<String> consent = crm.createConsent("alpha");
        long created = System.nanoTime();
        String state = Crm.jsonString(consent.body(), "state");
        URI approved = approve(consent);
        crm.awaitCacheVisibleEverywhere(created);
        // The callback stores the session on node 1; a second later every node sees it.
        HttpResponse<String> back = callback(approved, 1);
        long stored = System.nanoTime();
        assertThat(back.headers().firstValue("Location").orElse("")).contains("outcome=success");
        crm.awaitCacheVisibleEverywhere(stored);

        HttpResponse<String> first = collect(state, 0);
        HttpResponse<String> again = collect(state, 1);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        Crm.assertProblem(again, 404, "session-not-found");
        assertThat(again.body()).doesNotContain("accessToken");
        assertThat(again.headers().firstValue("Retry-After")).as("not a budget answer").isEmpty();
    }

    @Test
    void aPendingAuthorisationIsUsedOnceWhicheverNodeIsAsked() throws Exception {
        // Created on node 1: the pending authorisation is in node 1's memory, a second later in the shared store.
        HttpResponse<String> consent = crm.http.send(crm.consentRequest("alpha")
                .header(LocalRuntime.NODE_HEADER, "1").build(), HttpResponse.BodyHandlers.ofString());
        long created = System.nanoTime();
        URI callback = approve(consent);
        crm.awaitCacheVisibleEverywhere(created);
        HttpResponse<String> first = callback(callback, 0);
        HttpResponse<String> again = callback(callback, 1);

        assertThat(first.headers().firstValue("Location").orElse("")).as(first.headers().map() + first.body()).contains("outcome=success");
        // Refused before the bank's token endpoint, not sent back to the CRM after a failed code exchange.
        Crm.assertProblem(again, 404, "session-not-found");
    }

    @Test
    void withinItsFirstSecondOnlyTheNodeThatStoredASessionSeesIt() throws Exception {
        HttpResponse<String> consent = crm.createConsent("alpha");
        long created = System.nanoTime();
        String state = Crm.jsonString(consent.body(), "state");
        URI approved = approve(consent);
        crm.awaitCacheVisibleEverywhere(created);
        long t0 = System.nanoTime();
        HttpResponse<String> back = callback(approved, 1);
        assertThat(back.headers().firstValue("Location").orElse("")).contains("outcome=success");
        HttpResponse<String> elsewhere = collect(state, 0);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Assumptions.assumeTrue(ms < 900, "collected within the first second (took " + ms + " ms)");
        Crm.assertProblem(elsewhere, 404, "session-not-found");
        crm.awaitCacheVisibleEverywhere(t0);
        HttpResponse<String> retried = collect(state, 0);
        assertThat(retried.statusCode()).as("the CRM guide's one retry after a second: " + retried.body()).isEqualTo(200);
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
        crm.awaitCacheVisibleEverywhere(System.nanoTime());

        List<HttpResponse<String>> answers = atOnce(() -> crm.collect(back.state()));

        assertThat(answers.stream().filter(r -> r.statusCode() == 200)).as("collections that got the token").hasSize(1);
        for (HttpResponse<String> r : answers) {
            if (r.statusCode() != 200) {
                Crm.assertProblem(r, 404, "session-not-found");
            }
        }
    }

    @RepeatedTest(3)
    void concurrentCallbacksWithOneStateOnBothNodesExchangeTheCodeOnce() throws Exception {
        HttpResponse<String> consent = crm.createConsent("alpha");
        long created = System.nanoTime();
        URI callback = approve(consent);
        crm.awaitCacheVisibleEverywhere(created);
        int codes = hub.bank("alpha").tokenGrants("authorization_code");

        List<HttpResponse<String>> answers = atOnce(() -> crm.browser.send(HttpRequest.newBuilder(callback).GET().build(),
                HttpResponse.BodyHandlers.ofString()));

        assertThat(answers.stream().filter(r -> r.headers().firstValue("Location").orElse("").contains("outcome=success")))
                .as("callbacks that went on to the bank").hasSize(1);
        for (HttpResponse<String> r : answers) {
            if (!r.headers().firstValue("Location").orElse("").contains("outcome=success")) {
                Crm.assertProblem(r, 404, "session-not-found");
            }
        }
        assertThat(hub.bank("alpha").tokenGrants("authorization_code")).as("the code was exchanged once").isEqualTo(codes + 1);
    }
}
