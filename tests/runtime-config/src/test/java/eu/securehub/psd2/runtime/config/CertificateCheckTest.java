package eu.securehub.psd2.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.config.EnvironmentConfig;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.testpki.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local runtime runs the config step's certificate check (config-assembler's) on what it loaded, with its own
 * minimum: one day, as the test PKI's QWAC and QSEAL are valid for five.
 */
class CertificateCheckTest {
    static final Path ROOT = LocalEnvironmentTest.ROOT;
    static final String OPTION = "LocalEnvironment.Options.certificateMinDays";

    @TempDir
    static Path pkiDir;
    static TestPki pki;

    @TempDir
    Path work;

    @BeforeAll
    static void pki() {
        pki = TestPki.create(List.of("alpha", "beta", "gamma", "delta"));
        pki.writeTo(pkiDir);
    }

    private LocalEnvironment.Options options() {
        return LocalEnvironment.Options.defaults().systemPlaceholders(false).messageLog(work.resolve("m.jsonl"));
    }

    /** With the QSEAL's public entry: the local registry's gamma signs. */
    private LocalEnvironment.Options withSeal() {
        return TestQseal.with(options(), pki);
    }

    @Test
    void theTestPkisFiveDayQwacPassesTheLocalMinimumOfOneDay() {
        assertThat(LocalEnvironment.LOCAL_CERTIFICATE_MIN_DAYS).isEqualTo(1)
                .isLessThan(EnvironmentConfig.defaultCertificateMinDays());
        try (LocalEnvironment env = LocalEnvironment.load(ROOT, "local", withSeal().pkiDir(pkiDir))) {
            assertThat(env.certificatesChecked()).anySatisfy(line -> assertThat(line)
                    .startsWith("keystores/local: QWAC psd2-qwac-keystore/qwac (reference psd2-qwac-keystore-ref) (CN "
                            + TestPki.TPP_DOMAIN + ", notAfter " + pki.qwac().certificate().getNotAfter().toInstant() + ")")
                    .containsPattern("checked: [45] days left \\(at least 1\\), PSD2 roles \\[PSP_AI, PSP_PI\\] cover"
                            + " services \\[AIS, PIS\\]"));
        }
    }

    @Test
    void theConfigStepsDefaultWouldRefuseIt() {
        assertThatThrownBy(() -> LocalEnvironment.load(ROOT, "local", options().pkiDir(pkiDir)
                .certificateMinDays(EnvironmentConfig.defaultCertificateMinDays())))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("The certificates of environment local are not fit to use:")
                .hasMessageContaining("QWAC psd2-qwac-keystore/qwac (reference psd2-qwac-keystore-ref) (CN "
                        + TestPki.TPP_DOMAIN)
                .hasMessageContaining("within the minimum of 30 days (" + OPTION + ")");
        assertThatThrownBy(() -> options().certificateMinDays(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aQwacWithoutTheRoleOfAnEnabledServiceIsRefused() throws IOException {
        Path dir = copyPki();
        Files.copy(dir.resolve(TestPki.Variant.NO_AI_ROLE.fileName()), dir.resolve("qwac.p12"),
                StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> LocalEnvironment.load(ROOT, "local", withSeal().pkiDir(dir)))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("lacks the PSD2 role PSP_AI that service AIS needs (enabled for bank(s) [alpha, beta, delta, gamma]);"
                        + " its roles: [PSP_PI]");
    }

    @Test
    void aSigningBankNeedsTheQsealInTheKeysMap() throws Exception {
        String alpha = EnvironmentConfig.readKvmFile(ROOT.resolve("kvms/local/psd2-hub-banks.json")).get("alpha");
        String signing = alpha.replaceFirst("\\{", "{\"signing\":{\"profile\":\"berlin-group\"},")
                .replace(",\"signing\":{\"profile\":\"none\"}", "");
        LocalEnvironment.Options signs = options().pkiDir(pkiDir).kvmEntry("psd2-hub-banks", "alpha", signing);

        assertThatThrownBy(() -> LocalEnvironment.load(ROOT, "local", signs))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("has no qseal entry, but bank(s) [alpha, gamma] sign their requests");

        try (LocalEnvironment env = LocalEnvironment.load(ROOT, "local", TestQseal.with(signs, pki))) {
            assertThat(env.certificatesChecked()).anySatisfy(line -> assertThat(line)
                    .contains("QSEAL (entry qseal) (CN PSD2 Secure Hub Test TPP Seal, notAfter ")
                    .contains("(at least 1), PSD2 roles [PSP_AI, PSP_PI]"));
        }
    }

    private Path copyPki() throws IOException {
        Path dir = work.resolve("pki");
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(pkiDir)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }
}
