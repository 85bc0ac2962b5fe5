package eu.securehub.psd2.localhub;

import static eu.securehub.psd2.localhub.DemoHtml.esc;
import static eu.securehub.psd2.localhub.DemoHtml.field;
import static eu.securehub.psd2.localhub.DemoHtml.option;
import static eu.securehub.psd2.localhub.DemoHtml.postForm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The demo CRM's pages, rendered from what the controller read from the hub. Every value is escaped; no page shows
 * the API key, a hub token or a hub payment id (the session's local references c1, p1 … stand for them).
 */
final class DemoViews {
    /** Transactions shown per account (newest first). */
    static final int TRANSACTIONS_SHOWN = 12;
    static final String CREDITOR_NAME = "Stadtwerke Musterstadt";
    static final String CREDITOR_IBAN = "DE02120300000000202051";
    static final String AMOUNT = "12.34";
    static final String REFERENCE = "Invoice 2026-001";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final Map<String, String> STATUS_MEANING = Map.of("RCVD", "received, awaiting authorisation",
            "ACTC", "authorised, checks passed", "ACSP", "settlement in process", "ACSC", "settled",
            "RJCT", "rejected", "CANC", "cancelled", "PDNG", "pending", "ACCP", "accepted", "ACWC",
            "accepted with change", "PART", "partially accepted");

    /** One account with what the hub answered for its balances and transactions (a problem instead, if any). */
    record AccountView(JsonNode account, DemoHub.Reply balances, DemoHub.Reply transactions) {
    }

    private final DemoConfig config;

    DemoViews(DemoConfig config) {
        this.config = config;
    }

    String page(String title, String body) {
        return DemoHtml.page(title, body, config.hubBaseUrl(), 0);
    }

    /** Flash problem and notice of the session, once. */
    static String flash(DemoSession s) {
        String out = (s.flash == null ? "" : DemoHtml.problem(s.flash)) + (s.notice == null ? "" : DemoHtml.notice(s.notice));
        s.flash = null;
        s.notice = null;
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------- home

    String home(DemoSession s) {
        StringBuilder b = new StringBuilder("<h1>Connect a customer's bank</h1>").append(flash(s));
        b.append("<section><h2>Connect accounts</h2><p class=\"hint\">Starts a consent at the bank"
                + " (<code>POST /banks/{bankId}/consents</code>), then follows the hub's <code>nextStep</code>: the"
                + " bank's pages, or approval in the bank's app.</p>").append(postForm("/consents", s.csrf));
        b.append("<div class=\"grid\"><div>").append(bankSelect("bank")).append("</div><div>")
                .append(customerSelect("customer")).append("</div></div>");
        b.append("<label for=\"access\">Accounts to share</label><select id=\"access\" name=\"access\">")
                .append(option("all", "All accounts (allPsd2)", true))
                .append(option("choose", "I choose them at the bank", false)).append("</select>");
        b.append("<div><button type=\"submit\">Connect accounts</button></div></form></section>");

        b.append("<section><h2>Make a payment</h2><p class=\"hint\">A SEPA credit transfer from one of the customer's"
                + " accounts (<code>POST /banks/{bankId}/payments/…</code> with an Idempotency-Key), authorised at the"
                + " bank.</p>");
        List<String[]> from = new ArrayList<>();
        for (DemoConfig.Bank bank : config.banks()) {
            for (DemoConfig.Customer c : config.customers()) {
                for (DemoConfig.Account a : c.accountsAt(bank.id())) {
                    from.add(new String[] {bank.name() + " (" + bank.id() + ")", bank.id() + "|" + c.username() + "|"
                            + a.iban(), c.name() + " · " + a.name() + " · " + a.iban()});
                }
            }
        }
        b.append(paymentForm(s.csrf, from)).append("</section>");

        b.append(sessionList(s)).append(hints());
        return page("Home", b.toString());
    }

    private String bankSelect(String id) {
        StringBuilder b = new StringBuilder("<label for=\"").append(id).append("\">Bank</label><select id=\"")
                .append(id).append("\" name=\"").append(id).append("\">");
        for (DemoConfig.Bank bank : config.banks()) {
            b.append(option(bank.id(), bank.name() + " (" + bank.id() + ") - " + bank.approach(), false));
        }
        return b.append("</select>").toString();
    }

    private String customerSelect(String id) {
        StringBuilder b = new StringBuilder("<label for=\"").append(id).append("\">Customer</label><select id=\"")
                .append(id).append("\" name=\"").append(id).append("\">");
        for (DemoConfig.Customer c : config.customers()) {
            b.append(option(c.username(), c.name() + " (sandbox login " + c.username() + " / " + c.password() + ")",
                    false));
        }
        return b.append("</select>").toString();
    }

    /** The payment form; {@code from}: option group, value (bank|customer|iban), label. */
    static String paymentForm(String csrf, List<String[]> from) {
        StringBuilder b = new StringBuilder(postForm("/payments", csrf));
        b.append("<label for=\"from\">Pay from</label><select id=\"from\" name=\"from\">");
        String group = null;
        for (String[] f : from) {
            if (!f[0].equals(group)) {
                b.append(group == null ? "" : "</optgroup>").append("<optgroup label=\"").append(esc(f[0])).append("\">");
                group = f[0];
            }
            b.append(option(f[1], f[2], false));
        }
        b.append(group == null ? "" : "</optgroup>").append("</select>");
        b.append("<label for=\"product\">Payment product</label><select id=\"product\" name=\"product\">")
                .append(option("sepa-credit-transfers", "SEPA credit transfer", true))
                .append(option("instant-sepa-credit-transfers", "Instant SEPA credit transfer", false))
                .append("</select>");
        b.append("<div class=\"grid\"><div>").append(field("creditorName", "Creditor name", CREDITOR_NAME))
                .append("</div><div>").append(field("creditorIban", "Creditor IBAN", CREDITOR_IBAN))
                .append("</div><div>").append(field("amount", "Amount (EUR)", AMOUNT)).append("</div><div>")
                .append(field("reference", "Reference", REFERENCE)).append("</div></div>");
        return b.append("<div><button type=\"submit\">Make a payment</button></div></form>").toString();
    }

    private String sessionList(DemoSession s) {
        if (s.connections().isEmpty() && s.payments().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("<section><h2>This session</h2>");
        if (!s.connections().isEmpty()) {
            b.append("<h3>Bank connections</h3><ul>");
            for (DemoSession.Connection c : s.connections()) {
                b.append("<li><a href=\"/connections/").append(esc(c.ref)).append("\">").append(esc(bankName(c.bankId)))
                        .append(" · ").append(esc(customerName(c.customer))).append("</a> <span class=\"meta\">since ")
                        .append(TIME.format(c.since)).append(c.active() ? "" : " · ended").append("</span></li>");
            }
            b.append("</ul>");
        }
        if (!s.payments().isEmpty()) {
            b.append("<h3>Payments</h3><ul>");
            for (DemoSession.Payment p : s.payments()) {
                b.append("<li><a href=\"/payments/").append(esc(p.ref())).append("\">EUR ").append(esc(p.amount()))
                        .append(" to ").append(esc(p.creditorName())).append("</a> <span class=\"meta\">")
                        .append(esc(bankName(p.bankId()))).append(" · ").append(TIME.format(p.created()))
                        .append("</span></li>");
            }
            b.append("</ul>");
        }
        return b.append("</section>").toString();
    }

    private String hints() {
        StringBuilder b = new StringBuilder("<section><h2>Sandbox hints</h2><p class=\"hint\">What the bank's pages"
                + " ask for (the same logins at every sandbox bank):</p><table><tr><th>customer</th><th>username</th>"
                + "<th>password</th></tr>");
        for (DemoConfig.Customer c : config.customers()) {
            b.append("<tr><td>").append(esc(c.name())).append("</td><td><code>").append(esc(c.username()))
                    .append("</code></td><td><code>").append(esc(c.password())).append("</code></td></tr>");
        }
        b.append("</table><p class=\"hint\">The banks' pages are HTTPS with certificates of the local test PKI: your"
                + " browser warns once per bank. Accept the warning, or trust the bank's CA:</p><ul class=\"hint\">");
        for (DemoConfig.Bank bank : config.banks()) {
            b.append("<li>").append(esc(bank.id())).append(": ").append(esc(bank.approach())).append(" - <code>")
                    .append(esc(bank.certificateHint())).append("</code></li>");
        }
        return b.append("</ul></section>").toString();
    }

    // ------------------------------------------------------------------------------------------------ decoupled wait

    /** The page while the customer approves in the bank's app; it reloads itself after {@code refresh} seconds. */
    String waiting(DemoSession s, DemoSession.Pending p, DemoHub.Problem problem, int refresh) {
        String what = p.kind == DemoSession.Kind.CONSENT ? "the access to your accounts" : "the payment";
        StringBuilder b = new StringBuilder("<h1>Waiting for your approval in your bank's app</h1>").append(flash(s));
        if (problem != null) {
            b.append(DemoHtml.problem(problem));
        }
        b.append("<section><p class=\"status\">Please confirm ").append(esc(what)).append(" in the ")
                .append(esc(bankName(p.bankId))).append(" app.</p>");
        if (p.psuMessage != null && !p.psuMessage.isEmpty()) {
            b.append("<p>Your bank says: <em>").append(esc(p.psuMessage)).append("</em></p>");
        }
        b.append("<p class=\"meta\">This page asks the hub where the authorisation stands (<code>POST"
                + " /authorisations/status</code>) and reloads itself in ").append(refresh)
                .append(" s, as the hub's <code>retryAfter</code> says.</p><p><a href=\"/wait\">Check now</a> · <a"
                + " href=\"/\">Give up and go back</a></p></section>");
        // The stand-in for the customer's phone: not the CRM.
        b.append("<section class=\"standin\"><h2>Sandbox only: the customer's phone</h2><p>In real life the customer"
                + " approves in their bank's app on their phone, and the CRM only waits. Here the sandbox bank's admin"
                + " API stands in for that app. These buttons are not part of the CRM.</p>")
                .append(postForm("/wait/app", s.csrf))
                .append("<button type=\"submit\" name=\"decision\" value=\"approve\">sandbox: approve in the bank's"
                        + " app</button><button type=\"submit\" class=\"secondary\" name=\"decision\" value=\"deny\">"
                        + "sandbox: deny in the bank's app</button></form></section>");
        return DemoHtml.page("Waiting for approval", b.toString(), config.hubBaseUrl(), refresh);
    }

    // ---------------------------------------------------------------------------------------------------- accounts

    String connection(DemoSession s, DemoSession.Connection c, DemoHub.Reply consent, DemoHub.Reply accounts,
            List<AccountView> views) {
        StringBuilder b = new StringBuilder("<h1>").append(esc(customerName(c.customer))).append(" at ")
                .append(esc(bankName(c.bankId))).append("</h1>").append(flash(s));
        b.append("<section><h2>Consent</h2>");
        if (!c.active()) {
            b.append("<p>Status: <span id=\"consent-status\" class=\"status ended\">ended</span> - ")
                    .append(esc(c.ended)).append("</p><p class=\"meta\">The CRM no longer holds a hub token for it."
                            + " Connect again from the <a href=\"/\">home page</a>.</p></section>");
            return page("Accounts", b.toString());
        }
        if (consent != null && consent.ok()) {
            JsonNode v = consent.json();
            b.append("<p>Status: <span id=\"consent-status\" class=\"status ok\">").append(esc(v.path("consentStatus")
                    .asText())).append("</span></p><dl><dt>valid until</dt><dd>").append(esc(v.path("validUntil").asText()))
                    .append("</dd><dt>reads a day without you</dt><dd>").append(esc(v.path("frequencyPerDay").asText()))
                    .append("</dd><dt>re-authentication due</dt><dd>").append(esc(v.path("reauthenticationDueAt")
                            .asText())).append(" (in ").append(esc(v.path("daysUntilReauthentication").asText()))
                    .append(" days)</dd></dl>");
        } else if (consent != null) {
            b.append(DemoHtml.problem(consent.problem()));
        }
        b.append(postForm("/connections/" + c.ref + "/revoke", s.csrf))
                .append("<button type=\"submit\" class=\"secondary\">Revoke consent</button></form></section>");
        if (accounts != null && !accounts.ok()) {
            b.append(DemoHtml.problem(accounts.problem()));
        }
        List<String[]> from = new ArrayList<>();
        for (AccountView a : views) {
            b.append(account(a));
            String iban = a.account().path("iban").asText();
            if (!iban.isEmpty()) {
                from.add(new String[] {bankName(c.bankId), c.bankId + "|" + c.customer + "|" + iban,
                        a.account().path("name").asText("account") + " · " + iban});
            }
        }
        if (!from.isEmpty()) {
            b.append("<section><h2>Make a payment from these accounts</h2>").append(paymentForm(s.csrf, from))
                    .append("</section>");
        }
        return page("Accounts", b.toString());
    }

    private static String account(AccountView a) {
        JsonNode acc = a.account();
        StringBuilder b = new StringBuilder("<section class=\"account\"><h2>").append(esc(acc.path("name").asText("Account")))
                .append(" <span class=\"meta\">").append(esc(acc.path("iban").asText())).append(" · ")
                .append(esc(acc.path("product").asText())).append(" · ").append(esc(acc.path("currency").asText()))
                .append("</span></h2><h3>Balances</h3>");
        if (a.balances().ok()) {
            b.append("<table><tr><th>type</th><th class=\"num\">amount</th><th>reference date</th></tr>");
            for (JsonNode bal : a.balances().json().path("balances")) {
                b.append("<tr><td>").append(esc(bal.path("balanceType").asText())).append("</td><td class=\"num\">")
                        .append(amount(bal.path("balanceAmount"))).append("</td><td>")
                        .append(esc(bal.path("referenceDate").asText())).append("</td></tr>");
            }
            b.append("</table>");
        } else {
            b.append(DemoHtml.problem(a.balances().problem()));
        }
        b.append("<h3>Transactions</h3>");
        if (a.transactions().ok()) {
            b.append(transactions(a.transactions().json().path("transactions")));
        } else {
            b.append(DemoHtml.problem(a.transactions().problem()));
        }
        return b.append("</section>").toString();
    }

    private record Row(JsonNode transaction, String kind) {
    }

    private static String transactions(JsonNode report) {
        List<Row> rows = new ArrayList<>();
        for (String kind : List.of("pending", "booked")) {
            report.path(kind).forEach(t -> rows.add(new Row(t, kind)));
        }
        if (rows.isEmpty()) {
            return "<p class=\"meta\">No transactions in the period.</p>";
        }
        rows.sort(Comparator.comparing((Row r) -> date(r.transaction())).reversed());
        StringBuilder b = new StringBuilder("<table><tr><th>date</th><th>counterparty</th><th>reference</th>"
                + "<th class=\"num\">amount</th><th></th></tr>");
        for (Row r : rows.subList(0, Math.min(TRANSACTIONS_SHOWN, rows.size()))) {
            JsonNode t = r.transaction();
            String party = t.path("creditorName").asText(t.path("debtorName").asText(""));
            b.append("<tr><td>").append(esc(date(t))).append("</td><td>").append(esc(party)).append("</td><td>")
                    .append(esc(t.path("remittanceInformationUnstructured").asText(""))).append("</td><td class=\"num\">")
                    .append(amount(t.path("transactionAmount"))).append("</td><td class=\"meta\">")
                    .append(esc(r.kind())).append("</td></tr>");
        }
        b.append("</table><p class=\"meta\">").append(Math.min(TRANSACTIONS_SHOWN, rows.size())).append(" of ")
                .append(rows.size()).append(" transactions of the last 30 days, newest first.</p>");
        return b.toString();
    }

    private static String date(JsonNode t) {
        return t.path("bookingDate").asText(t.path("valueDate").asText(""));
    }

    private static String amount(JsonNode a) {
        return esc(a.path("currency").asText("")) + " " + esc(a.path("amount").asText(""));
    }

    // ----------------------------------------------------------------------------------------------------- payment

    String payment(DemoSession s, DemoSession.Payment p, DemoHub.Reply status, boolean awaitingApp) {
        StringBuilder b = new StringBuilder("<h1>Payment to ").append(esc(p.creditorName())).append("</h1>")
                .append(flash(s)).append("<section><h2>Status</h2>");
        if (status.ok()) {
            String code = status.text("transactionStatus");
            b.append("<p>Transaction status: <span id=\"payment-status\" class=\"status\">").append(esc(code))
                    .append("</span> - ").append(esc(STATUS_MEANING.getOrDefault(code, "as the bank reports it")))
                    .append("</p>");
            List<String> reasons = new ArrayList<>();
            status.json().path("reasons").forEach(r -> reasons.add(r.asText()));
            if (!reasons.isEmpty()) {
                b.append("<p>The bank's reasons: <code>").append(esc(String.join(", ", reasons))).append("</code></p>");
            }
        } else {
            b.append(DemoHtml.problem(status.problem()));
        }
        if (awaitingApp) {
            b.append("<p><a href=\"/wait\">Waiting for the approval in the bank's app</a></p>");
        }
        b.append("<p class=\"meta\">A SEPA credit transfer goes ACTC → ACSP → ACSC as the bank executes it; an instant"
                + " one ACTC → ACSC.</p><form method=\"get\" action=\"/payments/").append(esc(p.ref()))
                .append("\"><button type=\"submit\">Refresh status</button></form></section>");
        b.append("<section><h2>Order</h2><dl><dt>amount</dt><dd>EUR ").append(esc(p.amount()))
                .append("</dd><dt>to</dt><dd>").append(esc(p.creditorName())).append(" · ").append(esc(p.creditorIban()))
                .append("</dd><dt>from</dt><dd>").append(esc(customerName(p.customer()))).append(" · ")
                .append(esc(p.debtorIban())).append(" at ").append(esc(bankName(p.bankId()))).append("</dd><dt>reference</dt><dd>")
                .append(esc(p.reference())).append("</dd><dt>product</dt><dd>").append(esc(p.product()))
                .append("</dd></dl></section>");
        return page("Payment", b.toString());
    }

    /** A page that only says what went wrong (or what happened), with the way home. */
    String message(String title, DemoHub.Problem problem, String text) {
        return page(title, "<h1>" + esc(title) + "</h1>" + (problem == null ? "" : DemoHtml.problem(problem))
                + (text == null ? "" : "<section><p>" + esc(text) + "</p></section>")
                + "<p><a href=\"/\">Back to the demo CRM's home page</a></p>");
    }

    private String bankName(String id) {
        return config.bank(id).map(DemoConfig.Bank::name).orElse(id);
    }

    private String customerName(String username) {
        return config.customer(username).map(DemoConfig.Customer::name).orElse(username);
    }
}
