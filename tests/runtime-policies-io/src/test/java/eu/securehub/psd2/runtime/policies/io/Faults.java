package eu.securehub.psd2.runtime.policies.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFault;

/** Assertion helpers for policy faults. */
final class Faults {
    private Faults() {
    }

    static PolicyFault fault(Policy p, FlowContext ctx, String errorCode, int status) {
        PolicyFault f = catchThrowableOfType(PolicyFault.class, () -> p.execute(ctx));
        assertThat(f).as("a PolicyFault from " + p.name()).isNotNull();
        assertThat(f.errorCode()).isEqualTo(errorCode);
        assertThat(f.status()).isEqualTo(status);
        return f;
    }
}
