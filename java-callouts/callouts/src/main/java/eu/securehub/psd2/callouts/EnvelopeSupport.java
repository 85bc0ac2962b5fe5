package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** What the two envelope callouts share: their properties and limits. */
final class EnvelopeSupport {
    static final String PREFIX = "envelope";
    static final String DEFAULT_OUTPUT = PREFIX + ".output";
    /** Apigee's own payload limit is 10 MB; larger input is refused before any work. */
    static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
    /** The properties both envelope callouts read (besides the keyring ones and {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("source", "associated-data", "fields", "max-bytes", "output");

    private EnvelopeSupport() {
    }

    static final class Request {
        final String source;
        final String associatedData;
        final Set<String> fields;
        final String outputVariable;
        final long maxBytes;

        Request(String source, String associatedData, Set<String> fields, String outputVariable, long maxBytes) {
            this.source = source;
            this.associatedData = associatedData;
            this.fields = fields;
            this.outputVariable = outputVariable;
            this.maxBytes = maxBytes;
        }
    }

    static Request request(Callout c, MessageContext ctx) throws CalloutException {
        String associatedData = c.property(ctx, "associated-data");
        if (associatedData.isEmpty()) {
            throw new CalloutException("missing_associated_data",
                    "associated-data resolves to null or empty: name the context, e.g. consent:{consent.id}|log");
        }
        String fieldList = c.property(ctx, "fields");
        Set<String> fields = fieldList.isEmpty() ? Collections.emptySet() : parseFields(fieldList);
        long maxBytes = c.longProperty(ctx, "max-bytes", DEFAULT_MAX_BYTES, 1, Integer.MAX_VALUE - 1024);
        return new Request(c.rawProperty(ctx, "source"), associatedData, fields,
                c.variableName(ctx, "output", DEFAULT_OUTPUT), maxBytes);
    }

    private static Set<String> parseFields(String list) {
        Set<String> fields = new LinkedHashSet<>();
        Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(fields::add);
        return Collections.unmodifiableSet(fields);
    }

    static void checkSize(long bytes, long max) throws CalloutException {
        if (bytes > max) {
            throw new CalloutException("payload_too_large", "source is larger than " + max + " bytes");
        }
    }

    /** The associated data of one JSON member: the call's, bound to the member's name. */
    static byte[] fieldData(String associatedData, String field) {
        return (associatedData + "|field:" + field).getBytes(StandardCharsets.UTF_8);
    }
}
