package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFault;

/** A fault that put the flow into the error state: the PolicyFault and the policy (null for system faults). */
public final class StepFault extends RuntimeException {
    final PolicyFault fault;
    final Policy policy;
    /** True when the pending error response was already written (RaiseFault, a backend error response). */
    final boolean responsePrepared;

    StepFault(PolicyFault fault, Policy policy, boolean responsePrepared) {
        super(fault.getMessage(), fault, false, false);
        this.fault = fault;
        this.policy = policy;
        this.responsePrepared = responsePrepared;
    }

    public PolicyFault fault() {
        return fault;
    }

    boolean isRaiseFault() {
        return policy != null && policy.type().equals("RaiseFault");
    }
}
