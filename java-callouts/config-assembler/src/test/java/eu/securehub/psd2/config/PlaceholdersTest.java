package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PlaceholdersTest {
    private final Placeholders placeholders = new Placeholders(Map.of("a.b", "/srv/x", "empty", "")::get);

    @Test
    void replacesKnownNamesAndDefaultsAndLeavesTheRest() {
        assertThat(placeholders.resolve("${a.b}/q.p12")).isEqualTo("/srv/x/q.p12");
        assertThat(placeholders.resolve("${missing:-target/pki}/q.p12")).isEqualTo("target/pki/q.p12");
        assertThat(placeholders.resolve("${empty:-d}")).isEqualTo("d");
        assertThat(placeholders.resolve("${a.b:-d}")).isEqualTo("/srv/x");
        assertThat(placeholders.resolve("${missing}/x")).isEqualTo("${missing}/x");
        assertThat(placeholders.resolve("$x {y}")).isEqualTo("$x {y}");
    }

    @Test
    void namesWhatIsLeftAsPropertyAndEnvironmentVariable() {
        assertThat(Placeholders.unresolved("${psd2.qwac-p12}")).isTrue();
        assertThat(Placeholders.unresolved("/a/b")).isFalse();
        assertThat(Placeholders.describe("${psd2.qwac-p12}"))
                .isEqualTo("-Dpsd2.qwac-p12=… (or env PSD2_QWAC_P12)");
    }
}
