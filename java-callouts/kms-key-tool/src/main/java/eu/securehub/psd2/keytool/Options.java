package eu.securehub.psd2.keytool;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import eu.securehub.psd2.callouts.crypto.Envelope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The command line, parsed by hand: a command, then options in any order, as {@code --name value}
 * or {@code --name=value}. Everything is checked here, before any file is read or KMS called.
 *
 * @param env       the Apigee environment
 * @param kek       create: the KEK; rewrap: the new KEK, or null
 * @param keyId     the new key's id, or null for one made from the clock
 * @param configDir the directory holding {@code kvms/}
 */
record Options(Command command, String env, String kek, String keyId, boolean force, Path configDir,
               KmsConnection connection) {

    enum Command { CREATE, ROTATE, REWRAP, SHOW }

    static final String ACCESS_TOKEN_ENV = "KMS_ACCESS_TOKEN";

    static final String USAGE = String.join("\n",
            "Usage: kms-key-tool <command> --env ENV [options]",
            "",
            "Manages the dek-keyring entry of kvms/ENV/psd2-hub-keys.json: the data keys (DEKs) of the",
            "Secure Hub's callouts, each wrapped by a Cloud KMS key (the KEK). DEKs are never printed.",
            "",
            "Commands:",
            "  create --env ENV --kek KEK [--key-id ID] [--force]",
            "        A new keyring with one new DEK, current and lookup. Refuses to replace an existing",
            "        keyring without --force (data encrypted under its keys could no longer be decrypted).",
            "  rotate --env ENV [--key-id ID]",
            "        A new DEK, wrapped by the keyring's KEK, becomes current. The lookup key and the",
            "        older keys stay, so existing data still decrypts.",
            "  rewrap --env ENV [--kek NEW_KEK]",
            "        Unwraps every DEK and wraps it again with the primary version of the keyring's KEK",
            "        (after a KEK rotation) or of NEW_KEK, which becomes the keyring's KEK. Key ids and",
            "        DEKs stay the same.",
            "  show --env ENV",
            "        Prints the key ids, which is current and which is lookup, and the KEK.",
            "",
            "Options:",
            "  --env ENV              Apigee environment: the file is kvms/ENV/psd2-hub-keys.json",
            "  --config-dir DIR       the directory holding kvms/ (default: the current directory)",
            "  --kek KEK              projects/P/locations/L/keyRings/R/cryptoKeys/K",
            "  --key-id ID            1 to 64 characters from [A-Za-z0-9._:-]",
            "                         (default: dek- and the UTC time, e.g. dek-20261122t153000z)",
            "  --force                create: replace an existing keyring",
            "  --endpoint HOST:PORT   Cloud KMS endpoint (default: cloudkms.googleapis.com:443)",
            "  --transport grpc|rest  (default: grpc)",
            "  --plaintext            no TLS, for a local fake KMS: --endpoint must be a loopback address",
            "  --access-token TOKEN   a fixed bearer token (or the environment variable " + ACCESS_TOKEN_ENV + ");",
            "                         default: Application Default Credentials (none with --plaintext)",
            "  --timeout SECONDS      time limit of each KMS call, retries included (default: 30)",
            "  -h, --help             this help",
            "",
            "Exit codes: 0 done, 2 usage error, 3 KMS or configuration error (nothing was written).",
            "");

    private static final Set<String> FLAGS = Set.of("--force", "--plaintext");
    private static final Set<String> COMMON = Set.of("--env", "--config-dir", "--endpoint", "--transport",
            "--plaintext", "--access-token", "--timeout");
    private static final Map<Command, Set<String>> SPECIFIC = Map.of(
            Command.CREATE, Set.of("--kek", "--key-id", "--force"),
            Command.ROTATE, Set.of("--key-id"),
            Command.REWRAP, Set.of("--kek"),
            Command.SHOW, Set.of());
    /** Apigee environment names, and nothing that could leave kvms/ as a path. */
    private static final Pattern ENV = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final long MAX_TIMEOUT_SECONDS = 600;

    static boolean isHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /** Parses {@code args}; {@code environment} supplies {@value #ACCESS_TOKEN_ENV}. */
    static Options parse(String[] args, Map<String, String> environment) throws ToolException {
        String commandName = null;
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                if (commandName != null) {
                    throw ToolException.usage("unexpected argument " + arg);
                }
                commandName = arg;
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            if (FLAGS.contains(name)) {
                if (eq > 0) {
                    throw ToolException.usage(name + " takes no value");
                }
                if (!flags.add(name)) {
                    throw ToolException.usage(name + " is given twice");
                }
            } else if (COMMON.contains(name) || SPECIFIC.values().stream().anyMatch(s -> s.contains(name))) {
                String value;
                if (eq > 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    value = args[++i];
                } else {
                    throw ToolException.usage(name + " needs a value");
                }
                if (values.put(name, value) != null) {
                    throw ToolException.usage(name + " is given twice");
                }
            } else {
                throw ToolException.usage("unknown option " + name + " (see --help)");
            }
        }
        Command command = command(commandName);
        for (String name : concat(values.keySet(), flags)) {
            if (!COMMON.contains(name) && !SPECIFIC.get(command).contains(name)) {
                throw ToolException.usage(name + " is not an option of " + commandName);
            }
        }

        String env = values.get("--env");
        if (env == null) {
            throw ToolException.usage(commandName + " needs --env ENV");
        }
        if (!ENV.matcher(env).matches()) {
            throw ToolException.usage("--env must be an Apigee environment name: letters, digits, - and _");
        }
        String kek = values.get("--kek");
        if (command == Command.CREATE && kek == null) {
            throw ToolException.usage("create needs --kek " + KeyringTool.KEK_FORMAT);
        }
        if (kek != null && !KeyringTool.isKek(kek)) {
            throw ToolException.usage("--kek must look like " + KeyringTool.KEK_FORMAT);
        }
        String keyId = values.get("--key-id");
        if (keyId != null && !Envelope.isKeyId(keyId)) {
            throw ToolException.usage("--key-id must be 1 to 64 characters from [A-Za-z0-9._:-]");
        }
        String configDir = values.getOrDefault("--config-dir", "");
        return new Options(command, env, kek, keyId, flags.contains("--force"), Path.of(configDir),
                connection(values, flags.contains("--plaintext"), environment));
    }

    private static Command command(String name) throws ToolException {
        if (name == null) {
            throw ToolException.usage("missing command: create, rotate, rewrap or show (see --help)");
        }
        try {
            return Command.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ToolException.usage("unknown command " + name + ": create, rotate, rewrap or show (see --help)");
        }
    }

    private static KmsConnection connection(Map<String, String> values, boolean plaintext, Map<String, String> environment)
            throws ToolException {
        String endpoint = values.get("--endpoint");
        if (endpoint != null) {
            HostAndPort hostAndPort;
            try {
                hostAndPort = HostAndPort.fromString(endpoint);
            } catch (IllegalArgumentException e) {
                hostAndPort = null;
            }
            if (hostAndPort == null || hostAndPort.getHost().isEmpty() || !hostAndPort.hasPort()) {
                throw ToolException.usage("--endpoint must be HOST:PORT, e.g. cloudkms.googleapis.com:443");
            }
            if (plaintext && !isLoopback(hostAndPort.getHost())) {
                throw ToolException.usage("--plaintext is only for a local KMS: --endpoint must be localhost, 127.0.0.1 or [::1]");
            }
        } else if (plaintext) {
            throw ToolException.usage("--plaintext needs --endpoint HOST:PORT of a local KMS");
        }

        String transportName = values.getOrDefault("--transport", "grpc");
        KmsConnection.Transport transport;
        if (transportName.equals("grpc")) {
            transport = KmsConnection.Transport.GRPC;
        } else if (transportName.equals("rest")) {
            transport = KmsConnection.Transport.REST;
        } else {
            throw ToolException.usage("--transport must be grpc or rest");
        }

        String token = values.containsKey("--access-token") ? values.get("--access-token") : environment.get(ACCESS_TOKEN_ENV);
        if (token != null && token.isBlank()) {
            throw ToolException.usage(values.containsKey("--access-token") ? "--access-token is empty" : ACCESS_TOKEN_ENV + " is empty");
        }

        Duration timeout = KmsConnection.DEFAULT_TIMEOUT;
        if (values.containsKey("--timeout")) {
            long seconds;
            try {
                seconds = Long.parseLong(values.get("--timeout"));
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
                throw ToolException.usage("--timeout must be a number of seconds from 1 to " + MAX_TIMEOUT_SECONDS);
            }
            timeout = Duration.ofSeconds(seconds);
        }
        return new KmsConnection(endpoint, transport, plaintext, token, timeout);
    }

    /** Loopback by name or literal address; no name is resolved. */
    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        return InetAddresses.isInetAddress(host) && InetAddresses.forString(host).isLoopbackAddress();
    }

    private static Set<String> concat(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
