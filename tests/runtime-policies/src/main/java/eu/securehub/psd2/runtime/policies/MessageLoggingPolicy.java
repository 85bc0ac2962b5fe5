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

    private final MessageTemplate logName;
    private final MessageTemplate message;
    private final List<Label> labels;

    MessageLoggingPolicy(PolicyXml xml, MessageTemplate logName, MessageTemplate message, List<Label> labels) {
        super(xml, MessageLoggingFactory.TYPE);
        this.logName = logName;
        this.message = message;
        this.labels = List.copyOf(labels);
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
            ctx.environment().messageLog().write(name, text, rendered);
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
}
