package eu.securehub.psd2.config;

import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The PSP roles an eIDAS certificate (QWAC or QSEAL) carries in its ETSI TS 119 495 PSD2 QCStatement:
 *
 * <pre>
 * QCStatements extension (RFC 3739, 1.3.6.1.5.5.7.1.3) ::= SEQUENCE OF QCStatement
 * QCStatement  ::= SEQUENCE { statementId OBJECT IDENTIFIER, statementInfo ANY OPTIONAL }
 * PSD2QcType   ::= SEQUENCE { rolesOfPSP RolesOfPSP, nCAName NCAName, nCAId NCAId }    -- statementId 0.4.0.19495.2
 * RolesOfPSP   ::= SEQUENCE OF RoleOfPSP
 * RoleOfPSP    ::= SEQUENCE { roleOfPspOid RoleOfPspOid, roleOfPspName RoleOfPspName }
 * </pre>
 *
 * A role is identified by its OID (id-psd2-role 0.4.0.19495.1.n); the name is informative only, so a certificate
 * whose OID and name disagree has the OID's role. Only the certificate is read: whether it is trusted is the bank's
 * check at every handshake or signature.
 */
final class Psd2Roles {
    static final String QC_STATEMENTS = "1.3.6.1.5.5.7.1.3";
    static final String PSD2_STATEMENT = "0.4.0.19495.2";
    /** ETSI TS 119 495 clause 5.1: the role OIDs, by the role names the standard gives them. */
    static final Map<String, String> ROLE_BY_OID = Map.of(
            "0.4.0.19495.1.1", "PSP_AS",
            "0.4.0.19495.1.2", "PSP_PI",
            "0.4.0.19495.1.3", "PSP_AI",
            "0.4.0.19495.1.4", "PSP_IC");
    /** The role each PSD2 service of the registry needs (PSD2 art. 66: PIS, art. 67: AIS). */
    static final Map<String, String> ROLE_FOR_SERVICE = Map.of("AIS", "PSP_AI", "PIS", "PSP_PI");
    static final List<String> SERVICES = List.of("AIS", "PIS");

    /** What the certificate says; {@link #roles} only when {@code status} is {@link Status#PRESENT}. */
    enum Status { PRESENT, ABSENT, MALFORMED }

    final Status status;
    final Set<String> roles;
    /** Why the statement could not be read, for {@link Status#MALFORMED}. */
    final String problem;

    private Psd2Roles(Status status, Set<String> roles, String problem) {
        this.status = status;
        this.roles = roles;
        this.problem = problem;
    }

    static Psd2Roles of(X509Certificate certificate) {
        byte[] extension = certificate.getExtensionValue(QC_STATEMENTS);
        if (extension == null) {
            return new Psd2Roles(Status.ABSENT, Set.of(), null);
        }
        try {
            // getExtensionValue gives the extnValue OCTET STRING itself, whose contents are the DER of the extension.
            Der outer = Der.of(extension);
            Der.Value octets = outer.next().expect(Der.OCTET_STRING, "the QCStatements extension value");
            outer.end("the QCStatements extension value");
            Der content = octets.contents();
            Der.Value statements = content.next().expect(Der.SEQUENCE, "QCStatements");
            content.end("QCStatements");
            Set<String> roles = null;
            for (Der list = statements.contents(); list.hasNext();) {
                Der statement = list.next().expect(Der.SEQUENCE, "a QCStatement").contents();
                String id = statement.next().oid();
                if (!PSD2_STATEMENT.equals(id)) {
                    continue;
                }
                if (roles != null) {
                    throw new IllegalArgumentException("the PSD2 QCStatement is there twice");
                }
                Der psd2 = statement.next().expect(Der.SEQUENCE, "PSD2QcType").contents();
                statement.end("the PSD2 QCStatement");
                roles = new LinkedHashSet<>();
                for (Der r = psd2.next().expect(Der.SEQUENCE, "RolesOfPSP").contents(); r.hasNext();) {
                    Der role = r.next().expect(Der.SEQUENCE, "RoleOfPSP").contents();
                    String oid = role.next().oid();
                    String name = role.next().string();
                    role.end("RoleOfPSP");
                    String known = ROLE_BY_OID.get(oid);
                    roles.add(known != null ? known : "unknown role " + oid + " (" + name + ")");
                }
                psd2.next().string(); // nCAName
                psd2.next().string(); // nCAId
                psd2.end("PSD2QcType");
            }
            if (roles == null) {
                return new Psd2Roles(Status.ABSENT, Set.of(), null);
            }
            return new Psd2Roles(Status.PRESENT, Collections.unmodifiableSet(roles), null);
        } catch (IllegalArgumentException e) {
            return new Psd2Roles(Status.MALFORMED, Set.of(), e.getMessage());
        }
    }
}
