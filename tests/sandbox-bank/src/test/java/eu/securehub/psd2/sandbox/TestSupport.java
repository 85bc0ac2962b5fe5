package eu.securehub.psd2.sandbox;

import eu.securehub.psd2.testpki.TestPki;
import java.util.List;

/** One test PKI and one loaded Berlin Group contract for the whole test run. */
final class TestSupport {

  private static TestPki pki;

  private TestSupport() {
  }

  static synchronized TestPki pki() {
    if (pki == null) {
      pki = TestPki.create(List.of("alpha", "beta", "gamma", "delta"));
    }
    return pki;
  }

  static BerlinGroupContract contract() {
    return BerlinGroupContract.shared();
  }
}
