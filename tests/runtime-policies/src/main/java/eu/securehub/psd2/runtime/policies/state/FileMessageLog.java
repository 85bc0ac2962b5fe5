package eu.securehub.psd2.runtime.policies.state;

import eu.securehub.psd2.runtime.spi.MessageLog;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The stand-in for Cloud Logging (apigee-semantics.md §4.12): each {@link #write} appends one JSON object on one
 * line to a file — {@code {"timestamp":"<ISO-8601 UTC>","logName":"…","labels":{…},"message":"…"}} — and flushes
 * it, so a reader (the end-to-end suite's privacy check) sees every entry as soon as the policy has run. The
 * message is kept as a string (what the policy rendered, byte for byte). Thread-safe; lines never interleave.
 */
public final class FileMessageLog implements MessageLog, Closeable {
    private final Path file;
    private final Clock clock;
    private final Writer out;

    public FileMessageLog(Path file, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the message log " + file, e);
        }
    }

    public FileMessageLog(Path file) {
        this(file, Clock.systemUTC());
    }

    public Path file() {
        return file;
    }

    @Override
    public void write(String logName, String message, Map<String, String> labels) {
        StringBuilder line = new StringBuilder(128 + (message == null ? 0 : message.length()));
        line.append("{\"timestamp\":");
        Json.string(line, DateTimeFormatter.ISO_INSTANT.format(clock.instant()));
        line.append(",\"logName\":");
        Json.string(line, logName == null ? "" : logName);
        line.append(",\"labels\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(labels == null ? Map.<String, String>of() : labels).entrySet()) {
            if (!first) {
                line.append(',');
            }
            first = false;
            Json.string(line, e.getKey());
            line.append(':');
            Json.string(line, e.getValue() == null ? "" : e.getValue());
        }
        line.append("},\"message\":");
        Json.string(line, message == null ? "" : message);
        line.append("}\n");
        synchronized (out) {
            try {
                out.write(line.toString());
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the message log " + file, e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (out) {
            out.close();
        }
    }
}
