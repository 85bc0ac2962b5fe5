package eu.securehub.psd2.sandbox;

import eu.securehub.psd2.testpki.Credential;
import eu.securehub.psd2.testpki.TestPki;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * TPP certificates the test PKI does not issue, for the signature tests: a second TPP root (configure it as an extra
 * trust anchor) with an expired QSEAL, a QSEAL and a QWAC of another organisation under it, and a QSEAL of the right
 * organisation under a root no bank trusts. Made at test time, never written anywhere.
 */
final class ExtraCertificates {

  static final String OTHER_ORGANISATION = "PSDDE-BAFIN-999999";
  private static final String QC_COMPLIANCE = "0.4.0.1862.1.1";
  private static final String QC_TYPE = "0.4.0.1862.1.6";
  private static final String QC_TYPE_ESEAL = "0.4.0.1862.1.6.2";
  private static final String QC_TYPE_WEB = "0.4.0.1862.1.6.3";
  private static final String PSD2_STATEMENT = "0.4.0.19495.2";

  private static ExtraCertificates instance;

  /** A second TPP root CA: banks that should accept the certificates below trust it besides the test PKI's root. */
  final Credential extraRoot;
  /** A QSEAL of the test TPP's organisation under {@link #extraRoot}, ended yesterday. */
  final Credential expiredSeal;
  /** A QSEAL of {@link #OTHER_ORGANISATION} under {@link #extraRoot}. */
  final Credential otherOrganisationSeal;
  /** A QWAC (AIS and PIS) of {@link #OTHER_ORGANISATION} under {@link #extraRoot}. */
  final Credential otherOrganisationQwac;
  /** A QSEAL of the test TPP's organisation under a root no bank trusts. */
  final Credential untrustedSeal;

  private final SecureRandom random = new SecureRandom();

  private ExtraCertificates() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant from = now.minus(Duration.ofDays(2));
    Instant to = now.plus(Duration.ofDays(5));
    extraRoot = root("Extra Test QTSP Root CA", now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(30)));
    expiredSeal = seal(extraRoot, TestPki.ORGANIZATION_IDENTIFIER, now.minus(Duration.ofDays(10)),
        now.minus(Duration.ofDays(1)));
    otherOrganisationSeal = seal(extraRoot, OTHER_ORGANISATION, from, to);
    otherOrganisationQwac = issue(extraRoot, tpp(OTHER_ORGANISATION, "other-tpp.securehub.test"), from, to,
        KeyUsage.digitalSignature, QC_TYPE_WEB, true);
    Credential untrustedRoot = root("Untrusted Test Root CA", now.minus(Duration.ofDays(30)),
        now.plus(Duration.ofDays(30)));
    untrustedSeal = seal(untrustedRoot, TestPki.ORGANIZATION_IDENTIFIER, from, to);
  }

  static synchronized ExtraCertificates get() {
    if (instance == null) {
      instance = new ExtraCertificates();
    }
    return instance;
  }

  private Credential seal(Credential issuer, String organisation, Instant from, Instant to) {
    return issue(issuer, tpp(organisation, "Test TPP Seal"), from, to, KeyUsage.nonRepudiation, QC_TYPE_ESEAL, false);
  }

  private static X500Name tpp(String organisation, String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.C, "DE").addRDN(BCStyle.O, "Test TPP " + organisation)
        .addRDN(BCStyle.ORGANIZATION_IDENTIFIER, organisation).addRDN(BCStyle.CN, commonName).build();
  }

  private Credential root(String commonName, Instant from, Instant to) {
    try {
      KeyPair keys = rsa();
      X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.C, "DE").addRDN(BCStyle.O, commonName)
          .addRDN(BCStyle.CN, commonName).build();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(from), Date.from(to),
          name, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate c = new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
      return new Credential(keys.getPrivate(), c, List.of(c));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Credential issue(Credential issuer, X500Name subject, Instant from, Instant to, int keyUsage, String qcType,
                           boolean clientAuth) {
    try {
      KeyPair keys = rsa();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer.certificate(), serial(), Date.from(from),
          Date.from(to), subject, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
      if (clientAuth) {
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
      }
      b.addExtension(Extension.qCStatements, false, qcStatements(qcType));
      X509Certificate c = new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer.key())));
      return new Credential(keys.getPrivate(), c, List.of(c, issuer.certificate()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** QcCompliance, QcType and the ETSI TS 119 495 PSD2 statement (roles PSP_AI and PSP_PI). */
  private static DERSequence qcStatements(String qcType) {
    DERSequence roles = new DERSequence(new ASN1Encodable[] {role("0.4.0.19495.1.3", "PSP_AI"),
        role("0.4.0.19495.1.2", "PSP_PI")});
    DERSequence psd2 = new DERSequence(new ASN1Encodable[] {roles, new DERUTF8String(TestPki.NCA_NAME),
        new DERUTF8String(TestPki.NCA_ID)});
    return new DERSequence(new ASN1Encodable[] {
        new DERSequence(new ASN1ObjectIdentifier(QC_COMPLIANCE)),
        new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(QC_TYPE),
            new DERSequence(new ASN1ObjectIdentifier(qcType))}),
        new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(PSD2_STATEMENT), psd2})});
  }

  private static DERSequence role(String oid, String name) {
    return new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(oid), new DERUTF8String(name)});
  }

  private KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048, random);
    return g.generateKeyPair();
  }

  private BigInteger serial() {
    return new BigInteger(120, random).add(BigInteger.ONE);
  }
}
