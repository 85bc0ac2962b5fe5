package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import eu.securehub.psd2.runtime.spi.QuotaRequest;
import eu.securehub.psd2.runtime.spi.QuotaResult;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A configured Quota. Each run resolves the limit, interval, unit, weight and identifier, applies them to the
 * environment's counter {@code <proxy>|<SharedName or policy name>|<identifier>} (counters are per API proxy,
 * §4.4; in a shared flow the calling proxy's apiproxy.name) and sets {@code ratelimit.{policy}.allowed.count},
 * {@code .used.count}, {@code .available.count}, {@code .exceed.count} (1 when this request was refused, else 0),
 * {@code .expiry.time} (epoch ms of the window's end; not set for rollingwindow), {@code .identifier} and
 * {@code .failed} — true on a violation (§0: X sets it so a continueOnError quota can be branched on).
 *
 * <p>Runtime faults: {@code policies.ratelimit.QuotaViolation} 429 (faultstring "Rate limit quota violation. Quota
 * limit exceeded. Identifier : {id}", {@code _default} without identifier),
 * {@code FailedToResolveQuotaIntervalReference} and {@code FailedToResolveQuotaIntervalTimeUnitReference} 500
 * (a ref that is set to something invalid, or unset without a literal), {@code InvalidMessageWeight} 500 (a weight
 * that is not a non-negative integer). A countRef that is unset or not a non-negative integer falls back to
 * {@code count}; an unset MessageWeight ref means weight 1; an unset Identifier ref counts under {@code _default}.
 */
final class QuotaPolicy extends BasePolicy {
    private static final String NS = "ratelimit.";

    private final String quotaType;
    private final String identifierRef;
    private final long count;
    private final String countRef;
    private final ValueRef interval;
    private final ValueRef timeUnit;
    private final Instant startTime;
    private final String weightRef;
    private final String sharedName;
    private final boolean countOnly;
    private final boolean enforceOnly;
    private final boolean distributed;
    private final boolean synchronous;

    QuotaPolicy(PolicyXml xml, String quotaType, String identifierRef, long count, String countRef, ValueRef interval,
            ValueRef timeUnit, Instant startTime, String weightRef, String sharedName, boolean countOnly, boolean enforceOnly,
            boolean distributed, boolean synchronous) {
        super(xml, QuotaFactory.TYPE);
        this.quotaType = quotaType;
        this.identifierRef = identifierRef;
        this.count = count;
        this.countRef = countRef;
        this.interval = interval;
        this.timeUnit = timeUnit;
        this.startTime = startTime;
        this.weightRef = weightRef;
        this.sharedName = sharedName;
        this.countOnly = countOnly;
        this.enforceOnly = enforceOnly;
        this.distributed = distributed;
        this.synchronous = synchronous;
    }

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        String p = NS + name() + ".";
        try {
            String identifier = identifierRef == null ? null : ctx.getString(identifierRef);
            if (identifier == null) {
                identifier = "_default";
            }
            long allow = count;
            if (countRef != null) {
                long v = Elements.parseNonNegative(ctx.getString(countRef));
                if (v >= 0) {
                    allow = v;
                }
            }
            long n = resolveInterval(ctx);
            ChronoUnit unit = resolveUnit(ctx);
            long weight = resolveWeight(ctx);
            String counterKey = proxyName(ctx) + '|' + (sharedName != null ? sharedName : name()) + '|' + identifier;
            Instant now = ctx.clock().instant();
            QuotaResult r = ctx.environment().quotas().apply(new QuotaRequest(counterKey, quotaType, n, unit, startTime,
                    allow, weight, countOnly, enforceOnly, now));
            // The Debug trace's cost counts (a no-op outside a traced request): a counter update, Distributed or not.
            eu.securehub.psd2.runtime.trace.Tracing.quotaUpdate(sharedName != null ? sharedName : name(), distributed,
                    synchronous);
            ctx.set(p + "identifier", identifier);
            ctx.set(p + "allowed.count", r.allowedCount());
            ctx.set(p + "used.count", r.used());
            ctx.set(p + "available.count", r.available());
            ctx.set(p + "exceed.count", r.allowed() ? 0L : 1L);
            if (r.expiry() != null) {
                ctx.set(p + "expiry.time", r.expiry().toEpochMilli());
            }
            ctx.set(p + "failed", !r.allowed());
            if (!r.allowed()) {
                throw new PolicyFault("policies.ratelimit.QuotaViolation", 429,
                        "Rate limit quota violation. Quota limit exceeded. Identifier : " + identifier);
            }
        } catch (PolicyFault f) {
            ctx.set(p + "failed", Boolean.TRUE);
            throw f;
        }
    }

    private long resolveInterval(FlowContext ctx) {
        if (interval.ref() != null) {
            String v = ctx.getString(interval.ref());
            if (v != null) {
                long n = Elements.parseNonNegative(v);
                if (n < 1) {
                    throw new PolicyFault("policies.ratelimit.FailedToResolveQuotaIntervalReference", 500,
                            "Failed to resolve quota interval reference " + interval.ref() + " in quota policy {" + name() + "}");
                }
                return n;
            }
        }
        if (interval.literal() == null) {
            throw new PolicyFault("policies.ratelimit.FailedToResolveQuotaIntervalReference", 500,
                    "Failed to resolve quota interval reference " + interval.ref() + " in quota policy {" + name() + "}");
        }
        return Long.parseLong(interval.literal().trim());
    }

    private ChronoUnit resolveUnit(FlowContext ctx) {
        if (timeUnit.ref() != null) {
            String v = ctx.getString(timeUnit.ref());
            if (v != null) {
                ChronoUnit u = QuotaFactory.unit(v);
                if (u == null) {
                    throw new PolicyFault("policies.ratelimit.FailedToResolveQuotaIntervalTimeUnitReference", 500,
                            "Failed to resolve quota time unit reference " + timeUnit.ref() + " in quota policy {" + name() + "}");
                }
                return u;
            }
        }
        if (timeUnit.literal() == null) {
            throw new PolicyFault("policies.ratelimit.FailedToResolveQuotaIntervalTimeUnitReference", 500,
                    "Failed to resolve quota time unit reference " + timeUnit.ref() + " in quota policy {" + name() + "}");
        }
        return QuotaFactory.unit(timeUnit.literal());
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
                    "Invalid message weight value " + v + " in quota policy {" + name() + "}");
        }
        return w;
    }
}
