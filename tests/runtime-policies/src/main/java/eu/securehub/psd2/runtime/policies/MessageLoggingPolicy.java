package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.expr.MessageTemplate;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the log name, message and labels (unresolved variables render as "" — a message template's rule) and
 * writes one entry to the environment's MessageLog. Sets {@code messagelogging.{policy}.failed}: false after a
 * write, true when rendering or writing failed. A failure never fails the flow when the policy has
 * continueOnError="true" (the hub's does; Apigee logs asynchronously after the response); otherwise it raises
 * {@code steps.messagelogging.StepDefinitionExecutionFailed} 500 (§4.12 [memory]).
 */
final class MessageLoggingPolicy extends BasePolicy {
    record Label(MessageTemplate key, MessageTemplate value) {
    }

    /**
     * Cloud Logging's limit on one LogEntry: "Size of a LogEntry | 256 KiB | This limit is approximate and is based on
     * internal data sizes, not the actual REST API request size. Cannot be increased." (Cloud Logging, Quotas and
     * limits, https://cloud.google.com/logging/quotas). An entry over it is not written. The local runtime counts the
     * UTF-8 bytes of log name, message and labels.
     */
    static final long MAX_ENTRY_BYTES = 256 * 1024;
    private static final java.util.logging.Logger LOG =
            java.util.logging.Logger.getLogger(MessageLoggingPolicy.class.getName());

    private final MessageTemplate logName;
    private final MessageTemplate message;
    private final List<Label> labels;

    MessageLoggingPolicy(PolicyXml xml, MessageTemplate logName, MessageTemplate message, List<Label> labels) {
        super(xml, MessageLoggingFactory.TYPE);
        this.logName = logName;
        this.message = message;
        this.labels = List.copyOf(labels);
    }

    /**
     * Writing to Cloud Logging is done as the deployment's service account (roles/logging.logWriter): Google's
     * sample (GoogleCloudPlatform/apigee-samples, cloud-logging/README.md:16 and lib/utils.sh:79-108) deploys its
     * CloudLogging proxy with one, "configured to use Google Authentication".
     */
    @Override
    public boolean usesGoogleAuthentication() {
        return true;
    }

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        String failed = "messagelogging." + name() + ".failed";
        try {
            String name = logName.render(ctx);
            String text = message.render(ctx);
            Map<String, String> rendered = new LinkedHashMap<>();
            for (Label l : labels) {
                rendered.put(l.key().render(ctx), l.value().render(ctx));
            }
            long bytes = entryBytes(name, text, rendered);
            if (bytes > MAX_ENTRY_BYTES) {
                // Cloud Logging refuses the entry: it is lost, as it would be on Apigee X.
                LOG.warning(name() + ": log entry of " + bytes + " bytes dropped (Cloud Logging's limit is "
                        + MAX_ENTRY_BYTES + ")");
                ctx.set(failed, Boolean.TRUE);
                return;
            }
            ctx.environment().messageLog().write(name, text, rendered);
            eu.securehub.psd2.runtime.trace.Tracing.logWrite(name);
            ctx.set(failed, Boolean.FALSE);
        } catch (RuntimeException e) {
            ctx.set(failed, Boolean.TRUE);
            if (continueOnError()) {
                return;
            }
            throw new PolicyFault("steps.messagelogging.StepDefinitionExecutionFailed", 500,
                    "Execution of " + name() + " failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private static long entryBytes(String name, String text, Map<String, String> labels) {
        long n = utf8(name) + utf8(text);
        for (Map.Entry<String, String> l : labels.entrySet()) {
            n += utf8(l.getKey()) + utf8(l.getValue());
        }
        return n;
    }

    private static long utf8(String s) {
        return s == null ? 0 : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
