package eu.securehub.psd2.sandbox.oauth;

import com.nimbusds.jose.util.JSONObjectUtils;
import eu.securehub.psd2.testpki.Credential;
import eu.securehub.psd2.testpki.TestPki;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small HTTPS server (Jetty, wantClientAuth, trusting the test TPP root CA) that mounts the AuthorizationServer the
 * way the sandbox bank does (first in a Handler.Sequence), plus a resource endpoint {@code GET /v1/accounts} that
 * checks the access token and its certificate binding through {@link AuthorizationServer#grants()}; and clients: the
 * TPP (with the QWAC) and a browser (without client certificate).
 */
final class Harness implements AutoCloseable {

    static final TestPki PKI = TestPki.create(List.of("alpha"));
    static final String REDIRECT_URI = "https://tpp.example/callback";

    final MutableClock clock = new MutableClock(Instant.now());
    final FakeBank bank = new FakeBank();
    final AuthorizationServer as;
    final Server server;
    final URI base;
    final HttpClient tpp;
    final HttpClient browser;

    Harness() {
        this(b -> { });
    }

    Harness(Consumer<OAuthConfig.Builder> customise) {
        AtomicReference<URI> issuer = new AtomicReference<>();
        OAuthConfig.Builder builder = OAuthConfig.builder().issuer(issuer::get).clock(clock).bankName("Alpha Bank");
        customise.accept(builder);
        as = new AuthorizationServer(builder.build(), bank);
        try {
            server = new Server();
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(PKI.bankServer("alpha").pkcs12(PKI.password(), "server"));
            ssl.setKeyStorePassword(new String(PKI.password()));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("tpp-root", PKI.rootCa());
            ssl.setTrustStore(trust);
            ssl.setWantClientAuth(true);
            HttpConfiguration http = new HttpConfiguration();
            SecureRequestCustomizer src = new SecureRequestCustomizer();
            src.setSniHostCheck(false);
            http.addCustomizer(src);
            ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(http));
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            server.setHandler(new Handler.Sequence(as, new ResourceHandler(as.grants())));
            server.start();
            base = URI.create("https://127.0.0.1:" + connector.getLocalPort());
            issuer.set(base);
            tpp = client(PKI.qwac());
            browser = client(null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An HTTP client trusting bank alpha's CA, presenting {@code credential} as client certificate (or none). */
    static HttpClient client(Credential credential) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("bank", PKI.bankCa("alpha"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (credential != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(credential.pkcs12(PKI.password(), "client"), PKI.password());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the test server", e);
        }
    }

    // -------------------------------------------------------------------------------------------------- requests

    HttpResponse<String> get(HttpClient client, String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(HttpClient client, String path, Map<String, ?> form) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Form encoding; a List value repeats the parameter. */
    static String form(Map<String, ?> params) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, ?> e : params.entrySet()) {
            List<?> values = e.getValue() instanceof List<?> l ? l : List.of(e.getValue());
            for (Object v : values) {
                if (b.length() > 0) {
                    b.append('&');
                }
                b.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
            }
        }
        return b.toString();
    }

    static Map<String, Object> json(HttpResponse<String> response) throws ParseException {
        return JSONObjectUtils.parse(response.body());
    }

    // ------------------------------------------------------------------------------------------------ OAuth flow

    /** PKCE verifier, state and nonce of one authorisation. */
    record Pkce(String verifier, String challenge) {
        static Pkce create() {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            return new Pkce(verifier, AuthorizationServer.s256(verifier));
        }
    }

    Map<String, Object> parForm(String clientId, Pkce pkce, String scope) {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("client_id", clientId);
        form.put("response_type", "code");
        form.put("redirect_uri", REDIRECT_URI);
        form.put("scope", scope);
        form.put("state", "state-123");
        form.put("nonce", "nonce-456");
        form.put("code_challenge", pkce.challenge());
        form.put("code_challenge_method", "S256");
        return form;
    }

    /** PAR with the QWAC for {@link FakeBank#CONSENT}; returns the request_uri. */
    String par(Pkce pkce) throws Exception {
        return par(pkce, "openid AIS:" + FakeBank.CONSENT);
    }

    String par(Pkce pkce, String scope) throws Exception {
        HttpResponse<String> r = post(tpp, AuthorizationServer.PAR_PATH, parForm(FakeBank.TPP, pkce, scope));
        if (r.statusCode() != 201) {
            throw new AssertionError("PAR: " + r.statusCode() + " " + r.body());
        }
        return (String) json(r).get("request_uri");
    }

    HttpResponse<String> authorizeGet(String requestUri) throws Exception {
        return get(browser, AuthorizationServer.AUTHORIZE_PATH + "?client_id=" + enc(FakeBank.TPP)
                + "&request_uri=" + enc(requestUri));
    }

    HttpResponse<String> login(HttpResponse<String> loginPage, String username, String password) throws Exception {
        return post(browser, AuthorizationServer.AUTHORIZE_PATH, Map.of("tx", hidden(loginPage, "tx"),
                "csrf_token", hidden(loginPage, "csrf_token"), "username", username, "password", password,
                "action", "login"));
    }

    HttpResponse<String> decide(HttpResponse<String> consentPage, String action, List<String> accounts)
            throws Exception {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("tx", hidden(consentPage, "tx"));
        form.put("csrf_token", hidden(consentPage, "csrf_token"));
        form.put("action", action);
        if (!accounts.isEmpty()) {
            form.put("account", accounts);
        }
        return post(browser, AuthorizationServer.AUTHORIZE_PATH, form);
    }

    /** PAR, login as alice, approve: the redirect's query parameters. */
    Map<String, String> authorise(Pkce pkce) throws Exception {
        HttpResponse<String> page = authorizeGet(par(pkce));
        HttpResponse<String> consent = login(page, "alice", "alice-secret");
        HttpResponse<String> redirect = decide(consent, "approve", List.of());
        if (redirect.statusCode() != 302) {
            throw new AssertionError("approve: " + redirect.statusCode() + " " + redirect.body());
        }
        return redirectParams(redirect);
    }

    HttpResponse<String> exchange(HttpClient client, String code, Pkce pkce) throws Exception {
        return post(client, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "authorization_code",
                "client_id", FakeBank.TPP, "code", code, "redirect_uri", REDIRECT_URI,
                "code_verifier", pkce.verifier()));
    }

    HttpResponse<String> refresh(HttpClient client, String refreshToken) throws Exception {
        return post(client, AuthorizationServer.TOKEN_PATH, Map.of("grant_type", "refresh_token",
                "client_id", FakeBank.TPP, "refresh_token", refreshToken));
    }

    HttpResponse<String> accounts(HttpClient client, String accessToken) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve("/v1/accounts"))
                .header("Authorization", "Bearer " + accessToken).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> redirectParams(HttpResponse<String> redirect) {
        String location = redirect.headers().firstValue("Location").orElseThrow();
        if (!location.startsWith(REDIRECT_URI + "?")) {
            throw new AssertionError("unexpected redirect " + location);
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : URI.create(location).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    static String hidden(HttpResponse<String> page, String name) {
        Matcher m = Pattern.compile("<input type=\"hidden\" name=\"" + Pattern.quote(name) + "\" value=\"([^\"]*)\">")
                .matcher(page.body());
        if (!m.find()) {
            throw new AssertionError("no hidden field " + name + " in " + page.body());
        }
        return m.group(1);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** What a resource server of the sandbox bank does on every call: token known, not expired, bound to the cert. */
    private static final class ResourceHandler extends Handler.Abstract {
        private final Grants grants;

        ResourceHandler(Grants grants) {
            this.grants = grants;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            if (!"/v1/accounts".equals(Request.getPathInContext(request))) {
                return false;
            }
            String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            Optional<X509Certificate> cert = ClientCertificates.fromTls(request);
            Optional<Grant> grant = authorization != null && authorization.startsWith("Bearer ")
                    ? grants.accessToken(authorization.substring(7)) : Optional.empty();
            if (grant.isEmpty() || cert.isEmpty() || !grant.get().boundTo(cert.get())) {
                response.setStatus(401);
                Content.Sink.write(response, true, "{\"error\":\"invalid_token\"}", callback);
                return true;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            Content.Sink.write(response, true, JSONObjectUtils.toJSONString(Map.of(
                    "consentId", grant.get().consentId(), "customerId", grant.get().customerId())), callback);
            return true;
        }
    }
}
