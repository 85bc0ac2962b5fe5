package eu.securehub.psd2.config;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The build's config tool (run by Maven through exec:java, or by hand with java -cp):
 *
 * <pre>
 * assemble     --config-dir DIR --out FILE                      every environment, as committed (mvn verify)
 * assemble     --config-dir DIR --out FILE --env ENV [--apigee-env NAME]
 *                                                               one environment for a deploy: complete or an error
 *              [--cert-min-days N] [--cert-min-days-by-env ENV=N,…]
 *                                                               both: the QWAC and QSEAL must be valid N more days
 *                                                               (default 30; per environment where listed)
 * bank-targets --config-dir DIR --bundle DIR [--source-bundle DIR]
 *                                                               per-bank TargetEndpoints and RouteRules in the built proxy
 * debugmask    --config-dir DIR --hosturl URL --apiversion V --org ORG --apigee-env NAME --bearer TOKEN
 *                                                               edge.json's debug mask onto the Apigee environment (deploy)
 * sweep-tokens --config-dir DIR --hosturl URL --apiversion V --org ORG --apigee-env NAME --bearer TOKEN [--dry-run true]
 *                                                               deletes the token records past their expiry (scheduled job)
 * </pre>
 *
 * A failure is a {@link ConfigException} whose message lists every problem; it ends the build (or the
 * JVM, with exit code 1) without a stack trace. Only {@code debugmask} (one PATCH, see {@link DebugMask}) and
 * {@code sweep-tokens} ({@link TokenSweep}) call Apigee; neither prints the token.
 */
public final class Main {
    private static final String USAGE = "usage: assemble --config-dir DIR --out FILE [--env ENV [--apigee-env NAME]]"
            + " [--cert-min-days N] [--cert-min-days-by-env ENV=N,…]"
            + " | bank-targets --config-dir DIR --bundle DIR [--source-bundle DIR]"
            + " | debugmask --config-dir DIR --hosturl URL --apiversion V --org ORG --apigee-env NAME --bearer TOKEN"
            + " | sweep-tokens --config-dir DIR --hosturl URL --apiversion V --org ORG --apigee-env NAME --bearer TOKEN"
            + " [--dry-run true]";

    private Main() {
    }

    public static void main(String[] args) {
        run(args, Placeholders.fromSystem(), System.out);
    }

    static void run(String[] args, Placeholders placeholders, PrintStream out) {
        if (args.length == 0) {
            throw new ConfigException(USAGE);
        }
        String command = args[0];
        Map<String, String> options = options(args);
        Path configDir = Path.of(required(options, "config-dir"));
        switch (command) {
            case "assemble": {
                Path file = Path.of(required(options, "out"));
                String env = options.get("env");
                CertificateCheck.Policy policy = CertificateCheck.Policy.build(
                        days(options.getOrDefault("cert-min-days", String.valueOf(CertificateCheck.DEFAULT_MIN_DAYS)),
                                "--cert-min-days"),
                        daysByEnv(options.getOrDefault("cert-min-days-by-env", "")), Instant.now());
                if (env == null) {
                    allowed(options, "config-dir", "out", "cert-min-days", "cert-min-days-by-env");
                    ConfigTree tree = ConfigTree.load(configDir, new Placeholders(name -> null));
                    knownEnvs(tree, policy);
                    List<String> checked = new ArrayList<>();
                    List<String> notes = EdgeJson.assembleAll(tree, file, policy, checked);
                    for (String note : notes) {
                        out.println("[config-assembler] NOTE: " + note);
                    }
                    for (String line : checked) {
                        out.println("[config-assembler] certificates: " + line);
                    }
                } else {
                    allowed(options, "config-dir", "out", "env", "apigee-env", "cert-min-days", "cert-min-days-by-env");
                    ConfigTree tree = ConfigTree.load(configDir, placeholders);
                    knownEnvs(tree, policy);
                    String apigeeEnv = options.getOrDefault("apigee-env", env);
                    List<String> checked = EdgeJson.forDeploy(tree, env, apigeeEnv.isBlank() ? env : apigeeEnv, file,
                            policy);
                    for (String line : checked) {
                        out.println("[config-assembler] certificates: " + line);
                    }
                    out.println("[config-assembler] " + file + ": environment " + env + " as Apigee environment "
                            + apigeeEnv + ", banks " + tree.bankIds);
                }
                return;
            }
            case "bank-targets": {
                allowed(options, "config-dir", "bundle", "source-bundle");
                ConfigTree tree = ConfigTree.load(configDir, new Placeholders(name -> null));
                String source = options.get("source-bundle");
                BankTargets.generate(Path.of(required(options, "bundle")), source == null ? null : Path.of(source),
                        tree.readTimeouts);
                return;
            }
            case "debugmask": {
                allowed(options, "config-dir", "hosturl", "apiversion", "org", "apigee-env", "bearer");
                String env = required(options, "apigee-env");
                java.net.URI uri = DebugMask.uri(required(options, "hosturl"), required(options, "apiversion"),
                        required(options, "org"), env);
                ConfigTree tree = ConfigTree.load(configDir, new Placeholders(name -> null));
                if (tree.debugMask == null) {
                    out.println("[config-assembler] NOTE: edge.json has no allEnvConfig.debugMasks: the debug mask of"
                            + " environment " + env + " is left as it is");
                    return;
                }
                out.println("[config-assembler] " + DebugMask.apply(tree.debugMask, uri, env, options.get("bearer")));
                return;
            }
            case "sweep-tokens": {
                allowed(options, "config-dir", "hosturl", "apiversion", "org", "apigee-env", "bearer", "dry-run");
                String env = required(options, "apigee-env");
                String dryRun = options.getOrDefault("dry-run", "false");
                if (!dryRun.equals("true") && !dryRun.equals("false")) {
                    throw new ConfigException("option --dry-run must be true or false");
                }
                String base = ManagementApi.environment(required(options, "hosturl"), required(options, "apiversion"),
                        required(options, "org"), env, "Cannot sweep the token records:");
                out.println("[config-assembler] " + TokenSweep.sweep(base, env, options.get("bearer"),
                        System.currentTimeMillis() / 1000, dryRun.equals("true")));
                return;
            }
            default:
                throw new ConfigException("unknown command " + command + "; " + USAGE);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new ConfigException("unexpected argument " + a + "; " + USAGE);
            }
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.length) {
                    throw new ConfigException("option " + a + " needs a value; " + USAGE);
                }
                name = a.substring(2);
                value = args[++i];
            }
            if (options.put(name, value) != null) {
                throw new ConfigException("option --" + name + " is given twice");
            }
        }
        return options;
    }

    /** A whole number of days, 1 to {@value CertificateCheck#MAX_MIN_DAYS}. */
    private static int days(String value, String option) {
        try {
            int days = Integer.parseInt(value.strip());
            if (days >= 1 && days <= CertificateCheck.MAX_MIN_DAYS) {
                return days;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ConfigException("option " + option + " must be a whole number of days from 1 to "
                + CertificateCheck.MAX_MIN_DAYS + " (got '" + value + "')");
    }

    /** {@code ENV=N,ENV=N} (blank: none). */
    private static Map<String, Integer> daysByEnv(String value) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String item : value.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            int eq = item.indexOf('=');
            String env = eq > 0 ? item.substring(0, eq).strip() : "";
            if (!ConfigTree.ENV_NAME.matcher(env).matches()) {
                throw new ConfigException("option --cert-min-days-by-env takes ENV=DAYS[,ENV=DAYS…] (got '" + value + "')");
            }
            if (out.put(env, days(item.substring(eq + 1), "--cert-min-days-by-env " + env + "=…")) != null) {
                throw new ConfigException("option --cert-min-days-by-env names environment " + env + " twice");
            }
        }
        return out;
    }

    private static void knownEnvs(ConfigTree tree, CertificateCheck.Policy policy) {
        for (String env : policy.byEnv.keySet()) {
            if (!tree.envs.containsKey(env)) {
                throw new ConfigException("option --cert-min-days-by-env names environment " + env
                        + ", which is not configured (known: " + tree.envs.keySet() + ")");
            }
        }
    }

    private static String required(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            throw new ConfigException("option --" + name + " is required; " + USAGE);
        }
        return v;
    }

    private static void allowed(Map<String, String> options, String... names) {
        for (String name : options.keySet()) {
            if (!List.of(names).contains(name)) {
                throw new ConfigException("option --" + name + " does not apply here; " + USAGE);
            }
        }
    }
}
