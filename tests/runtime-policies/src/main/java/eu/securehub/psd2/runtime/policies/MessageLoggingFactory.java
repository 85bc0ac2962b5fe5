package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.expr.MessageTemplate;
import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * MessageLogging with {@code <CloudLogging>} (§0, §4.12): {@code <LogName>} and {@code <Message contentType>}
 * required, {@code <Labels><Label><Key/><Value/></Label>…</Labels>} and {@code <ResourceType>} optional — all
 * message templates, parsed at start-up — and the root's {@code <logLevel>}. The entry goes to the environment's
 * {@code MessageLog} (the Cloud Logging stand-in). {@code <Syslog>} (and hybrid's {@code <File>}) are documented
 * but refused: this runtime has no syslog server to send to.
 *
 * <p>The log level and resource type are validated and kept but not written: the SPI's MessageLog takes a log
 * name, a message and labels only.
 */
public final class MessageLoggingFactory implements PolicyFactory {
    static final String TYPE = "MessageLogging";
    /** Levels the MessageLogging page lists (INFO default); case-insensitive here. */
    private static final Set<String> LEVELS = Set.of("INFO", "ALERT", "WARN", "WARNING", "ERROR", "NOTICE", "DEBUG", "CRITICAL", "EMERGENCY");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        Elements.properties(xml);
        Elements.unsupported(xml, "Syslog", "log with <CloudLogging> (written to the local JSON-lines log)");
        Elements.unsupported(xml, "File", "log with <CloudLogging> (written to the local JSON-lines log)");
        PolicyXml cloud = xml.child("CloudLogging").orElseThrow(() -> xml.error("MessageLogging needs <CloudLogging>"));
        PolicyXml logNameElement = Elements.required(cloud, "LogName");
        if (logNameElement.text().isEmpty()) {
            throw logNameElement.error("<LogName> must not be empty");
        }
        MessageTemplate logName = logNameElement.template(logNameElement.text());
        PolicyXml messageElement = Elements.required(cloud, "Message");
        Optional<String> contentType = messageElement.optionalAttribute("contentType");
        if (contentType.isPresent() && contentType.get().isBlank()) {
            throw messageElement.error("<Message contentType> must not be empty");
        }
        MessageTemplate message = messageElement.template(messageElement.text());
        List<MessageLoggingPolicy.Label> labels = new ArrayList<>();
        Optional<PolicyXml> labelsElement = cloud.child("Labels");
        if (labelsElement.isPresent()) {
            for (PolicyXml label : labelsElement.get().children("Label")) {
                PolicyXml key = Elements.required(label, "Key");
                PolicyXml value = Elements.required(label, "Value");
                if (key.text().isEmpty()) {
                    throw key.error("<Key> of a label must not be empty");
                }
                labels.add(new MessageLoggingPolicy.Label(key.template(key.text()), value.template(value.text())));
            }
        }
        Optional<PolicyXml> resourceType = cloud.child("ResourceType");
        if (resourceType.isPresent()) {
            resourceType.get().template(resourceType.get().text());
        }
        Optional<PolicyXml> level = xml.child("logLevel");
        if (level.isPresent() && !LEVELS.contains(level.get().text().toUpperCase(Locale.ROOT))) {
            throw level.get().error("<logLevel> must be one of " + LEVELS + ", not '" + level.get().text() + "'");
        }
        xml.done();
        return new MessageLoggingPolicy(xml, logName, message, labels);
    }
}
