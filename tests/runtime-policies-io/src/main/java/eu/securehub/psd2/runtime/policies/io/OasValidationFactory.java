package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;

/**
 * OASValidation: {@code <OASResource>oas://file</OASResource>}, {@code <Source>}, {@code <Options>} with
 * {@code <ValidateMessageBody>} and {@code <AllowUnspecifiedParameters>} (Header/Query/Cookie). The spec is
 * loaded and parsed at start-up; an unreadable or invalid spec is a ConfigError.
 */
public final class OasValidationFactory implements PolicyFactory {
    @Override
    public String type() {
        return "OASValidation";
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        OasValidationPolicy policy = new OasValidationPolicy(xml, bundle);
        xml.done();
        return policy;
    }
}
