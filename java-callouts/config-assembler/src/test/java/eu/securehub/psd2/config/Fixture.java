package eu.securehub.psd2.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** A copy of src/test/resources/fixture in a temporary directory, to change per test. */
final class Fixture {
    final Path dir;
    final Path config;
    final Path bundle;

    private Fixture(Path dir) {
        this.dir = dir;
        this.config = dir.resolve("config");
        this.bundle = dir.resolve("apiproxy");
    }

    static Fixture copy(Path tempDir) {
        try {
            Path source = Path.of(Fixture.class.getResource("/fixture").toURI());
            try (Stream<Path> s = Files.walk(source)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Path target = tempDir.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target);
                    }
                }
            }
            return new Fixture(tempDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    Path config(String relative) {
        return config.resolve(relative);
    }

    String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites a config file's text. */
    void edit(String relative, UnaryOperator<String> change) {
        Path file = config(relative);
        String before = read(file);
        String after = change.apply(before);
        if (after.equals(before)) {
            throw new IllegalStateException("the edit changed nothing in " + relative);
        }
        write(file, after);
    }

    void delete(String relative) {
        try {
            Files.delete(config(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ConfigTree load() {
        return ConfigTree.load(config, new Placeholders(name -> null));
    }
}
