package eu.securehub.psd2.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How busy the machine was around a run, read from Linux's /proc: the load averages before and after,
 * and the CPU time that processes other than this one and its JMH forks used meanwhile. The load
 * average after a run counts the benchmark's own thread (about 1.0 after a long run), so the run is
 * judged by the other processes' CPU, which excludes it: a figure taken while something else used
 * the cores is not a figure for a goal.
 */
final class MachineLoad {
    /** A run is quiet when the 1-minute load before it is below this... */
    static final double QUIET_LOAD_BEFORE = 0.5;
    /** ...and other processes used less than this many cores on average during it. */
    static final double QUIET_OTHER_CORES = 0.15;

    private static final Path LOADAVG = Path.of("/proc/loadavg");
    private static final Path STAT = Path.of("/proc/stat");
    private static final Path SELF_STAT = Path.of("/proc/self/stat");
    /** USER_HZ: the unit of /proc's CPU times, 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100;

    /** One reading: load averages, the machine's busy CPU ticks, this process's own and its waited-for children's. */
    record Reading(String loadAverages, double load1, long machineBusyTicks, long stealTicks, long ownTicks, long nanos) {
    }

    private final Reading before;
    private Reading after;

    private MachineLoad(Reading before) {
        this.before = before;
    }

    static MachineLoad start() {
        return new MachineLoad(read());
    }

    void stop() {
        after = read();
    }

    /** Whether the figures may be judged against goals; false also when /proc could not be read. */
    boolean quiet() {
        return before.load1() >= 0 && after != null && after.load1() >= 0
                && before.load1() < QUIET_LOAD_BEFORE && otherCores() < QUIET_OTHER_CORES
                && stealCores() < QUIET_OTHER_CORES;
    }

    /** The other processes' average CPU use during the run, in cores (NaN when unknown). */
    double otherCores() {
        if (after == null || before.machineBusyTicks() < 0 || after.machineBusyTicks() < 0) {
            return Double.NaN;
        }
        long others = (after.machineBusyTicks() - before.machineBusyTicks()) - (after.ownTicks() - before.ownTicks());
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        return seconds <= 0 ? Double.NaN : Math.max(0, others / TICKS_PER_SECOND / seconds);
    }

    /** CPU the hypervisor gave to other machines while this one wanted it ("steal"), in cores (NaN when unknown). */
    double stealCores() {
        if (after == null || before.stealTicks() < 0 || after.stealTicks() < 0) {
            return Double.NaN;
        }
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        return seconds <= 0 ? Double.NaN : (after.stealTicks() - before.stealTicks()) / TICKS_PER_SECOND / seconds;
    }

    String describe() {
        String verdict = quiet() ? "quiet"
                : String.format(Locale.ROOT, "BUSY (quiet means 1-min load before < %.1f, other processes and steal"
                        + " each < %.2f cores)", QUIET_LOAD_BEFORE, QUIET_OTHER_CORES);
        return String.format(Locale.ROOT, "load average (1/5/15 min) before %s, after %s (the run's own thread"
                + " included); other processes used %.2f cores meanwhile, steal %.2f cores: %s", before.loadAverages(),
                after == null ? "n/a" : after.loadAverages(), otherCores(), stealCores(), verdict);
    }

    static Reading read() {
        String loads = "n/a";
        double load1 = -1;
        long busy = -1;
        long steal = -1;
        long own = 0;
        try {
            String[] l = Files.readString(LOADAVG).trim().split("\\s+");
            loads = l[0] + " " + l[1] + " " + l[2];
            load1 = Double.parseDouble(l[0]);
            String cpu = Files.readAllLines(STAT).get(0);
            busy = machineBusy(cpu);
            steal = steal(cpu);
            own = ownTicks(Files.readString(SELF_STAT));
        } catch (IOException | RuntimeException e) {
            // Not Linux, or /proc is hidden: the run is reported as not judged.
        }
        return new Reading(loads, load1, busy, steal, own, System.nanoTime());
    }

    /** The machine's busy ticks from /proc/stat's "cpu" line: user, nice, system, irq, softirq. */
    static long machineBusy(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        long sum = 0;
        for (int i = 1; i < f.length && i <= 7; i++) {
            if (i != 4 && i != 5) { // idle, iowait
                sum += Long.parseLong(f[i]);
            }
        }
        return sum;
    }

    /** The steal ticks of /proc/stat's "cpu" line (its eighth number). */
    static long steal(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        return f.length > 8 ? Long.parseLong(f[8]) : -1;
    }

    /** utime + stime + cutime + cstime of /proc/self/stat: this JVM and the JMH forks it has waited for. */
    static long ownTicks(String selfStat) {
        // The command name (field 2) may hold spaces; the fields after it start past the last ')'.
        String[] f = selfStat.substring(selfStat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): utime is field 14, so f[11]..f[14].
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }
}
