package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.PolicyXml;

/** The runtime's common policy attributes (builtin.BasePolicy), for this module's policies. */
abstract class BasePolicy extends eu.securehub.psd2.runtime.builtin.BasePolicy {
    BasePolicy(PolicyXml xml, String type) {
        super(xml);
        if (!type.equals(type())) {
            throw new IllegalArgumentException(type + " policy built from a <" + type() + "> element");
        }
    }

    @Override
    public String toString() {
        return type() + " " + name() + " (" + location() + ")";
    }
}
