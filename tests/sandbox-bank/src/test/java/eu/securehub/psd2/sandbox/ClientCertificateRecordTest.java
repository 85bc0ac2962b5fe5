package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.headers;
import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange;
import eu.securehub.psd2.testpki.Credential;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every /v1 exchange records the TLS client certificate its connection presented (SHA-256 fingerprint), so that a test
 * can tell which QWAC the hub used, e.g. before and after a QWAC roll-over.
 */
class ClientCertificateRecordTest extends BankTestBase {

  @Test
  void eachExchangeRecordsTheFingerprintOfTheQwacItsConnectionPresented() throws Exception {
    SandboxBank bank = start("alpha");
    String iban = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
    Credential first = pki().qwac();
    Credential next = pki().nextQwac();

    for (Credential qwac : List.of(first, next)) {
      Tpp tpp = new Tpp(bank, qwac, pki().bankCa("alpha"));
      HttpResponse<String> created = tpp.send("POST", "/v1/consents", headers("Content-Type", "application/json",
          "PSU-IP-Address", Tpp.PSU_IP), Tpp.consentBody(iban));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }
    // Without a client certificate the bank refuses the request, and records that none was presented.
    Tpp anonymous = new Tpp(bank, null, pki().bankCa("alpha"));
    assertThat(anonymous.send("POST", "/v1/consents", headers("Content-Type", "application/json", "PSU-IP-Address",
        Tpp.PSU_IP), Tpp.consentBody(iban)).statusCode()).isEqualTo(401);

    List<Exchange> seen = bank.exchanges();
    assertThat(seen).hasSize(3);
    assertThat(seen.get(0).clientCertificateSha256()).isEqualTo(Exchange.sha256Fingerprint(first.certificate()))
        .matches("[0-9a-f]{64}");
    assertThat(seen.get(0).presented(first.certificate())).isTrue();
    assertThat(seen.get(0).presented(next.certificate())).isFalse();
    assertThat(seen.get(1).presented(next.certificate())).isTrue();
    assertThat(seen.get(2).clientCertificateSha256()).isNull();
    assertThat(seen.get(2).presented(first.certificate())).isFalse();
  }

  @Test
  void theShorterConstructorsRecordNoCertificate() {
    Exchange nine = new Exchange("GET", "/v1/accounts", Map.of(), Map.of(), null, 200, Map.of(), null,
        Exchange.SignatureCheck.VALID);
    Exchange eight = new Exchange("GET", "/v1/accounts", Map.of(), Map.of(), null, 200, Map.of(), null);
    assertThat(nine.clientCertificateSha256()).isNull();
    assertThat(nine.signature()).isEqualTo(Exchange.SignatureCheck.VALID);
    assertThat(eight.clientCertificateSha256()).isNull();
    assertThat(Exchange.sha256Fingerprint(null)).isNull();
  }
}
