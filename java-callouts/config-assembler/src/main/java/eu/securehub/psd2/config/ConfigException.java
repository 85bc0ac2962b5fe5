package eu.securehub.psd2.config;

import java.util.List;

/**
 * A configuration problem, reported as plain text naming the file and what to change. It carries no
 * stack trace: the message is the whole report (also when the JVM prints it as uncaught).
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConfigException(String message) {
        super(message, null, false, false);
    }

    /** One exception listing every problem found, one per line. */
    static ConfigException of(String heading, List<String> problems) {
        StringBuilder sb = new StringBuilder(heading);
        for (String p : problems) {
            sb.append(System.lineSeparator()).append("  - ").append(p);
        }
        return new ConfigException(sb.toString());
    }
}
