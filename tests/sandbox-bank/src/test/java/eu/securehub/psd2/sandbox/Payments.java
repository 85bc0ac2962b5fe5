package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.headers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Payment bodies, initiation and status polling for the PIS tests. */
final class Payments {

  static final String CREDITOR = "Merchant GmbH";
  static final String CREDITOR_IBAN = "DE89370400440532013000";
  static final String REFERENCE = "Order 4711";
  static final String SCT = "sepa-credit-transfers";
  static final String INSTANT = "instant-sepa-credit-transfers";
  /** The execution delay of the tests' banks. */
  static final Duration DELAY = Duration.ofMillis(200);

  private Payments() {
  }

  /** A single payment body; {@code extraMembers} are raw JSON members, e.g. {@code "requestedExecutionDate":"…"}. */
  static String body(String debtorIban, String amount, String... extraMembers) {
    StringBuilder b = new StringBuilder("{\"debtorAccount\":{\"iban\":\"").append(debtorIban)
        .append("\"},\"instructedAmount\":{\"currency\":\"EUR\",\"amount\":\"").append(amount)
        .append("\"},\"creditorAccount\":{\"iban\":\"").append(CREDITOR_IBAN).append("\"},\"creditorName\":\"")
        .append(CREDITOR).append("\",\"remittanceInformationUnstructured\":\"").append(REFERENCE).append('"');
    for (String m : extraMembers) {
      b.append(',').append(m);
    }
    return b.append('}').toString();
  }

  /** A standing order body. */
  static String standingOrder(String debtorIban, String amount, String startDate, String frequency,
                              String... extraMembers) {
    List<String> members = new ArrayList<>(List.of("\"startDate\":\"" + startDate + "\"",
        "\"frequency\":\"" + frequency + "\""));
    members.addAll(List.of(extraMembers));
    return body(debtorIban, amount, members.toArray(String[]::new));
  }

  /**
   * POST /v1/{serviceAndProduct} (e.g. {@code payments/sepa-credit-transfers}) with Content-Type and
   * PSU-IP-Address, plus these headers (the dialect's).
   */
  static HttpResponse<String> initiate(Tpp tpp, String serviceAndProduct, String body, String... extraHeaders)
      throws Exception {
    List<String> h = new ArrayList<>(List.of("Content-Type", "application/json", "PSU-IP-Address", Tpp.PSU_IP));
    h.addAll(List.of(extraHeaders));
    return tpp.send("POST", "/v1/" + serviceAndProduct, headers(h.toArray(String[]::new)), body);
  }

  /** As {@link #initiate}, expecting 201: the answer's body. */
  static JsonNode created(Tpp tpp, String serviceAndProduct, String body, String... extraHeaders) throws Exception {
    HttpResponse<String> r = initiate(tpp, serviceAndProduct, body, extraHeaders);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Tpp.json(r);
  }

  /**
   * Polls the bank's view of the payment's status (every 10 ms, at most 10 s) until it is {@code until}; returns
   * the distinct statuses seen, in order.
   */
  static List<String> watch(SandboxBank bank, String paymentId, String until) throws InterruptedException {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      String s = bank.paymentStatus(paymentId).orElseThrow();
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(s)) {
        seen.add(s);
      }
      if (s.equals(until)) {
        return seen;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("payment " + paymentId + " never reached " + until + "; seen " + seen);
  }

  /** Asserts the status stays {@code status} over three execution delays (polling, no single long sleep). */
  static void staysFor3Delays(SandboxBank bank, String paymentId, String status) throws InterruptedException {
    long until = System.nanoTime() + DELAY.multipliedBy(3).toNanos();
    while (System.nanoTime() < until) {
      assertThat(bank.paymentStatus(paymentId)).contains(status);
      Thread.sleep(20);
    }
  }

  /** GET …/status: 200 expected; its body. */
  static JsonNode status(Tpp tpp, String statusHref, String... extraHeaders) throws Exception {
    HttpResponse<String> r = tpp.send("GET", statusHref, headers(extraHeaders), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Tpp.json(r);
  }

  /** The claims of a JWT (unverified: the signature is the AIS tests' concern). */
  static JsonNode claims(String jwt) throws Exception {
    return Http.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
  }
}
