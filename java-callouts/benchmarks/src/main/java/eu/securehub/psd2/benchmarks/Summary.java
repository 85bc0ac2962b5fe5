package eu.securehub.psd2.benchmarks;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

/**
 * The run's summary: per payload size, the callouts next to the baselines, the ratio of each callout
 * to the raw-plus-base64 baseline, allocation per call, the token figures, and the goals with PASS
 * or MISS. Only shows figures: a MISS never changes the exit status. A run on a busy machine (see
 * {@link MachineLoad}) shows its figures but judges no goal.
 */
final class Summary {
    static final String ALLOC = "gc.alloc.rate.norm";
    static final int[] SIZES = {1024, 65536, 1048576};

    static final double GOAL_ENCRYPT_1K_US = 1.5;
    static final double GOAL_ENCRYPT_64K_RATIO = 1.15;
    static final double GOAL_DECRYPT_1K_US = 1.5;
    /** Decrypt at 64 KB and 1 MB: no slower than the raw+b64 baseline of the same run. */
    static final double GOAL_DECRYPT_RATIO = 1.0;
    static final double GOAL_ALLOC_1K_BYTES = 6 * 1024;
    static final double GOAL_RESOLVE_P50_US = 5.0;

    private final Map<String, RunResult> byKey = new LinkedHashMap<>();
    private final boolean quick;
    private final long seconds;
    private final MachineLoad load;

    Summary(List<RunResult> results, boolean quick, long seconds, MachineLoad load) {
        for (RunResult r : results) {
            byKey.put(key(method(r), r.getParams().getParam(BenchmarkRunner.SIZE)), r);
        }
        this.quick = quick;
        this.seconds = seconds;
        this.load = load;
    }

    private static String key(String method, Object size) {
        return method + "|" + (size == null ? "" : size);
    }

    private static String method(RunResult r) {
        String name = r.getParams().getBenchmark();
        return name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1); // Class.method
    }

    private RunResult get(String method, int size) {
        return byKey.get(key(method, size == 0 ? null : Integer.toString(size)));
    }

    /** Mean time per call in microseconds, or NaN when not run. */
    private double micros(String method, int size) {
        RunResult r = get(method, size);
        return r == null ? Double.NaN : toMicros(r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreUnit());
    }

    private double microsError(String method, int size) {
        RunResult r = get(method, size);
        return r == null ? Double.NaN
                : toMicros(r.getPrimaryResult().getScoreError(), r.getPrimaryResult().getScoreUnit());
    }

    /** Bytes allocated per call (GC profiler), or NaN. */
    private double alloc(String method, int size) {
        RunResult r = get(method, size);
        if (r == null) {
            return Double.NaN;
        }
        Result<?> a = r.getSecondaryResults().get(ALLOC);
        return a == null ? Double.NaN : a.getScore();
    }

    static double toMicros(double value, String unit) {
        String u = unit.trim();
        boolean throughput = u.startsWith("ops/");
        String time = throughput ? u.substring(4) : u.substring(0, u.indexOf('/'));
        double perUs;
        switch (time) {
            case "ns": perUs = 1000; break;
            case "us": perUs = 1; break;
            case "ms": perUs = 1e-3; break;
            case "s": perUs = 1e-6; break;
            case "min": perUs = 1e-6 / 60; break;
            default: return Double.NaN;
        }
        return throughput ? 1 / (value * perUs) : value / perUs;
    }

    void print(PrintStream out) {
        out.println();
        out.println("==================================== SUMMARY ====================================");
        out.printf(Locale.ROOT, "JVM %s %s, %d cores; run took %d min %02d s%s%n", System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), seconds / 60,
                seconds % 60, quick ? "; QUICK run: indicative figures only, not for the goals" : "");
        out.printf(Locale.ROOT, "JDK %s (%s), %s %s; %s%n", System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor"), System.getProperty("os.name"), System.getProperty("os.arch"),
                load.describe());
        out.println("Times: microseconds per call, mean +- 99.9% confidence half-width. Alloc: bytes per call.");
        out.println("raw = JCA AES-256-GCM per call (getInstance, init with a fresh random IV, doFinal) on bytes;");
        out.println("raw+b64 = raw and base64url to/from a String. Ratio = callout / raw+b64.");
        table(out, "ENCRYPT", "calloutEncrypt", "rawEncrypt", "rawBase64Encrypt");
        table(out, "DECRYPT", "calloutDecrypt", "rawDecrypt", "rawBase64Decrypt");
        tokens(out);
        goals(out);
        out.println("=================================================================================");
    }

    private void table(PrintStream out, String title, String callout, String raw, String rawB64) {
        String c = "EnvelopeBenchmark." + callout;
        String r = "EnvelopeBenchmark." + raw;
        String b = "EnvelopeBenchmark." + rawB64;
        out.println();
        out.printf(Locale.ROOT, "%s (envelope callout execute, text in and out)%n", title);
        out.printf(Locale.ROOT, "%-6s %20s %20s %20s %7s %11s %11s %11s%n", "size", "callout us", "raw us",
                "raw+b64 us", "ratio", "B callout", "B raw", "B raw+b64");
        for (int size : SIZES) {
            if (get(c, size) == null && get(r, size) == null && get(b, size) == null) {
                continue;
            }
            out.printf(Locale.ROOT, "%-6s %20s %20s %20s %7s %11s %11s %11s%n", sizeLabel(size),
                    time(micros(c, size), microsError(c, size)), time(micros(r, size), microsError(r, size)),
                    time(micros(b, size), microsError(b, size)), ratio(micros(c, size) / micros(b, size)),
                    bytes(alloc(c, size)), bytes(alloc(r, size)), bytes(alloc(b, size)));
        }
    }

    private void tokens(PrintStream out) {
        out.println();
        out.println("OPAQUE TOKENS (callout execute; resolve = lookup step + decrypt step of a stored record)");
        RunResult mint = get("TokenBenchmark.mint", 0);
        if (mint != null) {
            out.printf(Locale.ROOT, "mint      mean %s us                                   alloc %s B%n",
                    time(micros("TokenBenchmark.mint", 0), microsError("TokenBenchmark.mint", 0)),
                    bytes(alloc("TokenBenchmark.mint", 0)));
        }
        RunResult resolve = get("TokenBenchmark.resolve", 0);
        if (resolve != null) {
            Result<?> p = resolve.getPrimaryResult();
            if (resolve.getParams().getMode() == Mode.SampleTime) {
                Statistics s = p.getStatistics();
                String unit = p.getScoreUnit();
                out.printf(Locale.ROOT, "resolve   p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  mean %.3f us (%d samples)"
                        + "  alloc %s B%n", toMicros(s.getPercentile(50), unit), toMicros(s.getPercentile(90), unit),
                        toMicros(s.getPercentile(99), unit), toMicros(s.getPercentile(99.9), unit),
                        toMicros(p.getScore(), unit), s.getN(), bytes(alloc("TokenBenchmark.resolve", 0)));
            } else {
                out.printf(Locale.ROOT, "resolve   mean %s us  alloc %s B%n",
                        time(micros("TokenBenchmark.resolve", 0), microsError("TokenBenchmark.resolve", 0)),
                        bytes(alloc("TokenBenchmark.resolve", 0)));
            }
        }
        if (mint == null && resolve == null) {
            out.println("(not run)");
        }
    }

    private void goals(PrintStream out) {
        out.println();
        out.println(load.quiet() ? "GOALS (shown, not asserted)"
                : "GOALS (shown, not asserted; NOT JUDGED: the machine was busy, run again on a quiet one)");
        double enc1k = micros("EnvelopeBenchmark.calloutEncrypt", 1024);
        goal(out, "encrypt at 1 KB <= 1.5 us", fmt(enc1k, "%.3f us"), enc1k <= GOAL_ENCRYPT_1K_US, enc1k);
        double ratio = micros("EnvelopeBenchmark.calloutEncrypt", 65536)
                / micros("EnvelopeBenchmark.rawBase64Encrypt", 65536);
        goal(out, "encrypt at 64 KB <= 1.15 x raw+b64", fmt(ratio, "%.3f x") + " ("
                + fmt(micros("EnvelopeBenchmark.calloutEncrypt", 65536), "%.1f") + " vs "
                + fmt(micros("EnvelopeBenchmark.rawBase64Encrypt", 65536), "%.1f us") + ")",
                ratio <= GOAL_ENCRYPT_64K_RATIO, ratio);
        double dec1k = micros("EnvelopeBenchmark.calloutDecrypt", 1024);
        goal(out, "decrypt at 1 KB <= 1.5 us", fmt(dec1k, "%.3f us"), dec1k <= GOAL_DECRYPT_1K_US, dec1k);
        for (int size : new int[] {65536, 1048576}) {
            double c = micros("EnvelopeBenchmark.calloutDecrypt", size);
            double b = micros("EnvelopeBenchmark.rawBase64Decrypt", size);
            goal(out, "decrypt at " + sizeLabel(size) + " <= raw+b64", fmt(c / b, "%.3f x") + " (" + fmt(c, "%.1f")
                    + " vs " + fmt(b, "%.1f us") + ")", c / b <= GOAL_DECRYPT_RATIO, c / b);
        }
        double encAlloc = alloc("EnvelopeBenchmark.calloutEncrypt", 1024);
        goal(out, "alloc per 1 KB message <= 6 KB: encrypt", fmt(encAlloc, "%.0f B"),
                encAlloc <= GOAL_ALLOC_1K_BYTES, encAlloc);
        double decAlloc = alloc("EnvelopeBenchmark.calloutDecrypt", 1024);
        goal(out, "alloc per 1 KB message <= 6 KB: decrypt", fmt(decAlloc, "%.0f B"),
                decAlloc <= GOAL_ALLOC_1K_BYTES, decAlloc);
        RunResult resolve = get("TokenBenchmark.resolve", 0);
        double p50 = Double.NaN;
        String what = "median";
        if (resolve != null) {
            Result<?> p = resolve.getPrimaryResult();
            if (resolve.getParams().getMode() == Mode.SampleTime) {
                p50 = toMicros(p.getStatistics().getPercentile(50), p.getScoreUnit());
            } else {
                p50 = toMicros(p.getScore(), p.getScoreUnit());
                what = "mean (not sampled)";
            }
        }
        goal(out, "token resolve median <= 5 us", fmt(p50, "%.3f us") + " " + (resolve == null ? "" : what),
                p50 <= GOAL_RESOLVE_P50_US, p50);
    }

    private void goal(PrintStream out, String goal, String figure, boolean met, double value) {
        String verdict = Double.isNaN(value) ? "n/a (not run)" : !load.quiet() ? "not judged (machine busy)"
                : met ? "PASS" : "MISS";
        out.printf(Locale.ROOT, "  %-42s %-32s %s%n", goal, figure, verdict);
    }

    private static String sizeLabel(int size) {
        return size >= 1048576 ? size / 1048576 + " MB" : size / 1024 + " KB";
    }

    private static String time(double value, double error) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        String f = value < 10 ? "%.3f" : value < 1000 ? "%.2f" : "%.1f";
        if (Double.isNaN(error)) {
            return String.format(Locale.ROOT, f + " (no CI)", value);
        }
        return String.format(Locale.ROOT, f + " +- " + f, value, error);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.3f", r);
    }

    private static String bytes(double b) {
        return Double.isNaN(b) ? "n/a" : String.format(Locale.ROOT, "%,.0f", b);
    }

    private static String fmt(double v, String format) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, format, v);
    }
}
