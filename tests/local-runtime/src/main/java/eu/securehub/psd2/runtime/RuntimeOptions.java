package eu.securehub.psd2.runtime;

import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to start a {@link LocalRuntime}: the environment (required), the listening host (127.0.0.1) and port (0 = any
 * free port), extra policy factories (they win over ServiceLoader-found and built-in ones for the same type), and
 * whether to look factories up with java.util.ServiceLoader (default true).
 */
public record RuntimeOptions(Environment environment, String host, int port, List<PolicyFactory> factories,
        boolean serviceLoader) {

    public RuntimeOptions {
        Objects.requireNonNull(environment, "environment");
        host = host == null ? "127.0.0.1" : host;
        factories = List.copyOf(factories == null ? List.of() : factories);
    }

    public static RuntimeOptions of(Environment environment) {
        return new RuntimeOptions(environment, "127.0.0.1", 0, List.of(), true);
    }

    public RuntimeOptions withPort(int p) {
        return new RuntimeOptions(environment, host, p, factories, serviceLoader);
    }

    public RuntimeOptions withHost(String h) {
        return new RuntimeOptions(environment, h, port, factories, serviceLoader);
    }

    public RuntimeOptions withFactory(PolicyFactory f) {
        List<PolicyFactory> l = new ArrayList<>(factories);
        l.add(f);
        return new RuntimeOptions(environment, host, port, l, serviceLoader);
    }

    public RuntimeOptions withoutServiceLoader() {
        return new RuntimeOptions(environment, host, port, factories, false);
    }
}
