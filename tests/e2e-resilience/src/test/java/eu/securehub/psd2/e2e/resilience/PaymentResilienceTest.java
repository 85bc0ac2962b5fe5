package eu.securehub.psd2.e2e.resilience;

import static eu.securehub.psd2.e2e.resilience.Crm.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.localhub.RequestOutput;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Payments when the bank misbehaves, on two message processors: status reads spend no unattended budget but stay
 * behind the bank's breaker; an Idempotency-Key is taken only once a creation passed the breaker (a creation refused
 * while the bank is down may be sent again with the same key), and once the bank was called its answer, a failure too,
 * is the key's answer. Bank alpha's breaker: 3 faults in 60 s, open for 2 s; bank gamma's SpikeArrest 2 per second.
 * Faults at the sandbox bank's admin port.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PaymentResilienceTest {
    static final String BREAKER = "{\"failureThreshold\":3,\"windowSeconds\":60,\"openSeconds\":2,\"slowCallMs\":2000,"
            + "\"halfOpenPermitted\":1}";
    static final String CREDITOR = "DE02120300000000202051";

    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY).nodes(2)
                .bankProfile("alpha", "breaker", BREAKER).bankProfile("gamma", "spikeArrestRate", "\"2ps\""));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @AfterEach
    void noFaults() throws Exception {
        crm.clearFaults("alpha");
        crm.clearFaults("beta");
    }

    static String body(String amount) {
        return body("alpha", amount);
    }

    static String body(String bank, String amount) {
        String debtor = hub.bank(bank).data().customerByUsername("ben").orElseThrow().accounts().get(0).iban();
        return "{\"instructedAmount\":{\"currency\":\"EUR\",\"amount\":\"" + amount + "\"},\"debtorAccount\":{\"iban\":\""
                + debtor + "\"},\"creditorName\":\"Stadtwerke\",\"creditorAccount\":{\"iban\":\"" + CREDITOR
                + "\"},\"returnUrl\":\"" + hub.returnUrl() + "\"}";
    }

    static HttpResponse<String> create(String body, String key) throws Exception {
        return create("alpha", body, key);
    }

    static HttpResponse<String> create(String bank, String body, String key) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/banks/" + bank + "/payments/sepa-credit-transfers"))
                .header("x-api-key", Crm.KEY).header("Content-Type", "application/json").header("Idempotency-Key", key)
                .header("PSU-IP-Address", Crm.PSU_IP).header(RequestOutput.HEADER, RequestOutput.newId())
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return crm.http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A creation as the CRM developer's guide tells a CRM: a 409 idempotency-in-progress is sent again after its Retry-After (on
     * another node the first answer is visible a second after it was stored).
     */
    static HttpResponse<String> createAsACrm(String bank, String body, String key) throws Exception {
        HttpResponse<String> r = create(bank, body, key);
        for (int i = 0; i < 3 && r.statusCode() == 409; i++) {
            Thread.sleep(1000L * Long.parseLong(r.headers().firstValue("Retry-After").orElse("1")));
            r = create(bank, body, key);
        }
        return r;
    }

    static HttpResponse<String> status(String paymentId) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/payments/" + paymentId + "/status"))
                .header("x-api-key", Crm.KEY).header(RequestOutput.HEADER, RequestOutput.newId())
                .timeout(Duration.ofSeconds(60)).GET().build();
        return crm.http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    static String paymentId(HttpResponse<String> created) {
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return Crm.jsonString(created.body(), "paymentId");
    }

    @Test
    @Order(1)
    void statusReadsWithoutTheCustomerSpendNoBudget() throws Exception {
        String id = paymentId(create(body("2.00"), UUID.randomUUID().toString()));
        // Account reads without the customer stop at 4 a day; a payment's status is no account read.
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = status(id);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("RateLimit-Remaining")).as("no budget headers").isEmpty();
        }
    }

    @Test
    @Order(2)
    void aCreationRefusedByTheOpenBreakerMayBeSentAgainWithTheSameKey() throws Exception {
        String existing = paymentId(create(body("3.00"), UUID.randomUUID().toString()));
        crm.faults("alpha", "{\"errorRate\":1.0,\"errorStatus\":503,\"pathPrefix\":\"/v1/payments/\"}");
        // Status reads fail at the bank until the breaker opens (on both nodes: its state is shared through KVM).
        boolean open = false;
        for (int i = 0; i < 20 && !open; i++) {
            HttpResponse<String> r = status(existing);
            assertThat(r.statusCode()).as(r.body()).isGreaterThanOrEqualTo(500);
            open = r.statusCode() == 503 && crm.bankExchanges("alpha", r).isEmpty();
        }
        assertThat(open).as("the breaker opened").isTrue();
        int initiations = hub.bank("alpha").paymentInitiations();
        String key = UUID.randomUUID().toString();
        HttpResponse<String> refused = create(body("4.00"), key);
        assertProblem(refused, 503, "bank-unavailable");
        assertThat(crm.bankExchanges("alpha", refused)).as("the open breaker answered, the bank saw nothing").isEmpty();
        HttpResponse<String> statusRefused = status(existing);
        assertProblem(statusRefused, 503, "bank-unavailable");
        assertThat(crm.bankExchanges("alpha", statusRefused)).isEmpty();

        crm.clearFaults("alpha");
        Thread.sleep(2500);
        // The half-open probe, then closed: the same key creates the payment now.
        HttpResponse<String> later = null;
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            later = create(body("4.00"), key);
            if (later.statusCode() == 201) {
                break;
            }
            assertThat(later.statusCode()).as(later.body()).isEqualTo(503);
            Thread.sleep(500);
        }
        assertThat(later.statusCode()).as(later.body()).isEqualTo(201);
        assertThat(later.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(hub.bank("alpha").paymentInitiations() - initiations).isEqualTo(1);
    }

    @Test
    @Order(3)
    void aFailureAfterTheBankWasCalledIsTheKeysAnswer() throws Exception {
        // Bank beta (its own breaker, default thresholds): one failure on the creation itself, and the key keeps it.
        crm.faults("beta", "{\"errorRate\":1.0,\"errorStatus\":500,\"pathPrefix\":\"/v1/payments/sepa-credit-transfers\"}");
        String key = UUID.randomUUID().toString();
        HttpResponse<String> failed = create("beta", body("beta", "5.00"), key);
        assertThat(failed.statusCode()).as(failed.body()).isBetween(502, 504);
        assertThat(crm.bankExchanges("beta", failed)).hasSize(1);
        crm.clearFaults("beta");
        HttpResponse<String> again = createAsACrm("beta", body("beta", "5.00"), key);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(failed.statusCode());
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(again.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("application/problem+json"));
        assertThat(crm.bankExchanges("beta", again)).as("nothing sent twice").isEmpty();
        // A new key is a new payment.
        assertThat(create("beta", body("beta", "5.00"), UUID.randomUUID().toString()).statusCode()).isEqualTo(201);
    }

    @Test
    @Order(4)
    void concurrentDuplicatesOnTwoNodesReachTheBankOnce() throws Exception {
        // Eight creations with one key at once, spread over both message processors (no shared memory, KVM without
        // compare-and-set): the distributed latch lets one reach the bank; the others answer 409, then the first answer.
        String key = UUID.randomUUID().toString();
        String body = body("beta", "6.00");
        int before = hub.bank("beta").paymentInitiations();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<HttpResponse<String>>> calls = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return createAsACrm("beta", body, key);
                }));
            }
            go.countDown();
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (java.util.concurrent.Future<HttpResponse<String>> f : calls) {
                ids.add(paymentId(f.get(60, java.util.concurrent.TimeUnit.SECONDS)));
            }
            assertThat(ids).as("one payment id for all").hasSize(1);
            assertThat(hub.bank("beta").paymentInitiations() - before).as("payments created at the bank").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(5)
    void aBurstOfStatusReadsIsFlattenedByTheBanksSpikeArrest() throws Exception {
        String id = paymentId(create("gamma", body("gamma", "7.00"), UUID.randomUUID().toString()));
        Thread.sleep(1000);
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> burst = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            HttpRequest r = HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/payments/" + id + "/status"))
                    .header("x-api-key", Crm.KEY).header(RequestOutput.HEADER, RequestOutput.newId())
                    .timeout(Duration.ofSeconds(60)).GET().build();
            burst.add(crm.http.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int limited = 0;
        for (java.util.concurrent.CompletableFuture<HttpResponse<String>> f : burst) {
            HttpResponse<String> r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertProblem(r, 429, "rate-limited");
                assertThat(crm.bankExchanges("gamma", r)).as("refused before the bank").isEmpty();
                limited++;
            }
        }
        assertThat(ok).as("some reads pass").isPositive();
        assertThat(limited).as("a burst of 10 at 2 per second is flattened").isPositive();
    }
}
