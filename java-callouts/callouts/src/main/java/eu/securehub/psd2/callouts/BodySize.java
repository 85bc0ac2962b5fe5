package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import java.util.Map;
import java.util.Set;

/**
 * {@code Java-BodySize}: the size in UTF-8 bytes of a request body as it arrived, also when it came chunked without a
 * Content-Length (Apigee X documents no flow variable for a body's length). A body over {@code max-bytes} fails with
 * {@code payload_too_large}; the flow answers 413 before anything parses it.
 */
public final class BodySize extends Callout {
    static final String PREFIX = "body";

    /** The properties this callout reads (besides {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("source", "max-bytes");

    public BodySize(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "bytes");
    }

    @Override
    protected void run(MessageContext ctx) throws CalloutException {
        long max = requiredLong(ctx, "max-bytes", 0, Integer.MAX_VALUE);
        long bytes = Utf8.length(rawProperty(ctx, "source"), max);
        ctx.setVariable(var("bytes"), Long.toString(bytes));
        if (bytes > max) {
            throw new CalloutException("payload_too_large", "the request body is larger than " + max + " bytes");
        }
    }
}
