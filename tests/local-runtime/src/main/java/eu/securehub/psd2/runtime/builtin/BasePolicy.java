package eu.securehub.psd2.runtime.builtin;

import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyXml;

/** Common policy attributes. */
public abstract class BasePolicy implements Policy {
    private final String name;
    private final String type;
    private final boolean continueOnError;
    private final boolean enabled;
    private final Location location;

    protected BasePolicy(PolicyXml xml) {
        this.name = xml.name();
        this.type = xml.elementName();
        this.continueOnError = xml.continueOnError();
        this.enabled = xml.enabled();
        this.location = xml.location();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public boolean continueOnError() {
        return continueOnError;
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public Location location() {
        return location;
    }

    /** Reads a true/false child (default when absent). */
    protected static boolean bool(PolicyXml xml, String child, boolean dflt) {
        return xml.child(child).map(c -> {
            String t = c.text();
            if (!t.equals("true") && !t.equals("false")) {
                throw c.error("<" + child + "> must be true or false, got '" + t + "'");
            }
            return t.equals("true");
        }).orElse(dflt);
    }
}
