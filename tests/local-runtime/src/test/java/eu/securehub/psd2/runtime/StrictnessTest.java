package eu.securehub.psd2.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.spi.ConfigError;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unknown elements/attributes/policy types, malformed conditions/templates → ConfigError naming file and line. */
class StrictnessTest {
    static LocalRuntime rt;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        rt = LocalRuntime.start(RuntimeOptions.of(new InMemoryEnvironment("test")).withoutServiceLoader());
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    private static final String AM = "<?xml version=\"1.0\"?>\n<AssignMessage name=\"AM-1\">\n"
            + "  <AssignVariable><Name>x</Name><Value>1</Value></AssignVariable>\n</AssignMessage>\n";

    private static final String PROXY = "<?xml version=\"1.0\"?>\n<ProxyEndpoint name=\"default\">\n"
            + "  <PreFlow><Request><Step><Name>AM-1</Name></Step></Request></PreFlow>\n"
            + "  <HTTPProxyConnection><BasePath>/s</BasePath></HTTPProxyConnection>\n"
            + "  <RouteRule name=\"none\"/>\n</ProxyEndpoint>\n";

    private Path bundle(String policy, String proxy) throws IOException {
        Path root = dir.resolve("b/apiproxy");
        Files.createDirectories(root.resolve("policies"));
        Files.createDirectories(root.resolve("proxies"));
        Files.writeString(root.resolve("s.xml"), "<APIProxy name=\"s\"/>");
        Files.writeString(root.resolve("policies/AM-1.xml"), policy);
        Files.writeString(root.resolve("proxies/default.xml"), proxy);
        return dir.resolve("b");
    }

    @Test
    void validBundleLoadsFromDirectoryAndZip() throws Exception {
        Path b = bundle(AM, PROXY);
        assertThat(rt.loader().loadProxy(b).policies()).containsKey("AM-1");
        Path zip = dir.resolve("s.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (String f : new String[] {"apiproxy/s.xml", "apiproxy/policies/AM-1.xml", "apiproxy/proxies/default.xml"}) {
                z.putNextEntry(new ZipEntry(f));
                z.write(Files.readAllBytes(b.resolve(f)));
                z.closeEntry();
            }
        }
        assertThat(rt.loader().loadProxy(zip).name()).isEqualTo("s");
    }

    @Test
    void unknownPolicyElement() throws Exception {
        Path b = bundle(AM.replace("</AssignMessage>", "  <Bogus/>\n</AssignMessage>"), PROXY);
        assertThatThrownBy(() -> rt.deployProxy(b)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/policies/AM-1.xml:4:").hasMessageContaining("<Bogus>");
    }

    @Test
    void unknownPolicyAttribute() throws Exception {
        Path b = bundle(AM.replace("<AssignVariable>", "<AssignVariable colour=\"red\">"), PROXY);
        assertThatThrownBy(() -> rt.deployProxy(b)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/policies/AM-1.xml:3:").hasMessageContaining("colour");
    }

    @Test
    void unknownPolicyType() throws Exception {
        Path b = bundle("<?xml version=\"1.0\"?>\n\n<Quota name=\"AM-1\"/>\n", PROXY);
        assertThatThrownBy(() -> rt.deployProxy(b)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/policies/AM-1.xml:3:").hasMessageContaining("unknown policy type <Quota>");
    }

    @Test
    void malformedCondition() throws Exception {
        Path b = bundle(AM, PROXY.replace("<Name>AM-1</Name>", "<Name>AM-1</Name>\n<Condition>a = \"x\" and b = 1 or c = 2</Condition>"));
        assertThatThrownBy(() -> rt.deployProxy(b)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/proxies/default.xml:4:").hasMessageContaining("malformed condition");
    }

    @Test
    void malformedTemplate() throws Exception {
        Path b = bundle(AM.replace("<Value>1</Value>", "</AssignVariable><Set><Payload>{sha256Hex(toLowerCase(x))}</Payload></Set><AssignVariable><Name>y</Name><Value>1</Value>"), PROXY);
        assertThatThrownBy(() -> rt.deployProxy(b)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/policies/AM-1.xml:3:").hasMessageContaining("template");
    }

    @Test
    void unknownEndpointElementAndUnknownStep() throws Exception {
        Path b = bundle(AM, PROXY.replace("<RouteRule name=\"none\"/>", "<RouteRule name=\"none\"/>\n<VirtualHost>x</VirtualHost>"));
        assertThatThrownBy(() -> rt.deployProxy(b)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/proxies/default.xml:6:").hasMessageContaining("<VirtualHost>");
        Path c = bundle(AM, PROXY.replace("<Name>AM-1</Name>", "<Name>AM-2</Name>"));
        assertThatThrownBy(() -> rt.deployProxy(c)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/proxies/default.xml:3:").hasMessageContaining("unknown policy AM-2");
    }

    @Test
    void unsupportedTargetProperty() throws Exception {
        Path b = bundle(AM, PROXY.replace("<RouteRule name=\"none\"/>", "<RouteRule name=\"t\"><TargetEndpoint>t</TargetEndpoint></RouteRule>"));
        Files.createDirectories(b.resolve("apiproxy/targets"));
        Files.writeString(b.resolve("apiproxy/targets/t.xml"), "<TargetEndpoint name=\"t\">\n<HTTPTargetConnection>\n"
                + "<URL>http://127.0.0.1:1/x</URL>\n<Properties>\n<Property name=\"request.streaming.enabled\">true</Property>\n"
                + "</Properties></HTTPTargetConnection></TargetEndpoint>");
        assertThatThrownBy(() -> rt.deployProxy(b)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("apiproxy/targets/t.xml:5:").hasMessageContaining("request.streaming.enabled");
    }

    static void unused(OutputStream o) {
    }
}
