package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.Optional;

/**
 * LookupCache (§4.10): {@code <CacheKey>}, {@code <CacheResource>}, {@code <Scope>}, {@code <AssignTo>} and
 * {@code <CacheLookupTimeoutInSeconds>} (accepted and validated; an in-memory lookup never waits).
 */
public final class LookupCacheFactory implements PolicyFactory {
    static final String TYPE = "LookupCache";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        Elements.properties(xml);
        CacheKeySpec key = CacheKeySpec.parse(xml);
        String assignTo = Elements.requiredText(xml, "AssignTo");
        Optional<PolicyXml> timeout = xml.child("CacheLookupTimeoutInSeconds");
        if (timeout.isPresent() && Elements.parseNonNegative(timeout.get().text()) < 0) {
            throw timeout.get().error("<CacheLookupTimeoutInSeconds> must be a number of seconds");
        }
        xml.done();
        return new LookupCachePolicy(xml, key, assignTo);
    }
}
