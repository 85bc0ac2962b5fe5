package eu.securehub.psd2.bundletests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.w3c.dom.Element;

/**
 * One built bundle: an API proxy ({@code apiproxy/}) or a shared flow ({@code sharedflowbundle/}).
 *
 * @param kind  proxy or shared flow
 * @param name  the name in the bundle's descriptor ({@code <APIProxy name>} / {@code <SharedFlowBundle name>})
 * @param dir   the bundle directory itself ({@code .../apiproxy} or {@code .../sharedflowbundle})
 * @param root  the project root, for messages relative to it
 */
record Bundle(Kind kind, String name, Path dir, Path root) {

  enum Kind {
    PROXY("apiproxy", "APIProxy"),
    SHARED_FLOW("sharedflowbundle", "SharedFlowBundle");

    final String dirName;
    final String descriptorElement;

    Kind(String dirName, String descriptorElement) {
      this.dirName = dirName;
      this.descriptorElement = descriptorElement;
    }
  }

  /** A policy file: its file name without .xml, its root element. */
  record Policy(String fileName, Path file, Element root) {
    String type() {
      return root.getTagName();
    }

    String name() {
      return root.getAttribute("name");
    }
  }

  /** Reads the bundle at dir; its name comes from the one descriptor XML directly inside it. */
  static Bundle at(Kind kind, Path dir, Path root) {
    List<Path> descriptors = list(dir).stream()
        .filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".xml"))
        .toList();
    String name = dir.getParent().getFileName().toString();
    for (Path d : descriptors) {
      Element e = Xml.parse(d);
      if (e.getTagName().equals(kind.descriptorElement) && !e.getAttribute("name").isEmpty()) {
        name = e.getAttribute("name");
      }
    }
    return new Bundle(kind, name, dir, root);
  }

  String rel(Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  /** policies/*.xml by policy name attribute (file name when the attribute is missing). */
  Map<String, Policy> policies() {
    Map<String, Policy> out = new LinkedHashMap<>();
    for (Path f : xmlFilesIn(dir.resolve("policies"))) {
      String fileName = f.getFileName().toString().replaceFirst("\\.xml$", "");
      Policy p = new Policy(fileName, f, Xml.parse(f));
      out.put(p.name().isEmpty() ? fileName : p.name(), p);
    }
    return out;
  }

  /** The endpoint and flow files: proxies/*.xml, targets/*.xml, sharedflows/*.xml. */
  List<Path> flowFiles() {
    List<Path> out = new ArrayList<>();
    for (String sub : List.of("proxies", "targets", "sharedflows")) {
      out.addAll(xmlFilesIn(dir.resolve(sub)));
    }
    return out;
  }

  List<Path> endpointFiles(String sub) {
    return xmlFilesIn(dir.resolve(sub));
  }

  /** Every .xml file of the bundle, at any depth. */
  List<Path> allXml() {
    return allFiles().stream().filter(p -> p.getFileName().toString().endsWith(".xml")).toList();
  }

  /** Every file of the bundle, at any depth. */
  List<Path> allFiles() {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> xmlFilesIn(Path d) {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    return list(d).stream()
        .filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".xml"))
        .toList();
  }

  static List<Path> list(Path d) {
    try (Stream<Path> s = Files.list(d)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
