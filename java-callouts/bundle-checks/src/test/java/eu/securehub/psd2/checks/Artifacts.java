package eu.securehub.psd2.checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The artifacts under check, handed over by the build as system properties. */
final class Artifacts {
    private Artifacts() {
    }

    static Path callouts() {
        return Path.of(required("callouts.artifact"));
    }

    static List<Path> apiModules() {
        List<Path> out = new ArrayList<>();
        for (String p : required("api.artifacts").split(",")) {
            out.add(Path.of(p.trim()));
        }
        return out;
    }

    static String referenceJavap() throws IOException {
        try (InputStream in = Artifacts.class.getResourceAsStream("/apigee-callout-api.javap")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static ApiReference reference() throws IOException {
        return ApiReference.parse(referenceJavap());
    }

    private static String required(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank() || v.contains("${")) {
            throw new IllegalStateException("run through Maven: system property " + name + " is not set");
        }
        return v;
    }
}
