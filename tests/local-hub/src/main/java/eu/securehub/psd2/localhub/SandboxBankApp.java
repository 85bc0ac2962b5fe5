package eu.securehub.psd2.localhub;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.SandboxBank;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The stand-in for the customer's phone (see {@link DemoBankApp}): the sandbox bank's admin API, which is what the
 * sandbox offers as "the customer's app" ({@code POST /admin/consents/{consentId}/approve|deny},
 * {@code POST /admin/payments/{paymentId}/approve|deny}). It is the customer's side, not the CRM's: the CRM back end
 * never calls a bank. A consent is found by the bank's consent id (the hub tells the CRM); a payment by the bank's
 * own id, which the hub never tells the CRM and the sandbox's admin API does not list, so the app looks among the
 * bank's payments for the newest unauthorised one with this order's accounts (a real app knows its own pending
 * approvals).
 */
final class SandboxBankApp implements DemoBankApp {
    private final Map<String, SandboxBank> banks;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SandboxBankApp(Map<String, SandboxBank> banks) {
        this.banks = Map.copyOf(banks);
    }

    @Override
    public String decide(DemoSession.Pending pending, DemoSession.Payment payment, boolean approve) {
        SandboxBank bank = banks.get(pending.bankId);
        if (bank == null) {
            throw new IllegalStateException("no sandbox bank " + pending.bankId);
        }
        String id = payment == null ? pending.consentId : bankPaymentId(bank, payment);
        String path = "/admin/" + (payment == null ? "consents/" : "payments/")
                + URLEncoder.encode(id, StandardCharsets.UTF_8) + (approve ? "/approve" : "/deny");
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(bank.adminUrl() + path)).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the sandbox bank's app did not answer (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        JsonNode body = parse(r.body());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the sandbox bank's app answered " + r.statusCode() + ": "
                    + body.path("error").asText("no decision possible"));
        }
        return "The customer " + (approve ? "approved" : "denied") + " in the " + bank.bankId() + " app (scaStatus "
                + body.path("scaStatus").asText("?") + ").";
    }

    private static String bankPaymentId(SandboxBank bank, DemoSession.Payment p) {
        List<String> ids = bank.paymentIds();
        for (int i = ids.size() - 1; i >= 0; i--) {
            String id = ids.get(i);
            JsonNode body = bank.paymentBody(id).orElse(null);
            if (body != null && "RCVD".equals(bank.paymentStatus(id).orElse(""))
                    && p.debtorIban().equals(body.path("debtorAccount").path("iban").asText())
                    && p.creditorIban().equals(body.path("creditorAccount").path("iban").asText())) {
                return id;
            }
        }
        throw new IllegalStateException("the " + bank.bankId() + " app has no payment awaiting approval");
    }

    private static JsonNode parse(String s) {
        try {
            return DemoHub.JSON.readTree(s == null || s.isBlank() ? "{}" : s);
        } catch (IOException e) {
            return DemoHub.JSON.createObjectNode();
        }
    }
}
