package eu.securehub.psd2.runtime.spi;

import eu.securehub.psd2.runtime.expr.Condition;
import eu.securehub.psd2.runtime.expr.ExpressionException;
import eu.securehub.psd2.runtime.expr.MessageTemplate;
import java.util.List;
import java.util.Optional;

/**
 * A strict view of a policy's XML element (or one of its descendants). Every attribute, child element and
 * non-blank text that is not read through this interface makes {@link #done()} fail with a ConfigError naming
 * the file and line — so a policy supports exactly what it reads. On the root element the common attributes
 * (name, continueOnError, enabled, async) and the DisplayName child are read by the engine.
 */
public interface PolicyXml {
    /** The "name" attribute (on the root: the policy's name); null if the element has none. */
    String name();

    /** Root: the continueOnError attribute (default false). */
    boolean continueOnError();

    /** Root: the enabled attribute (default true). */
    boolean enabled();

    /** Where this element starts. */
    Location location();

    /** The element's tag, e.g. "AssignMessage" or "Set". */
    String elementName();

    /** The only child with that tag (ConfigError if there are several). */
    Optional<PolicyXml> child(String name);

    /** All children with that tag, in document order. */
    List<PolicyXml> children(String name);

    /** All child elements, in document order (each counts as read). */
    List<PolicyXml> children();

    /** The element's text content, trimmed ("" if none). */
    String text();

    /** A required attribute: ConfigError if absent. */
    String attribute(String name);

    Optional<String> optionalAttribute(String name);

    /** The location of a child element (its first occurrence) or, if none, of this element. */
    Location locationOf(String childOrAttribute);

    /** ConfigError naming file and line for anything in this element's subtree that was not read. */
    void done();

    /** Marks the whole subtree as read. For test stubs only; real policies read what they support. */
    void consumeAll();

    /** Shorthand: the trimmed text of a child, if the child exists. */
    default Optional<String> childText(String name) {
        return child(name).map(PolicyXml::text);
    }

    /** A ConfigError at this element. */
    default ConfigError error(String message) {
        return new ConfigError(location(), message);
    }

    /** Parses a message template, turning a syntax error into a ConfigError at this element. */
    default MessageTemplate template(String text) {
        try {
            return MessageTemplate.parse(text);
        } catch (ExpressionException e) {
            throw new ConfigError(location(), "malformed message template '" + text + "': " + e.getMessage(), e);
        }
    }

    /** Parses a condition, turning a syntax error into a ConfigError at this element. */
    default Condition condition(String text) {
        try {
            return Condition.parse(text);
        } catch (ExpressionException e) {
            throw new ConfigError(location(), "malformed condition '" + text + "': " + e.getMessage(), e);
        }
    }
}
