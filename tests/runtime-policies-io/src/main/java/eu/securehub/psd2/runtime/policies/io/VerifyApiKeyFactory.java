package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;

/** VerifyAPIKey: {@code <APIKey ref="…"/>} checked against the environment's apps. */
public final class VerifyApiKeyFactory implements PolicyFactory {
    @Override
    public String type() {
        return "VerifyAPIKey";
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        VerifyApiKeyPolicy policy = new VerifyApiKeyPolicy(xml);
        xml.done();
        return policy;
    }
}
