package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A loaded proxy or shared-flow bundle. */
public final class Bundle implements BundleInfo {
    private final String name;
    private final boolean sharedFlow;
    private final String revision;
    private final Path root;
    final Map<String, Policy> policies = new LinkedHashMap<>();
    final Map<String, Model.ProxyEndpointDef> proxyEndpoints = new LinkedHashMap<>();
    final Map<String, Model.TargetEndpointDef> targetEndpoints = new LinkedHashMap<>();
    List<Model.Step> sharedFlowSteps = List.of();
    private volatile ClassLoader javaLoader;

    Bundle(String name, boolean sharedFlow, String revision, Path root) {
        this.name = name;
        this.sharedFlow = sharedFlow;
        this.revision = revision;
        this.root = root;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isSharedFlow() {
        return sharedFlow;
    }

    @Override
    public String revision() {
        return revision;
    }

    @Override
    public Path root() {
        return root;
    }

    @Override
    public Optional<Path> resource(String type, String resourceName) {
        if (resourceName.contains("..") || resourceName.contains("/") || type.contains("..") || type.contains("/")) {
            return Optional.empty();
        }
        Path p = root.resolve("resources").resolve(type).resolve(resourceName);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    public Map<String, Policy> policies() {
        return policies;
    }

    public Map<String, Model.ProxyEndpointDef> proxyEndpoints() {
        return proxyEndpoints;
    }

    public Map<String, Model.TargetEndpointDef> targetEndpoints() {
        return targetEndpoints;
    }

    public List<Model.Step> sharedFlowSteps() {
        return sharedFlowSteps;
    }

    /** The bundle's Java class loader over resources/java (one per bundle; created on first use). */
    public ClassLoader javaLoader() {
        ClassLoader l = javaLoader;
        if (l == null) {
            synchronized (this) {
                if (javaLoader == null) {
                    javaLoader = JavaResources.loaderFor(root.resolve("resources").resolve("java"));
                }
                l = javaLoader;
            }
        }
        return l;
    }

    @Override
    public String toString() {
        return (sharedFlow ? "sharedflow " : "proxy ") + name;
    }
}
