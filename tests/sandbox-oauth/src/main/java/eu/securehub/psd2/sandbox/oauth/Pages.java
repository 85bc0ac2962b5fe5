package eu.securehub.psd2.sandbox.oauth;

import java.util.List;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTML pages a person sees: login, consent and errors. No scripts; every field labelled.
 *
 * <p>Public so that the sandbox bank's own SCA page (redirect approach without OAuth) shows the same forms, with
 * the same field names ({@code tx}, {@code csrf_token}, {@code username}, {@code password}, {@code account}) and
 * buttons ({@code action} = {@code login}, {@code cancel}, {@code approve}, {@code deny}): one browser script
 * drives both.
 */
public final class Pages {

    private static final String STYLE = ""
            + "body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b1f23}"
            + "main{max-width:32rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:.5rem;"
            + "box-shadow:0 1px 4px rgba(0,0,0,.15)}"
            + "label{display:block;margin-top:1rem;font-weight:600}"
            + "input[type=text],input[type=password]{display:block;width:100%;box-sizing:border-box;padding:.6rem;"
            + "margin-top:.3rem;font-size:1rem;border:1px solid #57606a;border-radius:.3rem}"
            + "fieldset{margin-top:1rem;border:1px solid #57606a;border-radius:.3rem}"
            + "fieldset label{display:inline;font-weight:400;margin:0 0 0 .4rem}"
            + ".buttons{margin-top:1.5rem;display:flex;gap:1rem}"
            + "button{font-size:1rem;padding:.6rem 1.4rem;border-radius:.3rem;border:1px solid #1f4f8f;cursor:pointer}"
            + "button.primary{background:#1f4f8f;color:#fff}button.secondary{background:#fff;color:#1f4f8f}"
            + "button:focus,input:focus{outline:3px solid #f0a500;outline-offset:2px}"
            + ".error{color:#a40e26;font-weight:600}dt{font-weight:600;margin-top:.5rem}dd{margin-left:0}";

    private Pages() {
    }

    /**
     * The login form (POST to {@code action}): hidden {@code tx} and {@code csrf_token}, {@code username},
     * {@code password}, buttons {@code action=login} and {@code action=cancel}.
     *
     * @param clientId the provider (TPP) named on the page
     * @param error    shown above the form, or null
     */
    public static String login(String bankName, String action, String clientId, String tx, String csrf, String error) {
        return login(bankName, action, clientId, tx, csrf, error, "asks for access to your accounts");
    }

    /**
     * The login form before the customer authorises a payment or its cancellation: the same form as
     * {@link #login(String, String, String, String, String, String)}, saying what the provider asks for.
     */
    public static String login(String bankName, String action, String clientId, String tx, String csrf, String error,
                               PaymentSummary payment) {
        return login(bankName, action, clientId, tx, csrf, error, payment.cancellation()
                ? "asks you to cancel a " + (payment.standingOrder() ? "standing order" : "payment")
                : "asks you to authorise a " + (payment.standingOrder() ? "standing order" : "payment"));
    }

    private static String login(String bankName, String action, String clientId, String tx, String csrf, String error,
                                String asks) {
        StringBuilder b = head(bankName, "Log in");
        b.append("<h1>Log in to ").append(esc(bankName)).append("</h1>\n");
        b.append("<p>The provider <strong>").append(esc(clientId))
                .append("</strong> ").append(esc(asks)).append(". Log in to continue.</p>\n");
        boolean hasError = error != null;
        if (hasError) {
            b.append("<p id=\"login-error\" class=\"error\" role=\"alert\">").append(esc(error)).append("</p>\n");
        }
        b.append("<form method=\"post\" action=\"").append(esc(action)).append("\">\n");
        hidden(b, tx, csrf);
        String invalid = hasError ? " aria-invalid=\"true\" aria-describedby=\"login-error\"" : "";
        b.append("<label for=\"username\">Username</label>\n")
                .append("<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" "
                        + "autocapitalize=\"none\" spellcheck=\"false\" required autofocus")
                .append(invalid).append(">\n");
        b.append("<label for=\"password\">Password</label>\n")
                .append("<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" "
                        + "required").append(invalid).append(">\n");
        b.append("<div class=\"buttons\">\n")
                .append("<button type=\"submit\" class=\"primary\" name=\"action\" value=\"login\">Log in</button>\n")
                .append("<button type=\"submit\" class=\"secondary\" name=\"action\" value=\"cancel\" formnovalidate>"
                        + "Cancel</button>\n")
                .append("</div>\n</form>\n");
        return foot(b);
    }

    /**
     * The consent form (POST to {@code action}): hidden {@code tx} and {@code csrf_token}, a checkbox {@code account}
     * per selectable account (value: its accountId), buttons {@code action=approve} and {@code action=deny}.
     */
    public static String consent(String bankName, String action, String clientId, String tx, String csrf,
                          ConsentSummary consent, List<AccountOption> accounts, String error) {
        StringBuilder b = head(bankName, "Approve access");
        b.append("<h1>Approve access to your accounts</h1>\n");
        b.append("<p>The provider <strong>").append(esc(clientId)).append("</strong> asks for:</p>\n<ul>\n");
        for (String line : consent.accessDescription()) {
            b.append("<li>").append(esc(line)).append("</li>\n");
        }
        b.append("</ul>\n<dl>\n");
        b.append("<dt>Valid until</dt><dd>").append(esc(consent.validUntil())).append("</dd>\n");
        b.append("<dt>Access without you present</dt><dd>")
                .append(consent.recurring()
                        ? "up to " + consent.frequencyPerDay() + " times a day"
                        : "once")
                .append("</dd>\n");
        b.append("<dt>Consent reference</dt><dd>").append(esc(consent.consentId())).append("</dd>\n</dl>\n");
        if (error != null) {
            b.append("<p id=\"consent-error\" class=\"error\" role=\"alert\">").append(esc(error)).append("</p>\n");
        }
        b.append("<form method=\"post\" action=\"").append(esc(action)).append("\">\n");
        hidden(b, tx, csrf);
        if (!accounts.isEmpty()) {
            b.append("<fieldset").append(error != null ? " aria-describedby=\"consent-error\"" : "").append(">\n")
                    .append("<legend>Choose the accounts to share</legend>\n");
            for (int i = 0; i < accounts.size(); i++) {
                AccountOption a = accounts.get(i);
                String id = "account-" + i;
                b.append("<div><input type=\"checkbox\" id=\"").append(id).append("\" name=\"account\" value=\"")
                        .append(esc(a.accountId())).append("\"><label for=\"").append(id).append("\">");
                if (a.name() != null && !a.name().isBlank()) {
                    b.append(esc(a.name())).append(" – ");
                }
                b.append(esc(a.iban())).append("</label></div>\n");
            }
            b.append("</fieldset>\n");
        }
        b.append("<div class=\"buttons\">\n")
                .append("<button type=\"submit\" class=\"primary\" name=\"action\" value=\"approve\">Approve</button>\n")
                .append("<button type=\"submit\" class=\"secondary\" name=\"action\" value=\"deny\">Deny</button>\n")
                .append("</div>\n</form>\n");
        return foot(b);
    }

    /**
     * The authorisation form of a payment, a standing order or the cancellation of one (POST to {@code action}):
     * what the customer authorises (payee, payee's IBAN, amount with currency, reference, the account debited, the
     * execution date or the standing order's frequency, first and last day), hidden {@code tx} and {@code csrf_token},
     * buttons {@code action=approve} and {@code action=deny}: the same form as the consent's, without accounts.
     */
    public static String payment(String bankName, String action, String clientId, String tx, String csrf,
                                 PaymentSummary payment, String error) {
        boolean standing = payment.standingOrder();
        String what = standing ? "standing order" : "payment";
        StringBuilder b = head(bankName, payment.cancellation() ? "Cancel " + what : "Approve " + what);
        if (payment.cancellation()) {
            b.append("<h1>Cancel payment to ").append(esc(payment.creditorName())).append("</h1>\n");
            b.append("<p>The provider <strong>").append(esc(clientId)).append("</strong> asks you to cancel this ")
                    .append(what).append(". No further payments are made after the cancellation.</p>\n");
        } else {
            b.append("<h1>Approve ").append(what).append(" to ").append(esc(payment.creditorName()))
                    .append("</h1>\n");
            b.append("<p>The provider <strong>").append(esc(clientId)).append("</strong> asks you to authorise this ")
                    .append(what).append(":</p>\n");
        }
        b.append("<dl>\n");
        item(b, "Payee", payment.creditorName());
        item(b, "Payee's IBAN", payment.creditorIban());
        item(b, standing ? "Amount of each payment" : "Amount", payment.amountText());
        item(b, "Reference", payment.remittance() == null || payment.remittance().isBlank() ? "none"
                : payment.remittance());
        item(b, "From your account", payment.debtorIban());
        if (standing) {
            item(b, "Frequency", payment.frequency());
            item(b, "First payment", payment.startDate());
            item(b, "Last payment", payment.endDate() == null ? "until cancelled" : payment.endDate());
        } else {
            item(b, "Execution", payment.requestedExecutionDate() == null ? "immediately"
                    : "on " + payment.requestedExecutionDate());
        }
        item(b, "Payment reference", payment.paymentId());
        b.append("</dl>\n");
        if (error != null) {
            b.append("<p id=\"payment-error\" class=\"error\" role=\"alert\">").append(esc(error)).append("</p>\n");
        }
        b.append("<form method=\"post\" action=\"").append(esc(action)).append("\">\n");
        hidden(b, tx, csrf);
        b.append("<div class=\"buttons\">\n")
                .append("<button type=\"submit\" class=\"primary\" name=\"action\" value=\"approve\">Approve</button>\n")
                .append("<button type=\"submit\" class=\"secondary\" name=\"action\" value=\"deny\">Deny</button>\n")
                .append("</div>\n</form>\n");
        return foot(b);
    }

    private static void item(StringBuilder b, String term, String value) {
        b.append("<dt>").append(esc(term)).append("</dt><dd>").append(esc(value)).append("</dd>\n");
    }

    /** An error page: a title and a message, no form. */
    public static String error(String bankName, String title, String message) {
        StringBuilder b = head(bankName, title);
        b.append("<h1>").append(esc(title)).append("</h1>\n");
        b.append("<p role=\"alert\">").append(esc(message)).append("</p>\n");
        b.append("<p>Return to the provider's application and start again.</p>\n");
        return foot(b);
    }

    private static void hidden(StringBuilder b, String tx, String csrf) {
        b.append("<input type=\"hidden\" name=\"tx\" value=\"").append(esc(tx)).append("\">\n");
        b.append("<input type=\"hidden\" name=\"csrf_token\" value=\"").append(esc(csrf)).append("\">\n");
    }

    private static StringBuilder head(String bankName, String title) {
        StringBuilder b = new StringBuilder(2048);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append(" – ").append(esc(bankName)).append("</title>\n")
                .append("<style>").append(STYLE).append("</style>\n</head>\n<body>\n<main>\n");
        return b;
    }

    private static String foot(StringBuilder b) {
        return b.append("</main>\n</body>\n</html>\n").toString();
    }

    /**
     * Writes a page with the headers every page of the bank carries: no caching, a strict Content-Security-Policy
     * (no scripts), no framing, no sniffing, no referrer.
     */
    public static void send(Response response, Callback callback, int status, String page) {
        response.setStatus(status);
        var h = response.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, "text/html;charset=utf-8");
        h.put(HttpHeader.CACHE_CONTROL, "no-store");
        h.put(HttpHeader.PRAGMA, "no-cache");
        h.put("Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
        h.put("X-Frame-Options", "DENY");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        Content.Sink.write(response, true, page, callback);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
