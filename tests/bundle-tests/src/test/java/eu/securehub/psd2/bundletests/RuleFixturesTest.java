package eu.securehub.psd2.bundletests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves each rule on a small fixture project ({@code src/test/resources/fixtures/hub}, bundles built into
 * {@code built/}): the fixture satisfies every rule, and each breaking change is reported by its rule, naming the
 * file, and by no other rule.
 */
class RuleFixturesTest {

  private static final String PROXY = "built/apiproxy/";
  private static final String ERRORS = "sharedflows/psd2-errors-v1/built/sharedflowbundle/";
  // Built at run time so that no key-like text is committed.
  private static final String PEM_KEY = "-----BEGIN " + "PRIVATE KEY-----\nMIIB\n-----END " + "PRIVATE KEY-----\n";
  private static final String HUB_TOKEN = "hub_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4";

  @TempDir
  Path tmp;

  @FunctionalInterface
  interface Change {
    void apply(Path root) throws IOException;
  }

  @Test
  void theFixtureSatisfiesEveryRule() {
    Map<String, List<String>> all = Rules.all(fixture(root -> {}));
    all.forEach((rule, violations) -> assertThat(violations).as(rule).isEmpty());
    assertThat(all).hasSize(14);
  }

  static Stream<Arguments> breakingChanges() {
    return Stream.of(
        // TargetServer config
        c("TargetServer not enforced", r -> replace(r, "targetservers/test/bank-sandbox-a.json",
            "\"enforce\": true", "\"enforce\": false"),
            "targetserver-tls", "targetservers/test/bank-sandbox-a.json", "sSLInfo.enforce is not true"),
        c("TargetServer TLS disabled", r -> replace(r, "targetservers/prod/bank-sandbox-a.json",
            "\"enabled\": true", "\"enabled\": \"false\""),
            "targetserver-tls", "targetservers/prod/bank-sandbox-a.json", "sSLInfo.enabled is not true"),
        c("TargetServer without client auth", r -> replace(r, "targetservers/test/bank-sandbox-a.json",
            "\"clientAuthEnabled\": true", "\"clientAuthEnabled\": false"),
            "targetserver-tls", "bank-sandbox-a.json", "sSLInfo.clientAuthEnabled is not true"),
        c("TargetServer keystore by name", r -> replace(r, "targetservers/test/bank-sandbox-a.json",
            "ref://psd2-qwac-keystore-ref", "psd2-qwac-keystore"),
            "targetserver-tls", "bank-sandbox-a.json", "keyStore is not a ref://"),
        c("TargetServer without truststore", r -> replace(r, "targetservers/test/bank-sandbox-a.json",
            "\"trustStore\": \"ref://psd2-bank-truststore-ref\",", ""),
            "targetserver-tls", "bank-sandbox-a.json", "trustStore is not a ref://… reference (missing)"),
        c("TargetServer without key alias", r -> replace(r, "targetservers/test/bank-sandbox-a.json",
            "\"keyAlias\": \"qwac\"", "\"keyAlias\": \"\""),
            "targetserver-tls", "bank-sandbox-a.json", "keyAlias is not set"),
        c("TargetServer allows TLS 1.1", r -> replace(r, "targetservers/test/bank-sandbox-a.json",
            "[\"TLSv1.2\", \"TLSv1.3\"]", "[\"TLSv1.1\", \"TLSv1.2\"]"),
            "targetserver-tls", "bank-sandbox-a.json", "allows TLSv1.1"),
        c("TargetServer without protocols", r -> replace(r, "targetservers/test/bank-sandbox-a.json",
            "\"protocols\": [\"TLSv1.2\", \"TLSv1.3\"]", "\"protocols\": []"),
            "targetserver-tls", "bank-sandbox-a.json", "protocols is missing"),
        c("TargetServer ignores validation errors", r -> replace(r, "targetservers/test/bank-sandbox-a.json",
            "\"ignoreValidationErrors\": false", "\"ignoreValidationErrors\": true"),
            "targetserver-tls", "bank-sandbox-a.json", "ignoreValidationErrors is true"),
        c("TargetServer without sSLInfo", r -> write(r, "targetservers/test/bank-plain.json",
            "{\"name\": \"bank-plain\", \"host\": \"plain.example\", \"port\": 443}"),
            "targetserver-tls", "targetservers/test/bank-plain.json", "has no sSLInfo"),
        c("TargetServer in edge.json envConfig", r -> write(r, "edge.json",
            "{\"envConfig\": {\"test\": {\"targetServers\": [{\"name\": \"bank-x\", \"sSLInfo\": {\"enabled\": true,"
                + " \"enforce\": true, \"clientAuthEnabled\": true, \"keyStore\": \"ref://k\", \"keyAlias\": \"qwac\","
                + " \"trustStore\": \"ref://t\", \"protocols\": [\"SSLv3\"]}}]}}}"),
            "targetserver-tls", "edge.json", "allows SSLv3"),
        // SSLInfo in bundle XML
        c("ServiceCallout SSLInfo not enforced", r -> replace(r, PROXY + "policies/SC-TokenEndpoint.xml",
            "<Enforce>true</Enforce>", "<Enforce>false</Enforce>"),
            "sslinfo", "SC-TokenEndpoint.xml", "<Enforce> is not true"),
        c("ServiceCallout SSLInfo TLS 1.0", r -> replace(r, PROXY + "policies/SC-TokenEndpoint.xml",
            "<Protocol>TLSv1.3</Protocol>", "<Protocol>TLSv1</Protocol>"),
            "sslinfo", "SC-TokenEndpoint.xml", "allows TLSv1 "),
        c("ServiceCallout truststore by name", r -> replace(r, PROXY + "policies/SC-TokenEndpoint.xml",
            "<TrustStore>ref://psd2-bank-truststore-ref</TrustStore>", "<TrustStore>psd2-bank-truststore</TrustStore>"),
            "sslinfo", "SC-TokenEndpoint.xml", "<TrustStore> is not a ref://"),
        c("ServiceCallout without key alias", r -> replace(r, PROXY + "policies/SC-TokenEndpoint.xml",
            "<KeyAlias>qwac</KeyAlias>", ""),
            "sslinfo", "SC-TokenEndpoint.xml", "<KeyAlias> is not set"),
        c("ServiceCallout ignores validation errors", r -> replace(r, PROXY + "policies/SC-TokenEndpoint.xml",
            "<ClientAuthEnabled>true</ClientAuthEnabled>",
            "<ClientAuthEnabled>true</ClientAuthEnabled><IgnoreValidationErrors>true</IgnoreValidationErrors>"),
            "sslinfo", "SC-TokenEndpoint.xml", "<IgnoreValidationErrors> is true"),
        // targets
        c("target calls a URL without TLS settings", r -> replace(r, PROXY + "targets/bank-sandbox-a.xml",
            "<LoadBalancer>\n      <Server name=\"bank-sandbox-a\"/>\n    </LoadBalancer>\n    <Path>/v1</Path>",
            "<URL>https://bank.example/v1</URL>"),
            "target-connection", "targets/bank-sandbox-a.xml", "calls a URL without SSLInfo"),
        c("target names a TargetServer missing in an environment", r -> Files.delete(
            r.resolve("targetservers/prod/bank-sandbox-a.json")),
            "target-connection", "targets/bank-sandbox-a.xml", "not defined in targetservers/prod/"),
        // conditions, quotas
        c("single-quoted condition", r -> replace(r, PROXY + "proxies/default.xml",
            "(request.verb = \"GET\")", "(request.verb = 'GET')"),
            "condition-quotes", "proxies/default.xml", "single quote"),
        c("single-quoted condition in a shared flow", r -> replace(r, ERRORS + "sharedflows/default.xml",
            "<Name>AM-Problem</Name>", "<Name>AM-Problem</Name><Condition>a = 'b'</Condition>"),
            "condition-quotes", "sharedflows/default.xml", "single quote"),
        c("quota not distributed", r -> replace(r, PROXY + "policies/Q-UnattendedBudget.xml",
            "<Distributed>true</Distributed>", "<Distributed>false</Distributed>"),
            "quota-distributed", "Q-UnattendedBudget.xml", "lacks <Distributed>true</Distributed>"),
        c("quota without Distributed", r -> replace(r, PROXY + "policies/Q-UnattendedBudget.xml",
            "<Distributed>true</Distributed>", ""),
            "quota-distributed", "Q-UnattendedBudget.xml", "lacks <Distributed>true</Distributed>"),
        // attachment
        c("policy not attached", r -> write(r, PROXY + "policies/AM-Orphan.xml",
            "<AssignMessage name=\"AM-Orphan\"><DisplayName>AM-Orphan</DisplayName></AssignMessage>"),
            "policy-attached", "policies/AM-Orphan.xml", "AM-Orphan is not attached"),
        c("shared flow policy not attached", r -> write(r, ERRORS + "policies/AM-Orphan.xml",
            "<AssignMessage name=\"AM-Orphan\"><DisplayName>AM-Orphan</DisplayName></AssignMessage>"),
            "policy-attached", ERRORS + "policies/AM-Orphan.xml", "not attached as a Step in psd2-errors-v1"),
        c("step names no policy", r -> replace(r, PROXY + "proxies/default.xml",
            "<Name>SC-TokenEndpoint</Name>", "<Name>SC-TokenEndpoint</Name></Step><Step><Name>AM-Missing</Name>"),
            "step-policy-exists", "proxies/default.xml", "Step AM-Missing names no policy"),
        // fault handling
        c("proxy DefaultFaultRule not always enforced", r -> replace(r, PROXY + "proxies/default.xml",
            "<AlwaysEnforce>true</AlwaysEnforce>", "<AlwaysEnforce>false</AlwaysEnforce>"),
            "default-fault-rule", "proxies/default.xml", "lacks <AlwaysEnforce>true</AlwaysEnforce>"),
        c("target DefaultFaultRule without the errors flow", r -> replace(r, PROXY + "targets/bank-sandbox-a.xml",
            "<Name>FC-Errors</Name>", "<Name>AM-RetryAfter</Name>"),
            "default-fault-rule", "targets/bank-sandbox-a.xml", "no Step with a FlowCallout to psd2-errors-v1"),
        c("target without DefaultFaultRule", r -> replace(r, PROXY + "targets/bank-sandbox-a.xml",
            "<DefaultFaultRule name=\"problem\">\n    <AlwaysEnforce>true</AlwaysEnforce>\n    <Step>\n"
                + "      <Name>FC-Errors</Name>\n    </Step>\n  </DefaultFaultRule>", ""),
            "default-fault-rule", "targets/bank-sandbox-a.xml", "has 0 DefaultFaultRule elements"),
        c("conditional DefaultFaultRule", r -> replace(r, PROXY + "proxies/default.xml",
            "<AlwaysEnforce>true</AlwaysEnforce>",
            "<AlwaysEnforce>true</AlwaysEnforce><Condition>fault.name != \"RaiseFault\"</Condition>"),
            "default-fault-rule", "proxies/default.xml", "DefaultFaultRule has a Condition"),
        c("RaiseFault in a FaultRule", r -> replace(r, PROXY + "proxies/default.xml",
            "<Name>AM-RetryAfter</Name>", "<Name>AM-RetryAfter</Name></Step><Step><Name>RF-UnknownBank</Name>"),
            "no-raisefault-in-fault-handling", "proxies/default.xml", "RaiseFault RF-UnknownBank used in a FaultRule"),
        c("RaiseFault in the DefaultFaultRule", r -> replace(r, PROXY + "targets/bank-sandbox-a.xml",
            "<Name>FC-Errors</Name>", "<Name>RF-UnknownBank</Name></Step><Step><Name>FC-Errors</Name>"),
            "no-raisefault-in-fault-handling", "targets/bank-sandbox-a.xml", "used in a DefaultFaultRule"),
        c("RaiseFault in the errors shared flow", r -> {
          write(r, ERRORS + "policies/RF-Stop.xml", "<RaiseFault name=\"RF-Stop\"><DisplayName>RF-Stop</DisplayName></RaiseFault>");
          replace(r, ERRORS + "sharedflows/default.xml", "<Name>AM-Problem</Name>", "<Name>AM-Problem</Name></Step><Step><Name>RF-Stop</Name>");
        }, "no-raisefault-in-fault-handling", ERRORS.replaceAll("/$", ""), "errors shared flow contains RaiseFault RF-Stop"),
        c("FaultRule calls a shared flow that raises a fault", r -> {
          String sf = "sharedflows/psd2-other-v1/built/sharedflowbundle/";
          write(r, sf + "psd2-other-v1.xml", "<SharedFlowBundle name=\"psd2-other-v1\"/>");
          write(r, sf + "sharedflows/default.xml", "<SharedFlow name=\"default\"><Step><Name>RF-Stop</Name></Step></SharedFlow>");
          write(r, sf + "policies/RF-Stop.xml", "<RaiseFault name=\"RF-Stop\"><DisplayName>RF-Stop</DisplayName></RaiseFault>");
          write(r, PROXY + "policies/FC-Other.xml",
              "<FlowCallout name=\"FC-Other\"><DisplayName>FC-Other</DisplayName><SharedFlowBundle>psd2-other-v1</SharedFlowBundle></FlowCallout>");
          replace(r, PROXY + "proxies/default.xml", "<Name>AM-RetryAfter</Name>", "<Name>AM-RetryAfter</Name></Step><Step><Name>FC-Other</Name>");
        }, "no-raisefault-in-fault-handling", "proxies/default.xml", "FaultRule calls shared flow psd2-other-v1 which runs RaiseFault RF-Stop"),
        c("FaultRule calls a shared flow whose RaiseFault is guarded by the phase it passes", r -> {
          String sf = "sharedflows/psd2-other-v1/built/sharedflowbundle/";
          write(r, sf + "psd2-other-v1.xml", "<SharedFlowBundle name=\"psd2-other-v1\"/>");
          write(r, sf + "sharedflows/default.xml", "<SharedFlow name=\"default\"><Step><Name>RF-Stop</Name>"
              + "<Condition>(other.phase = \"after\") and (x = \"1\")</Condition></Step></SharedFlow>");
          write(r, sf + "policies/RF-Stop.xml", "<RaiseFault name=\"RF-Stop\"><DisplayName>RF-Stop</DisplayName></RaiseFault>");
          write(r, PROXY + "policies/FC-Other.xml", "<FlowCallout name=\"FC-Other\"><DisplayName>FC-Other</DisplayName>"
              + "<SharedFlowBundle>psd2-other-v1</SharedFlowBundle><Parameters><Parameter name=\"other.phase\">after"
              + "</Parameter></Parameters></FlowCallout>");
          replace(r, PROXY + "proxies/default.xml", "<Name>AM-RetryAfter</Name>", "<Name>AM-RetryAfter</Name></Step><Step><Name>FC-Other</Name>");
        }, "no-raisefault-in-fault-handling", "proxies/default.xml", "FaultRule calls shared flow psd2-other-v1 which runs RaiseFault RF-Stop"),
        c("FlowCallout to a missing shared flow", r -> replace(r, PROXY + "policies/FC-Errors.xml",
            "<SharedFlowBundle>psd2-errors-v1</SharedFlowBundle>", "<SharedFlowBundle>psd2-errors-v2</SharedFlowBundle>"),
            "flowcallout-target", "policies/FC-Errors.xml", "names shared flow 'psd2-errors-v2'",
            "default-fault-rule"),
        // naming
        c("name differs from the file name", r -> replace(r, PROXY + "policies/AM-RetryAfter.xml",
            "<AssignMessage name=\"AM-RetryAfter\">\n  <DisplayName>AM-RetryAfter</DisplayName>",
            "<AssignMessage name=\"AM-RetryLater\">\n  <DisplayName>AM-RetryLater</DisplayName>"),
            "policy-naming", "policies/AM-RetryAfter.xml", "differs from the file name AM-RetryAfter",
            "policy-attached", "step-policy-exists"),
        c("DisplayName differs", r -> replace(r, PROXY + "policies/VA-VerifyCrmKey.xml",
            "<DisplayName>VA-VerifyCrmKey</DisplayName>", "<DisplayName>Verify CRM key</DisplayName>"),
            "policy-naming", "policies/VA-VerifyCrmKey.xml", "differs from its DisplayName 'Verify CRM key'"),
        c("prefix of another type", r -> {
          write(r, ERRORS + "policies/JC-Problem.xml",
              "<JavaCallout name=\"JC-Problem\"><DisplayName>JC-Problem</DisplayName></JavaCallout>");
          replace(r, ERRORS + "sharedflows/default.xml", "<Name>AM-Problem</Name>", "<Name>AM-Problem</Name></Step><Step><Name>JC-Problem</Name>");
        }, "policy-naming", "policies/JC-Problem.xml", "does not start with one of [Java]", "java-callout-config"),
        c("policy type without a prefix", r -> {
          write(r, ERRORS + "policies/XX-Thing.xml", "<StatisticsCollector name=\"XX-Thing\"><DisplayName>XX-Thing</DisplayName></StatisticsCollector>");
          replace(r, ERRORS + "sharedflows/default.xml", "<Name>AM-Problem</Name>", "<Name>AM-Problem</Name></Step><Step><Name>XX-Thing</Name>");
        }, "policy-naming", "policies/XX-Thing.xml", "StatisticsCollector has no allowed prefix"),
        // secrets
        c("private key in a KVM file", r -> replace(r, "kvms/test/psd2-hub-banks.json",
            "\"entry\": [", "\"entry\": [{\"name\": \"k\", \"value\": \"" + PEM_KEY.replace("\n", "\\n") + "\"},"),
            "no-secrets", "kvms/test/psd2-hub-banks.json", "contains a PEM private key"),
        c("private key in a bundle resource", r -> write(r, PROXY + "resources/properties/keys.properties",
            "key=" + PEM_KEY.replace("\n", "\\n")),
            "no-secrets", "resources/properties/keys.properties", "contains a PEM private key"),
        c("hub token in a policy", r -> replace(r, PROXY + "policies/AM-RetryAfter.xml",
            "{hub.retry_after}", HUB_TOKEN),
            "no-secrets", "policies/AM-RetryAfter.xml", "contains a hub token"),
        c("key store file in the config", r -> write(r, "keystores/test/qwac.p12", "not really a key store"),
            "no-secrets", "keystores/test/qwac.p12", "key store file"),
        // OASValidation
        c("OASValidation names a missing spec", r -> replace(r, PROXY + "policies/OAS-ValidateRequest.xml",
            "oas://psd2-hub-v1.yaml", "oas://psd2-hub-v2.yaml"),
            "oas-resource", "policies/OAS-ValidateRequest.xml", "resources/oas/psd2-hub-v2.yaml does not exist"),
        c("OASValidation with a malformed resource URL", r -> replace(r, PROXY + "policies/OAS-ValidateRequest.xml",
            "oas://psd2-hub-v1.yaml", "psd2-hub-v1.yaml"),
            "oas-resource", "policies/OAS-ValidateRequest.xml", "is not oas://<file>"),
        // JavaCallout: jar, class and properties (the callouts jar is copied in from this module's class path)
        c("JavaCallout with a misspelt property", r -> javaCallout(r, PROXY, JAVA_PROBLEM.replace(
            "name=\"error-code\"", "name=\"error-kode\"")),
            "java-callout-config", PROXY + "policies/Java-Problem.xml",
            "IllegalArgumentException: unknown property error-kode for Problem; accepted: bank-body, bank-status,"),
        c("JavaCallout in a shared flow with an unknown property", r -> javaCallout(r, ERRORS, JAVA_PROBLEM.replace(
            "</Properties>", "<Property name=\"keyring\">{private.keyring}</Property></Properties>")),
            "java-callout-config", ERRORS + "policies/Java-Problem.xml", "unknown property keyring for Problem"),
        c("JavaCallout names a class the jar does not hold", r -> javaCallout(r, PROXY, JAVA_PROBLEM.replace(
            "callouts.Problem<", "callouts.Problems<")),
            "java-callout-config", "policies/Java-Problem.xml",
            "names class eu.securehub.psd2.callouts.Problems but " + PROXY + "resources/java/psd2-hub-callouts.jar holds no"),
        c("JavaCallout names a class that is not a callout", r -> javaCallout(r, PROXY, JAVA_PROBLEM.replace(
            "callouts.Problem<", "callouts.Urls<")),
            "java-callout-config", "policies/Java-Problem.xml", "it is not a com.apigee.flow.execution.spi.Execution"),
        c("JavaCallout names a missing jar", r -> javaCallout(r, PROXY, JAVA_PROBLEM.replace(
            "java://psd2-hub-callouts.jar", "java://psd2-hub-callout.jar")),
            "java-callout-config", "policies/Java-Problem.xml",
            "names java://psd2-hub-callout.jar but " + PROXY + "resources/java/psd2-hub-callout.jar does not exist"),
        c("JavaCallout whose bundle ships no jar", r -> {
          javaCallout(r, PROXY, JAVA_PROBLEM);
          Files.delete(r.resolve(PROXY + "resources/java/psd2-hub-callouts.jar"));
        }, "java-callout-config", "policies/Java-Problem.xml", "resources/java/psd2-hub-callouts.jar does not exist"),
        c("JavaCallout with a malformed resource URL", r -> javaCallout(r, PROXY, JAVA_PROBLEM.replace(
            "java://psd2-hub-callouts.jar", "psd2-hub-callouts.jar")),
            "java-callout-config", "policies/Java-Problem.xml", "ResourceURL 'psd2-hub-callouts.jar' is not java://"),
        c("JavaCallout without a class name", r -> javaCallout(r, PROXY, JAVA_PROBLEM.replace(
            "<ClassName>eu.securehub.psd2.callouts.Problem</ClassName>", "")),
            "java-callout-config", "policies/Java-Problem.xml", "has no ClassName"),
        c("JavaCallout sets a property twice", r -> javaCallout(r, PROXY, JAVA_PROBLEM.replace(
            "</Properties>", "<Property name=\"error-code\">x</Property></Properties>")),
            "java-callout-config", "policies/Java-Problem.xml", "sets Property error-code twice"));
  }

  @Test
  void wellConfiguredJavaCalloutsSatisfyEveryRule() {
    Map<String, List<String>> all = Rules.all(fixture(r -> {
      javaCallout(r, PROXY, JAVA_PROBLEM);
      javaCallout(r, ERRORS, JAVA_PROBLEM);
    }));
    all.forEach((rule, violations) -> assertThat(violations).as(rule).isEmpty());
  }

  @Test
  void theJavaCalloutRuleRunsTheBundlesJarNotTheClassPath() {
    // A jar whose Problem is another class: were it loaded from this module's class path, the rule would pass.
    Map<String, List<String>> all = Rules.all(fixture(r -> {
      javaCallout(r, PROXY, JAVA_PROBLEM);
      Path jar = r.resolve(PROXY + "resources/java/psd2-hub-callouts.jar");
      try (var out = new ZipOutputStream(Files.newOutputStream(jar))) {
        out.putNextEntry(new ZipEntry("eu/securehub/psd2/callouts/Problem.class"));
        out.write(new byte[] {1, 2, 3});
        out.closeEntry();
      }
    }));
    assertThat(all.get("java-callout-config")).singleElement().asString()
        .contains("policies/Java-Problem.xml", "ClassFormatError");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("breakingChanges")
  void eachBreakingChangeIsReportedByItsRule(String title, Change change, String rule, String file, String expected,
      Set<String> alsoFiring) {
    Map<String, List<String>> all = Rules.all(fixture(change));

    assertThat(all.get(rule)).as("violations of %s", rule)
        .isNotEmpty()
        .allSatisfy(v -> assertThat(v).contains("[" + rule + "]"))
        .anySatisfy(v -> assertThat(v).contains(file).contains(expected));
    all.forEach((other, violations) -> {
      if (!other.equals(rule) && !alsoFiring.contains(other)) {
        assertThat(violations).as("%s should not fire for: %s", other, title).isEmpty();
      }
    });
  }

  @Test
  void anUnbuiltProxySaysHowToBuildIt() throws IOException {
    Path root = copyFixture();
    deleteTree(root.resolve("built/apiproxy"));

    assertThatThrownBy(() -> Hub.built(root, "built"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the proxy bundle is not built: built/apiproxy does not exist")
        .hasMessageContaining("mvn -q package");
  }

  @Test
  void anUnbuiltSharedFlowSaysHowToBuildIt() throws IOException {
    Path root = copyFixture();
    write(root, "sharedflows/psd2-new-v1/pom.xml", "<project/>");

    assertThatThrownBy(() -> Hub.built(root, "built"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the shared flow bundle is not built: sharedflows/psd2-new-v1/built/sharedflowbundle");
  }

  @Test
  void aStaleBuildIsRefused() throws IOException {
    Path root = copyFixture();
    write(root, "apiproxy/policies/AM-New.xml", "<AssignMessage name=\"AM-New\"/>");

    assertThatThrownBy(() -> Hub.built(root, "built"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("stale build: apiproxy/policies/AM-New.xml is missing from built/apiproxy");
  }

  @Test
  void theRealProjectRootIsFound() {
    Path root = Hub.locateRoot();
    assertThat(root.resolve("shared-pom.xml")).isRegularFile();
    assertThat(root.resolve("tests/bundle-tests/pom.xml")).isRegularFile();
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** A valid JavaCallout of the errors shared flow's kind; the cases above break one thing in it. */
  private static final String JAVA_PROBLEM = """
      <JavaCallout name="Java-Problem">
        <DisplayName>Java-Problem</DisplayName>
        <ClassName>eu.securehub.psd2.callouts.Problem</ClassName>
        <ResourceURL>java://psd2-hub-callouts.jar</ResourceURL>
        <Properties>
          <Property name="error-code">{hub.error_code}</Property>
          <Property name="fault-name">{fault.name}</Property>
          <Property name="bank-status">{response.status.code}</Property>
        </Properties>
      </JavaCallout>
      """;

  /**
   * Adds the JavaCallout policy Java-Problem to a built bundle (proxy or errors shared flow), attached as a step,
   * with the callouts jar of this module's test class path in its resources/java.
   */
  static void javaCallout(Path root, String bundle, String policy) throws IOException {
    write(root, bundle + "policies/Java-Problem.xml", policy);
    if (bundle.equals(PROXY)) {
      replace(root, bundle + "proxies/default.xml", "<Name>SC-TokenEndpoint</Name>",
          "<Name>SC-TokenEndpoint</Name></Step><Step><Name>Java-Problem</Name>");
    } else {
      replace(root, bundle + "sharedflows/default.xml", "<Name>AM-Problem</Name>",
          "<Name>AM-Problem</Name></Step><Step><Name>Java-Problem</Name>");
    }
    Path jar = root.resolve(bundle + "resources/java/psd2-hub-callouts.jar");
    Files.createDirectories(jar.getParent());
    Files.copy(calloutsJar(), jar);
  }

  /** The psd2-hub-callouts jar on the test class path (a folder of classes, as an IDE may give, is jarred here). */
  private static Path calloutsJar() throws IOException {
    Path p;
    try {
      p = Paths.get(eu.securehub.psd2.callouts.Problem.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    if (Files.isRegularFile(p)) {
      return p;
    }
    Path jar = Files.createTempFile("psd2-hub-callouts", ".jar");
    jar.toFile().deleteOnExit();
    try (var out = new ZipOutputStream(Files.newOutputStream(jar)); Stream<Path> s = Files.walk(p)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new ZipEntry(p.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  /** A breaking change, the rule that must report it (naming file and text), and other rules it may trip. */
  private static Arguments c(String title, Change change, String rule, String file, String expected,
      String... alsoFiring) {
    return Arguments.of(title, change, rule, file, expected, Set.of(alsoFiring));
  }

  private Hub fixture(Change change) {
    try {
      Path root = copyFixture();
      change.apply(root);
      return Hub.built(root, "built");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path copyFixture() throws IOException {
    Path src;
    try {
      src = Paths.get(RuleFixturesTest.class.getResource("/fixtures/hub").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Path dst = Files.createTempDirectory(tmp, "hub");
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : s.toList()) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return dst;
  }

  static void replace(Path root, String file, String from, String to) throws IOException {
    Path f = root.resolve(file);
    String s = Files.readString(f, StandardCharsets.UTF_8);
    if (!s.contains(from)) {
      throw new AssertionError("fixture drift: " + file + " does not contain " + from);
    }
    Files.writeString(f, s.replace(from, to), StandardCharsets.UTF_8);
  }

  static void write(Path root, String file, String content) throws IOException {
    Path f = root.resolve(file);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content, StandardCharsets.UTF_8);
  }

  private static void deleteTree(Path d) throws IOException {
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
