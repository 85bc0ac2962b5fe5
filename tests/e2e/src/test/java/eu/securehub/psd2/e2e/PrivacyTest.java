package eu.securehub.psd2.e2e;

import static eu.securehub.psd2.e2e.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.localhub.RequestOutput;
import eu.securehub.psd2.sandbox.BankData;
import eu.securehub.psd2.sandbox.BerlinGroupContract;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a whole journey (browser SCA, token collection, accounts with balances, balances, transactions, consent
 * view, errors, revocation): no IBAN of the sandbox data, no balance amount, no bank token and no hub token in any
 * line of the message log (the Cloud Logging stand-in), in the runtime's own log output, or in any error body the
 * CRM received; and the message log does hold the log-safe copies of the account responses, PII members encrypted.
 */
class PrivacyTest {
    @TempDir
    static Path work;

    static LogCapture logs;
    static Hub hub;
    static String hubToken;
    static String accountId;
    /** The X-Request-IDs of the journey's requests the browser sent to the hub (its callback). */
    static List<String> browserRequestIds;
    /** The X-Request-ID of the journey's GET /accounts?withBalance=true. */
    static String accountsRequestId;

    @BeforeAll
    static void journey() {
        logs = new LogCapture();
        hub = Hub.start(work);
        String iban = hub.iban("alpha", "anna");
        JsonNode consent = hub.createConsent("alpha", iban).json();
        try (Browser browser = new Browser()) {
            Browser.Journey j = browser.authorise(consent.path("authorisationUrl").asText(), "anna", "anna-sandbox-1",
                    "Approve", hub.local.returnUrl());
            assertThat(j.finalUrl()).contains("outcome=success");
            browserRequestIds = j.requestIds("/psd2/v1/");
            assertThat(browserRequestIds).as("the hub's callback answered the browser with an X-Request-ID")
                    .isNotEmpty();
        }
        Hub.Reply session = hub.collect(consent.path("state").asText());
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        hubToken = session.json().path("accessToken").asText();

        Hub.Reply accounts = hub.get("/accounts?withBalance=true", hubToken, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(accounts.status()).as(accounts.toString()).isEqualTo(200);
        accountsRequestId = accounts.requestId();
        accountId = accounts.json().path("accounts").path(0).path("resourceId").asText();
        assertThat(hub.get("/accounts/" + accountId + "/balances", hubToken, "PSU-IP-Address", Hub.PSU_IP).status())
                .isEqualTo(200);
        assertThat(hub.get("/accounts/" + accountId + "/balances", hubToken).status()).isEqualTo(200); // unattended
        assertThat(hub.get("/accounts/" + accountId + "/transactions?bookingStatus=both&withBalance=true&dateFrom="
                + LocalDate.now().minusDays(60), hubToken, "PSU-IP-Address", Hub.PSU_IP).status()).isEqualTo(200);
        assertThat(hub.get("/consents/current", hubToken).status()).isEqualTo(200);

        // Errors, with the secrets nearby: a wrong token, an account of the consent's bank that is not covered,
        // a second collection, a body carrying an IBAN in a wrong member.
        assertProblem(hub.get("/accounts", hubToken.substring(0, hubToken.length() - 2) + "xx"), 401, "invalid-token");
        assertThat(hub.get("/accounts/no-such-account/balances", hubToken, "PSU-IP-Address", Hub.PSU_IP).status())
                .isGreaterThanOrEqualTo(400);
        assertProblem(hub.collect(consent.path("state").asText()), 404, "session-not-found");
        assertProblem(hub.json("POST", "/banks/alpha/consents", "{\"returnUrl\":\"" + hub.local.returnUrl()
                + "\",\"access\":{\"accounts\":[{\"iban\":\"" + iban + "\"}]},\"iban\":\"" + iban + "\"}",
                "PSU-IP-Address", Hub.PSU_IP), 400, "validation-failed");
        assertThat(hub.send("DELETE", "/consents/current", null, null, "Authorization", "Bearer " + hubToken).status())
                .isEqualTo(204);
        assertProblem(hub.get("/accounts", hubToken, "PSU-IP-Address", Hub.PSU_IP), 401, "invalid-token");
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(hub, logs);
    }

    @Test
    void noSecretInTheMessageLogTheRuntimeLogOrAnyErrorBody() throws Exception {
        Map<String, Pattern> secrets = secrets();
        List<String> messageLog = messageLog();

        Map<String, List<String>> sources = new LinkedHashMap<>();
        sources.put("message log " + hub.local.environment().messageLogFile(), messageLog);
        sources.put("runtime log", logs.lines());
        List<String> errorBodies = new ArrayList<>();
        hub.responses().stream().filter(r -> r.status() >= 400).forEach(r -> errorBodies.add(r.toString()));
        assertThat(errorBodies).as("error bodies received").hasSizeGreaterThanOrEqualTo(5);
        sources.put("error bodies", errorBodies);

        List<String> leaks = new ArrayList<>();
        sources.forEach((source, lines) -> {
            for (String line : lines) {
                secrets.forEach((what, p) -> {
                    if (p.matcher(line).find()) {
                        leaks.add(source + ": " + what + " in: " + abbreviate(line));
                    }
                });
            }
        });
        assertThat(leaks).as("secrets in logs or error bodies").isEmpty();
    }

    @Test
    void theMessageLogHoldsLogSafeCopiesWithEncryptedMembers() throws Exception {
        List<String> lines = RequestOutput.messageLogLines(messageLog(), accountsRequestId);
        assertThat(lines).as("the log line of GET /accounts?withBalance=true, X-Request-ID " + accountsRequestId)
                .hasSize(1);
        // The Cloud Logging stand-in: {"timestamp", "logName", "labels", "message": the policy's message text}.
        JsonNode payload = Hub.JSON.readTree(Hub.JSON.readTree(lines.get(0)).path("message").asText());
        assertThat(payload.path("requestId").asText()).isEqualTo(accountsRequestId);
        assertThat(payload.path("path").asText()).isEqualTo("/accounts");
        assertThat(payload.path("status").asText()).isEqualTo("200");
        assertThat(payload.path("bank").asText()).isEqualTo("alpha");
        String body = payload.path("body").asText();
        assertThat(body).as(payload.toString()).isNotBlank();
        JsonNode safe = Hub.JSON.readTree(body);
        JsonNode account = safe.path("accounts").path(0);
        assertThat(account.path("resourceId").asText()).isEqualTo(accountId);
        assertThat(account.path("iban").asText()).as(body).matches("[A-Za-z0-9_-]{40,}")
                .isNotEqualTo(hub.iban("alpha", "anna"));
        assertThat(account.path("balances").isTextual()).as(body).isTrue();
    }

    /** What must never be logged, by name: every sandbox IBAN, balance amounts seen, bank and hub tokens. */
    static Map<String, Pattern> secrets() {
        Set<String> ibans = new LinkedHashSet<>();
        Set<String> amounts = new LinkedHashSet<>();
        for (String bank : List.of("alpha", "beta")) {
            for (BankData.Customer c : hub.local.bank(bank).data().customers()) {
                for (BankData.Account a : c.accounts()) {
                    ibans.add(a.iban());
                    for (BigDecimal b : List.of(a.closingBooked(), a.expected())) {
                        amounts.add(b.setScale(2, RoundingMode.UNNECESSARY).toPlainString());
                    }
                }
            }
        }
        for (Hub.Reply r : hub.responses()) {
            if (r.status() == 200 && r.body().contains("balanceAmount")) {
                r.json().findValues("balanceAmount").forEach(b -> amounts.add(b.path("amount").asText()));
            }
        }
        Set<String> bankTokens = new LinkedHashSet<>();
        for (BerlinGroupContract.Exchange x : hub.local.bank("alpha").exchanges()) {
            String auth = x.requestHeader("Authorization");
            if (auth != null && auth.startsWith("Bearer ")) {
                bankTokens.add(auth.substring("Bearer ".length()));
            }
        }
        assertThat(bankTokens).as("bank access tokens the hub used").isNotEmpty();
        assertThat(amounts).isNotEmpty();
        Map<String, Pattern> out = new LinkedHashMap<>();
        ibans.forEach(i -> out.put("IBAN " + i, Pattern.compile(Pattern.quote(i))));
        amounts.stream().filter(a -> a.replace("-", "").length() >= 4)
                .forEach(a -> out.put("amount " + a, Pattern.compile("(?<![0-9.])" + Pattern.quote(a) + "(?![0-9])")));
        bankTokens.forEach(t -> out.put("bank token " + abbreviate(t), Pattern.compile(Pattern.quote(t))));
        out.put("hub token", Pattern.compile(Pattern.quote(hubToken)));
        out.put("a hub token", Pattern.compile("hub_[A-Za-z0-9_-]{48}"));
        return out;
    }

    /**
     * The whole message log, once it holds the line of every request of the journey, found by X-Request-ID (the
     * PostClientFlow writes it after the response): the CRM's requests (each answered with its id) and the browser's.
     */
    static List<String> messageLog() {
        List<String> ids = new ArrayList<>(browserRequestIds);
        for (Hub.Reply r : hub.responses()) {
            assertThat(r.requestId()).as("X-Request-ID of " + r).isNotNull();
            ids.add(r.requestId());
        }
        return RequestOutput.awaitMessageLog(hub.local.environment().messageLogFile(), ids);
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
