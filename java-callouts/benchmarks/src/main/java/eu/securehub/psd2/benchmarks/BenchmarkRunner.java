package eu.securehub.psd2.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the hub's benchmarks in one go and prints a summary against the performance goals.
 *
 * <pre>
 * java -jar psd2-hub-benchmarks.jar                 full run (about 14 minutes on 2 cores)
 * java -jar psd2-hub-benchmarks.jar --quick         smoke run (about 1 minute): figures are indicative only
 * java -jar psd2-hub-benchmarks.jar --no-gc         without the allocation profiler
 * java -jar psd2-hub-benchmarks.jar [JMH options] [regex...]
 *     e.g. calloutEncrypt -p size=1024 -prof stack    (any JMH option; a regex narrows each phase)
 *     e.g. experiments                                  (the scratch experiments, not part of the default run)
 * </pre>
 *
 * The run has phases, because the 1 MB case needs a longer warm-up than JMH can set per parameter:
 * envelope at 1 KB and 64 KB, envelope at 1 MB, tokens, and (only when a regex asks for them) the
 * experiments. JMH options given on the command line override the phases' settings. Figures are
 * shown, never asserted: the exit status is 0 whatever the goals say.
 */
public final class BenchmarkRunner {
    static final String SIZE = "size";
    /** JMH options that take no value: they list or help, and are passed to JMH's own main. */
    private static final Set<String> JMH_LISTING = Set.of("-h", "-l", "-lp", "-lprof", "-lrf");

    private BenchmarkRunner() {
    }

    /** One JMH run: a set of benchmarks with its own forks, warm-up and measurement. */
    record Phase(String title, String classRegex, List<String> sizes, boolean onlyWhenAsked, int forks,
            int warmupIterations, TimeValue warmupTime, int measurementIterations, TimeValue measurementTime) {

        String describe() {
            return String.format("%d fork(s) x (%d x %s warm-up + %d x %s measured)", forks, warmupIterations,
                    warmupTime, measurementIterations, measurementTime);
        }
    }

    static List<Phase> phases(boolean quick) {
        TimeValue second = TimeValue.seconds(1);
        TimeValue half = TimeValue.milliseconds(500);
        if (quick) {
            return List.of(
                    new Phase("envelope, 1 KB and 64 KB", "\\.EnvelopeBenchmark\\.", List.of("1024", "65536"), false,
                            1, 2, half, 2, half),
                    new Phase("envelope, 1 MB", "\\.EnvelopeBenchmark\\.", List.of("1048576"), false,
                            1, 3, second, 2, half),
                    new Phase("opaque tokens", "\\.TokenBenchmark\\.", null, false, 1, 2, half, 2, half),
                    new Phase("experiments", "\\.experiments\\.", null, true, 1, 2, half, 2, half));
        }
        // On these 2-core machines the crypto and base64 loops reach C2 (and their intrinsics) only after
        // thousands of calls: 64 KB calls settle after about 10 s, 1 MB calls after 15 to 18 s.
        return List.of(
                new Phase("envelope, 1 KB and 64 KB", "\\.EnvelopeBenchmark\\.", List.of("1024", "65536"), false,
                        2, 12, second, 5, second),
                new Phase("envelope, 1 MB", "\\.EnvelopeBenchmark\\.", List.of("1048576"), false,
                        2, 22, second, 5, second),
                new Phase("opaque tokens", "\\.TokenBenchmark\\.", null, false, 2, 10, second, 5, second),
                new Phase("experiments", "\\.experiments\\.", null, true, 2, 12, second, 5, second));
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean gc = true;
        List<String> jmhArgs = new ArrayList<>();
        for (String arg : args) {
            switch (arg) {
                case "--quick" -> quick = true;
                case "--no-gc" -> gc = false;
                case "--help" -> {
                    usage();
                    return;
                }
                default -> jmhArgs.add(arg);
            }
        }
        if (jmhArgs.stream().anyMatch(JMH_LISTING::contains)) {
            org.openjdk.jmh.Main.main(jmhArgs.toArray(new String[0]));
            return;
        }
        CommandLineOptions cli;
        CommandLineOptions parent;
        try {
            cli = new CommandLineOptions(jmhArgs.toArray(new String[0]));
            // The regexes narrow each phase (below); the rest of the options apply to every phase.
            parent = new CommandLineOptions(withoutRegexes(jmhArgs).toArray(new String[0]));
        } catch (CommandLineOptionException e) {
            System.err.println("Bad JMH option: " + e.getMessage());
            usage();
            System.exit(2);
            return;
        }
        List<String> regexes = cli.getIncludes();
        boolean userGc = parent.getProfilers().stream().anyMatch(p -> p.getKlass().equals("gc")
                || p.getKlass().equals(GCProfiler.class.getName()));

        MachineLoad load = MachineLoad.start();
        System.out.println("Before the run: " + MachineLoad.read().loadAverages() + " (1/5/15-min load average)");
        long start = System.nanoTime();
        List<RunResult> results = new ArrayList<>();
        for (Phase phase : phases(quick)) {
            if (phase.onlyWhenAsked() && regexes.isEmpty()) {
                continue;
            }
            List<String> sizes = phase.sizes();
            if (sizes != null && parent.getParameter(SIZE).hasValue()) {
                Collection<String> wanted = parent.getParameter(SIZE).get();
                sizes = sizes.stream().filter(wanted::contains).collect(Collectors.toList());
                if (sizes.isEmpty()) {
                    continue;
                }
            }
            ChainedOptionsBuilder options = new OptionsBuilder().parent(parent)
                    .include(includeRegex(phase.classRegex(), regexes));
            if (!parent.getForkCount().hasValue()) {
                options.forks(phase.forks());
            }
            if (!parent.getWarmupIterations().hasValue()) {
                options.warmupIterations(phase.warmupIterations());
            }
            if (!parent.getWarmupTime().hasValue()) {
                options.warmupTime(phase.warmupTime());
            }
            if (!parent.getMeasurementIterations().hasValue()) {
                options.measurementIterations(phase.measurementIterations());
            }
            if (!parent.getMeasurementTime().hasValue()) {
                options.measurementTime(phase.measurementTime());
            }
            if (sizes != null) {
                options.param(SIZE, sizes.toArray(new String[0]));
            }
            if (gc && !userGc) {
                options.addProfiler(GCProfiler.class);
            }
            if (parent.getResult().hasValue()) {
                options.result(resultFile(parent.getResult().get(), phase));
            }
            Phase effective = new Phase(phase.title(), phase.classRegex(), sizes, phase.onlyWhenAsked(),
                    parent.getForkCount().orElse(phase.forks()),
                    parent.getWarmupIterations().orElse(phase.warmupIterations()),
                    parent.getWarmupTime().orElse(phase.warmupTime()),
                    parent.getMeasurementIterations().orElse(phase.measurementIterations()),
                    parent.getMeasurementTime().orElse(phase.measurementTime()));
            System.out.printf("%n==== Phase: %s: %s ====%n", phase.title(), effective.describe());
            try {
                results.addAll(new Runner(options.build()).run());
            } catch (NoBenchmarksException e) {
                System.out.println("(no benchmark of this phase matches " + regexes + ")");
            } catch (RunnerException e) {
                System.out.println("Phase failed: " + e.getMessage());
            }
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        load.stop();
        new Summary(results, quick, seconds, load).print(System.out);
    }

    /** The arguments without the positional ones (benchmark regexes); every JMH option here takes a value. */
    static List<String> withoutRegexes(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("-") && arg.length() > 1) {
                out.add(arg);
                if (i + 1 < args.size() && !arg.contains("=") && !JMH_LISTING.contains(arg)) {
                    out.add(args.get(++i));
                }
            }
        }
        return out;
    }

    /** A regex matching the phase's benchmarks that also match one of the user's regexes, if any. */
    static String includeRegex(String classRegex, List<String> regexes) {
        if (regexes.isEmpty()) {
            return classRegex;
        }
        return "^(?=.*" + classRegex + ")(?=.*(?:" + String.join("|", regexes) + "))";
    }

    private static String resultFile(String file, Phase phase) {
        String tag = phase.title().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-+$", "");
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) + "-" + tag + file.substring(dot) : file + "-" + tag;
    }

    private static void usage() {
        System.out.println(String.join(System.lineSeparator(), Arrays.asList(
                "Usage: java -jar psd2-hub-benchmarks.jar [--quick] [--no-gc] [--help] [JMH options] [regex...]",
                "  --quick   smoke run, about 1 minute (1 fork, short iterations): indicative figures only",
                "  --no-gc   do not attach JMH's GC profiler (no allocation figures)",
                "  regex     run only the benchmarks matching it (phases keep their warm-up settings);",
                "            'experiments' runs the scratch experiments, which the default run leaves out",
                "  JMH options (-f, -wi, -w, -i, -r, -p size=1024, -prof stack, -rf json -rff out.json, ...)",
                "            override the phases' settings; -h lists them, -l lists the benchmarks.")));
    }
}
