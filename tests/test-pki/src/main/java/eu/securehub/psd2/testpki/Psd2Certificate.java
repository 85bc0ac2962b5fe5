package eu.securehub.psd2.testpki;

import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The PSD2 attributes of an eIDAS certificate (QWAC or QSEAL) as ETSI TS 119 495 defines them: the PSD2
 * QCStatement (0.4.0.19495.2) in the QCStatements extension (RFC 3739, 1.3.6.1.5.5.7.1.3) with the roles of
 * the PSP and the name and id of the national competent authority, the subject's organizationIdentifier
 * (2.5.4.97, {@code PSD<CC>-<NCA>-<id>}) and whether the certificate claims EU qualified status
 * (QcCompliance, 0.4.0.1862.1.1).
 *
 * <p>This class only reads the certificate: whether it is trustworthy (chain, validity, key usage) is the
 * caller's check.
 */
public final class Psd2Certificate {

    /** The QCStatements extension (RFC 3739). */
    static final String QC_STATEMENTS = "1.3.6.1.5.5.7.1.3";
    /** ETSI EN 319 412-5 QcCompliance. */
    static final String QC_COMPLIANCE = "0.4.0.1862.1.1";
    /** ETSI EN 319 412-5 QcType and its values. */
    static final String QC_TYPE = "0.4.0.1862.1.6";
    static final String QC_TYPE_ESIGN = "0.4.0.1862.1.6.1";
    static final String QC_TYPE_ESEAL = "0.4.0.1862.1.6.2";
    static final String QC_TYPE_WEB = "0.4.0.1862.1.6.3";
    /** ETSI TS 119 495 PSD2 QCStatement. */
    static final String PSD2_STATEMENT = "0.4.0.19495.2";
    /** ETSI TS 119 495 role OIDs (id-psd2-role, 0.4.0.19495.1) by role name. */
    static final Map<String, String> ROLE_OIDS = Map.of(
            "PSP_AS", "0.4.0.19495.1.1",
            "PSP_PI", "0.4.0.19495.1.2",
            "PSP_AI", "0.4.0.19495.1.3",
            "PSP_IC", "0.4.0.19495.1.4");

    private final Set<String> roles;
    private final String ncaName;
    private final String ncaId;
    private final String organizationIdentifier;
    private final boolean qcCompliance;

    private Psd2Certificate(Set<String> roles, String ncaName, String ncaId, String organizationIdentifier,
            boolean qcCompliance) {
        this.roles = roles;
        this.ncaName = ncaName;
        this.ncaId = ncaId;
        this.organizationIdentifier = organizationIdentifier;
        this.qcCompliance = qcCompliance;
    }

    /**
     * The PSD2 attributes of {@code certificate}; empty when it has no QCStatements extension, no PSD2
     * statement in it, or when either is not well-formed DER of the structure ETSI TS 119 495 defines.
     */
    public static Optional<Psd2Certificate> of(X509Certificate certificate) {
        byte[] extension = certificate.getExtensionValue(QC_STATEMENTS);
        if (extension == null) {
            return Optional.empty();
        }
        try {
            ASN1Sequence statements = ASN1Sequence.getInstance(
                    ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extension).getOctets()));
            boolean compliance = false;
            ASN1Sequence psd2 = null;
            for (ASN1Encodable element : statements) {
                ASN1Sequence statement = ASN1Sequence.getInstance(element);
                if (statement.size() < 1 || statement.size() > 2) {
                    return Optional.empty();
                }
                String id = ASN1ObjectIdentifier.getInstance(statement.getObjectAt(0)).getId();
                if (QC_COMPLIANCE.equals(id)) {
                    compliance = true;
                } else if (PSD2_STATEMENT.equals(id)) {
                    if (statement.size() != 2 || psd2 != null) {
                        return Optional.empty();
                    }
                    psd2 = ASN1Sequence.getInstance(statement.getObjectAt(1));
                }
            }
            if (psd2 == null || psd2.size() != 3) {
                return Optional.empty();
            }
            // PSD2QcType ::= SEQUENCE { rolesOfPSP RolesOfPSP, nCAName NCAName, nCAId NCAId }
            Set<String> roles = new LinkedHashSet<>();
            for (ASN1Encodable element : ASN1Sequence.getInstance(psd2.getObjectAt(0))) {
                // RoleOfPSP ::= SEQUENCE { roleOfPspOid RoleOfPspOid, roleOfPspName RoleOfPspName }
                ASN1Sequence role = ASN1Sequence.getInstance(element);
                if (role.size() != 2) {
                    return Optional.empty();
                }
                String oid = ASN1ObjectIdentifier.getInstance(role.getObjectAt(0)).getId();
                String name = text(role.getObjectAt(1));
                roles.add(roleName(oid, name));
            }
            String ncaName = text(psd2.getObjectAt(1));
            String ncaId = text(psd2.getObjectAt(2));
            return Optional.of(new Psd2Certificate(Collections.unmodifiableSet(roles), ncaName, ncaId,
                    organizationIdentifier(certificate), compliance));
        } catch (RuntimeException | java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** The role name for a role OID: the ETSI name of a known OID, else the name the certificate gives. */
    private static String roleName(String oid, String name) {
        for (Map.Entry<String, String> known : ROLE_OIDS.entrySet()) {
            if (known.getValue().equals(oid)) {
                return known.getKey();
            }
        }
        return name;
    }

    private static String text(ASN1Encodable value) {
        if (value instanceof ASN1String string) {
            return string.getString();
        }
        throw new IllegalArgumentException("not a string: " + value);
    }

    private static String organizationIdentifier(X509Certificate certificate) {
        X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        for (RDN rdn : subject.getRDNs(BCStyle.ORGANIZATION_IDENTIFIER)) {
            for (var attribute : rdn.getTypesAndValues()) {
                if (BCStyle.ORGANIZATION_IDENTIFIER.equals(attribute.getType())) {
                    return text(attribute.getValue());
                }
            }
        }
        return null;
    }

    /** The PSP roles, by ETSI name: {@code PSP_AS}, {@code PSP_PI}, {@code PSP_AI}, {@code PSP_IC}. */
    public Set<String> roles() {
        return roles;
    }

    /** The national competent authority's name, e.g. {@code Federal Financial Supervisory Authority}. */
    public String ncaName() {
        return ncaName;
    }

    /** The national competent authority's id, e.g. {@code DE-BAFIN}. */
    public String ncaId() {
        return ncaId;
    }

    /** The subject's organizationIdentifier (2.5.4.97), e.g. {@code PSDDE-BAFIN-000001}; null without one. */
    public String organizationIdentifier() {
        return organizationIdentifier;
    }

    /** Whether the certificate carries the QcCompliance statement. */
    public boolean qcCompliance() {
        return qcCompliance;
    }

    @Override
    public String toString() {
        return "Psd2Certificate[roles=" + roles + ", ncaName=" + ncaName + ", ncaId=" + ncaId
                + ", organizationIdentifier=" + organizationIdentifier + ", qcCompliance=" + qcCompliance + "]";
    }
}
