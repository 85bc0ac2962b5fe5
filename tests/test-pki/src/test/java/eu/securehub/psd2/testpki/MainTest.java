package eu.securehub.psd2.testpki;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void generateWritesTheFilesAndListsThemWithoutSecrets() throws Exception {
        Path dir = tmp.resolve("pki");
        assertThat(run("generate", "--out", dir.toString(), "--banks", "alpha,beta")).isZero();
        String printed = out.toString(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).hasSize(20);
        }
        for (String name : new String[] {"qwac.p12", "qseal.p12", "bank-alpha-ca.pem", "bank-beta-server.p12",
            "bank-beta-server-expired.p12", "qwac-wrong-key-usage.p12", "password.txt", "root-ca.pem"}) {
            assertThat(dir.resolve(name)).exists();
            assertThat(printed).contains(name);
        }
        assertThat(printed).contains(dir.toAbsolutePath().toString(), "PSDDE-BAFIN-000001", "alias qwac");
        String password = Files.readString(dir.resolve("password.txt"));
        assertThat(printed).doesNotContain(password).doesNotContain("PRIVATE KEY");
        String key = Files.readString(dir.resolve("qwac-key.pem")).lines().skip(1).findFirst().orElseThrow();
        assertThat(printed).doesNotContain(key);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("qwac.p12"))) {
            store.load(in, password.toCharArray());
        }
        assertThat(store.containsAlias("qwac")).isTrue();
    }

    @Test
    void equalsFormAndOtherBanks() {
        Path dir = tmp.resolve("eq");
        assertThat(run("generate", "--out=" + dir, "--banks=gamma")).isZero();
        assertThat(dir.resolve("bank-gamma-ca.pem")).exists();
        assertThat(dir.resolve("bank-gamma-server.p12")).exists();
        assertThat(dir.resolve("bank-alpha-ca.pem")).doesNotExist();
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(run("generate", "--out")).isEqualTo(2);
        assertThat(run("generate", "--out", tmp.toString(), "--bogus")).isEqualTo(2);
        assertThat(run("generate", "--out", tmp.toString(), "--banks", "Alpha")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: generate");
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void helpExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--banks");
    }

    @Test
    void unwritableDirectoryExitsOne() throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        assertThat(run("generate", "--out", file.resolve("sub").toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot write");
    }
}
