package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Payment initiation requests the bank refuses (each naming the field), the dialects' headers, concurrency. */
class PaymentValidationTest extends BankTestBase {

  private static final String CT = "Content-Type";
  private static final String JSON = "application/json";

  /** Asserts 400 FORMAT_ERROR whose text names {@code field}. */
  private static void formatError(HttpResponse<String> r, String field) throws Exception {
    assertBgError(r, 400, "FORMAT_ERROR");
    assertThat(json(r).path("tppMessages").get(0).path("text").asText()).as(r.body()).contains(field);
  }

  @Test
  void bodiesAreCheckedFieldByField() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    String today = LocalDate.now().toString();
    String yesterday = LocalDate.now().minusDays(1).toString();
    String sct = "payments/" + Payments.SCT;
    String instant = "payments/" + Payments.INSTANT;
    String periodic = "periodic-payments/" + Payments.SCT;
    String valid = Payments.body(iban, "1.00");

    Map<String, String[]> cases = new LinkedHashMap<>();
    cases.put("creditorName", new String[] {sct, valid.replace(",\"creditorName\":\"Merchant GmbH\"", "")});
    cases.put("creditorAccount.iban", new String[] {sct, valid.replace(Payments.CREDITOR_IBAN,
        "DE00370400440532013000")});
    cases.put("debtorAccount.iban", new String[] {sct, valid.replace(iban, "not-an-iban")});
    cases.put("debtorAccount", new String[] {sct, valid.replace(iban, Payments.CREDITOR_IBAN)});
    cases.put("instructedAmount", new String[] {sct, Payments.body(iban, "1.234")});
    cases.put("instructedAmount ", new String[] {sct, Payments.body(iban, "0.00")});
    cases.put("instructedAmount  ", new String[] {sct, valid.replace("\"1.00\"", "1.00")});
    cases.put("instructedAmount   ", new String[] {sct, valid.replace("EUR", "USD")});
    cases.put("remittanceInformationUnstructured", new String[] {sct, valid.replace(Payments.REFERENCE,
        "x".repeat(141))});
    cases.put("endToEndIdentification", new String[] {sct, Payments.body(iban, "1.00",
        "\"endToEndIdentification\":\"" + "e".repeat(36) + "\"")});
    cases.put("requestedExecutionDate", new String[] {instant, Payments.body(iban, "1.00",
        "\"requestedExecutionDate\":\"" + today + "\"")});
    cases.put("requestedExecutionDate ", new String[] {sct, Payments.body(iban, "1.00",
        "\"requestedExecutionDate\":\"" + yesterday + "\"")});
    cases.put("requestedExecutionDate  ", new String[] {sct, Payments.body(iban, "1.00",
        "\"requestedExecutionDate\":\"01.02.2030\"")});
    cases.put("requestedExecutionDate   ", new String[] {periodic, Payments.standingOrder(iban, "1.00", today,
        "Monthly", "\"requestedExecutionDate\":\"" + today + "\"")});
    cases.put("startDate  ", new String[] {sct, Payments.standingOrder(iban, "1.00", today, "Monthly")});
    cases.put("startDate", new String[] {periodic, Payments.body(iban, "1.00", "\"frequency\":\"Monthly\"")});
    cases.put("startDate ", new String[] {periodic, Payments.standingOrder(iban, "1.00", yesterday, "Monthly")});
    cases.put("frequency ", new String[] {periodic, Payments.standingOrder(iban, "1.00", today, "Hourly")});
    cases.put("frequency  ", new String[] {periodic, Payments.body(iban, "1.00", "\"startDate\":\"" + today + "\"")});
    cases.put("endDate", new String[] {periodic, Payments.standingOrder(iban, "1.00", today, "Daily",
        "\"endDate\":\"" + yesterday + "\"")});
    cases.put("executionRule", new String[] {periodic, Payments.standingOrder(iban, "1.00", today, "Daily",
        "\"executionRule\":\"nearest\"")});
    cases.put("dayOfExecution", new String[] {periodic, Payments.standingOrder(iban, "1.00", today, "Monthly",
        "\"dayOfExecution\":\"05\"")});
    cases.put("dayOfExecution ", new String[] {periodic, Payments.standingOrder(iban, "1.00", today, "Monthly",
        "\"dayOfExecution\":\"32\"")});
    // Malformed on purpose: the file's oneOf of the three payment bodies matches none of them.
    expectRequestViolation("validation.request.body.schema.oneOf");
    for (Map.Entry<String, String[]> c : cases.entrySet()) {
      formatError(Payments.initiate(tpp, c.getValue()[0], c.getValue()[1]), c.getKey().trim());
    }
    assertThat(bank.paymentInitiations()).isZero();
    assertThat(bank.paymentIds()).isEmpty();

    // Headers and services as for consents and as before.
    expectRequestViolation("PSU-IP-Address");
    assertBgError(tpp.send("POST", "/v1/" + sct, headers(CT, JSON), valid), 400, "FORMAT_ERROR");
    assertBgError(tpp.send("POST", "/v1/bulk-payments/" + Payments.SCT, headers(CT, JSON, "PSU-IP-Address",
        Tpp.PSU_IP), valid), 400, "SERVICE_INVALID");
    assertBgError(Payments.initiate(tpp, "periodic-payments/target-2-payments", valid), 404, "PRODUCT_UNKNOWN");
    assertBgError(Payments.initiate(tpp, "periodic-payments/pain.001-sepa-credit-transfers", valid), 404,
        "PRODUCT_UNKNOWN");
    expectRequestViolation("Unable to parse JSON");
    assertBgError(tpp.send("POST", "/v1/" + sct, headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP), "{nope"), 400,
        "FORMAT_ERROR");

    // Valid extremes are accepted.
    String first = Payments.created(tpp, periodic, Payments.standingOrder(iban, "0.01", today, "MonthlyVariable",
        "\"endDate\":\"" + today + "\"", "\"dayOfExecution\":\"31\"", "\"executionRule\":\"following\""))
        .path("paymentId").asText();
    String second = Payments.created(tpp, sct, Payments.body(iban, "99999999999999.99",
        "\"requestedExecutionDate\":\"" + today + "\"", "\"endToEndIdentification\":\"" + "e".repeat(35) + "\""))
        .path("paymentId").asText();
    assertThat(bank.paymentInitiations()).isEqualTo(2);
    assertThat(bank.paymentIds()).containsExactly(first, second);
  }

  @Test
  void theDialectsHeaderRulesAreThoseOfConsents() throws Exception {
    SandboxBank redirect = start("gamma", b -> b.dialect(SandboxBank.Dialect.REDIRECT));
    Tpp r = tpp(redirect);
    String gammaIban = redirect.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    String sct = "payments/" + Payments.SCT;
    formatError(Payments.initiate(r, sct, Payments.body(gammaIban, "1.00")), "TPP-Redirect-URI");
    formatError(Payments.initiate(r, "periodic-payments/" + Payments.SCT, Payments.standingOrder(gammaIban, "1.00",
        LocalDate.now().toString(), "Weekly")), "TPP-Redirect-URI");
    expectRequestViolation("Unrecognized token 'yes'");
    formatError(Payments.initiate(r, sct, Payments.body(gammaIban, "1.00"), "TPP-Redirect-URI", Tpp.REDIRECT_URI,
        "TPP-Explicit-Authorisation-Preferred", "yes"), "TPP-Explicit-Authorisation-Preferred");
    formatError(Payments.initiate(r, sct, Payments.body(gammaIban, "1.00"), "TPP-Redirect-URI",
        "http://evil.example/cb"), "TPP-Redirect-URI");

    SandboxBank decoupled = start("delta", List.of(pki().rootCa(), ExtraCertificates.get().extraRoot.certificate()),
        b -> b.dialect(SandboxBank.Dialect.DECOUPLED).explicitAuthorisation(true));
    Tpp d = tpp(decoupled);
    String deltaIban = decoupled.data().customerByUsername("ben").orElseThrow().accounts().get(0).iban();
    formatError(Payments.initiate(d, sct, Payments.body(deltaIban, "1.00")), "PSU-ID");
    assertBgError(Payments.initiate(d, sct, Payments.body(deltaIban, "1.00"), "PSU-ID", "mallory"), 401,
        "PSU_CREDENTIALS_INVALID");
    // Explicit start by configuration: startAuthorisation, and the PSU-ID is kept for it.
    var created = Payments.created(d, sct, Payments.body(deltaIban, "1.00"), "PSU-ID", "ben");
    String id = created.path("paymentId").asText();
    String self = "/v1/payments/" + Payments.SCT + "/" + id;
    assertThat(created.path("_links").path("startAuthorisation").path("href").asText())
        .isEqualTo(self + "/authorisations");
    assertThat(created.path("psuMessage").asText()).isEqualTo(ScaAuthorisations.PSU_MESSAGE_PAYMENT);
    assertThat(created.path("_links").has("scaStatus")).isFalse();
    assertThat(decoupled.approveDecoupledPayment(id)).isFalse();
    assertBgError(d.send("POST", self + "/authorisations", headers("PSU-ID", "mallory"), null), 401,
        "PSU_CREDENTIALS_INVALID");
    assertThat(d.send("POST", self + "/authorisations", headers(), null).statusCode()).isEqualTo(201);
    assertThat(decoupled.approveDecoupledPayment(id)).isTrue();
    assertThat(decoupled.paymentStatus(id)).contains("ACTC");

    // The payment belongs to the QWAC's organisation; paths must name its service and product.
    Tpp other = new Tpp(decoupled, ExtraCertificates.get().otherOrganisationQwac, pki().bankCa("delta"));
    assertBgError(other.send("GET", self + "/status", headers(), null), 403, "RESOURCE_UNKNOWN");
    assertBgError(other.send("DELETE", self, headers(), null), 403, "RESOURCE_UNKNOWN");
    assertBgError(d.send("GET", "/v1/periodic-payments/" + Payments.SCT + "/" + id, headers(), null), 403,
        "RESOURCE_UNKNOWN");
    assertBgError(d.send("GET", "/v1/payments/" + Payments.INSTANT + "/" + id + "/status", headers(), null), 403,
        "RESOURCE_UNKNOWN");
    // No OAuth sub-resources on an OAUTH bank, no cancellation-authorisations on a single payment's RCVD.
    SandboxBank oauth = start("alpha");
    Tpp o = tpp(oauth);
    String alphaIban = oauth.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    String oauthId = Payments.created(o, sct, Payments.body(alphaIban, "1.00")).path("paymentId").asText();
    assertBgError(o.send("POST", "/v1/payments/" + Payments.SCT + "/" + oauthId + "/authorisations", headers(), null),
        404, "RESOURCE_UNKNOWN");
  }

  @Test
  void faultsAndCertificateChecksApplyToPaymentsAsToAccountInformation() throws Exception {
    SandboxBank bank = start("alpha");
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    String standingOrder = Payments.standingOrder(iban, "5.00", LocalDate.now().toString(), "Weekly");
    bank.faults().errorRate(1.0, 503).pathPrefix("/v1/periodic-payments/");
    HttpResponse<String> failed = Payments.initiate(tpp, "periodic-payments/" + Payments.SCT, standingOrder);
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.headers().firstValue("X-Request-ID")).isPresent();
    String id = Payments.created(tpp, "payments/" + Payments.SCT, Payments.body(iban, "1.00")).path("paymentId")
        .asText();
    assertThat(bank.paymentInitiations()).isEqualTo(1);
    bank.faults().clear();
    assertThat(Payments.initiate(tpp, "periodic-payments/" + Payments.SCT, standingOrder).statusCode())
        .isEqualTo(201);

    Tpp noCertificate = new Tpp(bank, null, pki().bankCa("alpha"));
    assertBgError(noCertificate.send("GET", "/v1/payments/" + Payments.SCT + "/" + id + "/status", headers(), null),
        401, "CERTIFICATE_MISSING");
    assertBgError(Payments.initiate(noCertificate, "payments/" + Payments.SCT, Payments.body(iban, "1.00")), 401,
        "CERTIFICATE_MISSING");
    assertThat(bank.paymentInitiations()).isEqualTo(2);
  }

  @Test
  void concurrentInitiationsAreEachCountedOnce() throws Exception {
    SandboxBank bank = start("beta");
    Tpp tpp = tpp(bank);
    String iban = bank.data().customerByUsername("ben").orElseThrow().accounts().get(0).iban();
    int threads = 8;
    int each = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<List<String>>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int n = t;
        tasks.add(() -> {
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < each; i++) {
            String product = (n + i) % 2 == 0 ? "payments/" + Payments.SCT : "periodic-payments/" + Payments.INSTANT;
            String body = product.startsWith("payments") ? Payments.body(iban, n + "." + i + "1")
                : Payments.standingOrder(iban, (n + 1) + ".0" + i, LocalDate.now().plusDays(1).toString(), "Monthly");
            ids.add(Payments.created(tpp, product, body).path("paymentId").asText());
          }
          return ids;
        });
      }
      Set<String> ids = new HashSet<>();
      for (Future<List<String>> f : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
        ids.addAll(f.get());
      }
      assertThat(ids).hasSize(threads * each);
      assertThat(bank.paymentInitiations()).isEqualTo(threads * each);
      assertThat(bank.paymentIds()).containsExactlyInAnyOrderElementsOf(ids);
    } finally {
      pool.shutdownNow();
    }
  }
}
