package eu.securehub.psd2.callouts;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import com.apigee.flow.execution.spi.Execution;
import com.apigee.flow.message.MessageContext;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The thin base of every callout: properties parsed once into templates, resolved per call,
 * and one place that turns a failure into {@code <prefix>.error} and {@code ABORT}.
 *
 * <p>Instances hold no mutable state: Apigee runs one instance for many requests at once.
 */
public abstract class Callout implements Execution {
    /** The property every callout accepts: a fixed clock, for tests and replays. */
    static final String NOW = "now";

    private final Map<String, Template> properties;
    private final String prefix;
    /** Output variable names, built once: {@code <prefix>.<name>} for each name a callout sets. */
    private final Map<String, String> variables;

    /**
     * @param accepted the names of the properties the callout reads ({@code now} is always accepted); any
     *        other name is refused here, so a misspelt {@code <Property>} fails when the policy is loaded
     *        rather than being silently ignored
     * @param outputs the names (without prefix) of the variables the callout sets, so their full names
     *        are built once rather than on every call
     * @throws IllegalArgumentException when {@code properties} holds a name not in {@code accepted}
     */
    protected Callout(Map<String, String> properties, Set<String> accepted, String prefix, String... outputs) {
        Map<String, Template> parsed = new HashMap<>();
        if (properties != null) {
            for (Map.Entry<String, String> e : properties.entrySet()) {
                String name = e.getKey();
                if (!NOW.equals(name) && (name == null || !accepted.contains(name))) {
                    Set<String> all = new TreeSet<>(accepted);
                    all.add(NOW);
                    throw new IllegalArgumentException("unknown property " + name + " for " + getClass().getSimpleName()
                            + "; accepted: " + String.join(", ", all));
                }
                String value = e.getValue();
                parsed.put(name, Template.parse(value == null ? "" : value));
            }
        }
        this.properties = Collections.unmodifiableMap(parsed);
        this.prefix = prefix;
        Map<String, String> names = new HashMap<>();
        for (String name : outputs) {
            names.put(name, prefix + "." + name);
        }
        names.put("error", prefix + ".error");
        names.put("error_code", prefix + ".error_code");
        this.variables = Collections.unmodifiableMap(names);
    }

    /** Does the work of one call; a {@link CalloutException} becomes {@code <prefix>.error}. */
    protected abstract void run(MessageContext ctx) throws CalloutException;

    @Override
    public final ExecutionResult execute(MessageContext ctx, ExecutionContext executionContext) {
        ctx.removeVariable(var("error"));
        ctx.removeVariable(var("error_code"));
        try {
            run(ctx);
            return ExecutionResult.SUCCESS;
        } catch (CalloutException e) {
            fail(ctx, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            // The exception's own message may quote input, so only its type is reported.
            fail(ctx, "internal", "unexpected " + e.getClass().getSimpleName());
        }
        return ExecutionResult.ABORT;
    }

    private void fail(MessageContext ctx, String code, String message) {
        ctx.setVariable(var("error_code"), code);
        ctx.setVariable(var("error"), code + ": " + message);
    }

    /** The name of this callout's output variable {@code <prefix>.<name>}. */
    protected final String var(String name) {
        String full = variables.get(name);
        return full != null ? full : prefix + "." + name;
    }

    /** The property resolved for this call; empty when it is not set. */
    protected final String property(MessageContext ctx, String name) {
        Template t = properties.get(name);
        return t == null ? "" : t.resolve(ctx).trim();
    }

    /** The property resolved without trimming (payloads, whose spaces matter). */
    protected final String rawProperty(MessageContext ctx, String name) {
        Template t = properties.get(name);
        return t == null ? "" : t.resolve(ctx);
    }

    protected final String required(MessageContext ctx, String name) throws CalloutException {
        String value = property(ctx, name);
        if (value.isEmpty()) {
            throw new CalloutException("missing_property", name + " resolves to null or empty");
        }
        return value;
    }

    protected final String propertyOr(MessageContext ctx, String name, String fallback) {
        String value = property(ctx, name);
        return value.isEmpty() ? fallback : value;
    }

    protected final long longProperty(MessageContext ctx, String name, long fallback, long min, long max)
            throws CalloutException {
        String value = property(ctx, name);
        if (value.isEmpty()) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new CalloutException("invalid_property", name + " is not a whole number");
        }
        if (parsed < min || parsed > max) {
            throw new CalloutException("invalid_property", name + " must be between " + min + " and " + max);
        }
        return parsed;
    }

    protected final long requiredLong(MessageContext ctx, String name, long min, long max) throws CalloutException {
        required(ctx, name);
        return longProperty(ctx, name, 0, min, max);
    }

    /** The current time in epoch milliseconds: the {@code now} property if set (tests, replays), else the clock. */
    protected final long now(MessageContext ctx) throws CalloutException {
        return longProperty(ctx, NOW, System.currentTimeMillis(), 0, Long.MAX_VALUE);
    }

    /** A property naming an output variable; checked so a typo cannot write somewhere odd. */
    protected final String variableName(MessageContext ctx, String name, String fallback) throws CalloutException {
        String value = propertyOr(ctx, name, fallback);
        if (!Template.isVariableName(value)) {
            throw new CalloutException("invalid_property", name + " is not a variable name");
        }
        return value;
    }
}
