package eu.securehub.psd2.keytool;

import com.google.cloud.kms.v1.KeyManagementServiceClient;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * The command line around {@link KeyringTool}: parses the arguments, checks the kvms file, opens
 * the KMS client, runs the command, and turns every failure into one line on stderr and an exit
 * code. Never exits the JVM, so tests run it as is.
 */
final class Cli {

    /** Opens a KMS client for a connection: {@link KmsConnection#open} in production, in-process in tests. */
    @FunctionalInterface
    interface KmsClientFactory {
        KeyManagementServiceClient open(KmsConnection connection) throws IOException;
    }

    /** gax logs request and response payloads when this is "true": a DEK would end up in the log. */
    static final String SDK_LOGGING_ENV = "GOOGLE_SDK_JAVA_LOGGING";

    private final KmsClientFactory kms;
    private final Clock clock;
    private final Map<String, String> environment;

    Cli(KmsClientFactory kms, Clock clock, Map<String, String> environment) {
        this.kms = kms;
        this.clock = clock;
        this.environment = environment;
    }

    /** Runs one command; returns the exit code: 0 done, 2 usage error, 3 KMS or configuration error. */
    int run(String[] args, PrintStream out, PrintStream err) {
        if (Options.isHelp(args)) {
            out.print(Options.USAGE);
            return 0;
        }
        try {
            out.println(execute(Options.parse(args, environment)));
            return 0;
        } catch (ToolException e) {
            err.println("kms-key-tool: " + e.getMessage());
            return e.exitCode();
        } catch (RuntimeException e) {
            // Not expected; still one line, and nothing was written (files are written last).
            err.println("kms-key-tool: unexpected error: " + e.getClass().getSimpleName() + ": "
                    + KmsErrors.detail(e));
            return ToolException.FAILED;
        }
    }

    private String execute(Options options) throws ToolException {
        KvmFile file = KvmFile.load(options.configDir(), options.env());
        // The file's state is checked before credentials are loaded or KMS is called.
        switch (options.command()) {
            case SHOW:
                return KeyringTool.show(file).stripTrailing();
            case QSEAL_SHOW:
                return QsealTool.show(file, clock.instant()).stripTrailing();
            case CREATE:
                KeyringTool.checkCreate(file, options.force());
                break;
            default:
                file.requireKeyring();
        }
        // The PKCS#12 file is read and checked before KMS is called.
        QsealTool.Qseal qseal = options.command() == Options.Command.QSEAL_IMPORT
                ? QsealTool.read(options.qseal(), environment, clock.instant()) : null;
        if ("true".equalsIgnoreCase(environment.get(SDK_LOGGING_ENV))) {
            throw ToolException.failed("unset " + SDK_LOGGING_ENV + ": it makes the KMS client log request payloads, which hold DEKs");
        }
        try (KeyManagementServiceClient client = open(options.connection())) {
            if (qseal != null) {
                return new QsealTool(client).importInto(file, qseal);
            }
            KeyringTool tool = new KeyringTool(client, clock);
            switch (options.command()) {
                case CREATE:
                    return tool.create(file, options.kek(), options.keyId(), options.force());
                case ROTATE:
                    return tool.rotate(file, options.keyId());
                default:
                    return tool.rewrap(file, options.kek());
            }
        }
    }

    private KeyManagementServiceClient open(KmsConnection connection) throws ToolException {
        try {
            return kms.open(connection);
        } catch (IOException e) {
            // Typically: no Application Default Credentials.
            throw ToolException.failed("cannot set up the KMS client: " + KmsErrors.detail(e)
                    + " (run gcloud auth application-default login, set GOOGLE_APPLICATION_CREDENTIALS, or pass --access-token)");
        }
    }
}
