package eu.securehub.psd2.testpki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.InvalidAlgorithmParameterException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class TestPkiTest {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    // keyUsage bits as X509Certificate.getKeyUsage() indexes them
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int NON_REPUDIATION = 1;
    private static final int KEY_CERT_SIGN = 5;
    private static final int CRL_SIGN = 6;

    private static TestPki pki;
    private static Instant created;

    @BeforeAll
    static void createPki() {
        created = Instant.now();
        pki = TestPki.create(List.of("alpha", "beta"));
    }

    // ---- chains

    @Test
    void qwacAndQsealChainToTheTppRoot() throws Exception {
        for (Credential credential : List.of(pki.qwac(), pki.qseal())) {
            assertThat(credential.chain()).containsExactly(credential.certificate(), pki.issuingCa(), pki.rootCa());
            PKIXCertPathValidatorResult result = validate(credential.chain(), pki.rootCa(), null);
            assertThat(result.getTrustAnchor().getTrustedCert()).isEqualTo(pki.rootCa());
            assertThat(result.getPublicKey()).isEqualTo(credential.certificate().getPublicKey());
        }
    }

    @Test
    void nextQwacIsASuccessorWithANewKeyFromTheSameIssuingCaWithTheSameOrganisationAndRoles() throws Exception {
        Instant before = Instant.now();
        Credential next = pki.nextQwac();
        X509Certificate cert = next.certificate();
        X509Certificate first = pki.qwac().certificate();

        assertThat(next.chain()).containsExactly(cert, pki.issuingCa(), pki.rootCa());
        validate(next.chain(), pki.rootCa(), null);
        assertThat(cert.getPublicKey()).isNotEqualTo(first.getPublicKey());
        assertThat(cert.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(cert.getSubjectX500Principal()).isEqualTo(first.getSubjectX500Principal());
        assertThat(cert.getIssuerX500Principal()).isEqualTo(first.getIssuerX500Principal());
        assertThat(cert.getKeyUsage()).isEqualTo(first.getKeyUsage());
        assertThat(cert.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
        assertThat(List.copyOf(cert.getSubjectAlternativeNames()))
                .isEqualTo(List.copyOf(first.getSubjectAlternativeNames()));
        Psd2Certificate psd2 = Psd2Certificate.of(cert).orElseThrow();
        assertThat(psd2.organizationIdentifier()).isEqualTo(TestPki.ORGANIZATION_IDENTIFIER);
        assertThat(psd2.roles()).containsExactlyInAnyOrder("PSP_AI", "PSP_PI");
        assertThat(psd2.ncaId()).isEqualTo(TestPki.NCA_ID);
        // Valid from now (a day back for clock skew), for as long as the other certificates.
        assertThat(cert.getNotBefore().toInstant()).isBefore(before)
                .isAfter(before.minus(Duration.ofDays(1)).minusSeconds(5));
        assertThat(cert.getNotAfter().toInstant()).isAfter(before.plus(Duration.ofDays(5)).minusSeconds(5))
                .isBefore(before.plus(Duration.ofDays(5)).plusSeconds(60));
        // Each call issues another.
        assertThat(pki.nextQwac().certificate().getSerialNumber()).isNotEqualTo(cert.getSerialNumber());
    }

    @Test
    void rootIsSelfSignedAndIssuingCaIsIssuedByIt() throws Exception {
        pki.rootCa().verify(pki.rootCa().getPublicKey());
        assertThat(pki.rootCa().getIssuerX500Principal()).isEqualTo(pki.rootCa().getSubjectX500Principal());
        pki.issuingCa().verify(pki.rootCa().getPublicKey());
        assertThat(pki.issuingCa().getIssuerX500Principal()).isEqualTo(pki.rootCa().getSubjectX500Principal());
        validate(List.of(pki.issuingCa(), pki.rootCa()), pki.rootCa(), null);
    }

    @ParameterizedTest
    @EnumSource(value = TestPki.Variant.class, names = {"NO_AI_ROLE", "WRONG_KEY_USAGE"})
    void negativeQwacsOfTheRightCaValidateNow(TestPki.Variant variant) throws Exception {
        Credential credential = pki.qwac(variant);
        assertThat(credential.chain()).containsExactly(credential.certificate(), pki.issuingCa(), pki.rootCa());
        validate(credential.chain(), pki.rootCa(), null);
    }

    @Test
    void expiredQwacChainsButFailsValidationNow() throws Exception {
        Credential expired = pki.qwac(TestPki.Variant.EXPIRED);
        assertThat(expired.chain()).containsExactly(expired.certificate(), pki.issuingCa(), pki.rootCa());
        validate(expired.chain(), pki.rootCa(), middleOf(expired.certificate()));
        assertThatThrownBy(() -> validate(expired.chain(), pki.rootCa(), null))
                .isInstanceOf(CertPathValidatorException.class)
                .hasRootCauseInstanceOf(CertificateExpiredException.class);
    }

    @Test
    void notYetValidQwacChainsButFailsValidationNow() throws Exception {
        Credential early = pki.qwac(TestPki.Variant.NOT_YET_VALID);
        assertThat(early.chain()).containsExactly(early.certificate(), pki.issuingCa(), pki.rootCa());
        validate(early.chain(), pki.rootCa(), middleOf(early.certificate()));
        assertThatThrownBy(() -> validate(early.chain(), pki.rootCa(), null))
                .isInstanceOf(CertPathValidatorException.class)
                .hasRootCauseInstanceOf(CertificateNotYetValidException.class);
    }

    @Test
    void otherCaQwacValidatesAgainstItsOwnRootOnlyNotTheTppRoot() throws Exception {
        Credential other = pki.qwac(TestPki.Variant.OTHER_CA);
        assertThat(other.chain()).hasSize(3);
        X509Certificate otherRoot = other.chain().get(2);
        assertThat(otherRoot).isNotEqualTo(pki.rootCa());
        assertThat(other.chain().get(1)).isNotEqualTo(pki.issuingCa());
        validate(other.chain(), otherRoot, null);

        assertThatThrownBy(() -> validate(other.chain(), pki.rootCa(), null))
                .isInstanceOf(CertPathValidatorException.class);
        assertThatThrownBy(() -> validate(other.chain().subList(0, 1), pki.rootCa(), null))
                .isInstanceOf(CertPathValidatorException.class);
        assertThatThrownBy(() -> validate(List.of(other.certificate(), pki.issuingCa(), pki.rootCa()), pki.rootCa(), null))
                .isInstanceOf(CertPathValidatorException.class);
        // same subject as the real QWAC: only the issuer tells them apart
        assertThat(other.certificate().getSubjectX500Principal()).isEqualTo(pki.qwac().certificate().getSubjectX500Principal());
    }

    @ParameterizedTest
    @ValueSource(strings = {"alpha", "beta"})
    void bankServerCertificatesChainToTheirBankCa(String bank) throws Exception {
        Credential server = pki.bankServer(bank);
        assertThat(server.chain()).containsExactly(server.certificate(), pki.bankCa(bank));
        validate(server.chain(), pki.bankCa(bank), null);
        pki.bankCa(bank).verify(pki.bankCa(bank).getPublicKey());

        Credential expired = pki.bankServerExpired(bank);
        assertThat(expired.chain()).containsExactly(expired.certificate(), pki.bankCa(bank));
        validate(expired.chain(), pki.bankCa(bank), middleOf(expired.certificate()));
        assertThatThrownBy(() -> validate(expired.chain(), pki.bankCa(bank), null))
                .isInstanceOf(CertPathValidatorException.class)
                .hasRootCauseInstanceOf(CertificateExpiredException.class);
    }

    @Test
    void banksHaveTheirOwnCasAndNoneIsTheTppRoot() {
        assertThat(pki.bankCa("alpha")).isNotEqualTo(pki.bankCa("beta"));
        assertThat(pki.bankCa("alpha")).isNotEqualTo(pki.rootCa());
        assertThatThrownBy(() -> validate(pki.bankServer("alpha").chain(), pki.bankCa("beta"), null))
                .isInstanceOf(CertPathValidatorException.class);
        assertThatThrownBy(() -> validate(pki.qwac().chain(), pki.bankCa("alpha"), null))
                .isInstanceOf(CertPathValidatorException.class);
        assertThat(pki.bankIds()).containsExactly("alpha", "beta");
    }

    @Test
    void privateKeysMatchTheirCertificates() throws Exception {
        List<Credential> all = new ArrayList<>(List.of(pki.qwac(), pki.qseal()));
        for (TestPki.Variant variant : TestPki.Variant.values()) {
            all.add(pki.qwac(variant));
        }
        for (String bank : pki.bankIds()) {
            all.add(pki.bankServer(bank));
            all.add(pki.bankServerExpired(bank));
        }
        byte[] data = "psd2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (Credential credential : all) {
            PublicKey publicKey = credential.certificate().getPublicKey();
            String algorithm = publicKey instanceof RSAPublicKey ? "SHA256withRSA" : "SHA256withECDSA";
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(credential.key());
            signer.update(data);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(data);
            assertThat(verifier.verify(signature)).as(credential.toString()).isTrue();
        }
        assertThat(pki.qwac().certificate().getPublicKey()).isInstanceOf(RSAPublicKey.class);
        assertThat(((RSAPublicKey) pki.qwac().certificate().getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(pki.rootCa().getPublicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(pki.bankServer("alpha").certificate().getPublicKey()).isInstanceOf(ECPublicKey.class);
    }

    // ---- validity

    @Test
    void validCertificatesSpanNowByAFewDays() {
        List<X509Certificate> valid = new ArrayList<>(List.of(pki.qwac().certificate(), pki.qseal().certificate(),
                pki.qwac(TestPki.Variant.OTHER_CA).certificate(), pki.qwac(TestPki.Variant.NO_AI_ROLE).certificate(),
                pki.qwac(TestPki.Variant.WRONG_KEY_USAGE).certificate()));
        for (String bank : pki.bankIds()) {
            valid.add(pki.bankServer(bank).certificate());
        }
        for (X509Certificate certificate : valid) {
            assertThat(certificate.getNotBefore().toInstant()).isBefore(created.minus(Duration.ofDays(1)))
                    .isAfter(created.minus(Duration.ofDays(7)));
            assertThat(certificate.getNotAfter().toInstant()).isAfter(created.plus(Duration.ofDays(3)))
                    .isBefore(created.plus(Duration.ofDays(8)));
        }
        for (X509Certificate ca : List.of(pki.rootCa(), pki.issuingCa(), pki.bankCa("alpha"), pki.bankCa("beta"))) {
            assertThat(ca.getNotBefore().toInstant()).isBefore(created.minus(Duration.ofDays(10)));
            assertThat(ca.getNotAfter().toInstant()).isAfter(created.plus(Duration.ofDays(10)));
        }
    }

    @Test
    void expiredCertificatesEndedYesterday() {
        for (X509Certificate certificate : List.of(pki.qwac(TestPki.Variant.EXPIRED).certificate(),
                pki.bankServerExpired("alpha").certificate(), pki.bankServerExpired("beta").certificate())) {
            Instant notAfter = certificate.getNotAfter().toInstant();
            assertThat(notAfter).isBefore(created.minus(Duration.ofHours(23)))
                    .isAfter(created.minus(Duration.ofHours(25)));
            assertThat(certificate.getNotBefore().toInstant()).isBefore(notAfter);
            assertThatThrownBy(certificate::checkValidity).isInstanceOf(CertificateExpiredException.class);
        }
    }

    @Test
    void notYetValidQwacStartsTomorrow() {
        X509Certificate certificate = pki.qwac(TestPki.Variant.NOT_YET_VALID).certificate();
        assertThat(certificate.getNotBefore().toInstant()).isAfter(created.plus(Duration.ofHours(23)))
                .isBefore(created.plus(Duration.ofHours(25)));
        assertThat(certificate.getNotAfter()).isAfter(certificate.getNotBefore());
        assertThatThrownBy(certificate::checkValidity).isInstanceOf(CertificateNotYetValidException.class);
    }

    // ---- extensions

    @Test
    void casHaveBasicConstraintsWithPathLengthAndCertSignUsage() {
        assertThat(pki.rootCa().getBasicConstraints()).isEqualTo(1);
        assertThat(pki.issuingCa().getBasicConstraints()).isEqualTo(0);
        assertThat(pki.bankCa("alpha").getBasicConstraints()).isEqualTo(0);
        for (X509Certificate ca : List.of(pki.rootCa(), pki.issuingCa(), pki.bankCa("alpha"), pki.bankCa("beta"),
                pki.qwac(TestPki.Variant.OTHER_CA).chain().get(1), pki.qwac(TestPki.Variant.OTHER_CA).chain().get(2))) {
            assertThat(ca.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
            assertThat(usages(ca)).containsExactlyInAnyOrder(KEY_CERT_SIGN, CRL_SIGN);
            assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void qwacIsForDigitalSignatureAndClientAuth() throws Exception {
        X509Certificate qwac = pki.qwac().certificate();
        assertThat(qwac.getBasicConstraints()).isEqualTo(-1);
        assertThat(qwac.getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19");
        assertThat(usages(qwac)).containsExactly(DIGITAL_SIGNATURE);
        assertThat(qwac.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
        for (TestPki.Variant variant : List.of(TestPki.Variant.EXPIRED, TestPki.Variant.NOT_YET_VALID,
                TestPki.Variant.OTHER_CA, TestPki.Variant.NO_AI_ROLE)) {
            assertThat(usages(pki.qwac(variant).certificate())).as(variant.name()).containsExactly(DIGITAL_SIGNATURE);
            assertThat(pki.qwac(variant).certificate().getExtendedKeyUsage()).as(variant.name()).containsExactly(CLIENT_AUTH);
        }
    }

    @Test
    void qsealIsForNonRepudiationOnly() throws Exception {
        X509Certificate qseal = pki.qseal().certificate();
        assertThat(qseal.getBasicConstraints()).isEqualTo(-1);
        assertThat(usages(qseal)).containsExactly(NON_REPUDIATION);
        assertThat(qseal.getExtendedKeyUsage()).isNull();
    }

    @Test
    void wrongKeyUsageQwacLacksDigitalSignatureAndClientAuth() throws Exception {
        X509Certificate wrong = pki.qwac(TestPki.Variant.WRONG_KEY_USAGE).certificate();
        assertThat(usages(wrong)).doesNotContain(DIGITAL_SIGNATURE).containsExactly(NON_REPUDIATION);
        assertThat(wrong.getExtendedKeyUsage()).doesNotContain(CLIENT_AUTH).containsExactly(SERVER_AUTH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"alpha", "beta"})
    void bankServerCertificatesAreForServerAuthOnLoopback(String bank) throws Exception {
        for (Credential credential : List.of(pki.bankServer(bank), pki.bankServerExpired(bank))) {
            X509Certificate server = credential.certificate();
            assertThat(server.getBasicConstraints()).isEqualTo(-1);
            assertThat(usages(server)).containsExactly(DIGITAL_SIGNATURE);
            assertThat(server.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
            assertThat(server.getSubjectAlternativeNames()).extracting(name -> name.get(0) + "=" + name.get(1))
                    .containsExactlyInAnyOrder("7=127.0.0.1", "2=localhost");
            assertThat(server.getIssuerX500Principal()).isEqualTo(pki.bankCa(bank).getSubjectX500Principal());
        }
    }

    @Test
    void everyCertificateHasSubjectAndAuthorityKeyIdentifiersThatLinkUp() {
        for (Credential credential : everyCredential()) {
            List<X509Certificate> chain = credential.chain();
            for (int i = 0; i < chain.size(); i++) {
                X509Certificate certificate = chain.get(i);
                X509Certificate issuer = chain.get(Math.min(i + 1, chain.size() - 1));
                byte[] ski = subjectKeyId(certificate);
                assertThat(ski).isNotEmpty();
                assertThat(authorityKeyId(certificate)).isEqualTo(subjectKeyId(issuer));
                assertThat(certificate.getNonCriticalExtensionOIDs()).contains("2.5.29.14", "2.5.29.35");
            }
        }
    }

    @Test
    void serialNumbersArePositiveRandomAndDistinct() {
        Set<java.math.BigInteger> serials = new HashSet<>();
        int count = 0;
        for (Credential credential : everyCredential()) {
            for (X509Certificate certificate : credential.chain()) {
                java.math.BigInteger serial = certificate.getSerialNumber();
                assertThat(serial.signum()).isPositive();
                assertThat(serial.bitLength()).isGreaterThan(64).isLessThanOrEqualTo(159);
                serials.add(serial);
            }
        }
        for (Credential credential : everyCredential()) {
            count += credential.chain().size();
        }
        // CAs recur in several chains; every distinct certificate has its own serial
        Set<X509Certificate> distinct = new HashSet<>();
        everyCredential().forEach(credential -> distinct.addAll(credential.chain()));
        assertThat(serials).hasSize(distinct.size());
        assertThat(count).isGreaterThan(distinct.size());
        TestPki other = TestPki.create(List.of());
        assertThat(other.rootCa().getSerialNumber()).isNotEqualTo(pki.rootCa().getSerialNumber());
        assertThat(other.qwac().certificate().getPublicKey()).isNotEqualTo(pki.qwac().certificate().getPublicKey());
    }

    // ---- API

    @Test
    void rejectsUnknownAndMalformedBankIds() {
        assertThatThrownBy(() -> pki.bankCa("gamma")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gamma");
        assertThatThrownBy(() -> pki.bankServer("gamma")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pki.bankServerExpired("gamma")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TestPki.create(List.of("Alpha"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TestPki.create(List.of("a/b"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TestPki.create(List.of("alpha", "alpha"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TestPki.create(List.of(""))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void passwordIsRandomAndACopy() {
        char[] password = pki.password();
        assertThat(password).hasSizeGreaterThanOrEqualTo(20);
        Arrays.fill(password, 'x');
        assertThat(pki.password()).isNotEqualTo(password);
        assertThat(TestPki.create(List.of()).password()).isNotEqualTo(pki.password());
    }

    @Test
    void credentialToStringNeverShowsTheKey() {
        String text = pki.qwac().toString();
        assertThat(text).contains("PSDDE-BAFIN-000001").doesNotContain("PRIVATE").doesNotContain("exponent");
        assertThat(text).doesNotContain(java.util.Base64.getEncoder().encodeToString(pki.qwac().key().getEncoded()).substring(0, 40));
    }

    @Test
    void credentialRequiresTheChainToStartWithTheCertificate() {
        Credential qwac = pki.qwac();
        assertThatThrownBy(() -> new Credential(qwac.key(), qwac.certificate(), List.of(pki.issuingCa())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Credential(qwac.key(), qwac.certificate(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        List<X509Certificate> chain = new ArrayList<>(qwac.chain());
        Credential copy = new Credential(qwac.key(), qwac.certificate(), chain);
        chain.clear();
        assertThat(copy.chain()).hasSize(3);
    }

    // ---- helpers

    static List<Credential> everyCredential() {
        List<Credential> all = new ArrayList<>(List.of(pki.qwac(), pki.qseal()));
        for (TestPki.Variant variant : TestPki.Variant.values()) {
            all.add(pki.qwac(variant));
        }
        for (String bank : pki.bankIds()) {
            all.add(pki.bankServer(bank));
            all.add(pki.bankServerExpired(bank));
        }
        return all;
    }

    /** Validates chain (leaf first; a trailing trust anchor is dropped) against root with the JDK's PKIX. */
    static PKIXCertPathValidatorResult validate(List<X509Certificate> chain, X509Certificate root, Date at)
            throws CertPathValidatorException, InvalidAlgorithmParameterException {
        List<X509Certificate> path = new ArrayList<>(chain);
        if (path.size() > 1 && path.get(path.size() - 1).equals(root)) {
            path.remove(path.size() - 1);
        }
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
            parameters.setRevocationEnabled(false);
            if (at != null) {
                parameters.setDate(at);
            }
            return (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
        } catch (java.security.cert.CertificateException | java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Date middleOf(X509Certificate certificate) {
        long from = certificate.getNotBefore().getTime();
        long to = certificate.getNotAfter().getTime();
        return new Date(from + (to - from) / 2);
    }

    private static List<Integer> usages(X509Certificate certificate) {
        boolean[] bits = certificate.getKeyUsage();
        assertThat(bits).as("keyUsage of " + certificate.getSubjectX500Principal()).isNotNull();
        List<Integer> set = new ArrayList<>();
        for (int i = 0; i < bits.length; i++) {
            if (bits[i]) {
                set.add(i);
            }
        }
        return set;
    }

    private static byte[] subjectKeyId(X509Certificate certificate) {
        byte[] value = certificate.getExtensionValue("2.5.29.14");
        assertThat(value).as("SKI of " + certificate.getSubjectX500Principal()).isNotNull();
        return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(value).getOctets()).getKeyIdentifier();
    }

    private static byte[] authorityKeyId(X509Certificate certificate) {
        byte[] value = certificate.getExtensionValue("2.5.29.35");
        assertThat(value).as("AKI of " + certificate.getSubjectX500Principal()).isNotNull();
        return AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(value).getOctets()).getKeyIdentifierOctets();
    }
}
