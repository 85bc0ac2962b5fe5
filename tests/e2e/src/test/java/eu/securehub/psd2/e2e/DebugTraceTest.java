package eu.securehub.psd2.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.runtime.trace.Trace;
import eu.securehub.psd2.sandbox.BankData;
import eu.securehub.psd2.sandbox.BerlinGroupContract;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local Debug trace (issue 13, requirement 3) after a real AIS journey: no trace the debug port serves shows a
 * secret or PII (edge.json's debug mask and private.* hiding at work), and the Debug page lists the requests and
 * shows one request's timeline and cost counts in a real browser.
 */
class DebugTraceTest {
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path work;

    static Hub hub;
    static Browser browser;
    static String hubToken;
    static Hub.Reply accounts;
    static final List<String> bodies = new ArrayList<>();

    @BeforeAll
    static void journey() {
        hub = Hub.start(work, LocalHub.DEFAULT_TRACES);
        browser = new Browser();
        String iban = hub.iban("alpha", "anna");
        JsonNode consent = hub.createConsent("alpha", iban).json();
        Browser.Journey j = browser.authorise(consent.path("authorisationUrl").asText(), "anna", "anna-sandbox-1",
                "Approve", hub.local.returnUrl());
        assertThat(j.finalUrl()).contains("outcome=success");
        Hub.Reply session = hub.collect(consent.path("state").asText());
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        hubToken = session.json().path("accessToken").asText();

        accounts = hub.get("/accounts", hubToken, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(accounts.status()).as(accounts.toString()).isEqualTo(200);
        String accountId = accounts.json().path("accounts").path(0).path("resourceId").asText();
        Hub.Reply withBalance = hub.get("/accounts?withBalance=true", hubToken, "PSU-IP-Address", Hub.PSU_IP);
        Hub.Reply balances = hub.get("/accounts/" + accountId + "/balances", hubToken, "PSU-IP-Address", Hub.PSU_IP);
        Hub.Reply transactions = hub.get("/accounts/" + accountId + "/transactions?bookingStatus=both&dateFrom="
                + LocalDate.now().minusDays(60), hubToken, "PSU-IP-Address", Hub.PSU_IP);
        for (Hub.Reply r : List.of(accounts, withBalance, balances, transactions)) {
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            bodies.add(r.body());
        }
        assertThat(hub.get("/consents/current", hubToken).status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(browser, hub);
    }

    @Test
    void noTraceShowsASecretOrPersonalData() throws Exception {
        // Every CRM request's trace is stored (after its PostClientFlow).
        for (Hub.Reply r : hub.responses()) {
            hub.local.traces().awaitByRequestHeader("X-Request-ID", r.requestId(), WAIT);
        }
        List<String> served = servedJson();
        assertThat(served.size()).isGreaterThan(hub.responses().size());
        String all = String.join("\n", served);

        Map<String, Pattern> secrets = secrets();
        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, Pattern> s : secrets.entrySet()) {
            Matcher m = s.getValue().matcher(all);
            if (m.find()) {
                leaks.add(s.getKey() + " at …" + all.substring(Math.max(0, m.start() - 250), Math.min(all.length(),
                        m.end() + 60)) + "…");
            }
        }
        // Token members of JSON bodies (the bank's token endpoint, the KMS) show only masked values.
        Matcher tokens = Pattern.compile("(access_token|refresh_token|id_token|accessToken)\\\\*\"\\s*:\\s*\\\\*\"(?!\\*{5})")
                .matcher(all);
        while (tokens.find()) {
            leaks.add("a " + tokens.group(1) + " at …" + all.substring(Math.max(0, tokens.start() - 250),
                    Math.min(all.length(), tokens.end() + 60)) + "…");
        }
        // Where they are: the variables (by name) and the other places of the traces whose values show a secret.
        Set<String> where = new java.util.TreeSet<>();
        for (String json : served.subList(1, 1 + Hub.JSON.readTree(served.get(0)).size())) {
            locate(Hub.JSON.readTree(json), "", secrets.values(), where);
        }
        assertThat(leaks).as("secrets in the traces, in " + where).isEmpty();
        assertThat(all).contains("*****");
    }

    @Test
    void theDebugPageShowsTheAccountsRequestsTimelineAndCost() throws Exception {
        Trace t = hub.local.traces().awaitByRequestHeader("X-Request-ID", accounts.requestId(), WAIT);
        assertThat(t.cost().policies()).isPositive();
        assertThat(t.cost().javaCallouts()).isPositive();
        assertThat(t.cost().flowCallouts()).isPositive();
        assertThat(t.cost().bankCalls()).isPositive();
        assertThat(t.steps()).anySatisfy(s -> assertThat(s.type()).isEqualTo("VerifyAPIKey"));
        assertThat(t.steps()).anySatisfy(s -> assertThat(s.depth()).isPositive());

        String debugUrl = hub.local.debugUrl();
        assertThat(debugUrl).startsWith("http://127.0.0.1:");
        String text = browser.withPage(page -> {
            page.navigate(debugUrl);
            Locator link = page.locator("a.req", new Page.LocatorOptions()
                    .setHasText(Pattern.compile("^GET /psd2/v1/accounts$")));
            assertThat(link.count()).isPositive();
            // The newest first: the plain GET /accounts is the last of them (the journey's first read).
            page.locator("a[href='/trace/" + t.id() + "']").click();
            page.waitForURL("**/trace/" + t.id());
            Locator timeline = page.locator("#timeline");
            assertThat(timeline.locator("[data-type='VerifyAPIKey']").count()).isPositive();
            assertThat(timeline.locator("[data-type='FlowCallout']").count()).isPositive();
            assertThat(timeline.locator("[data-type='JavaCallout']").count()).isPositive();
            // A step's reads and writes open on a click.
            Locator details = timeline.locator("details").first();
            details.locator("summary").click();
            assertThat(details.getAttribute("open")).isNotNull();
            return page.locator("#cost").innerText() + "\n" + page.locator("#title").innerText() + "\n"
                    + timeline.innerText();
        });
        assertThat(text).contains("GET /psd2/v1/accounts").contains("200");
        assertThat(text).contains("policies executed\t" + t.cost().policies());
        assertThat(text).contains("JavaCallouts\t" + t.cost().javaCallouts());
        assertThat(text).contains("bank calls\t" + t.cost().bankCalls());
        assertThat(text).contains("VerifyAPIKey").contains("FlowCallout").contains("JavaCallout");
    }

    /** Collects the variable names (or JSON pointers) under {@code node} whose value shows one of the secrets. */
    static void locate(JsonNode node, String at, java.util.Collection<Pattern> secrets, Set<String> where) {
        if (node.isObject() && node.has("name") && node.has("value") && node.path("value").isTextual()) {
            String v = node.path("value").asText();
            if (secrets.stream().anyMatch(p -> p.matcher(v).find())
                    || v.matches("(?s).*(access_token|refresh_token|id_token|accessToken)\"\\s*:\\s*\"(?!\\*{5}).*")) {
                where.add(node.path("name").asText() + " (" + at + ")");
            }
            return;
        }
        if (node.isContainerNode()) {
            var it = node.fields();
            if (node.isArray()) {
                for (JsonNode c : node) {
                    locate(c, at, secrets, where);
                }
                return;
            }
            while (it.hasNext()) {
                var e = it.next();
                locate(e.getValue(), at.isEmpty() || at.startsWith("steps") ? e.getKey() : at, secrets, where);
            }
        } else if (node.isTextual()) {
            String v = node.asText();
            if (secrets.stream().anyMatch(p -> p.matcher(v).find())) {
                where.add("(" + at + ")");
            }
        }
    }

    /** The list and every trace the debug port serves, as JSON text. */
    static List<String> servedJson() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String list = get(http, hub.local.debugUrl() + "traces");
        List<String> out = new ArrayList<>(List.of(list));
        for (JsonNode n : Hub.JSON.readTree(list)) {
            out.add(get(http, hub.local.debugUrl() + "traces/" + n.path("id").asText()));
        }
        // The HTML pages too.
        out.add(get(http, hub.local.debugUrl()));
        for (JsonNode n : Hub.JSON.readTree(list)) {
            out.add(get(http, hub.local.debugUrl() + "trace/" + n.path("id").asText()));
        }
        return out;
    }

    static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    /**
     * What no trace may show: the sandbox customers' IBANs and names, balance amounts, the bank access tokens the hub
     * used, the hub token, the CRM's API key, and the decrypted account, balance and transaction bodies.
     */
    static Map<String, Pattern> secrets() {
        Map<String, Pattern> out = new LinkedHashMap<>();
        Set<String> amounts = new LinkedHashSet<>();
        for (String bank : List.of("alpha", "beta")) {
            for (BankData.Customer c : hub.local.bank(bank).data().customers()) {
                out.put("owner name " + c.name(), Pattern.compile(Pattern.quote(c.name())));
                for (BankData.Account a : c.accounts()) {
                    out.put("IBAN " + a.iban(), Pattern.compile(Pattern.quote(a.iban())));
                    for (BigDecimal b : List.of(a.closingBooked(), a.expected())) {
                        amounts.add(b.setScale(2, RoundingMode.UNNECESSARY).toPlainString());
                    }
                }
            }
        }
        amounts.stream().filter(a -> a.replace("-", "").length() >= 5).forEach(a -> out.put("amount " + a,
                Pattern.compile("(?<![0-9.])" + Pattern.quote(a) + "(?![0-9])")));
        Set<String> bankTokens = new LinkedHashSet<>();
        for (BerlinGroupContract.Exchange x : hub.local.bank("alpha").exchanges()) {
            String auth = x.requestHeader("Authorization");
            if (auth != null && auth.startsWith("Bearer ")) {
                bankTokens.add(auth.substring("Bearer ".length()));
            }
        }
        assertThat(bankTokens).as("bank access tokens the hub used").isNotEmpty();
        bankTokens.forEach(t -> out.put("bank token " + t.substring(0, Math.min(12, t.length())) + "…",
                Pattern.compile(Pattern.quote(t))));
        out.put("hub token", Pattern.compile(Pattern.quote(hubToken)));
        out.put("a hub token", Pattern.compile("hub_[A-Za-z0-9_-]{48}"));
        out.put("API key", Pattern.compile(Pattern.quote(Hub.KEY)));
        for (int i = 0; i < bodies.size(); i++) {
            out.put("decrypted body " + i, Pattern.compile(Pattern.quote(bodies.get(i).substring(0,
                    Math.min(60, bodies.get(i).length())))));
        }
        return out;
    }
}
