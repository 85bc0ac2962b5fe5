package eu.securehub.psd2.deploy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** The entries of a bundle zip as the management API received it. */
final class BundleZip {

    private static final Pattern SHARED_FLOW_BUNDLE =
            Pattern.compile("<SharedFlowBundle>\\s*([^<\\s]+)\\s*</SharedFlowBundle>");

    private final Map<String, byte[]> entries;

    private BundleZip(Map<String, byte[]> entries) {
        this.entries = entries;
    }

    static BundleZip of(byte[] zip) {
        Map<String, byte[]> entries = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.isDirectory()) {
                    entries.put(e.getName().replace('\\', '/'), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not a zip", e);
        }
        return new BundleZip(entries);
    }

    Set<String> names() {
        return entries.keySet();
    }

    byte[] content(String name) {
        return entries.get(name);
    }

    List<String> namesMatching(String regex) {
        return entries.keySet().stream().filter(n -> n.matches(regex)).collect(Collectors.toList());
    }

    /** The shared flows that this bundle's FlowCallout policies call. */
    Set<String> flowCalloutTargets() {
        Set<String> targets = new TreeSet<>();
        entries.forEach((name, bytes) -> {
            if (name.matches("[^/]+/policies/[^/]+\\.xml")) {
                String xml = new String(bytes, StandardCharsets.UTF_8);
                if (xml.contains("<FlowCallout")) {
                    Matcher m = SHARED_FLOW_BUNDLE.matcher(xml);
                    while (m.find()) {
                        targets.add(m.group(1));
                    }
                }
            }
        });
        return targets;
    }

    /** The entries of a jar inside this zip. */
    Set<String> jarEntries(String name) {
        return of(entries.get(name)).names();
    }

    /**
     * Paths of the files under {@code sourceDir}, prefixed with {@code prefix} (the bundle's top folder,
     * {@code apiproxy} or {@code sharedflowbundle}): what the zip must contain at least.
     */
    static Set<String> expectedFrom(Path sourceDir, String prefix) throws IOException {
        try (Stream<Path> files = Files.walk(sourceDir)) {
            return files.filter(Files::isRegularFile)
                    .map(f -> prefix + "/" + sourceDir.relativize(f).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
