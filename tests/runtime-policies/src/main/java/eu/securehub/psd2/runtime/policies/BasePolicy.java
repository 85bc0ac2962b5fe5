package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.PolicyXml;

/** The runtime's common policy attributes (builtin.BasePolicy), for this module's policies. */
abstract class BasePolicy extends eu.securehub.psd2.runtime.builtin.BasePolicy {
    BasePolicy(PolicyXml xml, String type) {
        super(xml);
        if (!type.equals(type())) {
            throw new IllegalArgumentException(type + " policy built from a <" + type() + "> element");
        }
    }

    /** The proxy the message belongs to (apiproxy.name; in a shared flow the calling proxy), else the bundle. */
    static String proxyName(FlowContext ctx) {
        String proxy = ctx.getString("apiproxy.name");
        return proxy == null || proxy.isEmpty() ? ctx.bundle().name() : proxy;
    }

    @Override
    public String toString() {
        return type() + " " + name() + " (" + location() + ")";
    }
}
