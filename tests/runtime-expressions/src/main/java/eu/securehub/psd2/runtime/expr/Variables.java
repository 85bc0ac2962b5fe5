package eu.securehub.psd2.runtime.expr;

/**
 * The flow variables a condition or a message template reads. {@code get} returns {@code null} for an unset
 * variable; any other object is a value (String, Integer, Long, Float, Double, Boolean, other Comparable or
 * plain Object — see {@link Condition} for how each type is compared and {@link MessageTemplate} for how
 * each is rendered).
 */
@FunctionalInterface
public interface Variables {

    /** The value of the variable, or {@code null} when it is unset. */
    Object get(String name);
}
