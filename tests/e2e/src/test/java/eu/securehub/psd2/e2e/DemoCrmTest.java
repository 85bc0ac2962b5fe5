package eu.securehub.psd2.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
import eu.securehub.psd2.localhub.LocalHub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local hub's demo CRM page driven like a person in headless Chromium: pick a bank and a customer, connect
 * accounts through the bank's pages (OAuth bank alpha; gamma, redirect and signed, the accounts chosen at the bank) or
 * the bank's app (decoupled bank delta, approved with the
 * page's sandbox stand-in for the customer's phone), see accounts, balances, transactions and the consent's status,
 * pay and follow the payment to ACSC, revoke. Everything the browser saw (every URL, request and response header,
 * HTML body and cookie) is checked for the CRM's API key, hub tokens and hub payment ids. One hub for the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoCrmTest {
    static final Pattern HUB_TOKEN = Pattern.compile("hub_[A-Za-z0-9_-]{48}");
    static final Pattern PAYMENT_ID = Pattern.compile("pay_[A-Za-z0-9_-]{48}");

    @TempDir
    static Path work;

    static LocalHub hub;
    static Browser browser;
    static BrowserContext context;
    static Page page;
    /** Everything the browser saw: URLs, headers, HTML documents. */
    static final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        hub = LocalHub.start(LocalHub.Options.freePorts(Hub.ROOT, work).consumerKey(Hub.KEY)
                .paymentExecutionDelay(Duration.ofMillis(400)));
        browser = new Browser();
        context = browser.newContext();
        context.onRequest(r -> seen.add("request " + r.method() + " " + r.url() + " " + r.allHeaders()));
        context.onResponse(r -> {
            seen.add("response " + r.status() + " " + r.url() + " " + r.allHeaders());
            if (r.request().resourceType().equals("document") && r.status() / 100 != 3) {
                try {
                    seen.add("body " + r.url() + " " + r.text());
                } catch (RuntimeException e) {
                    // a document replaced before its body was read: its page is checked with page.content()
                }
            }
        });
        page = context.newPage();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(context, browser, hub);
    }

    @Test
    @Order(1)
    void oauthBankConnectReadPayAndRevoke() {
        page.navigate(hub.demoUrl());
        assertThat(page.title()).contains("Demo CRM");
        assertThat(page.locator("body").innerText()).contains("anna-sandbox-1").contains("Gamma Bank (gamma)")
                .contains("Delta Bank (delta)");
        connect("alpha", "anna");
        atTheBank("anna", "anna-sandbox-1");
        page.waitForURL(Pattern.compile(".*/connections/c1$"));

        String text = page.locator("body").innerText();
        assertThat(text).contains("Anna Schmidt at Alpha Bank").contains(iban("alpha", "anna")).contains("Girokonto")
                .contains("Tagesgeld").contains("closingBooked").contains("interimAvailable").contains("booked");
        assertThat(page.locator("#consent-status").innerText()).isEqualTo("valid");
        assertThat(page.locator("section.account table").count()).as("balances and transactions of 2 accounts")
                .isEqualTo(4);
        seen.add("page " + page.content());

        // A payment from the first account, authorised at the bank, followed to ACSC with the refresh button.
        page.getByLabel("Pay from").selectOption("alpha|anna|" + iban("alpha", "anna"));
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Make a payment")).click();
        atTheBank("anna", "anna-sandbox-1");
        page.waitForURL(Pattern.compile(".*/payments/p1$"));
        assertThat(page.locator("body").innerText()).contains("Payment to Stadtwerke Musterstadt").contains("EUR 12.34")
                .contains("The bank reports the payment authorised.");
        awaitPaymentStatus("ACSC");
        assertThat(hub.bank("alpha").paymentStatus(lastPayment("alpha"))).contains("ACSC");

        // Revoke: the consent ends at the bank and on the page.
        page.navigate(hub.demoUrl());
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(Pattern.compile("Alpha Bank"))).click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revoke consent")).click();
        page.waitForURL(Pattern.compile(".*/connections/c1$"));
        assertThat(page.locator("#consent-status").innerText()).isEqualTo("ended");
        assertThat(page.locator("body").innerText()).contains("Consent revoked.").contains("revoked by you");
        seen.add("page " + page.content());
    }

    @Test
    @Order(2)
    void redirectBankThatSignsWithAccountsChosenAtTheBank() {
        page.navigate(hub.demoUrl());
        page.getByLabel("Accounts to share").selectOption("choose");
        connect("gamma", "clara");
        page.getByLabel("Username").fill("clara");
        page.getByLabel("Password").fill("clara-sandbox-3");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
        page.getByLabel(Pattern.compile(".*" + iban("gamma", "clara"))).check();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Approve").setExact(true)).click();
        page.waitForURL(Pattern.compile(".*/connections/c2$"));
        assertThat(page.locator("#consent-status").innerText()).isEqualTo("valid");
        assertThat(page.locator("body").innerText()).contains("Clara Weber at Gamma Bank").contains(iban("gamma", "clara"))
                .contains("closingBooked");
        assertThat(hub.bank("gamma").unsignedOrInvalid()).isEmpty();
        seen.add("page " + page.content());
    }

    @Test
    @Order(3)
    void decoupledBankApprovedInTheSandboxStandInForTheCustomersApp() {
        page.navigate(hub.demoUrl());
        connect("delta", "ben");
        page.waitForURL(Pattern.compile(".*/wait$"));
        assertThat(page.locator("body").innerText()).contains("Waiting for your approval in your bank's app")
                .contains("Please confirm the access in your Sandbox Bank app.").contains("Sandbox only");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("sandbox: approve in the bank's app")).click();
        // The waiting page reloads itself as the hub's retryAfter says, until the hub says finalised.
        page.waitForURL(Pattern.compile(".*/connections/c3$"));
        assertThat(page.locator("#consent-status").innerText()).isEqualTo("valid");
        assertThat(page.locator("body").innerText()).contains("Ben Mueller at Delta Bank").contains(iban("delta", "ben"))
                .contains("Gemeinschaftskonto").contains("Sparkonto");
        seen.add("page " + page.content());

        // A payment at the decoupled bank: approved in the "app" too.
        page.getByLabel("Pay from").selectOption("delta|ben|" + iban("delta", "ben"));
        page.getByLabel("Payment product").selectOption("instant-sepa-credit-transfers");
        page.getByLabel("Amount (EUR)").fill("7.50");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Make a payment")).click();
        page.waitForURL(Pattern.compile(".*/wait$"));
        assertThat(page.locator("body").innerText()).contains("Please confirm the payment");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("sandbox: approve in the bank's app")).click();
        page.waitForURL(Pattern.compile(".*/payments/p2$"));
        assertThat(page.locator("body").innerText()).contains("You approved the payment in your bank's app.")
                .contains("EUR 7.50");
        awaitPaymentStatus("ACSC");
        assertThat(hub.bank("delta").tooEarlyScaStatusPolls()).as("polled as the hub says").isZero();
    }

    @Test
    @Order(4)
    void theBrowserNeverSawTheApiKeyAHubTokenOrAPaymentId() {
        List<Cookie> cookies = context.cookies();
        assertThat(cookies).filteredOn(c -> c.name.equals("demo_session")).singleElement().satisfies(c -> {
            assertThat(c.httpOnly).isTrue();
            assertThat(c.sameSite).isEqualTo(SameSiteAttribute.LAX);
        });
        synchronized (seen) {
            assertThat(seen).anySatisfy(s -> assertThat(s).startsWith("body ").contains("Demo CRM"));
            assertThat(seen).anySatisfy(s -> assertThat(s).contains("/return?state="));
            List<String> all = new ArrayList<>(seen);
            cookies.forEach(c -> all.add("cookie " + c.name + "=" + c.value));
            assertThat(all).allSatisfy(s -> assertThat(s).doesNotContain(Hub.KEY)
                    .doesNotContainPattern(HUB_TOKEN).doesNotContainPattern(PAYMENT_ID));
        }
    }

    // -------------------------------------------------------------------------------------------------- helpers

    private static void connect(String bank, String customer) {
        page.getByLabel("Bank", new Page.GetByLabelOptions().setExact(true)).selectOption(bank);
        page.getByLabel("Customer", new Page.GetByLabelOptions().setExact(true)).selectOption(customer);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Connect accounts")).click();
    }

    /** The bank's login page, then its consent or payment page: log in and approve. */
    private static void atTheBank(String username, String password) {
        page.getByLabel("Username").fill(username);
        page.getByLabel("Password").fill(password);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Approve").setExact(true)).click();
    }

    /** Presses "Refresh status" until the page shows {@code expected} (the sandbox executes in steps). */
    private static void awaitPaymentStatus(String expected) {
        long deadline = System.currentTimeMillis() + 15_000;
        String status = page.locator("#payment-status").innerText();
        while (!status.equals(expected) && System.currentTimeMillis() < deadline) {
            page.waitForTimeout(300);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Refresh status")).click();
            page.waitForLoadState();
            status = page.locator("#payment-status").innerText();
        }
        assertThat(status).as(page.locator("body").innerText()).isEqualTo(expected);
        seen.add("page " + page.content());
    }

    private static String iban(String bank, String customer) {
        return hub.bank(bank).data().customerByUsername(customer).orElseThrow().accounts().get(0).iban();
    }

    private static String lastPayment(String bank) {
        List<String> ids = hub.bank(bank).paymentIds();
        return ids.get(ids.size() - 1);
    }
}
