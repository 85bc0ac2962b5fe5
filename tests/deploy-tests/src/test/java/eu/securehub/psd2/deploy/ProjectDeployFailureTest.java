package eu.securehub.psd2.deploy;

import static eu.securehub.psd2.deploy.ProjectDeploy.BEARER;
import static eu.securehub.psd2.deploy.ProjectDeploy.ORG;
import static eu.securehub.psd2.deploy.ProjectDeploy.PROXY;
import static eu.securehub.psd2.deploy.ProjectDeploy.SHARED_FLOWS_DIR;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.deploy.ApigeeManagementDouble.ApiType;
import eu.securehub.psd2.deploy.ApigeeManagementDouble.Kind;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A failing deploy of this project fails the build with the management API's message. Each case builds
 * only one shared flow and what it needs ({@code -pl sharedflows/<name> -am}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectDeployFailureTest {

    /** A shared flow without callouts: the quickest to build. */
    private static final String SHARED_FLOW = "psd2-bank-limits-v1";
    private static final List<String> ONLY_IT = List.of("-pl", SHARED_FLOWS_DIR + "/" + SHARED_FLOW, "-am");

    private Path project;

    @BeforeAll
    void copyProject() throws Exception {
        project = ProjectCopy.copy(ProjectCopy.projectRoot(), ProjectCopy.workDir(), "project-failures");
    }

    @Test
    void anImportAnswered400FailsTheBuildWithTheApisMessage() throws Exception {
        String message = "bundle psd2-bank-limits-v1 contains errors: Q-UnattendedBudget: Invalid Quota type";
        try (ApigeeManagementDouble apigee = ApigeeManagementDouble.start(BEARER)) {
            apigee.failImport(ApiType.SHARED_FLOW, SHARED_FLOW, message);
            NestedMaven.Result result = deploy(apigee, "project-import-400");
            DeployRecord record = new DeployRecord(apigee.calls());

            assertThat(result.exitCode()).as(result.describe()).isNotZero();
            assertThat(result.failureReport()).as(result.describe())
                    .contains("apigee-edge-maven-plugin:2.5.0:deploy", message);
            record.assertEveryCallAuthenticatedAndKnown(ORG, BEARER);
            assertThat(record.of(Kind.IMPORT)).as(record.describe())
                    .filteredOn(c -> c.name().equals(SHARED_FLOW)).singleElement()
                    .satisfies(c -> assertThat(c.status()).isEqualTo(400));
            assertThat(record.of(Kind.DEPLOY)).as(record.describe())
                    .noneMatch(c -> c.name().equals(SHARED_FLOW));
            assertThat(record.imported(ApiType.PROXY)).as(record.describe()).doesNotContain(PROXY);
        }
    }

    @Test
    void aDeploymentInStateErrorFailsTheBuildWithItsMessage() throws Exception {
        String message = "Quota policy Q-UnattendedBudget: SharedName bank-budget is not distributed";
        try (ApigeeManagementDouble apigee = ApigeeManagementDouble.start(BEARER)) {
            apigee.failDeployment(ApiType.SHARED_FLOW, SHARED_FLOW, message);
            NestedMaven.Result result = deploy(apigee, "project-state-error");
            DeployRecord record = new DeployRecord(apigee.calls());

            assertThat(result.exitCode()).as(result.describe()).isNotZero();
            assertThat(result.failureReport()).as(result.describe())
                    .contains("apigee-edge-maven-plugin:2.5.0:deploy", message);
            record.assertEveryCallAuthenticatedAndKnown(ORG, BEARER);
            assertThat(record.of(Kind.DEPLOYMENT_STATUS)).as(record.describe())
                    .filteredOn(c -> c.name().equals(SHARED_FLOW)).isNotEmpty()
                    .allSatisfy(c -> assertThat(c.response()).contains("\"state\":\"ERROR\""));
            assertThat(record.imported(ApiType.PROXY)).as(record.describe()).doesNotContain(PROXY);
        }
    }

    private NestedMaven.Result deploy(ApigeeManagementDouble apigee, String label) throws Exception {
        return NestedMaven.run(project, ProjectDeploy.command(project, apigee.hostUrl(), ONLY_IT),
                ProjectDeploy.LIMIT, ProjectCopy.workDir().resolve(label + ".log"));
    }
}
