package eu.securehub.psd2.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.testpki.Credential;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A TPP (or a browser, without a certificate) talking to a sandbox bank over real HTTPS. */
final class Tpp {

  static final String REDIRECT_URI = "https://tpp.securehub.test/callback";
  static final String PSU_IP = "192.0.2.10";

  final SandboxBank bank;
  final HttpClient http;
  /** Signs every request sent with {@link #send}, or null. */
  final RequestSigner signer;

  /** @param credential the TLS client certificate, or null for none */
  Tpp(SandboxBank bank, Credential credential, X509Certificate... trustedServerCas) {
    this(bank, client(credential, trustedServerCas, Duration.ofSeconds(20)), null);
  }

  private Tpp(SandboxBank bank, HttpClient http, RequestSigner signer) {
    this.bank = bank;
    this.http = http;
    this.signer = signer;
  }

  /** The same TPP (connection, certificate), signing every request with {@code signer} (null: none). */
  Tpp signingWith(RequestSigner signer) {
    return new Tpp(bank, http, signer);
  }

  static HttpClient client(Credential credential, X509Certificate[] trusted, Duration connectTimeout) {
    try {
      char[] pw = "client-pw".toCharArray();
      KeyManagerFactory kmf = null;
      if (credential != null) {
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(credential.pkcs12(pw, "client"), pw);
      }
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < trusted.length; i++) {
        trust.setCertificateEntry("ca" + i, trusted[i]);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
      return HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout).build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> send(String method, String pathAndQuery, Map<String, String> headers, String body)
      throws IOException, InterruptedException {
    return send(method, pathAndQuery, headers, body, Duration.ofSeconds(20));
  }

  HttpResponse<String> send(String method, String pathAndQuery, Map<String, String> headers, String body,
                            Duration timeout) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(bank.baseUrl() + pathAndQuery)).timeout(timeout);
    Map<String, String> sent = signer == null ? headers : signer.sign(method, pathAndQuery, headers,
        body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    sent.forEach(b::header);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Map<String, String> headers(String... nameValues) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("X-Request-ID", UUID.randomUUID().toString());
    for (int i = 0; i < nameValues.length; i += 2) {
      if (nameValues[i + 1] == null) {
        m.remove(nameValues[i]);
      } else {
        m.put(nameValues[i], nameValues[i + 1]);
      }
    }
    return m;
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return Http.JSON.readTree(r.body());
  }

  /** Asserts a Berlin Group error answer: status, one ERROR tppMessage with this code, the X-Request-ID echoed. */
  static void assertBgError(HttpResponse<String> r, int status, String code) throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode body = json(r);
    assertThat(body.path("tppMessages")).hasSize(1);
    assertThat(body.path("tppMessages").get(0).path("category").asText()).isEqualTo("ERROR");
    assertThat(body.path("tppMessages").get(0).path("code").asText()).isEqualTo(code);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(
        "application/json"));
    String sent = r.request().headers().firstValue("X-Request-ID").orElse(null);
    if (sent != null && Http.isUuid(sent)) {
      assertThat(r.headers().firstValue("X-Request-ID")).contains(sent);
    } else {
      assertThat(r.headers().firstValue("X-Request-ID")).hasValueSatisfying(v -> assertThat(Http.isUuid(v)).isTrue());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Berlin Group shortcuts

  static String consentBody(String... ibans) {
    StringBuilder list = new StringBuilder();
    for (String iban : ibans) {
      list.append(list.length() == 0 ? "" : ",").append("{\"iban\":\"").append(iban).append("\"}");
    }
    return "{\"access\":{\"accounts\":[" + list + "],\"balances\":[" + list + "],\"transactions\":[" + list
        + "]},\"recurringIndicator\":true,\"validUntil\":\"" + java.time.LocalDate.now().plusDays(90)
        + "\",\"frequencyPerDay\":4,\"combinedServiceIndicator\":false}";
  }

  /** POST /v1/consents (201 expected); returns the consentId. */
  String createConsent(String body) throws Exception {
    HttpResponse<String> r = send("POST", "/v1/consents", headers("Content-Type", "application/json",
        "PSU-IP-Address", PSU_IP, "TPP-Redirect-Preferred", "true", "TPP-Redirect-URI", REDIRECT_URI), body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r).path("consentId").asText();
  }

  /** Tokens from the OAuth flow. */
  record Tokens(String accessToken, String refreshToken, String idToken) {
  }

  /**
   * Drives the authorisation server as a person would: PAR (mTLS), the login page, the consent page (HTML form
   * posts, no certificate, like a browser), then the token endpoint with PKCE.
   *
   * @param accountIds the accounts to tick on the consent page (bank-offered consents), may be empty
   * @param approve    false: the customer denies
   */
  Tokens authorise(String consentId, String username, String password, List<String> accountIds, boolean approve)
      throws Exception {
    Code code = authoriseForCode(consentId, username, password, accountIds, approve);
    if (code == null) {
      return null;
    }
    HttpResponse<String> token = exchange(code);
    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    JsonNode t = json(token);
    return new Tokens(t.path("access_token").asText(), t.path("refresh_token").asText(null),
        t.path("id_token").asText(null));
  }

  /** An authorisation code and its PKCE verifier. */
  record Code(String code, String verifier) {
  }

  /** The code exchange at the token endpoint (signed when this TPP signs); any status. */
  HttpResponse<String> exchange(Code code) throws Exception {
    return form("/oauth/token", Map.of("grant_type", "authorization_code", "code", code.code(), "redirect_uri",
        REDIRECT_URI, "code_verifier", code.verifier(), "client_id",
        eu.securehub.psd2.testpki.TestPki.ORGANIZATION_IDENTIFIER), http);
  }

  /** A refresh_token grant at the token endpoint (signed when this TPP signs); any status. */
  HttpResponse<String> refresh(String refreshToken) throws Exception {
    return form("/oauth/token", Map.of("grant_type", "refresh_token", "refresh_token", refreshToken, "client_id",
        eu.securehub.psd2.testpki.TestPki.ORGANIZATION_IDENTIFIER), http);
  }

  /** As {@link #authorise}, up to the authorisation code (null when the customer denies). */
  Code authoriseForCode(String consentId, String username, String password, List<String> accountIds,
                        boolean approve) throws Exception {
    return authoriseScopeForCode("openid AIS:" + consentId, username, password, accountIds, approve, (l, d) -> { });
  }

  /**
   * The OAuth journey for any scope (e.g. {@code openid PIS:<paymentId>}) through to the tokens; {@code pages} gets
   * the login page's and the decision page's HTML. Null when the customer denies.
   */
  Tokens authoriseScope(String scope, String username, String password, boolean approve,
                        java.util.function.BiConsumer<String, String> pages) throws Exception {
    Code code = authoriseScopeForCode(scope, username, password, List.of(), approve, pages);
    if (code == null) {
      return null;
    }
    HttpResponse<String> token = exchange(code);
    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    JsonNode t = json(token);
    assertThat(t.path("scope").asText()).isEqualTo(scope);
    return new Tokens(t.path("access_token").asText(), t.path("refresh_token").asText(null),
        t.path("id_token").asText(null));
  }

  /** As {@link #authoriseScope}, up to the authorisation code (null when the customer denies). */
  Code authoriseScopeForCode(String scope, String username, String password, List<String> accountIds,
                             boolean approve, java.util.function.BiConsumer<String, String> pages) throws Exception {
    byte[] v = new byte[32];
    new SecureRandom().nextBytes(v);
    String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(v);
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    String state = UUID.randomUUID().toString();
    HttpResponse<String> par = form("/oauth/par", Map.of("client_id", eu.securehub.psd2.testpki.TestPki
            .ORGANIZATION_IDENTIFIER, "response_type", "code", "redirect_uri", REDIRECT_URI, "scope",
        scope, "state", state, "nonce", "n-" + state, "code_challenge", challenge,
        "code_challenge_method", "S256"), http);
    assertThat(par.statusCode()).as(par.body()).isEqualTo(201);
    String requestUri = json(par).path("request_uri").asText();

    HttpClient browser = client(null, new X509Certificate[] {bankCa()}, Duration.ofSeconds(10));
    HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(bank.baseUrl()
        + "/oauth/authorize?client_id=" + enc(eu.securehub.psd2.testpki.TestPki.ORGANIZATION_IDENTIFIER)
        + "&request_uri=" + enc(requestUri))).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    assertThat(login.body()).contains("name=\"username\"");
    Map<String, String> loginForm = new LinkedHashMap<>(hidden(login.body()));
    loginForm.put("username", username);
    loginForm.put("password", password);
    loginForm.put("action", "login");
    HttpResponse<String> consentPage = form("/oauth/authorize", loginForm, browser);
    assertThat(consentPage.statusCode()).as(consentPage.body()).isEqualTo(200);
    pages.accept(login.body(), consentPage.body());
    StringBuilder approveForm = new StringBuilder(encodeForm(hidden(consentPage.body())));
    approveForm.append("&action=").append(approve ? "approve" : "deny");
    for (String id : accountIds) {
      approveForm.append("&account=").append(enc(id));
    }
    HttpResponse<String> done = browser.send(HttpRequest.newBuilder(URI.create(bank.baseUrl() + "/oauth/authorize"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(approveForm.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(done.statusCode()).as(done.body()).isEqualTo(302);
    URI location = URI.create(done.headers().firstValue("Location").orElseThrow());
    Map<String, String> params = query(location.getRawQuery());
    assertThat(params.get("state")).isEqualTo(state);
    assertThat(params.get("iss")).isEqualTo(bank.baseUrl().toString());
    if (!approve) {
      assertThat(params.get("error")).isEqualTo("access_denied");
      return null;
    }
    return new Code(params.get("code"), verifier);
  }

  X509Certificate bankCa() {
    return TestSupport.pki().bankCa(bank.bankId());
  }

  /**
   * POSTs a form. Over this TPP's own connection ({@code client == http}) with a {@link #signer}, the request is
   * signed too (a fresh X-Request-ID, Digest over the form body), as a TPP signs its token endpoint calls.
   */
  HttpResponse<String> form(String path, Map<String, String> fields, HttpClient client) throws Exception {
    String body = encodeForm(fields);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(bank.baseUrl() + path))
        .header("Content-Type", "application/x-www-form-urlencoded");
    if (signer != null && client == http) {
      signer.sign("POST", path, headers(), body.getBytes(StandardCharsets.UTF_8)).forEach(b::header);
    }
    return client.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static final Pattern HIDDEN = Pattern.compile(
      "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

  static Map<String, String> hidden(String html) {
    Map<String, String> m = new LinkedHashMap<>();
    Matcher matcher = HIDDEN.matcher(html);
    while (matcher.find()) {
      m.put(matcher.group(1), matcher.group(2).replace("&amp;", "&"));
    }
    assertThat(m).containsKeys("tx", "csrf_token");
    return m;
  }

  static String encodeForm(Map<String, String> fields) {
    StringBuilder sb = new StringBuilder();
    fields.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    return sb.toString();
  }

  static Map<String, String> query(String raw) {
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

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The bank's SCA page (REDIRECT dialect), driven as a browser would: no certificate, form posts

  private static final Pattern FORM_ACTION = Pattern.compile("<form method=\"post\" action=\"([^\"]+)\">");

  /** A browser: no client certificate, trusts the bank's CA, follows no redirect. */
  HttpClient browser() {
    return client(null, new X509Certificate[] {bankCa()}, Duration.ofSeconds(10));
  }

  /** GET a page (absolute URL, e.g. the scaRedirect link) in the browser. */
  HttpResponse<String> open(HttpClient browser, String url) throws Exception {
    return browser.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Submits the page's form (its action, its hidden fields) in the browser with these fields added; {@code
   * accountIds} become repeated {@code account} fields.
   */
  HttpResponse<String> submit(HttpClient browser, HttpResponse<String> page, Map<String, String> fields,
                              List<String> accountIds) throws Exception {
    Matcher action = FORM_ACTION.matcher(page.body());
    assertThat(action.find()).as(page.body()).isTrue();
    Map<String, String> form = new LinkedHashMap<>(hidden(page.body()));
    form.putAll(fields);
    StringBuilder body = new StringBuilder(encodeForm(form));
    for (String id : accountIds) {
      body.append("&account=").append(enc(id));
    }
    URI target = page.uri().resolve(action.group(1).replace("&amp;", "&"));
    return browser.send(HttpRequest.newBuilder(target).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The whole SCA page journey: open the scaRedirect link, log in, then approve (ticking {@code accountIds}) or deny.
   *
   * @return the bank's last answer (a 302 to the TPP's redirect URI)
   */
  HttpResponse<String> scaRedirect(String url, String username, String password, List<String> accountIds,
                                   boolean approve) throws Exception {
    HttpClient browser = browser();
    HttpResponse<String> login = open(browser, url);
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    assertThat(login.body()).contains("name=\"username\"", "name=\"password\"");
    HttpResponse<String> consent = submit(browser, login, Map.of("username", username, "password", password,
        "action", "login"), List.of());
    assertThat(consent.statusCode()).as(consent.body()).isEqualTo(200);
    assertThat(consent.body()).contains("value=\"approve\"", "value=\"deny\"");
    HttpResponse<String> done = submit(browser, consent, Map.of("action", approve ? "approve" : "deny"), accountIds);
    assertThat(done.statusCode()).as(done.body()).isEqualTo(302);
    return done;
  }

  /** GET with the AIS headers: Consent-ID, the bearer token and (psuPresent) PSU-IP-Address. */
  HttpResponse<String> read(String pathAndQuery, String consentId, String accessToken, boolean psuPresent)
      throws Exception {
    return send("GET", pathAndQuery, headers("Consent-ID", consentId, "Authorization", "Bearer " + accessToken,
        "PSU-IP-Address", psuPresent ? PSU_IP : null), null);
  }

  /** GET with the Consent-ID alone (REDIRECT and DECOUPLED dialects) and (psuPresent) PSU-IP-Address. */
  HttpResponse<String> readWithConsentId(String pathAndQuery, String consentId, boolean psuPresent) throws Exception {
    return send("GET", pathAndQuery, headers("Consent-ID", consentId, "PSU-IP-Address", psuPresent ? PSU_IP : null),
        null);
  }
}
