package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private void run(String... args) {
        Main.run(args, new Placeholders(name -> null), new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void assembleAndBankTargetsFromTheCommandLine() {
        Fixture f = Fixture.copy(temp);

        run("assemble", "--config-dir", f.config.toString(), "--out=" + temp.resolve("t/edge.json"));
        run("bank-targets", "--config-dir", f.config.toString(), "--bundle", f.bundle.toString());

        assertThat(temp.resolve("t/edge.json")).exists();
        assertThat(f.bundle.resolve("targets/bank-north.xml")).exists();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("[config-assembler] NOTE: environment live has no");
    }

    @Test
    void aDeployAssemblyFailsWithTheReasons() {
        Fixture f = Fixture.copy(temp);

        assertThatThrownBy(() -> run("assemble", "--config-dir", f.config.toString(), "--out", "x.json", "--env", "live"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Cannot deploy environment live:");
    }

    @Test
    void usageErrorsSayWhatIsWrong() {
        assertThatThrownBy(() -> run()).hasMessageStartingWith("usage: assemble");
        assertThatThrownBy(() -> run("assemble", "--out", "x")).hasMessageStartingWith("option --config-dir is required");
        assertThatThrownBy(() -> run("assemble", "--config-dir", "c", "--out", "x", "--bundle", "b"))
                .hasMessageStartingWith("option --bundle does not apply here");
        assertThatThrownBy(() -> run("zip", "--config-dir", "c")).hasMessageStartingWith("unknown command zip");
        assertThatThrownBy(() -> run("assemble", "--config-dir")).hasMessageStartingWith("option --config-dir needs a value");
    }
}
