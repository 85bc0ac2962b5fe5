package eu.securehub.psd2.runtime.policies;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every policy of this module's types in the project's proxy and shared flows is accepted by its factory. */
class BundlePoliciesTest {
    private static final List<String> TYPES = List.of("KeyValueMapOperations", "PopulateCache", "LookupCache",
            "InvalidateCache", "Quota", "SpikeArrest", "MessageLogging");

    @Test
    void theFactoriesAreRegistered() {
        assertThat(Policies.FACTORIES).containsKeys(TYPES.toArray(String[]::new));
    }

    @Test
    void everyPolicyOfTheseTypesInTheBundlesIsAccepted() throws IOException {
        Path root = Paths.get(System.getProperty("hub.root", "../..")).toAbsolutePath().normalize();
        List<Path> dirs = new ArrayList<>();
        dirs.add(root.resolve("apiproxy/policies"));
        try (Stream<Path> flows = Files.list(root.resolve("sharedflows"))) {
            flows.map(f -> f.resolve("sharedflowbundle/policies")).filter(Files::isDirectory).forEach(dirs::add);
        }
        Map<String, Integer> built = new TreeMap<>();
        for (Path dir : dirs) {
            assertThat(dir).isDirectory();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".xml")).sorted().toList()) {
                    TestXml xml = TestXml.read(file, root);
                    PolicyFactory factory = Policies.FACTORIES.get(xml.elementName());
                    if (factory == null || !TYPES.contains(xml.elementName())) {
                        continue;
                    }
                    Policy p = factory.create(xml, TestContext.bundle(dir.getParent().getFileName().toString()));
                    xml.done();
                    assertThat(p.name()).isEqualTo(file.getFileName().toString().replace(".xml", ""));
                    assertThat(p.type()).isEqualTo(xml.elementName());
                    built.merge(xml.elementName(), 1, Integer::sum);
                }
            }
        }
        assertThat(built).containsOnlyKeys(TYPES);
        assertThat(built.get("KeyValueMapOperations")).isGreaterThanOrEqualTo(8);
        assertThat(built.get("InvalidateCache")).isGreaterThanOrEqualTo(2);
        assertThat(built.get("Quota")).isGreaterThanOrEqualTo(2);
    }
}
