package eu.securehub.psd2.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Violations;
import eu.securehub.psd2.sandbox.Http.Call;
import eu.securehub.psd2.sandbox.Http.Reply;
import eu.securehub.psd2.sandbox.oauth.AuthorizationServer;
import eu.securehub.psd2.sandbox.oauth.Grants;
import eu.securehub.psd2.sandbox.oauth.OAuthConfig;
import eu.securehub.psd2.testpki.Credential;
import eu.securehub.psd2.testpki.TestPki;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Connector;
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
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A sandbox bank (ASPSP): a real HTTPS server on 127.0.0.1 with mutual TLS, the Berlin Group NextGenPSD2 1.3.9 API
 * under {@code /v1/}, the bank's OAuth 2.0 / OpenID Connect authorisation server (psd2-sandbox-oauth), realistic
 * data, the unattended-access limit, run-time fault injection, and a plain-HTTP admin port on 127.0.0.1.
 *
 * <pre>{@code
 * TestPki pki = TestPki.create(List.of("alpha"));
 * try (SandboxBank bank = SandboxBank.start(SandboxBank.Config.builder("alpha", pki.bankServer("alpha"),
 *         List.of(pki.rootCa())).expiredServerCredential(pki.bankServerExpired("alpha"))
 *         .contract(BerlinGroupContract.shared()).build())) {
 *   URI base = bank.baseUrl();            // https://127.0.0.1:<port>
 *   ...
 *   bank.assertContractClean();           // every /v1 exchange conformed to the Berlin Group OpenAPI file
 * }
 * }</pre>
 *
 * <p>TLS asks for a client certificate without requiring one (wantClientAuth): the browser-facing authorisation
 * page, discovery and JWKS work without; {@code /v1/**}, {@code /oauth/par} and {@code /oauth/token} refuse a
 * request without a valid QWAC chaining to a configured TPP trust anchor (AIS needs PSP_AI, PIS needs PSP_PI).
 *
 * <p>The {@link Dialect} decides how customers authorise consents: OAuth (default), the redirect approach with the
 * bank's own SCA page ({@code /sca/<authorisationId>}, no OAuth endpoints), or decoupled (the customer's app: {@link
 * #approveDecoupled}); payments and standing orders go through the same authorisations ({@link
 * #approveDecoupledPayment}), then execute on the bank's clock ({@link Builder#paymentExecutionDelay}). With
 * {@code requireSignatures}, every /v1 request (and, in the OAuth dialect, every token
 * endpoint call: {@link #tokenEndpointCalls}) must carry a valid QSEAL signature.
 */
public final class SandboxBank implements AutoCloseable {

  /** How the bank has its customers authorise (SCA) a consent: the Berlin Group dialect it speaks. */
  public enum Dialect {
    /** OAuth 2.0 (the consent's scaOAuth link; reads need an access token bound to the QWAC). The default. */
    OAUTH,
    /**
     * The redirect approach without OAuth: the consent's scaRedirect link is the bank's own SCA page, which sends
     * the browser back to TPP-Redirect-URI (or TPP-Nok-Redirect-URI); reads need the Consent-ID alone.
     */
    REDIRECT,
    /** The decoupled approach: the customer (PSU-ID) approves in the bank's app (admin port); no browser. */
    DECOUPLED
  }

  /** Settings of one bank. Build with {@link #builder}. */
  public static final class Config {
    final String bankId;
    final String bankName;
    final String host;
    final int port;
    final int adminPort;
    final Credential serverCredential;
    final Credential expiredServerCredential;
    final List<X509Certificate> tppTrustAnchors;
    final Clock clock;
    final Duration accessTokenLifetime;
    final long seed;
    final Map<String, String> clients;
    final BerlinGroupContract contract;
    final int maxRecordedExchanges;
    final Dialect dialect;
    final boolean explicitAuthorisation;
    final boolean requireSignatures;
    final boolean requireParSignatures;
    final Duration scaStatusMinInterval;
    final Duration paymentExecutionDelay;

    private Config(Builder b) {
      this.bankId = b.bankId;
      this.bankName = b.bankName != null ? b.bankName
          : Character.toUpperCase(b.bankId.charAt(0)) + b.bankId.substring(1) + " Bank (sandbox)";
      this.host = b.host;
      this.port = b.port;
      this.adminPort = b.adminPort;
      this.serverCredential = b.serverCredential;
      this.expiredServerCredential = b.expiredServerCredential;
      this.tppTrustAnchors = List.copyOf(b.tppTrustAnchors);
      this.clock = b.clock;
      this.accessTokenLifetime = b.accessTokenLifetime;
      this.seed = b.seed;
      this.clients = Map.copyOf(b.clients);
      this.contract = b.contract;
      this.maxRecordedExchanges = b.maxRecordedExchanges;
      this.dialect = b.dialect;
      this.explicitAuthorisation = b.explicitAuthorisation;
      this.requireSignatures = b.requireSignatures;
      this.requireParSignatures = b.requireParSignatures;
      this.scaStatusMinInterval = b.scaStatusMinInterval;
      this.paymentExecutionDelay = b.paymentExecutionDelay;
    }

    /**
     * @param bankId           e.g. {@code alpha}: names the bank's data (bank code, BIC, IBANs) and identity
     * @param serverCredential the TLS server key and certificate chain (e.g. {@code TestPki.bankServer(bankId)})
     * @param tppTrustAnchors  the CAs a TPP's QWAC must chain to (e.g. {@code TestPki.rootCa()})
     */
    public static Builder builder(String bankId, Credential serverCredential, List<X509Certificate> tppTrustAnchors) {
      return new Builder(bankId, serverCredential, tppTrustAnchors);
    }

    public String bankId() {
      return bankId;
    }
  }

  /** Builder of {@link Config}. */
  public static final class Builder {
    private final String bankId;
    private final Credential serverCredential;
    private final List<X509Certificate> tppTrustAnchors;
    private String bankName;
    private String host = "127.0.0.1";
    private int port;
    private int adminPort;
    private Credential expiredServerCredential;
    private Clock clock = Clock.systemUTC();
    private Duration accessTokenLifetime = Duration.ofSeconds(300);
    private long seed = 20_240_101L;
    private Map<String, String> clients = Map.of(TestPki.ORGANIZATION_IDENTIFIER, TestPki.ORGANIZATION_IDENTIFIER);
    private BerlinGroupContract contract;
    private int maxRecordedExchanges = 10_000;
    private Dialect dialect = Dialect.OAUTH;
    private boolean explicitAuthorisation;
    private boolean requireSignatures;
    private boolean requireParSignatures;
    private Duration scaStatusMinInterval = Duration.ofSeconds(2);
    private Duration paymentExecutionDelay = Duration.ofSeconds(2);

    private Builder(String bankId, Credential serverCredential, List<X509Certificate> tppTrustAnchors) {
      if (bankId == null || !bankId.matches("[a-z][a-z0-9-]{0,30}")) {
        throw new IllegalArgumentException("bankId: lower-case letters, digits, '-'");
      }
      this.bankId = bankId;
      this.serverCredential = Objects.requireNonNull(serverCredential, "serverCredential");
      this.tppTrustAnchors = List.copyOf(tppTrustAnchors);
    }

    /** The name on the login and consent pages. Default "Alpha Bank (sandbox)" for alpha. */
    public Builder bankName(String name) {
      this.bankName = name;
      return this;
    }

    /** The address to listen on (both ports). Default 127.0.0.1. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host);
      return this;
    }

    /** The HTTPS port; 0 (default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The plain-HTTP admin port (on the same host); 0 (default) picks a free one. */
    public Builder adminPort(int port) {
      this.adminPort = port;
      return this;
    }

    /** The expired server certificate the admin call switches to (e.g. {@code TestPki.bankServerExpired}). */
    public Builder expiredServerCredential(Credential credential) {
      this.expiredServerCredential = credential;
      return this;
    }

    /** The clock for consents, tokens, certificates and the 24-hour window. Default system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Access token lifetime of the authorisation server. Default 300 s. */
    public Builder accessTokenLifetime(Duration d) {
      this.accessTokenLifetime = Objects.requireNonNull(d);
      return this;
    }

    /** Seed of the generated data (same seed, bank id and day: same data). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Registered OAuth clients: client_id → the organizationIdentifier its QWAC carries. */
    public Builder clients(Map<String, String> clients) {
      this.clients = Map.copyOf(clients);
      return this;
    }

    /** Validate every exchange on /v1/** against this contract ({@link SandboxBank#violations()}). */
    public Builder contract(BerlinGroupContract contract) {
      this.contract = contract;
      return this;
    }

    /** How many /v1 exchanges are kept for {@link SandboxBank#exchanges()} (oldest dropped). Default 10 000. */
    public Builder maxRecordedExchanges(int max) {
      this.maxRecordedExchanges = max;
      return this;
    }

    /** The SCA dialect. Default {@link Dialect#OAUTH} (today's behaviour). */
    public Builder dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * REDIRECT and DECOUPLED: true makes every consent need an explicit start (POST
     * /v1/consents/{consentId}/authorisations, link startAuthorisation); false (default) starts the authorisation
     * with the consent, unless the TPP asks for an explicit start (TPP-Explicit-Authorisation-Preferred: true).
     * Ignored by OAUTH.
     */
    public Builder explicitAuthorisation(boolean explicit) {
      this.explicitAuthorisation = explicit;
      return this;
    }

    /**
     * True: every /v1 request, and in the OAUTH dialect every POST /oauth/token, must be signed with the TPP's QSEAL
     * (Digest, Signature, TPP-Signature-Certificate; the certificate chaining to the same TPP trust anchors as the
     * QWAC). Default false.
     */
    public Builder requireSignatures(boolean require) {
      this.requireSignatures = require;
      return this;
    }

    /**
     * With {@link #requireSignatures}: POST /oauth/par must be signed too. Default false (a bank whose hub registry
     * entry says {@code signing.parEndpoint}; {@code signing.tokenEndpoint} covers the token endpoint only).
     */
    public Builder requireParSignatures(boolean require) {
      this.requireParSignatures = require;
      return this;
    }

    /**
     * REDIRECT and DECOUPLED: polls of one authorisation's scaStatus closer together than this answer 429
     * ACCESS_EXCEEDED ({@link SandboxBank#tooEarlyScaStatusPolls()}). Default 2 s; zero allows any rate.
     */
    public Builder scaStatusMinInterval(Duration interval) {
      if (Objects.requireNonNull(interval, "interval").isNegative()) {
        throw new IllegalArgumentException("scaStatusMinInterval must not be negative");
      }
      this.scaStatusMinInterval = interval;
      return this;
    }

    /**
     * The time between the steps of an authorised payment's execution: an instant payment is ACSC one delay after
     * ACTC, a SEPA credit transfer ACSP after one delay and ACSC after a second. Default 2 s; zero is allowed.
     */
    public Builder paymentExecutionDelay(Duration delay) {
      if (Objects.requireNonNull(delay, "delay").isNegative()) {
        throw new IllegalArgumentException("paymentExecutionDelay must not be negative");
      }
      this.paymentExecutionDelay = delay;
      return this;
    }

    public Config build() {
      return new Config(this);
    }
  }

  private static final System.Logger LOG = System.getLogger(SandboxBank.class.getName());

  private final Config config;
  private final Server server;
  private final ServerConnector tlsConnector;
  private final ServerConnector adminConnector;
  private final SslContextFactory.Server ssl;
  private final KeyStore serverKeyStore;
  private final KeyStore expiredKeyStore;
  private final String keyStorePassword;
  private final AuthorizationServer oauth;
  private final BerlinGroupApi api;
  private final ScaAuthorisations sca;
  private final ScaPage scaPage;
  private final SignatureVerifier signatures;
  private final OAuthSignatures oauthSignatures;
  private final TppCertificateCheck certificates;
  private final Faults faults;
  private final Map<String, java.util.concurrent.atomic.AtomicInteger> tokenGrants =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final Set<Callback> hung = ConcurrentHashMap.newKeySet();
  private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
  private final List<Violations> violations = Collections.synchronizedList(new ArrayList<>());
  private volatile URI baseUrl;
  private volatile boolean expiredCertificate;

  private SandboxBank(Config config) {
    this.config = config;
    byte[] pw = new byte[18];
    new SecureRandom().nextBytes(pw);
    this.keyStorePassword = Base64.getUrlEncoder().withoutPadding().encodeToString(pw);
    this.serverKeyStore = config.serverCredential.pkcs12(keyStorePassword.toCharArray(), "server");
    this.expiredKeyStore = config.expiredServerCredential == null ? null
        : config.expiredServerCredential.pkcs12(keyStorePassword.toCharArray(), "server");
    this.certificates = new TppCertificateCheck(config.tppTrustAnchors, config.clock);
    this.faults = new Faults(this::releaseHung);
    BankData data = BankData.generate(config.bankId, config.seed, LocalDate.now(config.clock));
    AuthorizationServer[] holder = new AuthorizationServer[1];
    this.sca = new ScaAuthorisations(config.dialect, config.explicitAuthorisation, config.scaStatusMinInterval, data,
        config.clock, () -> baseUrl);
    this.api = new BerlinGroupApi(data, config.clock, certificates, config.clients, () -> baseUrl,
        () -> holder[0] == null ? null : holder[0].grants(), sca, config.paymentExecutionDelay);
    this.scaPage = new ScaPage(sca, api, api, config.bankName);
    this.signatures = config.requireSignatures ? new SignatureVerifier(config.tppTrustAnchors, config.clock) : null;
    this.oauthSignatures = new OAuthSignatures(config.dialect == Dialect.OAUTH ? signatures : null, certificates,
        config.requireParSignatures, config.maxRecordedExchanges);
    OAuthConfig oauthConfig = OAuthConfig.builder()
        .issuer(() -> baseUrl)
        .clock(config.clock)
        .accessTokenLifetime(config.accessTokenLifetime)
        .bankName(config.bankName)
        .build();
    this.oauth = new AuthorizationServer(oauthConfig, api);
    holder[0] = oauth;

    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("bank-" + config.bankId);
    this.server = new Server(threads);
    this.ssl = new SslContextFactory.Server() {
      @Override
      protected TrustManager[] getTrustManagers(KeyStore trustStore, Collection<? extends CRL> crls) {
        // The bank checks the client chain itself, to answer with Berlin Group error codes.
        return new TrustManager[] {ACCEPT_ANY};
      }
    };
    ssl.setKeyStore(serverKeyStore);
    ssl.setKeyStorePassword(keyStorePassword);
    ssl.setKeyManagerPassword(keyStorePassword);
    ssl.setWantClientAuth(true);
    ssl.setNeedClientAuth(false);
    ssl.setEndpointIdentificationAlgorithm(null);
    HttpConfiguration https = new HttpConfiguration();
    https.setSendServerVersion(false);
    SecureRequestCustomizer customizer = new SecureRequestCustomizer();
    customizer.setSniHostCheck(false);
    https.addCustomizer(customizer);
    this.tlsConnector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
        new HttpConnectionFactory(https));
    tlsConnector.setHost(config.host);
    tlsConnector.setPort(config.port);
    tlsConnector.setIdleTimeout(Duration.ofMinutes(10).toMillis());
    HttpConfiguration plain = new HttpConfiguration();
    plain.setSendServerVersion(false);
    this.adminConnector = new ServerConnector(server, new HttpConnectionFactory(plain));
    adminConnector.setHost(config.host);
    adminConnector.setPort(config.adminPort);
    server.setConnectors(new Connector[] {tlsConnector, adminConnector});
    server.setHandler(new Root());
    server.setStopTimeout(2_000);
    this.scheduler = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "bank-" + config.bankId + "-faults");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts a bank; the returned instance is running until {@link #close()}. */
  public static SandboxBank start(Config config) throws Exception {
    SandboxBank bank = new SandboxBank(Objects.requireNonNull(config, "config"));
    try {
      bank.server.start();
    } catch (Exception e) {
      bank.close();
      throw e;
    }
    String host = config.host.contains(":") ? "[" + config.host + "]" : config.host;
    bank.baseUrl = URI.create("https://" + host + ":" + bank.tlsConnector.getLocalPort());
    return bank;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Public API

  public String bankId() {
    return config.bankId;
  }

  /** {@code https://127.0.0.1:<port>}: the Berlin Group base (…/v1/…) and the OAuth issuer. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** The OpenID Connect discovery document URL (the consent's scaOAuth link). */
  public URI discoveryUrl() {
    return URI.create(baseUrl + AuthorizationServer.DISCOVERY_PATH);
  }

  /** {@code http://127.0.0.1:<adminPort>}: POST/DELETE /admin/faults, POST /admin/server-certificate, … */
  public URI adminUrl() {
    return URI.create("http://" + (config.host.contains(":") ? "[" + config.host + "]" : config.host) + ":"
        + adminConnector.getLocalPort());
  }

  public int port() {
    return tlsConnector.getLocalPort();
  }

  public int adminPort() {
    return adminConnector.getLocalPort();
  }

  /** The bank's customers, accounts and transactions. */
  public BankData data() {
    return api.data();
  }

  public Faults faults() {
    return faults;
  }

  /** The authorisation server mounted on this bank (rotateSigningKey, jwks, grants). */
  public AuthorizationServer authorizationServer() {
    return oauth;
  }

  public Grants grants() {
    return oauth.grants();
  }

  /**
   * Switches the TLS server certificate to the expired one (true) or back (false). Open connections are closed, as
   * when a bank restarts with its new certificate, so that every client's next request makes a new handshake.
   */
  public void useExpiredServerCertificate(boolean expired) throws Exception {
    if (expired && expiredKeyStore == null) {
      throw new IllegalStateException("no expired server credential configured");
    }
    ssl.reload(f -> f.setKeyStore(expired ? expiredKeyStore : serverKeyStore));
    expiredCertificate = expired;
    tlsConnector.getConnectedEndPoints().forEach(EndPoint::close);
  }

  public boolean usesExpiredServerCertificate() {
    return expiredCertificate;
  }

  /** A new JWKS signing key (the previous one stays published for the grace period); returns its kid. */
  public String rotateSigningKey() {
    return oauth.rotateSigningKey();
  }

  /** The PSU revokes a consent at the bank: its status becomes revokedByPsu. False if unknown. */
  public boolean revokeConsentByPsu(String consentId) {
    return api.revokeByPsu(consentId);
  }

  /** The consent runs out at the bank now (as if past its validUntil): reads answer 401 CONSENT_EXPIRED. */
  public boolean expireConsent(String consentId) {
    return api.expire(consentId);
  }

  public Optional<String> consentStatus(String consentId) {
    return api.consentStatus(consentId);
  }

  /** Unattended reads counted in the last 24 h for a consent's resource ("accounts" or "account:<resourceId>"). */
  public int unattendedReads(String consentId, String resource) {
    return api.unattendedReads(consentId, resource);
  }

  /** The SCA dialect this bank speaks. */
  public Dialect dialect() {
    return config.dialect;
  }

  /** Whether every /v1 request must carry a valid QSEAL signature. */
  public boolean requiresSignatures() {
    return config.requireSignatures;
  }

  /**
   * DECOUPLED: the customer approves the consent in the bank's app. The consent's latest started authorisation is
   * finalised and the consent valid (for a bank-offered consent, with all the customer's accounts), or failed and
   * rejected when the consent names none of the customer's accounts.
   *
   * @return false when the consent has no started decoupled authorisation
   */
  public boolean approveDecoupled(String consentId) {
    return approveDecoupled(consentId, List.of());
  }

  /**
   * DECOUPLED: as {@link #approveDecoupled(String)}, sharing only these accounts (IBANs or resourceIds) of a
   * bank-offered consent; empty: all the customer's accounts. Ignored for consents that name their accounts.
   */
  public boolean approveDecoupled(String consentId, List<String> accounts) {
    return sca.decideDecoupled(consentSubject(consentId), true, accounts).isPresent();
  }

  /** DECOUPLED: the customer denies in the app: the authorisation fails, the consent is rejected. */
  public boolean denyDecoupled(String consentId) {
    return sca.decideDecoupled(consentSubject(consentId), false, List.of()).isPresent();
  }

  private static ScaAuthorisations.Subject consentSubject(String consentId) {
    return new ScaAuthorisations.Subject(ScaAuthorisations.Kind.CONSENT, consentId, null, "/v1/consents/" + consentId);
  }

  /** REDIRECT and DECOUPLED: the scaStatus of an authorisation (received, started, psuAuthenticated, …), or empty. */
  public Optional<String> scaStatus(String authorisationId) {
    return sca.scaStatus(authorisationId);
  }

  /**
   * REDIRECT and DECOUPLED: the ids of a consent's authorisations, or of a payment's ({@code …/authorisations}),
   * oldest first.
   */
  public List<String> authorisationIds(String consentOrPaymentId) {
    List<String> consent = sca.authorisationIds(ScaAuthorisations.Kind.CONSENT, consentOrPaymentId);
    return consent.isEmpty() ? sca.authorisationIds(ScaAuthorisations.Kind.PAYMENT, consentOrPaymentId) : consent;
  }

  /** REDIRECT and DECOUPLED: the ids of a standing order's cancellation authorisations, oldest first. */
  public List<String> cancellationAuthorisationIds(String paymentId) {
    return sca.authorisationIds(ScaAuthorisations.Kind.CANCELLATION, paymentId);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Payments

  /** How many payment initiations (POST /v1/payments/…, /v1/periodic-payments/…) created a payment (201). */
  public int paymentInitiations() {
    return api.payments().initiations();
  }

  /** The ids of every payment the bank holds, oldest first (the last one is the latest initiation). */
  public List<String> paymentIds() {
    return api.payments().paymentIds();
  }

  /** A payment's transactionStatus now (RCVD, ACTC, ACSP, ACSC, RJCT, CANC), or empty when unknown. */
  public Optional<String> paymentStatus(String paymentId) {
    return Optional.ofNullable(paymentId == null ? null : api.payments().status(paymentId));
  }

  /** A copy of the payment's initiation body as the TPP sent it, or empty when unknown. */
  public Optional<JsonNode> paymentBody(String paymentId) {
    return api.payments().body(paymentId);
  }

  /** True while a standing order's cancellation (DELETE answered 202) awaits the customer's authorisation. */
  public boolean cancellationPending(String paymentId) {
    return api.payments().cancellationPending(paymentId);
  }

  /**
   * A standing order's next {@code n} execution days, from the bank's today on (fewer when its endDate comes
   * first); empty for a single payment, an unknown one, or a standing order that was rejected or cancelled.
   */
  public List<LocalDate> nextExecutions(String paymentId, int n) {
    return api.payments().nextExecutions(paymentId, n);
  }

  /**
   * DECOUPLED: the customer approves in the bank's app the payment's latest started authorisation, or, while a
   * standing order's cancellation awaits authorisation, the cancellation's. The payment is then authorised (ACTC and
   * the funds check) or the standing order cancelled (CANC); from someone else's account the SCA fails instead.
   *
   * @return false when there is no started decoupled authorisation
   */
  public boolean approveDecoupledPayment(String paymentId) {
    return decidePayment(paymentId, true).isPresent();
  }

  /** DECOUPLED: the customer denies: the payment is rejected (RJCT), or a cancellation fails (it stays ACTC). */
  public boolean denyDecoupledPayment(String paymentId) {
    return decidePayment(paymentId, false).isPresent();
  }

  private Optional<ScaAuthorisations.Decision> decidePayment(String paymentId, boolean approve) {
    return api.payments().decoupledSubject(paymentId).flatMap(s -> sca.decideDecoupled(s, approve, List.of()));
  }

  /** The recorded GETs of payments ({@code …/{paymentId}} and {@code …/status}), oldest first. */
  public List<Exchange> paymentReads() {
    return exchanges().stream().filter(Exchange::paymentRead).toList();
  }

  /** The recorded payment GETs that carried {@code Authorization: Bearer …} ({@link Exchange#bearerToken()}). */
  public List<Exchange> paymentReadsWithToken() {
    return exchanges().stream().filter(e -> e.paymentRead() && e.bearerToken()).toList();
  }

  /** How many scaStatus polls came sooner than {@code scaStatusMinInterval} after the previous one (answered 429). */
  public int tooEarlyScaStatusPolls() {
    return sca.tooEarlyPolls();
  }

  /**
   * The recorded exchanges whose request was not signed or whose signature the bank refused (MISSING, INVALID,
   * CERTIFICATE_INVALID); always empty when the bank does not require signatures.
   */
  public List<Exchange> unsignedOrInvalid() {
    return exchanges().stream().filter(e -> e.signature() != Exchange.SignatureCheck.NOT_REQUIRED
        && e.signature() != Exchange.SignatureCheck.VALID).toList();
  }

  /**
   * The calls of the OAuth endpoints whose signature the bank checked (oldest first): every POST /oauth/token of an
   * OAUTH bank that {@link Builder#requireSignatures requires signatures}, and POST /oauth/par with {@link
   * Builder#requireParSignatures}; refused ones too. Always empty when the bank does not require signatures.
   */
  public List<TokenEndpointCall> tokenEndpointCalls() {
    return oauthSignatures.calls();
  }

  /** The signature checks of the recorded POST /oauth/token calls (oldest first); see {@link #tokenEndpointCalls}. */
  public List<Exchange.SignatureCheck> tokenEndpointSignatures() {
    return oauthSignatures.calls().stream().filter(c -> c.endpoint().equals(AuthorizationServer.TOKEN_PATH))
        .map(TokenEndpointCall::signature).toList();
  }

  /** The recorded exchanges on /v1/** (oldest first). */
  public List<Exchange> exchanges() {
    synchronized (exchanges) {
      return List.copyOf(exchanges);
    }
  }

  /** The contract violations found so far (empty without a configured contract). */
  public List<Violations> violations() {
    synchronized (violations) {
      return List.copyOf(violations);
    }
  }

  /** Forgets the recorded exchanges, violations and token endpoint calls. */
  public void clearExchanges() {
    exchanges.clear();
    violations.clear();
    oauthSignatures.clear();
  }

  /**
   * Throws an AssertionError listing every violation of the Berlin Group contract so far (request or response).
   *
   * @throws IllegalStateException when no contract is configured
   */
  public void assertContractClean() {
    if (config.contract == null) {
      throw new IllegalStateException("no BerlinGroupContract configured");
    }
    List<Violations> v = violations();
    if (!v.isEmpty()) {
      StringBuilder sb = new StringBuilder(v.size() + " exchange(s) violate the Berlin Group OpenAPI contract:");
      v.forEach(x -> sb.append('\n').append(x));
      throw new AssertionError(sb.toString());
    }
  }

  @Override
  public void close() {
    releaseHung();
    try {
      server.stop();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, "stopping bank " + config.bankId, e);
    }
    scheduler.shutdownNow();
    api.close();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Request handling

  private final class Root extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      if (request.getConnectionMetaData().getConnector() == adminConnector) {
        admin(request, response, callback);
        return true;
      }
      String path = Request.getPathInContext(request);
      Faults.Settings f = faults.settings();
      if (f.active() && path.startsWith(f.pathPrefix())) {
        faults.countInjected();
        if (f.connectionReset()) {
          resetConnection(request, callback);
          return true;
        }
        if (f.hang()) {
          request.addIdleTimeoutListener(t -> false);
          hung.add(callback);
          scheduler.schedule(() -> {
            if (hung.remove(callback)) {
              abort(request, callback);
            }
          }, f.hangLimit().toMillis(), TimeUnit.MILLISECONDS);
          return true;
        }
        if (!f.latency().isZero()) {
          scheduler.schedule(() -> server.getThreadPool().execute(() -> proceed(request, response, callback, f)),
              f.latency().toMillis(), TimeUnit.MILLISECONDS);
          return true;
        }
      }
      proceed(request, response, callback, f);
      return true;
    }
  }

  private void proceed(Request request, Response response, Callback callback, Faults.Settings f) {
    try {
      String path = Request.getPathInContext(request);
      boolean faultPath = path.startsWith(f.pathPrefix());
      if (path.startsWith("/v1/") || path.equals("/v1")) {
        berlinGroup(request, response, callback, faultPath && faults.nextIsError(f.errorRate()) ? f : null);
        return;
      }
      if (faultPath && faults.nextIsError(f.errorRate())) {
        ObjectNode err = Http.JSON.createObjectNode().put("error", "temporarily_unavailable")
            .put("error_description", "fault injection");
        write(response, callback, Reply.json(f.errorStatus(), err));
        return;
      }
      if (ScaPage.handles(path) && config.dialect == Dialect.REDIRECT) {
        scaPage.handle(request, response, callback);
        return;
      }
      if (AuthorizationServer.handles(path) && config.dialect == Dialect.OAUTH) {
        if (path.equals(AuthorizationServer.PAR_PATH) || path.equals(AuthorizationServer.TOKEN_PATH)) {
          TppCertificateCheck.Result r = certificates.check(peerCertificates(request), null);
          if (!r.ok()) {
            ObjectNode err = Http.JSON.createObjectNode().put("error", "invalid_client")
                .put("error_description", r.errorCode() + ": " + r.errorText());
            write(response, callback, Reply.json(401, err).with("Cache-Control", "no-store"));
            return;
          }
        }
        OAuthSignatures.Checked signed = null;
        if (oauthSignatures.required(request.getMethod(), path)) {
          signed = oauthSignatures.check(request, peerCertificates(request));
          if (!signed.outcome().ok()) {
            Reply refusal = OAuthSignatures.refusal(signed.outcome());
            oauthSignatures.record(path, signed, refusal.status());
            write(response, callback, refusal);
            return;
          }
          request = signed.request();
        }
        Response answer = signed == null ? response : oauthSignatures.recording(request, response, path, signed);
        Response target = path.equals(AuthorizationServer.TOKEN_PATH) ? new TokenCapture(request, answer)
            : answer;
        if (!oauth.handle(request, target, callback)) {
          write(response, callback, Reply.empty(404));
        }
        return;
      }
      write(response, callback, Reply.empty(404));
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.WARNING, "request failed", t);
      callback.failed(t);
    }
  }

  private void berlinGroup(Request request, Response response, Callback callback, Faults.Settings error)
      throws IOException {
    byte[] body = Content.Source.asInputStream(request).readAllBytes();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HttpField field : request.getHeaders()) {
      headers.computeIfAbsent(field.getName(), k -> new ArrayList<>()).add(field.getValue());
    }
    Map<String, List<String>> query = new LinkedHashMap<>();
    Fields fields = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
    for (Fields.Field field : fields) {
      query.put(field.getName(), List.copyOf(field.getValues()));
    }
    String path = Request.getPathInContext(request);
    if (signatures != null && error == null && path.startsWith(faults.settings().pathPrefix()) && faults.takeTamper()) {
      faults.countInjected();
      // A hop in between rewrote a signed header: the Digest no longer matches the body, nor the signature the header.
      headers.entrySet().removeIf(h -> h.getKey().equalsIgnoreCase("Digest"));
      headers.put("Digest", List.of("SHA-256=" + java.util.Base64.getEncoder().encodeToString(
          sha256("tampered".getBytes(StandardCharsets.UTF_8)))));
    }
    Call call = new Call(request.getMethod(), path, query, headers, body, peerCertificates(request));
    SignatureVerifier.Outcome signature = SignatureVerifier.Outcome.NOT_REQUIRED;
    if (signatures != null) {
      TppCertificateCheck.Result qwac = certificates.check(call.peerCertificates(), null);
      signature = signatures.verify(call, request.getHttpURI().getPathQuery(), qwac.ok() ? qwac.organisation() : null);
    }
    Reply reply;
    if (error != null) {
      String requestId = call.header("X-Request-ID");
      if (error.errorStatus() == 429) {
        reply = Http.error(429, "ACCESS_EXCEEDED", "The access on this account exceeded the allowed accesses "
            + "(fault injection).");
      } else {
        reply = error.errorBody()
            ? Http.error(error.errorStatus(), error.errorStatus() == 503 ? "SERVICE_UNAVAILABLE" : "INTERNAL_ERROR",
                "fault injection")
            : Reply.empty(error.errorStatus());
      }
      reply = reply.with("X-Request-ID", Http.isUuid(requestId) ? requestId : java.util.UUID.randomUUID().toString());
    } else if (path.startsWith(faults.settings().pathPrefix()) && faults.takeTokenExpired()) {
      faults.countInjected();
      String requestId = call.header("X-Request-ID");
      reply = Http.error(401, "TOKEN_EXPIRED", "The access token expired; refresh it.")
          .with("X-Request-ID", Http.isUuid(requestId) ? requestId : java.util.UUID.randomUUID().toString());
    } else {
      reply = api.handle(call, signature);
    }
    record(call, reply, signature.check());
    write(response, callback, reply);
  }

  private void record(Call call, Reply reply, Exchange.SignatureCheck signature) {
    X509Certificate[] peer = call.peerCertificates();
    Exchange exchange = new Exchange(call.method(), call.path(), call.query(), call.headers(), call.body(),
        reply.status(), reply.headers(), reply.body(), signature,
        Exchange.sha256Fingerprint(peer == null || peer.length == 0 ? null : peer[0]));
    synchronized (exchanges) {
      exchanges.add(exchange);
      while (exchanges.size() > config.maxRecordedExchanges) {
        exchanges.remove(0);
      }
    }
    if (config.contract != null) {
      Violations v = config.contract.validate(exchange);
      if (!v.isEmpty()) {
        violations.add(v);
      }
    }
  }

  private static X509Certificate[] peerCertificates(Request request) {
    Object data = request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
    if (data instanceof EndPoint.SslSessionData ssl) {
      return ssl.peerCertificates();
    }
    return null;
  }

  private static void write(Response response, Callback callback, Reply reply) {
    response.setStatus(reply.status());
    reply.headers().forEach((name, values) -> values.forEach(v -> response.getHeaders().add(name, v)));
    response.write(true, ByteBuffer.wrap(reply.body()), callback);
  }

  /** Drops the connection with a TCP RST (SO_LINGER 0), as a crashing bank or middlebox would. */
  private void resetConnection(Request request, Callback callback) {
    EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
    if (endPoint instanceof SslConnection.SslEndPoint sslEndPoint) {
      endPoint = sslEndPoint.getSslConnection().getEndPoint();
    }
    Object transport = endPoint.getTransport();
    try {
      if (transport instanceof SocketChannel channel) {
        channel.socket().setSoLinger(true, 0);
      } else if (transport instanceof Socket socket) {
        socket.setSoLinger(true, 0);
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "SO_LINGER", e);
    }
    endPoint.close();
    callback.failed(new IOException("connection reset by fault injection"));
  }

  private static void abort(Request request, Callback callback) {
    request.getConnectionMetaData().getConnection().getEndPoint().close();
    callback.failed(new IOException("hung request released"));
  }

  private void releaseHung() {
    for (Callback c : List.copyOf(hung)) {
      if (hung.remove(c)) {
        c.failed(new IOException("hung request released"));
      }
    }
  }

  /** Counts a successful token request by its grant_type (the form the authorisation server already parsed). */
  private void countTokenGrant(Request request) {
    String grantType;
    try {
      grantType = org.eclipse.jetty.server.FormFields.getFields(request).getValue("grant_type");
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "grant_type not read", e);
      grantType = null;
    }
    tokenGrants.computeIfAbsent(grantType == null ? "unknown" : grantType,
        k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
  }

  /**
   * How many tokens the token endpoint has issued for this grant_type since the bank started (e.g.
   * {@code "authorization_code"}, {@code "refresh_token"}); refused token requests are not counted.
   */
  public int tokenGrants(String grantType) {
    java.util.concurrent.atomic.AtomicInteger n = tokenGrants.get(grantType);
    return n == null ? 0 : n.get();
  }

  /** Remembers each access token the token endpoint issues (for TOKEN_EXPIRED). */
  private final class TokenCapture extends Response.Wrapper {
    private final java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();

    TokenCapture(Request request, Response wrapped) {
      super(request, wrapped);
    }

    @Override
    public void write(boolean last, ByteBuffer content, Callback callback) {
      if (content != null) {
        ByteBuffer copy = content.slice();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        captured.writeBytes(bytes);
      }
      if (last && getStatus() == 200) {
        countTokenGrant(getRequest());
        try {
          JsonNode json = Http.read(captured.toByteArray());
          String token = json.path("access_token").asText(null);
          long expiresIn = json.path("expires_in").asLong(-1);
          if (token != null && expiresIn >= 0) {
            api.tokenIssued(token, config.clock.instant().plusSeconds(expiresIn));
          }
        } catch (IOException | RuntimeException e) {
          LOG.log(System.Logger.Level.DEBUG, "token response not captured", e);
        }
      }
      super.write(last, content, callback);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Admin port

  private void admin(Request request, Response response, Callback callback) {
    Reply reply;
    try {
      reply = adminReply(request);
    } catch (IllegalArgumentException | IllegalStateException e) {
      reply = Reply.json(400, Http.JSON.createObjectNode().put("error", e.getMessage()));
    } catch (Exception e) {
      reply = Reply.json(500, Http.JSON.createObjectNode().put("error", String.valueOf(e)));
    }
    write(response, callback, reply);
  }

  private Reply adminReply(Request request) throws Exception {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    byte[] body = Content.Source.asInputStream(request).readAllBytes();
    JsonNode json = body.length == 0 ? Http.JSON.createObjectNode() : Http.read(body);
    switch (path) {
      case "/admin", "/admin/" -> {
        if (method.equals("GET")) {
          return Reply.json(200, summary());
        }
      }
      case "/admin/faults" -> {
        if (method.equals("GET")) {
          return Reply.json(200, faultsJson());
        }
        if (method.equals("DELETE")) {
          faults.clear();
          return Reply.json(200, faultsJson());
        }
        if (method.equals("POST")) {
          applyFaults(json);
          return Reply.json(200, faultsJson());
        }
      }
      case "/admin/server-certificate" -> {
        if (method.equals("POST")) {
          useExpiredServerCertificate(json.path("expired").asBoolean(false));
          return Reply.json(200, Http.JSON.createObjectNode().put("expired", expiredCertificate));
        }
        if (method.equals("GET")) {
          return Reply.json(200, Http.JSON.createObjectNode().put("expired", expiredCertificate));
        }
      }
      case "/admin/violations" -> {
        if (method.equals("GET")) {
          com.fasterxml.jackson.databind.node.ArrayNode list = Http.JSON.createArrayNode();
          for (Violations v : violations()) {
            ObjectNode n = list.addObject();
            n.put("exchange", v.exchange().toString());
            v.request().forEach(m -> n.withArray("request").add(m));
            v.response().forEach(m -> n.withArray("response").add(m));
          }
          return Reply.json(200, Http.JSON.createObjectNode().put("contract", config.contract != null)
              .set("violations", list));
        }
        if (method.equals("DELETE")) {
          clearExchanges();
          return Reply.empty(204);
        }
      }
      case "/admin/jwks/rotate" -> {
        if (method.equals("POST")) {
          return Reply.json(200, Http.JSON.createObjectNode().put("kid", rotateSigningKey()));
        }
      }
      default -> {
        Reply payment = adminPayment(path, method);
        if (payment != null) {
          return payment;
        }
        String prefix = "/admin/consents/";
        for (String decision : List.of("/approve", "/deny")) {
          if (path.startsWith(prefix) && path.endsWith(decision) && method.equals("POST")) {
            String id = path.substring(prefix.length(), path.length() - decision.length());
            return decoupled(id, decision.equals("/approve"), json);
          }
        }
        if (path.startsWith(prefix) && path.endsWith("/revoke") && method.equals("POST")) {
          String id = path.substring(prefix.length(), path.length() - "/revoke".length());
          if (!revokeConsentByPsu(id)) {
            return Reply.json(404, Http.JSON.createObjectNode().put("error", "unknown consent"));
          }
          return Reply.json(200, Http.JSON.createObjectNode().put("consentStatus", "revokedByPsu"));
        }
        return Reply.json(404, Http.JSON.createObjectNode().put("error", "unknown admin path"));
      }
    }
    return Reply.json(405, Http.JSON.createObjectNode().put("error", "method not allowed"));
  }

  /** POST /admin/consents/{id}/approve ({"accounts":[…]} optional) or …/deny: the decoupled app's decision. */
  private Reply decoupled(String consentId, boolean approve, JsonNode json) {
    List<String> accounts = new ArrayList<>();
    JsonNode list = json.path("accounts");
    if (!list.isMissingNode() && !list.isArray()) {
      throw new IllegalArgumentException("accounts must be an array of IBANs");
    }
    list.forEach(a -> accounts.add(a.asText()));
    Optional<ScaAuthorisations.Decision> d = sca.decideDecoupled(consentSubject(consentId), approve, accounts);
    if (d.isEmpty()) {
      return Reply.json(404, Http.JSON.createObjectNode().put("error",
          "no started decoupled authorisation for this consent"));
    }
    return Reply.json(200, Http.JSON.createObjectNode().put("consentId", consentId)
        .put("authorisationId", d.get().authorisationId()).put("consentStatus", d.get().resourceStatus())
        .put("scaStatus", d.get().scaStatus()));
  }

  /**
   * {@code POST /admin/payments/{paymentId}/approve|deny} (DECOUPLED: the customer's app decides the payment's, or
   * the pending cancellation's, latest started authorisation) and {@code GET /admin/payments/{paymentId}}; null for
   * other paths.
   */
  private Reply adminPayment(String path, String method) {
    String prefix = "/admin/payments/";
    if (!path.startsWith(prefix)) {
      return null;
    }
    String rest = path.substring(prefix.length());
    for (String decision : List.of("/approve", "/deny")) {
      if (rest.endsWith(decision) && rest.length() > decision.length() && method.equals("POST")) {
        String id = rest.substring(0, rest.length() - decision.length());
        Optional<ScaAuthorisations.Decision> d = decidePayment(id, decision.equals("/approve"));
        if (d.isEmpty()) {
          return Reply.json(404, Http.JSON.createObjectNode().put("error",
              "no started decoupled authorisation for this payment or its cancellation"));
        }
        return Reply.json(200, Http.JSON.createObjectNode().put("paymentId", id)
            .put("authorisationId", d.get().authorisationId()).put("transactionStatus", d.get().resourceStatus())
            .put("scaStatus", d.get().scaStatus()));
      }
    }
    if (!rest.contains("/") && method.equals("GET")) {
      Optional<Payment> p = api.payments().payment(rest);
      if (p.isEmpty()) {
        return Reply.json(404, Http.JSON.createObjectNode().put("error", "unknown payment"));
      }
      ObjectNode n = Http.JSON.createObjectNode();
      n.put("paymentId", rest);
      n.put("service", p.get().service);
      n.put("product", p.get().product);
      n.put("transactionStatus", api.payments().status(rest));
      n.put("cancellationPending", api.payments().cancellationPending(rest));
      n.set("body", p.get().body.deepCopy());
      if (p.get().standingOrder()) {
        nextExecutions(rest, 5).forEach(d -> n.withArray("nextExecutions").add(d.toString()));
      }
      return Reply.json(200, n);
    }
    return null;
  }

  /** POST /admin/faults: the given fields change, the others stay (send "clear": true to start from none). */
  private void applyFaults(JsonNode json) {
    Faults.Settings s = json.path("clear").asBoolean(false) ? Faults.Settings.NONE : faults.settings();
    Duration latency = json.has("latencyMs") ? Duration.ofMillis(json.get("latencyMs").asLong()) : s.latency();
    boolean hang = json.has("hang") ? json.get("hang").asBoolean() : s.hang();
    Duration hangLimit = json.has("hangLimitMs") ? Duration.ofMillis(json.get("hangLimitMs").asLong())
        : s.hangLimit();
    double rate = json.has("errorRate") ? json.get("errorRate").asDouble() : s.errorRate();
    int status = json.has("errorStatus") ? json.get("errorStatus").asInt() : s.errorStatus();
    boolean errorBody = json.has("errorBody") ? json.get("errorBody").asBoolean() : s.errorBody();
    boolean reset = json.has("connectionReset") ? json.get("connectionReset").asBoolean()
        : json.has("reset") ? json.get("reset").asBoolean() : s.connectionReset();
    String prefix = json.has("pathPrefix") ? json.get("pathPrefix").asText() : s.pathPrefix();
    faults.set(new Faults.Settings(latency, hang, hangLimit, rate, status, errorBody, reset, prefix));
    if (json.path("clear").asBoolean(false)) {
      faults.tokenExpiredOnce(false);
    }
    if (json.has("tokenExpiredOnce")) {
      faults.tokenExpiredOnce(json.get("tokenExpiredOnce").asBoolean());
    }
  }

  private ObjectNode faultsJson() {
    Faults.Settings s = faults.settings();
    ObjectNode n = Http.JSON.createObjectNode();
    n.put("latencyMs", s.latency().toMillis());
    n.put("hang", s.hang());
    n.put("hangLimitMs", s.hangLimit().toMillis());
    n.put("errorRate", s.errorRate());
    n.put("errorStatus", s.errorStatus());
    n.put("errorBody", s.errorBody());
    n.put("connectionReset", s.connectionReset());
    n.put("pathPrefix", s.pathPrefix());
    n.put("tokenExpiredOnce", faults.tokenExpiredOnce());
    n.put("injected", faults.injected());
    n.put("expiredServerCertificate", expiredCertificate);
    return n;
  }

  private ObjectNode summary() {
    ObjectNode n = Http.JSON.createObjectNode();
    n.put("bankId", config.bankId);
    n.put("dialect", config.dialect.name());
    n.put("requireSignatures", config.requireSignatures);
    n.put("baseUrl", baseUrl.toString());
    if (config.dialect == Dialect.OAUTH) {
      n.put("discovery", discoveryUrl().toString());
    }
    n.put("admin", adminUrl().toString());
    n.put("now", Instant.now(config.clock).toString());
    n.set("faults", faultsJson());
    n.put("exchanges", exchanges.size());
    n.put("violations", violations.size());
    n.put("tooEarlyScaStatusPolls", sca.tooEarlyPolls());
    n.put("paymentInitiations", paymentInitiations());
    n.put("paymentExecutionDelayMs", config.paymentExecutionDelay.toMillis());
    if (config.requireSignatures) {
      n.put("unsignedOrInvalid", unsignedOrInvalid().size());
      if (config.dialect == Dialect.OAUTH) {
        n.put("tokenEndpointUnsignedOrInvalid", tokenEndpointCalls().stream().filter(c -> !c.signedAndValid())
            .count());
      }
    }
    return n;
  }

  private static final X509ExtendedTrustManager ACCEPT_ANY = new X509ExtendedTrustManager() {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException("server side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      throw new UnsupportedOperationException("server side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("server side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  };

  private static byte[] sha256(byte[] data) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
