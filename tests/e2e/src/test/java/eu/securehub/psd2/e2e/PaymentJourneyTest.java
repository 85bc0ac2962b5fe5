package eu.securehub.psd2.e2e;

import static eu.securehub.psd2.e2e.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange;
import eu.securehub.psd2.sandbox.SandboxBank;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
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
 * Payments through the hub, in the real browser, on each bank dialect: alpha (OAuth, scope PIS:<paymentId>), gamma
 * (Berlin Group redirect, every request QSEAL-signed) and delta (decoupled: the customer approves in the bank's app,
 * the sandbox's admin API stands in for it). The CRM's API is the one of consents: creation says the next step, the
 * browser comes back to the CRM with state and outcome only; then the CRM follows the payment's status. Also:
 * Idempotency-Key (replay, another body, concurrent duplicates: one payment at the bank), funds, cancellation with and
 * without its own SCA, a standing order, and the Berlin Group contract of every exchange.
 */
class PaymentJourneyTest {
    static final String CREDITOR = "DE02120300000000202051";
    static final String CREDITOR_NAME = "Stadtwerke Musterstadt";
    static final String OTHER_KEY = "e2e-other-crm-app-key-0123456789";

    @TempDir
    static Path work;

    static Hub hub;
    static Browser browser;

    @BeforeAll
    static void start() {
        hub = Hub.of(LocalHub.start(LocalHub.Options.freePorts(Hub.ROOT, work).consumerKey(Hub.KEY)
                .paymentExecutionDelay(Duration.ofMillis(300)).otherApp(OTHER_KEY)));
        browser = new Browser();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(browser, hub == null ? null : hub.local);
    }

    static String body(String debtorIban, String amount, String reference, String extra) {
        return "{\"instructedAmount\":{\"currency\":\"EUR\",\"amount\":\"" + amount + "\"},\"debtorAccount\":{\"iban\":\""
                + debtorIban + "\"},\"creditorName\":\"" + CREDITOR_NAME + "\",\"creditorAccount\":{\"iban\":\"" + CREDITOR
                + "\"},\"remittanceInformationUnstructured\":\"" + reference + "\",\"returnUrl\":\"" + hub.local.returnUrl()
                + "\"" + extra + "}";
    }

    static Hub.Reply create(String bank, String product, String body, String key) {
        return hub.json("POST", "/banks/" + bank + "/payments/" + product, body, "Idempotency-Key", key,
                "PSU-IP-Address", Hub.PSU_IP);
    }

    static Hub.Reply status(String paymentId) {
        return hub.get("/payments/" + paymentId + "/status", null);
    }

    /** The payment's status until it is {@code expected} (the sandbox executes after its short delay). */
    static JsonNode awaitStatus(String paymentId, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            Hub.Reply r = status(paymentId);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            last = r.json();
            if (last.path("transactionStatus").asText().equals(expected)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the payment never reached " + expected + ": " + last);
    }

    static String lastBankPayment(SandboxBank bank) {
        List<String> ids = bank.paymentIds();
        return ids.get(ids.size() - 1);
    }

    static void assertReturned(Browser.Journey journey, String state, String outcome) {
        assertThat(BrowserJourneyTest.query(URI.create(journey.finalUrl()).getRawQuery())).containsOnlyKeys("state", "outcome")
                .containsEntry("state", state).containsEntry("outcome", outcome);
    }

    static void assertTheCustomerSawWhatTheySign(Browser.Journey journey, String amount, String reference) {
        assertThat(journey.bankPageText()).contains(CREDITOR_NAME).contains(CREDITOR).contains("EUR " + amount)
                .contains(reference);
    }

    @Test
    void anInstantPaymentAtAnOAuthBankIsAuthorisedWithScopePisAndSettles() throws Exception {
        SandboxBank alpha = hub.local.bank("alpha");
        Hub.Reply created = create("alpha", "instant-sepa-credit-transfers",
                body(hub.iban("alpha", "anna"), "12.34", "Invoice 2026-001", ""), UUID.randomUUID().toString());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = created.json();
        String paymentId = c.path("paymentId").asText();
        assertThat(paymentId).matches("pay_[A-Za-z0-9_-]{48}");
        assertThat(c.path("transactionStatus").asText()).isEqualTo("RCVD");
        assertThat(c.path("nextStep").asText()).isEqualTo("redirect");
        assertThat(created.header("Location")).isEqualTo("/psd2/v1/payments/" + paymentId);
        String bankPaymentId = lastBankPayment(alpha);
        assertThat(created.body()).doesNotContain(bankPaymentId);
        assertThat(status(paymentId).json().path("transactionStatus").asText()).isEqualTo("RCVD");

        Browser.Journey journey = browser.authorise(c.path("authorisationUrl").asText(), "anna", "anna-sandbox-1",
                "Approve", hub.local.returnUrl());
        assertReturned(journey, c.path("state").asText(), "success");
        assertTheCustomerSawWhatTheySign(journey, "12.34", "Invoice 2026-001");

        awaitStatus(paymentId, "ACSC");
        Hub.Reply read = hub.get("/payments/" + paymentId, null);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.json().path("instructedAmount").path("amount").asText()).isEqualTo("12.34");
        assertThat(read.json().path("paymentId").asText()).isEqualTo(paymentId);
        assertThat(read.body()).doesNotContain(bankPaymentId).doesNotContain("_links");
        // After the authorisation the hub reads the payment with the bank's token for it, which the bank accepts only
        // for scope PIS:<its paymentId>.
        assertThat(alpha.paymentReadsWithToken()).anySatisfy(e -> assertThat(e.path()).contains(bankPaymentId));
        alpha.assertContractClean();
    }

    @Test
    void aCreditTransferAtARedirectBankIsSignedThroughAndGoesAcspToAcsc() throws Exception {
        SandboxBank gamma = hub.local.bank("gamma");
        gamma.clearExchanges();
        Hub.Reply created = create("gamma", "sepa-credit-transfers",
                body(hub.iban("gamma", "ben"), "250.00", "Rent December", ""), UUID.randomUUID().toString());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = created.json();
        String paymentId = c.path("paymentId").asText();
        assertThat(c.path("authorisationUrl").asText()).startsWith(gamma.baseUrl().toString()).doesNotContain("oauth");
        Browser.Journey journey = browser.authorise(c.path("authorisationUrl").asText(), "ben", "ben-sandbox-2", "Approve",
                hub.local.returnUrl());
        assertReturned(journey, c.path("state").asText(), "success");
        assertTheCustomerSawWhatTheySign(journey, "250.00", "Rent December");
        assertThat(journey.urls()).anySatisfy(u -> assertThat(u).contains("/psd2/v1/sca/callback?"));

        awaitStatus(paymentId, "ACSC");
        List<Exchange> seen = gamma.exchanges();
        assertThat(seen).isNotEmpty();
        assertThat(gamma.unsignedOrInvalid()).isEmpty();
        assertThat(seen).allSatisfy(e -> assertThat(e.signature()).isEqualTo(Exchange.SignatureCheck.VALID));
        gamma.assertContractClean();
    }

    @Test
    void aDecoupledBanksCustomerApprovesInTheAppWhileTheCrmPolls() throws Exception {
        SandboxBank delta = hub.local.bank("delta");
        Hub.Reply missing = create("delta", "instant-sepa-credit-transfers",
                body(hub.iban("delta", "clara"), "5.00", "Coffee", ""), UUID.randomUUID().toString());
        assertProblem(missing, 400, "validation-failed");
        Hub.Reply created = create("delta", "instant-sepa-credit-transfers",
                body(hub.iban("delta", "clara"), "5.00", "Coffee", ",\"psuId\":\"clara\""), UUID.randomUUID().toString());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = created.json();
        assertThat(c.path("nextStep").asText()).isEqualTo("poll");
        String state = c.path("state").asText();
        assertThat(hub.poll(state).json().path("status").asText()).isEqualTo("pending");
        assertThat(delta.approveDecoupledPayment(lastBankPayment(delta))).isTrue();
        long deadline = System.currentTimeMillis() + 15_000;
        String crmStatus = "pending";
        while (!crmStatus.equals("finalised") && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            Hub.Reply poll = hub.poll(state);
            assertThat(poll.status()).as(poll.toString()).isEqualTo(200);
            crmStatus = poll.json().path("status").asText();
        }
        assertThat(crmStatus).isEqualTo("finalised");
        assertProblem(hub.collect(state), 404, "session-not-found");
        awaitStatus(c.path("paymentId").asText(), "ACSC");
        delta.assertContractClean();
    }

    @Test
    void theSameKeyAndBodyGetTheFirstAnswerAndCreateNothingAtTheBank() {
        SandboxBank alpha = hub.local.bank("alpha");
        String key = UUID.randomUUID().toString();
        String body = body(hub.iban("alpha", "ben"), "40.00", "Membership", "");
        Hub.Reply first = create("alpha", "sepa-credit-transfers", body, key);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        int initiations = alpha.paymentInitiations();
        Hub.Reply again = create("alpha", "sepa-credit-transfers", body, key);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.header("Location")).isEqualTo(first.header("Location")).isNotNull();
        assertThat(alpha.paymentInitiations()).isEqualTo(initiations);

        Hub.Reply other = create("alpha", "sepa-credit-transfers", body.replace("40.00", "41.00"), key);
        assertProblem(other, 422, "idempotency-key-reused");
        assertThat(alpha.paymentInitiations()).isEqualTo(initiations);

        Hub.Reply noKey = hub.json("POST", "/banks/alpha/payments/sepa-credit-transfers", body, "PSU-IP-Address", Hub.PSU_IP);
        assertProblem(noKey, 400, "validation-failed");
        assertThat(noKey.body()).contains("Idempotency-Key");
    }

    @Test
    void concurrentDuplicatesReachTheBankOnce() throws Exception {
        SandboxBank beta = hub.local.bank("beta");
        String key = UUID.randomUUID().toString();
        String body = body(hub.iban("beta", "anna"), "99.99", "Double click", "");
        int before = beta.paymentInitiations();
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Hub.Reply>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return create("beta", "sepa-credit-transfers", body, key);
                }));
            }
            go.countDown();
            Set<String> ids = new HashSet<>();
            int inProgress = 0;
            for (Future<Hub.Reply> f : calls) {
                Hub.Reply r = f.get(60, TimeUnit.SECONDS);
                if (r.status() == 409) {
                    assertProblem(r, 409, "idempotency-in-progress");
                    assertThat(r.header("Retry-After")).isEqualTo("1");
                    inProgress++;
                    continue;
                }
                assertThat(r.status()).as(r.toString()).isEqualTo(201);
                ids.add(r.json().path("paymentId").asText());
            }
            // The CRM retries the 409s after Retry-After: they get the first answer.
            Thread.sleep(1000);
            for (int i = 0; i < inProgress; i++) {
                Hub.Reply r = create("beta", "sepa-credit-transfers", body, key);
                assertThat(r.status()).as(r.toString()).isEqualTo(201);
                ids.add(r.json().path("paymentId").asText());
            }
            assertThat(ids).as("one payment id for all").hasSize(1);
            assertThat(beta.paymentInitiations() - before).as("payments created at the bank").isEqualTo(1);
            System.out.printf("idempotency: %d concurrent duplicates, %d answered 409 in progress, 1 payment at the bank%n",
                    n, inProgress);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPaymentAboveTheAvailableBalanceIsRejectedForFunds() throws Exception {
        Hub.Reply created = create("gamma", "instant-sepa-credit-transfers",
                body(hub.iban("gamma", "clara"), "999999.00", "Too much", ""), UUID.randomUUID().toString());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = created.json();
        Browser.Journey journey = browser.authorise(c.path("authorisationUrl").asText(), "clara", "clara-sandbox-3",
                "Approve", hub.local.returnUrl());
        assertReturned(journey, c.path("state").asText(), "success");
        JsonNode rejected = awaitStatus(c.path("paymentId").asText(), "RJCT");
        assertThat(rejected.path("reasons").toString()).contains("FUNDS_NOT_AVAILABLE");
        assertThat(rejected.toString()).doesNotContain(hub.iban("gamma", "clara"));
    }

    @Test
    void aPaymentNotYetAuthorisedIsCancelledAtOnceAndAnExecutedOneCannotBe() throws Exception {
        Hub.Reply created = create("alpha", "sepa-credit-transfers",
                body(hub.iban("alpha", "clara"), "7.50", "Cancel me", ""), UUID.randomUUID().toString());
        String paymentId = created.json().path("paymentId").asText();
        Hub.Reply cancelled = hub.send("DELETE", "/payments/" + paymentId, null, null, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        assertThat(cancelled.json().path("transactionStatus").asText()).isEqualTo("CANC");
        assertThat(cancelled.json().path("nextStep").asText()).isEqualTo("none");
        assertThat(status(paymentId).json().path("transactionStatus").asText()).isEqualTo("CANC");
        assertProblem(hub.send("DELETE", "/payments/" + paymentId, null, null, "PSU-IP-Address", Hub.PSU_IP), 409, "payment-not-cancellable");
    }

    @Test
    void aStandingOrderIsKeptWithItsScheduleAndItsCancellationNeedsItsOwnSca() throws Exception {
        SandboxBank gamma = hub.local.bank("gamma");
        String start = LocalDate.now().plusDays(3).toString();
        String body = body(hub.iban("gamma", "anna"), "30.00", "Savings plan",
                ",\"startDate\":\"" + start + "\",\"frequency\":\"Monthly\",\"dayOfExecution\":\""
                        + LocalDate.now().plusDays(3).getDayOfMonth() + "\"");
        Hub.Reply created = hub.json("POST", "/banks/gamma/periodic-payments/sepa-credit-transfers", body,
                "Idempotency-Key", UUID.randomUUID().toString(), "PSU-IP-Address", Hub.PSU_IP);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = created.json();
        assertThat(c.path("paymentService").asText()).isEqualTo("periodic-payments");
        String paymentId = c.path("paymentId").asText();
        Browser.Journey journey = browser.authorise(c.path("authorisationUrl").asText(), "anna", "anna-sandbox-1",
                "Approve", hub.local.returnUrl());
        assertReturned(journey, c.path("state").asText(), "success");
        assertThat(journey.bankPageText()).contains("Monthly").contains(start);
        awaitStatus(paymentId, "ACTC");
        String bankId = lastBankPayment(gamma);
        assertThat(gamma.nextExecutions(bankId, 3)).hasSize(3).first().isEqualTo(LocalDate.parse(start));
        Hub.Reply read = hub.get("/payments/" + paymentId, null);
        assertThat(read.json().path("frequency").asText()).isEqualTo("Monthly");

        Hub.Reply cancel = cancel(paymentId);
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
        JsonNode k = cancel.json();
        assertThat(k.path("nextStep").asText()).isEqualTo("redirect");
        Browser.Journey cancelJourney = browser.authorise(k.path("authorisationUrl").asText(), "anna", "anna-sandbox-1",
                "Approve", hub.local.returnUrl());
        assertReturned(cancelJourney, k.path("state").asText(), "success");
        assertThat(cancelJourney.bankPageText()).contains("Cancel");
        awaitStatus(paymentId, "CANC");
        gamma.assertContractClean();
    }

    @Test
    void badPaymentsAreRefusedWithTheMemberNamedAndUnknownIdsAreNotFound() {
        Hub.Reply decimals = create("alpha", "sepa-credit-transfers",
                body(hub.iban("alpha", "anna"), "1.005", "x", ""), UUID.randomUUID().toString());
        assertProblem(decimals, 400, "validation-failed");
        assertThat(decimals.body()).contains("/instructedAmount/amount").doesNotContain("1.005");
        Hub.Reply iban = create("alpha", "sepa-credit-transfers",
                body(hub.iban("alpha", "anna"), "1.00", "x", "").replace(CREDITOR, "DE02120300000000202052"),
                UUID.randomUUID().toString());
        assertProblem(iban, 400, "validation-failed");
        assertThat(iban.body()).contains("/creditorAccount/iban").doesNotContain("DE02120300000000202052");
        Hub.Reply product = create("alpha", "target-2-payments", body(hub.iban("alpha", "anna"), "1.00", "x", ""), "k");
        assertProblem(product, 400, "validation-failed");
        Hub.Reply returnUrl = create("alpha", "sepa-credit-transfers",
                body(hub.iban("alpha", "anna"), "1.00", "x", "").replace(hub.local.returnUrl(), "https://evil.example/"),
                UUID.randomUUID().toString());
        assertProblem(returnUrl, 400, "validation-failed");
        assertProblem(hub.get("/payments/pay_" + "A".repeat(48), null), 404, "payment-not-found");
        assertProblem(hub.get("/payments/" + "x".repeat(10), null), 400, "validation-failed");
    }

    static Hub.Reply cancel(String paymentId) {
        return hub.send("DELETE", "/payments/" + paymentId + "?returnUrl="
                + java.net.URLEncoder.encode(hub.local.returnUrl(), java.nio.charset.StandardCharsets.UTF_8), null, null,
                "PSU-IP-Address", Hub.PSU_IP);
    }

    static Hub.Reply createStandingOrder(String bank, String customer, String extra) {
        String start = LocalDate.now().plusDays(5).toString();
        return hub.json("POST", "/banks/" + bank + "/periodic-payments/sepa-credit-transfers",
                body(hub.iban(bank, customer), "15.00", "Club fee", ",\"startDate\":\"" + start
                        + "\",\"frequency\":\"Quarterly\"" + extra),
                "Idempotency-Key", UUID.randomUUID().toString(), "PSU-IP-Address", Hub.PSU_IP);
    }

    static void pollUntil(String state, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        String status = "";
        while (System.currentTimeMillis() < deadline) {
            Hub.Reply poll = hub.poll(state);
            assertThat(poll.status()).as(poll.toString()).isEqualTo(200);
            status = poll.json().path("status").asText();
            if (status.equals(expected)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the authorisation never became " + expected + ", last " + status);
    }

    @Test
    void aStandingOrderAtAnOAuthBankIsCancelledThroughItsOwnAuthorisation() throws Exception {
        Hub.Reply created = createStandingOrder("alpha", "clara", "");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = created.json();
        String paymentId = c.path("paymentId").asText();
        assertReturned(browser.authorise(c.path("authorisationUrl").asText(), "clara", "clara-sandbox-3", "Approve",
                hub.local.returnUrl()), c.path("state").asText(), "success");
        awaitStatus(paymentId, "ACTC");
        Hub.Reply cancel = cancel(paymentId);
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
        JsonNode k = cancel.json();
        assertThat(k.path("nextStep").asText()).isEqualTo("redirect");
        Browser.Journey journey = browser.authorise(k.path("authorisationUrl").asText(), "clara", "clara-sandbox-3",
                "Approve", hub.local.returnUrl());
        assertReturned(journey, k.path("state").asText(), "success");
        assertThat(journey.bankPageText()).contains("Cancel").contains(CREDITOR_NAME);
        awaitStatus(paymentId, "CANC");
        hub.local.bank("alpha").assertContractClean();
    }

    @Test
    void aStandingOrderAtADecoupledBankIsSetUpAndCancelledInTheApp() throws Exception {
        SandboxBank delta = hub.local.bank("delta");
        Hub.Reply created = createStandingOrder("delta", "ben", ",\"psuId\":\"ben\"");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = created.json();
        assertThat(c.path("nextStep").asText()).isEqualTo("poll");
        String paymentId = c.path("paymentId").asText();
        String bankId = lastBankPayment(delta);
        assertThat(delta.approveDecoupledPayment(bankId)).isTrue();
        pollUntil(c.path("state").asText(), "finalised");
        awaitStatus(paymentId, "ACTC");
        Hub.Reply cancel = cancel(paymentId);
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(202);
        JsonNode k = cancel.json();
        assertThat(k.path("nextStep").asText()).isEqualTo("poll");
        pollUntil(k.path("state").asText(), "pending");
        assertThat(delta.approveDecoupledPayment(bankId)).as("the cancellation's authorisation").isTrue();
        pollUntil(k.path("state").asText(), "finalised");
        awaitStatus(paymentId, "CANC");
        delta.assertContractClean();
    }

    @Test
    void aPaymentTheCustomerDeniesIsRejected() throws Exception {
        Hub.Reply created = create("gamma", "sepa-credit-transfers",
                body(hub.iban("gamma", "kraus"), "800.00", "Supplier 77", ""), UUID.randomUUID().toString());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = created.json();
        assertReturned(browser.authorise(c.path("authorisationUrl").asText(), "kraus", "kraus-sandbox-4", "Deny",
                hub.local.returnUrl()), c.path("state").asText(), "denied");
        awaitStatus(c.path("paymentId").asText(), "RJCT");
    }

    @Test
    void aPaymentIsBoundToTheAppThatCreatedIt() {
        Hub.Reply created = create("beta", "sepa-credit-transfers", body(hub.iban("beta", "clara"), "3.21", "Mine", ""),
                UUID.randomUUID().toString());
        String paymentId = created.json().path("paymentId").asText();
        int reads = hub.local.bank("beta").paymentReads().size();
        assertProblem(hub.send("GET", "/payments/" + paymentId, null, null, "x-api-key", OTHER_KEY), 403, "forbidden");
        assertProblem(hub.send("GET", "/payments/" + paymentId + "/status", null, null, "x-api-key", OTHER_KEY), 403,
                "forbidden");
        assertProblem(hub.send("DELETE", "/payments/" + paymentId, null, null, "x-api-key", OTHER_KEY,
                "PSU-IP-Address", Hub.PSU_IP), 403, "forbidden");
        assertThat(hub.local.bank("beta").paymentReads()).as("the bank was not asked").hasSize(reads);
        assertThat(status(paymentId).json().path("transactionStatus").asText()).as("still the creator's").isEqualTo("RCVD");
        // The other app's own key space: the same Idempotency-Key creates its own payment.
        String key = UUID.randomUUID().toString();
        String body = body(hub.iban("beta", "clara"), "3.22", "Keys per app", "");
        Hub.Reply mine = create("beta", "sepa-credit-transfers", body, key);
        Hub.Reply theirs = hub.json("POST", "/banks/beta/payments/sepa-credit-transfers", body, "Idempotency-Key", key,
                "PSU-IP-Address", Hub.PSU_IP, "x-api-key", OTHER_KEY);
        assertThat(theirs.status()).as(theirs.toString()).isEqualTo(201);
        assertThat(theirs.header("Idempotent-Replayed")).isNull();
        assertThat(theirs.json().path("paymentId").asText()).isNotEqualTo(mine.json().path("paymentId").asText());
    }
}
