package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Message;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.time.Duration;

/**
 * Writes the {@code Source} variable's value under the cache key with the configured timeout. An unset Source
 * writes nothing (UNCONFIRMED; Apigee's EntryCannotBeCached is about values that cannot be serialised). A
 * message variable is cached as its content. A timeout ref that is unset or not a positive integer falls back to
 * the literal, else to the 300 s default.
 */
final class PopulateCachePolicy extends BasePolicy {
    private final CacheKeySpec key;
    private final String source;
    private final ValueRef timeout;

    PopulateCachePolicy(PolicyXml xml, CacheKeySpec key, String source, ValueRef timeout) {
        super(xml, PopulateCacheFactory.TYPE);
        this.key = key;
        this.source = source;
        this.timeout = timeout;
    }

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        Object value = ctx.get(source);
        ctx.set("populatecache." + name() + ".failed", Boolean.FALSE);
        if (value == null) {
            return;
        }
        String text = value instanceof Message m ? m.contentAsString() : String.valueOf(value);
        ctx.environment().caches().put(key.cacheResource(), key.key(ctx), text, Duration.ofSeconds(seconds(ctx)));
        eu.securehub.psd2.runtime.trace.Tracing.cachePopulate(key.cacheResource());
    }

    private long seconds(FlowContext ctx) {
        long s = Elements.parseNonNegative(timeout.resolve(ctx));
        if (s >= 1) {
            return s;
        }
        long literal = Elements.parseNonNegative(timeout.literal());
        return literal >= 1 ? literal : PopulateCacheFactory.DEFAULT_TIMEOUT_SECONDS;
    }
}
