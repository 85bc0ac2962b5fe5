package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The strict {@link PolicyXml} over an {@link XElement}: reading marks; done() reports the first unread item. */
public final class StrictXml implements PolicyXml {
    private final XElement e;
    private final boolean root;

    public StrictXml(XElement e, boolean root) {
        this.e = e;
        this.root = root;
        e.read = true;
        if (root) {
            // Common policy attributes (name, continueOnError, enabled, async) and DisplayName are the engine's.
            for (String a : List.of("name", "continueOnError", "enabled", "async")) {
                e.readAttributes.add(a);
            }
            for (XElement c : e.children) {
                if (c.name.equals("DisplayName")) {
                    c.read = true;
                    c.textRead = true;
                }
            }
            bool("continueOnError", false);
            bool("enabled", true);
            bool("async", false);
        }
    }

    public static StrictXml of(XElement e) {
        return new StrictXml(e, false);
    }

    public XElement element() {
        return e;
    }

    private boolean bool(String attr, boolean dflt) {
        String v = e.attributes.get(attr);
        if (v == null) {
            return dflt;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (!t.equals("true") && !t.equals("false")) {
            throw new ConfigError(e.location, "attribute " + attr + " of <" + e.name + "> must be true or false, got '" + v + "'");
        }
        return t.equals("true");
    }

    @Override
    public String name() {
        e.readAttributes.add("name");
        return e.attributes.get("name");
    }

    @Override
    public boolean continueOnError() {
        e.readAttributes.add("continueOnError");
        return bool("continueOnError", false);
    }

    @Override
    public boolean enabled() {
        e.readAttributes.add("enabled");
        return bool("enabled", true);
    }

    @Override
    public Location location() {
        return e.location;
    }

    @Override
    public String elementName() {
        return e.name;
    }

    @Override
    public Optional<PolicyXml> child(String name) {
        XElement found = null;
        for (XElement c : e.children) {
            if (c.name.equals(name)) {
                if (found != null) {
                    throw new ConfigError(c.location, "<" + name + "> may appear only once in <" + e.name + ">");
                }
                found = c;
            }
        }
        return found == null ? Optional.empty() : Optional.of(new StrictXml(found, false));
    }

    @Override
    public List<PolicyXml> children(String name) {
        List<PolicyXml> out = new ArrayList<>();
        for (XElement c : e.children) {
            if (c.name.equals(name)) {
                out.add(new StrictXml(c, false));
            }
        }
        return out;
    }

    @Override
    public List<PolicyXml> children() {
        List<PolicyXml> out = new ArrayList<>();
        for (XElement c : e.children) {
            if (root && c.name.equals("DisplayName")) {
                continue;
            }
            out.add(new StrictXml(c, false));
        }
        return out;
    }

    @Override
    public String text() {
        e.textRead = true;
        return e.text.toString().trim();
    }

    @Override
    public String attribute(String name) {
        e.readAttributes.add(name);
        String v = e.attributes.get(name);
        if (v == null) {
            throw new ConfigError(e.location, "<" + e.name + "> needs the attribute " + name);
        }
        return v;
    }

    @Override
    public Optional<String> optionalAttribute(String name) {
        e.readAttributes.add(name);
        return Optional.ofNullable(e.attributes.get(name));
    }

    @Override
    public Location locationOf(String childOrAttribute) {
        for (XElement c : e.children) {
            if (c.name.equals(childOrAttribute)) {
                return c.location;
            }
        }
        return e.location;
    }

    @Override
    public void done() {
        check(e);
    }

    static void check(XElement x) {
        for (String a : x.attributes.keySet()) {
            if (!x.readAttributes.contains(a)) {
                throw new ConfigError(x.location, "unknown or unsupported attribute " + a + " on <" + x.name + ">");
            }
        }
        if (!x.textRead && !x.text.toString().isBlank()) {
            throw new ConfigError(x.location, "unexpected text in <" + x.name + ">: '" + x.text.toString().trim() + "'");
        }
        for (XElement c : x.children) {
            if (!c.read) {
                throw new ConfigError(c.location, "unknown or unsupported element <" + c.name + "> in <" + x.name + ">");
            }
            check(c);
        }
    }

    @Override
    public void consumeAll() {
        consume(e);
    }

    private static void consume(XElement x) {
        x.read = true;
        x.textRead = true;
        x.readAttributes.addAll(x.attributes.keySet());
        for (XElement c : x.children) {
            consume(c);
        }
    }

    @Override
    public String toString() {
        return "<" + e.name + "> at " + e.location;
    }
}
