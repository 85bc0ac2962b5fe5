package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;

/**
 * JSONThreatProtection: {@code <ArrayElementCount>}, {@code <ContainerDepth>}, {@code <ObjectEntryCount>},
 * {@code <ObjectEntryNameLength>}, {@code <StringValueLength>}, {@code <Source>} and an empty {@code <Properties/>};
 * anything else is a ConfigError naming file and line (see {@link JsonThreatProtectionPolicy}).
 */
public final class JsonThreatProtectionFactory implements PolicyFactory {
    @Override
    public String type() {
        return "JSONThreatProtection";
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        JsonThreatProtectionPolicy policy = new JsonThreatProtectionPolicy(xml);
        xml.done();
        return policy;
    }
}
