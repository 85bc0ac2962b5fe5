package eu.securehub.psd2.keytool;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.QsealEntry;
import eu.securehub.psd2.callouts.testing.TestCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** qseal import and qseal show, end to end through the command line and the fake KMS. */
class QsealToolTest extends ToolTestBase {
    static final char[] PASSWORD = "p12-s3cret".toCharArray();
    static final Instant NOT_BEFORE = T0.minus(Duration.ofDays(30));
    static final Instant NOT_AFTER = Instant.parse("2028-11-22T00:00:00Z");

    private static KeyPair keys;
    private static KeyPair otherKeys;
    private static TestCertificates.Issued seal;

    @BeforeAll
    static void makeKeys() {
        keys = TestCertificates.keyPair("RSA", 2048);
        otherKeys = TestCertificates.keyPair("RSA", 2048);
        seal = TestCertificates.qseal(keys, new BigInteger("00C0FFEE01", 16), NOT_BEFORE, NOT_AFTER);
    }

    /** A PKCS#12 file holding one key entry with its chain, password {@link #PASSWORD}. */
    Path p12(String name, String alias, PrivateKey key, X509Certificate certificate) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, key, PASSWORD, new Certificate[] {certificate, TestCertificates.caCertificate()});
            store.setCertificateEntry("ca", TestCertificates.caCertificate());
            Path file = dir.resolve(name);
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, PASSWORD);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    Path p12(TestCertificates.Issued issued) {
        return p12("qseal.p12", "qseal", issued.privateKey(), issued.certificate);
    }

    Path passwordFile(String content) {
        try {
            return Files.writeString(dir.resolve("password.txt"), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result importQseal(Path p12, String... more) {
        String[] base = {"qseal", "import", "--env", "dev", "--p12", p12.toString(), "--alias", "qseal"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return run(all);
    }

    String qsealJson(String env) {
        return JsonParser.parseString(kvmText(env)).getAsJsonObject().getAsJsonArray("entry").asList().stream()
                .map(JsonElement::getAsJsonObject)
                .filter(e -> e.get("name").getAsString().equals("qseal"))
                .findFirst().orElseThrow().get("value").getAsString();
    }

    /** The entry's private key, decrypted with the DEK the fake KMS unwraps: what the callout does. */
    PrivateKey openKey(String env) throws Exception {
        QsealEntry entry = QsealEntry.parse(qsealJson(env));
        ByteString dek = unwrapAll(env).get(entry.dataKeyId());
        DataKey key = DataKey.derive(entry.dataKeyId(), dek.toByteArray());
        return entry.privateKey(id -> key);
    }

    @Test
    void importWritesAnEntryThatDecryptsUnderTheCurrentKeyToTheQsealKey() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        String keyring = keyringJson("dev");
        int calls = kms.fake.calls();

        Result r = importQseal(p12(seal), "--password-file", passwordFile(new String(PASSWORD) + "\n").toString());

        assertThat(r.err()).isEmpty();
        assertThat(r.exitCode()).isZero();
        String keyId = "SN=C0FFEE01,CA=" + TestCertificates.CA_DN;
        assertThat(r.out()).isEqualTo("imported the QSEAL into " + kvmPath("dev") + " (entry qseal): keyId " + keyId
                + ", notAfter 2028-11-22T00:00:00Z, its key encrypted under data key " + T0_KEY_ID + "\n"
                + "there was no qseal entry before\n");
        assertThat(kms.fake.calls()).isEqualTo(calls + 1); // one unwrap of the current DEK
        assertThat(keyringJson("dev")).isEqualTo(keyring);

        QsealEntry entry = QsealEntry.parse(qsealJson("dev"));
        assertThat(entry.keyId()).isEqualTo(keyId);
        assertThat(entry.notAfter()).isEqualTo(NOT_AFTER);
        assertThat(entry.dataKeyId()).isEqualTo(T0_KEY_ID);
        assertThat(entry.certificateBase64()).isEqualTo(Base64.getEncoder().encodeToString(seal.certificate.getEncoded()));
        assertThat(qsealJson("dev")).startsWith("{\"version\":1,\"keyId\":\"" + keyId + "\",\"certificate\":\"");

        PrivateKey key = openKey("dev");
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update("x".getBytes(StandardCharsets.UTF_8));
        byte[] signature = s.sign();
        s.initVerify(seal.certificate.getPublicKey());
        s.update("x".getBytes(StandardCharsets.UTF_8));
        assertThat(s.verify(signature)).isTrue();
    }

    @Test
    void thePasswordMayComeFromTheEnvironment() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        environment = Map.of("QSEAL_P12_PASSWORD", new String(PASSWORD));

        Result r = importQseal(p12(seal));

        assertThat(r.exitCode()).isZero();
        assertThat(QsealEntry.parse(qsealJson("dev")).keyId()).startsWith("SN=C0FFEE01,");
    }

    @Test
    void aSecondImportRollsTheQsealAndNamesTheOldAndTheNew() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        Path password = passwordFile(new String(PASSWORD));
        importQseal(p12(seal), "--password-file", password.toString());
        clock.advance(Duration.ofDays(1));
        run("rotate", "--env", "dev");
        String rotated = keyring("dev").current();
        TestCertificates.Issued next = TestCertificates.qseal(otherKeys, new BigInteger("7A", 16), NOT_BEFORE,
                Instant.parse("2029-06-30T12:00:00Z"));

        Result r = importQseal(p12("next.p12", "qseal", next.privateKey(), next.certificate), "--password-file", password.toString());

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("keyId SN=7A,CA=" + TestCertificates.CA_DN + ", notAfter 2029-06-30T12:00:00Z")
                .contains("under data key " + rotated)
                .endsWith("replaced keyId SN=C0FFEE01,CA=" + TestCertificates.CA_DN + ", notAfter 2028-11-22T00:00:00Z\n");
        assertThat(kvmText("dev").split("\"name\": \"qseal\"", -1)).hasSize(2);
        assertThat(QsealEntry.parse(qsealJson("dev")).dataKeyId()).isEqualTo(rotated);
        assertThat(((java.security.interfaces.RSAPrivateKey) openKey("dev")).getModulus())
                .isEqualTo(((java.security.interfaces.RSAPublicKey) otherKeys.getPublic()).getModulus());
    }

    @Test
    void showPrintsKeyIdSubjectAndValidityWithoutCallingKms() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        importQseal(p12(seal), "--password-file", passwordFile(new String(PASSWORD)).toString());
        int calls = kms.fake.calls();
        factory = connection -> {
            throw new AssertionError("qseal show must not open a KMS client");
        };

        Result r = run("qseal", "show", "--env", "dev");

        assertThat(r.err()).isEmpty();
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("file:      " + kvmPath("dev") + " (entry qseal)\n"
                + "keyId:     SN=C0FFEE01,CA=CN=Test QSEAL CA,O=PSD2 Hub Test,C=DE\n"
                + "subject:   " + seal.certificate.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253) + "\n"
                + "notBefore: 2026-10-23T15:30:00Z\n"
                + "notAfter:  2028-11-22T00:00:00Z\n"
                + "dataKey:   " + T0_KEY_ID + "\n");
        assertThat(kms.fake.calls()).isEqualTo(calls);

        clock.advance(Duration.ofDays(800));
        assertThat(run("qseal", "show", "--env", "dev").out()).contains("notAfter:  2028-11-22T00:00:00Z  EXPIRED: roll the QSEAL");
    }

    @Test
    void noKeyMaterialIsPrintedOrWrittenInTheClear() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        Path password = passwordFile(new String(PASSWORD));
        importQseal(p12(seal), "--password-file", password.toString());
        importQseal(p12(seal), "--password-file", password.toString());
        run("qseal", "show", "--env", "dev");
        String file = kvmText("dev");

        byte[] pkcs8 = keys.getPrivate().getEncoded();
        byte[] exponent = ((java.security.interfaces.RSAPrivateKey) keys.getPrivate()).getPrivateExponent().toByteArray();
        byte[] dek = unwrapAll("dev").get(T0_KEY_ID).toByteArray();
        for (byte[] secret : List.of(pkcs8, exponent, dek)) {
            String b64 = Base64.getEncoder().encodeToString(secret);
            for (String form : new String[] {b64.substring(0, 40), Base64.getUrlEncoder().withoutPadding().encodeToString(secret).substring(0, 40),
                    HexFormat.of().formatHex(secret).substring(0, 40)}) {
                assertThat(printed).noneMatch(text -> text.contains(form));
                assertThat(file).doesNotContain(form);
            }
        }
        assertThat(printed).noneMatch(text -> text.contains(new String(PASSWORD)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            qseal --env dev                                   | qseal needs a command: import or show (see --help)
            qseal sign --env dev                              | unknown command qseal sign: qseal import or qseal show (see --help)
            qseal import --env dev --alias qseal --password-file p | qseal import needs --p12 FILE, the PKCS#12 file of the QSEAL
            qseal import --env dev --p12 q.p12 --password-file p | qseal import needs --alias ALIAS, the alias of the key entry in q.p12
            qseal import --env dev --p12 q.p12 --alias qseal  | qseal import needs the PKCS#12 password: --password-file FILE or the environment variable QSEAL_P12_PASSWORD
            qseal import --p12 q.p12 --alias qseal --password-file p | qseal import needs --env ENV
            qseal import --env dev --p12 q.p12 --alias qseal --password-file p --kek x | --kek is not an option of qseal import
            qseal show --env dev --p12 q.p12                  | --p12 is not an option of qseal show
            qseal show import --env dev                       | unexpected argument import
            show --env dev --alias qseal                      | --alias is not an option of show
            """)
    void usageErrorsExitWithTwoBeforeAnythingHappens(String args, String message) {
        factory = connection -> {
            throw new AssertionError("no KMS client on a usage error");
        };

        Result r = run(args.split(" "));

        assertThat(r.err()).isEqualTo("kms-key-tool: " + message + "\n");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(kms.fake.calls()).isZero();
    }

    @Test
    void anEmptyPasswordVariableIsAUsageError() {
        environment = Map.of("QSEAL_P12_PASSWORD", "");
        Result r = run("qseal", "import", "--env", "dev", "--p12", "q.p12", "--alias", "qseal");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("kms-key-tool: QSEAL_P12_PASSWORD is empty\n");
    }

    @Test
    void everyUnusablePkcs12IsRefusedBeforeKmsAndNothingIsWritten() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        String before = kvmText("dev");
        int calls = kms.fake.calls();
        String password = passwordFile(new String(PASSWORD)).toString();
        TestCertificates.Issued expired = TestCertificates.qseal(keys, BigInteger.TEN, Instant.parse("2024-01-01T00:00:00Z"),
                T0.minus(Duration.ofDays(1)));
        TestCertificates.Issued notYet = TestCertificates.qseal(keys, BigInteger.TEN, T0.plus(Duration.ofDays(1)), NOT_AFTER);
        KeyPair small = TestCertificates.keyPair("RSA", 1024);
        TestCertificates.Issued weak = TestCertificates.qseal(small, BigInteger.TEN, NOT_BEFORE, NOT_AFTER);
        KeyPair ec = TestCertificates.keyPair("EC", 256);
        TestCertificates.Issued ecSeal = TestCertificates.qseal(ec, BigInteger.TEN, NOT_BEFORE, NOT_AFTER);

        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        Path expiredP12 = p12("expired.p12", "qseal", expired.privateKey(), expired.certificate);
        cases.put("the certificate of alias qseal of " + expiredP12 + " expired at 2026-11-21T15:30:00Z: a bank refuses an expired QSEAL;"
                + " import its successor", new String[] {expiredP12.toString(), "qseal", password});
        Path notYetP12 = p12("not-yet.p12", "qseal", notYet.privateKey(), notYet.certificate);
        cases.put("the certificate of alias qseal of " + notYetP12 + " is not valid before 2026-11-23T15:30:00Z: import it once it is valid",
                new String[] {notYetP12.toString(), "qseal", password});
        Path weakP12 = p12("weak.p12", "qseal", weak.privateKey(), weak.certificate);
        cases.put("the key of alias qseal of " + weakP12 + " is RSA of 1024 bits; a QSEAL needs at least 2048",
                new String[] {weakP12.toString(), "qseal", password});
        Path ecP12 = p12("ec.p12", "qseal", ecSeal.privateKey(), ecSeal.certificate);
        cases.put("the key of alias qseal of " + ecP12 + " is EC, not RSA: a Berlin Group signature (rsa-sha256) needs an RSA QSEAL",
                new String[] {ecP12.toString(), "qseal", password});
        Path mismatched = p12("mismatched.p12", "qseal", otherKeys.getPrivate(), seal.certificate);
        cases.put("the key of alias qseal of " + mismatched + " does not belong to its certificate",
                new String[] {mismatched.toString(), "qseal", password});
        Path good = p12(seal);
        cases.put(good + " has no key entry other (key entries: qseal)", new String[] {good.toString(), "other", password});
        cases.put(dir.resolve("missing.p12") + " not found", new String[] {dir.resolve("missing.p12").toString(), "qseal", password});
        Path wrongPassword = Files.writeString(dir.resolve("wrong.txt"), "not-the-password");
        cases.put("cannot open " + good + ": wrong password, or not a PKCS#12 file",
                new String[] {good.toString(), "qseal", wrongPassword.toString()});
        Path notP12 = Files.writeString(dir.resolve("not.p12"), "-----BEGIN CERTIFICATE-----");
        cases.put("cannot open " + notP12 + ": wrong password, or not a PKCS#12 file",
                new String[] {notP12.toString(), "qseal", password});
        cases.put("password file " + dir.resolve("nope.txt") + " not found",
                new String[] {good.toString(), "qseal", dir.resolve("nope.txt").toString()});

        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String[] a = c.getValue();
            Result r = run("qseal", "import", "--env", "dev", "--p12", a[0], "--alias", a[1], "--password-file", a[2]);
            assertThat(r.exitCode()).as(c.getKey()).isEqualTo(3);
            assertThat(r.err()).as(c.getKey()).startsWith("kms-key-tool: " + c.getKey());
            assertThat(r.err().lines()).hasSize(1);
        }
        assertThat(kvmText("dev")).isEqualTo(before);
        assertThat(kms.fake.calls()).isEqualTo(calls);
    }

    @Test
    void importNeedsAKeyringAndShowAQsealEntry() throws Exception {
        Path p12 = p12(seal);
        String password = passwordFile(new String(PASSWORD)).toString();

        Result noFile = importQseal(p12, "--password-file", password);
        assertThat(noFile.exitCode()).isEqualTo(3);
        assertThat(noFile.err()).isEqualTo("kms-key-tool: " + kvmPath("dev")
                + " not found (create the keyring first, or check --env and --config-dir)\n");

        Result noShow = run("qseal", "show", "--env", "dev");
        assertThat(noShow.exitCode()).isEqualTo(3);
        assertThat(noShow.err()).isEqualTo("kms-key-tool: " + kvmPath("dev") + " not found (check --env and --config-dir)\n");

        run("create", "--env", "dev", "--kek", KEK);
        Result noEntry = run("qseal", "show", "--env", "dev");
        assertThat(noEntry.err()).isEqualTo("kms-key-tool: " + kvmPath("dev") + " has no qseal entry (add one with qseal import)\n");

        writeKvm("dev", kvmText("dev").replace("  ]\n", "    ,{\"name\": \"qseal\", \"value\": \"{}\"}\n  ]\n"));
        Result bad = run("qseal", "show", "--env", "dev");
        assertThat(bad.exitCode()).isEqualTo(3);
        assertThat(bad.err()).isEqualTo("kms-key-tool: " + kvmPath("dev") + ": entry qseal is not valid: qseal version must be 1\n");

        // An unreadable entry is replaced by an import, which says so.
        Result replaced = importQseal(p12, "--password-file", password);
        assertThat(replaced.exitCode()).isZero();
        assertThat(replaced.out()).endsWith("replaced an unreadable qseal entry (qseal version must be 1)\n");

        writeKvm("dev", kvmText("dev").replace("  ]\n", "    ,{\"name\": \"qseal\", \"value\": \"{}\"}\n  ]\n"));
        Result twice = run("qseal", "show", "--env", "dev");
        assertThat(twice.err()).isEqualTo("kms-key-tool: " + kvmPath("dev") + " has 2 entries named qseal\n");
    }

    @Test
    void aDeniedKekWritesNothing() throws Exception {
        run("create", "--env", "dev", "--kek", KEK);
        String before = kvmText("dev");
        kms.fake.deny(KEK);

        Result r = importQseal(p12(seal), "--password-file", passwordFile(new String(PASSWORD)).toString());

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("roles/cloudkms.cryptoKeyEncrypterDecrypter");
        assertThat(kvmText("dev")).isEqualTo(before);
    }
}
