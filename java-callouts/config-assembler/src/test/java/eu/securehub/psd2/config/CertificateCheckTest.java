package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Certificates kept current": the config step refuses a QWAC or QSEAL that ends within the minimum number of days,
 * lacks the PSD2 QCStatement or the role a registry service needs, and a missing QSEAL while a bank signs. Every
 * certificate is made here, at test time ({@link TestCertificates}).
 */
class CertificateCheckTest {
    /** Whole seconds: a certificate's times have no fraction, so "in 10 days" stays 10. */
    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path temp;

    private Fixture f;
    private Path pki;
    private int copies;

    private Fixture fixture() {
        copies++;
        f = Fixture.copy(temp.resolve("fx" + copies));
        pki = temp.resolve("pki" + copies);
        TestCertificates.writePem(pki.resolve("north.pem"), TestCertificates.validFor(NOW, 300).cn("North CA").make());
        TestCertificates.writePem(pki.resolve("south.pem"), TestCertificates.validFor(NOW, 300).cn("South CA").make());
        return f;
    }

    private void qwac(X509Certificate certificate) {
        TestCertificates.writePkcs12(pki.resolve("qwac.p12"), certificate);
    }

    private ConfigTree deployTree() {
        Map<String, String> props = new HashMap<>(Map.of("fx.password", TestCertificates.PASSWORD, "fx.pki", pki.toString()));
        return ConfigTree.load(f.config, new Placeholders(props::get));
    }

    private List<String> deploy(int minDays, Map<String, Integer> byEnv) {
        return EdgeJson.forDeploy(deployTree(), "dev", "dev", temp.resolve("out.json"),
                CertificateCheck.Policy.build(minDays, byEnv, NOW));
    }

    private List<String> deploy() {
        return deploy(CertificateCheck.DEFAULT_MIN_DAYS, Map.of());
    }

    private void services(String bank, String json) {
        f.edit("kvms/dev/psd2-hub-banks.json", t -> t.replace("\"bankId\": \"" + bank + "\",",
                "\"bankId\": \"" + bank + "\", " + json + ","));
    }

    private void qsealEntry(String value) {
        f.edit("kvms/dev/psd2-hub-keys.json", t -> t.replace("\"value\": \"{\\\"v\\\":1}\"\n    }",
                "\"value\": \"{\\\"v\\\":1}\"\n    },\n    {\"name\": \"qseal\", \"value\": " + value + "}"));
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void aQwacExpiringIn10DaysIsRefusedWithTheDefaultOf30() {
        fixture();
        X509Certificate cert = TestCertificates.validFor(NOW, 10).make();
        qwac(cert);

        assertThatThrownBy(this::deploy)
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Cannot deploy environment dev:")
                .hasMessageContaining("keystores/dev: QWAC qwac-ks/qwac (reference qwac-ref) (CN tpp.securehub.test, notAfter "
                        + cert.getNotAfter().toInstant() + ") expires in 10 days, within the minimum of 30 days"
                        + " (--cert-min-days (Maven: -Dpsd2.cert.minDays)): roll it over before deploying"
                        + " (PLATFORM-GUIDE.md, \"Rotate keys and certificates\")");
        assertThat(temp.resolve("out.json")).doesNotExist();
    }

    @Test
    void aQwacExpiringIn40DaysIsAcceptedAndTheOutputSaysWhatWasChecked() {
        fixture();
        X509Certificate cert = TestCertificates.validFor(NOW, 40).make();
        qwac(cert);

        List<String> lines = deploy();

        assertThat(temp.resolve("out.json")).exists();
        assertThat(lines).contains("keystores/dev: QWAC qwac-ks/qwac (reference qwac-ref) (CN tpp.securehub.test, notAfter "
                + cert.getNotAfter().toInstant() + ") checked: 40 days left (at least 30), PSD2 roles [PSP_AI, PSP_PI]"
                + " cover services [AIS]");
        assertThat(lines).contains("environment dev: QSEAL not checked: kvms/dev/psd2-hub-keys.json has no qseal entry and"
                + " no bank signs its requests (signing.profile berlin-group)");
        assertThat(String.join("\n", lines)).doesNotContain(TestCertificates.PASSWORD);
    }

    @Test
    void theMinimumIsConfigurableAndPerEnvironment() {
        fixture();
        qwac(TestCertificates.validFor(NOW, 10).make());
        assertThat(deploy(5, Map.of())).anyMatch(l -> l.contains("checked: 10 days left (at least 5)"));
        assertThat(deploy(30, Map.of("dev", 9))).anyMatch(l -> l.contains("checked: 10 days left (at least 9)"));
        assertThatThrownBy(() -> deploy(5, Map.of("dev", 11)))
                .hasMessageContaining("expires in 10 days, within the minimum of 11 days (--cert-min-days-by-env"
                        + " (Maven: -Dpsd2.cert.minDaysByEnv) dev=11)");

        qwac(TestCertificates.validFor(NOW, 40).make());
        assertThatThrownBy(() -> deploy(60, Map.of())).hasMessageContaining("expires in 40 days, within the minimum of 60 days");
    }

    @Test
    void anExpiredOrNotYetValidQwacIsRefused() {
        fixture();
        TestCertificates.Spec expired = TestCertificates.validFor(NOW, 10);
        expired.notBefore = NOW.minus(20, ChronoUnit.DAYS);
        expired.notAfter = NOW.minus(1, ChronoUnit.DAYS);
        qwac(expired.make());
        assertThatThrownBy(this::deploy).hasMessageContaining(") has expired: renew it");

        TestCertificates.Spec future = TestCertificates.validFor(NOW, 400);
        future.notBefore = NOW.plus(1, ChronoUnit.DAYS);
        qwac(future.make());
        assertThatThrownBy(this::deploy).hasMessageContaining(") is not valid before " + future.notBefore);
    }

    @Test
    void theMinimumComesFromTheCommandLine() {
        fixture();
        qwac(TestCertificates.validFor(NOW, 10).make());
        Map<String, String> props = Map.of("fx.password", TestCertificates.PASSWORD, "fx.pki", pki.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] base = {"assemble", "--config-dir", f.config.toString(), "--out", temp.resolve("m.json").toString(),
            "--env", "dev"};

        assertThatThrownBy(() -> Main.run(base, new Placeholders(props::get), new PrintStream(out)))
                .hasMessageContaining("within the minimum of 30 days");
        Main.run(concat(base, "--cert-min-days", "5"), new Placeholders(props::get),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        Main.run(concat(base, "--cert-min-days-by-env", "live=40,dev=2"), new Placeholders(props::get),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("[config-assembler] certificates: keystores/dev: QWAC qwac-ks/qwac")
                // Main checks at its own now, a little after NOW: 9 whole days and some hours left.
                .containsPattern("checked: (9|10) days left \\(at least 5\\)")
                .containsPattern("checked: (9|10) days left \\(at least 2\\)");

        assertThatThrownBy(() -> Main.run(concat(base, "--cert-min-days", "0"), new Placeholders(props::get), new PrintStream(out)))
                .hasMessage("option --cert-min-days must be a whole number of days from 1 to 3650 (got '0')");
        assertThatThrownBy(() -> Main.run(concat(base, "--cert-min-days", "thirty"), new Placeholders(props::get),
                new PrintStream(out))).hasMessageStartingWith("option --cert-min-days must be a whole number");
        assertThatThrownBy(() -> Main.run(concat(base, "--cert-min-days-by-env", "dev"), new Placeholders(props::get),
                new PrintStream(out))).hasMessageStartingWith("option --cert-min-days-by-env takes ENV=DAYS");
        assertThatThrownBy(() -> Main.run(concat(base, "--cert-min-days-by-env", "qa=3"), new Placeholders(props::get),
                new PrintStream(out))).hasMessage("option --cert-min-days-by-env names environment qa, which is not"
                        + " configured (known: [dev, live])");
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(new String[0]);
    }

    // ------------------------------------------------------------------ PSD2 roles

    @Test
    void pisEnabledButTheQwacLacksPspPiIsRefused() {
        fixture();
        services("north", "\"services\": [\"AIS\", \"PIS\"]");
        qwac(TestCertificates.validFor(NOW, 400).roles("PSP_AI").make());

        assertThatThrownBy(this::deploy)
                .hasMessageContaining("keystores/dev: QWAC qwac-ks/qwac (reference qwac-ref) (CN tpp.securehub.test,")
                .hasMessageContaining(") lacks the PSD2 role PSP_PI that service PIS needs (enabled for bank(s) [north]);"
                        + " its roles: [PSP_AI]");

        qwac(TestCertificates.validFor(NOW, 400).roles("PSP_AI", "PSP_PI").make());
        assertThat(deploy()).anyMatch(l -> l.contains("PSD2 roles [PSP_AI, PSP_PI] cover services [AIS, PIS]"));
    }

    @Test
    void aisNeedsPspAi() {
        fixture();
        qwac(TestCertificates.validFor(NOW, 400).roles("PSP_PI").make());

        assertThatThrownBy(this::deploy).hasMessageContaining("lacks the PSD2 role PSP_AI that service AIS needs (enabled"
                + " for bank(s) [north, south-2]); its roles: [PSP_PI]");
    }

    @Test
    void aCertificateWithoutThePsd2QcStatementIsRefused() {
        fixture();
        qwac(TestCertificates.validFor(NOW, 400).noQcStatements().make());
        assertThatThrownBy(this::deploy).hasMessageContaining(") has no PSD2 QCStatement (ETSI TS 119 495, 0.4.0.19495.2"
                + " in QCStatements 1.3.6.1.5.5.7.1.3): banks refuse a TPP certificate without its PSD2 roles");

        qwac(TestCertificates.validFor(NOW, 400).noPsd2Statement().make());
        assertThatThrownBy(this::deploy).hasMessageContaining(") has no PSD2 QCStatement");

        qwac(TestCertificates.validFor(NOW, 400).malformed().make());
        assertThatThrownBy(this::deploy).hasMessageContaining(") has a PSD2 QCStatement that is not the DER ETSI TS 119 495"
                + " defines (a value is missing)");
    }

    // ------------------------------------------------------------------ QSEAL

    @Test
    void aMissingQsealIsRefusedWhileABankSignsAndNamesTheBank() {
        fixture();
        qwac(TestCertificates.validFor(NOW, 400).make());
        services("south-2", "\"signing\": {\"profile\": \"berlin-group\"}");

        assertThatThrownBy(this::deploy).hasMessageContaining("kvms/dev/psd2-hub-keys.json has no qseal entry, but bank(s)"
                + " [south-2] sign their requests (signing.profile berlin-group) with the QSEAL: import it with the key"
                + " tool (qseal import --env dev)");

        X509Certificate seal = TestCertificates.validFor(NOW, 400).cn("PSD2 Secure Hub Test TPP Seal").make();
        qsealEntry(json(TestCertificates.qsealEntry(seal)));
        assertThat(deploy()).contains("kvms/dev/psd2-hub-keys.json: QSEAL (entry qseal) (CN PSD2 Secure Hub Test TPP Seal,"
                + " notAfter " + seal.getNotAfter().toInstant() + ") checked: 400 days left (at least 30), PSD2 roles"
                + " [PSP_AI, PSP_PI] cover services [AIS]");
    }

    @Test
    void aQsealIsCheckedLikeTheQwacWhenItIsThere() {
        fixture();
        qwac(TestCertificates.validFor(NOW, 400).make());
        services("north", "\"services\": [\"AIS\", \"PIS\"]");
        X509Certificate seal = TestCertificates.validFor(NOW, 10).cn("Seal").roles("PSP_AI").make();
        qsealEntry(json(TestCertificates.qsealEntry(seal)));

        assertThatThrownBy(this::deploy)
                .hasMessageContaining("kvms/dev/psd2-hub-keys.json: QSEAL (entry qseal) (CN Seal, notAfter "
                        + seal.getNotAfter().toInstant() + ") expires in 10 days, within the minimum of 30 days")
                .hasMessageContaining("kvms/dev/psd2-hub-keys.json: QSEAL (entry qseal) (CN Seal, notAfter "
                        + seal.getNotAfter().toInstant() + ") lacks the PSD2 role PSP_PI that service PIS needs");
    }

    @Test
    void aQsealEntryMustHoldItsCertificateAndTheMatchingNotAfter() {
        fixture();
        qwac(TestCertificates.validFor(NOW, 400).make());
        X509Certificate seal = TestCertificates.validFor(NOW, 400).make();
        String good = TestCertificates.qsealEntry(seal);
        String base = f.read(f.config("kvms/dev/psd2-hub-keys.json"));

        qsealEntry(json(good.replace(seal.getNotAfter().toInstant().toString(), "2099-01-01T00:00:00Z")));
        assertThatThrownBy(this::deploy).hasMessageContaining("kvms/dev/psd2-hub-keys.json entry qseal: \"notAfter\""
                + " 2099-01-01T00:00:00Z is not the certificate's notAfter " + seal.getNotAfter().toInstant());

        f.write(f.config("kvms/dev/psd2-hub-keys.json"), base);
        qsealEntry(json("{\"certificate\":\"bm90IGEgY2VydGlmaWNhdGU=\"}"));
        assertThatThrownBy(this::deploy).hasMessageContaining("kvms/dev/psd2-hub-keys.json entry qseal: \"certificate\" is"
                + " not a base64 DER X.509 certificate");

        f.write(f.config("kvms/dev/psd2-hub-keys.json"), base);
        qsealEntry(json("{\"notAfter\":\"2027-01-01T00:00:00Z\"}"));
        assertThatThrownBy(this::deploy).hasMessageContaining("kvms/dev/psd2-hub-keys.json entry qseal must be a JSON object"
                + " with \"certificate\" (the QSEAL, base64 DER) and \"notAfter\"");
    }

    /** A JSON string literal of the text (the KVM file's value). */
    private static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ------------------------------------------------------------------ the registry's services member

    @Test
    void theServicesMemberIsChecked() {
        fixture();
        services("north", "\"services\": []");
        services("south-2", "\"services\": [\"AIS\", \"XS2A\", \"AIS\"]");
        assertThatThrownBy(f::load)
                .hasMessageContaining("kvms/dev/psd2-hub-banks.json: bank north: profile field services is empty: list"
                        + " \"AIS\" and/or \"PIS\" (absent means [\"AIS\"])")
                .hasMessageContaining("kvms/dev/psd2-hub-banks.json: bank south-2: profile field services lists \"XS2A\":"
                        + " only \"AIS\" and \"PIS\" are PSD2 services the hub uses")
                .hasMessageContaining("kvms/dev/psd2-hub-banks.json: bank south-2: profile field services lists \"AIS\""
                        + " twice");

        fixture();
        services("north", "\"services\": \"AIS\"");
        assertThatThrownBy(f::load).hasMessageContaining("kvms/dev/psd2-hub-banks.json: bank north: profile field services"
                + " must be an array of \"AIS\" and/or \"PIS\" (absent means [\"AIS\"])");

        fixture();
        services("north", "\"services\": [\"PIS\", \"AIS\"]");
        services("south-2", "\"services\": [\"AIS\"]");
        qwac(TestCertificates.validFor(NOW, 400).make());
        assertThat(deploy()).anyMatch(l -> l.endsWith("cover services [AIS, PIS]"));
    }

    // ------------------------------------------------------------------ what is checked where

    @Test
    void mvnVerifyChecksWhatItCanReadAndSaysWhatItDidNot() {
        fixture();
        Path out = temp.resolve("edge.json");
        List<String> checked = new ArrayList<>();

        EdgeJson.assembleAll(f.load(), out, CertificateCheck.Policy.build(30, Map.of(), NOW), checked);

        assertThat(checked).contains("environment live: QWAC qwac-ks/qwac (reference qwac-ref) not checked: filePath "
                + f.config.toAbsolutePath().resolve("pki/qwac.p12") + " does not exist here");
        assertThat(checked).contains("environment live: QSEAL not checked: there is no kvms/live/psd2-hub-keys.json and"
                + " no bank signs its requests (signing.profile berlin-group)");
        assertThat(out).exists();

        // The file there, an expiring one: its password is only given at a deploy, so it is not read.
        TestCertificates.writePkcs12(f.config("pki/qwac.p12"), TestCertificates.validFor(NOW, 3).make());
        checked.clear();
        EdgeJson.assembleAll(f.load(), out, CertificateCheck.Policy.build(30, Map.of(), NOW), checked);
        assertThat(checked).contains("environment dev: QWAC qwac-ks/qwac (reference qwac-ref) not checked: its password"
                + " ${fx.password} is given at deploy time (-Dfx.password=… (or env FX_PASSWORD))");

        // A signing bank: without a key file yet (live), a note at mvn verify, as for the keyring (a deploy refuses
        // it); with a key file that has no qseal entry (dev), refused already.
        services("north", "\"signing\": {\"profile\": \"berlin-group\"}");
        f.edit("kvms/live/psd2-hub-banks.json", t -> t.replace("\"bankId\": \"north\",",
                "\"bankId\": \"north\", \"signing\": {\"profile\": \"berlin-group\"},"));
        checked.clear();
        assertThatThrownBy(() -> EdgeJson.assembleAll(f.load(), out, CertificateCheck.Policy.build(30, Map.of(), NOW),
                checked)).hasMessageContaining("kvms/dev/psd2-hub-keys.json has no qseal entry, but bank(s) [north] sign");
        assertThat(checked).contains("environment live: QSEAL not checked: there is no kvms/live/psd2-hub-keys.json yet;"
                + " bank(s) [north] sign their requests, so a deploy needs its qseal entry");
    }

    @Test
    void mvnVerifyRefusesACertificateItCanRead() {
        fixture();
        // A QWAC in PEM files whose path has a default: readable at mvn verify.
        f.edit("keystores/live/keystores.json", t -> t.replace("\"format\": \"pkcs12\",\n      \"filePath\": \"${fx.pki:-pki}/qwac.p12\",\n"
                + "      \"password\": \"${fx.password}\"", "\"format\": \"keycertfile\",\n      \"certFilePath\":"
                + " \"${fx.pki:-pki}/qwac.pem\",\n      \"keyFilePath\": \"${fx.pki:-pki}/qwac.key\""));
        X509Certificate cert = TestCertificates.validFor(NOW, 10).make();
        TestCertificates.writePem(f.config("pki/qwac.pem"), cert);
        Path out = temp.resolve("edge.json");

        assertThatThrownBy(() -> EdgeJson.assembleAll(f.load(), out, CertificateCheck.Policy.build(30, Map.of(), NOW),
                new ArrayList<>()))
                .hasMessageStartingWith("The certificates of the configuration under ")
                .hasMessageContaining("keystores/live: QWAC qwac-ks/qwac (reference qwac-ref) (CN tpp.securehub.test,"
                        + " notAfter " + cert.getNotAfter().toInstant() + ") expires in 10 days, within the minimum of"
                        + " 30 days");
        assertThat(out).doesNotExist();

        List<String> checked = new ArrayList<>();
        EdgeJson.assembleAll(f.load(), out, CertificateCheck.Policy.build(30, Map.of("live", 3), NOW), checked);
        assertThat(checked).anyMatch(l -> l.startsWith("keystores/live: QWAC qwac-ks/qwac") && l.contains("checked: 10 days"
                + " left (at least 3)"));
    }

    @Test
    void duringARollOverOnlyTheKeystoreTheReferenceNamesIsChecked() throws Exception {
        fixture();
        // The new QWAC in a new keystore, the reference switched to it; the old one (about to end) still listed.
        f.edit("keystores/dev/keystores.json", t -> t
                .replace("{\n      \"name\": \"trust-ks\"\n    }", "{\n      \"name\": \"trust-ks\"\n    },\n    {\"name\": \"qwac-ks-2027\"}")
                .replace("\"aliases\": [", "\"aliases\": [\n    {\"alias\": \"qwac\", \"keystorename\": \"qwac-ks-2027\","
                        + " \"format\": \"pkcs12\", \"filePath\": \"${fx.pki}/qwac-2027.p12\", \"password\": \"${fx.password}\"},")
                .replace("\"refers\": \"qwac-ks\"", "\"refers\": \"qwac-ks-2027\""));
        qwac(TestCertificates.validFor(NOW, 3).make());
        X509Certificate next = TestCertificates.validFor(NOW, 395).make();
        TestCertificates.writePkcs12(pki.resolve("qwac-2027.p12"), next);

        List<String> lines = deploy();

        assertThat(lines).contains("keystores/dev: QWAC qwac-ks-2027/qwac (reference qwac-ref) (CN tpp.securehub.test,"
                + " notAfter " + next.getNotAfter().toInstant() + ") checked: 395 days left (at least 30), PSD2 roles"
                + " [PSP_AI, PSP_PI] cover services [AIS]");
        assertThat(lines).contains("environment dev: key alias qwac-ks/qwac not checked: no TargetServer presents it (no"
                + " keyStore reference with that keyAlias refers to qwac-ks; delete an old QWAC keystore once the switch is"
                + " deployed)");
        assertThat(Files.exists(temp.resolve("out.json"))).isTrue();
    }

    @Test
    void aWrongPasswordOrAFileThatIsNoPkcs12IsAProblemAtADeploy() throws Exception {
        fixture();
        qwac(TestCertificates.validFor(NOW, 400).make());
        Map<String, String> props = Map.of("fx.password", "not-it", "fx.pki", pki.toString());
        assertThatThrownBy(() -> EdgeJson.forDeploy(ConfigTree.load(f.config, new Placeholders(props::get)), "dev", "dev",
                temp.resolve("o.json"), CertificateCheck.Policy.build(30, Map.of(), NOW)))
                .hasMessageContaining("keystores/dev: QWAC qwac-ks/qwac (reference qwac-ref): the password given does not"
                        + " open " + pki.resolve("qwac.p12"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-it"));

        Files.writeString(pki.resolve("qwac.p12"), "x");
        assertThatThrownBy(this::deploy).hasMessageContaining("keystores/dev: QWAC qwac-ks/qwac (reference qwac-ref): cannot"
                + " read " + pki.resolve("qwac.p12") + " as PKCS#12");
    }

    @Test
    void theLocalRuntimesViewChecksTheCertificatesItHolds() {
        fixture();
        EnvironmentConfig dev = EnvironmentConfig.load(f.config, "dev", null);
        X509Certificate fiveDays = TestCertificates.validFor(NOW, 5).make();
        Map<String, Map<String, String>> kvms = new HashMap<>(dev.kvms());

        List<String> lines = dev.checkCertificates(1, NOW, (ks, alias) -> ks.equals("qwac-ks") && alias.equals("qwac")
                ? fiveDays : null, kvms, "the keyring", "Options.certificateMinDays");
        assertThat(lines).anyMatch(l -> l.contains("checked: 5 days left (at least 1)"));

        assertThatThrownBy(() -> dev.checkCertificates(30, NOW, (ks, alias) -> fiveDays, kvms, "the keyring",
                "Options.certificateMinDays"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("The certificates of environment dev are not fit to use:")
                .hasMessageContaining("expires in 5 days, within the minimum of 30 days (Options.certificateMinDays)");

        Map<String, String> banks = new HashMap<>(kvms.get("psd2-hub-banks"));
        banks.put("north", banks.get("north").replaceFirst("\\{", "{\"signing\":{\"profile\":\"berlin-group\"},"));
        kvms.put("psd2-hub-banks", banks);
        assertThatThrownBy(() -> dev.checkCertificates(1, NOW, (ks, alias) -> fiveDays, kvms, "the keyring",
                "Options.certificateMinDays"))
                .hasMessageContaining("the keyring has no qseal entry, but bank(s) [north] sign their requests");
    }

    @Test
    void theDerReaderRefusesWhatIsNotDer() {
        assertThatThrownBy(() -> Der.of(new byte[] {0x30, (byte) 0x80}).next()).hasMessageContaining("indefinite length");
        assertThatThrownBy(() -> Der.of(new byte[] {0x30, 0x05, 0x01}).next()).hasMessageContaining("longer than");
        assertThat(Der.of(TestCertificates.oid("0.4.0.19495.2")).next().oid()).isEqualTo("0.4.0.19495.2");
        assertThat(Der.of(TestCertificates.oid("2.999.3")).next().oid()).isEqualTo("2.999.3");
        assertThat(Der.of(TestCertificates.oid("1.3.6.1.5.5.7.1.3")).next().oid()).isEqualTo("1.3.6.1.5.5.7.1.3");
    }
}
