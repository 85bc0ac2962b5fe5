package eu.securehub.psd2.sandbox.oauth;

import java.util.List;

/** The HTML pages a person sees: login, consent and errors. No scripts; every field labelled. */
final class Pages {

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

    static String login(String bankName, String action, String clientId, String tx, String csrf, String error) {
        StringBuilder b = head(bankName, "Log in");
        b.append("<h1>Log in to ").append(esc(bankName)).append("</h1>\n");
        b.append("<p>The provider <strong>").append(esc(clientId))
                .append("</strong> asks for access to your accounts. Log in to continue.</p>\n");
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

    static String consent(String bankName, String action, String clientId, String tx, String csrf,
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

    static String error(String bankName, String title, String message) {
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
