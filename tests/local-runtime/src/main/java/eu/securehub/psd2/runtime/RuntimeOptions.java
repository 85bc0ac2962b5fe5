package eu.securehub.psd2.runtime;

import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.trace.DebugMask;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to start a {@link LocalRuntime}: the environment (required), the listening host (127.0.0.1) and port (0 = any
 * free port), extra policy factories (they win over ServiceLoader-found and built-in ones for the same type), whether
 * to look factories up with java.util.ServiceLoader (default true), and the views of further message processors of
 * the same environment ({@code otherNodes}: each with its own node-local state, e.g. its own KVM read cache; none by
 * default), and the Debug traces kept ({@code traces}: the ring buffer's capacity, 0 = tracing off, the default) with
 * the environment's debug mask applied to them ({@code debugMask}, default {@link DebugMask#NONE}).
 */
public record RuntimeOptions(Environment environment, String host, int port, List<PolicyFactory> factories,
        boolean serviceLoader, List<Environment> otherNodes, int traces, DebugMask debugMask) {

    public RuntimeOptions {
        Objects.requireNonNull(environment, "environment");
        host = host == null ? "127.0.0.1" : host;
        factories = List.copyOf(factories == null ? List.of() : factories);
        otherNodes = List.copyOf(otherNodes == null ? List.of() : otherNodes);
        debugMask = debugMask == null ? DebugMask.NONE : debugMask;
        if (traces < 0) {
            throw new IllegalArgumentException("traces must be >= 0, not " + traces);
        }
        for (Environment n : otherNodes) {
            if (!n.name().equals(environment.name())) {
                throw new IllegalArgumentException("node of environment " + n.name() + " in " + environment.name());
            }
        }
    }

    public static RuntimeOptions of(Environment environment) {
        return new RuntimeOptions(environment, "127.0.0.1", 0, List.of(), true, List.of(), 0, DebugMask.NONE);
    }

    public RuntimeOptions withPort(int p) {
        return new RuntimeOptions(environment, host, p, factories, serviceLoader, otherNodes, traces, debugMask);
    }

    public RuntimeOptions withHost(String h) {
        return new RuntimeOptions(environment, h, port, factories, serviceLoader, otherNodes, traces, debugMask);
    }

    public RuntimeOptions withFactory(PolicyFactory f) {
        List<PolicyFactory> l = new ArrayList<>(factories);
        l.add(f);
        return new RuntimeOptions(environment, host, port, l, serviceLoader, otherNodes, traces, debugMask);
    }

    public RuntimeOptions withoutServiceLoader() {
        return new RuntimeOptions(environment, host, port, factories, false, otherNodes, traces, debugMask);
    }

    /** Further message processors, each the environment as one node sees it (see {@link LocalRuntime}). */
    public RuntimeOptions withOtherNodes(List<Environment> nodes) {
        return new RuntimeOptions(environment, host, port, factories, serviceLoader, nodes, traces, debugMask);
    }

    /** Keeps the last {@code capacity} requests' Debug traces ({@link LocalRuntime#traces()}); 0 = tracing off. */
    public RuntimeOptions withTraces(int capacity) {
        return new RuntimeOptions(environment, host, port, factories, serviceLoader, otherNodes, capacity, debugMask);
    }

    /** The environment's debug mask, applied to every trace before it is kept. */
    public RuntimeOptions withDebugMask(DebugMask mask) {
        return new RuntimeOptions(environment, host, port, factories, serviceLoader, otherNodes, traces, mask);
    }
}
