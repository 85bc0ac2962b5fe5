package eu.securehub.psd2.runtime.spi;

import java.util.Objects;

/** A place in a bundle file: the path relative to the bundle's parent (e.g. "apiproxy/policies/X.xml") and a 1-based line. */
public final class Location {
    private final String file;
    private final int line;

    public Location(String file, int line) {
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
    }

    public String file() {
        return file;
    }

    /** 1-based line; 0 when unknown. */
    public int line() {
        return line;
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Location l && l.file.equals(file) && l.line == line;
    }

    @Override
    public int hashCode() {
        return file.hashCode() * 31 + line;
    }
}
