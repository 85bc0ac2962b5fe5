package eu.securehub.psd2.bundletests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The project as the tests see it: the built bundles and the config folders.
 *
 * <p>Layout (relative to the project root, the folder holding {@code shared-pom.xml}):
 * <ul>
 *   <li>the proxy, built: {@code target/apiproxy} (copied from {@code apiproxy/} at package);</li>
 *   <li>each shared flow, built: {@code sharedflows/<name>/target/sharedflowbundle};</li>
 *   <li>config: {@code targetservers/<env>/*.json}, {@code keystores/<env>/}, {@code kvms/<env>/*.json},
 *       {@code edge.json} and the assembled {@code config/target/edge.json} (folders also looked for under
 *       {@code config/}).</li>
 * </ul>
 */
record Hub(Path root, List<Bundle> proxies, List<Bundle> sharedFlows) {

  static final String BUILD_HINT = "build the bundles first: cd %s && mvn -q package "
      + "(a full mvn verify of the root project builds them before these tests run)";

  /** The project root: system property hub.root (set by the pom), else the nearest parent with shared-pom.xml. */
  static Path locateRoot() {
    String prop = System.getProperty("hub.root");
    if (prop != null && !prop.isBlank()) {
      Path p = Paths.get(prop).toAbsolutePath().normalize();
      if (Files.isRegularFile(p.resolve("shared-pom.xml"))) {
        return p;
      }
      throw new AssertionError("hub.root=" + p + " holds no shared-pom.xml: not the project root");
    }
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("shared-pom.xml"))) {
        return p;
      }
    }
    throw new AssertionError("project root not found: no shared-pom.xml above " + Paths.get("").toAbsolutePath());
  }

  /** The built bundles under root; fails with a clear message when a bundle is not built or is stale. */
  static Hub built(Path root) {
    return built(root, "target");
  }

  /**
   * The same with another build folder name: the fixtures use {@code built/}, since {@code target/} folders are
   * ignored by git.
   */
  static Hub built(Path root, String buildDir) {
    List<String> problems = new ArrayList<>();
    List<Bundle> proxies = new ArrayList<>();
    Path proxyBuilt = root.resolve(buildDir).resolve("apiproxy");
    if (Files.isDirectory(proxyBuilt)) {
      checkFresh(root.resolve("apiproxy"), proxyBuilt, root, problems);
      proxies.add(Bundle.at(Bundle.Kind.PROXY, proxyBuilt, root));
    } else {
      problems.add("the proxy bundle is not built: " + root.relativize(proxyBuilt) + " does not exist");
    }
    List<Bundle> flows = new ArrayList<>();
    Path sfRoot = root.resolve("sharedflows");
    if (Files.isDirectory(sfRoot)) {
      for (Path module : Bundle.list(sfRoot)) {
        if (!Files.isDirectory(module)
            || !(Files.isDirectory(module.resolve("sharedflowbundle")) || Files.isRegularFile(module.resolve("pom.xml"))
                || Files.isDirectory(module.resolve(buildDir).resolve("sharedflowbundle")))) {
          continue;
        }
        Path built = module.resolve(buildDir).resolve("sharedflowbundle");
        if (Files.isDirectory(built)) {
          checkFresh(module.resolve("sharedflowbundle"), built, root, problems);
          flows.add(Bundle.at(Bundle.Kind.SHARED_FLOW, built, root));
        } else {
          problems.add("the shared flow bundle is not built: " + root.relativize(built) + " does not exist");
        }
      }
    }
    if (!problems.isEmpty()) {
      List<String> shown = problems.size() > 12 ? problems.subList(0, 12) : problems;
      String more = problems.size() > shown.size() ? "\n… and " + (problems.size() - shown.size()) + " more" : "";
      throw new AssertionError(String.join("\n", shown) + more + "\n" + BUILD_HINT.formatted(root));
    }
    return new Hub(root, List.copyOf(proxies), List.copyOf(flows));
  }

  /**
   * Every source file but a template must be in the built copy. Only presence is checked: the build may generate
   * files (bank targets) and rewrite others (route rules) from config.
   */
  private static void checkFresh(Path source, Path built, Path root, List<String> problems) {
    if (!Files.isDirectory(source)) {
      return;
    }
    try (Stream<Path> s = Files.walk(source)) {
      s.filter(Files::isRegularFile)
          // A *.template is consumed by the build (the bank TargetEndpoints are made from it), never shipped.
          .filter(f -> !f.getFileName().toString().endsWith(".template"))
          // A guide (*.md) lives beside what it describes and is never shipped (shared-pom.xml excludes it).
          .filter(f -> !f.getFileName().toString().endsWith(".md"))
          .filter(f -> !Files.isRegularFile(built.resolve(source.relativize(f).toString())))
          .forEach(f -> problems.add("stale build: " + root.relativize(f) + " is missing from " + root.relativize(built)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<Bundle> bundles() {
    List<Bundle> all = new ArrayList<>(proxies);
    all.addAll(sharedFlows);
    return all;
  }

  Optional<Bundle> sharedFlow(String name) {
    return sharedFlows.stream().filter(b -> b.name().equals(name)).findFirst();
  }

  /** A config folder (targetservers, keystores, kvms) at the root or under config/. */
  Optional<Path> configDir(String name) {
    for (Path p : List.of(root.resolve(name), root.resolve("config").resolve(name))) {
      if (Files.isDirectory(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** edge.json files: the committed one and the assembled one, where present. */
  List<Path> edgeJsonFiles() {
    List<Path> out = new ArrayList<>();
    for (Path p : List.of(root.resolve("edge.json"), root.resolve("config/edge.json"), root.resolve("target/edge.json"),
        root.resolve("config/target/edge.json"))) {
      if (Files.isRegularFile(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Every file of the config folders and edge.json files. */
  List<Path> configFiles() {
    List<Path> out = new ArrayList<>();
    for (String name : List.of("targetservers", "keystores", "kvms")) {
      configDir(name).ifPresent(d -> {
        try (Stream<Path> s = Files.walk(d)) {
          s.filter(Files::isRegularFile).sorted().forEach(out::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    out.addAll(edgeJsonFiles());
    return out;
  }

  String rel(Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }
}
