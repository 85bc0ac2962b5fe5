package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * {@code Java-EnvelopeEncrypt}: encrypts a whole payload, or named JSON members of it, under the
 * keyring's current data key. See java-callouts/README.md for properties and variables.
 */
public final class EnvelopeEncrypt extends KeyedCallout {
    /** The properties this callout reads: the envelope ones and {@code output-max-bytes}. */
    static final Set<String> PROPERTIES = union(EnvelopeSupport.PROPERTIES, Set.of("output-max-bytes"));
    /** The marker that ends a cut output, before the size of the whole output in bytes. */
    static final String TRUNCATED = "…[truncated; bytes=";

    public EnvelopeEncrypt(Map<String, String> properties) {
        super(properties, PROPERTIES, EnvelopeSupport.PREFIX, "key_id", "truncated");
    }


    @Override
    protected void runWithKeys(MessageContext ctx, Keyring ring, long now) throws CalloutException {
        EnvelopeSupport.Request req = EnvelopeSupport.request(this, ctx);
        DataKey key = dataKey(ring, ring.current(), now);
        String output;
        if (req.fields.isEmpty()) {
            byte[] plaintext = req.source.getBytes(StandardCharsets.UTF_8);
            EnvelopeSupport.checkSize(plaintext.length, req.maxBytes);
            output = Envelope.encryptToText(key, plaintext, req.associatedData.getBytes(StandardCharsets.UTF_8));
        } else {
            EnvelopeSupport.checkSize(req.source.length(), req.maxBytes);
            try {
                output = Json.rewriteMembers(req.source, req.fields, (name, raw) -> Json.quote(Envelope.encryptToText(
                        key, raw.getBytes(StandardCharsets.UTF_8), EnvelopeSupport.fieldData(req.associatedData, name))));
            } catch (JsonException e) {
                throw new CalloutException("invalid_json", "source is not valid JSON: " + e.getMessage());
            }
        }
        long cap = longProperty(ctx, "output-max-bytes", 0, 0, Integer.MAX_VALUE);
        String capped = cap > 0 ? cap(output, (int) cap) : output;
        ctx.setVariable(req.outputVariable, capped);
        ctx.setVariable(var("truncated"), Boolean.toString(capped != output));
        ctx.setVariable(var("key_id"), key.keyId());
    }

    /**
     * The text itself when its UTF-8 form has at most {@code maxBytes} bytes; else its longest prefix (never splitting
     * a character) that leaves room for the marker {@code …[truncated; bytes=<whole size>]}, then the marker.
     */
    static String cap(String text, int maxBytes) {
        long whole = Utf8.length(text, Long.MAX_VALUE - 4);
        if (whole <= maxBytes) {
            return text;
        }
        String marker = TRUNCATED + whole + "]";
        long room = maxBytes - Utf8.length(marker, Long.MAX_VALUE - 4);
        int end = 0;
        long used = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int bytes = Utf8.bytes(cp);
            if (used + bytes > room) {
                break;
            }
            used += bytes;
            end += Character.charCount(cp);
        }
        return text.substring(0, end) + marker;
    }
}
