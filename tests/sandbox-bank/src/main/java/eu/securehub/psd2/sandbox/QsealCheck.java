package eu.securehub.psd2.sandbox;

import eu.securehub.psd2.testpki.Psd2Certificate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * Checks the certificate of a request signature (header TPP-Signature-Certificate) the way the bank accepts a QSEAL:
 * base64 DER (PEM armour tolerated), within its validity, chaining to a TPP trust anchor (intermediates from further
 * certificates in the header or from the TLS client chain), keyUsage nonRepudiation or digitalSignature, the QcType
 * eseal and the ETSI TS 119 495 PSD2 statement, and the organizationIdentifier of the connection's QWAC. Outcomes are
 * Berlin Group message codes.
 */
final class QsealCheck {

  /** ETSI EN 319 412-5 QcType and its value eseal. */
  static final String QC_TYPE = "0.4.0.1862.1.6";
  static final String QC_TYPE_ESEAL = "0.4.0.1862.1.6.2";
  private static final String QC_STATEMENTS = "1.3.6.1.5.5.7.1.3";
  private static final Pattern PEM = Pattern.compile("-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----",
      Pattern.DOTALL);

  /** The seal certificate, or a Berlin Group error code (CERTIFICATE_INVALID, CERTIFICATE_EXPIRED) and text. */
  record Result(X509Certificate seal, String errorCode, String errorText) {

    boolean ok() {
      return errorCode == null;
    }

    static Result invalid(String text) {
      return new Result(null, "CERTIFICATE_INVALID", text);
    }
  }

  private final Set<TrustAnchor> anchors;
  private final Clock clock;

  QsealCheck(List<X509Certificate> trustAnchors, Clock clock) {
    Set<TrustAnchor> set = new HashSet<>();
    for (X509Certificate c : trustAnchors) {
      set.add(new TrustAnchor(c, null));
    }
    this.anchors = Set.copyOf(set);
    this.clock = clock;
  }

  /**
   * @param header           the TPP-Signature-Certificate value
   * @param tlsChain         the TLS client chain (may supply the issuing CA), or null
   * @param qwacOrganisation the organizationIdentifier of the connection's QWAC, or null when it is not known
   */
  Result check(String header, X509Certificate[] tlsChain, String qwacOrganisation) {
    List<X509Certificate> certificates = decode(header);
    if (certificates.isEmpty()) {
      return Result.invalid("TPP-Signature-Certificate is not a base64-encoded X.509 certificate.");
    }
    X509Certificate seal = certificates.get(0);
    Date now = Date.from(clock.instant());
    try {
      seal.checkValidity(now);
    } catch (CertificateExpiredException e) {
      return new Result(null, "CERTIFICATE_EXPIRED", "The signing certificate expired on "
          + seal.getNotAfter().toInstant() + ".");
    } catch (CertificateNotYetValidException e) {
      return Result.invalid("The signing certificate is not valid before " + seal.getNotBefore().toInstant() + ".");
    }
    List<X509Certificate> candidates = new ArrayList<>(certificates);
    if (tlsChain != null) {
      candidates.addAll(List.of(tlsChain));
    }
    if (!chainsToAnchor(seal, candidates, now)) {
      return Result.invalid("The signing certificate is not issued by a trusted qualified trust service provider.");
    }
    boolean[] keyUsage = seal.getKeyUsage();
    if (keyUsage == null || !(keyUsage[1] || keyUsage[0])) {
      return Result.invalid("The signing certificate's key usage allows neither nonRepudiation nor "
          + "digitalSignature.");
    }
    if (!qcTypes(seal).contains(QC_TYPE_ESEAL)) {
      return Result.invalid("The signing certificate is not a qualified certificate for electronic seals (QcType "
          + "eseal missing): sign with the QSEAL, not the QWAC.");
    }
    Optional<Psd2Certificate> psd2 = Psd2Certificate.of(seal);
    if (psd2.isEmpty() || psd2.get().organizationIdentifier() == null) {
      return Result.invalid("The signing certificate is not a PSD2 QSEAL (no ETSI TS 119 495 PSD2 QCStatement or "
          + "organizationIdentifier).");
    }
    if (qwacOrganisation != null && !qwacOrganisation.equals(psd2.get().organizationIdentifier())) {
      return Result.invalid("The signing certificate belongs to another organisation than the TLS client "
          + "certificate.");
    }
    return new Result(seal, null, null);
  }

  /** The certificates in the header (the first is the signer's); empty when unreadable. */
  static List<X509Certificate> decode(String header) {
    List<String> parts = new ArrayList<>();
    if (header.contains("-----BEGIN")) {
      Matcher m = PEM.matcher(header);
      while (m.find()) {
        parts.add(m.group(1));
      }
    } else {
      parts.add(header);
    }
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (String part : parts) {
        byte[] der = Base64.getDecoder().decode(part.replaceAll("\\s", ""));
        out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
      }
      return out;
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      return List.of();
    }
  }

  private boolean chainsToAnchor(X509Certificate seal, List<X509Certificate> candidates, Date now) {
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(seal);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.setRevocationEnabled(false);
      params.setDate(now);
      params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(candidates)));
      CertPathBuilder.getInstance("PKIX").build(params);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The QcType OIDs of the QCStatements extension (RFC 3739, ETSI EN 319 412-5); empty when absent or malformed. */
  static Set<String> qcTypes(X509Certificate certificate) {
    byte[] extension = certificate.getExtensionValue(QC_STATEMENTS);
    if (extension == null) {
      return Set.of();
    }
    Set<String> types = new HashSet<>();
    try {
      ASN1Sequence statements = ASN1Sequence.getInstance(
          ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extension).getOctets()));
      for (ASN1Encodable element : statements) {
        ASN1Sequence statement = ASN1Sequence.getInstance(element);
        if (statement.size() == 2
            && QC_TYPE.equals(ASN1ObjectIdentifier.getInstance(statement.getObjectAt(0)).getId())) {
          for (ASN1Encodable type : ASN1Sequence.getInstance(statement.getObjectAt(1))) {
            types.add(ASN1ObjectIdentifier.getInstance(type).getId());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return Set.of();
    }
    return Set.copyOf(types);
  }
}
