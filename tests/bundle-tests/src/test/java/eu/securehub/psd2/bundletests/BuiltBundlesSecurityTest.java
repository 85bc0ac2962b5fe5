package eu.securehub.psd2.bundletests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link Rules} over the project's own built bundles ({@code target/apiproxy},
 * {@code sharedflows/*}{@code /target/sharedflowbundle}) and config folders. Fails with a build hint when the
 * bundles are not built.
 */
class BuiltBundlesSecurityTest {

  private static Hub hub;

  @BeforeAll
  static void locate() {
    hub = Hub.built(Hub.locateRoot());
  }

  private static void holds(List<String> violations) {
    assertThat(violations).as("violations:\n" + String.join("\n", violations)).isEmpty();
  }

  @Test
  void everyTargetServerUsesMutualTlsByReference() {
    holds(Rules.targetServerTls(hub));
  }

  @Test
  void everySslInfoIsMutualTlsByReference() {
    holds(Rules.sslInfo(hub));
  }

  @Test
  void everyTargetGoesThroughConfiguredTargetServers() {
    holds(Rules.targetConnection(hub));
  }

  @Test
  void noConditionUsesSingleQuotes() {
    holds(Rules.conditionQuotes(hub));
  }

  @Test
  void everyQuotaIsDistributed() {
    holds(Rules.quotaDistributed(hub));
  }

  @Test
  void everyPolicyIsAttached() {
    holds(Rules.policyAttached(hub));
  }

  @Test
  void everyStepNamesAPolicy() {
    holds(Rules.stepPolicyExists(hub));
  }

  @Test
  void everyEndpointEndsFaultsInTheErrorsSharedFlow() {
    holds(Rules.defaultFaultRule(hub));
  }

  @Test
  void noFaultPathBypassesTheDefaultFaultRule() {
    holds(Rules.noRaiseFaultInFaultHandling(hub));
  }

  @Test
  void everyFlowCalloutNamesABuiltSharedFlow() {
    holds(Rules.flowCalloutTarget(hub));
  }

  @Test
  void policiesAreNamedByConvention() {
    holds(Rules.policyNaming(hub));
  }

  @Test
  void noPrivateKeyOrHubTokenInBundlesOrConfig() {
    holds(Rules.noSecrets(hub));
  }

  @Test
  void everyOasValidationNamesAnExistingSpec() {
    holds(Rules.oasResources(hub.bundles()));
  }

  @Test
  void everyJavaCalloutLoadsFromItsBundleWithItsProperties() {
    holds(Rules.javaCalloutConfig(hub));
  }

  @Test
  void theErrorsSharedFlowIsBuilt() {
    assertThat(hub.sharedFlow(Rules.ERRORS_FLOW))
        .as("shared flow %s among %s", Rules.ERRORS_FLOW, hub.sharedFlows().stream().map(Bundle::name).toList())
        .isPresent();
  }
}
