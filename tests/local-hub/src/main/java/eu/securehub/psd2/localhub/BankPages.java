package eu.securehub.psd2.localhub;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A customer at a sandbox bank's pages, over plain HTTP, and the small HTTP helpers the local hub's test clients
 * (the smoke test, the end-to-end suites, the load run) share: log in, approve, and return the bank's redirect.
 */
public final class BankPages {
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

    private BankPages() {
    }

    /**
     * Opens the authorisation URL, logs in with the sandbox login and approves the consent; returns the bank's redirect
     * (the hub's callback URL with code, state and iss). {@code browser} must not follow redirects.
     */
    public static URI loginAndApprove(HttpClient browser, String bankBaseUrl, String authorisationUrl, String username,
            String password) throws Exception {
        HttpResponse<String> login = expect(200, browser.send(HttpRequest.newBuilder(URI.create(authorisationUrl))
                .GET().build(), HttpResponse.BodyHandlers.ofString()));
        Map<String, String> loginForm = new LinkedHashMap<>(hidden(login.body()));
        loginForm.put("username", username);
        loginForm.put("password", password);
        loginForm.put("action", "login");
        HttpResponse<String> consentPage = expect(200, form(browser, bankBaseUrl + "/oauth/authorize", loginForm));
        Map<String, String> approveForm = new LinkedHashMap<>(hidden(consentPage.body()));
        approveForm.put("action", "approve");
        HttpResponse<String> approved = expect(302, form(browser, bankBaseUrl + "/oauth/authorize", approveForm));
        return URI.create(approved.headers().firstValue("Location").orElseThrow());
    }

    /** POSTs the fields as application/x-www-form-urlencoded. */
    public static HttpResponse<String> form(HttpClient client, String url, Map<String, String> fields) throws Exception {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        return client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(sb.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The response, if it has that status; else an exception naming the request, the status and the body. */
    public static HttpResponse<String> expect(int status, HttpResponse<String> r) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request().method() + " " + r.request().uri() + ": expected " + status
                    + ", got " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    /** The hidden fields of a bank page's form (its transaction and CSRF tokens among them). */
    public static Map<String, String> hidden(String html) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher matcher = HIDDEN.matcher(html);
        while (matcher.find()) {
            m.put(matcher.group(1), matcher.group(2).replace("&amp;", "&"));
        }
        if (!m.containsKey("tx") || !m.containsKey("csrf_token")) {
            throw new IllegalStateException("no login/consent form in " + html);
        }
        return m;
    }

    /** A query string's parameters, decoded. */
    public static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The first string member of that name in a JSON body. */
    public static String jsonString(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1).replace("\\/", "/").replace("\\u0026", "&");
    }
}
