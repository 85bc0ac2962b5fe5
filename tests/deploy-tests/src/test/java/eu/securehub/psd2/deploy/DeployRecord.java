package eu.securehub.psd2.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.deploy.ApigeeManagementDouble.ApiType;
import eu.securehub.psd2.deploy.ApigeeManagementDouble.Call;
import eu.securehub.psd2.deploy.ApigeeManagementDouble.Kind;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a nested deploy sent to the double, with the checks every deploy must pass: each bundle imported
 * once, the revision the import answered deployed with override=true and polled until READY; every
 * call with the bearer token; no call the double does not know; shared flows before the proxy; a bundle
 * imported only after every shared flow its FlowCallouts name was deployed.
 */
final class DeployRecord {

    private final List<Call> calls;
    private final String describe;

    DeployRecord(List<Call> calls) {
        this.calls = calls;
        this.describe = "calls received:\n" + calls.stream().map(Call::toString).collect(Collectors.joining("\n"));
    }

    List<Call> calls() {
        return calls;
    }

    String describe() {
        return describe;
    }

    List<Call> of(Kind kind) {
        return calls.stream().filter(c -> c.kind() == kind).collect(Collectors.toList());
    }

    /** Names imported, in order, per type. */
    List<String> imported(ApiType type) {
        return of(Kind.IMPORT).stream().filter(c -> c.type() == type).map(Call::name).collect(Collectors.toList());
    }

    /** The one successful import of {@code name}. */
    Call importOf(ApiType type, String name) {
        List<Call> imports = of(Kind.IMPORT).stream()
                .filter(c -> c.type() == type && c.name().equals(name)).collect(Collectors.toList());
        assertThat(imports).as("imports of %s %s; %s", type, name, describe).hasSize(1);
        assertThat(imports.get(0).succeeded()).as("import of %s answered 2xx; %s", name, describe).isTrue();
        return imports.get(0);
    }

    /** The deployment POST of {@code name}. */
    Call deployOf(ApiType type, String name) {
        List<Call> deploys = of(Kind.DEPLOY).stream()
                .filter(c -> c.type() == type && c.name().equals(name)).collect(Collectors.toList());
        assertThat(deploys).as("deployment requests of %s %s; %s", type, name, describe).hasSize(1);
        return deploys.get(0);
    }

    /** The first status answer READY of {@code name}, if any. */
    Optional<Call> readyOf(ApiType type, String name) {
        return of(Kind.DEPLOYMENT_STATUS).stream()
                .filter(c -> c.type() == type && c.name().equals(name) && c.succeeded()
                        && c.response().contains("\"state\":\"READY\""))
                .findFirst();
    }

    /** Checks that hold for every deploy, successful or not. */
    void assertEveryCallAuthenticatedAndKnown(String org, String bearer) {
        assertThat(calls).as("calls to the management API").isNotEmpty();
        assertThat(of(Kind.UNKNOWN)).as("calls the double does not know (answered 404); %s", describe).isEmpty();
        assertThat(calls).as(describe).allSatisfy(c -> {
            assertThat(c.header("Authorization")).as("Authorization of %s", c).contains("Bearer " + bearer);
            assertThat(c.header("X-Goog-Api-Format-Version")).as("x-goog-api-format-version of %s", c).contains("2");
            assertThat(c.org()).as("organization of %s", c).isEqualTo(org);
        });
    }

    /**
     * {@code name} was imported once, then the revision that import answered was deployed to {@code env}
     * with override=true in a form body, and its status polled until READY.
     */
    void assertDeployed(ApiType type, String name, String env) {
        Call imp = importOf(type, name);
        assertThat(imp.zip()).as("zip part of the import of %s", name).isNotNull();
        Call deploy = deployOf(type, name);
        assertThat(deploy.seq()).as("%s deployed after its import; %s", name, describe).isGreaterThan(imp.seq());
        assertThat(deploy.env()).as("environment %s was deployed to", name).isEqualTo(env);
        assertThat(deploy.revision()).as("revision of %s deployed = the one its import answered", name)
                .isEqualTo(imp.revision());
        assertThat(deploy.header("Content-Type")).as("content type of the deployment of %s", name)
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/x-www-form-urlencoded"));
        assertThat(deploy.form()).as("form body of the deployment of %s", name).containsEntry("override", "true");
        assertThat(deploy.query()).as("query of the deployment of %s (override goes in the body)", name)
                .satisfiesAnyOf(q -> assertThat(q).isNull(), q -> assertThat(q).doesNotContain("override"));
        assertThat(deploy.succeeded()).as("deployment of %s answered 2xx", name).isTrue();
        Call ready = readyOf(type, name).orElseThrow(() ->
                new AssertionError("no READY status of " + name + "; " + describe));
        assertThat(ready.revision()).as("revision whose status was READY for %s", name).isEqualTo(imp.revision());
        assertThat(ready.env()).isEqualTo(env);
        assertThat(ready.seq()).isGreaterThan(deploy.seq());
    }

    /** Every shared flow was READY before the proxy's import started. */
    void assertSharedFlowsBeforeProxy(List<String> sharedFlows, String proxy) {
        Call proxyImport = importOf(ApiType.PROXY, proxy);
        for (String sf : sharedFlows) {
            Call ready = readyOf(ApiType.SHARED_FLOW, sf).orElseThrow(() ->
                    new AssertionError("shared flow " + sf + " never READY; " + describe));
            assertThat(importOf(ApiType.SHARED_FLOW, sf).seq()).as("%s imported before %s; %s", sf, proxy, describe)
                    .isLessThan(proxyImport.seq());
            assertThat(ready.seq()).as("%s deployed (READY) before %s was imported; %s", sf, proxy, describe)
                    .isLessThan(proxyImport.seq());
        }
    }

    /** Every bundle was imported only after every shared flow its FlowCallouts call was READY. */
    void assertCalledSharedFlowsDeployedFirst() {
        for (Call imp : of(Kind.IMPORT)) {
            if (!imp.succeeded()) {
                continue;
            }
            for (String target : BundleZip.of(imp.zip().content()).flowCalloutTargets()) {
                Call ready = readyOf(ApiType.SHARED_FLOW, target).orElseThrow(() -> new AssertionError(
                        imp.name() + " calls shared flow " + target + ", never deployed; " + describe));
                assertThat(ready.seq()).as("%s (called by %s) READY before %s was imported; %s",
                        target, imp.name(), imp.name(), describe).isLessThan(imp.seq());
            }
        }
    }

    /** The zip of the one successful import of {@code name}. */
    BundleZip zipOf(ApiType type, String name) {
        return BundleZip.of(importOf(type, name).zip().content());
    }
}
