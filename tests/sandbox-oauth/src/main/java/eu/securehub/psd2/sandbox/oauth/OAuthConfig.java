package eu.securehub.psd2.sandbox.oauth;

import com.nimbusds.jose.jwk.JWKSet;
import org.eclipse.jetty.server.Request;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Settings of an {@link AuthorizationServer}. Build with {@link #builder()}; only the issuer is required.
 */
public final class OAuthConfig {

    private final Supplier<URI> issuer;
    private final Clock clock;
    private final Duration accessTokenLifetime;
    private final Duration codeLifetime;
    private final Duration requestUriLifetime;
    private final Duration refreshTokenLifetime;
    private final Duration idTokenLifetime;
    private final Duration loginLifetime;
    private final Duration signingKeyGracePeriod;
    private final int signingKeySize;
    private final String bankName;
    private final Function<String, Optional<JWKSet>> clientJwks;
    private final Function<Request, Optional<X509Certificate>> clientCertificate;

    private OAuthConfig(Builder b) {
        this.issuer = Objects.requireNonNull(b.issuer, "issuer");
        this.clock = b.clock;
        this.accessTokenLifetime = positive(b.accessTokenLifetime, "accessTokenLifetime");
        this.codeLifetime = positive(b.codeLifetime, "codeLifetime");
        this.requestUriLifetime = positive(b.requestUriLifetime, "requestUriLifetime");
        this.refreshTokenLifetime = positive(b.refreshTokenLifetime, "refreshTokenLifetime");
        this.idTokenLifetime = positive(b.idTokenLifetime, "idTokenLifetime");
        this.loginLifetime = positive(b.loginLifetime, "loginLifetime");
        this.signingKeyGracePeriod = Objects.requireNonNull(b.signingKeyGracePeriod, "signingKeyGracePeriod");
        if (b.signingKeySize < 2048) {
            throw new IllegalArgumentException("signingKeySize must be at least 2048");
        }
        this.signingKeySize = b.signingKeySize;
        this.bankName = Objects.requireNonNull(b.bankName, "bankName");
        this.clientJwks = Objects.requireNonNull(b.clientJwks, "clientJwks");
        this.clientCertificate = Objects.requireNonNull(b.clientCertificate, "clientCertificate");
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The issuer identifier (the bank's base URL, no trailing slash), e.g. {@code https://127.0.0.1:8443}. */
    public String issuer() {
        String s = Objects.requireNonNull(issuer.get(), "issuer").toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    public Clock clock() { return clock; }
    public Duration accessTokenLifetime() { return accessTokenLifetime; }
    public Duration codeLifetime() { return codeLifetime; }
    public Duration requestUriLifetime() { return requestUriLifetime; }
    public Duration refreshTokenLifetime() { return refreshTokenLifetime; }
    public Duration idTokenLifetime() { return idTokenLifetime; }
    public Duration loginLifetime() { return loginLifetime; }
    public Duration signingKeyGracePeriod() { return signingKeyGracePeriod; }
    public int signingKeySize() { return signingKeySize; }
    public String bankName() { return bankName; }
    public Function<String, Optional<JWKSet>> clientJwks() { return clientJwks; }
    public Function<Request, Optional<X509Certificate>> clientCertificate() { return clientCertificate; }

    public static final class Builder {
        private Supplier<URI> issuer;
        private Clock clock = Clock.systemUTC();
        private Duration accessTokenLifetime = Duration.ofSeconds(300);
        private Duration codeLifetime = Duration.ofSeconds(60);
        private Duration requestUriLifetime = Duration.ofSeconds(60);
        private Duration refreshTokenLifetime = Duration.ofDays(90);
        private Duration idTokenLifetime = Duration.ofSeconds(300);
        private Duration loginLifetime = Duration.ofMinutes(10);
        private Duration signingKeyGracePeriod = Duration.ofHours(24);
        private int signingKeySize = 2048;
        private String bankName = "Sandbox Bank";
        private Function<String, Optional<JWKSet>> clientJwks = clientId -> Optional.empty();
        private Function<Request, Optional<X509Certificate>> clientCertificate = ClientCertificates::fromTls;

        private Builder() {
        }

        /** The issuer: the bank's base URL {@code https://127.0.0.1:<port>}. */
        public Builder issuer(URI issuer) {
            Objects.requireNonNull(issuer, "issuer");
            this.issuer = () -> issuer;
            return this;
        }

        /** The issuer, read on every request (for a server whose port is known only once it has started). */
        public Builder issuer(Supplier<URI> issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** The clock for every lifetime and timestamp (tests inject one). Default: system UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Access token lifetime. Default 300 s. */
        public Builder accessTokenLifetime(Duration d) { this.accessTokenLifetime = d; return this; }

        /** Authorisation code lifetime. Default 60 s. */
        public Builder codeLifetime(Duration d) { this.codeLifetime = d; return this; }

        /** PAR request_uri lifetime. Default 60 s. */
        public Builder requestUriLifetime(Duration d) { this.requestUriLifetime = d; return this; }

        /** Refresh token lifetime (each rotation issues a token with this lifetime). Default 90 days. */
        public Builder refreshTokenLifetime(Duration d) { this.refreshTokenLifetime = d; return this; }

        /** id_token lifetime. Default 300 s. */
        public Builder idTokenLifetime(Duration d) { this.idTokenLifetime = d; return this; }

        /** How long the customer has from the login page to the approval. Default 10 minutes. */
        public Builder loginLifetime(Duration d) { this.loginLifetime = d; return this; }

        /** How long a retired signing key stays published in the JWKS after a rotation. Default 24 h. */
        public Builder signingKeyGracePeriod(Duration d) { this.signingKeyGracePeriod = d; return this; }

        /** RSA modulus size of the PS256 signing keys. Default 2048. */
        public Builder signingKeySize(int bits) { this.signingKeySize = bits; return this; }

        /** The bank's name on the login and consent pages. Default "Sandbox Bank". */
        public Builder bankName(String name) { this.bankName = name; return this; }

        /**
         * The public keys of each client that authenticates with private_key_jwt (by client_id). Default: none, so
         * only tls_client_auth works.
         */
        public Builder clientJwks(Function<String, Optional<JWKSet>> clientJwks) {
            this.clientJwks = clientJwks;
            return this;
        }

        /**
         * How to find the client certificate of a request. Default {@link ClientCertificates#fromTls}: the leaf of the
         * peer chain the TLS layer verified (Jetty's {@code EndPoint.SslSessionData}, set by SecureRequestCustomizer).
         */
        public Builder clientCertificate(Function<Request, Optional<X509Certificate>> clientCertificate) {
            this.clientCertificate = clientCertificate;
            return this;
        }

        public OAuthConfig build() {
            return new OAuthConfig(this);
        }
    }
}
