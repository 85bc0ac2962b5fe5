package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BankTargetsTest {
    static final Map<String, Long> TIMEOUTS = new TreeMap<>(Map.of("north", 10_000L, "south-2", 4_500L));
    static final Map<String, Long> NORTH = Map.of("north", 10_000L);

    @TempDir
    Path temp;

    @Test
    void writesOneTargetEndpointPerBankAndRemovesTheTemplate() {
        Fixture f = Fixture.copy(temp);

        BankTargets.generate(f.bundle, null, TIMEOUTS);

        Path targets = f.bundle.resolve("targets");
        assertThat(targets.resolve("bank-target.xml.template")).doesNotExist();
        assertThat(f.read(targets.resolve("bank-south-2.xml")))
                .contains("<TargetEndpoint name=\"bank-south-2\">")
                .contains("<Description>Bank south-2</Description>")
                .contains("<Server name=\"bank-south-2\"/>")
                .contains("<Property name=\"io.timeout.millis\">4500</Property>")
                .doesNotContain("@");
        assertThat(targets.resolve("bank-north.xml")).exists();
    }

    @Test
    void insertsOneRouteRulePerBankWhereTheMarkerStands() {
        Fixture f = Fixture.copy(temp);

        BankTargets.generate(f.bundle, null, TIMEOUTS);

        assertThat(f.read(f.bundle.resolve("proxies/default.xml"))).contains("</HTTPProxyConnection>\n"
                + "  <RouteRule name=\"bank-north\"><Condition>(hub.route = \"bank\") and (hub.bank_id = \"north\")"
                + "</Condition><TargetEndpoint>bank-north</TargetEndpoint></RouteRule>\n"
                + "  <RouteRule name=\"bank-south-2\"><Condition>(hub.route = \"bank\") and (hub.bank_id = \"south-2\")"
                + "</Condition><TargetEndpoint>bank-south-2</TargetEndpoint></RouteRule>\n"
                + "  <RouteRule name=\"hub-only\"/>\n");
    }

    @Test
    void removesEndpointsOfBanksNoLongerConfigured() throws Exception {
        Fixture f = Fixture.copy(temp);
        Files.writeString(f.bundle.resolve("targets/bank-gone.xml"), "<TargetEndpoint name=\"bank-gone\"/>");

        BankTargets.generate(f.bundle, null, NORTH);

        assertThat(f.bundle.resolve("targets/bank-gone.xml")).doesNotExist();
        assertThat(f.bundle.resolve("targets/bank-north.xml")).exists();
    }

    @Test
    void failsWithoutTemplateOrMarker() throws Exception {
        Fixture f = Fixture.copy(temp);
        Path proxy = f.bundle.resolve("proxies/default.xml");
        Files.writeString(proxy, f.read(proxy).replace("<!-- @BANK_ROUTES@ -->", ""));

        assertThatThrownBy(() -> BankTargets.generate(f.bundle, null, NORTH))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("has the comment <!-- @BANK_ROUTES@ -->");

        Files.delete(f.bundle.resolve("targets/bank-target.xml.template"));
        assertThatThrownBy(() -> BankTargets.generate(f.bundle, null, NORTH))
                .hasMessageContaining("the proxy bundle needs apiproxy/targets/bank-target.xml.template");
    }

    @Test
    void theTemplateMustNameTheEndpointAfterTheBank() throws Exception {
        Fixture f = Fixture.copy(temp);
        Path template = f.bundle.resolve("targets/bank-target.xml.template");
        Files.writeString(template, f.read(template).replace("name=\"bank-@BANK_ID@\"", "name=\"@BANK_ID@\""));

        assertThatThrownBy(() -> BankTargets.generate(f.bundle, null, NORTH))
                .hasMessageContaining("must be a <TargetEndpoint name=\"bank-@BANK_ID@\">: for bank north it gives"
                        + " <TargetEndpoint name=\"north\">");
    }

    @Test
    void aHandWrittenBankEndpointInTheSourceBundleIsAnError() throws Exception {
        Fixture f = Fixture.copy(temp);
        Path source = Files.createDirectories(temp.resolve("src/apiproxy/targets"));
        Files.writeString(source.resolve("bank-north.xml"), "<TargetEndpoint/>");

        assertThatThrownBy(() -> BankTargets.generate(f.bundle, source.getParent(), NORTH))
                .hasMessageContaining("apiproxy/targets/ holds [bank-north.xml]: bank TargetEndpoints are generated");
    }
}
