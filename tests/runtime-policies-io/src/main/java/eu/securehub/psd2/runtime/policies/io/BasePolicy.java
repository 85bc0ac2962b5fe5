package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyXml;

/** The common attributes of a policy (name, continueOnError, enabled, location) as the engine read them. */
abstract class BasePolicy implements Policy {
    private final String name;
    private final String type;
    private final boolean continueOnError;
    private final boolean enabled;
    private final Location location;

    BasePolicy(PolicyXml xml, String type) {
        this.name = xml.name();
        this.type = type;
        this.continueOnError = xml.continueOnError();
        this.enabled = xml.enabled();
        this.location = xml.location();
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final boolean continueOnError() {
        return continueOnError;
    }

    @Override
    public final boolean enabled() {
        return enabled;
    }

    @Override
    public final Location location() {
        return location;
    }

    @Override
    public String toString() {
        return type + " " + name + " (" + location + ")";
    }
}
