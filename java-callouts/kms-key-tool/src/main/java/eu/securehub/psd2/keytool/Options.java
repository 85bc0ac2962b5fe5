package eu.securehub.psd2.keytool;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import eu.securehub.psd2.callouts.crypto.Envelope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
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
 * @param qseal     qseal import: the PKCS#12 file, alias and password source; else null
 */
record Options(Command command, String env, String kek, String keyId, boolean force, Path configDir,
               KmsConnection connection, QsealImport qseal) {

    enum Command {
        CREATE("create"), ROTATE("rotate"), REWRAP("rewrap"), SHOW("show"), QSEAL_IMPORT("qseal import"), QSEAL_SHOW("qseal show");

        /** The command as typed, e.g. {@code qseal import}. */
        final String label;

        Command(String label) {
            this.label = label;
        }
    }

    /**
     * What {@code qseal import} reads: a PKCS#12 file, the alias of its key entry, and where its password comes from
     * (the file {@code passwordFile}, or when null the environment variable {@value #QSEAL_PASSWORD_ENV}). The password
     * itself is read only when the command runs, so it is never part of the options (nor of their toString).
     */
    record QsealImport(Path p12, String alias, Path passwordFile) {
    }

    static final String ACCESS_TOKEN_ENV = "KMS_ACCESS_TOKEN";
    static final String QSEAL_PASSWORD_ENV = "QSEAL_P12_PASSWORD";

    /** The options of every command but qseal import. */
    Options(Command command, String env, String kek, String keyId, boolean force, Path configDir, KmsConnection connection) {
        this(command, env, kek, keyId, force, configDir, connection, null);
    }

    static final String USAGE = String.join("\n",
            "Usage: kms-key-tool <command> --env ENV [options]",
            "",
            "Manages the dek-keyring entry of kvms/ENV/psd2-hub-keys.json: the data keys (DEKs) of the",
            "Secure Hub's callouts, each wrapped by a Cloud KMS key (the KEK); and its qseal entry, the",
            "TPP's QSEAL with its private key encrypted under a DEK. Keys are never printed.",
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
            "  qseal import --env ENV --p12 FILE --alias ALIAS [--password-file FILE]",
            "        Reads the QSEAL (an RSA key of at least 2048 bits and its certificate, not expired) from",
            "        the PKCS#12 file, unwraps the keyring's current DEK with Cloud KMS, encrypts the PKCS#8",
            "        key under it and writes the qseal entry, replacing an existing one (a QSEAL roll). The",
            "        PKCS#12 password comes from --password-file or the environment variable " + QSEAL_PASSWORD_ENV + ".",
            "  qseal show --env ENV",
            "        Prints the QSEAL's keyId, subject, validity and data key; no KMS call.",
            "",
            "Options:",
            "  --env ENV              Apigee environment: the file is kvms/ENV/psd2-hub-keys.json",
            "  --config-dir DIR       the directory holding kvms/ (default: the current directory)",
            "  --kek KEK              projects/P/locations/L/keyRings/R/cryptoKeys/K",
            "  --key-id ID            1 to 64 characters from [A-Za-z0-9._:-]",
            "                         (default: dek- and the UTC time, e.g. dek-20261122t153000z)",
            "  --force                create: replace an existing keyring",
            "  --p12 FILE             qseal import: the PKCS#12 file holding the QSEAL key and certificate",
            "  --alias ALIAS          qseal import: the alias of the key entry in that file",
            "  --password-file FILE   qseal import: a file holding the PKCS#12 password (one trailing line end",
            "                         is ignored); default: the environment variable " + QSEAL_PASSWORD_ENV,
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
            Command.SHOW, Set.of(),
            Command.QSEAL_IMPORT, Set.of("--p12", "--alias", "--password-file"),
            Command.QSEAL_SHOW, Set.of());
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
        String subcommand = null;
        Map<String, String> values = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                if (commandName == null) {
                    commandName = arg;
                } else if (commandName.equals("qseal") && subcommand == null) {
                    subcommand = arg;
                } else {
                    throw ToolException.usage("unexpected argument " + arg);
                }
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
        Command command = command(commandName, subcommand);
        for (String name : concat(values.keySet(), flags)) {
            if (!COMMON.contains(name) && !SPECIFIC.get(command).contains(name)) {
                throw ToolException.usage(name + " is not an option of " + command.label);
            }
        }

        String env = values.get("--env");
        if (env == null) {
            throw ToolException.usage(command.label + " needs --env ENV");
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
        QsealImport qseal = command == Command.QSEAL_IMPORT ? qsealImport(values, environment) : null;
        String configDir = values.getOrDefault("--config-dir", "");
        return new Options(command, env, kek, keyId, flags.contains("--force"), Path.of(configDir),
                connection(values, flags.contains("--plaintext"), environment), qseal);
    }

    private static Command command(String name, String subcommand) throws ToolException {
        if (name == null) {
            throw ToolException.usage("missing command: create, rotate, rewrap, show or qseal (see --help)");
        }
        if (name.equals("qseal")) {
            if (subcommand == null) {
                throw ToolException.usage("qseal needs a command: import or show (see --help)");
            }
            switch (subcommand) {
                case "import":
                    return Command.QSEAL_IMPORT;
                case "show":
                    return Command.QSEAL_SHOW;
                default:
                    throw ToolException.usage("unknown command qseal " + subcommand + ": qseal import or qseal show (see --help)");
            }
        }
        switch (name) {
            case "create":
                return Command.CREATE;
            case "rotate":
                return Command.ROTATE;
            case "rewrap":
                return Command.REWRAP;
            case "show":
                return Command.SHOW;
            default:
                throw ToolException.usage("unknown command " + name + ": create, rotate, rewrap, show or qseal (see --help)");
        }
    }

    private static QsealImport qsealImport(Map<String, String> values, Map<String, String> environment) throws ToolException {
        String p12 = values.get("--p12");
        if (p12 == null || p12.isEmpty()) {
            throw ToolException.usage("qseal import needs --p12 FILE, the PKCS#12 file of the QSEAL");
        }
        String alias = values.get("--alias");
        if (alias == null || alias.isBlank()) {
            throw ToolException.usage("qseal import needs --alias ALIAS, the alias of the key entry in " + p12);
        }
        String passwordFile = values.get("--password-file");
        if (passwordFile != null && passwordFile.isEmpty()) {
            throw ToolException.usage("--password-file is empty");
        }
        if (passwordFile == null) {
            String password = environment.get(QSEAL_PASSWORD_ENV);
            if (password == null) {
                throw ToolException.usage("qseal import needs the PKCS#12 password: --password-file FILE or the environment variable "
                        + QSEAL_PASSWORD_ENV);
            }
            if (password.isEmpty()) {
                throw ToolException.usage(QSEAL_PASSWORD_ENV + " is empty");
            }
        }
        return new QsealImport(Path.of(p12), alias, passwordFile == null ? null : Path.of(passwordFile));
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
