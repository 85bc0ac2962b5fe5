package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A bundle directory (apiproxy/ or sharedflowbundle/) for the tests. */
record TestBundle(String name, Path root, boolean isSharedFlow) implements BundleInfo {
    @Override
    public Optional<Path> resource(String type, String file) {
        Path p = root.resolve("resources").resolve(type).resolve(file);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    static Path hubRoot() {
        String r = System.getProperty("hub.root");
        Path p = r != null ? Path.of(r) : Path.of("../..");
        return p.toAbsolutePath().normalize();
    }
}
