package eu.securehub.psd2.config;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deploy-time values in the keystores folder: {@code ${name}} or {@code ${name:-default}}.
 *
 * <p>A name is looked up as a Java system property (in Maven: {@code -Dname=value}), then as an
 * environment variable whose name is the upper-cased name with every {@code .} and {@code -} turned
 * into {@code _} ({@code psd2.qwac.p12} → {@code PSD2_QWAC_P12}). Nothing else is interpolated, so
 * a secret never needs to be written into a committed file.
 */
final class Placeholders {
    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)(?::-([^}]*))?}");

    private final Function<String, String> lookup;

    Placeholders(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    /** System properties, then environment variables. */
    static Placeholders fromSystem() {
        Map<String, String> env = System.getenv();
        return new Placeholders(name -> {
            String v = System.getProperty(name);
            return v != null ? v : env.get(envName(name));
        });
    }

    static String envName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The text with every placeholder that has a value (or a default) replaced; others stay as written. */
    String resolve(String text) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = lookup.apply(m.group(1));
            if (value == null || value.isEmpty()) {
                value = m.group(2);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** True when the text still holds a placeholder. */
    static boolean unresolved(String text) {
        return PLACEHOLDER.matcher(text).find();
    }

    /** The names of the placeholders left in the text, for an error message. */
    static String describe(String text) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append("-D").append(m.group(1)).append("=… (or env ").append(envName(m.group(1))).append(')');
        }
        return sb.toString();
    }
}
