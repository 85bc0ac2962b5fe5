package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;

/** ServiceCallout with an HTTPTargetConnection (URL template, SSLInfo, Properties, GoogleAccessToken). */
public final class ServiceCalloutFactory implements PolicyFactory {
    @Override
    public String type() {
        return "ServiceCallout";
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        ServiceCalloutPolicy policy = new ServiceCalloutPolicy(xml);
        xml.done();
        return policy;
    }
}
