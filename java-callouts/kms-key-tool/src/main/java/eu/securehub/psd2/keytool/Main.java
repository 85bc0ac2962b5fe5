package eu.securehub.psd2.keytool;

import java.io.PrintStream;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code java -jar kms-key-tool.jar <command> --env ENV [options]}; see {@code --help}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // gRPC and the HTTP client log connection trouble with stack traces through java.util.logging;
        // the tool reports every failure itself, on one line.
        Logger.getLogger("").setLevel(Level.OFF);
        System.exit(run(args, System.out, System.err));
    }

    /** {@link #main} without the exit: Cloud KMS as configured by the options, the system clock and environment. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new Cli(KmsConnection::open, Clock.systemUTC(), System.getenv()).run(args, out, err);
    }

    /**
     * {@link #run(String[], PrintStream, PrintStream)} with {@code extraEnvironment} over the process's environment,
     * for callers running the tool in-process (e.g. {@code QSEAL_P12_PASSWORD} without a password file).
     */
    public static int run(String[] args, Map<String, String> extraEnvironment, PrintStream out, PrintStream err) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putAll(extraEnvironment);
        return new Cli(KmsConnection::open, Clock.systemUTC(), environment).run(args, out, err);
    }
}
