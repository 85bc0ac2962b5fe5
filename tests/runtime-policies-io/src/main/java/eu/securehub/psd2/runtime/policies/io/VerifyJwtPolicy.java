package eu.securehub.psd2.runtime.policies.io;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import eu.securehub.psd2.runtime.expr.MessageTemplate;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * VerifyJWT for signed tokens [semantics §0, §4.6]. Supported elements: {@code <Algorithm>} (one, or a comma
 * list), {@code <Type>Signed}, {@code <Source>}, {@code <PublicKey>} with exactly one of {@code <Value ref|PEM>},
 * {@code <Certificate ref|PEM>}, {@code <JWKS uri|uriRef|ref|JSON>}, {@code <Issuer>}/{@code <Audience>}/
 * {@code <Subject>} (literal or {@code ref}), {@code <AdditionalClaims><Claim name ref type array>},
 * {@code <TimeAllowance>}, {@code <IgnoreUnresolvedVariables>}. Not emulated, hence start-up errors: encrypted
 * JWTs ({@code <Algorithms>}, Type Encrypted), {@code <SecretKey>} (HS*), {@code <Id>}, {@code <KnownHeaders>},
 * {@code <AdditionalHeaders>}, {@code <MaxLifespan>}, {@code <IgnoreIssuedAt>}, {@code <IgnoreCriticalHeaders>}.
 * HS* algorithms need a SecretKey, so configuring one with a PublicKey is refused at start-up; and a token
 * whose alg is HS* (e.g. signed with the bank's public key as an HMAC secret) never matches the configured
 * asymmetric algorithms, so it is refused before any key is used.
 *
 * <p>Errors: all 401, errorcode {@code steps.jwt.<Name>}; {@code JWT.failed} true (shared by all JWT policies)
 * and {@code jwt.{policy}.error} set; {@code jwt.{policy}.valid} false. Choices on UNCONFIRMED points:
 * <ul>
 * <li>Claim mismatches (iss, aud, sub, additional claims) and missing claims raise {@code InvalidClaim} — what
 *     live X answered for a wrong aud [community]; the table's JwtIssuerMismatch/JwtAudienceMismatch/
 *     JwtSubjectMismatch are not what the live policy returns.</li>
 * <li>{@code alg: none} (an unsigned token) and an alg outside the configured list: with one configured
 *     algorithm {@code AlgorithmMismatch}, with a list {@code AlgorithmInTokenNotPresentInConfiguration}.</li>
 * <li>{@code <TimeAllowance>} default 0 [memory]; it widens exp, nbf and the future-iat check. exp is
 *     exclusive (RFC 7519: invalid on or after exp). An iat in the future beyond the allowance is
 *     TokenNotYetValid (Apigee checks iat unless IgnoreIssuedAt, which is not emulated).</li>
 * <li>{@code <IgnoreUnresolvedVariables>true}: an unresolved expected value (Issuer/Audience/Subject/claim ref)
 *     is treated as empty, so its check fails (never skipped: skipping would accept any token); false: an
 *     unresolved variable is {@code FailedToResolveVariable} (observed live for an unresolvable Source).</li>
 * <li>JWKS by URL: fetched with Environment.http() and the JVM's default trust only (see {@link JwksCache}), cached 300 s;
 *     a fetch failure is {@code UnknownException}, an unparsable JWKS {@code InvalidJsonFormat}. JWKS needs a
 *     kid in the token ({@code KeyIdMissing}); an unknown kid is {@code NoMatchingPublicKey}; a key of the wrong
 *     type for the alg is {@code WrongKeyType}.</li>
 * </ul>
 */
final class VerifyJwtPolicy extends BasePolicy {
    private static final Set<String> REGISTERED = Set.of("kid", "iss", "sub", "aud", "iat", "exp", "nbf", "jti");
    private static final Set<String> SUPPORTED = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512");
    private static final DateTimeFormatter FORMATTED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

    private enum KeyKind { VALUE, CERTIFICATE, JWKS_URI, JWKS_URI_REF, JWKS_REF, JWKS_LITERAL }

    private record Expected(String literal, String ref) {
    }

    private record ClaimCheck(String name, Expected value, String type, boolean array) {
    }

    private final List<String> algorithms;
    private final String source;
    private final KeyKind keyKind;
    private final String keyText;
    private final PublicKey staticKey;
    private final JWKSet staticJwks;
    private final Expected issuer;
    private final Expected audience;
    private final Expected subject;
    private final List<ClaimCheck> claims;
    private final Duration allowance;
    private final boolean ignoreUnresolved;
    private final JwksCache cache;

    VerifyJwtPolicy(PolicyXml xml, JwksCache cache) {
        super(xml, "VerifyJWT");
        this.cache = cache;
        PolicyXml alg = xml.child("Algorithm").orElseThrow(() -> xml.error(
                "<Algorithm> is required (encrypted JWTs with <Algorithms> are not supported by the local runtime)"));
        List<String> algs = new ArrayList<>();
        for (String a : alg.text().split(",")) {
            String t = a.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (t.startsWith("HS")) {
                throw alg.error("InvalidConfigurationForActionAndAlgorithm: " + t
                        + " needs a <SecretKey>, which the local runtime does not support; a <PublicKey> is for RS/PS/ES");
            }
            if (!SUPPORTED.contains(t)) {
                throw alg.error("InvalidAlgorithm: '" + t + "' (supported: " + String.join(", ", SUPPORTED) + ")");
            }
            algs.add(t);
        }
        if (algs.isEmpty()) {
            throw alg.error("<Algorithm> is empty");
        }
        // A comma list is accepted by Apigee (its error table: AlgorithmInTokenNotPresentInConfiguration "occurs when
        // the verification policy has multiple algorithms"), but no page read confirms that algorithms needing
        // different key types (RSA for RS*/PS*, an EC key for ES*) may be combined: refused, one policy per family.
        if (algs.stream().map(a -> a.substring(0, 2).equals("ES")).distinct().count() > 1) {
            throw alg.error("<Algorithm> " + alg.text() + " mixes RSA (RS*, PS*) and EC (ES*) algorithms, which the "
                    + "VerifyJWT reference does not confirm: use one VerifyJWT policy per key type");
        }
        this.algorithms = List.copyOf(algs);
        xml.child("Type").ifPresent(t -> {
            if (!t.text().equals("Signed")) {
                throw t.error("<Type> " + t.text() + " is not supported by the local runtime (Signed only)");
            }
        });
        this.source = xml.childText("Source").filter(s -> !s.isEmpty()).orElse(null);

        PolicyXml pk = xml.child("PublicKey").orElseThrow(() -> xml.error(
                "MissingConfigurationElement: <PublicKey> is required for " + String.join(",", algorithms)));
        List<PolicyXml> kinds = new ArrayList<>();
        pk.child("Value").ifPresent(kinds::add);
        pk.child("Certificate").ifPresent(kinds::add);
        pk.child("JWKS").ifPresent(kinds::add);
        if (kinds.size() != 1) {
            throw pk.error("InvalidKeyConfiguration: <PublicKey> needs exactly one of <Value>, <Certificate>, <JWKS>");
        }
        PolicyXml k = kinds.get(0);
        PublicKey sk = null;
        JWKSet sj = null;
        switch (k.elementName()) {
            case "Value", "Certificate" -> {
                Optional<String> ref = k.optionalAttribute("ref");
                String text = k.text();
                if (ref.isPresent() == !text.isEmpty()) {
                    throw k.error("EmptyElementForKeyConfiguration: <" + k.elementName() + "> needs either ref or a PEM text");
                }
                this.keyKind = k.elementName().equals("Value") ? KeyKind.VALUE : KeyKind.CERTIFICATE;
                this.keyText = ref.orElse(null);
                if (ref.isEmpty()) {
                    try {
                        sk = keyKind == KeyKind.VALUE ? pemPublicKey(text) : pemCertificateKey(text);
                    } catch (Exception e) {
                        throw k.error("InvalidPublicKey: " + e.getMessage());
                    }
                }
            }
            default -> {
                Optional<String> uri = k.optionalAttribute("uri");
                Optional<String> uriRef = k.optionalAttribute("uriRef");
                Optional<String> ref = k.optionalAttribute("ref");
                String text = k.text();
                int n = (uri.isPresent() ? 1 : 0) + (uriRef.isPresent() ? 1 : 0) + (ref.isPresent() ? 1 : 0)
                        + (text.isEmpty() ? 0 : 1);
                if (n != 1) {
                    throw k.error("InvalidKeyConfiguration: <JWKS> needs exactly one of uri, uriRef, ref or a JWKS text");
                }
                if (uri.isPresent()) {
                    // A literal URL: Apigee does not treat it as a template [§0]; it must be https.
                    if (!uri.get().startsWith("https://") || uri.get().contains("{")) {
                        throw k.error("<JWKS uri> must be a literal https:// URL (use uriRef for a variable)");
                    }
                    this.keyKind = KeyKind.JWKS_URI;
                    this.keyText = uri.get();
                } else if (uriRef.isPresent()) {
                    this.keyKind = KeyKind.JWKS_URI_REF;
                    this.keyText = uriRef.get();
                } else if (ref.isPresent()) {
                    this.keyKind = KeyKind.JWKS_REF;
                    this.keyText = ref.get();
                } else {
                    this.keyKind = KeyKind.JWKS_LITERAL;
                    this.keyText = null;
                    try {
                        sj = JWKSet.parse(text);
                    } catch (ParseException e) {
                        throw k.error("InvalidJsonFormat: <JWKS> is not a JWK set: " + e.getMessage());
                    }
                }
            }
        }
        this.staticKey = sk;
        this.staticJwks = sj;
        pk.done();

        this.issuer = expected(xml, "Issuer");
        this.audience = expected(xml, "Audience");
        this.subject = expected(xml, "Subject");
        List<ClaimCheck> cc = new ArrayList<>();
        xml.child("AdditionalClaims").ifPresent(ac -> {
            for (PolicyXml c : ac.children("Claim")) {
                String name = c.attribute("name");
                if (REGISTERED.contains(name)) {
                    throw c.error("InvalidNameForAdditionalClaim: claim(" + name + ") is a registered claim name");
                }
                String type = c.optionalAttribute("type").orElse("string").toLowerCase(Locale.ROOT);
                if (!Set.of("string", "number", "boolean", "map").contains(type)) {
                    throw c.error("InvalidTypeForAdditionalClaim: type '" + type + "' (string, number, boolean, map)");
                }
                boolean array = c.optionalAttribute("array").map(a -> {
                    if (!a.equals("true") && !a.equals("false")) {
                        throw c.error("array must be true or false");
                    }
                    return a.equals("true");
                }).orElse(false);
                Optional<String> ref = c.optionalAttribute("ref");
                String text = c.text();
                if (ref.isEmpty() && text.isEmpty()) {
                    throw c.error("<Claim name=\"" + name + "\"> needs a ref or a value");
                }
                cc.add(new ClaimCheck(name, new Expected(text.isEmpty() ? null : text, ref.orElse(null)), type, array));
            }
        });
        this.claims = List.copyOf(cc);
        this.allowance = xml.child("TimeAllowance").map(t -> Xml.duration(t, t.text())).orElse(Duration.ZERO);
        this.ignoreUnresolved = Xml.bool(xml, "IgnoreUnresolvedVariables").orElse(false);
    }

    private static Expected expected(PolicyXml xml, String child) {
        return xml.child(child).map(e -> {
            Optional<String> ref = e.optionalAttribute("ref");
            String text = e.text();
            if (ref.isEmpty() && text.isEmpty()) {
                throw e.error("<" + child + "> needs a ref or a value");
            }
            // A literal with a ref is the default when the ref is unresolved (as GenerateJWT documents).
            return new Expected(text.isEmpty() ? null : text, ref.orElse(null));
        }).orElse(null);
    }

    // ------------------------------------------------------------------------------------------------ run time

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        String prefix = "jwt." + name() + ".";
        ctx.set(prefix + "valid", false);
        try {
            verify(ctx, prefix);
            ctx.set(prefix + "valid", true);
        } catch (PolicyFault f) {
            ctx.set("JWT.failed", true);
            ctx.set(prefix + "error", f.faultString());
            throw f;
        }
    }

    private void verify(FlowContext ctx, String prefix) {
        String token = token(ctx);
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw fault("FailedToDecode", "Failed to Decode Token: policy(" + name() + ")");
        }
        if (jwt instanceof EncryptedJWT) {
            throw fault("InvalidToken", "Invalid token: policy(" + name() + ") the token is encrypted, a signed JWT is expected");
        }
        JWTClaimsSet claimsSet;
        try {
            claimsSet = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw fault("FailedToDecode", "Failed to Decode Token: policy(" + name() + ")");
        }
        setDecoded(ctx, prefix, jwt, claimsSet);
        if (jwt instanceof PlainJWT) {
            throw algorithmFault("none");
        }
        SignedJWT signed = (SignedJWT) jwt;
        JWSHeader header = signed.getHeader();
        String alg = header.getAlgorithm() == null ? null : header.getAlgorithm().getName();
        if (alg == null || alg.isEmpty()) {
            throw fault("NoAlgorithmFoundInHeader", "No algorithm found in header: policy(" + name() + ")");
        }
        if (!algorithms.contains(alg)) {
            throw algorithmFault(alg);
        }
        PublicKey key = key(ctx, header, alg);
        JWSVerifier verifier;
        try {
            if (alg.startsWith("ES")) {
                if (!(key instanceof ECPublicKey ec)) {
                    throw fault("WrongKeyType", "Wrong key type: policy(" + name() + ") " + alg + " needs an EC key");
                }
                verifier = new ECDSAVerifier(ec);
            } else {
                if (!(key instanceof RSAPublicKey rsa)) {
                    throw fault("WrongKeyType", "Wrong key type: policy(" + name() + ") " + alg + " needs an RSA key");
                }
                verifier = new RSASSAVerifier(rsa);
            }
            if (!signed.verify(verifier)) {
                throw fault("InvalidToken", "Invalid token: policy(" + name() + ")");
            }
        } catch (JOSEException e) {
            throw fault("InvalidToken", "Invalid token: policy(" + name() + ") " + e.getMessage());
        }
        checkTimes(ctx, prefix, claimsSet);
        if (issuer != null) {
            String want = resolve(ctx, issuer);
            if (!want.equals(claimsSet.getIssuer())) {
                throw invalidClaim("iss", claimsSet.getIssuer(), want);
            }
        }
        if (subject != null) {
            String want = resolve(ctx, subject);
            if (!want.equals(claimsSet.getSubject())) {
                throw invalidClaim("sub", claimsSet.getSubject(), want);
            }
        }
        if (audience != null) {
            String want = resolve(ctx, audience);
            List<String> aud = claimsSet.getAudience();
            if (aud == null || !aud.contains(want)) {
                throw invalidClaim("aud", aud == null ? null : String.join(",", aud), want);
            }
        }
        for (ClaimCheck c : claims) {
            String want = resolve(ctx, c.value());
            Object got = claimsSet.getClaim(c.name());
            if (!matches(got, want, c)) {
                throw invalidClaim(c.name(), got == null ? null : String.valueOf(got), want);
            }
        }
        setVerified(ctx, prefix, signed, claimsSet);
    }

    private String token(FlowContext ctx) {
        if (source != null) {
            String v = ctx.getString(source);
            if (v == null || v.isBlank()) {
                throw fault("FailedToResolveVariable", "Failed to Resolve Variable : policy(" + name() + ") variable(" + source + ")");
            }
            return v.trim();
        }
        // No <Source>: the Authorization header, "Bearer " stripped [§0].
        String h = ctx.request().headers().first("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.substring(7).isBlank()) {
            throw fault("FailedToResolveVariable", "Failed to Resolve Variable : policy(" + name()
                    + ") variable(request.header.authorization)");
        }
        return h.substring(7).trim();
    }

    private PolicyFault algorithmFault(String alg) {
        if (algorithms.size() == 1) {
            return fault("AlgorithmMismatch", "Algorithm mismatch: policy(" + name() + ") expected " + algorithms.get(0)
                    + ", token " + alg);
        }
        return fault("AlgorithmInTokenNotPresentInConfiguration", "Algorithm in token " + alg
                + " not present in configuration: policy(" + name() + ")");
    }

    private PublicKey key(FlowContext ctx, JWSHeader header, String alg) {
        switch (keyKind) {
            case VALUE, CERTIFICATE -> {
                if (staticKey != null) {
                    return staticKey;
                }
                String pem = variable(ctx, keyText);
                try {
                    return keyKind == KeyKind.VALUE ? pemPublicKey(pem) : pemCertificateKey(pem);
                } catch (Exception e) {
                    throw fault("InvalidPublicKey", "Invalid public key: policy(" + name() + ")");
                }
            }
            default -> {
                JWKSet set = jwks(ctx);
                String kid = header.getKeyID();
                if (kid == null || kid.isEmpty()) {
                    throw fault("KeyIdMissing", "The token has no kid and the policy uses a JWKS: policy(" + name() + ")");
                }
                JWK jwk = set.getKeyByKeyId(kid);
                if (jwk == null) {
                    throw fault("NoMatchingPublicKey", "No matching public key for kid " + kid + ": policy(" + name() + ")");
                }
                if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
                    throw fault("NoMatchingPublicKey", "The key " + kid + " is not a signing key: policy(" + name() + ")");
                }
                if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().getName().equals(alg)) {
                    throw fault("AlgorithmMismatch", "The key " + kid + " is for " + jwk.getAlgorithm().getName()
                            + ", the token uses " + alg + ": policy(" + name() + ")");
                }
                try {
                    if (jwk instanceof RSAKey rsa) {
                        return rsa.toRSAPublicKey();
                    }
                    if (jwk instanceof ECKey ec) {
                        return ec.toECPublicKey();
                    }
                } catch (JOSEException e) {
                    throw fault("KeyParsingFailed", "Key parsing failed for kid " + kid + ": policy(" + name() + ")");
                }
                throw fault("WrongKeyType", "The key " + kid + " is neither RSA nor EC: policy(" + name() + ")");
            }
        }
    }

    private JWKSet jwks(FlowContext ctx) {
        switch (keyKind) {
            case JWKS_LITERAL -> {
                return staticJwks;
            }
            case JWKS_REF -> {
                try {
                    return JWKSet.parse(variable(ctx, keyText));
                } catch (ParseException e) {
                    throw fault("InvalidJsonFormat", "Invalid JSON in the JWKS: policy(" + name() + ")");
                }
            }
            default -> {
                String url = keyKind == KeyKind.JWKS_URI ? keyText : variable(ctx, keyText);
                try {
                    return cache.get(ctx.environment(), url, ctx.clock().instant());
                } catch (JwksCache.JwksException e) {
                    if (e.badJson()) {
                        throw fault("InvalidJsonFormat", "Invalid JSON in the JWKS: policy(" + name() + ")");
                    }
                    throw fault("UnknownException", "Cannot fetch the JWKS: policy(" + name() + ") " + e.getMessage());
                }
            }
        }
    }

    /** A variable the configuration references; unresolved → FailedToResolveVariable (or "" when ignored). */
    private String variable(FlowContext ctx, String name) {
        String v = ctx.getString(name);
        if (v == null) {
            if (ignoreUnresolved) {
                return "";
            }
            throw fault("FailedToResolveVariable", "Failed to Resolve Variable : policy(" + name() + ") variable(" + name + ")");
        }
        return v;
    }

    private String resolve(FlowContext ctx, Expected e) {
        if (e.ref() != null) {
            String v = ctx.getString(e.ref());
            if (v != null) {
                return v;
            }
            if (e.literal() != null) {
                return e.literal();
            }
            return variable(ctx, e.ref());
        }
        return e.literal();
    }

    private static boolean matches(Object got, String want, ClaimCheck c) {
        if (got == null) {
            return false;
        }
        if (c.array()) {
            if (!(got instanceof List<?> list)) {
                return false;
            }
            for (String w : want.split(",")) {
                boolean found = list.stream().anyMatch(x -> scalarMatches(x, w.trim(), c.type()));
                if (!found) {
                    return false;
                }
            }
            return true;
        }
        return scalarMatches(got, want, c.type());
    }

    private static boolean scalarMatches(Object got, String want, String type) {
        switch (type) {
            case "number" -> {
                if (!(got instanceof Number n)) {
                    return false;
                }
                try {
                    return new BigDecimal(n.toString()).compareTo(new BigDecimal(want.trim())) == 0;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            case "boolean" -> {
                return got instanceof Boolean b && b.toString().equalsIgnoreCase(want.trim());
            }
            case "map" -> {
                return got instanceof Map<?, ?> && com.nimbusds.jose.util.JSONObjectUtils.toJSONString(
                        castMap(got)).equals(want.trim());
            }
            default -> {
                return got instanceof String s && s.equals(want);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    private void checkTimes(FlowContext ctx, String prefix, JWTClaimsSet c) {
        Instant now = ctx.clock().instant();
        Date exp = c.getExpirationTime();
        if (exp != null && !now.isBefore(exp.toInstant().plus(allowance))) {
            ctx.set(prefix + "is_expired", "true");
            throw fault("TokenExpired", "The Token has expired: policy(" + name() + ")");
        }
        Date nbf = c.getNotBeforeTime();
        if (nbf != null && now.plus(allowance).isBefore(nbf.toInstant())) {
            throw fault("TokenNotYetValid", "The Token is not yet valid: policy(" + name() + ")");
        }
        Date iat = c.getIssueTime();
        if (iat != null && now.plus(allowance).isBefore(iat.toInstant())) {
            throw fault("TokenNotYetValid", "The Token is not yet valid (issued in the future): policy(" + name() + ")");
        }
    }

    private void setDecoded(FlowContext ctx, String prefix, JWT jwt, JWTClaimsSet claims) {
        Map<String, Object> h = jwt.getHeader().toJSONObject();
        for (Map.Entry<String, Object> e : h.entrySet()) {
            ctx.set(prefix + "decoded.header." + e.getKey(), text(e.getValue()));
        }
        for (Map.Entry<String, Object> e : claims.toJSONObject().entrySet()) {
            ctx.set(prefix + "decoded.claim." + e.getKey(), text(e.getValue()));
        }
    }

    private void setVerified(FlowContext ctx, String prefix, SignedJWT jwt, JWTClaimsSet c) {
        JWSHeader h = jwt.getHeader();
        JWSAlgorithm alg = h.getAlgorithm();
        ctx.set(prefix + "header.algorithm", alg.getName());
        if (h.getKeyID() != null) {
            ctx.set(prefix + "header.kid", h.getKeyID());
        }
        if (h.getType() != null) {
            ctx.set(prefix + "header.typ", h.getType().toString());
        }
        for (Map.Entry<String, Object> e : h.toJSONObject().entrySet()) {
            ctx.set(prefix + "header." + e.getKey(), text(e.getValue()));
        }
        ctx.set(prefix + "header-json", new String(jwt.getHeader().toBase64URL().decode(), StandardCharsets.UTF_8));
        ctx.set(prefix + "payload-json", jwt.getPayload().toString());
        Set<String> names = new LinkedHashSet<>(c.getClaims().keySet());
        ctx.set(prefix + "claim.names", String.join(",", names));
        ctx.set(prefix + "payload-claim-names", String.join(",", names));
        for (Map.Entry<String, Object> e : c.toJSONObject().entrySet()) {
            ctx.set(prefix + "claim." + e.getKey(), text(e.getValue()));
        }
        if (c.getIssuer() != null) {
            ctx.set(prefix + "claim.issuer", c.getIssuer());
        }
        if (c.getSubject() != null) {
            ctx.set(prefix + "claim.subject", c.getSubject());
        }
        if (c.getAudience() != null && !c.getAudience().isEmpty()) {
            ctx.set(prefix + "claim.audience", String.join(",", c.getAudience()));
        }
        if (c.getJWTID() != null) {
            ctx.set(prefix + "claim.id", c.getJWTID());
        }
        Instant now = ctx.clock().instant();
        if (c.getExpirationTime() != null) {
            Instant exp = c.getExpirationTime().toInstant();
            ctx.set(prefix + "claim.expiry", Long.toString(exp.getEpochSecond()));
            ctx.set(prefix + "expiry_formatted", FORMATTED.format(exp));
            long remaining = Math.max(0, Duration.between(now, exp).toMillis());
            ctx.set(prefix + "seconds_remaining", Long.toString(remaining / 1000));
            ctx.set(prefix + "time_remaining_formatted", String.format(Locale.ROOT, "%02d:%02d:%02d.%03d",
                    remaining / 3_600_000, remaining / 60_000 % 60, remaining / 1000 % 60, remaining % 1000));
        }
        ctx.set(prefix + "is_expired", "false");
        if (c.getIssueTime() != null) {
            ctx.set(prefix + "claim.issuedat", Long.toString(c.getIssueTime().toInstant().getEpochSecond()));
            ctx.set(prefix + "issuedat_formatted", FORMATTED.format(c.getIssueTime().toInstant()));
        }
        if (c.getNotBeforeTime() != null) {
            ctx.set(prefix + "claim.notbefore", Long.toString(c.getNotBeforeTime().toInstant().getEpochSecond()));
            ctx.set(prefix + "notbefore_formatted", FORMATTED.format(c.getNotBeforeTime().toInstant()));
        }
    }

    /** A claim or header value as a flow variable: strings as they are, numbers/dates in seconds, others as JSON. */
    private static String text(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Date d) {
            return Long.toString(d.toInstant().getEpochSecond());
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) {
                parts.add(text(o));
            }
            return String.join(",", parts);
        }
        if (v instanceof Map<?, ?>) {
            return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(castMap(v));
        }
        return v.toString();
    }

    private PolicyFault invalidClaim(String claim, String got, String want) {
        // The faultstring names the claim, never its value (tokens may carry personal data).
        return fault("InvalidClaim", "Invalid Claim: policy(" + name() + ") claim(" + claim + ")"
                + (got == null ? " missing" : ""));
    }

    private PolicyFault fault(String faultName, String text) {
        return new PolicyFault("steps.jwt." + faultName, 401, text);
    }

    private static PublicKey pemPublicKey(String pem) throws Exception {
        String b64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(b64);
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        for (String kf : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(kf).generatePublic(spec);
            } catch (Exception ignored) {
                // try the next key type
            }
        }
        throw new IllegalArgumentException("not an RSA or EC public key");
    }

    private static PublicKey pemCertificateKey(String pem) throws CertificateException {
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.trim().getBytes(StandardCharsets.US_ASCII)));
        // Apigee does not check the certificate's validity dates or chain [§4.6].
        return cert.getPublicKey();
    }
}
