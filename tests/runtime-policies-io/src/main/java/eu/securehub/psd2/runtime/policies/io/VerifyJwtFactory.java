package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;

/** VerifyJWT for signed JWTs with public keys (PEM value, certificate, JWKS). One JWKS cache per factory (per node). */
public final class VerifyJwtFactory implements PolicyFactory {
    private final JwksCache cache = new JwksCache();

    @Override
    public String type() {
        return "VerifyJWT";
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        VerifyJwtPolicy policy = new VerifyJwtPolicy(xml, cache);
        xml.done();
        return policy;
    }

    JwksCache cache() {
        return cache;
    }
}
