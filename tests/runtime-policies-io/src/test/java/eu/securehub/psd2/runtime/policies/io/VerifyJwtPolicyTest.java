package eu.securehub.psd2.runtime.policies.io;

import static eu.securehub.psd2.runtime.policies.io.Faults.fault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.testpki.TestPki;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VerifyJwtPolicyTest {
    static RSAKey rsa;
    static ECKey ec;
    static RSAKey otherRsa;
    static TestPki pki;

    TestEnvironment env = new TestEnvironment();
    VerifyJwtFactory factory = new VerifyJwtFactory();

    @BeforeAll
    static void keys() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        otherRsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        pki = TestPki.create(List.of("alpha"));
    }

    static final String POLICY = """
            <VerifyJWT name="VJ">
              <Algorithm>PS256</Algorithm>
              <Source>private.id_token</Source>
              <PublicKey><JWKS ref="bank.jwks"/></PublicKey>
              <Issuer ref="bank.issuer"/>
              <Audience ref="bank.client_id"/>
              <AdditionalClaims><Claim name="nonce" ref="callback.nonce" type="string"/></AdditionalClaims>
              <TimeAllowance>60s</TimeAllowance>
              <IgnoreUnresolvedVariables>false</IgnoreUnresolvedVariables>
            </VerifyJWT>""";

    Policy policy(String xml) {
        return factory.create(TestXml.parse(xml), null);
    }

    Instant now() {
        return env.clock.instant();
    }

    JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer("https://bank.example").audience("hub-client").subject("psu-1")
                .claim("nonce", "n-123").issueTime(Date.from(now())).expirationTime(Date.from(now().plusSeconds(300)));
    }

    String sign(JWSAlgorithm alg, String kid, JWSSigner signer, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    String ps256(JWTClaimsSet claims) throws Exception {
        return sign(JWSAlgorithm.PS256, "rsa-1", new RSASSASigner(rsa), claims);
    }

    TestContext ctx(String token) {
        return new TestContext(env).with("private.id_token", token)
                .with("bank.jwks", new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString())
                .with("bank.issuer", "https://bank.example").with("bank.client_id", "hub-client")
                .with("callback.nonce", "n-123");
    }

    @Test
    void aValidTokenSetsTheDocumentedVariables() throws Exception {
        TestContext c = ctx(ps256(claims().build()));
        policy(POLICY).execute(c);
        assertThat(c.vars).containsEntry("jwt.VJ.valid", true)
                .containsEntry("jwt.VJ.header.algorithm", "PS256").containsEntry("jwt.VJ.header.kid", "rsa-1")
                .containsEntry("jwt.VJ.claim.issuer", "https://bank.example")
                .containsEntry("jwt.VJ.claim.audience", "hub-client").containsEntry("jwt.VJ.claim.subject", "psu-1")
                .containsEntry("jwt.VJ.claim.nonce", "n-123").containsEntry("jwt.VJ.decoded.claim.nonce", "n-123")
                .containsEntry("jwt.VJ.claim.expiry", Long.toString(now().plusSeconds(300).getEpochSecond()))
                .containsEntry("jwt.VJ.seconds_remaining", "300").containsEntry("jwt.VJ.is_expired", "false")
                .containsKeys("jwt.VJ.payload-json", "jwt.VJ.header-json", "jwt.VJ.claim.names", "jwt.VJ.expiry_formatted");
        assertThat(c.vars).doesNotContainKey("JWT.failed");
    }

    @Test
    void anEs256TokenIsAcceptedByAnEs256Policy() throws Exception {
        TestContext c = ctx(sign(JWSAlgorithm.ES256, "ec-1", new ECDSASigner(ec), claims().build()));
        assertThatCode(() -> policy(POLICY.replace(">PS256<", ">ES256<")).execute(c)).doesNotThrowAnyException();
        // The PS256 policy refuses it: one algorithm configured, another in the token.
        fault(policy(POLICY), ctx(sign(JWSAlgorithm.ES256, "ec-1", new ECDSASigner(ec), claims().build())),
                "steps.jwt.AlgorithmMismatch", 401);
    }

    @Test
    void aListOfOneKeyTypeIsAcceptedButRsaAndEcAreNotMixed() throws Exception {
        TestContext c = ctx(sign(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsa), claims().build()));
        assertThatCode(() -> policy(POLICY.replace(">PS256<", ">PS256,RS256<")).execute(c)).doesNotThrowAnyException();
        for (String mixed : List.of("PS256,ES256", "ES256,RS256", "ES256, PS512")) {
            assertThatThrownBy(() -> policy(POLICY.replace(">PS256<", ">" + mixed + "<"))).as(mixed)
                    .isInstanceOf(ConfigError.class).hasMessageContaining("one VerifyJWT policy per key type");
        }
    }

    void refused(String token, String fault, Consumer<TestContext> change) {
        TestContext c = ctx(token);
        change.accept(c);
        fault(policy(POLICY), c, "steps.jwt." + fault, 401);
        assertThat(c.vars).containsEntry("JWT.failed", true).containsEntry("jwt.VJ.valid", false).containsKey("jwt.VJ.error");
    }

    void refused(String token, String fault) {
        refused(token, fault, c -> { });
    }

    @Test
    void aTamperedTokenIsInvalidToken() throws Exception {
        String t = ps256(claims().build());
        String[] parts = t.split("\\.");
        String payload = Base64URL.encode(claims().subject("someone-else").build().toString()).toString();
        refused(parts[0] + "." + payload + "." + parts[2], "InvalidToken");
        refused(sign(JWSAlgorithm.PS256, "rsa-1", new RSASSASigner(otherRsa), claims().build()), "InvalidToken");
    }

    @Test
    void expiryAndNotBeforeHonourTheAllowance() throws Exception {
        refused(ps256(claims().expirationTime(Date.from(now().minusSeconds(61))).build()), "TokenExpired");
        assertThatCode(() -> policy(POLICY).execute(ctx(ps256(claims().expirationTime(Date.from(now().minusSeconds(30))).build()))))
                .doesNotThrowAnyException();
        refused(ps256(claims().notBeforeTime(Date.from(now().plusSeconds(61))).build()), "TokenNotYetValid");
        refused(ps256(claims().issueTime(Date.from(now().plusSeconds(120))).build()), "TokenNotYetValid");
        assertThatCode(() -> policy(POLICY).execute(ctx(ps256(claims().notBeforeTime(Date.from(now().plusSeconds(30))).build()))))
                .doesNotThrowAnyException();
    }

    @Test
    void wrongIssuerAudienceOrNonceIsInvalidClaim() throws Exception {
        refused(ps256(claims().issuer("https://evil.example").build()), "InvalidClaim");
        refused(ps256(claims().audience(List.of("other", "another")).build()), "InvalidClaim");
        refused(ps256(claims().claim("nonce", "n-999").build()), "InvalidClaim");
        refused(ps256(claims().claim("nonce", null).build()), "InvalidClaim");
        // An audience array passes if any entry matches.
        assertThatCode(() -> policy(POLICY).execute(ctx(ps256(claims().audience(List.of("x", "hub-client")).build()))))
                .doesNotThrowAnyException();
    }

    @Test
    void algNoneAndHmacWithThePublicKeyAreRefused() throws Exception {
        Policy list = policy(POLICY.replace(">PS256<", ">PS256,RS256<"));
        fault(list, ctx(new PlainJWT(claims().build()).serialize()),
                "steps.jwt.AlgorithmInTokenNotPresentInConfiguration", 401);
        refused(new PlainJWT(claims().build()).serialize(), "AlgorithmMismatch");
        // HS256 "signed" with the bank's public key bytes as the secret: alg not in the configured list.
        byte[] pub = rsa.toRSAPublicKey().getEncoded();
        byte[] secret = java.util.Arrays.copyOf(pub, Math.max(pub.length, 32));
        fault(list, ctx(sign(JWSAlgorithm.HS256, "rsa-1", new MACSigner(secret), claims().build())),
                "steps.jwt.AlgorithmInTokenNotPresentInConfiguration", 401);
        refused(sign(JWSAlgorithm.HS256, "rsa-1", new MACSigner(secret), claims().build()), "AlgorithmMismatch");
    }

    @Test
    void unknownOrMissingKidIsRefused() throws Exception {
        refused(sign(JWSAlgorithm.PS256, "rsa-9", new RSASSASigner(rsa), claims().build()), "NoMatchingPublicKey");
        refused(sign(JWSAlgorithm.PS256, null, new RSASSASigner(rsa), claims().build()), "KeyIdMissing");
        Policy es = policy(POLICY.replace(">PS256<", ">ES256<"));
        fault(es, ctx(sign(JWSAlgorithm.ES256, "rsa-1", new ECDSASigner(ec), claims().build())), "steps.jwt.WrongKeyType", 401);
    }

    @Test
    void undecodableAndMissingTokens() {
        refused("not-a-jwt", "FailedToDecode");
        refused(null, "FailedToResolveVariable");
        refused("x", "FailedToResolveVariable", c -> c.vars.remove("private.id_token"));
    }

    @Test
    void unresolvedExpectedValuesFailUnlessIgnored() throws Exception {
        String token = ps256(claims().build());
        refused(token, "FailedToResolveVariable", c -> c.vars.remove("callback.nonce"));
        Policy ignoring = policy(POLICY.replace("<IgnoreUnresolvedVariables>false", "<IgnoreUnresolvedVariables>true"));
        TestContext c = ctx(token);
        c.vars.remove("callback.nonce");
        // Ignored means "empty", never "skipped": the nonce check still fails.
        fault(ignoring, c, "steps.jwt.InvalidClaim", 401);
    }

    @Test
    void pemValueAndCertificateKeys() throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa.toRSAPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----";
        Policy value = policy("""
                <VerifyJWT name="VJ"><Algorithm>RS256</Algorithm><Source>tok</Source>
                <PublicKey><Value ref="pem"/></PublicKey></VerifyJWT>""");
        TestContext c = new TestContext(env).with("pem", pem)
                .with("tok", sign(JWSAlgorithm.RS256, null, new RSASSASigner(rsa), claims().build()));
        value.execute(c);
        assertThat(c.vars).containsEntry("jwt.VJ.valid", true);

        var cred = pki.bankServer("alpha");
        String certPem = cred.certificatePem();
        java.security.PrivateKey key = cred.key();
        JWSSigner signer = key instanceof java.security.interfaces.ECPrivateKey e ? new ECDSASigner(e) : new RSASSASigner(key);
        JWSAlgorithm alg = key instanceof java.security.interfaces.ECPrivateKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
        Policy cert = policy("""
                <VerifyJWT name="VC"><Algorithm>@ALG@</Algorithm><Source>tok</Source>
                <PublicKey><Certificate ref="cert"/></PublicKey></VerifyJWT>""".replace("@ALG@", alg.getName()));
        TestContext c2 = new TestContext(env).with("cert", certPem).with("tok", sign(alg, null, signer, claims().build()));
        cert.execute(c2);
        assertThat(c2.vars).containsEntry("jwt.VC.valid", true);
    }

    @Test
    void theAuthorizationHeaderIsTheDefaultSource() throws Exception {
        Policy p = policy("""
                <VerifyJWT name="VD"><Algorithm>PS256</Algorithm><PublicKey><JWKS ref="jwks"/></PublicKey></VerifyJWT>""");
        TestMessage r = TestMessage.request("GET", "/", "").header("Authorization", "Bearer " + ps256(claims().build()));
        TestContext c = new TestContext(env, null, r).with("jwks", new JWKSet(rsa.toPublicJWK()).toString());
        p.execute(c);
        assertThat(c.vars).containsEntry("jwt.VD.valid", true);
        fault(p, new TestContext(env).with("jwks", "{}"), "steps.jwt.FailedToResolveVariable", 401);
    }

    @Test
    void jwksByUrlIsFetchedWithTheJvmsDefaultTrustOnlyAndCached300s() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        String jwks = new JWKSet(List.of(rsa.toPublicJWK())).toString();
        try (TlsServer server = TlsServer.https(pki.bankServer("alpha"), x -> {
            hits.incrementAndGet();
            TlsServer.respond(x, 200, "application/json", jwks);
        })) {
            // The environment trusts the bank's test CA, but VerifyJWT's <JWKS uriRef> has no truststore setting:
            // Apigee fetches it with its public trust, so a JWKS behind a private CA is never trusted.
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("bank-ca", pki.bankCa("alpha"));
            env.keyStore("bank-truststore", trust, new char[0]);
            Policy p = policy(POLICY.replace("<JWKS ref=\"bank.jwks\"/>", "<JWKS uriRef=\"bank.jwks_uri\"/>"));
            String url = server.url("https", "/jwks");
            String token = ps256(claims().build());
            fault(p, ctx(token).with("bank.jwks_uri", url), "steps.jwt.UnknownException", 401);
            assertThat(env.sentSsl).last().satisfies(s -> {
                assertThat(s.enforce()).isTrue();
                assertThat(s.trustStore()).as("no truststore: the JVM's default trust").isNull();
                assertThat(s.keyStore()).as("no client certificate").isNull();
            });
            assertThat(hits.get()).as("the handshake failed before any request").isZero();
        }
    }

    @Test
    void jwksByUrlIsCached300s() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        String jwks = new JWKSet(List.of(rsa.toPublicJWK())).toString();
        try (TlsServer server = TlsServer.http(x -> {
            hits.incrementAndGet();
            TlsServer.respond(x, 200, "application/json", jwks);
        })) {
            Policy p = policy(POLICY.replace("<JWKS ref=\"bank.jwks\"/>", "<JWKS uriRef=\"bank.jwks_uri\"/>"));
            String url = server.url("http", "/jwks");
            String token = ps256(claims().build());
            p.execute(ctx(token).with("bank.jwks_uri", url));
            p.execute(ctx(token).with("bank.jwks_uri", url));
            assertThat(hits.get()).isEqualTo(1);
            env.clock.advance(Duration.ofSeconds(299));
            p.execute(ctx(token).with("bank.jwks_uri", url));
            assertThat(hits.get()).isEqualTo(1);
            env.clock.advance(Duration.ofSeconds(2));
            p.execute(ctx(token).with("bank.jwks_uri", url));
            assertThat(hits.get()).isEqualTo(2);
        }
    }

    @Test
    void configurationIsStrict() {
        assertThatThrownBy(() -> policy(POLICY.replace(">PS256<", ">HS256<")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("SecretKey");
        assertThatThrownBy(() -> policy(POLICY.replace("name=\"nonce\"", "name=\"iss\"")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("InvalidNameForAdditionalClaim");
        assertThatThrownBy(() -> policy(POLICY.replace("<TimeAllowance>60s", "<TimeAllowance>soon")))
                .isInstanceOf(ConfigError.class);
        assertThatThrownBy(() -> policy(POLICY.replace("<TimeAllowance>", "<MaxLifespan>1h</MaxLifespan><TimeAllowance>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("MaxLifespan");
        assertThatThrownBy(() -> policy(POLICY.replace("<JWKS ref=\"bank.jwks\"/>", "<JWKS uri=\"http://x/jwks\"/>")))
                .isInstanceOf(ConfigError.class);
        assertThatThrownBy(() -> policy(POLICY.replace("<JWKS ref=\"bank.jwks\"/>", "<JWKS ref=\"a\" uriRef=\"b\"/>")))
                .isInstanceOf(ConfigError.class);
    }
}
