package eu.securehub.psd2.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.testpki.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clear start-up errors: missing PKI files or password, a wrong password, strictness, unknown environment. */
class LoadErrorsTest {
    static final Path ROOT = LocalEnvironmentTest.ROOT;

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
        return TestQseal.with(LocalEnvironment.Options.defaults(), pki).systemPlaceholders(false).messageLog(work.resolve("m.jsonl"));
    }

    @Test
    void missingPkiFileNamesTheFileAndHowToMakeIt() {
        Path empty = work.resolve("no-pki");

        assertThatThrownBy(() -> LocalEnvironment.load(ROOT, "local", options().pkiDir(empty)))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("keystores/local")
                .hasMessageContaining("alias qwac")
                .hasMessageContaining(empty.resolve("qwac.p12").toString())
                .hasMessageContaining("does not exist")
                .hasMessageContaining("TestPki");
    }

    @Test
    void missingBankCaFileIsNamed() throws IOException {
        Path dir = copyPki("bank-beta-ca.pem");

        assertThatThrownBy(() -> LocalEnvironment.load(ROOT, "local", options().pkiDir(dir)))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("alias bank-beta")
                .hasMessageContaining("bank-beta-ca.pem");
    }

    @Test
    void missingPasswordSaysWhereItIsLookedFor() throws IOException {
        Path dir = copyPki("password.txt");

        assertThatThrownBy(() -> LocalEnvironment.load(ROOT, "local", options().pkiDir(dir)))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("${psd2.qwac.password}")
                .hasMessageContaining("qwacPassword")
                .hasMessageContaining("-Dpsd2.qwac.password")
                .hasMessageContaining(dir.resolve("password.txt").toString());
    }

    @Test
    void wrongPasswordIsSaidToBeWrong() {
        assertThatThrownBy(() -> LocalEnvironment.load(ROOT, "local",
                options().pkiDir(pkiDir).qwacPassword("not-the-password".toCharArray())))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("alias qwac")
                .hasMessageContaining("wrong password");
    }

    @Test
    void unknownEnvironmentListsTheKnownOnes() {
        assertThatThrownBy(() -> LocalEnvironment.load(ROOT, "staging", options().pkiDir(pkiDir)))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("environment staging is not configured")
                .hasMessageContaining("local");
    }

    @Test
    void unknownSslInfoMemberIsAStartUpErrorNamingTheFile() throws IOException {
        Path root = copyConfig();
        Path alpha = root.resolve("targetservers/local/bank-alpha.json");
        Files.writeString(alpha, Files.readString(alpha).replace("\"enforce\": true,",
                "\"enforce\": true,\n    \"commonName\": {\"value\": \"bank\"},"));

        assertThatThrownBy(() -> LocalEnvironment.load(root, "local", options().pkiDir(pkiDir)))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("targetservers/local/bank-alpha.json")
                .hasMessageContaining("sSLInfo.commonName");
    }

    @Test
    void optionsNamingAnUnknownAppAreRefused() {
        assertThatThrownBy(() -> LocalEnvironment.load(ROOT, "local", options().pkiDir(pkiDir).consumerKey("crm", "k")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("[crm]")
                .hasMessageContaining("crm-backend");
    }

    @Test
    void inconsistentConfigIsReportedByTheConfigAssembler() throws IOException {
        Path root = copyConfig();
        Files.delete(root.resolve("targetservers/local/bank-beta.json"));

        assertThatThrownBy(() -> LocalEnvironment.load(root, "local", options().pkiDir(pkiDir)))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("bank beta is in kvms/local/psd2-hub-banks.json but has no TargetServer");
    }

    /** The PKI without one file. */
    private Path copyPki(String without) throws IOException {
        Path dir = work.resolve("pki");
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(pkiDir)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals(without)) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        return dir;
    }

    /** A copy of the project's config folders and edge.json. */
    private Path copyConfig() throws IOException {
        Path root = work.resolve("project");
        for (String folder : List.of("targetservers", "keystores", "kvms")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(folder))) {
                for (Path f : files.toList()) {
                    if (f.getFileName().toString().equals("psd2-hub-keys.json")) {
                        continue;
                    }
                    Path to = root.resolve(ROOT.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(f, to);
                    }
                }
            }
        }
        Files.copy(ROOT.resolve("edge.json"), root.resolve("edge.json"));
        assertThat(root.resolve("kvms/local/psd2-hub-banks.json")).exists();
        return root;
    }
}
