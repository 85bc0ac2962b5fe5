package eu.securehub.psd2.runtime.spi;

import java.nio.file.Path;
import java.util.Optional;

/** The bundle a policy belongs to. */
public interface BundleInfo {
    /** The proxy's or shared flow's name (apiproxy.name / sharedflow name). */
    String name();

    boolean isSharedFlow();

    /** A file under resources/{type}/{name}, e.g. ("oas", "psd2.yaml"), ("java", "callouts.jar"). */
    Optional<Path> resource(String type, String name);

    /** The revision (apiproxy.revision); "1" unless the descriptor says otherwise. */
    default String revision() {
        return "1";
    }

    /** The bundle's root directory (apiproxy/ or sharedflowbundle/; zips are extracted to a temporary directory). */
    default Path root() {
        throw new UnsupportedOperationException("root");
    }
}
