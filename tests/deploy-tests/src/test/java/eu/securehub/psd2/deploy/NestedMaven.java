package eu.securehub.psd2.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the {@code mvn} on PATH in a directory, with a time limit, its output kept in a log file. */
final class NestedMaven {

    /** How a nested build ended. */
    record Result(List<String> command, int exitCode, String output, Path log, Duration took) {

        /** The last lines of the output, for failure messages. */
        String tail(int lines) {
            String[] all = output.split("\n");
            StringBuilder b = new StringBuilder();
            for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
                b.append(all[i]).append('\n');
            }
            return b.toString();
        }

        /**
         * What Maven reported as the build's failure: from the first "[ERROR] Failed to execute goal" line
         * to the end ("" when there is none).
         */
        String failureReport() {
            int at = output.indexOf("[ERROR] Failed to execute goal");
            return at < 0 ? "" : output.substring(at);
        }

        String describe() {
            return "nested build " + String.join(" ", command) + "\nexit " + exitCode + " after "
                    + took.toSeconds() + " s, log " + log + "\n--- last lines ---\n" + tail(60);
        }
    }

    private NestedMaven() {
    }

    /**
     * Runs {@code mvn <args>} in {@code dir}, passing {@code -Dmaven.repo.local} of the outer build;
     * kills the build and its children past {@code limit} and fails with the log's tail.
     */
    static Result run(Path dir, List<String> args, Duration limit, Path log) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(mvnExecutable());
        command.addAll(args);
        String repo = System.getProperty("deploytests.repo.local");
        if (repo != null && !repo.isBlank() && !repo.startsWith("${")) {
            command.add("-Dmaven.repo.local=" + repo);
        }
        Files.createDirectories(log.getParent());
        Files.writeString(log, "$ cd " + dir + " && " + String.join(" ", command) + "\n", StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // The nested build chooses its own arguments: nothing inherited from the outer one.
        pb.environment().remove("MAVEN_ARGS");
        long start = System.nanoTime();
        Process process = pb.start();
        boolean finished;
        try {
            finished = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        if (!finished) {
            kill(process);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Result result = new Result(List.copyOf(command), finished ? process.exitValue() : -1, output, log, took);
        if (!finished) {
            throw new AssertionError("killed after the time limit of " + limit.toSeconds() + " s: "
                    + result.describe());
        }
        return result;
    }

    private static void kill(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private static String mvnExecutable() {
        String name = System.getProperty("os.name").toLowerCase().contains("win") ? "mvn.cmd" : "mvn";
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Paths.get(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        throw new IllegalStateException("no " + name + " on PATH");
    }
}
