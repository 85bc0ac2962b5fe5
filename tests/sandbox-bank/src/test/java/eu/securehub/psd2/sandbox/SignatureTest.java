package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.RedirectDialectTest.href;
import static eu.securehub.psd2.sandbox.RedirectDialectTest.scaStatus;
import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.sandbox.BankData.Account;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange.SignatureCheck;
import eu.securehub.psd2.testpki.Credential;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

/** QSEAL request signatures (requireSignatures): what the bank accepts, and the code of each refusal. */
class SignatureTest extends BankTestBase {

  private static final String CT = "Content-Type";
  private static final String JSON = "application/json";
  private static final String STATUS = "/v1/consents/0123456789abcdef/status";

  /** A bank requiring signatures; it also trusts the extra TPP root (so its expired and foreign seals chain). */
  private SandboxBank signingBank(SandboxBank.Dialect dialect) throws Exception {
    return start("gamma", List.of(pki().rootCa(), ExtraCertificates.get().extraRoot.certificate()),
        b -> b.dialect(dialect).requireSignatures(true).scaStatusMinInterval(Duration.ZERO));
  }

  private static RequestSigner seal() {
    return RequestSigner.with(pki().qseal());
  }

  /** Sends the request signed by {@code signer} over {@code tpp}'s connection (the signer's headers as they are). */
  private static HttpResponse<String> signed(Tpp tpp, RequestSigner signer, String method, String path,
                                             Map<String, String> headers, String body) throws Exception {
    return tpp.signingWith(signer).send(method, path, headers, body);
  }

  private static void assertAllRecorded(SandboxBank bank, SignatureCheck check) {
    assertThat(bank.exchanges()).isNotEmpty().allSatisfy(e -> assertThat(e.signature()).as(e.toString())
        .isEqualTo(check));
  }

  @Test
  void aSignedRedirectJourneyIsAccepted() throws Exception {
    SandboxBank bank = signingBank(SandboxBank.Dialect.REDIRECT);
    assertThat(bank.requiresSignatures()).isTrue();
    Tpp tpp = tpp(bank).signingWith(seal());
    Account giro = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    HttpResponse<String> created = RedirectDialectTest.createConsent(tpp, Tpp.consentBody(giro.iban()),
        "PSU-ID", "anna");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode consent = json(created);
    String consentId = consent.path("consentId").asText();
    assertThat(scaStatus(tpp, href(consent, "scaStatus"))).isEqualTo("received");
    tpp.scaRedirect(href(consent, "scaRedirect"), "anna", "anna-sandbox-1", List.of(), true);
    assertThat(scaStatus(tpp, href(consent, "scaStatus"))).isEqualTo("finalised");
    assertThat(tpp.readWithConsentId("/v1/accounts", consentId, true).statusCode()).isEqualTo(200);
    assertThat(tpp.readWithConsentId("/v1/accounts/" + giro.resourceId() + "/transactions?bookingStatus=pending",
        consentId, false).statusCode()).isEqualTo(200);
    assertThat(tpp.send("DELETE", "/v1/consents/" + consentId, headers(), null).statusCode()).isEqualTo(204);

    assertThat(bank.exchanges()).hasSize(6);
    assertAllRecorded(bank, SignatureCheck.VALID);
    assertThat(bank.unsignedOrInvalid()).isEmpty();
  }

  @Test
  void theOAuthDialectCanRequireSignaturesToo() throws Exception {
    SandboxBank bank = start("alpha", b -> b.requireSignatures(true));
    Tpp tpp = tpp(bank).signingWith(seal());
    Account giro = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    String consentId = tpp.createConsent(Tpp.consentBody(giro.iban()));
    Tpp.Tokens tokens = tpp.authorise(consentId, "anna", "anna-sandbox-1", List.of(), true);
    assertThat(tpp.read("/v1/accounts", consentId, tokens.accessToken(), true).statusCode()).isEqualTo(200);
    assertAllRecorded(bank, SignatureCheck.VALID);
    assertBgError(tpp(bank).read("/v1/accounts", consentId, tokens.accessToken(), true), 401, "SIGNATURE_MISSING");
    assertThat(bank.unsignedOrInvalid()).hasSize(1);
  }

  @Test
  void acceptedForms() throws Exception {
    SandboxBank bank = signingBank(SandboxBank.Dialect.DECOUPLED);
    Tpp tpp = tpp(bank);
    Credential qseal = pki().qseal();
    String issuer = qseal.certificate().getIssuerX500Principal().getName(X500Principal.RFC2253);
    String serial = qseal.certificate().getSerialNumber().toString(16).toLowerCase(Locale.ROOT);
    String percentEncoded = URLEncoder.encode(issuer, StandardCharsets.UTF_8).replace("+", "%20");
    String pem = "-----BEGIN CERTIFICATE-----" + RequestSigner.base64(qseal.certificate())
        + "-----END CERTIFICATE-----";
    for (RequestSigner s : List.of(seal(), seal().withRequestTarget(), seal().withDigest("SHA-512"),
        seal().withKeyId("SN=000" + serial + ",CA=" + issuer), seal().withKeyId("sn=" + serial + ", CA="
            + percentEncoded), seal().withCertificateHeader(pem))) {
      assertBgError(signed(tpp, s, "GET", STATUS, headers(), null), 403, "CONSENT_UNKNOWN");
    }
    assertBgError(signed(tpp, seal().withRequestTarget(), "GET", "/v1/accounts?withBalance=true",
        headers("Consent-ID", "0123456789abcdef"), null), 403, "CONSENT_UNKNOWN");
    expectRequestViolation("Not a valid base64 string");  // PEM armour: tolerated, though the file says base64
    // PSU-ID and TPP-Redirect-URI signed, as they must be.
    HttpResponse<String> created = signed(tpp, seal().withRequestTarget(), "POST", "/v1/consents", headers(CT, JSON,
        "PSU-IP-Address", Tpp.PSU_IP, "PSU-ID", "anna", "TPP-Redirect-URI", Tpp.REDIRECT_URI),
        Tpp.consentBody(bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban()));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertAllRecorded(bank, SignatureCheck.VALID);
  }

  @Test
  void missingSignatureHeadersAreSignatureMissing() throws Exception {
    SandboxBank bank = signingBank(SandboxBank.Dialect.REDIRECT);
    Tpp tpp = tpp(bank);
    assertBgError(tpp.send("GET", STATUS, headers(), null), 401, "SIGNATURE_MISSING");
    for (String header : List.of("Digest", "Signature", "TPP-Signature-Certificate")) {
      Map<String, String> h = seal().sign("GET", STATUS, headers(), new byte[0]);
      h.remove(header);
      assertBgError(tpp.send("GET", STATUS, h, null), 401, "SIGNATURE_MISSING");
    }
    // Before anything else but the QWAC.
    expectRequestViolation("X-Request-ID");
    assertBgError(tpp.send("GET", STATUS, headers("X-Request-ID", null), null), 401, "SIGNATURE_MISSING");
    assertBgError(new Tpp(bank, null, pki().bankCa("gamma")).send("GET", STATUS, headers(), null), 401,
        "CERTIFICATE_MISSING");
    assertAllRecorded(bank, SignatureCheck.MISSING);
    assertThat(bank.unsignedOrInvalid()).hasSize(6);
  }

  @Test
  void wrongSignaturesAreSignatureInvalid() throws Exception {
    SandboxBank bank = signingBank(SandboxBank.Dialect.DECOUPLED);
    Tpp tpp = tpp(bank);
    String body = Tpp.consentBody(bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban());
    Map<String, String> consentHeaders = headers(CT, JSON, "PSU-IP-Address", Tpp.PSU_IP, "PSU-ID", "anna");

    // The body changed after signing.
    Map<String, String> h = seal().sign("POST", "/v1/consents", consentHeaders, body.getBytes(StandardCharsets.UTF_8));
    assertBgError(tpp.send("POST", "/v1/consents", h, body.replace("\"frequencyPerDay\":4", "\"frequencyPerDay\":1")),
        401, "SIGNATURE_INVALID");
    // PSU-ID sent but not signed.
    assertBgError(signed(tpp, seal().leavingUnsigned("psu-id"), "POST", "/v1/consents", consentHeaders, body), 401,
        "SIGNATURE_INVALID");
    assertBgError(signed(tpp, seal().leavingUnsigned("tpp-redirect-uri"), "POST", "/v1/consents", headers(CT, JSON,
        "PSU-IP-Address", Tpp.PSU_IP, "PSU-ID", "anna", "TPP-Redirect-URI", Tpp.REDIRECT_URI), body), 401,
        "SIGNATURE_INVALID");

    String issuer = pki().qseal().certificate().getIssuerX500Principal().getName(X500Principal.RFC2253);
    String serial = pki().qseal().certificate().getSerialNumber().toString(16);
    List<RequestSigner> wrong = List.of(
        seal().withKeyId("SN=1A2B,CA=" + issuer),
        seal().withKeyId("SN=" + serial + ",CA=CN=Another QTSP CA,O=Another QTSP,C=DE"),
        seal().withKeyId("SN=" + serial),
        seal().withKeyId(RequestSigner.keyIdOf(pki().qwac().certificate())),
        seal().withAlgorithm("hs2019"),
        seal().leavingUnsigned("digest"),
        seal().leavingUnsigned("x-request-id"),
        seal().withKey(pki().qwac().key()));
    for (RequestSigner s : wrong) {
      assertBgError(signed(tpp, s, "GET", STATUS, headers(), null), 401, "SIGNATURE_INVALID");
    }
    Map<String, String> md5 = seal().sign("GET", STATUS, headers(), new byte[0]);
    md5.put("Digest", "MD5=1B2M2Y8AsgTpgAmY7PhCfg==");
    assertBgError(tpp.send("GET", STATUS, md5, null), 401, "SIGNATURE_INVALID");
    Map<String, String> garbled = seal().sign("GET", STATUS, headers(), new byte[0]);
    garbled.put("Signature", "keyId=\"unterminated");
    assertBgError(tpp.send("GET", STATUS, garbled, null), 401, "SIGNATURE_INVALID");
    assertAllRecorded(bank, SignatureCheck.INVALID);
    assertThat(bank.unsignedOrInvalid()).extracting(Exchange::status).containsOnly(401);
  }

  @Test
  void theOneShotTamperingAltersTheNextSignedRequestOnly() throws Exception {
    SandboxBank bank = signingBank(SandboxBank.Dialect.REDIRECT);
    Tpp tpp = tpp(bank).signingWith(seal());
    bank.faults().tamperOnce(true);
    assertBgError(tpp.send("GET", STATUS, headers(), null), 401, "SIGNATURE_INVALID");
    assertThat(bank.faults().tamperOnce()).as("used").isFalse();
    assertThat(bank.faults().injected()).isEqualTo(1);
    assertBgError(tpp.send("GET", STATUS, headers(), null), 403, "CONSENT_UNKNOWN");
    assertThat(bank.exchanges()).extracting(Exchange::signature)
        .containsExactly(SignatureCheck.INVALID, SignatureCheck.VALID);
    bank.faults().tamperOnce(true).clear();
    assertThat(bank.faults().tamperOnce()).isFalse();
  }

  @Test
  void certificatesThatAreNotTheTppsQsealAreRefused() throws Exception {
    SandboxBank bank = signingBank(SandboxBank.Dialect.REDIRECT);
    Tpp tpp = tpp(bank);
    ExtraCertificates extra = ExtraCertificates.get();
    assertBgError(signed(tpp, RequestSigner.with(extra.untrustedSeal), "GET", STATUS, headers(), null), 401,
        "CERTIFICATE_INVALID");
    assertBgError(signed(tpp, RequestSigner.with(pki().qwac()), "GET", STATUS, headers(), null), 401,
        "CERTIFICATE_INVALID");
    assertBgError(signed(tpp, RequestSigner.with(extra.otherOrganisationSeal), "GET", STATUS, headers(), null), 401,
        "CERTIFICATE_INVALID");
    assertBgError(signed(tpp, RequestSigner.with(extra.expiredSeal), "GET", STATUS, headers(), null), 401,
        "CERTIFICATE_EXPIRED");
    assertBgError(signed(tpp, seal().withCertificateHeader("bm90IGEgY2VydGlmaWNhdGU="), "GET", STATUS, headers(),
        null), 401, "CERTIFICATE_INVALID");
    // The other organisation's QSEAL is fine over its own QWAC.
    Tpp other = new Tpp(bank, extra.otherOrganisationQwac, pki().bankCa("gamma"));
    assertBgError(signed(other, RequestSigner.with(extra.otherOrganisationSeal), "GET", STATUS, headers(), null),
        403, "CONSENT_UNKNOWN");
    assertThat(bank.unsignedOrInvalid()).hasSize(5).allSatisfy(e -> assertThat(e.signature())
        .isEqualTo(SignatureCheck.CERTIFICATE_INVALID));
  }
}
