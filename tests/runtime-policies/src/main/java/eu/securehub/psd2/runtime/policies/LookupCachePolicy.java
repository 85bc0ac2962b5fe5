package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.Optional;

/**
 * Reads the cache entry into {@code AssignTo}; a miss leaves the variable untouched. Sets the documented
 * {@code lookupcache.{policy}.cachename}, {@code .cachekey}, {@code .assignto}, {@code .cachehit} (Boolean) and
 * {@code .failed} (false).
 */
final class LookupCachePolicy extends BasePolicy {
    private final CacheKeySpec key;
    private final String assignTo;

    LookupCachePolicy(PolicyXml xml, CacheKeySpec key, String assignTo) {
        super(xml, LookupCacheFactory.TYPE);
        this.key = key;
        this.assignTo = assignTo;
    }

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        String k = key.key(ctx);
        String prefix = "lookupcache." + name() + ".";
        ctx.set(prefix + "cachename", key.cacheResource());
        ctx.set(prefix + "cachekey", k);
        ctx.set(prefix + "assignto", assignTo);
        Optional<String> value = ctx.environment().caches().get(key.cacheResource(), k);
        eu.securehub.psd2.runtime.trace.Tracing.cacheLookup(key.cacheResource(), value.isPresent());
        value.ifPresent(v -> ctx.set(assignTo, v));
        ctx.set(prefix + "cachehit", value.isPresent());
        ctx.set(prefix + "failed", Boolean.FALSE);
    }
}
