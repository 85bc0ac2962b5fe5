package eu.securehub.psd2.e2e;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The runtime's own log output while installed: every java.util.logging record (any level, any logger; message,
 * parameters and thrown stack trace) and everything written to System.out and System.err (still passed on).
 */
final class LogCapture implements AutoCloseable {
    private final List<String> records = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final Handler handler;
    private final Logger root = Logger.getLogger("");
    private final Logger project = Logger.getLogger("eu.securehub");
    private final Level previousProjectLevel;
    private final PrintStream out;
    private final PrintStream err;

    LogCapture() {
        handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                StringBuilder b = new StringBuilder().append(r.getLevel()).append(' ').append(r.getLoggerName())
                        .append(": ").append(r.getMessage());
                if (r.getParameters() != null) {
                    for (Object p : r.getParameters()) {
                        b.append(" | ").append(p);
                    }
                }
                if (r.getThrown() != null) {
                    StringWriter w = new StringWriter();
                    r.getThrown().printStackTrace(new PrintWriter(w));
                    b.append('\n').append(w);
                }
                records.add(b.toString());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        previousProjectLevel = project.getLevel();
        project.setLevel(Level.ALL);
        out = System.out;
        err = System.err;
        System.setOut(new PrintStream(new Tee(out, console), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, console), true, StandardCharsets.UTF_8));
    }

    /** Every line captured so far (log records, then console output). */
    List<String> lines() {
        List<String> all = new ArrayList<>();
        synchronized (records) {
            for (String r : records) {
                all.addAll(List.of(r.split("\n")));
            }
        }
        String text;
        synchronized (console) {
            text = console.toString(StandardCharsets.UTF_8);
        }
        all.addAll(List.of(text.split("\n")));
        return all;
    }

    int recordCount() {
        return records.size();
    }

    @Override
    public void close() {
        System.setOut(out);
        System.setErr(err);
        root.removeHandler(handler);
        project.setLevel(previousProjectLevel);
    }

    private final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) {
            try {
                synchronized (console) {
                    second.write(b);
                }
                first.write(b);
            } catch (java.io.IOException e) {
                // the original stream's problem, not the capture's
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                synchronized (console) {
                    second.write(b, off, len);
                }
                first.write(b, off, len);
            } catch (java.io.IOException e) {
                // as above
            }
        }
    }
}
