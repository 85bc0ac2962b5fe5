package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.Locale;
import java.util.Optional;

/** Strict readers for the small element shapes the policies of this module share. */
final class Elements {
    private Elements() {
    }

    /**
     * {@code <Properties/>}: in every policy's documented syntax; these policies define no property, so it must be
     * empty.
     */
    static void properties(PolicyXml root) {
        Optional<PolicyXml> p = root.child("Properties");
        if (p.isPresent() && (!p.get().children().isEmpty() || !p.get().text().isEmpty())) {
            throw p.get().error(root.elementName() + " takes no <Properties>; leave the element empty");
        }
    }

    /** A boolean child element ("true"/"false", any case); absent = the default. */
    static boolean bool(PolicyXml parent, String child, boolean dflt) {
        Optional<PolicyXml> c = parent.child(child);
        if (c.isEmpty()) {
            return dflt;
        }
        return bool(c.get(), c.get().text());
    }

    static boolean bool(PolicyXml at, String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw at.error("<" + at.elementName() + "> must be true or false, not '" + text + "'");
        }
    }

    /** A required child element. */
    static PolicyXml required(PolicyXml parent, String child) {
        return parent.child(child).orElseThrow(() -> parent.error("<" + parent.elementName() + "> needs <" + child + ">"));
    }

    /** A required child element with non-empty text. */
    static String requiredText(PolicyXml parent, String child) {
        PolicyXml c = required(parent, child);
        if (c.text().isEmpty()) {
            throw c.error("<" + child + "> must not be empty");
        }
        return c.text();
    }

    /** Parses a non-negative long or returns -1. */
    static long parseNonNegative(String s) {
        if (s == null) {
            return -1;
        }
        String t = s.trim();
        if (t.isEmpty() || t.length() > 18) {
            return -1;
        }
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(t);
    }

    /** An element that is refused although Apigee documents it: said plainly rather than ignored. */
    static void unsupported(PolicyXml parent, String child, String why) {
        Optional<PolicyXml> c = parent.child(child);
        if (c.isPresent()) {
            c.get().consumeAll();
            throw c.get().error("<" + child + "> is not supported by the local runtime: " + why);
        }
    }

    static ConfigError error(PolicyXml at, String message) {
        return at.error(message);
    }
}
