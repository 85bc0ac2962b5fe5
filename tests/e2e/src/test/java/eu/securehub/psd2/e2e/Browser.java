package eu.securehub.psd2.e2e;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A real headless Chromium (Debian's, {@code /usr/bin/chromium}; Playwright never downloads one) for the customer's
 * part of the journey: the bank's login and consent pages, the redirects through the hub to the CRM's return page.
 * Every URL the browser requested or navigated to is recorded.
 */
final class Browser implements AutoCloseable {
    static final String CHROMIUM = System.getProperty("e2e.chromium", "/usr/bin/chromium");
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run");

    /**
     * Where the customer ended, every URL on the way, and every response that carried an X-Request-ID (the hub's
     * callback, for one), to find that request's log line by.
     */
    /** {@code bankPageText}: what the bank's page showed the customer just before the decision (what they sign). */
    record Journey(String finalUrl, String pageText, List<String> urls, List<Identified> identified, String bankPageText) {
        /** The X-Request-IDs of the responses whose URL path starts with {@code pathPrefix} (the hub's: "/psd2/v1/"). */
        List<String> requestIds(String pathPrefix) {
            return identified.stream().filter(i -> String.valueOf(java.net.URI.create(i.url()).getPath())
                    .startsWith(pathPrefix)).map(Identified::requestId).toList();
        }
    }

    /** A response's URL and its X-Request-ID. */
    record Identified(String url, String requestId) {
    }

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser browser;

    Browser() {
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(Path.of(CHROMIUM)).setHeadless(true).setArgs(FLAGS).setTimeout(60_000));
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    /**
     * Opens the authorisation URL in a fresh context (the bank's certificate is from the test CA: HTTPS errors are
     * ignored), logs in with the labelled fields, presses {@code button} ("Approve" or "Deny") and waits for the
     * CRM's return page.
     */
    Journey authorise(String authorisationUrl, String username, String password, String button, String returnUrl) {
        List<String> urls = Collections.synchronizedList(new ArrayList<>());
        List<Identified> identified = Collections.synchronizedList(new ArrayList<>());
        try (BrowserContext context = browser.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setIgnoreHTTPSErrors(true))) {
            context.setDefaultTimeout(30_000);
            context.setDefaultNavigationTimeout(30_000);
            Page page = context.newPage();
            page.onRequest(r -> urls.add(r.url()));
            page.onFrameNavigated(f -> urls.add(f.url()));
            page.onResponse(r -> {
                String id = r.headers().get("x-request-id");
                if (id != null) {
                    identified.add(new Identified(r.url(), id));
                }
            });
            page.navigate(authorisationUrl);
            page.getByLabel("Username").fill(username);
            page.getByLabel("Password").fill(password);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
            Locator decision = page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(button).setExact(true));
            decision.waitFor();
            String bankPage = page.locator("body").innerText();
            decision.click();
            try {
                page.waitForURL(Pattern.compile("^" + Pattern.quote(returnUrl) + "\\?.*"));
            } catch (com.microsoft.playwright.TimeoutError e) {
                throw new AssertionError("the browser never came back to " + returnUrl + "; it is at " + page.url()
                        + " showing: " + page.locator("body").innerText() + "; it went through " + urls, e);
            }
            page.waitForLoadState();
            String text = page.locator("body").innerText();
            return new Journey(page.url(), text, List.copyOf(urls), List.copyOf(identified), bankPage);
        }
    }

    /**
     * Logs in and presses {@code button} like {@link #authorise}, but keeps the bank's redirect to a URL that contains
     * {@code stopAt} (the hub's callback path) instead of following it, and returns that URL: a test can then send the
     * callback itself, as often and as concurrently as it wants.
     */
    String authoriseUntil(String authorisationUrl, String username, String password, String button, String stopAt) {
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        try (BrowserContext context = browser.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setIgnoreHTTPSErrors(true))) {
            context.setDefaultTimeout(30_000);
            Page page = context.newPage();
            // A redirect is not routed on its own: the form posts are sent by the route itself without following
            // redirects, so the bank's 302 to the hub's callback can be kept instead of followed.
            page.route(url -> true, route -> {
                if (!route.request().method().equals("POST")) {
                    route.resume();
                    return;
                }
                com.microsoft.playwright.APIResponse r = route.fetch(new com.microsoft.playwright.Route.FetchOptions()
                        .setMaxRedirects(0));
                String location = r.headers().getOrDefault("location", "");
                if (r.status() / 100 == 3 && location.contains(stopAt)) {
                    seen.set(location);
                    route.abort();
                } else {
                    route.fulfill(new com.microsoft.playwright.Route.FulfillOptions().setResponse(r));
                }
            });
            page.navigate(authorisationUrl);
            page.getByLabel("Username").fill(username);
            page.getByLabel("Password").fill(password);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(button).setExact(true)).click();
            long deadline = System.currentTimeMillis() + 30_000;
            while (seen.get() == null && System.currentTimeMillis() < deadline) {
                page.waitForTimeout(100);
            }
        }
        if (seen.get() == null) {
            throw new AssertionError("the browser never reached " + stopAt);
        }
        return seen.get();
    }

    /**
     * A fresh context for a test that drives several pages in one browser session (its cookies kept): the banks'
     * test-CA certificates accepted as a person would accept the warning, 30 s timeouts. The caller closes it.
     */
    BrowserContext newContext() {
        BrowserContext context = browser.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setIgnoreHTTPSErrors(true));
        context.setDefaultTimeout(30_000);
        context.setDefaultNavigationTimeout(30_000);
        return context;
    }

    /** Runs {@code use} on a page of a fresh context (closed afterwards), e.g. to drive the hub's Debug page. */
    <T> T withPage(java.util.function.Function<Page, T> use) {
        try (BrowserContext context = browser.newContext()) {
            context.setDefaultTimeout(30_000);
            context.setDefaultNavigationTimeout(30_000);
            return use.apply(context.newPage());
        }
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}
