package eu.securehub.psd2.sandbox;

import eu.securehub.psd2.testpki.Psd2Certificate;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a TPP's TLS client certificate (a QWAC) the way the bank authorises a TPP: present, within its validity,
 * chaining to a configured TPP trust anchor, fit for TLS client authentication, carrying the ETSI TS 119 495 PSD2
 * QCStatement with the role the service needs. Outcomes are Berlin Group message codes.
 */
final class TppCertificateCheck {

  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  /** The outcome: either the TPP (organisation and roles) or a Berlin Group error code and text. */
  record Result(X509Certificate leaf, String organisation, Set<String> roles, String errorCode, String errorText) {

    boolean ok() {
      return errorCode == null;
    }

    static Result error(String code, String text) {
      return new Result(null, null, Set.of(), code, text);
    }
  }

  private final Set<TrustAnchor> anchors;
  private final List<X509Certificate> anchorCertificates;
  private final Clock clock;

  TppCertificateCheck(List<X509Certificate> trustAnchors, Clock clock) {
    if (trustAnchors.isEmpty()) {
      throw new IllegalArgumentException("at least one TPP trust anchor is needed");
    }
    Set<TrustAnchor> set = new HashSet<>();
    for (X509Certificate c : trustAnchors) {
      set.add(new TrustAnchor(c, null));
    }
    this.anchors = Set.copyOf(set);
    this.anchorCertificates = List.copyOf(trustAnchors);
    this.clock = clock;
  }

  /**
   * Checks the chain the client presented.
   *
   * @param chain        the peer certificates (leaf first), null or empty without a client certificate
   * @param requiredRole the PSD2 role the service needs ({@code PSP_AI}, {@code PSP_PI}), or null for any role
   */
  Result check(X509Certificate[] chain, String requiredRole) {
    if (chain == null || chain.length == 0 || chain[0] == null) {
      return Result.error("CERTIFICATE_MISSING", "A qualified certificate for website authentication (QWAC) is "
          + "required: no TLS client certificate was presented.");
    }
    X509Certificate leaf = chain[0];
    Date now = Date.from(clock.instant());
    try {
      leaf.checkValidity(now);
    } catch (CertificateExpiredException e) {
      return Result.error("CERTIFICATE_EXPIRED", "The TLS client certificate expired on "
          + leaf.getNotAfter().toInstant() + ".");
    } catch (CertificateNotYetValidException e) {
      return Result.error("CERTIFICATE_INVALID", "The TLS client certificate is not valid before "
          + leaf.getNotBefore().toInstant() + ".");
    }
    if (!chainsToAnchor(chain, now)) {
      return Result.error("CERTIFICATE_INVALID", "The TLS client certificate is not issued by a trusted "
          + "qualified trust service provider.");
    }
    boolean[] keyUsage = leaf.getKeyUsage();
    if (keyUsage != null && !keyUsage[0]) {
      return Result.error("CERTIFICATE_INVALID", "The TLS client certificate's key usage does not allow "
          + "digitalSignature.");
    }
    try {
      List<String> eku = leaf.getExtendedKeyUsage();
      if (eku != null && !eku.contains(CLIENT_AUTH)) {
        return Result.error("CERTIFICATE_INVALID", "The TLS client certificate is not for TLS client "
            + "authentication (extendedKeyUsage clientAuth missing).");
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return Result.error("CERTIFICATE_INVALID", "The TLS client certificate's extended key usage is unreadable.");
    }
    Optional<Psd2Certificate> psd2 = Psd2Certificate.of(leaf);
    if (psd2.isEmpty() || psd2.get().organizationIdentifier() == null) {
      return Result.error("CERTIFICATE_INVALID", "The TLS client certificate is not a PSD2 QWAC (no ETSI TS 119 "
          + "495 PSD2 QCStatement or organizationIdentifier).");
    }
    Set<String> roles = psd2.get().roles();
    if (requiredRole != null && !roles.contains(requiredRole)) {
      return new Result(leaf, psd2.get().organizationIdentifier(), roles, "ROLE_INVALID",
          "The TPP's certificate does not carry the PSD2 role " + requiredRole + " this service needs.");
    }
    return new Result(leaf, psd2.get().organizationIdentifier(), roles, null, null);
  }

  private boolean chainsToAnchor(X509Certificate[] chain, Date now) {
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (anchorCertificates.contains(c)) {
        break;
      }
      if (!path.isEmpty() && c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
        break; // a self-signed root that is not a configured anchor: PKIX decides from what precedes it
      }
      path.add(c);
    }
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      CertPath certPath = cf.generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(now);
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
