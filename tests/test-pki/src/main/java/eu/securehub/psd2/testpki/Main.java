package eu.securehub.psd2.testpki;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Generates the test PKI into a directory:
 * {@code generate [--out DIR] [--banks alpha,beta]} (defaults: {@code target/test-pki} and {@code alpha,beta}).
 * Prints each file written with what it holds; never a key or the password (that is in {@code password.txt}).
 * Exit status 0 on success, 2 on a usage error, 1 when the files cannot be written.
 */
public final class Main {

    static final String USAGE = "usage: generate [--out DIR] [--banks ID[,ID...]]\n"
            + "  --out DIR      directory to write (default target/test-pki)\n"
            + "  --banks IDS    sandbox bank ids, comma separated (default alpha,beta)";

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the command line; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || !"generate".equals(args[0])) {
            if (args.length > 0 && ("--help".equals(args[0]) || "-h".equals(args[0]) || "help".equals(args[0]))) {
                out.println(USAGE);
                return 0;
            }
            err.println(USAGE);
            return 2;
        }
        Path dir = Path.of("target", "test-pki");
        List<String> banks = List.of("alpha", "beta");
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String value;
            String option;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                option = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else {
                option = arg;
                value = i + 1 < args.length ? args[i + 1] : null;
                if (("--out".equals(option) || "--banks".equals(option)) && value != null) {
                    i++;
                }
            }
            switch (option) {
                case "--help", "-h" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--out" -> {
                    if (value == null || value.isBlank()) {
                        err.println("--out needs a directory\n" + USAGE);
                        return 2;
                    }
                    dir = Path.of(value);
                }
                case "--banks" -> {
                    if (value == null) {
                        err.println("--banks needs a list of bank ids\n" + USAGE);
                        return 2;
                    }
                    banks = TestPki.splitBanks(value);
                }
                default -> {
                    err.println("unknown argument: " + arg + "\n" + USAGE);
                    return 2;
                }
            }
        }
        TestPki pki;
        try {
            pki = TestPki.create(banks);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        Map<Path, String> written;
        try {
            written = pki.write(dir);
        } catch (RuntimeException e) {
            err.println("cannot write the test PKI: " + e.getMessage());
            return 1;
        }
        out.println("test PKI written to " + dir.toAbsolutePath().normalize() + " (banks " + String.join(",", banks)
                + "; PKCS#12 password in password.txt):");
        for (Map.Entry<Path, String> file : written.entrySet()) {
            out.println("  " + file.getKey().getFileName() + "  " + file.getValue());
        }
        return 0;
    }
}
