package eu.securehub.psd2.runtime.spi;

/** A configured policy instance; execute may run concurrently for many requests. */
public interface Policy {
    String name();

    /** The XML root element, e.g. "AssignMessage". */
    String type();

    boolean continueOnError();

    boolean enabled();

    Location location();

    /** Runs the policy; a PolicyFault puts the flow in the error state (unless continueOnError). */
    void execute(FlowContext ctx) throws PolicyFault;
}
