package eu.securehub.psd2.testpki;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.qualified.QCStatement;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Psd2CertificateTest {

    private static TestPki pki;

    @BeforeAll
    static void createPki() {
        pki = TestPki.create(List.of("alpha"));
    }

    @Test
    void qwacCarriesBothRolesTheNcaAndTheOrganizationIdentifier() {
        Psd2Certificate psd2 = Psd2Certificate.of(pki.qwac().certificate()).orElseThrow();
        assertThat(psd2.roles()).containsExactly("PSP_AI", "PSP_PI");
        assertThat(psd2.ncaName()).isEqualTo("Federal Financial Supervisory Authority");
        assertThat(psd2.ncaId()).isEqualTo("DE-BAFIN");
        assertThat(psd2.organizationIdentifier()).isEqualTo("PSDDE-BAFIN-000001");
        assertThat(psd2.qcCompliance()).isTrue();
        assertThat(psd2.toString()).contains("PSP_AI", "DE-BAFIN");
    }

    @Test
    void qsealCarriesTheSameIdentity() {
        Psd2Certificate psd2 = Psd2Certificate.of(pki.qseal().certificate()).orElseThrow();
        assertThat(psd2.roles()).containsExactly("PSP_AI", "PSP_PI");
        assertThat(psd2.ncaName()).isEqualTo(TestPki.NCA_NAME);
        assertThat(psd2.ncaId()).isEqualTo(TestPki.NCA_ID);
        assertThat(psd2.organizationIdentifier()).isEqualTo(TestPki.ORGANIZATION_IDENTIFIER);
        assertThat(psd2.qcCompliance()).isTrue();
    }

    @Test
    void noAiRoleQwacHasOnlyThePaymentRole() {
        Psd2Certificate psd2 = Psd2Certificate.of(pki.qwac(TestPki.Variant.NO_AI_ROLE).certificate()).orElseThrow();
        assertThat(psd2.roles()).containsExactly("PSP_PI").doesNotContain("PSP_AI");
        assertThat(psd2.organizationIdentifier()).isEqualTo("PSDDE-BAFIN-000001");
    }

    @Test
    void otherNegativeQwacsKeepBothRoles() {
        for (TestPki.Variant variant : List.of(TestPki.Variant.EXPIRED, TestPki.Variant.NOT_YET_VALID,
                TestPki.Variant.OTHER_CA, TestPki.Variant.WRONG_KEY_USAGE)) {
            Psd2Certificate psd2 = Psd2Certificate.of(pki.qwac(variant).certificate()).orElseThrow();
            assertThat(psd2.roles()).as(variant.name()).containsExactly("PSP_AI", "PSP_PI");
            assertThat(psd2.ncaId()).isEqualTo("DE-BAFIN");
        }
    }

    @Test
    void rolesAreUnmodifiable() {
        Psd2Certificate psd2 = Psd2Certificate.of(pki.qwac().certificate()).orElseThrow();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> psd2.roles().add("PSP_AS"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void certificatesWithoutTheStatementGiveEmpty() {
        assertThat(Psd2Certificate.of(pki.rootCa())).isEmpty();
        assertThat(Psd2Certificate.of(pki.issuingCa())).isEmpty();
        assertThat(Psd2Certificate.of(pki.bankCa("alpha"))).isEmpty();
        assertThat(Psd2Certificate.of(pki.bankServer("alpha").certificate())).isEmpty();
    }

    @Test
    void qcStatementsWithoutThePsd2StatementGiveEmpty() throws Exception {
        DERSequence onlyCompliance = new DERSequence(
                new DERSequence(new ASN1ObjectIdentifier(Psd2Certificate.QC_COMPLIANCE)));
        assertThat(Psd2Certificate.of(certificate(onlyCompliance.getEncoded(), "CN=x"))).isEmpty();
    }

    @Test
    void malformedStatementsGiveEmpty() throws Exception {
        // not DER at all
        assertThat(Psd2Certificate.of(certificate(new byte[] {0x30, 0x05, 0x01}, "CN=x"))).isEmpty();
        // PSD2 statement without its info
        DERSequence noInfo = new DERSequence(new DERSequence(new ASN1ObjectIdentifier(Psd2Certificate.PSD2_STATEMENT)));
        assertThat(Psd2Certificate.of(certificate(noInfo.getEncoded(), "CN=x"))).isEmpty();
        // PSD2 info missing the NCA id
        DERSequence shortInfo = new DERSequence(new DERSequence(new ASN1Encodable[] {
            new ASN1ObjectIdentifier(Psd2Certificate.PSD2_STATEMENT),
            new DERSequence(new ASN1Encodable[] {new DERSequence(), new DERUTF8String("NCA")})}));
        assertThat(Psd2Certificate.of(certificate(shortInfo.getEncoded(), "CN=x"))).isEmpty();
        // a role that is not a sequence of OID and name
        DERSequence badRole = statement(new DERSequence(new DERUTF8String("PSP_AI")), "NCA", "XX-NCA");
        assertThat(Psd2Certificate.of(certificate(badRole.getEncoded(), "CN=x"))).isEmpty();
    }

    @Test
    void parsesAStatementBuiltIndependentlyAndFallsBackToTheRoleNameForUnknownOids() throws Exception {
        DERSequence roles = new DERSequence(new ASN1Encodable[] {
            new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier("0.4.0.19495.1.1"), new DERUTF8String("PSP_AS")}),
            new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier("0.4.0.19495.1.4"), new DERUTF8String("PSP_IC")}),
            new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier("1.2.3.4"), new DERUTF8String("PSP_XX")})});
        DERSequence statements = statement(roles, "Commission de Surveillance du Secteur Financier", "LU-CSSF");
        X509Certificate certificate = certificate(statements.getEncoded(),
                "CN=x, 2.5.4.97=PSDLU-CSSF-Z123");
        Psd2Certificate psd2 = Psd2Certificate.of(certificate).orElseThrow();
        assertThat(psd2.roles()).containsExactly("PSP_AS", "PSP_IC", "PSP_XX");
        assertThat(psd2.ncaName()).isEqualTo("Commission de Surveillance du Secteur Financier");
        assertThat(psd2.ncaId()).isEqualTo("LU-CSSF");
        assertThat(psd2.organizationIdentifier()).isEqualTo("PSDLU-CSSF-Z123");
        assertThat(psd2.qcCompliance()).isFalse();
    }

    @Test
    void qwacStatementsDecodeWithBouncyCastlesQcStatementType() throws Exception {
        byte[] value = pki.qwac().certificate().getExtensionValue(Psd2Certificate.QC_STATEMENTS);
        org.bouncycastle.asn1.ASN1Sequence sequence = org.bouncycastle.asn1.ASN1Sequence.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(value).getOctets());
        List<String> ids = new java.util.ArrayList<>();
        for (ASN1Encodable element : sequence) {
            ids.add(QCStatement.getInstance(element).getStatementId().getId());
        }
        assertThat(ids).containsExactly(Psd2Certificate.QC_COMPLIANCE, Psd2Certificate.QC_TYPE, Psd2Certificate.PSD2_STATEMENT);
        QCStatement type = QCStatement.getInstance(sequence.getObjectAt(1));
        assertThat(org.bouncycastle.asn1.ASN1Sequence.getInstance(type.getStatementInfo()).getObjectAt(0))
                .isEqualTo(new ASN1ObjectIdentifier("0.4.0.1862.1.6.3"));
        byte[] sealValue = pki.qseal().certificate().getExtensionValue(Psd2Certificate.QC_STATEMENTS);
        QCStatement sealType = QCStatement.getInstance(org.bouncycastle.asn1.ASN1Sequence.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(sealValue).getOctets()).getObjectAt(1));
        assertThat(org.bouncycastle.asn1.ASN1Sequence.getInstance(sealType.getStatementInfo()).getObjectAt(0))
                .isEqualTo(new ASN1ObjectIdentifier("0.4.0.1862.1.6.2"));
        assertThat(pki.qwac().certificate().getCriticalExtensionOIDs()).doesNotContain(Psd2Certificate.QC_STATEMENTS);
    }

    private static DERSequence statement(ASN1Encodable roles, String ncaName, String ncaId) {
        return new DERSequence(new DERSequence(new ASN1Encodable[] {
            new ASN1ObjectIdentifier(Psd2Certificate.PSD2_STATEMENT),
            new DERSequence(new ASN1Encodable[] {roles, new DERUTF8String(ncaName), new DERUTF8String(ncaId)})}));
    }

    /** A self-signed certificate whose QCStatements extension holds exactly {@code statements}. */
    private static X509Certificate certificate(byte[] statements, String subject) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name(subject);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
                Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), name, keys.getPublic());
        builder.addExtension(new Extension(Extension.qCStatements, false, new DEROctetString(statements)));
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }
}
