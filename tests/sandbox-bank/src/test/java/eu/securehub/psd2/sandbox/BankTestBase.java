package eu.securehub.psd2.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.sandbox.BerlinGroupContract.Violations;
import eu.securehub.psd2.testpki.TestPki;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * Starts banks on 127.0.0.1:0 with contract validation; after each test, every /v1 exchange must conform to the
 * Berlin Group OpenAPI file: responses always, requests unless the test declared the violation it provokes.
 */
abstract class BankTestBase {

  private final List<SandboxBank> banks = new ArrayList<>();
  private final List<String> expectedRequestViolations = new ArrayList<>();
  private final List<String> expectedResponseViolations = new ArrayList<>();

  static TestPki pki() {
    return TestSupport.pki();
  }

  SandboxBank start(String bankId) throws Exception {
    return start(bankId, UnaryOperator.identity());
  }

  SandboxBank start(String bankId, UnaryOperator<SandboxBank.Builder> customise) throws Exception {
    return start(bankId, List.of(pki().rootCa()), customise);
  }

  /** A bank trusting these TPP roots (QWACs and QSEALs). */
  SandboxBank start(String bankId, List<X509Certificate> tppTrustAnchors, UnaryOperator<SandboxBank.Builder> customise)
      throws Exception {
    SandboxBank.Builder b = SandboxBank.Config.builder(bankId, pki().bankServer(bankId), tppTrustAnchors)
        .expiredServerCredential(pki().bankServerExpired(bankId))
        .contract(TestSupport.contract());
    SandboxBank bank = SandboxBank.start(customise.apply(b).build());
    banks.add(bank);
    return bank;
  }

  Tpp tpp(SandboxBank bank) {
    return new Tpp(bank, pki().qwac(), pki().bankCa(bank.bankId()));
  }

  /** The test sends a request that breaks the contract on purpose; the violation message contains this. */
  void expectRequestViolation(String fragment) {
    expectedRequestViolations.add(fragment);
  }

  /** The test provokes a response outside the contract on purpose (fault injection with a body). */
  void expectResponseViolation(String fragment) {
    expectedResponseViolations.add(fragment);
  }

  @AfterEach
  void contractAndClose() {
    try {
      for (SandboxBank bank : banks) {
        assertThat(bank.exchanges()).as("recorded exchanges").isNotNull();
        for (Violations v : bank.violations()) {
          for (String m : v.request()) {
            assertThat(expectedRequestViolations).as("unexpected request violation: " + v)
                .anySatisfy(f -> assertThat(m).contains(f));
          }
          for (String m : v.response()) {
            assertThat(expectedResponseViolations).as("response violation: " + v)
                .anySatisfy(f -> assertThat(m).contains(f));
          }
        }
      }
    } finally {
      banks.forEach(SandboxBank::close);
      banks.clear();
    }
  }
}
