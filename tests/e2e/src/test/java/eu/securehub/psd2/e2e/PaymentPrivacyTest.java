package eu.securehub.psd2.e2e;

import static eu.securehub.psd2.e2e.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.localhub.RequestOutput;
import eu.securehub.psd2.sandbox.BankData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After payment journeys (a payment authorised in the browser, its status and its body read, a replay, a conflicting
 * body, refused bodies carrying IBANs, names and amounts in wrong places): no IBAN, creditor name, amount or
 * remittance text in any line of the message log, the runtime's own log or any error body; the log-safe copy of the
 * payment read holds them encrypted.
 */
class PaymentPrivacyTest {
    static final String CREDITOR = "DE02120300000000202051";
    static final String CREDITOR_NAME = "Waldbaeckerei Sonnenschein";
    static final String REFERENCE = "Rechnung RX-88412 Brot";
    static final String AMOUNT = "4321.09";

    @TempDir
    static Path work;

    static LogCapture logs;
    static Hub hub;
    static String paymentId;
    static String readRequestId;
    static final List<String> browserRequestIds = new ArrayList<>();

    static String body(String debtor, String amount) {
        return "{\"instructedAmount\":{\"currency\":\"EUR\",\"amount\":\"" + amount + "\"},\"debtorAccount\":{\"iban\":\""
                + debtor + "\"},\"creditorName\":\"" + CREDITOR_NAME + "\",\"creditorAccount\":{\"iban\":\"" + CREDITOR
                + "\"},\"remittanceInformationUnstructured\":\"" + REFERENCE + "\",\"returnUrl\":\"" + hub.local.returnUrl()
                + "\"}";
    }

    static Hub.Reply create(String body, String key) {
        return hub.json("POST", "/banks/alpha/payments/sepa-credit-transfers", body, "Idempotency-Key", key,
                "PSU-IP-Address", Hub.PSU_IP);
    }

    @BeforeAll
    static void journey() {
        logs = new LogCapture();
        hub = Hub.start(work);
        String debtor = hub.iban("alpha", "anna");
        String key = UUID.randomUUID().toString();
        Hub.Reply created = create(body(debtor, AMOUNT), key);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode c = created.json();
        paymentId = c.path("paymentId").asText();
        try (Browser browser = new Browser()) {
            Browser.Journey j = browser.authorise(c.path("authorisationUrl").asText(), "anna", "anna-sandbox-1",
                    "Approve", hub.local.returnUrl());
            assertThat(j.finalUrl()).contains("outcome=success");
            browserRequestIds.addAll(j.requestIds("/psd2/v1/"));
        }
        assertThat(hub.get("/payments/" + paymentId + "/status", null).status()).isEqualTo(200);
        Hub.Reply read = hub.get("/payments/" + paymentId, null);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        readRequestId = read.requestId();
        assertThat(create(body(debtor, AMOUNT), key).status()).isEqualTo(201);
        assertProblem(create(body(debtor, "1234.56"), key), 422, "idempotency-key-reused");
        // Refused bodies with the PII in places the hub names in its problem: the IBAN in a wrong member, a bad IBAN.
        assertProblem(create(body(debtor, AMOUNT).replace("\"returnUrl\"", "\"ultimateCreditorIban\":\"" + debtor
                + "\",\"returnUrl\""), UUID.randomUUID().toString()), 400, "validation-failed");
        assertProblem(create(body(debtor.substring(0, debtor.length() - 1) + "9", AMOUNT), UUID.randomUUID().toString()),
                400, "validation-failed");
        assertProblem(create(body(debtor, AMOUNT + "1"), UUID.randomUUID().toString()), 400, "validation-failed");
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(hub, logs);
    }

    static Map<String, Pattern> pii() {
        Map<String, Pattern> out = new LinkedHashMap<>();
        for (BankData.Customer c : hub.local.bank("alpha").data().customers()) {
            for (BankData.Account a : c.accounts()) {
                out.put("IBAN " + a.iban(), Pattern.compile(Pattern.quote(a.iban())));
            }
        }
        String debtor = hub.iban("alpha", "anna");
        String wrong = debtor.substring(0, debtor.length() - 1) + "9";
        out.put("the mistyped IBAN", Pattern.compile(Pattern.quote(wrong)));
        out.put("creditor IBAN", Pattern.compile(Pattern.quote(CREDITOR)));
        out.put("creditor name", Pattern.compile(Pattern.quote(CREDITOR_NAME)));
        out.put("reference", Pattern.compile(Pattern.quote(REFERENCE)));
        out.put("amount", Pattern.compile("(?<![0-9.])" + Pattern.quote(AMOUNT)));
        out.put("other amount", Pattern.compile("(?<![0-9.])1234\\.56(?![0-9])"));
        return out;
    }

    static List<String> messageLog() {
        List<String> ids = new ArrayList<>(browserRequestIds);
        for (Hub.Reply r : hub.responses()) {
            ids.add(r.requestId());
        }
        return RequestOutput.awaitMessageLog(hub.local.environment().messageLogFile(), ids);
    }

    @Test
    void noPaymentPiiInTheMessageLogTheRuntimeLogOrAnyErrorBody() {
        Map<String, List<String>> sources = new LinkedHashMap<>();
        sources.put("message log", messageLog());
        sources.put("runtime log", logs.lines());
        List<String> errors = new ArrayList<>();
        hub.responses().stream().filter(r -> r.status() >= 400).forEach(r -> errors.add(r.toString()));
        assertThat(errors).hasSizeGreaterThanOrEqualTo(4);
        sources.put("error bodies", errors);
        List<String> leaks = new ArrayList<>();
        Map<String, Pattern> pii = pii();
        sources.forEach((source, lines) -> {
            for (String line : lines) {
                pii.forEach((what, p) -> {
                    if (p.matcher(line).find()) {
                        leaks.add(source + ": " + what + " in: " + (line.length() > 300 ? line.substring(0, 300) : line));
                    }
                });
            }
        });
        assertThat(leaks).as("payment PII in logs or error bodies").isEmpty();
    }

    @Test
    void theLogSafeCopyOfAPaymentReadHoldsItsMembersEncrypted() throws Exception {
        List<String> lines = RequestOutput.messageLogLines(messageLog(), readRequestId);
        assertThat(lines).hasSize(1);
        JsonNode payload = Hub.JSON.readTree(Hub.JSON.readTree(lines.get(0)).path("message").asText());
        assertThat(payload.path("path").asText()).isEqualTo("/payments/" + paymentId);
        JsonNode safe = Hub.JSON.readTree(payload.path("body").asText());
        assertThat(safe.path("paymentId").asText()).isEqualTo(paymentId);
        for (String member : List.of("instructedAmount", "debtorAccount", "creditorAccount", "creditorName",
                "remittanceInformationUnstructured")) {
            assertThat(safe.path(member).isTextual()).as(member + " in " + safe).isTrue();
            assertThat(safe.path(member).asText()).matches("[A-Za-z0-9_.-]{20,}");
        }
    }
}
