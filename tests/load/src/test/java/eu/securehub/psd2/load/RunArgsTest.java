package eu.securehub.psd2.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runs' name=value arguments. */
class RunArgsTest {
    private static final List<String> NAMES = List.of("rate", "workDir", "root");

    @Test
    void namesWithOrWithoutDashesAndTheirDefaults() {
        RunArgs a = RunArgs.parse(new String[] {"--rate=12", "workDir=/tmp/w", "root=."}, NAMES, "");
        assertThat(a.get("rate", "10")).isEqualTo("12");
        assertThat(a.path("workDir")).isEqualTo(Path.of("/tmp/w"));
        assertThat(a.root()).isEqualTo(Path.of(".").toAbsolutePath().normalize());
        RunArgs none = RunArgs.parse(new String[0], NAMES, "");
        assertThat(none.get("rate", "10")).isEqualTo("10");
        assertThat(none.path("workDir")).isNull();
    }

    @Test
    void refusesAnArgumentWithoutAValueAndAnUnknownName() {
        assertThatThrownBy(() -> RunArgs.parse(new String[] {"rate"}, NAMES, "; or outage"))
                .hasMessage("expected name=value, got rate (names: rate, workDir, root; or outage)");
        assertThatThrownBy(() -> RunArgs.parse(new String[] {"rate=1", "speed=2", "=3"}, NAMES, ""))
                .hasMessageContaining("=3");
        assertThatThrownBy(() -> RunArgs.parse(new String[] {"rate=1", "speed=2"}, NAMES, ""))
                .hasMessage("unknown arguments [speed]");
    }
}
