package eu.securehub.psd2.sandbox;

import eu.securehub.psd2.localkms.LocalKms;
import eu.securehub.psd2.testpki.TestPki;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The local run: generates the test PKI into {@code <project root>/target/test-pki}, starts the local Cloud KMS on
 * 127.0.0.1:8089 (with a printed bearer token and one key), the sandbox banks alpha on 127.0.0.1:8443 and beta on
 * 127.0.0.1:8444 (OAuth), gamma on 127.0.0.1:8445 (redirect with the bank's SCA page, QSEAL signatures required)
 * and delta on 127.0.0.1:8446 (decoupled), with admin ports 9443 to 9446, prints every URL and runs until Ctrl-C.
 *
 * <p>From the project root, after {@code mvn install -DskipTests}:
 * <pre>mvn -q -f tests/sandbox-bank/pom.xml exec:java</pre>
 * System properties (-D…): {@code psd2.pki.dir}, {@code psd2.kms.port}, {@code psd2.kms.token},
 * {@code psd2.kms.key}, {@code psd2.<bank>.port} and {@code psd2.<bank>.adminPort} for alpha, beta, gamma and
 * delta, {@code psd2.sandbox.contract} (default true: every /v1 exchange is validated against the Berlin Group
 * OpenAPI file; see GET /admin/violations), {@code psd2.sandbox.paymentDelayMs} (default 2000: the time between the
 * steps of a payment's execution, ACTC to ACSP or ACSC).
 */
public final class LocalSandbox {

  /** The KMS key the local run creates (what the hub's key tool wraps the keyring with). */
  public static final String DEFAULT_KMS_KEY =
      "projects/psd2-local/locations/europe-west3/keyRings/psd2-hub/cryptoKeys/psd2-hub-kek";

  /** The banks of the local run: id, HTTPS port, admin port, dialect, whether signatures are required. */
  private record LocalBank(String id, int port, int adminPort, SandboxBank.Dialect dialect, boolean signatures) {
  }

  private static final List<LocalBank> BANKS = List.of(
      new LocalBank("alpha", 8443, 9443, SandboxBank.Dialect.OAUTH, false),
      new LocalBank("beta", 8444, 9444, SandboxBank.Dialect.OAUTH, false),
      new LocalBank("gamma", 8445, 9445, SandboxBank.Dialect.REDIRECT, true),
      new LocalBank("delta", 8446, 9446, SandboxBank.Dialect.DECOUPLED, false));

  private LocalSandbox() {
  }

  public static void main(String[] args) throws Exception {
    Path root = BerlinGroupContract.projectRoot();
    Path pkiDir = Path.of(System.getProperty("psd2.pki.dir", root.resolve("target").resolve("test-pki").toString()));
    List<AutoCloseable> running = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("Stopping the local sandbox ...");
      for (int i = running.size() - 1; i >= 0; i--) {
        try {
          running.get(i).close();
        } catch (Exception e) {
          System.err.println("stop: " + e);
        }
      }
      stopped.countDown();
    }, "local-sandbox-stop"));

    TestPki pki = TestPki.create(BANKS.stream().map(LocalBank::id).toList());
    pki.writeTo(pkiDir);
    System.out.println("Test PKI written to " + pkiDir.toAbsolutePath()
        + " (PKCS#12 password in password.txt; QWAC qwac.p12 alias qwac, QSEAL qseal.p12 alias qseal)");

    String token = System.getProperty("psd2.kms.token");
    if (token == null || token.isBlank()) {
      byte[] b = new byte[24];
      new SecureRandom().nextBytes(b);
      token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
    String keyName = System.getProperty("psd2.kms.key", DEFAULT_KMS_KEY);
    LocalKms kms = LocalKms.start(Integer.getInteger("psd2.kms.port", 8089), token);
    running.add(kms);
    kms.createKey(keyName);

    boolean contract = Boolean.parseBoolean(System.getProperty("psd2.sandbox.contract", "true"));
    BerlinGroupContract bg = contract ? BerlinGroupContract.shared() : null;
    List<SandboxBank> banks = new ArrayList<>();
    for (LocalBank b : BANKS) {
      SandboxBank bank = SandboxBank.start(config(pki, b, bg));
      running.add(bank);
      banks.add(bank);
    }

    System.out.println();
    System.out.println("Local Cloud KMS   " + kms.baseUrl());
    System.out.println("  bearer token    " + token);
    System.out.println("  key             " + keyName);
    for (SandboxBank bank : banks) {
      System.out.println("Bank " + bank.bankId() + " (" + bank.dialect()
          + (bank.requiresSignatures() ? ", QSEAL signatures required" : "") + ")");
      System.out.println("  Berlin Group    " + bank.baseUrl() + "/v1");
      switch (bank.dialect()) {
        case OAUTH -> {
          System.out.println("  OAuth issuer    " + bank.baseUrl());
          System.out.println("  discovery       " + bank.discoveryUrl());
          System.out.println("  JWKS            " + bank.baseUrl() + "/jwks");
        }
        case REDIRECT -> System.out.println("  SCA page        " + bank.baseUrl()
            + "/sca/<authorisationId>  (the consent's scaRedirect link)");
        case DECOUPLED -> {
          System.out.println("  customer's app  POST " + bank.adminUrl()
              + "/admin/consents/<consentId>/approve | /deny");
          System.out.println("                  POST " + bank.adminUrl()
              + "/admin/payments/<paymentId>/approve | /deny");
        }
        default -> { }
      }
      System.out.println("  admin           " + bank.adminUrl() + "/admin  (faults: POST/DELETE /admin/faults)");
      System.out.println("  server CA       " + pkiDir.resolve("bank-" + bank.bankId() + "-ca.pem"));
    }
    System.out.println("Online-banking logins (every bank; PSU-ID for delta): anna/anna-sandbox-1, ben/ben-sandbox-2, "
        + "clara/clara-sandbox-3, kraus/kraus-sandbox-4");
    System.out.println("TPP client_id " + TestPki.ORGANIZATION_IDENTIFIER + ", QWAC " + pkiDir.resolve("qwac.p12"));
    System.out.println("Contract validation " + (contract ? "on (GET <admin>/admin/violations)" : "off"));
    System.out.println("Payments: execution steps " + paymentDelay().toMillis() + " ms apart (GET "
        + "<admin>/admin/payments/<paymentId>)");
    System.out.println("Running; Ctrl-C stops everything.");
    stopped.await();
  }

  private static SandboxBank.Config config(TestPki pki, LocalBank b, BerlinGroupContract bg) {
    return SandboxBank.Config.builder(b.id(), pki.bankServer(b.id()), List.of(pki.rootCa()))
        .expiredServerCredential(pki.bankServerExpired(b.id()))
        .port(Integer.getInteger("psd2." + b.id() + ".port", b.port()))
        .adminPort(Integer.getInteger("psd2." + b.id() + ".adminPort", b.adminPort()))
        .dialect(b.dialect())
        .requireSignatures(b.signatures())
        .contract(bg)
        .paymentExecutionDelay(paymentDelay())
        .build();
  }

  /** -Dpsd2.sandbox.paymentDelayMs (default 2000). */
  private static java.time.Duration paymentDelay() {
    return java.time.Duration.ofMillis(Long.getLong("psd2.sandbox.paymentDelayMs", 2000L));
  }
}
