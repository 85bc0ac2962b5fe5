package eu.securehub.psd2.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A copy of the project's source files (what git tracks, plus new files git does not ignore) in a fresh
 * directory, so that a nested build never writes into the working tree. A {@code shared} directory beside
 * the project root is linked beside the copy, for paths such as {@code ../shared/…}, and so is an
 * installed {@code node_modules} (apigeelint), which the offline nested build could not install.
 */
final class ProjectCopy {

    /** Directories never copied when git cannot list the files. */
    private static final Set<String> NOT_SOURCES = Set.of(".git", "target", "node_modules", ".idea", ".vscode");

    private ProjectCopy() {
    }

    /** The project root: this module sits in {@code <root>/tests/deploy-tests}. */
    static Path projectRoot() {
        String basedir = System.getProperty("deploytests.basedir", System.getProperty("basedir", "."));
        Path root = Paths.get(basedir).toAbsolutePath().normalize().getParent().getParent();
        if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isRegularFile(root.resolve("shared-pom.xml"))) {
            throw new IllegalStateException("no project root (pom.xml and shared-pom.xml) at " + root);
        }
        return root;
    }

    /** The directory under this module's target/ where nested builds run. */
    static Path workDir() throws IOException {
        Path dir = Paths.get(System.getProperty("deploytests.workdir",
                Paths.get(System.getProperty("deploytests.basedir", "."), "target", "deploy-tests").toString()));
        Files.createDirectories(dir);
        return dir.toAbsolutePath();
    }

    /**
     * Copies {@code root}'s source files into a new directory under {@code parent}, after removing the
     * copies an earlier run left with the same label; returns the copy's root.
     */
    static Path copy(Path root, Path parent, String label) throws IOException {
        try (Stream<Path> earlier = Files.list(parent)) {
            for (Path old : earlier.filter(p -> p.getFileName().toString().matches(Pattern.quote(label) + "-[0-9]+"))
                    .toList()) {
                deleteTree(old);
            }
        }
        Path base = Files.createTempDirectory(parent, label + "-");
        Path copy = base.resolve(root.getFileName().toString());
        Files.createDirectories(copy);
        for (String file : sourceFiles(root)) {
            Path from = root.resolve(file);
            if (!Files.isRegularFile(from)) {
                continue; // deleted in the working tree, or a submodule
            }
            Path to = copy.resolve(file);
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
        // Build tools npm installed in the project (gitignored): linked, not installed again offline.
        Path nodeModules = root.resolve("node_modules");
        if (Files.isRegularFile(nodeModules.resolve("apigeelint/package.json"))) {
            Files.createSymbolicLink(copy.resolve("node_modules"), nodeModules.toAbsolutePath());
        }
        Path shared = root.resolveSibling("shared");
        if (Files.isDirectory(shared)) {
            Files.createSymbolicLink(base.resolve("shared"), shared.toAbsolutePath());
        }
        return copy;
    }

    /** Deletes a directory tree; symbolic links are removed, never followed. */
    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Relative paths of the source files: git's list when git answers, else a walk without build output. */
    static List<String> sourceFiles(Path root) throws IOException {
        List<String> fromGit = gitFiles(root);
        if (fromGit != null) {
            return fromGit;
        }
        List<String> files = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(root) && NOT_SOURCES.contains(dir.getFileName().toString())
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    files.add(root.relativize(file).toString());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    private static List<String> gitFiles(Path root) {
        if (!Files.exists(root.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            Process p = new ProcessBuilder("git", "-C", root.toString(), "ls-files", "-z",
                    "--cached", "--others", "--exclude-standard")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            List<String> files = new ArrayList<>();
            for (String f : new String(out, StandardCharsets.UTF_8).split("\0")) {
                if (!f.isEmpty()) {
                    files.add(f);
                }
            }
            return files.isEmpty() ? null : files;
        } catch (IOException e) {
            return null; // no git on this machine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while listing files", e));
        }
    }
}
