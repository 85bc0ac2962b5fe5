package eu.securehub.psd2.load;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code name=value} arguments of a run ({@code --name=value} too), each name one the run knows; the project root
 * from {@code root}, the system property {@code hub.root} or the sandbox's guess, in that order.
 */
final class RunArgs {
    private final Map<String, String> values;

    private RunArgs(Map<String, String> values) {
        this.values = values;
    }

    /** Refuses an argument without {@code =} or with a name not in {@code names}; {@code hint} ends the message. */
    static RunArgs parse(String[] args, List<String> names, String hint) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : args) {
            String s = a.startsWith("--") ? a.substring(2) : a;
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected name=value, got " + a + " (names: "
                        + String.join(", ", names) + hint + ")");
            }
            m.put(s.substring(0, eq), s.substring(eq + 1));
        }
        List<String> unknown = m.keySet().stream().filter(n -> !names.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown arguments " + unknown);
        }
        return new RunArgs(m);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** The path given as {@code name}, or null when it is not given. */
    Path path(String name) {
        return values.containsKey(name) ? Path.of(values.get(name)) : null;
    }

    Path root() {
        return Path.of(values.getOrDefault("root", System.getProperty("hub.root",
                eu.securehub.psd2.sandbox.BerlinGroupContract.projectRoot().toString()))).toAbsolutePath().normalize();
    }
}
