package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;

/**
 * A configured SpikeArrest: one bucket per {@code <proxy>|<policy>|<identifier>} in the environment's
 * {@code SpikeArrests} (smoothing when UseEffectiveCount is false, sliding window when true). Sets
 * {@code ratelimit.{policy}.allowed.count} (the rate's N), {@code .exceed.count} (1 when refused, else 0),
 * {@code .available.count} (0 when refused; when allowed not set: the SPI's tryAcquire answers only yes or no)
 * and {@code .failed} (true when refused). Faults: {@code policies.ratelimit.SpikeArrestViolation} 429,
 * {@code policies.ratelimit.FailedToResolveSpikeArrestRate} 500 (a Rate ref set to a malformed rate, or unset with
 * no literal), {@code policies.ratelimit.InvalidMessageWeight} 500. An unset MessageWeight ref means weight 1; an
 * unset Identifier ref shares the policy's single bucket.
 */
final class SpikeArrestPolicy extends BasePolicy {
    private final String identifierRef;
    private final String weightRef;
    private final ValueRef rate;
    private final boolean useEffectiveCount;

    SpikeArrestPolicy(PolicyXml xml, String identifierRef, String weightRef, ValueRef rate, boolean useEffectiveCount) {
        super(xml, SpikeArrestFactory.TYPE);
        this.identifierRef = identifierRef;
        this.weightRef = weightRef;
        this.rate = rate;
        this.useEffectiveCount = useEffectiveCount;
    }

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        String p = "ratelimit." + name() + ".";
        try {
            SpikeArrestFactory.Rate r = resolveRate(ctx);
            long weight = resolveWeight(ctx);
            String identifier = identifierRef == null ? null : ctx.getString(identifierRef);
            String key = proxyName(ctx) + '|' + name() + '|' + (identifier == null ? "_default" : identifier);
            boolean allowed = ctx.environment().spikeArrests().tryAcquire(key, r.count(), r.per(), weight,
                    useEffectiveCount, ctx.clock().instant());
            ctx.set(p + "allowed.count", r.count());
            ctx.set(p + "exceed.count", allowed ? 0L : 1L);
            ctx.set(p + "failed", !allowed);
            if (!allowed) {
                ctx.set(p + "available.count", 0L);
                throw new PolicyFault("policies.ratelimit.SpikeArrestViolation", 429,
                        "Spike arrest violation. Allowed rate : MessageRate{messagesPerPeriod=" + r.count() + ", periodInMicroseconds="
                                + r.per().getDuration().toNanos() / 1000 + ", maxBurstMessageCount=1.0}");
            }
        } catch (PolicyFault f) {
            ctx.set(p + "failed", Boolean.TRUE);
            throw f;
        }
    }

    private SpikeArrestFactory.Rate resolveRate(FlowContext ctx) {
        String text = rate.resolve(ctx);
        SpikeArrestFactory.Rate r = text == null ? null : SpikeArrestFactory.parse(text);
        if (r == null) {
            throw new PolicyFault("policies.ratelimit.FailedToResolveSpikeArrestRate", 500,
                    "Failed to resolve Spike Arrest Rate reference " + rate.ref() + " in SpikeArrest policy {" + name() + "}");
        }
        return r;
    }

    private long resolveWeight(FlowContext ctx) {
        if (weightRef == null) {
            return 1;
        }
        String v = ctx.getString(weightRef);
        if (v == null) {
            return 1;
        }
        long w = Elements.parseNonNegative(v);
        if (w < 0) {
            throw new PolicyFault("policies.ratelimit.InvalidMessageWeight", 500,
                    "Invalid message weight value " + v + " in SpikeArrest policy {" + name() + "}");
        }
        return w;
    }
}
