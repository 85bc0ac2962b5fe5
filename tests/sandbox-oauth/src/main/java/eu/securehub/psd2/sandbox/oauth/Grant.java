package eu.securehub.psd2.sandbox.oauth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;

/**
 * What an access token grants.
 *
 * @param clientId           the OAuth client (the TPP's organizationIdentifier)
 * @param certThumbprintS256 the RFC 8705 {@code x5t#S256} of the client certificate the token is bound to
 *                           (base64url of the SHA-256 of the certificate's DER encoding, no padding)
 * @param consentId          from the scope {@code AIS:<consentId>}; null for a payment's token (scope
 *                           {@code PIS:<paymentId>}, see {@link #paymentId()})
 * @param customerId         the customer who approved
 * @param scope              the granted scope, space separated (e.g. {@code openid AIS:1234} or
 *                           {@code openid PIS:5678})
 * @param expiresAt          the access token's expiry
 */
public record Grant(String clientId, String certThumbprintS256, String consentId, String customerId, String scope,
                    Instant expiresAt) {

    /** The payment of a token issued for the scope {@code PIS:<paymentId>}, or null (e.g. an AIS token). */
    public String paymentId() {
        for (String s : scopeValues()) {
            if (s.startsWith("PIS:") && s.length() > 4) {
                return s.substring(4);
            }
        }
        return null;
    }

    /** True when the granted scope holds exactly this value, e.g. {@code PIS:5678} (case-sensitive). */
    public boolean covers(String scopeValue) {
        return scopeValue != null && scopeValues().contains(scopeValue);
    }

    private java.util.List<String> scopeValues() {
        return scope == null ? java.util.List.of() : java.util.List.of(scope.trim().split(" +"));
    }

    /** True when the token is bound to this client certificate (the certificate of the current TLS connection). */
    public boolean boundTo(X509Certificate clientCertificate) {
        return clientCertificate != null
                && MessageDigest.isEqual(certThumbprintS256.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                thumbprintS256(clientCertificate).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** RFC 8705 {@code x5t#S256}: base64url (no padding) of the SHA-256 of the certificate's DER encoding. */
    public static String thumbprintS256(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot compute the certificate thumbprint", e);
        }
    }
}
