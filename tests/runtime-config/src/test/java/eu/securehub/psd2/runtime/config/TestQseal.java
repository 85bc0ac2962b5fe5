package eu.securehub.psd2.runtime.config;

import eu.securehub.psd2.config.EnvironmentConfig;
import eu.securehub.psd2.testpki.TestPki;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;

/**
 * The public part of the psd2-hub-keys {@code qseal} entry for the test PKI's QSEAL: what the environment's certificate
 * check reads. The local registry has a bank that signs (gamma), so an environment without it does not load; tests
 * that do not sign anything give it through {@code kvmEntry} instead of importing a key.
 */
final class TestQseal {
    private TestQseal() {
    }

    static String entry(TestPki pki) {
        try {
            return "{\"certificate\":\"" + Base64.getEncoder().encodeToString(pki.qseal().certificate().getEncoded())
                    + "\",\"notAfter\":\"" + pki.qseal().certificate().getNotAfter().toInstant() + "\"}";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The local registry with no bank that signs (gamma's entry says signing none): no QSEAL is needed. */
    static LocalEnvironment.Options noBankSigns(LocalEnvironment.Options options) {
        String gamma = EnvironmentConfig.readKvmFile(LocalEnvironmentTest.ROOT.resolve("kvms/local/psd2-hub-banks.json")).get("gamma");
        return options.kvmEntry("psd2-hub-banks", "gamma",
                gamma.replaceAll("\"signing\":\\{[^{}]*\\}", "\"signing\":{\"profile\":\"none\"}"));
    }

    static LocalEnvironment.Options with(LocalEnvironment.Options options, TestPki pki) {
        return options.kvmEntry("psd2-hub-keys", "qseal", entry(pki));
    }
}
