package eu.securehub.psd2.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.runtime.engine.Bundle;
import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Loads (does not run) the real built bundles: target/apiproxy and sharedflows/* /target/sharedflowbundle. Policy
 * types this module does not implement are stubbed (their XML consumed wholesale); everything the runtime reads
 * itself — descriptors, endpoints, conditions, templates, AssignMessage, RaiseFault, ExtractVariables, FlowCallout,
 * JavaCallout (classes loaded from the bundle's jars) — is checked strictly.
 */
class RealBundlesSmokeTest {
    static final Path ROOT = Path.of(System.getProperty("psd2.root", "../..")).toAbsolutePath().normalize();

    static final class Stub implements PolicyFactory {
        private final String type;

        Stub(String type) {
            this.type = type;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public Policy create(PolicyXml xml, BundleInfo bundle) {
            String name = xml.name();
            boolean coe = xml.continueOnError();
            boolean enabled = xml.enabled();
            Location at = xml.location();
            xml.consumeAll();
            return new Policy() {
                public String name() {
                    return name;
                }

                public String type() {
                    return type;
                }

                public boolean continueOnError() {
                    return coe;
                }

                public boolean enabled() {
                    return enabled;
                }

                public Location location() {
                    return at;
                }

                public void execute(FlowContext ctx) {
                    throw new UnsupportedOperationException("stub");
                }
            };
        }
    }

    @Test
    void realBundlesLoadStrictly() {
        Path proxy = ROOT.resolve("target/apiproxy");
        Assumptions.assumeTrue(Files.isDirectory(proxy), "build the bundles first: " + proxy);
        RuntimeOptions o = RuntimeOptions.of(new InMemoryEnvironment("local")).withoutServiceLoader();
        for (String t : List.of("KeyValueMapOperations", "Quota", "SpikeArrest", "VerifyAPIKey", "VerifyJWT",
                "ServiceCallout", "OASValidation", "PopulateCache", "LookupCache", "InvalidateCache", "MessageLogging",
                "JSONThreatProtection")) {
            o = o.withFactory(new Stub(t));
        }
        try (LocalRuntime rt = LocalRuntime.start(o)) {
            int sharedFlows = 0;
            for (String sf : List.of("psd2-errors-v1", "psd2-circuit-breaker-v1", "psd2-bank-limits-v1",
                    "psd2-dek-unwrap-v1", "psd2-pii-logging-v1", "psd2-bank-auth-v1", "psd2-crm-request-v1", "psd2-sca-v1", "psd2-payments-v1")) {
                Path p = ROOT.resolve("sharedflows").resolve(sf).resolve("target/sharedflowbundle");
                Bundle b = rt.deploySharedFlow(p);
                assertThat(b.name()).isEqualTo(sf);
                assertThat(b.sharedFlowSteps()).isNotEmpty();
                sharedFlows++;
            }
            Bundle hub = rt.deployProxy(proxy);
            assertThat(hub.name()).isEqualTo("psd2-hub-v1");
            assertThat(hub.proxyEndpoints()).containsKey("default");
            assertThat(hub.targetEndpoints()).isNotEmpty();
            assertThat(hub.policies()).hasSizeGreaterThan(50);
            assertThat(sharedFlows).isEqualTo(9);
            assertThat(rt.engine().match("/psd2/v1/accounts")).isPresent();
        }
    }
}
