package eu.securehub.psd2.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.config.EnvironmentConfig;
import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange;
import eu.securehub.psd2.sandbox.MutableClock;
import eu.securehub.psd2.sandbox.SandboxBank;
import eu.securehub.psd2.testpki.Credential;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling the QSEAL without downtime, as the platform guide says: the key tool's {@code qseal import} writes the
 * successor into the keys map's {@code qseal} entry and the environment's KVM is updated (here the management API's
 * part, {@code adminPut}); message processors keep signing with the old QSEAL until their KVM cache entry (300 s)
 * runs out, the bank accepts both meanwhile, and then every request is signed with the new one.
 */
class QsealRollTest {
    @TempDir
    static Path work;

    @Test
    void theSuccessorSignsOnceTheNodesKvmCacheRunsOutAndNoRequestFailsMeanwhile() throws Exception {
        MutableClock clock = MutableClock.ofNow();
        try (LocalHub local = LocalHub.start(LocalHub.Options.freePorts(Hub.ROOT, work).consumerKey(Hub.KEY)
                .runtimeClock(clock))) {
            Hub hub = Hub.of(local);
            SandboxBank gamma = local.bank("gamma");
            String token = gammaToken(hub, local);
            BigInteger first = local.pki().qseal().certificate().getSerialNumber();
            assertThat(lastSerial(gamma)).isEqualTo(first);

            Credential next = local.pki().nextQseal();
            assertThat(next.certificate().getSerialNumber()).isNotEqualTo(first);
            String entry = importWithKeyTool(local, next);
            local.environment().kvmStore().adminPut("psd2-hub-keys", "qseal", entry);

            // Until the node's KVM cache entry expires, the old QSEAL signs, and the bank still accepts it.
            assertThat(read(hub, token)).isEqualTo(200);
            assertThat(lastSerial(gamma)).isEqualTo(first);

            clock.advance(Duration.ofSeconds(301));
            assertThat(read(hub, token)).isEqualTo(200);
            assertThat(lastSerial(gamma)).isEqualTo(next.certificate().getSerialNumber());
            assertThat(gamma.unsignedOrInvalid()).isEmpty();
        }
    }

    private static int read(Hub hub, String token) {
        Hub.Reply r = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.status();
    }

    /** gamma's journey in the browser, to the hub token. */
    private static String gammaToken(Hub hub, LocalHub local) throws Exception {
        JsonNode consent = hub.createConsent("gamma", hub.iban("gamma", "anna")).json();
        try (Browser browser = new Browser()) {
            Browser.Journey journey = browser.authorise(consent.path("authorisationUrl").asText(), "anna",
                    "anna-sandbox-1", "Approve", local.returnUrl());
            assertThat(journey.finalUrl()).contains("outcome=success");
        }
        Hub.Reply session = hub.collectRetrying(consent.path("state").asText());
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        return session.json().path("accessToken").asText();
    }

    /** The serial number of the TPP-Signature-Certificate of gamma's last recorded request. */
    private static BigInteger lastSerial(SandboxBank bank) throws Exception {
        List<Exchange> all = bank.exchanges();
        Exchange last = all.get(all.size() - 1);
        String b64 = last.requestHeaders().entrySet().stream()
                .filter(h -> h.getKey().equalsIgnoreCase("TPP-Signature-Certificate")).map(h -> h.getValue().get(0))
                .findFirst().orElseThrow();
        X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(b64)));
        return c.getSerialNumber();
    }

    /**
     * Runs {@code kms-key-tool qseal import} against the hub's KMS and keys file, as the platform team would against
     * Cloud KMS, and returns the entry it wrote.
     */
    private static String importWithKeyTool(LocalHub local, Credential next) throws Exception {
        char[] password = "roll-over-test".toCharArray();
        Path p12 = work.resolve("qseal-next.p12");
        KeyStore ks = next.pkcs12(password, "qseal");
        try (OutputStream out = Files.newOutputStream(p12)) {
            ks.store(out, password);
        }
        Path passwordFile = work.resolve("qseal-next.password");
        Files.writeString(passwordFile, new String(password));
        Path keys = local.environment().keyringFile().orElseThrow();
        Path configDir = keys.getParent().getParent().getParent();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String endpoint = local.kms().endpoint();
        int exit = eu.securehub.psd2.keytool.Main.run(new String[] {"qseal", "import", "--env", "local", "--p12",
            p12.toString(), "--alias", "qseal", "--password-file", passwordFile.toString(), "--config-dir",
            configDir.toString(), "--endpoint", endpoint, "--transport", "rest", "--plaintext", "--access-token",
            local.kmsToken()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("PRIVATE KEY");
        return EnvironmentConfig.readKvmFile(keys).get("qseal");
    }
}
