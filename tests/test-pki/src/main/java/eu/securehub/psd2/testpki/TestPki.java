package eu.securehub.psd2.testpki;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A complete test eIDAS / PSD2 PKI, generated in memory with fresh keys on every {@link #create(List)}:
 *
 * <ul>
 *   <li>the TPP side: a root CA, an issuing CA under it, and the TPP's QWAC (TLS client certificate) and QSEAL
 *       (seal certificate) issued by it, both carrying QcCompliance, QcType (web / eseal) and the ETSI TS 119 495
 *       PSD2 QCStatement (roles {@code PSP_AI} and {@code PSP_PI}, NCA {@value #NCA_NAME} / {@value #NCA_ID}),
 *       subject organizationIdentifier {@value #ORGANIZATION_IDENTIFIER};</li>
 *   <li>deliberately wrong QWACs for negative tests ({@link Variant});</li>
 *   <li>per sandbox bank: its own CA, a server certificate for {@code 127.0.0.1} / {@code localhost} and an
 *       expired one.</li>
 * </ul>
 *
 * <p>CAs use EC P-256 keys (certificates signed SHA256withECDSA); the TPP's certificates RSA 2048 keys (so
 * that they can also sign PS256), bank server certificates EC P-256. Serial numbers are random. Valid
 * certificates run from two days ago to five days ahead, CAs from 30 days ago to 30 days ahead; expired ones
 * ended yesterday, not-yet-valid ones start tomorrow. Only the JDK's providers are used at run time: the
 * BouncyCastle provider is not registered.
 */
public final class TestPki {

    /** The TPP's organizationIdentifier, also its OAuth client_id at the sandbox banks. */
    public static final String ORGANIZATION_IDENTIFIER = "PSDDE-BAFIN-000001";
    /** The TPP's national competent authority. */
    public static final String NCA_NAME = "Federal Financial Supervisory Authority";
    public static final String NCA_ID = "DE-BAFIN";
    /** The TPP's QWAC's common name and DNS name. */
    public static final String TPP_DOMAIN = "tpp.securehub.test";
    /** The key entry alias in each PKCS#12 file {@link #writeTo(Path)} writes. */
    public static final String QWAC_ALIAS = "qwac";
    public static final String QSEAL_ALIAS = "qseal";
    public static final String SERVER_ALIAS = "server";

    /** Deliberately wrong QWACs; each differs from {@link #qwac()} in one respect only. */
    public enum Variant {
        /** Ended yesterday. */
        EXPIRED,
        /** Starts tomorrow. */
        NOT_YET_VALID,
        /** Issued by an unrelated root and issuing CA (same subject as the real QWAC). */
        OTHER_CA,
        /** Only the role PSP_PI: no PSP_AI. */
        NO_AI_ROLE,
        /** keyUsage nonRepudiation only (no digitalSignature), extendedKeyUsage serverAuth only (no clientAuth). */
        WRONG_KEY_USAGE;

        /** The file name {@link #writeTo(Path)} uses, e.g. {@code qwac-not-yet-valid.p12}. */
        public String fileName() {
            return "qwac-" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ".p12";
        }
    }

    private static final Pattern BANK_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Duration CA_BEFORE = Duration.ofDays(30);
    private static final Duration CA_AFTER = Duration.ofDays(30);
    private static final Duration VALID_BEFORE = Duration.ofDays(2);
    private static final Duration VALID_AFTER = Duration.ofDays(5);
    private static final Duration DAY = Duration.ofDays(1);
    private static final Duration OUTSIDE_SPAN = Duration.ofDays(9);
    private static final String PASSWORD_ALPHABET =
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private final SecureRandom random;
    private final Credential root;
    private final Credential issuing;
    private final Credential qwac;
    private final Credential qseal;
    private final Map<Variant, Credential> variants = new EnumMap<>(Variant.class);
    private final Map<String, Bank> banks = new LinkedHashMap<>();
    private final char[] password;

    private record Bank(Credential ca, Credential server, Credential serverExpired) {
    }

    private TestPki(List<String> bankIds) {
        this.random = new SecureRandom();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant caFrom = now.minus(CA_BEFORE);
        Instant caTo = now.plus(CA_AFTER);
        Instant from = now.minus(VALID_BEFORE);
        Instant to = now.plus(VALID_AFTER);

        root = selfSignedCa(name("PSD2 Secure Hub Test QTSP", "PSD2 Secure Hub Test QTSP Root CA"), 1, caFrom, caTo);
        issuing = ca(root, name("PSD2 Secure Hub Test QTSP", "PSD2 Secure Hub Test QTSP Issuing CA"), 0, caFrom, caTo);

        List<String> allRoles = List.of("PSP_AI", "PSP_PI");
        qwac = qwac(issuing, allRoles, from, to, true);
        qseal = issue(issuing, rsa(), tppName("PSD2 Secure Hub Test TPP Seal"), from, to, b -> {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.nonRepudiation));
            b.addExtension(Extension.qCStatements, false, qcStatements(Psd2Certificate.QC_TYPE_ESEAL, allRoles));
        });

        variants.put(Variant.EXPIRED, qwac(issuing, allRoles, now.minus(OUTSIDE_SPAN).minus(DAY), now.minus(DAY), true));
        variants.put(Variant.NOT_YET_VALID, qwac(issuing, allRoles, now.plus(DAY), now.plus(DAY).plus(OUTSIDE_SPAN), true));
        Credential otherRoot = selfSignedCa(name("Unrelated Test CA", "Unrelated Test Root CA"), 1, caFrom, caTo);
        Credential otherIssuing = ca(otherRoot, name("Unrelated Test CA", "Unrelated Test Issuing CA"), 0, caFrom, caTo);
        variants.put(Variant.OTHER_CA, qwac(otherIssuing, allRoles, from, to, true));
        variants.put(Variant.NO_AI_ROLE, qwac(issuing, List.of("PSP_PI"), from, to, true));
        variants.put(Variant.WRONG_KEY_USAGE, qwac(issuing, allRoles, from, to, false));

        for (String id : bankIds) {
            Credential bankCa = selfSignedCa(name("Sandbox Bank " + id, "Sandbox Bank " + id + " Test CA"), 0, caFrom, caTo);
            Credential server = bankServer(bankCa, id, from, to);
            Credential expired = bankServer(bankCa, id, now.minus(OUTSIDE_SPAN).minus(DAY), now.minus(DAY));
            banks.put(id, new Bank(bankCa, server, expired));
        }
        password = newPassword();
    }

    /**
     * A fresh PKI with the TPP's certificates and, for each of {@code bankIds} (lower case letters, digits and
     * '-', e.g. {@code alpha}), a bank CA and server certificates.
     */
    public static TestPki create(List<String> bankIds) {
        Objects.requireNonNull(bankIds, "bankIds");
        List<String> ids = List.copyOf(bankIds);
        for (String id : ids) {
            if (!BANK_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("bank id must be lower case letters, digits and '-': " + id);
            }
        }
        if (ids.stream().distinct().count() != ids.size()) {
            throw new IllegalArgumentException("duplicate bank id in " + ids);
        }
        return new TestPki(ids);
    }

    /** The TPP side's self-signed root CA (the trust anchor of QWACs and QSEALs). */
    public X509Certificate rootCa() {
        return root.certificate();
    }

    /** The TPP side's issuing CA (issued by {@link #rootCa()}, issuer of the QWAC and QSEAL). */
    public X509Certificate issuingCa() {
        return issuing.certificate();
    }

    /** The TPP's valid QWAC: chain QWAC, issuing CA, root CA. */
    public Credential qwac() {
        return qwac;
    }

    /** The TPP's valid QSEAL: chain QSEAL, issuing CA, root CA. */
    public Credential qseal() {
        return qseal;
    }

    /**
     * A successor of {@link #qseal()}: a new key and certificate for the same TPP from the same issuing CA, valid from
     * now for as long as the other certificates: what a QSEAL roll-over imports.
     */
    public Credential nextQseal() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return issue(issuing, rsa(), tppName("PSD2 Secure Hub Test TPP Seal"), now.minus(DAY), now.plus(VALID_AFTER), b -> {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.nonRepudiation));
            b.addExtension(Extension.qCStatements, false, qcStatements(Psd2Certificate.QC_TYPE_ESEAL,
                    List.of("PSP_AI", "PSP_PI")));
        });
    }

    /**
     * A successor of {@link #qwac()}: a new RSA key and a new certificate (new serial number) for the same TPP from the
     * same issuing CA, with the same subject (organizationIdentifier {@value #ORGANIZATION_IDENTIFIER}), key usages and
     * PSD2 roles ({@code PSP_AI}, {@code PSP_PI}), valid from now (a day back, as {@link #nextQseal()}, for clock skew)
     * for as long as the other certificates: what a QWAC roll-over puts into the new keystore. Each call issues another.
     */
    public Credential nextQwac() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return qwac(issuing, List.of("PSP_AI", "PSP_PI"), now.minus(DAY), now.plus(VALID_AFTER), true);
    }

    /** A deliberately wrong QWAC; its chain ends at its own issuer's root (for OTHER_CA, the unrelated root). */
    public Credential qwac(Variant variant) {
        return variants.get(Objects.requireNonNull(variant, "variant"));
    }

    /** The bank's self-signed CA, issuer of its server certificates. */
    public X509Certificate bankCa(String bankId) {
        return bank(bankId).ca().certificate();
    }

    /** The bank's valid TLS server certificate (127.0.0.1, localhost): chain server, bank CA. */
    public Credential bankServer(String bankId) {
        return bank(bankId).server();
    }

    /** The bank's expired TLS server certificate (ended yesterday), same names and CA. */
    public Credential bankServerExpired(String bankId) {
        return bank(bankId).serverExpired();
    }

    /** The bank ids, in the order given to {@link #create(List)}. */
    public List<String> bankIds() {
        return List.copyOf(banks.keySet());
    }

    /** The password of every PKCS#12 file {@link #writeTo(Path)} writes (random per PKI); a copy. */
    public char[] password() {
        return password.clone();
    }

    /**
     * Writes the PKI into {@code dir} (created when missing; existing files of the same names replaced):
     * {@code root-ca.pem}, {@code issuing-ca.pem}, {@code qwac.p12} (alias {@code qwac}), {@code qwac.pem}
     * (the QWAC then the issuing CA), {@code qwac-key.pem}, {@code qseal.p12} (alias {@code qseal}),
     * {@code qseal.pem} (the QSEAL then the issuing CA), {@code qseal-key.pem}, per bank
     * {@code bank-<id>-ca.pem}, {@code bank-<id>-server.p12} and {@code bank-<id>-server-expired.p12} (alias
     * {@code server}), the negative QWACs {@code qwac-expired.p12}, {@code qwac-not-yet-valid.p12},
     * {@code qwac-other-ca.p12}, {@code qwac-no-ai-role.p12}, {@code qwac-wrong-key-usage.p12} (alias
     * {@code qwac}) and {@code password.txt} (the PKCS#12 password, no line end). Keys, key stores and the
     * password file are readable by the owner only where the file system has POSIX permissions.
     *
     * @return {@code dir}
     */
    public Path writeTo(Path dir) {
        write(dir);
        return dir;
    }

    /** Writes the files and returns each one's name with a short description (no secret in it). */
    Map<Path, String> write(Path dir) {
        Map<Path, String> written = new LinkedHashMap<>();
        try {
            Files.createDirectories(dir);
            writePublic(dir, "root-ca.pem", Credential.Pem.certificate(rootCa()), written,
                    "TPP root CA certificate: " + subject(rootCa()));
            writePublic(dir, "issuing-ca.pem", Credential.Pem.certificate(issuingCa()), written,
                    "TPP issuing CA certificate: " + subject(issuingCa()));
            writePkcs12(dir, "qwac.p12", qwac, QWAC_ALIAS, written, "QWAC key and chain");
            writePublic(dir, "qwac.pem", qwac.certificatePem() + Credential.Pem.certificate(issuingCa()), written,
                    "QWAC certificate and issuing CA: " + subject(qwac.certificate()));
            writeSecret(dir, "qwac-key.pem", qwac.privateKeyPem().getBytes(StandardCharsets.US_ASCII), written,
                    "QWAC private key (PKCS#8 PEM)");
            writePkcs12(dir, "qseal.p12", qseal, QSEAL_ALIAS, written, "QSEAL key and chain");
            writePublic(dir, "qseal.pem", qseal.certificatePem() + Credential.Pem.certificate(issuingCa()), written,
                    "QSEAL certificate and issuing CA: " + subject(qseal.certificate()));
            writeSecret(dir, "qseal-key.pem", qseal.privateKeyPem().getBytes(StandardCharsets.US_ASCII), written,
                    "QSEAL private key (PKCS#8 PEM)");
            for (Map.Entry<String, Bank> bank : banks.entrySet()) {
                String id = bank.getKey();
                writePublic(dir, "bank-" + id + "-ca.pem", Credential.Pem.certificate(bank.getValue().ca().certificate()),
                        written, "bank " + id + " CA certificate: " + subject(bank.getValue().ca().certificate()));
                writePkcs12(dir, "bank-" + id + "-server.p12", bank.getValue().server(), SERVER_ALIAS, written,
                        "bank " + id + " TLS server key and chain");
                writePkcs12(dir, "bank-" + id + "-server-expired.p12", bank.getValue().serverExpired(), SERVER_ALIAS,
                        written, "bank " + id + " expired TLS server key and chain");
            }
            for (Variant variant : Variant.values()) {
                writePkcs12(dir, variant.fileName(), variants.get(variant), QWAC_ALIAS, written,
                        "negative QWAC " + variant);
            }
            writeSecret(dir, "password.txt", new String(password).getBytes(StandardCharsets.US_ASCII), written,
                    "the PKCS#12 password");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test PKI to " + dir, e);
        }
        return Collections.unmodifiableMap(written);
    }

    private Bank bank(String bankId) {
        Bank bank = banks.get(bankId);
        if (bank == null) {
            throw new IllegalArgumentException("no such bank in this PKI: " + bankId + " (have " + banks.keySet() + ")");
        }
        return bank;
    }

    // ---- files

    private static void writePublic(Path dir, String name, String pem, Map<Path, String> written, String what)
            throws IOException {
        Path file = dir.resolve(name);
        Files.deleteIfExists(file);
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        written.put(file, what);
    }

    private static void writeSecret(Path dir, String name, byte[] content, Map<Path, String> written, String what)
            throws IOException {
        Path file = dir.resolve(name);
        Files.deleteIfExists(file);
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.write(file, content);
        written.put(file, what);
    }

    private void writePkcs12(Path dir, String name, Credential credential, String alias, Map<Path, String> written,
            String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            credential.pkcs12(password, alias).store(out, password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot write a PKCS#12 key store", e);
        }
        writeSecret(dir, name, out.toByteArray(), written, what + " (PKCS#12, alias " + alias + "): "
                + subject(credential.certificate()) + ", valid " + credential.certificate().getNotBefore().toInstant()
                + " to " + credential.certificate().getNotAfter().toInstant());
    }

    private static String subject(X509Certificate certificate) {
        return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).toString();
    }

    // ---- certificates

    /** Adds extensions to a certificate being built. */
    @FunctionalInterface
    private interface Extensions {
        void add(X509v3CertificateBuilder builder) throws CertIOException;
    }

    private static X500Name name(String organization, String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "DE")
                .addRDN(BCStyle.O, organization)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    private static X500Name tppName(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "DE")
                .addRDN(BCStyle.O, "PSD2 Secure Hub Test TPP GmbH")
                .addRDN(BCStyle.ORGANIZATION_IDENTIFIER, ORGANIZATION_IDENTIFIER)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    private Credential qwac(Credential issuer, List<String> roles, Instant from, Instant to, boolean rightUsage) {
        return issue(issuer, rsa(), tppName(TPP_DOMAIN), from, to, b -> {
            if (rightUsage) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            } else {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.nonRepudiation));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            }
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, TPP_DOMAIN)));
            b.addExtension(Extension.qCStatements, false, qcStatements(Psd2Certificate.QC_TYPE_WEB, roles));
        });
    }

    private Credential bankServer(Credential bankCa, String id, Instant from, Instant to) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "DE")
                .addRDN(BCStyle.O, "Sandbox Bank " + id)
                .addRDN(BCStyle.CN, "localhost")
                .build();
        return issue(bankCa, ec(), subject, from, to, b -> {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")}));
        });
    }

    /**
     * QCStatements (RFC 3739): QcCompliance, QcType and the ETSI TS 119 495 PSD2 statement
     * {@code PSD2QcType ::= SEQUENCE { rolesOfPSP SEQUENCE OF SEQUENCE { roleOfPspOid, roleOfPspName }, nCAName,
     * nCAId }}.
     */
    static DERSequence qcStatements(String qcType, List<String> roles) {
        ASN1EncodableVector rolesOfPsp = new ASN1EncodableVector();
        for (String role : roles) {
            String oid = Objects.requireNonNull(Psd2Certificate.ROLE_OIDS.get(role), role);
            rolesOfPsp.add(new DERSequence(new ASN1Encodable[] {
                new ASN1ObjectIdentifier(oid), new DERUTF8String(role)}));
        }
        DERSequence psd2 = new DERSequence(new ASN1Encodable[] {
            new DERSequence(rolesOfPsp), new DERUTF8String(NCA_NAME), new DERUTF8String(NCA_ID)});
        return new DERSequence(new ASN1Encodable[] {
            new DERSequence(new ASN1ObjectIdentifier(Psd2Certificate.QC_COMPLIANCE)),
            new DERSequence(new ASN1Encodable[] {
                new ASN1ObjectIdentifier(Psd2Certificate.QC_TYPE),
                new DERSequence(new ASN1ObjectIdentifier(qcType))}),
            new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(Psd2Certificate.PSD2_STATEMENT), psd2})});
    }

    private Credential selfSignedCa(X500Name name, int pathLength, Instant from, Instant to) {
        KeyPair keys = ec();
        X509Certificate certificate = build(name, keys.getPublic(), name, keys, from, to, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
        return new Credential(keys.getPrivate(), certificate, List.of(certificate));
    }

    private Credential ca(Credential issuer, X500Name name, int pathLength, Instant from, Instant to) {
        return issue(issuer, ec(), name, from, to, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
    }

    /** An end entity or CA certificate issued by {@code issuer}; a leaf gets basicConstraints CA false. */
    private Credential issue(Credential issuer, KeyPair keys, X500Name subject, Instant from, Instant to,
            Extensions extensions) {
        X509Certificate certificate = build(X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
                issuer.certificate().getPublicKey(), subject, new KeyPair(keys.getPublic(), issuer.key()), from, to,
                b -> {
                    extensions.add(b);
                    if (!b.hasExtension(Extension.basicConstraints)) {
                        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    }
                });
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        chain.addAll(issuer.chain());
        return new Credential(keys.getPrivate(), certificate, chain);
    }

    /**
     * Builds and signs a certificate. {@code keys} holds the subject's public key and the issuer's private key
     * (the same pair for a self-signed certificate).
     */
    private X509Certificate build(X500Name issuer, PublicKey issuerKey, X500Name subject, KeyPair keys, Instant from,
            Instant to, Extensions extensions) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(from),
                    Date.from(to), subject, keys.getPublic());
            extensions.add(builder);
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerKey));
            String algorithm = keys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).setSecureRandom(random).build(keys.getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot build a test certificate for " + subject, e);
        }
    }

    private BigInteger serial() {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 key generation unavailable", e);
        }
    }

    private KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation unavailable", e);
        }
    }

    private char[] newPassword() {
        char[] chars = new char[24];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = PASSWORD_ALPHABET.charAt(random.nextInt(PASSWORD_ALPHABET.length()));
        }
        return chars;
    }

    @Override
    public String toString() {
        return "TestPki[root " + subject(rootCa()) + ", banks " + banks.keySet() + "]";
    }

    static List<String> splitBanks(String banks) {
        List<String> ids = new ArrayList<>();
        for (String id : banks.split(",")) {
            if (!id.isBlank()) {
                ids.add(id.strip());
            }
        }
        return ids;
    }
}
