package eu.securehub.psd2.sandbox.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * The sandbox bank's OAuth 2.0 / OpenID Connect authorisation server for FAPI 2.0 clients, as a Jetty 12 core
 * {@link Handler}. It answers {@link #PATHS} (relative to its context) and returns {@code false} for every other
 * path, so it can sit first in a {@code Handler.Sequence} or be called by the bank's own handler.
 *
 * <ul>
 *   <li>{@code GET /.well-known/openid-configuration} – discovery metadata (OpenID Connect Discovery, RFC 8414)</li>
 *   <li>{@code GET /jwks} – the id_token signing keys (with a retired key during its grace period)</li>
 *   <li>{@code POST /oauth/par} – pushed authorisation requests (RFC 9126); PKCE S256 required</li>
 *   <li>{@code GET /oauth/authorize?client_id&request_uri} – the login page; {@code POST /oauth/authorize} – login,
 *       then the consent page (scope {@code AIS:<consentId>}) or the payment page (scope {@code PIS:<paymentId>}:
 *       the payment, or the cancellation of a standing order, {@link BankDirectory#payment}), then approve / deny:
 *       302 to the redirect_uri with code (or error), state and iss</li>
 *   <li>{@code POST /oauth/token} – authorization_code (PKCE) and refresh_token (rotation)</li>
 * </ul>
 * Client authentication: tls_client_auth (the certificate's organizationIdentifier must be
 * {@link BankDirectory#clientOrganisation}) or private_key_jwt (keys from {@link OAuthConfig#clientJwks()}); a TLS
 * client certificate is required at PAR and at the token endpoint in both cases, since access tokens are bound to it
 * (RFC 8705).
 */
public final class AuthorizationServer extends Handler.Abstract {

    public static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
    public static final String JWKS_PATH = "/jwks";
    public static final String PAR_PATH = "/oauth/par";
    public static final String AUTHORIZE_PATH = "/oauth/authorize";
    public static final String TOKEN_PATH = "/oauth/token";
    /** Every path this handler answers (relative to its context). */
    public static final Set<String> PATHS = Set.of(DISCOVERY_PATH, JWKS_PATH, PAR_PATH, AUTHORIZE_PATH, TOKEN_PATH);

    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    static final String REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:";
    static final int MAX_LOGIN_ATTEMPTS = 5;
    private static final long MAX_ASSERTION_LIFETIME_SECONDS = 600;
    private static final Set<String> TERMINAL_CONSENT_STATES =
            Set.of("rejected", "revokedbypsu", "expired", "terminatedbytpp");
    private static final Pattern PKCE_CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Pattern PKCE_VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
    private static final Pattern RESOURCE_SCOPE = Pattern.compile("(AIS|PIS):([A-Za-z0-9._~-]{1,128})");
    private static final System.Logger LOG = System.getLogger(AuthorizationServer.class.getName());

    private final OAuthConfig config;
    private final BankDirectory bank;
    private final SigningKeys keys;
    private final SecureRandom random = new SecureRandom();

    private final Map<String, ParRequest> parRequests = new ConcurrentHashMap<>();
    private final Map<String, Transaction> transactions = new ConcurrentHashMap<>();
    private final Map<String, AuthCode> codes = new ConcurrentHashMap<>();
    private final Map<String, AccessToken> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, RefreshToken> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, Instant> usedAssertions = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger jwksRequests = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger refreshTokenReuses = new java.util.concurrent.atomic.AtomicInteger();
    private final Grants grants = this::findAccessToken;
    private volatile IdTokenMutator idTokenMutator;

    public AuthorizationServer(OAuthConfig config, BankDirectory bank) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.bank = java.util.Objects.requireNonNull(bank, "bank");
        this.keys = new SigningKeys(config.signingKeySize(), config.signingKeyGracePeriod(), config.clock());
    }

    /** The access tokens issued, for the resource server to check every call. */
    public Grants grants() {
        return grants;
    }

    /**
     * A new PS256 key signs id tokens from now on; the previous key stays in the JWKS for the configured grace period.
     *
     * @return the new key's kid
     */
    public String rotateSigningKey() {
        return keys.rotate();
    }

    /**
     * Test hook: every id_token issued from now on passes through {@code mutator} ({@code null}: none, the default).
     * For relying-party negative tests only; see {@link IdTokenMutator}.
     */
    public void idTokenMutator(IdTokenMutator mutator) {
        this.idTokenMutator = mutator;
    }

    /** The public keys the JWKS endpoint publishes now. */
    public JWKSet jwks() {
        return keys.publicJwks();
    }

    /** How many times the JWKS endpoint was asked for the keys (a client that caches them asks once per rotation). */
    /** How many times a used (rotated) refresh token was presented again, each revoking its whole grant. */
    public int refreshTokenReuses() {
        return refreshTokenReuses.get();
    }

    public int jwksRequests() {
        return jwksRequests.get();
    }

    /** The issuer identifier (the bank's base URL). */
    public String issuer() {
        return config.issuer();
    }

    /** True for the paths this handler answers. */
    public static boolean handles(String pathInContext) {
        return PATHS.contains(pathInContext);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        switch (path) {
            case DISCOVERY_PATH -> jsonEndpoint(request, response, callback, HttpMethod.GET, this::discovery);
            case JWKS_PATH -> jsonEndpoint(request, response, callback, HttpMethod.GET, r -> {
                jwksRequests.incrementAndGet();
                return jwksBody();
            });
            case PAR_PATH -> jsonEndpoint(request, response, callback, HttpMethod.POST, this::par);
            case TOKEN_PATH -> jsonEndpoint(request, response, callback, HttpMethod.POST, this::token);
            case AUTHORIZE_PATH -> authorize(request, response, callback);
            default -> {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ JSON endpoints

    private interface JsonBody {
        Reply apply(Request request) throws OAuthError;
    }

    private record Reply(int status, Map<String, Object> body, boolean cacheable) {
        static Reply ok(Map<String, Object> body) {
            return new Reply(200, body, false);
        }
    }

    private void jsonEndpoint(Request request, Response response, Callback callback, HttpMethod method,
                              JsonBody body) {
        Reply reply;
        try {
            if (!method.is(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, method.asString());
                reply = error(new OAuthError(405, "invalid_request", "method not allowed; use " + method.asString()));
            } else {
                reply = body.apply(request);
            }
        } catch (OAuthError e) {
            reply = error(e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "OAuth endpoint " + Request.getPathInContext(request) + " failed", e);
            reply = error(new OAuthError(500, "server_error", "internal error"));
        }
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (reply.cacheable()) {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        } else {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put(HttpHeader.PRAGMA, "no-cache");
        }
        if (reply.status() == 401) {
            // RFC 6749 §5.2 allows 401 for invalid_client; RFC 9110 wants a challenge with a 401.
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"" + config.issuer() + "\"");
        }
        Content.Sink.write(response, true, JSONObjectUtils.toJSONString(reply.body()), callback);
    }

    private static Reply error(OAuthError e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.error);
        if (e.getMessage() != null) {
            body.put("error_description", e.getMessage());
        }
        return new Reply(e.status, body, false);
    }

    private Reply discovery(Request request) {
        String iss = config.issuer();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", iss);
        m.put("authorization_endpoint", iss + AUTHORIZE_PATH);
        m.put("token_endpoint", iss + TOKEN_PATH);
        m.put("jwks_uri", iss + JWKS_PATH);
        m.put("pushed_authorization_request_endpoint", iss + PAR_PATH);
        m.put("require_pushed_authorization_requests", true);
        m.put("response_types_supported", List.of("code"));
        m.put("response_modes_supported", List.of("query"));
        m.put("grant_types_supported", List.of("authorization_code", "refresh_token"));
        m.put("code_challenge_methods_supported", List.of("S256"));
        m.put("token_endpoint_auth_methods_supported", List.of("tls_client_auth", "private_key_jwt"));
        m.put("token_endpoint_auth_signing_alg_values_supported", List.of("PS256", "ES256"));
        m.put("tls_client_certificate_bound_access_tokens", true);
        m.put("authorization_response_iss_parameter_supported", true);
        m.put("id_token_signing_alg_values_supported", List.of("PS256"));
        m.put("subject_types_supported", List.of("public"));
        m.put("scopes_supported", List.of("openid", "AIS", "PIS"));
        m.put("claims_supported", List.of("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce"));
        m.put("request_parameter_supported", false);
        return new Reply(200, m, true);
    }

    private Reply jwksBody() {
        return new Reply(200, keys.publicJwks().toJSONObject(true), true);
    }

    // ------------------------------------------------------------------------------------------------------- PAR

    /**
     * What an authorisation is for: the AIS consent of the scope {@code AIS:<consentId>}, or the payment (or the
     * cancellation of the standing order) of the scope {@code PIS:<paymentId>}.
     */
    private record Resource(boolean payment, String id) {
        String consentId() {
            return payment ? null : id;
        }

        String scope() {
            return (payment ? "PIS:" : "AIS:") + id;
        }

        @Override
        public String toString() {
            return (payment ? "payment " : "consent ") + id;
        }
    }

    private record ParRequest(String clientId, String redirectUri, String scope, Resource resource, String state,
                              String nonce, String codeChallenge, String certThumbprint, Instant expiresAt) {
        String consentId() {
            return resource.consentId();
        }
    }

    private record ClientAuth(String clientId, String method, X509Certificate certificate) {
    }

    private Reply par(Request request) throws OAuthError {
        Instant now = now();
        purge(now);
        Fields form = form(request);
        ClientAuth client = authenticateClient(request, form, now);
        if (param(form, "request_uri") != null) {
            throw OAuthError.invalidRequest("request_uri is not allowed in a pushed authorisation request");
        }
        if (param(form, "request") != null) {
            throw new OAuthError(400, "request_not_supported", "request objects are not supported");
        }
        String responseType = param(form, "response_type");
        if (responseType == null) {
            throw OAuthError.invalidRequest("response_type is required");
        }
        if (!"code".equals(responseType)) {
            throw new OAuthError(400, "unsupported_response_type", "only response_type=code is supported");
        }
        String responseMode = param(form, "response_mode");
        if (responseMode != null && !"query".equals(responseMode)) {
            throw OAuthError.invalidRequest("only response_mode=query is supported");
        }
        String redirectUri = param(form, "redirect_uri");
        if (redirectUri == null) {
            throw OAuthError.invalidRequest("redirect_uri is required");
        }
        if (!acceptableRedirectUri(redirectUri)) {
            throw OAuthError.invalidRequest(
                    "redirect_uri must be an absolute https URI (http only for loopback) without fragment");
        }
        String challenge = param(form, "code_challenge");
        String challengeMethod = param(form, "code_challenge_method");
        if (challenge == null) {
            throw OAuthError.invalidRequest("code_challenge is required (PKCE)");
        }
        if (!"S256".equals(challengeMethod)) {
            throw OAuthError.invalidRequest("code_challenge_method must be S256");
        }
        if (!PKCE_CHALLENGE.matcher(challenge).matches()) {
            throw OAuthError.invalidRequest("code_challenge must be the base64url SHA-256 of the code_verifier");
        }
        String scope = param(form, "scope");
        Resource resource = resourceOf(scope);
        if (resource.payment()) {
            PaymentSummary payment = bank.payment(resource.id())
                    .orElseThrow(() -> OAuthError.invalidScope("unknown payment " + resource.id()));
            if (!payment.authorisable()) {
                throw OAuthError.invalidScope("payment " + resource.id() + " is " + payment.transactionStatus()
                        + " and awaits no authorisation");
            }
        } else {
            String consentId = resource.id();
            ConsentSummary consent = bank.consent(consentId)
                    .orElseThrow(() -> OAuthError.invalidScope("unknown consent " + consentId));
            if (consent.status() != null
                    && TERMINAL_CONSENT_STATES.contains(consent.status().toLowerCase(Locale.ROOT))) {
                throw OAuthError.invalidScope("consent " + consentId + " is " + consent.status());
            }
        }
        String state = param(form, "state");
        String nonce = param(form, "nonce");
        if ((state != null && state.length() > 1024) || (nonce != null && nonce.length() > 1024)) {
            throw OAuthError.invalidRequest("state and nonce are limited to 1024 characters");
        }
        String requestUri = REQUEST_URI_PREFIX + newToken();
        Instant expiresAt = now.plus(config.requestUriLifetime());
        parRequests.put(requestUri, new ParRequest(client.clientId(), redirectUri, normaliseScope(scope), resource,
                state, nonce, challenge, Grant.thumbprintS256(client.certificate()), expiresAt));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_uri", requestUri);
        body.put("expires_in", config.requestUriLifetime().toSeconds());
        return new Reply(201, body, false);
    }

    /**
     * The resource of a scope made of exactly one {@code AIS:<consentId>} or {@code PIS:<paymentId>}, and optionally
     * {@code openid}.
     */
    private static Resource resourceOf(String scope) throws OAuthError {
        if (scope == null) {
            throw OAuthError.invalidScope("scope is required: AIS:<consentId> or PIS:<paymentId> (and openid)");
        }
        Resource resource = null;
        for (String s : scope.split(" ")) {
            if (s.isEmpty() || "openid".equals(s)) {
                continue;
            }
            var m = RESOURCE_SCOPE.matcher(s);
            if (!m.matches()) {
                throw OAuthError.invalidScope("unsupported scope " + s
                        + "; use AIS:<consentId> or PIS:<paymentId> and openid");
            }
            Resource r = new Resource(m.group(1).equals("PIS"), m.group(2));
            if (resource != null && !resource.equals(r)) {
                throw OAuthError.invalidScope(resource.payment() == r.payment()
                        ? "only one " + (r.payment() ? "payment" : "consent") + " per authorisation"
                        : "a consent and a payment cannot be authorised together");
            }
            resource = r;
        }
        if (resource == null) {
            throw OAuthError.invalidScope("scope must name the consent or the payment: AIS:<consentId> or "
                    + "PIS:<paymentId>");
        }
        return resource;
    }

    private static String normaliseScope(String scope) {
        return String.join(" ", new LinkedHashSet<>(List.of(scope.trim().split(" +"))));
    }

    private static Set<String> scopeSet(String scope) {
        return new LinkedHashSet<>(List.of(scope.trim().split(" +")));
    }

    private static boolean acceptableRedirectUri(String value) {
        try {
            URI uri = new URI(value);
            if (!uri.isAbsolute() || uri.getRawFragment() != null || uri.getHost() == null) {
                return false;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if ("https".equals(scheme)) {
                return true;
            }
            String host = uri.getHost();
            return "http".equals(scheme)
                    && ("127.0.0.1".equals(host) || "localhost".equalsIgnoreCase(host) || "[::1]".equals(host));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    // -------------------------------------------------------------------------------------- client authentication

    private ClientAuth authenticateClient(Request request, Fields form, Instant now) throws OAuthError {
        if (request.getHeaders().get(HttpHeader.AUTHORIZATION) != null) {
            throw OAuthError.invalidClient("HTTP authentication is not supported; use tls_client_auth or "
                    + "private_key_jwt");
        }
        if (param(form, "client_secret") != null) {
            throw OAuthError.invalidClient("client secrets are not supported; use tls_client_auth or private_key_jwt");
        }
        X509Certificate certificate = config.clientCertificate().apply(request)
                .orElseThrow(() -> OAuthError.invalidClient("a TLS client certificate (QWAC) is required"));
        String clientId = param(form, "client_id");
        String assertion = param(form, "client_assertion");
        String assertionType = param(form, "client_assertion_type");
        if (assertion != null || assertionType != null) {
            if (!JWT_BEARER.equals(assertionType) || assertion == null) {
                throw OAuthError.invalidClient("client_assertion_type must be " + JWT_BEARER
                        + " with a client_assertion");
            }
            String assertedClient = verifyClientAssertion(assertion, clientId, now);
            return new ClientAuth(assertedClient, "private_key_jwt", certificate);
        }
        if (clientId == null) {
            throw OAuthError.invalidClient("client_id is required");
        }
        String expected = bank.clientOrganisation(clientId)
                .orElseThrow(() -> OAuthError.invalidClient("unknown client " + clientId));
        String presented = ClientCertificates.organizationIdentifier(certificate).orElse(null);
        if (!expected.equals(presented)) {
            throw OAuthError.invalidClient("the client certificate does not belong to client " + clientId);
        }
        return new ClientAuth(clientId, "tls_client_auth", certificate);
    }

    private String verifyClientAssertion(String assertion, String clientIdParam, Instant now) throws OAuthError {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(assertion);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw OAuthError.invalidClient("client_assertion is not a signed JWT");
        }
        String iss = claims.getIssuer();
        if (iss == null || !iss.equals(claims.getSubject())) {
            throw OAuthError.invalidClient("client_assertion iss and sub must both be the client_id");
        }
        if (clientIdParam != null && !clientIdParam.equals(iss)) {
            throw OAuthError.invalidClient("client_id does not match the client_assertion");
        }
        if (bank.clientOrganisation(iss).isEmpty()) {
            throw OAuthError.invalidClient("unknown client " + iss);
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!JWSAlgorithm.PS256.equals(alg) && !JWSAlgorithm.ES256.equals(alg)) {
            throw OAuthError.invalidClient("client_assertion must be signed with PS256 or ES256");
        }
        Object aud = claims.getClaim("aud");
        if (!config.issuer().equals(aud)
                && !(aud instanceof List<?> l && l.size() == 1 && config.issuer().equals(l.get(0)))) {
            throw OAuthError.invalidClient("client_assertion aud must be the issuer " + config.issuer());
        }
        Date exp = claims.getExpirationTime();
        if (exp == null || !now.isBefore(exp.toInstant())) {
            throw OAuthError.invalidClient("client_assertion has expired or has no exp");
        }
        if (exp.toInstant().isAfter(now.plusSeconds(MAX_ASSERTION_LIFETIME_SECONDS))) {
            throw OAuthError.invalidClient("client_assertion exp is too far in the future");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.isBefore(nbf.toInstant())) {
            throw OAuthError.invalidClient("client_assertion is not valid yet");
        }
        String jti = claims.getJWTID();
        if (jti == null || jti.isEmpty()) {
            throw OAuthError.invalidClient("client_assertion needs a jti");
        }
        JWKSet jwks = config.clientJwks().apply(iss)
                .orElseThrow(() -> OAuthError.invalidClient("client " + iss + " has no keys for private_key_jwt"));
        if (!verifies(jwt, jwks)) {
            throw OAuthError.invalidClient("client_assertion signature is not valid");
        }
        if (usedAssertions.putIfAbsent(iss + " " + jti, exp.toInstant()) != null) {
            throw OAuthError.invalidClient("client_assertion was already used (jti)");
        }
        return iss;
    }

    private static boolean verifies(SignedJWT jwt, JWKSet jwks) {
        String kid = jwt.getHeader().getKeyID();
        for (JWK key : jwks.getKeys()) {
            if (kid != null && key.getKeyID() != null && !kid.equals(key.getKeyID())) {
                continue;
            }
            try {
                JWSVerifier verifier;
                if (key instanceof RSAKey rsa && JWSAlgorithm.PS256.equals(jwt.getHeader().getAlgorithm())) {
                    verifier = new RSASSAVerifier(rsa);
                } else if (key instanceof ECKey ec && JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
                    verifier = new ECDSAVerifier(ec);
                } else {
                    continue;
                }
                if (jwt.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException e) {
                // try the next key
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------- authorize

    private enum Stage { LOGIN, CONSENT }

    private static final class Transaction {
        final ParRequest par;
        final Instant expiresAt;
        Stage stage = Stage.LOGIN;
        String csrf;
        String customerId;
        Instant authTime;
        int failures;
        boolean done;

        Transaction(ParRequest par, Instant expiresAt, String csrf) {
            this.par = par;
            this.expiresAt = expiresAt;
            this.csrf = csrf;
        }
    }

    private void authorize(Request request, Response response, Callback callback) {
        try {
            if (HttpMethod.GET.is(request.getMethod())) {
                authorizeGet(request, response, callback);
            } else if (HttpMethod.POST.is(request.getMethod())) {
                authorizePost(request, response, callback);
            } else {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
                errorPage(response, callback, 405, "Not allowed", "This page accepts only GET and POST.");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "authorisation endpoint failed", e);
            errorPage(response, callback, 500, "Something went wrong",
                    "The bank could not process this step.");
        }
    }

    private void authorizeGet(Request request, Response response, Callback callback) {
        Instant now = now();
        purge(now);
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        if (hasDuplicates(query)) {
            errorPage(response, callback, 400, "Invalid request", "A parameter was sent more than once.");
            return;
        }
        String clientId = value(query, "client_id");
        String requestUri = value(query, "request_uri");
        if (clientId == null || requestUri == null) {
            errorPage(response, callback, 400, "Invalid request",
                    "The authorisation request is incomplete: client_id and request_uri (from a pushed "
                            + "authorisation request) are required.");
            return;
        }
        ParRequest par = parRequests.remove(requestUri);
        if (par == null) {
            errorPage(response, callback, 400, "Unknown authorisation request",
                    "This authorisation request is unknown or was already used.");
            return;
        }
        if (!now.isBefore(par.expiresAt())) {
            errorPage(response, callback, 400, "Authorisation request expired", "This authorisation request has expired.");
            return;
        }
        if (!par.clientId().equals(clientId)) {
            errorPage(response, callback, 400, "Invalid request",
                    "This authorisation request does not belong to the client that sent it.");
            return;
        }
        String txId = newToken();
        Transaction tx = new Transaction(par, now.plus(config.loginLifetime()), newToken());
        transactions.put(txId, tx);
        html(response, callback, 200, loginPage(request, par, txId, tx.csrf, null));
    }

    /** The login page: for a payment, saying whether the payment or its cancellation is to be authorised. */
    private String loginPage(Request request, ParRequest par, String txId, String csrf, String error) {
        Optional<PaymentSummary> payment = par.resource().payment() ? bank.payment(par.resource().id())
                : Optional.empty();
        return payment.isPresent()
                ? Pages.login(config.bankName(), formAction(request), par.clientId(), txId, csrf, error, payment.get())
                : Pages.login(config.bankName(), formAction(request), par.clientId(), txId, csrf, error);
    }

    private void authorizePost(Request request, Response response, Callback callback) {
        Instant now = now();
        Fields form;
        try {
            form = form(request);
        } catch (OAuthError e) {
            errorPage(response, callback, 400, "Invalid request", e.getMessage());
            return;
        }
        String txId = value(form, "tx");
        Transaction tx = txId == null ? null : transactions.get(txId);
        if (tx == null) {
            errorPage(response, callback, 400, "Unknown authorisation",
                    "This authorisation is unknown or already finished.");
            return;
        }
        synchronized (tx) {
            if (tx.done) {
                errorPage(response, callback, 400, "Unknown authorisation", "This authorisation is already finished.");
                return;
            }
            if (!now.isBefore(tx.expiresAt)) {
                finish(txId, tx);
                errorPage(response, callback, 400, "Authorisation expired",
                        "This authorisation took too long and has expired.");
                return;
            }
            String csrf = value(form, "csrf_token");
            if (csrf == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.US_ASCII),
                    tx.csrf.getBytes(StandardCharsets.US_ASCII))) {
                errorPage(response, callback, 403, "Form not accepted",
                        "This form is no longer valid. Go back and submit the latest page again.");
                return;
            }
            String action = value(form, "action");
            ParRequest par = tx.par;
            if (tx.stage == Stage.LOGIN && "login".equals(action)) {
                login(request, response, callback, form, txId, tx, now);
            } else if ((tx.stage == Stage.LOGIN && "cancel".equals(action))
                    || (tx.stage == Stage.CONSENT && "deny".equals(action))) {
                finish(txId, tx);
                if (par.resource().payment()) {
                    bank.rejectPayment(par.resource().id());
                } else {
                    bank.reject(par.resource().id());
                }
                redirect(response, callback, par, errorParams("access_denied",
                        tx.stage == Stage.LOGIN ? "the customer cancelled the login"
                                : par.resource().payment() ? "the customer denied the payment"
                                : "the customer denied the consent", par));
            } else if (tx.stage == Stage.CONSENT && "approve".equals(action)) {
                approve(request, response, callback, form, txId, tx, now);
            } else {
                errorPage(response, callback, 400, "Invalid request", "This step is not expected now.");
            }
        }
    }

    private void login(Request request, Response response, Callback callback, Fields form, String txId,
                       Transaction tx, Instant now) {
        ParRequest par = tx.par;
        String username = value(form, "username");
        String password = value(form, "password");
        Optional<String> customer = Optional.empty();
        if (username != null && password != null) {
            char[] secret = password.toCharArray();
            try {
                customer = bank.authenticate(username, secret);
            } finally {
                java.util.Arrays.fill(secret, '\0');
            }
        }
        if (customer.isEmpty()) {
            tx.failures++;
            if (tx.failures >= MAX_LOGIN_ATTEMPTS) {
                finish(txId, tx);
                redirect(response, callback, par,
                        errorParams("access_denied", "too many failed login attempts", par));
                return;
            }
            tx.csrf = newToken();
            html(response, callback, 200, loginPage(request, par, txId, tx.csrf, username == null || password == null
                    ? "Enter your username and password."
                    : "The username or password is not correct."));
            return;
        }
        if (par.resource().payment()) {
            Optional<PaymentSummary> payment = bank.payment(par.resource().id());
            if (payment.isEmpty() || !payment.get().authorisable()) {
                finish(txId, tx);
                redirect(response, callback, par, errorParams("invalid_request",
                        "the payment no longer awaits authorisation", par));
                return;
            }
            tx.customerId = customer.get();
            tx.authTime = now;
            tx.stage = Stage.CONSENT;
            tx.csrf = newToken();
            html(response, callback, 200, Pages.payment(config.bankName(), formAction(request), par.clientId(), txId,
                    tx.csrf, payment.get(), null));
            return;
        }
        Optional<ConsentSummary> consent = bank.consent(par.consentId());
        if (consent.isEmpty()) {
            finish(txId, tx);
            redirect(response, callback, par, errorParams("invalid_request", "the consent no longer exists", par));
            return;
        }
        tx.customerId = customer.get();
        tx.authTime = now;
        tx.stage = Stage.CONSENT;
        tx.csrf = newToken();
        html(response, callback, 200, Pages.consent(config.bankName(), formAction(request), par.clientId(), txId,
                tx.csrf, consent.get(), bank.selectableAccounts(par.consentId(), tx.customerId), null));
    }

    private void approve(Request request, Response response, Callback callback, Fields form, String txId,
                         Transaction tx, Instant now) {
        ParRequest par = tx.par;
        if (par.resource().payment()) {
            finish(txId, tx);
            try {
                bank.approvePayment(par.resource().id(), tx.customerId);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.INFO, "the bank refused to approve payment " + par.resource().id(), e);
                redirect(response, callback, par, errorParams("server_error", "the payment could not be approved",
                        par));
                return;
            }
            issueCode(response, callback, par, tx, now);
            return;
        }
        List<AccountOption> options = bank.selectableAccounts(par.consentId(), tx.customerId);
        List<String> chosen = new ArrayList<>();
        if (!options.isEmpty()) {
            Set<String> offered = new LinkedHashSet<>();
            options.forEach(o -> offered.add(o.accountId()));
            for (String id : form.getValuesOrEmpty("account")) {
                if (offered.contains(id) && !chosen.contains(id)) {
                    chosen.add(id);
                } else if (!offered.contains(id)) {
                    chosen.clear();
                    break;
                }
            }
            if (chosen.isEmpty()) {
                Optional<ConsentSummary> consent = bank.consent(par.consentId());
                if (consent.isPresent()) {
                    tx.csrf = newToken();
                    html(response, callback, 200, Pages.consent(config.bankName(), formAction(request),
                            par.clientId(), txId, tx.csrf, consent.get(), options,
                            "Choose at least one of the accounts listed."));
                    return;
                }
            }
        }
        finish(txId, tx);
        try {
            bank.approve(par.consentId(), tx.customerId, List.copyOf(chosen));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.INFO, "the bank refused to approve consent " + par.consentId(), e);
            redirect(response, callback, par, errorParams("server_error", "the consent could not be approved", par));
            return;
        }
        issueCode(response, callback, par, tx, now);
    }

    private void issueCode(Response response, Callback callback, ParRequest par, Transaction tx, Instant now) {
        String code = newToken();
        codes.put(code, new AuthCode(par, tx.customerId, tx.authTime, now.plus(config.codeLifetime()),
                newToken(), new AtomicBoolean()));
        Map<String, String> params = new LinkedHashMap<>();
        params.put("code", code);
        params.put("state", par.state());
        params.put("iss", config.issuer());
        redirect(response, callback, par, params);
    }

    private void finish(String txId, Transaction tx) {
        tx.done = true;
        transactions.remove(txId, tx);
    }

    private Map<String, String> errorParams(String error, String description, ParRequest par) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("error", error);
        params.put("error_description", description);
        params.put("state", par.state());
        params.put("iss", config.issuer());
        return params;
    }

    private static void redirect(Response response, Callback callback, ParRequest par, Map<String, String> params) {
        StringBuilder location = new StringBuilder(par.redirectUri());
        char separator = par.redirectUri().indexOf('?') >= 0 ? '&' : '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            location.append(separator).append(urlEncode(e.getKey())).append('=').append(urlEncode(e.getValue()));
            separator = '&';
        }
        response.setStatus(302);
        response.getHeaders().put(HttpHeader.LOCATION, location.toString());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        response.write(true, null, callback);
    }

    private static String formAction(Request request) {
        String contextPath = Request.getContextPath(request);
        if (contextPath == null || "/".equals(contextPath)) {
            contextPath = "";
        }
        return contextPath + AUTHORIZE_PATH;
    }

    private void errorPage(Response response, Callback callback, int status, String title, String message) {
        html(response, callback, status, Pages.error(config.bankName(), title, message));
    }

    private static void html(Response response, Callback callback, int status, String page) {
        Pages.send(response, callback, status, page);
    }

    // ------------------------------------------------------------------------------------------------------ token

    private record AuthCode(ParRequest par, String customerId, Instant authTime, Instant expiresAt, String family,
                            AtomicBoolean used) {
    }

    private record AccessToken(Grant grant, String family) {
    }

    private record RefreshToken(String clientId, Resource resource, String customerId, String scope, Instant authTime,
                                Instant expiresAt, String family, AtomicBoolean used) {
    }

    private Reply token(Request request) throws OAuthError {
        Instant now = now();
        purge(now);
        Fields form = form(request);
        String grantType = param(form, "grant_type");
        if (grantType == null) {
            throw OAuthError.invalidRequest("grant_type is required");
        }
        ClientAuth client = authenticateClient(request, form, now);
        return switch (grantType) {
            case "authorization_code" -> authorizationCode(form, client, now);
            case "refresh_token" -> refresh(form, client, now);
            default -> throw new OAuthError(400, "unsupported_grant_type",
                    "grant_type must be authorization_code or refresh_token");
        };
    }

    private Reply authorizationCode(Fields form, ClientAuth client, Instant now) throws OAuthError {
        String code = param(form, "code");
        String redirectUri = param(form, "redirect_uri");
        String verifier = param(form, "code_verifier");
        if (code == null) {
            throw OAuthError.invalidRequest("code is required");
        }
        AuthCode ac = codes.get(code);
        if (ac == null) {
            throw OAuthError.invalidGrant("unknown authorisation code");
        }
        if (!ac.used().compareAndSet(false, true)) {
            revokeFamily(ac.family());
            throw OAuthError.invalidGrant("the authorisation code was already used; its tokens are revoked");
        }
        if (!now.isBefore(ac.expiresAt())) {
            throw OAuthError.invalidGrant("the authorisation code has expired");
        }
        ParRequest par = ac.par();
        if (!par.clientId().equals(client.clientId())) {
            throw OAuthError.invalidGrant("the authorisation code was issued to another client");
        }
        if (redirectUri == null || !redirectUri.equals(par.redirectUri())) {
            throw OAuthError.invalidGrant("redirect_uri does not match the authorisation request");
        }
        if (verifier == null) {
            throw OAuthError.invalidGrant("code_verifier is required (PKCE)");
        }
        if (!PKCE_VERIFIER.matcher(verifier).matches() || !MessageDigest.isEqual(
                s256(verifier).getBytes(StandardCharsets.US_ASCII),
                par.codeChallenge().getBytes(StandardCharsets.US_ASCII))) {
            throw OAuthError.invalidGrant("code_verifier does not match the code_challenge");
        }
        if (!Grant.thumbprintS256(client.certificate()).equals(par.certThumbprint())) {
            throw OAuthError.invalidGrant("the client certificate differs from the one of the authorisation request");
        }
        return Reply.ok(issueTokens(client, par.resource(), ac.customerId(), par.scope(), par.nonce(), ac.authTime(),
                ac.family(), now));
    }

    private Reply refresh(Fields form, ClientAuth client, Instant now) throws OAuthError {
        String token = param(form, "refresh_token");
        if (token == null) {
            throw OAuthError.invalidRequest("refresh_token is required");
        }
        RefreshToken rt = refreshTokens.get(token);
        if (rt == null) {
            throw OAuthError.invalidGrant("unknown or revoked refresh token");
        }
        if (!rt.clientId().equals(client.clientId())) {
            throw OAuthError.invalidGrant("the refresh token was issued to another client");
        }
        if (!rt.used().compareAndSet(false, true)) {
            // RFC 9700 (OAuth 2.0 Security BCP) §4.14, refresh token rotation: a rotated refresh token presented again revokes the grant.
            refreshTokenReuses.incrementAndGet();
            revokeFamily(rt.family());
            throw OAuthError.invalidGrant("the refresh token was already used (rotated); its tokens are revoked");
        }
        if (!now.isBefore(rt.expiresAt())) {
            refreshTokens.remove(token);
            throw OAuthError.invalidGrant("the refresh token has expired");
        }
        if (rt.resource().payment()) {
            // A payment's token stays refreshable while the bank knows the payment (its status can still be read).
            if (bank.payment(rt.resource().id()).isEmpty()) {
                refreshTokens.remove(token);
                throw OAuthError.invalidGrant("the payment is unknown");
            }
        } else {
            Optional<ConsentSummary> consent = bank.consent(rt.resource().id());
            if (consent.isEmpty() || (consent.get().status() != null
                    && TERMINAL_CONSENT_STATES.contains(consent.get().status().toLowerCase(Locale.ROOT)))) {
                refreshTokens.remove(token);
                throw OAuthError.invalidGrant("the consent is no longer valid");
            }
        }
        String scope = rt.scope();
        String requested = param(form, "scope");
        if (requested != null) {
            Set<String> granted = scopeSet(rt.scope());
            Set<String> asked = scopeSet(requested);
            if (!granted.containsAll(asked)) {
                throw OAuthError.invalidScope("the requested scope exceeds the granted scope");
            }
            scope = normaliseScope(requested);
            if (!scopeSet(scope).contains(rt.resource().scope())) {
                throw OAuthError.invalidScope("the scope must keep " + (rt.resource().payment() ? "PIS:<paymentId>"
                        : "AIS:<consentId>"));
            }
        }
        // The used token stays (marked used) until it expires, so that a replay is recognised.
        return Reply.ok(issueTokens(client, rt.resource(), rt.customerId(), scope, null, rt.authTime(), rt.family(),
                now));
    }

    private Map<String, Object> issueTokens(ClientAuth client, Resource resource, String customerId, String scope,
                                            String nonce, Instant authTime, String family, Instant now)
            throws OAuthError {
        String accessToken = newToken();
        Grant grant = new Grant(client.clientId(), Grant.thumbprintS256(client.certificate()), resource.consentId(),
                customerId, scope, now.plus(config.accessTokenLifetime()));
        String refreshToken = newToken();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", accessToken);
        body.put("token_type", "Bearer");
        body.put("expires_in", config.accessTokenLifetime().toSeconds());
        body.put("refresh_token", refreshToken);
        body.put("scope", scope);
        if (scopeSet(scope).contains("openid")) {
            body.put("id_token", idToken(client.clientId(), customerId, nonce, authTime, now));
        }
        accessTokens.put(accessToken, new AccessToken(grant, family));
        refreshTokens.put(refreshToken, new RefreshToken(client.clientId(), resource, customerId, scope, authTime,
                now.plus(config.refreshTokenLifetime()), family, new AtomicBoolean()));
        return body;
    }

    private String idToken(String clientId, String customerId, String nonce, Instant authTime, Instant now)
            throws OAuthError {
        RSAKey key = keys.current();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(config.issuer())
                .subject(customerId)
                .audience(clientId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(config.idTokenLifetime())))
                .claim("azp", clientId);
        if (authTime != null) {
            claims.claim("auth_time", authTime.getEpochSecond());
        }
        if (nonce != null) {
            claims.claim("nonce", nonce);
        }
        JWTClaimsSet claimsSet = claims.build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.PS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claimsSet);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new OAuthError(500, "server_error", "cannot sign the id_token");
        }
        IdTokenMutator mutator = idTokenMutator;
        if (mutator == null) {
            return jwt.serialize();
        }
        try {
            return mutator.mutate(claimsSet, key, jwt.serialize());
        } catch (Exception e) {
            throw new OAuthError(500, "server_error", "the id_token mutator failed");
        }
    }

    private void revokeFamily(String family) {
        accessTokens.values().removeIf(t -> t.family().equals(family));
        refreshTokens.values().removeIf(t -> t.family().equals(family));
    }

    private Optional<Grant> findAccessToken(String token) {
        if (token == null) {
            return Optional.empty();
        }
        AccessToken at = accessTokens.get(token);
        if (at == null) {
            return Optional.empty();
        }
        if (!now().isBefore(at.grant().expiresAt())) {
            accessTokens.remove(token, at);
            return Optional.empty();
        }
        return Optional.of(at.grant());
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private Instant now() {
        return config.clock().instant();
    }

    private void purge(Instant now) {
        parRequests.values().removeIf(p -> !now.isBefore(p.expiresAt()));
        transactions.values().removeIf(t -> !now.isBefore(t.expiresAt));
        // Used codes are kept until well after expiry, so that a replay is recognised (and revokes its tokens).
        codes.values().removeIf(c -> !now.isBefore(c.expiresAt().plus(config.codeLifetime()).plusSeconds(600)));
        accessTokens.values().removeIf(t -> !now.isBefore(t.grant().expiresAt()));
        refreshTokens.values().removeIf(t -> !now.isBefore(t.expiresAt()));
        usedAssertions.values().removeIf(exp -> !now.isBefore(exp));
    }

    private String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The form of a POST (application/x-www-form-urlencoded); a repeated parameter is an invalid_request. */
    private static Fields form(Request request) throws OAuthError {
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).trim()
                .startsWith("application/x-www-form-urlencoded")) {
            throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded");
        }
        Fields fields;
        try {
            fields = FormFields.getFields(request);
        } catch (RuntimeException e) {
            throw OAuthError.invalidRequest("the form cannot be read");
        }
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        if (!query.isEmpty()) {
            throw OAuthError.invalidRequest("parameters must be sent in the body, not in the query");
        }
        return fields;
    }

    private static boolean hasDuplicates(Fields fields) {
        for (Fields.Field f : fields) {
            if (f.getValues().size() > 1) {
                return true;
            }
        }
        return false;
    }

    /** One parameter (an empty value counts as absent, RFC 6749 §3.1); repeated → invalid_request. */
    private static String param(Fields fields, String name) throws OAuthError {
        Fields.Field f = fields.get(name);
        if (f == null) {
            return null;
        }
        if (f.getValues().size() > 1) {
            throw OAuthError.invalidRequest(name + " must not be repeated");
        }
        String v = f.getValue();
        return v == null || v.isEmpty() ? null : v;
    }

    /** One parameter for the HTML pages: absent, empty or repeated → null. */
    private static String value(Fields fields, String name) {
        Fields.Field f = fields.get(name);
        if (f == null || f.getValues().size() != 1) {
            return null;
        }
        String v = f.getValue();
        return v == null || v.isEmpty() ? null : v;
    }
}
