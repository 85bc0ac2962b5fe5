package eu.securehub.psd2.localhub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The demo CRM of the local hub: a small server-rendered CRM (no JavaScript) on the CRM port, a client of the hub's
 * public API only ({@link DemoHub}: base URL, the CRM app's API key). A person picks a bank and a sandbox customer,
 * connects accounts or makes a payment, goes through the bank's pages (or approves in the bank's app), comes back
 * to {@value #RETURN_PATH} and sees accounts, balances, transactions and the consent's status (with Revoke), or the
 * payment's status.
 *
 * <p>What a CRM back end must do, it does: the API key, the hub tokens and the hub's payment ids live in this
 * server's memory ({@link DemoSessions}, by an HttpOnly SameSite=Lax cookie), never in HTML, a URL, a cookie or a
 * redirect; every POST form carries the session's CSRF token; the browser's return is accepted only with the state
 * of this session's authorisation; the hub token is collected once ({@code POST /sessions}, retried once a second
 * later on 404); decoupled approvals are polled no faster than the hub's {@code retryAfter}; payments carry an
 * Idempotency-Key; hub problems are shown as status, title, detail and codes.
 *
 * <p>Routes: {@code GET /}, {@code POST /consents}, {@code POST /payments}, {@code GET /return?state&outcome},
 * {@code GET /wait}, {@code POST /wait/app} (the sandbox's stand-in for the customer's phone, {@link DemoBankApp}),
 * {@code GET /connections/{ref}}, {@code POST /connections/{ref}/revoke}, {@code GET /payments/{ref}}.
 */
public final class DemoCrmPage implements HttpHandler {
    static final String RETURN_PATH = "/return";
    private static final int MAX_FORM = 16 * 1024;
    private static final int MAX_ACCOUNTS = 10;
    private static final Set<String> PRODUCTS = Set.of("sepa-credit-transfers", "instant-sepa-credit-transfers");

    private final DemoConfig config;
    private final DemoHub hub;
    private final DemoBankApp bankApp;
    private final DemoViews views;
    private final DemoSessions sessions = new DemoSessions();

    DemoCrmPage(DemoConfig config, DemoBankApp bankApp) {
        this.config = config;
        this.hub = new DemoHub(config.hubBaseUrl(), config.apiKey());
        this.bankApp = bankApp;
        this.views = new DemoViews(config);
    }

    @Override
    public void handle(HttpExchange x) throws IOException {
        try (x) {
            try {
                route(x);
            } catch (RuntimeException e) {
                html(x, 500, views.message("Something went wrong", DemoHub.Problem.local("The demo CRM failed",
                        "An unexpected " + e.getClass().getSimpleName() + " in the demo CRM's back end."), null));
            }
        }
    }

    private void route(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String method = x.getRequestMethod();
        if (path.equals("/favicon.ico")) {
            x.sendResponseHeaders(404, -1);
            return;
        }
        boolean get = method.equals("GET") || method.equals("HEAD");
        boolean post = method.equals("POST");
        String[] seg = path.split("/", -1);
        if (get && path.equals("/")) {
            DemoSession s = sessions.findOrCreate(x);
            synchronized (s) {
                html(x, 200, views.home(s));
            }
        } else if (get && path.equals(RETURN_PATH)) {
            bankReturn(x);
        } else if (get && path.equals("/wait")) {
            withSession(x, s -> waiting(x, s));
        } else if (get && seg.length == 3 && seg[1].equals("connections")) {
            withSession(x, s -> connection(x, s, seg[2]));
        } else if (get && seg.length == 3 && seg[1].equals("payments")) {
            withSession(x, s -> payment(x, s, seg[2]));
        } else if (post && path.equals("/consents")) {
            withForm(x, (s, f) -> startConsent(x, s, f));
        } else if (post && path.equals("/payments")) {
            withForm(x, (s, f) -> startPayment(x, s, f));
        } else if (post && path.equals("/wait/app")) {
            withForm(x, (s, f) -> decideInApp(x, s, f));
        } else if (post && seg.length == 4 && seg[1].equals("connections") && seg[3].equals("revoke")) {
            withForm(x, (s, f) -> revoke(x, s, seg[2]));
        } else if (get || post) {
            html(x, 404, views.message("Not found", null, "There is no such page in the demo CRM."));
        } else {
            html(x, 405, views.message("Method not allowed", null, "The demo CRM answers GET and POST only."));
        }
    }

    private interface SessionHandler {
        void handle(DemoSession s) throws IOException;
    }

    private interface FormHandler {
        void handle(DemoSession s, Map<String, String> form) throws IOException;
    }

    /** A page of an existing session; without one, the way to the home page. */
    private void withSession(HttpExchange x, SessionHandler h) throws IOException {
        DemoSession s = sessions.find(x);
        if (s == null) {
            redirect(x, "/");
            return;
        }
        synchronized (s) {
            h.handle(s);
        }
    }

    /** A form post: only with the session's cookie and its CSRF token. */
    private void withForm(HttpExchange x, FormHandler h) throws IOException {
        Map<String, String> form = readForm(x);
        DemoSession s = sessions.find(x);
        if (s == null || !s.csrfMatches(form.get("csrf"))) {
            html(x, 403, views.message("Form expired", null, "This form does not belong to your session (or the session"
                    + " expired). Open the home page and try again."));
            return;
        }
        synchronized (s) {
            h.handle(s, form);
        }
    }

    // ----------------------------------------------------------------------------------------------- start journeys

    private void startConsent(HttpExchange x, DemoSession s, Map<String, String> f) throws IOException {
        Optional<DemoConfig.Bank> bank = config.bank(f.getOrDefault("bank", ""));
        Optional<DemoConfig.Customer> customer = config.customer(f.getOrDefault("customer", ""));
        if (bank.isEmpty() || customer.isEmpty()) {
            s.flash = DemoHub.Problem.local("Pick a bank and a customer", "The form named no known bank or customer.");
            redirect(x, "/");
            return;
        }
        ObjectNode body = DemoHub.JSON.createObjectNode().put("returnUrl", config.returnUrl());
        if ("choose".equals(f.get("access"))) {
            ObjectNode access = body.putObject("access");
            access.putArray("accounts");
            access.putArray("balances");
            access.putArray("transactions");
        } else {
            body.putObject("access").put("allPsd2", "allAccounts");
        }
        body.put("recurringIndicator", true).put("validUntil", LocalDate.now().plusDays(90).toString())
                .put("frequencyPerDay", 4);
        if (bank.get().psuIdRequired()) {
            body.put("psuId", customer.get().username());
        }
        DemoHub.Reply r = hub.post("/banks/" + enc(bank.get().id()) + "/consents", body, "PSU-IP-Address", psuIp(x));
        if (!r.ok()) {
            s.flash = r.problem();
            redirect(x, "/");
            return;
        }
        follow(x, s, r, new DemoSession.Pending(DemoSession.Kind.CONSENT, bank.get().id(), customer.get().username(),
                r.text("state"), "poll".equals(r.text("nextStep")), r.text("psuMessage"), r.text("consentId"), null,
                r.json().path("pollIntervalSeconds").asInt(4)));
    }

    private void startPayment(HttpExchange x, DemoSession s, Map<String, String> f) throws IOException {
        String[] from = f.getOrDefault("from", "").split("\\|", -1);
        Optional<DemoConfig.Bank> bank = config.bank(from[0]);
        Optional<DemoConfig.Customer> customer = from.length == 3 ? config.customer(from[1]) : Optional.empty();
        String product = f.getOrDefault("product", "sepa-credit-transfers");
        if (bank.isEmpty() || customer.isEmpty() || from[2].isBlank() || !PRODUCTS.contains(product)) {
            s.flash = DemoHub.Problem.local("Pick an account to pay from", "The form named no known account or product.");
            redirect(x, "/");
            return;
        }
        DemoSession.Payment order = new DemoSession.Payment(s.nextPaymentRef(), bank.get().id(),
                customer.get().username(), product, from[2], f.getOrDefault("creditorName", "").trim(),
                f.getOrDefault("creditorIban", "").replace(" ", ""), f.getOrDefault("amount", "").trim(),
                f.getOrDefault("reference", "").trim(), UUID.randomUUID().toString(), null, Instant.now());
        ObjectNode body = DemoHub.JSON.createObjectNode();
        body.putObject("instructedAmount").put("currency", "EUR").put("amount", order.amount());
        body.putObject("debtorAccount").put("iban", order.debtorIban());
        body.put("creditorName", order.creditorName());
        body.putObject("creditorAccount").put("iban", order.creditorIban());
        if (!order.reference().isEmpty()) {
            body.put("remittanceInformationUnstructured", order.reference());
        }
        body.put("returnUrl", config.returnUrl());
        if (bank.get().psuIdRequired()) {
            body.put("psuId", order.customer());
        }
        DemoHub.Reply r = hub.post("/banks/" + enc(order.bankId()) + "/payments/" + product, body,
                "Idempotency-Key", order.idempotencyKey(), "PSU-IP-Address", psuIp(x));
        if (!r.ok()) {
            s.flash = r.problem();
            redirect(x, "/");
            return;
        }
        DemoSession.Payment created = new DemoSession.Payment(order.ref(), order.bankId(), order.customer(), product,
                order.debtorIban(), order.creditorName(), order.creditorIban(), order.amount(), order.reference(),
                order.idempotencyKey(), r.text("paymentId"), order.created());
        s.addPayment(created);
        follow(x, s, r, new DemoSession.Pending(DemoSession.Kind.PAYMENT, order.bankId(), order.customer(),
                r.text("state"), "poll".equals(r.text("nextStep")), r.text("psuMessage"), null, created.ref(),
                r.json().path("pollIntervalSeconds").asInt(4)));
    }

    /** The hub's nextStep: the bank's pages (a 303 to its authorisation URL) or the waiting page. */
    private void follow(HttpExchange x, DemoSession s, DemoHub.Reply r, DemoSession.Pending pending) throws IOException {
        String url = r.text("authorisationUrl");
        if (!pending.poll && !(url.startsWith("https://") || url.startsWith("http://"))) {
            s.flash = DemoHub.Problem.local("No next step", "The hub named neither an authorisation URL nor polling.");
            redirect(x, "/");
            return;
        }
        s.pending = pending;
        redirect(x, pending.poll ? "/wait" : url);
    }

    // ------------------------------------------------------------------------------------------- back from the bank

    /** The hub sends the browser here with state and outcome only. */
    private void bankReturn(HttpExchange x) throws IOException {
        Map<String, String> q = CrmReturnPage.query(x.getRequestURI().getRawQuery());
        DemoSession s = sessions.find(x);
        if (s == null) {
            html(x, 400, views.message("Unknown return", null, "This browser has no session at the demo CRM: start"
                    + " again from the home page."));
            return;
        }
        synchronized (s) {
            DemoSession.Pending p = s.pending;
            if (p == null || p.poll || !p.state.equals(q.get("state"))) {
                html(x, 400, views.message("Unknown return", null, "This return does not belong to an authorisation"
                        + " this session started (or it was used already)."));
                return;
            }
            s.pending = null;
            String outcome = q.getOrDefault("outcome", "");
            if (p.kind == DemoSession.Kind.PAYMENT) {
                s.notice = switch (outcome) {
                    case "success" -> "The bank reports the payment authorised.";
                    case "denied" -> "You refused the payment at the bank.";
                    default -> "The payment's authorisation at the bank failed (outcome " + outcome + ").";
                };
                redirect(x, "/payments/" + p.paymentRef);
            } else if (outcome.equals("success")) {
                collect(x, s, p);
            } else {
                s.flash = DemoHub.Problem.local(outcome.equals("denied") ? "You refused at the bank"
                        : "The bank journey failed", "No access was granted (outcome " + outcome + ").");
                redirect(x, "/");
            }
        }
    }

    /** POST /sessions, once (and once more a second later on 404, as the hub's guide says); then the accounts. */
    private void collect(HttpExchange x, DemoSession s, DemoSession.Pending p) throws IOException {
        ObjectNode body = DemoHub.JSON.createObjectNode().put("state", p.state);
        DemoHub.Reply r = hub.post("/sessions", body);
        if (r.status() == 404) {
            DemoHub.sleep(Duration.ofSeconds(1));
            r = hub.post("/sessions", body);
        }
        if (!r.ok()) {
            html(x, 200, views.message("No access", r.problem(), null));
            return;
        }
        DemoSession.Connection c = s.addConnection(p.bankId, p.customer, r.text("accessToken"));
        redirect(x, "/connections/" + c.ref);
    }

    // --------------------------------------------------------------------------------------------------- decoupled

    private void waiting(HttpExchange x, DemoSession s) throws IOException {
        DemoSession.Pending p = s.pending;
        if (p == null || !p.poll) {
            redirect(x, "/");
            return;
        }
        Instant now = Instant.now();
        DemoHub.Problem problem = null;
        if (!now.isBefore(p.nextPollAt)) {
            DemoHub.Reply r = hub.post("/authorisations/status", DemoHub.JSON.createObjectNode().put("state", p.state));
            p.pollSeconds = r.retryAfter();
            p.nextPollAt = now.plusSeconds(p.pollSeconds);
            String status = r.ok() ? r.text("status") : "";
            if (status.equals("finalised") || status.equals("failed")) {
                s.pending = null;
                decided(x, s, p, status.equals("finalised"));
                return;
            }
            if (!r.ok() && (r.status() == 404 || r.status() == 410)) {
                s.pending = null;
                html(x, 200, views.message("The authorisation ended", r.problem(), null));
                return;
            }
            problem = r.ok() ? null : r.problem();
        }
        long left = Math.max(1, Duration.between(now, p.nextPollAt).toMillis() / 1000 + 1);
        html(x, 200, views.waiting(s, p, problem, (int) Math.min(left, p.pollSeconds)));
    }

    private void decided(HttpExchange x, DemoSession s, DemoSession.Pending p, boolean approved) throws IOException {
        if (p.kind == DemoSession.Kind.PAYMENT) {
            s.notice = approved ? "You approved the payment in your bank's app." : "The payment was refused in the app.";
            redirect(x, "/payments/" + p.paymentRef);
        } else if (approved) {
            collect(x, s, p);
        } else {
            s.flash = DemoHub.Problem.local("Refused in the bank's app", "The authorisation failed: no access was"
                    + " granted. Start again to retry.");
            redirect(x, "/");
        }
    }

    /** The sandbox's stand-in for the customer's phone (not the CRM: see {@link DemoBankApp}). */
    private void decideInApp(HttpExchange x, DemoSession s, Map<String, String> f) throws IOException {
        DemoSession.Pending p = s.pending;
        if (p == null || !p.poll) {
            redirect(x, "/");
            return;
        }
        DemoSession.Payment payment = p.paymentRef == null ? null : s.payment(p.paymentRef).orElse(null);
        try {
            s.notice = bankApp.decide(p, payment, "approve".equals(f.get("decision")));
        } catch (IllegalStateException e) {
            s.flash = DemoHub.Problem.local("The sandbox bank's app could not decide", e.getMessage());
        }
        redirect(x, "/wait");
    }

    // ----------------------------------------------------------------------------------------------- accounts page

    private void connection(HttpExchange x, DemoSession s, String ref) throws IOException {
        Optional<DemoSession.Connection> found = s.connection(ref);
        if (found.isEmpty()) {
            html(x, 404, views.message("Not found", null, "This session has no such bank connection."));
            return;
        }
        DemoSession.Connection c = found.get();
        if (!c.active()) {
            html(x, 200, views.connection(s, c, null, null, List.of()));
            return;
        }
        String ip = psuIp(x);
        DemoHub.Reply consent = hub.get("/consents/current", c.token);
        if (endsConnection(c, consent)) {
            s.flash = consent.problem();
            html(x, 200, views.connection(s, c, null, null, List.of()));
            return;
        }
        DemoHub.Reply accounts = hub.get("/accounts", c.token, "PSU-IP-Address", ip);
        List<DemoViews.AccountView> list = new ArrayList<>();
        if (accounts.ok()) {
            String from = LocalDate.now().minusDays(30).toString();
            for (JsonNode a : accounts.json().path("accounts")) {
                if (list.size() == MAX_ACCOUNTS) {
                    break;
                }
                String base = "/accounts/" + enc(a.path("resourceId").asText());
                list.add(new DemoViews.AccountView(a, hub.get(base + "/balances", c.token, "PSU-IP-Address", ip),
                        hub.get(base + "/transactions?bookingStatus=both&dateFrom=" + from, c.token,
                                "PSU-IP-Address", ip)));
            }
        }
        html(x, 200, views.connection(s, c, consent, accounts, list));
    }

    /** An answer that means the hub token no longer works: the connection ends. */
    private static boolean endsConnection(DemoSession.Connection c, DemoHub.Reply r) {
        String type = r.ok() ? "" : r.problem().type();
        if (type.equals("invalid-token") || type.equals("consent-invalid")) {
            c.end("the hub answered " + r.status() + " " + type + ": connect again");
            return true;
        }
        return false;
    }

    private void revoke(HttpExchange x, DemoSession s, String ref) throws IOException {
        Optional<DemoSession.Connection> found = s.connection(ref);
        if (found.isEmpty() || !found.get().active()) {
            redirect(x, found.isEmpty() ? "/" : "/connections/" + ref);
            return;
        }
        DemoSession.Connection c = found.get();
        DemoHub.Reply r = hub.delete("/consents/current", c.token);
        if (r.ok()) {
            c.end("revoked by you: the hub terminated the consent at the bank and deleted its token");
            s.notice = "Consent revoked.";
        } else if (!endsConnection(c, r)) {
            s.flash = r.problem();
        }
        redirect(x, "/connections/" + ref);
    }

    // ------------------------------------------------------------------------------------------------ payment page

    private void payment(HttpExchange x, DemoSession s, String ref) throws IOException {
        Optional<DemoSession.Payment> p = s.payment(ref);
        if (p.isEmpty()) {
            html(x, 404, views.message("Not found", null, "This session has no such payment."));
            return;
        }
        DemoHub.Reply status = hub.get("/payments/" + enc(p.get().paymentId()) + "/status", null,
                "PSU-IP-Address", psuIp(x));
        boolean awaitingApp = s.pending != null && s.pending.poll && ref.equals(s.pending.paymentRef);
        html(x, 200, views.payment(s, p.get(), status, awaitingApp));
    }

    // -------------------------------------------------------------------------------------------------------- HTTP

    /** The customer's IP address as the CRM sees it (they are present: they use this page). */
    static String psuIp(HttpExchange x) {
        String ip = x.getRemoteAddress().getAddress().getHostAddress();
        int scope = ip.indexOf('%');
        return scope < 0 ? ip : ip.substring(0, scope);
    }

    private static Map<String, String> readForm(HttpExchange x) throws IOException {
        try (InputStream in = x.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_FORM + 1);
            if (body.length > MAX_FORM) {
                return Map.of();
            }
            return CrmReturnPage.query(new String(body, StandardCharsets.UTF_8));
        }
    }

    private static void redirect(HttpExchange x, String location) throws IOException {
        headers(x);
        x.getResponseHeaders().set("Location", location);
        x.sendResponseHeaders(303, -1);
    }

    private static void html(HttpExchange x, int status, String html) throws IOException {
        byte[] b = html.getBytes(StandardCharsets.UTF_8);
        headers(x);
        x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : b.length);
        if (!head) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(b);
            }
        }
    }

    private static void headers(HttpExchange x) {
        var h = x.getResponseHeaders();
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none';"
                + " frame-ancestors 'none'");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
