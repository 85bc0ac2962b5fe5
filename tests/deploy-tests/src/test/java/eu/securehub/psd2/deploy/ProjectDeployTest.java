package eu.securehub.psd2.deploy;

import static eu.securehub.psd2.deploy.ProjectDeploy.BEARER;
import static eu.securehub.psd2.deploy.ProjectDeploy.CALLOUT_JAR;
import static eu.securehub.psd2.deploy.ProjectDeploy.ENV;
import static eu.securehub.psd2.deploy.ProjectDeploy.ORG;
import static eu.securehub.psd2.deploy.ProjectDeploy.PROXY;
import static eu.securehub.psd2.deploy.ProjectDeploy.SHARED_FLOWS;
import static eu.securehub.psd2.deploy.ProjectDeploy.SHARED_FLOWS_DIR;
import static eu.securehub.psd2.deploy.ProjectDeploy.SHARED_FLOWS_WITH_CALLOUTS;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.deploy.ApigeeManagementDouble.ApiType;
import eu.securehub.psd2.deploy.ApigeeManagementDouble.Call;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * This project's real {@code mvn deploy -Ptest}, run once on a copy of the project against the double;
 * each test asserts one aspect of what reached the management API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectDeployTest {

    /** Revisions that exist already, so that "the revision imported is the one deployed" means something. */
    private static final Map<String, Integer> EXISTING_SHARED_FLOW_REVISIONS = Map.of("psd2-errors-v1", 2);
    private static final int EXISTING_PROXY_REVISIONS = 4;

    private Path project;
    private ApigeeManagementDouble apigee;
    private NestedMaven.Result result;
    private DeployRecord record;

    @BeforeAll
    void deployTheProject() throws Exception {
        project = ProjectCopy.copy(ProjectCopy.projectRoot(), ProjectCopy.workDir(), "project");
        apigee = ApigeeManagementDouble.start(BEARER);
        EXISTING_SHARED_FLOW_REVISIONS.forEach((sf, n) -> apigee.existingRevisions(ApiType.SHARED_FLOW, sf, n));
        apigee.existingRevisions(ApiType.PROXY, PROXY, EXISTING_PROXY_REVISIONS);
        result = NestedMaven.run(project, ProjectDeploy.command(project, apigee.hostUrl(), List.of()),
                ProjectDeploy.LIMIT, ProjectCopy.workDir().resolve("project-deploy.log"));
        record = new DeployRecord(apigee.calls());
    }

    @AfterAll
    void stop() {
        if (apigee != null) {
            apigee.close();
        }
    }

    @BeforeEach
    void theDeploySucceeded() {
        assertThat(result.output()).as("the deploy profile -P%s exists; %s", ProjectDeploy.PROFILE, result.describe())
                .doesNotContain("The requested profile \"" + ProjectDeploy.PROFILE + "\" could not be activated");
        assertThat(result.exitCode()).as("%s\n%s", result.describe(), record.describe()).isZero();
    }

    @Test
    void everyBundleIsDeployedWithTheEnvironmentsServiceAccount() throws Exception {
        // The plugin sends apigee.googletoken.email as ?serviceAccount= on the deployment POST; Apigee X needs it for
        // the bundles that call Cloud KMS (GoogleAccessToken) and Cloud Logging (the double refuses them without).
        List<ApigeeManagementDouble.Call> deploys = record.of(ApigeeManagementDouble.Kind.DEPLOY);
        assertThat(deploys).as(record.describe()).hasSize(ProjectDeploy.sharedFlowsIn(project).size() + 1);
        for (ApigeeManagementDouble.Call d : deploys) {
            assertThat(ApigeeManagementDouble.formDecode(d.query() == null ? "" : d.query()))
                    .as("query of the deployment of %s", d.name())
                    .containsEntry("serviceAccount", ProjectDeploy.SERVICE_ACCOUNT);
        }
        assertThat(deploys).as("the Google API callers are among them")
                .extracting(ApigeeManagementDouble.Call::name).contains("psd2-dek-unwrap-v1", "psd2-pii-logging-v1");
    }

    @Test
    void everyCallCarriesTheBearerTokenAndIsOneTheDoubleKnows() {
        record.assertEveryCallAuthenticatedAndKnown(ORG, BEARER);
    }

    @Test
    void namesAreExactlyTheProjectsSharedFlowsAndTheProxy() throws Exception {
        Set<String> inProject = ProjectDeploy.sharedFlowsIn(project);
        assertThat(inProject).as("shared flows under %s/", SHARED_FLOWS_DIR).containsAll(SHARED_FLOWS);
        assertThat(record.imported(ApiType.SHARED_FLOW)).as(record.describe())
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(inProject);
        assertThat(record.imported(ApiType.PROXY)).as(record.describe()).containsExactly(PROXY);
    }

    @Test
    void everySharedFlowIsImportedAndDeployedBeforeTheProxyIsImported() throws Exception {
        record.assertSharedFlowsBeforeProxy(new ArrayList<>(ProjectDeploy.sharedFlowsIn(project)), PROXY);
        record.assertCalledSharedFlowsDeployedFirst();
    }

    @Test
    void theRevisionEachImportReturnedIsTheOneDeployedWithOverrideTrue() throws Exception {
        for (String sf : ProjectDeploy.sharedFlowsIn(project)) {
            record.assertDeployed(ApiType.SHARED_FLOW, sf, ENV);
            assertThat(record.importOf(ApiType.SHARED_FLOW, sf).revision())
                    .isEqualTo(Integer.toString(EXISTING_SHARED_FLOW_REVISIONS.getOrDefault(sf, 0) + 1));
        }
        record.assertDeployed(ApiType.PROXY, PROXY, ENV);
        assertThat(record.importOf(ApiType.PROXY, PROXY).revision())
                .isEqualTo(Integer.toString(EXISTING_PROXY_REVISIONS + 1));
    }

    @Test
    void theProxyZipCarriesItsBundleTheCalloutJarAndTheBankTargets() throws Exception {
        BundleZip zip = record.zipOf(ApiType.PROXY, PROXY);
        assertThat(zip.names()).contains("apiproxy/" + PROXY + ".xml");
        assertThat(zip.names()).as("the proxy's source files")
                .containsAll(shipped(BundleZip.expectedFrom(project.resolve("apiproxy"), "apiproxy")));
        assertCalloutJar(zip, "apiproxy/");
        assertThat(zip.names()).as("no guide in the bundle").noneMatch(n -> n.endsWith(".md"));

        Set<String> bankTargets = zip.namesMatching("apiproxy/targets/bank-[^/]+\\.xml").stream()
                .map(t -> t.replaceAll(".*/(.*)\\.xml", "$1")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(bankTargets).as("bank TargetEndpoints in %s", zip.names()).isNotEmpty();
        Path banksOfEnv = project.resolve(ProjectDeploy.BANK_TARGET_SERVERS);
        if (Files.isDirectory(banksOfEnv)) {
            try (Stream<Path> files = Files.list(banksOfEnv)) {
                assertThat(bankTargets).as("one TargetEndpoint per bank of %s", banksOfEnv)
                        .containsExactlyInAnyOrderElementsOf(files.map(f -> f.getFileName().toString())
                                .filter(f -> f.matches("bank-.+\\.json")).map(f -> f.replaceAll("\\.json$", ""))
                                .toList());
            }
        }

        // Every TargetEndpoint routed to or declared is in the zip, and every bank's is routed to.
        Set<String> routed = new TreeSet<>();
        for (String proxyEndpoint : zip.namesMatching("apiproxy/proxies/[^/]+\\.xml")) {
            routed.addAll(elements(new String(zip.content(proxyEndpoint), StandardCharsets.UTF_8), "TargetEndpoint"));
        }
        Set<String> declared = elements(new String(zip.content("apiproxy/" + PROXY + ".xml"), StandardCharsets.UTF_8),
                "TargetEndpoint");
        assertThat(routed).as("TargetEndpoints the RouteRules name").containsAll(bankTargets);
        for (String target : union(routed, declared)) {
            assertThat(zip.names()).as("TargetEndpoint %s named in the bundle", target)
                    .contains("apiproxy/targets/" + target + ".xml");
        }
    }

    @Test
    void theSharedFlowZipsCarryTheirBundleAndTheCalloutJarWhereTheyNeedIt() throws Exception {
        for (String sf : ProjectDeploy.sharedFlowsIn(project)) {
            BundleZip zip = record.zipOf(ApiType.SHARED_FLOW, sf);
            assertThat(zip.names()).as("zip of %s", sf)
                    .contains("sharedflowbundle/" + sf + ".xml")
                    .containsAll(shipped(BundleZip.expectedFrom(
                            project.resolve(SHARED_FLOWS_DIR).resolve(sf).resolve("sharedflowbundle"),
                            "sharedflowbundle")));
            assertThat(zip.names()).as("zip of %s: only sharedflowbundle/", sf)
                    .allMatch(n -> n.startsWith("sharedflowbundle/"));
            if (SHARED_FLOWS_WITH_CALLOUTS.contains(sf)) {
                assertCalloutJar(zip, "sharedflowbundle/");
            }
        }
    }

    @Test
    void eachImportSendsTheBuiltZipInTheContentPart() {
        for (Call imp : record.of(ApigeeManagementDouble.Kind.IMPORT)) {
            assertThat(imp.zip().name()).isEqualTo("content");
            assertThat(imp.zip().fileName()).as("file name of %s's zip", imp.name()).endsWith(".zip");
            assertThat(imp.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct)
                    .startsWith("multipart/form-data"));
        }
    }

    /** The callout jar with its classes is in the bundle, and so is every jar a Java policy names. */
    private static void assertCalloutJar(BundleZip zip, String prefix) {
        List<String> jars = zip.namesMatching(Pattern.quote(prefix) + CALLOUT_JAR);
        assertThat(jars).as("callout jar in %s", zip.names()).hasSize(1);
        assertThat(zip.jarEntries(jars.get(0))).as("classes of %s", jars.get(0))
                .anyMatch(e -> e.startsWith("eu/securehub/psd2/callouts/") && e.endsWith(".class"));
        for (String policy : zip.namesMatching(Pattern.quote(prefix) + "policies/[^/]+\\.xml")) {
            for (String url : elements(new String(zip.content(policy), StandardCharsets.UTF_8), "ResourceURL")) {
                if (url.startsWith("java://")) {
                    assertThat(zip.names()).as("jar %s named by %s", url, policy)
                            .contains(prefix + "resources/java/" + url.substring("java://".length()));
                }
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The source files a bundle ships: not the TargetEndpoint template (the build generates one per bank from it) nor
     * the guides beside the sources ({@code *.md}, left out by copy-bundle-sources: apigeelint's BN001 and Apigee refuse
     * an unknown resource type).
     */
    private static Set<String> shipped(Set<String> files) {
        return files.stream().filter(f -> !f.endsWith(".template") && !f.endsWith(".md"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The text of every {@code <name>…</name>} element. */
    private static Set<String> elements(String xml, String name) {
        Set<String> values = new TreeSet<>();
        Matcher m = Pattern.compile("<" + name + ">\\s*([^<\\s]+)\\s*</" + name + ">").matcher(xml);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }
}
