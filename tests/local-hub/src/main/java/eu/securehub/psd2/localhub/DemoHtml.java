package eu.securehub.psd2.localhub;

/**
 * The demo CRM's HTML building blocks: the page frame with its CSS, escaping (every value shown goes through
 * {@link #esc}), the problem box, and form pieces. No JavaScript.
 */
final class DemoHtml {
    private static final String CSS = "body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f4f6f9}"
            + "header{background:#1f3a5f;color:#fff;padding:.7em 1.5em;display:flex;gap:1em;align-items:baseline}"
            + "header a{color:#fff}header .sub{opacity:.75;font-size:13px}main{max-width:62em;margin:1.2em auto;"
            + "padding:0 1em}section{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:.8em 1.2em;"
            + "margin:0 0 1em}h1{font-size:22px}h2{font-size:18px;margin:.3em 0}h3{font-size:15px;margin:.8em 0 .3em}"
            + "table{border-collapse:collapse;width:100%}td,th{padding:3px 8px;border-bottom:1px solid #e5e9ef;"
            + "text-align:left;vertical-align:top}th{background:#f0f3f7;font-weight:600}.num{text-align:right;"
            + "white-space:nowrap}label{display:block;font-weight:600;margin:.5em 0 .15em}input,select{font:inherit;"
            + "padding:4px 6px;min-width:18em}button{font:inherit;padding:5px 14px;margin:.6em .4em 0 0;"
            + "border-radius:4px;border:1px solid #1f3a5f;background:#1f3a5f;color:#fff;cursor:pointer}"
            + "button.secondary{background:#fff;color:#1f3a5f}.grid{display:grid;grid-template-columns:1fr 1fr;"
            + "gap:0 1.5em}.problem{border:1px solid #c0392b;background:#fdecea;border-radius:6px;padding:.6em 1em;"
            + "margin:0 0 1em}.notice{border:1px solid #2e7d4f;background:#e9f6ee;border-radius:6px;"
            + "padding:.6em 1em;margin:0 0 1em}.problem .meta,.hint,.meta{color:#5a6473;font-size:13px}"
            + ".standin{border:2px dashed #8a6d00;background:#fff8dc}.standin h2{color:#8a6d00}"
            + ".status{font-size:18px;font-weight:700}.ended{color:#a33}.ok{color:#2e7d4f}dl{display:grid;"
            + "grid-template-columns:13em 1fr;margin:.3em 0}dt{color:#5a6473}dd{margin:0 0 .2em}"
            + "code{font-size:13px;word-break:break-all}footer{max-width:62em;margin:0 auto 2em;padding:0 1em;"
            + "color:#5a6473;font-size:13px}";

    private DemoHtml() {
    }

    /** The page frame; {@code refreshSeconds} > 0 adds a meta refresh (the decoupled waiting page). */
    static String page(String title, String body, String hubBaseUrl, int refreshSeconds) {
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + (refreshSeconds > 0 ? "<meta http-equiv=\"refresh\" content=\"" + refreshSeconds + "\">" : "")
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>" + esc(title)
                + " - Demo CRM</title><style>" + CSS + "</style></head><body><header><strong><a href=\"/\">Demo CRM"
                + "</a></strong><span class=\"sub\">local demo: a CRM back end on the PSD2 hub's public API</span>"
                + "</header><main>" + body + "</main><footer>This CRM back end calls the hub at <code>"
                + esc(hubBaseUrl) + "</code> with its API key. The API key, hub tokens and payment ids stay in this"
                + " server's memory: the browser only holds a session cookie.</footer></body></html>";
    }

    /** A hub problem (or the CRM's own), readable: status, title, detail, the fields it names, codes, request id. */
    static String problem(DemoHub.Problem p) {
        StringBuilder b = new StringBuilder("<div class=\"problem\" role=\"alert\"><strong>");
        if (p.status() > 0) {
            b.append("The hub answered ").append(p.status()).append(' ');
        }
        b.append(esc(p.title())).append("</strong>");
        if (!p.detail().isEmpty()) {
            b.append("<p>").append(esc(p.detail())).append("</p>");
        }
        if (!p.invalidParams().isEmpty()) {
            b.append("<ul>");
            p.invalidParams().forEach(i -> b.append("<li>").append(esc(i)).append("</li>"));
            b.append("</ul>");
        }
        StringBuilder meta = new StringBuilder();
        meta(meta, "type", p.type());
        meta(meta, "code", p.code());
        meta(meta, "bank code", p.bankCode());
        meta(meta, "request id", p.requestId());
        if (meta.length() > 0) {
            b.append("<p class=\"meta\">").append(meta).append("</p>");
        }
        return b.append("</div>").toString();
    }

    private static void meta(StringBuilder b, String name, String value) {
        if (value != null && !value.isEmpty()) {
            b.append(b.length() == 0 ? "" : " · ").append(name).append(" <code>").append(esc(value)).append("</code>");
        }
    }

    static String notice(String text) {
        return "<div class=\"notice\" role=\"status\">" + esc(text) + "</div>";
    }

    /** A POST form's opening tag with the session's CSRF token. */
    static String postForm(String action, String csrf) {
        return "<form method=\"post\" action=\"" + esc(action) + "\"><input type=\"hidden\" name=\"csrf\" value=\""
                + esc(csrf) + "\">";
    }

    static String field(String id, String label, String value) {
        return "<label for=\"" + esc(id) + "\">" + esc(label) + "</label><input id=\"" + esc(id) + "\" name=\""
                + esc(id) + "\" value=\"" + esc(value) + "\">";
    }

    static String option(String value, String label, boolean selected) {
        return "<option value=\"" + esc(value) + "\"" + (selected ? " selected" : "") + ">" + esc(label) + "</option>";
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
