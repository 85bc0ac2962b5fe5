package eu.securehub.psd2.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How the tests run this project's own deploy: the constants the lead may adjust when the deploy
 * profiles change, and the nested command built from them.
 */
final class ProjectDeploy {

    /** The Maven profile of the environment deployed to ({@code mvn deploy -P<env>}). */
    static final String PROFILE = "test";
    /** The Apigee environment that profile deploys to. */
    static final String ENV = "test";
    /** How the config plugin's step is switched off: it is not served to these machines. */
    static final List<String> CONFIG_STEP_OFF = List.of("-Dapigee.config.skip=true");
    /**
     * Further arguments of every nested build: no tests (this build runs them), and nothing installed
     * into the shared local repository from the temporary copy.
     */
    static final List<String> EXTRA_ARGS = List.of("-DskipTests", "-Dmaven.install.skip=true");
    /** This module, left out of the nested reactor when the root pom lists it. */
    static final String THIS_MODULE = "tests/deploy-tests";

    static final String ORG = "o";
    static final String BEARER = "t";
    /** The service account the test profile deploys every bundle with: psd2-hub-<env>@<org>.iam.gserviceaccount.com. */
    static final String SERVICE_ACCOUNT = "psd2-hub-" + ENV + "@" + ORG + ".iam.gserviceaccount.com";

    /** The proxy and the shared flows that issue 3 names. */
    static final String PROXY = "psd2-hub-v1";
    static final List<String> SHARED_FLOWS = List.of("psd2-errors-v1", "psd2-circuit-breaker-v1",
            "psd2-bank-limits-v1", "psd2-dek-unwrap-v1", "psd2-pii-logging-v1", "psd2-crm-request-v1", "psd2-sca-v1",
            "psd2-payments-v1");
    /** The shared flows whose bundles carry the callout jar in resources/java. */
    static final Set<String> SHARED_FLOWS_WITH_CALLOUTS =
            Set.of("psd2-errors-v1", "psd2-circuit-breaker-v1", "psd2-pii-logging-v1", "psd2-crm-request-v1", "psd2-sca-v1",
                    "psd2-payments-v1");
    /** Where the shared flows live: {@code sharedflows/<name>}. */
    static final String SHARED_FLOWS_DIR = "sharedflows";
    /** The banks of the environment deployed: one TargetServer file bank-<id>.json each. */
    static final String BANK_TARGET_SERVERS = "targetservers/" + ENV;
    /**
     * The callout jar, as it sits in a bundle: psd2-hub-callouts-<version>.jar, or psd2-hub-callouts.jar
     * when the build strips the version (the Java policies' ResourceURL must name it either way).
     */
    static final String CALLOUT_JAR = "resources/java/psd2-hub-callouts(-[0-9][^/]*)?\\.jar";

    /** Time limit of one nested build. */
    static final Duration LIMIT = Duration.ofMinutes(6);

    private ProjectDeploy() {
    }

    /** {@code mvn -o -B deploy -P<env> -Dorg=… -Dbearer=… -Dapigee.hosturl=… <config off> <extra> [more]}. */
    static List<String> command(Path project, String hostUrl, List<String> more) throws IOException {
        List<String> args = new ArrayList<>(List.of("-o", "-B", "deploy", "-P" + PROFILE, "-Dorg=" + ORG,
                "-Dbearer=" + BEARER, "-Dapigee.hosturl=" + hostUrl));
        args.addAll(CONFIG_STEP_OFF);
        args.addAll(EXTRA_ARGS);
        args.addAll(more);
        if (!more.contains("-pl") && Files.readString(project.resolve("pom.xml"))
                .contains("<module>" + THIS_MODULE + "</module>")) {
            args.add("-pl");
            args.add("!" + THIS_MODULE);
        }
        return args;
    }

    /** The shared flows the project has: every {@code sharedflows/<name>} with a sharedflowbundle. */
    static Set<String> sharedFlowsIn(Path project) throws IOException {
        Path dir = project.resolve(SHARED_FLOWS_DIR);
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(d -> Files.isDirectory(d.resolve("sharedflowbundle")))
                    .map(d -> d.getFileName().toString())
                    .collect(Collectors.toCollection(java.util.TreeSet::new));
        }
    }
}
