package eu.securehub.psd2.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Violations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BerlinGroupContractTest {

  private static final Map<String, List<String>> JSON = Map.of("Content-Type", List.of("application/json"));

  @Test
  void locatesThePublishedFileFromTheProjectRoot() {
    assertThat(BerlinGroupContract.locateSpec()).endsWith(java.nio.file.Path.of("shared", "berlin-group",
        BerlinGroupContract.SPEC_FILE));
    assertThat(BerlinGroupContract.projectRoot().resolve("shared-pom.xml")).exists();
  }

  @Test
  void failsClearlyWhenTheFileIsMissing() {
    String old = System.getProperty(BerlinGroupContract.SPEC_PROPERTY);
    System.setProperty(BerlinGroupContract.SPEC_PROPERTY, "/nonexistent/psd2.yaml");
    try {
      assertThatThrownBy(BerlinGroupContract::locateSpec).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("/nonexistent/psd2.yaml");
    } finally {
      if (old == null) {
        System.clearProperty(BerlinGroupContract.SPEC_PROPERTY);
      } else {
        System.setProperty(BerlinGroupContract.SPEC_PROPERTY, old);
      }
    }
  }

  @Test
  void validatesBothSides() {
    BerlinGroupContract contract = TestSupport.contract();
    String id = UUID.randomUUID().toString();
    Map<String, List<String>> request = Map.of("X-Request-ID", List.of(id), "Consent-ID", List.of("c1"));
    byte[] ok = "{\"consentStatus\":\"valid\"}".getBytes(StandardCharsets.UTF_8);
    Map<String, List<String>> response = Map.of("X-Request-ID", List.of(id), "Content-Type",
        List.of("application/json"));
    Violations clean = contract.validate(new Exchange("GET", "/v1/consents/c1/status", Map.of(), request, null, 200,
        response, ok));
    assertThat(clean.isEmpty()).as(clean.toString()).isTrue();

    Violations noRequestId = contract.validate(new Exchange("GET", "/v1/consents/c1/status", Map.of(), Map.of(),
        null, 200, JSON, "{\"consentStatus\":\"bogus\"}".getBytes(StandardCharsets.UTF_8)));
    assertThat(noRequestId.request()).anySatisfy(m -> assertThat(m).contains("X-Request-ID"));
    assertThat(noRequestId.response()).anySatisfy(m -> assertThat(m).contains("X-Request-ID"));
    assertThat(noRequestId.response()).anySatisfy(m -> assertThat(m).contains("bogus"));

    Violations noConsentId = contract.validate(new Exchange("GET", "/v1/accounts", Map.of(),
        Map.of("X-Request-ID", List.of(id)), null, 200, response, "{\"accounts\":[]}".getBytes(StandardCharsets.UTF_8)));
    assertThat(noConsentId.request()).anySatisfy(m -> assertThat(m).contains("Consent-ID"));
    assertThat(noConsentId.response()).isEmpty();
  }
}
