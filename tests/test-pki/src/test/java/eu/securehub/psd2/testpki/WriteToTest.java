package eu.securehub.psd2.testpki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteToTest {
    /** PEM armour of a PKCS#8 key, built from its label (the source holds no key block, not even its header). */
    private static final String KEY_LABEL = "PRIVATE KEY";
    private static final String BEGIN_KEY = "-----BEGIN " + KEY_LABEL + "-----";
    private static final String END_KEY = "-----END " + KEY_LABEL + "-----";


    private static final List<String> EXPECTED = List.of(
            "root-ca.pem", "issuing-ca.pem", "qwac.p12", "qwac.pem", "qwac-key.pem", "qseal.p12", "qseal.pem",
            "qseal-key.pem", "bank-alpha-ca.pem", "bank-alpha-server.p12", "bank-alpha-server-expired.p12",
            "bank-beta-ca.pem", "bank-beta-server.p12", "bank-beta-server-expired.p12", "qwac-expired.p12",
            "qwac-not-yet-valid.p12", "qwac-other-ca.p12", "qwac-no-ai-role.p12", "qwac-wrong-key-usage.p12",
            "password.txt");

    @TempDir
    static Path tmp;
    private static TestPki pki;
    private static Path dir;

    @BeforeAll
    static void write() {
        pki = TestPki.create(List.of("alpha", "beta"));
        dir = tmp.resolve("nested/test-pki");
        assertThat(pki.writeTo(dir)).isEqualTo(dir);
    }

    @Test
    void writesExactlyTheListedFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(EXPECTED);
        }
    }

    @Test
    void passwordFileHoldsThePasswordWithoutLineEnd() throws Exception {
        String password = Files.readString(dir.resolve("password.txt"), StandardCharsets.US_ASCII);
        assertThat(password).isEqualTo(new String(pki.password())).doesNotContain("\n").hasSizeGreaterThanOrEqualTo(20);
    }

    @Test
    void keyStoresLoadWithTheJdkAndThePasswordFromTheFile() throws Exception {
        char[] password = Files.readString(dir.resolve("password.txt")).toCharArray();
        assertKeyStore("qwac.p12", "qwac", password, pki.qwac());
        assertKeyStore("qseal.p12", "qseal", password, pki.qseal());
        for (String bank : List.of("alpha", "beta")) {
            assertKeyStore("bank-" + bank + "-server.p12", "server", password, pki.bankServer(bank));
            assertKeyStore("bank-" + bank + "-server-expired.p12", "server", password, pki.bankServerExpired(bank));
        }
        for (TestPki.Variant variant : TestPki.Variant.values()) {
            assertKeyStore(variant.fileName(), "qwac", password, pki.qwac(variant));
        }
    }

    @Test
    void pemFilesHoldTheCertificatesAndKeys() throws Exception {
        assertThat(certificates("root-ca.pem")).containsExactly(pki.rootCa());
        assertThat(certificates("issuing-ca.pem")).containsExactly(pki.issuingCa());
        assertThat(certificates("qwac.pem")).containsExactly(pki.qwac().certificate(), pki.issuingCa());
        assertThat(certificates("qseal.pem")).containsExactly(pki.qseal().certificate(), pki.issuingCa());
        assertThat(certificates("bank-alpha-ca.pem")).containsExactly(pki.bankCa("alpha"));
        assertThat(certificates("bank-beta-ca.pem")).containsExactly(pki.bankCa("beta"));
        assertThat(privateKey("qwac-key.pem")).isEqualTo(pki.qwac().key());
        assertThat(privateKey("qseal-key.pem")).isEqualTo(pki.qseal().key());
        assertThat(Files.readString(dir.resolve("qwac.pem"))).isEqualTo(
                pki.qwac().certificatePem() + Files.readString(dir.resolve("issuing-ca.pem")));
        assertThat(Files.readString(dir.resolve("qwac-key.pem"))).isEqualTo(pki.qwac().privateKeyPem())
                .startsWith(BEGIN_KEY + "\n").endsWith(END_KEY + "\n");
        for (String line : Files.readAllLines(dir.resolve("qwac.pem"))) {
            assertThat(line.length()).isLessThanOrEqualTo(64);
        }
    }

    @Test
    void secretsAreReadableByTheOwnerOnly() throws Exception {
        assumeThat(Files.getFileStore(dir).supportsFileAttributeView("posix")).isTrue();
        for (String name : EXPECTED) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir.resolve(name));
            if (name.endsWith(".p12") || name.endsWith("-key.pem") || name.equals("password.txt")) {
                assertThat(permissions).as(name)
                        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            }
        }
    }

    @Test
    void rewritingReplacesTheFiles() throws Exception {
        Path again = tmp.resolve("again");
        TestPki first = TestPki.create(List.of("alpha"));
        first.writeTo(again);
        TestPki second = TestPki.create(List.of("alpha"));
        second.writeTo(again);
        assertThat(certificates(again.resolve("root-ca.pem"))).containsExactly(second.rootCa());
        assertThat(Files.readString(again.resolve("password.txt"))).isEqualTo(new String(second.password()));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(again.resolve("qwac.p12"))) {
            store.load(in, second.password());
        }
        assertThat(store.getCertificate("qwac")).isEqualTo(second.qwac().certificate());
    }

    @Test
    void opensslShowsThePsd2StatementAndVerifiesTheChains() throws Exception {
        assumeThat(opensslAvailable()).as("openssl on PATH").isTrue();
        String text = run("openssl", "x509", "-in", dir.resolve("qwac.pem").toString(), "-noout", "-text");
        assertThat(text).contains("qcStatements", "Federal Financial Supervisory Authority", "DE-BAFIN", "PSP_AI",
                "PSP_PI", "organizationIdentifier = PSDDE-BAFIN-000001", "TLS Web Client Authentication",
                "CA:FALSE", "Digital Signature");
        String verify = run("openssl", "verify", "-CAfile", dir.resolve("root-ca.pem").toString(), "-untrusted",
                dir.resolve("issuing-ca.pem").toString(), "-purpose", "sslclient", dir.resolve("qwac.pem").toString());
        assertThat(verify).contains(": OK");
        String p12 = run("openssl", "pkcs12", "-in", dir.resolve("bank-alpha-server.p12").toString(), "-passin",
                "file:" + dir.resolve("password.txt"), "-nokeys", "-clcerts");
        assertThat(p12).contains("subject=C = DE, O = Sandbox Bank alpha, CN = localhost");
    }

    private static boolean opensslAvailable() {
        try {
            Process process = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static void assertKeyStore(String name, String alias, char[] password, Credential expected) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(name))) {
            store.load(in, password);
        }
        assertThat(Collections.list(store.aliases())).as(name).containsExactly(alias);
        assertThat(store.isKeyEntry(alias)).isTrue();
        Key key = store.getKey(alias, password);
        assertThat(key).as(name).isEqualTo(expected.key());
        Certificate[] chain = store.getCertificateChain(alias);
        assertThat(chain).as(name).containsExactlyElementsOf(expected.chain());
    }

    private static List<X509Certificate> certificates(String name) throws Exception {
        return certificates(dir.resolve(name));
    }

    private static List<X509Certificate> certificates(Path file) throws Exception {
        List<X509Certificate> list = new ArrayList<>();
        for (Certificate certificate : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)))) {
            list.add((X509Certificate) certificate);
        }
        return list;
    }

    private static PrivateKey privateKey(String name) throws Exception {
        String pem = Files.readString(dir.resolve(name));
        String body = pem.replace(BEGIN_KEY, "").replace(END_KEY, "")
                .replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(body);
        String algorithm = name.startsWith("qwac") || name.startsWith("qseal") ? "RSA" : "EC";
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
