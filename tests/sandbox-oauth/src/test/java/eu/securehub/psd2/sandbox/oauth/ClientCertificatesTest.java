package eu.securehub.psd2.sandbox.oauth;

import eu.securehub.psd2.testpki.TestPki;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class ClientCertificatesTest {

    @Test
    void organizationIdentifierOfTheQwac() {
        assertThat(ClientCertificates.organizationIdentifier(Harness.PKI.qwac().certificate()))
                .hasValue(TestPki.ORGANIZATION_IDENTIFIER);
        assertThat(ClientCertificates.organizationIdentifier(Harness.PKI.qseal().certificate()))
                .hasValue(TestPki.ORGANIZATION_IDENTIFIER);
        assertThat(ClientCertificates.organizationIdentifier(Harness.PKI.rootCa())).isEmpty();
        assertThat(ClientCertificates.organizationIdentifier(Harness.PKI.bankServer("alpha").certificate())).isEmpty();
    }

    @Test
    void thumbprintIsBase64UrlSha256OfTheDer() throws Exception {
        var cert = Harness.PKI.qwac().certificate();
        String expected = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        assertThat(Grant.thumbprintS256(cert)).isEqualTo(expected).hasSize(43).doesNotContain("=", "+", "/");
    }
}
