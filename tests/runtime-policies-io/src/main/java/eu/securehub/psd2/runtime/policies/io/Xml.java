package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small strict readers for element values shared by the policies of this module. */
final class Xml {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    private Xml() {
    }

    /** A boolean child: "true"/"false" (case-insensitive), anything else is a ConfigError. */
    static Optional<Boolean> bool(PolicyXml parent, String child) {
        Optional<PolicyXml> c = parent.child(child);
        if (c.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(bool(c.get()));
    }

    static boolean bool(PolicyXml element) {
        String t = element.text().toLowerCase(Locale.ROOT);
        if (t.equals("true")) {
            return true;
        }
        if (t.equals("false")) {
            return false;
        }
        throw element.error("<" + element.elementName() + "> must be true or false, not '" + element.text() + "'");
    }

    /** A non-negative integer (ConfigError otherwise). */
    static long nonNegative(PolicyXml element, String text) {
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw element.error("<" + element.elementName() + "> must be a non-negative integer, not '" + text + "'");
        }
    }

    /** A duration such as "60s", "5m", "1h", "2d", "500ms"; a bare number means seconds. */
    static Duration duration(PolicyXml element, String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw element.error("<" + element.elementName() + "> is not a duration (e.g. 60s, 5m, 1h): '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new ConfigError(element.location(), "unknown duration unit " + unit);
        };
    }

    /** An element that must have no text (only attributes/children). */
    static void noText(PolicyXml element) {
        if (!element.text().isEmpty()) {
            throw element.error("<" + element.elementName() + "> takes no text here");
        }
    }
}
