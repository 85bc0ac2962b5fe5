package eu.securehub.psd2.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.deploy.ApigeeManagementDouble.ApiType;
import eu.securehub.psd2.deploy.ApigeeManagementDouble.Kind;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The double and the harness proven with apigee-edge-maven-plugin 2.5.0 itself, on a minimal project of
 * one shared flow and a proxy that calls it (src/test/resources/minimal-project), independent of this
 * project's bundles.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MinimalProjectDeployTest {

    private static final String ORG = "demo-org";
    private static final String BEARER = "demo-token";
    private static final String SHARED_FLOW = "demo-sf-v1";
    private static final String PROXY = "demo-hub-v1";
    private static final Duration LIMIT = Duration.ofMinutes(3);

    private Path project;

    @BeforeAll
    void copyProject() throws Exception {
        project = ProjectCopy.copy(fixture(), ProjectCopy.workDir(), "minimal");
    }

    @Test
    void deploysTheSharedFlowThenTheProxyWithTheImportedRevisions() throws Exception {
        try (ApigeeManagementDouble apigee = ApigeeManagementDouble.start(BEARER)) {
            apigee.existingRevisions(ApiType.PROXY, PROXY, 6);
            NestedMaven.Result result = deploy(apigee, "minimal-success");
            DeployRecord record = new DeployRecord(apigee.calls());

            assertThat(result.exitCode()).as(result.describe()).isZero();
            record.assertEveryCallAuthenticatedAndKnown(ORG, BEARER);
            assertThat(record.imported(ApiType.SHARED_FLOW)).containsExactly(SHARED_FLOW);
            assertThat(record.imported(ApiType.PROXY)).containsExactly(PROXY);
            record.assertDeployed(ApiType.SHARED_FLOW, SHARED_FLOW, "test");
            record.assertDeployed(ApiType.PROXY, PROXY, "test");
            assertThat(record.importOf(ApiType.SHARED_FLOW, SHARED_FLOW).revision()).isEqualTo("1");
            assertThat(record.importOf(ApiType.PROXY, PROXY).revision()).isEqualTo("7");
            record.assertSharedFlowsBeforeProxy(List.of(SHARED_FLOW), PROXY);
            record.assertCalledSharedFlowsDeployedFirst();

            BundleZip proxyZip = record.zipOf(ApiType.PROXY, PROXY);
            assertThat(proxyZip.names())
                    .containsAll(BundleZip.expectedFrom(project.resolve("apiproxy"), "apiproxy"))
                    .contains("apiproxy/demo-hub-v1.xml", "apiproxy/targets/bank-demo.xml");
            assertThat(proxyZip.flowCalloutTargets()).containsExactly(SHARED_FLOW);
            BundleZip sfZip = record.zipOf(ApiType.SHARED_FLOW, SHARED_FLOW);
            assertThat(sfZip.names()).containsExactlyInAnyOrderElementsOf(BundleZip.expectedFrom(
                    project.resolve("sharedflows/demo-sf-v1/sharedflowbundle"), "sharedflowbundle"));
            assertThat(record.importOf(ApiType.PROXY, PROXY).zip().fileName()).isEqualTo("demo-hub-v1-1.0.0.zip");
        }
    }

    @Test
    void anImportRejectedWith400FailsTheBuildWithTheApisMessage() throws Exception {
        String message = "bundle demo-sf-v1 contains errors: policy AM-Demo: unknown element Nonsense";
        try (ApigeeManagementDouble apigee = ApigeeManagementDouble.start(BEARER)) {
            apigee.failImport(ApiType.SHARED_FLOW, SHARED_FLOW, message);
            NestedMaven.Result result = deploy(apigee, "minimal-import-400");
            DeployRecord record = new DeployRecord(apigee.calls());

            assertThat(result.exitCode()).as(result.describe()).isNotZero();
            assertThat(result.failureReport()).as(result.describe())
                    .contains("apigee-edge-maven-plugin:2.5.0:deploy", message);
            record.assertEveryCallAuthenticatedAndKnown(ORG, BEARER);
            assertThat(record.of(Kind.IMPORT)).singleElement()
                    .satisfies(c -> assertThat(c.status()).isEqualTo(400));
            assertThat(record.of(Kind.DEPLOY)).as(record.describe()).isEmpty();
        }
    }

    @Test
    void aDeploymentInStateErrorFailsTheBuildWithItsMessage() throws Exception {
        String message = "TargetServer bank-demo not found in environment test";
        try (ApigeeManagementDouble apigee = ApigeeManagementDouble.start(BEARER)) {
            apigee.failDeployment(ApiType.SHARED_FLOW, SHARED_FLOW, message);
            NestedMaven.Result result = deploy(apigee, "minimal-state-error");
            DeployRecord record = new DeployRecord(apigee.calls());

            assertThat(result.exitCode()).as(result.describe()).isNotZero();
            assertThat(result.failureReport()).as(result.describe())
                    .contains("apigee-edge-maven-plugin:2.5.0:deploy", message);
            record.assertEveryCallAuthenticatedAndKnown(ORG, BEARER);
            assertThat(record.imported(ApiType.PROXY)).as(record.describe()).isEmpty();
            assertThat(record.of(Kind.DEPLOYMENT_STATUS)).as(record.describe()).isNotEmpty()
                    .allSatisfy(c -> assertThat(c.response()).contains("\"state\":\"ERROR\""));
        }
    }

    private NestedMaven.Result deploy(ApigeeManagementDouble apigee, String label) throws Exception {
        List<String> args = new ArrayList<>(List.of("-o", "-B", "deploy", "-Ptest", "-Dorg=" + ORG,
                "-Dbearer=" + BEARER, "-Dapigee.hosturl=" + apigee.hostUrl(), "-DskipTests"));
        return NestedMaven.run(project, args, LIMIT, ProjectCopy.workDir().resolve(label + ".log"));
    }

    private static Path fixture() throws URISyntaxException {
        return Paths.get(MinimalProjectDeployTest.class.getResource("/minimal-project/pom.xml").toURI()).getParent();
    }
}
