package eu.securehub.psd2.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle with a policy that calls Google APIs as its deployment's identity deploys only with a service account, as
 * on Apigee X (MISSING_SERVICE_ACCOUNT); a service account must have the documented form; bundles without such a
 * policy deploy either way.
 */
class ServiceAccountDeploymentTest {
    static final String SA = "psd2-hub-test@my-project-1.iam.gserviceaccount.com";
    static LocalRuntime rt;
    @TempDir
    Path dir;

    /** A policy type whose instances say they use Google authentication when their XML has google="true". */
    static final class GoogleStub implements PolicyFactory {
        @Override
        public String type() {
            return "GoogleStub";
        }

        @Override
        public Policy create(PolicyXml xml, BundleInfo bundle) {
            String name = xml.name();
            Location at = xml.location();
            boolean google = xml.attribute("google").equals("true");
            xml.consumeAll();
            return new Policy() {
                public String name() {
                    return name;
                }

                public String type() {
                    return "GoogleStub";
                }

                public boolean continueOnError() {
                    return false;
                }

                public boolean enabled() {
                    return true;
                }

                public Location location() {
                    return at;
                }

                public boolean usesGoogleAuthentication() {
                    return google;
                }

                public void execute(FlowContext ctx) {
                }
            };
        }
    }

    @BeforeAll
    static void start() {
        rt = LocalRuntime.start(RuntimeOptions.of(new InMemoryEnvironment("test")).withoutServiceLoader()
                .withFactory(new GoogleStub()));
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    private Path sharedFlow(String name, boolean google) throws IOException {
        Path root = dir.resolve(name).resolve("sharedflowbundle");
        Files.createDirectories(root.resolve("policies"));
        Files.createDirectories(root.resolve("sharedflows"));
        Files.writeString(root.resolve(name + ".xml"), "<SharedFlowBundle name=\"" + name + "\"/>");
        Files.writeString(root.resolve("policies/GS-1.xml"), "<GoogleStub name=\"GS-1\" google=\"" + google + "\"/>");
        Files.writeString(root.resolve("sharedflows/default.xml"),
                "<SharedFlow name=\"default\"><Step><Name>GS-1</Name></Step></SharedFlow>");
        return root.getParent();
    }

    @Test
    void aBundleThatCallsGoogleApisNeedsAServiceAccount() throws Exception {
        Path sf = sharedFlow("kms-v1", true);
        assertThatThrownBy(() -> rt.deploySharedFlow(sf)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("MISSING_SERVICE_ACCOUNT")
                .hasMessageContaining("Deployment of \"sharedflows/kms-v1/revisions/1\" requires a service account "
                        + "identity, but one was not provided with the request")
                .hasMessageContaining("GS-1");
        assertThat(rt.engine().sharedFlow("kms-v1")).as("not deployed").isEmpty();
        assertThat(rt.deploySharedFlow(sf, SA).name()).isEqualTo("kms-v1");
        assertThat(rt.engine().sharedFlow("kms-v1")).isPresent();
    }

    @Test
    void aBundleWithoutGoogleApisDeploysWithOrWithoutOne() throws Exception {
        assertThat(rt.deploySharedFlow(sharedFlow("plain-v1", false)).name()).isEqualTo("plain-v1");
        assertThat(rt.deploySharedFlow(sharedFlow("plain-v2", false), SA).name()).isEqualTo("plain-v2");
    }

    @Test
    void aServiceAccountMustHaveTheDocumentedForm() throws Exception {
        Path sf = sharedFlow("form-v1", true);
        for (String bad : new String[] {"", "someone@example.com", "psd2-hub@my-project-1.iam.gserviceaccount.com.evil",
                "PSD2@my-project-1.iam.gserviceaccount.com"}) {
            assertThatThrownBy(() -> rt.deploySharedFlow(sf, bad)).as(bad).isInstanceOf(ConfigError.class)
                    .hasMessageContaining("{ACCOUNT_ID}@{PROJECT}.iam.gserviceaccount.com");
        }
    }
}
