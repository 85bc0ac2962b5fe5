package eu.securehub.psd2.runtime;

import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to start a {@link LocalRuntime}: the environment (required), the listening host (127.0.0.1) and port (0 = any
 * free port), extra policy factories (they win over ServiceLoader-found and built-in ones for the same type), whether
 * to look factories up with java.util.ServiceLoader (default true), and the views of further message processors of
 * the same environment ({@code otherNodes}: each with its own node-local state, e.g. its own KVM read cache; none by
 * default).
 */
public record RuntimeOptions(Environment environment, String host, int port, List<PolicyFactory> factories,
        boolean serviceLoader, List<Environment> otherNodes) {

    public RuntimeOptions {
        Objects.requireNonNull(environment, "environment");
        host = host == null ? "127.0.0.1" : host;
        factories = List.copyOf(factories == null ? List.of() : factories);
        otherNodes = List.copyOf(otherNodes == null ? List.of() : otherNodes);
        for (Environment n : otherNodes) {
            if (!n.name().equals(environment.name())) {
                throw new IllegalArgumentException("node of environment " + n.name() + " in " + environment.name());
            }
        }
    }

    public static RuntimeOptions of(Environment environment) {
        return new RuntimeOptions(environment, "127.0.0.1", 0, List.of(), true, List.of());
    }

    public RuntimeOptions withPort(int p) {
        return new RuntimeOptions(environment, host, p, factories, serviceLoader, otherNodes);
    }

    public RuntimeOptions withHost(String h) {
        return new RuntimeOptions(environment, h, port, factories, serviceLoader, otherNodes);
    }

    public RuntimeOptions withFactory(PolicyFactory f) {
        List<PolicyFactory> l = new ArrayList<>(factories);
        l.add(f);
        return new RuntimeOptions(environment, host, port, l, serviceLoader, otherNodes);
    }

    public RuntimeOptions withoutServiceLoader() {
        return new RuntimeOptions(environment, host, port, factories, false, otherNodes);
    }

    /** Further message processors, each the environment as one node sees it (see {@link LocalRuntime}). */
    public RuntimeOptions withOtherNodes(List<Environment> nodes) {
        return new RuntimeOptions(environment, host, port, factories, serviceLoader, nodes);
    }
}
