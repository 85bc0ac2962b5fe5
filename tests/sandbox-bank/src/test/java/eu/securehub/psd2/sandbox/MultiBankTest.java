package eu.securehub.psd2.sandbox;

import static eu.securehub.psd2.sandbox.Tpp.assertBgError;
import static eu.securehub.psd2.sandbox.Tpp.headers;
import static eu.securehub.psd2.sandbox.Tpp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.sandbox.BankData.Account;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Two banks side by side with different identities: ports, issuers, server CAs, data, consents, tokens. */
class MultiBankTest extends BankTestBase {

  @Test
  void twoBanksSideBySide() throws Exception {
    SandboxBank alpha = start("alpha");
    SandboxBank beta = start("beta");
    assertThat(alpha.port()).isNotEqualTo(beta.port());
    Tpp toAlpha = tpp(alpha);
    Tpp toBeta = tpp(beta);
    assertThat(json(toAlpha.send("GET", "/.well-known/openid-configuration", Map.of(), null)).path("issuer")
        .asText()).isEqualTo(alpha.baseUrl().toString());
    assertThat(json(toBeta.send("GET", "/.well-known/openid-configuration", Map.of(), null)).path("issuer")
        .asText()).isEqualTo(beta.baseUrl().toString());

    Set<String> alphaIbans = new HashSet<>();
    alpha.data().customers().forEach(c -> c.accounts().forEach(a -> alphaIbans.add(a.iban())));
    beta.data().customers().forEach(c -> c.accounts().forEach(a -> assertThat(alphaIbans).doesNotContain(a.iban())));
    assertThat(alpha.data().bic()).isEqualTo("ALPHDEFFXXX");
    assertThat(beta.data().bic()).isEqualTo("BETADEFFXXX");

    // Each bank's server certificate is issued by its own CA.
    Tpp trustsOnlyAlpha = new Tpp(beta, pki().qwac(), pki().bankCa("alpha"));
    assertThatThrownBy(() -> trustsOnlyAlpha.send("GET", "/jwks", Map.of(), null))
        .isInstanceOf(SSLHandshakeException.class);

    Account a = alpha.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    Account b = beta.data().customerByUsername("anna").orElseThrow().accounts().get(0);
    String alphaConsent = toAlpha.createConsent(Tpp.consentBody(a.iban()));
    String betaConsent = toBeta.createConsent(Tpp.consentBody(b.iban()));
    String alphaToken = toAlpha.authorise(alphaConsent, "anna", "anna-sandbox-1", List.of(), true).accessToken();
    String betaToken = toBeta.authorise(betaConsent, "anna", "anna-sandbox-1", List.of(), true).accessToken();

    assertThat(toAlpha.read("/v1/accounts", alphaConsent, alphaToken, true).statusCode()).isEqualTo(200);
    assertThat(json(toBeta.read("/v1/accounts", betaConsent, betaToken, true)).path("accounts").get(0).path("iban")
        .asText()).isEqualTo(b.iban());
    assertBgError(toBeta.read("/v1/accounts", alphaConsent, alphaToken, true), 403, "CONSENT_UNKNOWN");
    assertBgError(toBeta.read("/v1/accounts", betaConsent, alphaToken, true), 401, "TOKEN_INVALID");

    // A fault on one bank leaves the other alone.
    alpha.faults().errorRate(1.0);
    assertThat(toAlpha.send("GET", "/v1/consents/" + alphaConsent + "/status", headers(), null).statusCode())
        .isEqualTo(503);
    assertThat(toBeta.send("GET", "/v1/consents/" + betaConsent + "/status", headers(), null).statusCode())
        .isEqualTo(200);
  }
}
