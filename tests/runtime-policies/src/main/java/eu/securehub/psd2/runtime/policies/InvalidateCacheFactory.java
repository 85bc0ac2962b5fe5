package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;

/**
 * InvalidateCache: {@code <CacheKey>}, {@code <CacheResource>} and {@code <Scope>} as for PopulateCache (the entry
 * those name is removed; a missing entry is no error), and {@code <PurgeChildEntries>} only as {@code false}
 * (purging every entry under a prefix is not implemented here, so it is refused rather than half done).
 * {@code <CacheContext>} is refused for the same reason. (InvalidateCache policy reference,
 * https://cloud.google.com/apigee/docs/api-platform/reference/policies/invalidate-cache-policy.)
 */
public final class InvalidateCacheFactory implements PolicyFactory {
    static final String TYPE = "InvalidateCache";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        Elements.properties(xml);
        CacheKeySpec key = CacheKeySpec.parse(xml);
        Elements.unsupported(xml, "CacheContext", "name the entry with <CacheKey>");
        if (Elements.bool(xml, "PurgeChildEntries", false)) {
            throw xml.child("PurgeChildEntries").get().error("<PurgeChildEntries>true</PurgeChildEntries> is not supported"
                    + " by the local runtime: invalidate one entry by its <CacheKey>");
        }
        xml.done();
        return new InvalidateCachePolicy(xml, key);
    }

    /** Removes the entry under the cache key. */
    static final class InvalidateCachePolicy extends BasePolicy {
        private final CacheKeySpec key;

        InvalidateCachePolicy(PolicyXml xml, CacheKeySpec key) {
            super(xml, TYPE);
            this.key = key;
        }

        @Override
        public void execute(FlowContext ctx) {
            ctx.environment().caches().remove(key.cacheResource(), key.key(ctx));
        }
    }
}
