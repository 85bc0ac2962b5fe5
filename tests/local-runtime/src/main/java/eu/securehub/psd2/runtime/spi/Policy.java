package eu.securehub.psd2.runtime.spi;

/** A configured policy instance; execute may run concurrently for many requests. */
public interface Policy {
    String name();

    /** The XML root element, e.g. "AssignMessage". */
    String type();

    boolean continueOnError();

    boolean enabled();

    Location location();

    /**
     * Whether the policy calls Google APIs as the identity of its deployment (ServiceCallout with
     * {@code <Authentication><GoogleAccessToken>}, MessageLogging with {@code <CloudLogging>}): Apigee X deploys such a
     * bundle only with a service account, which the runtime then checks at deployment.
     */
    default boolean usesGoogleAuthentication() {
        return false;
    }

    /** Runs the policy; a PolicyFault puts the flow in the error state (unless continueOnError). */
    void execute(FlowContext ctx) throws PolicyFault;
}
