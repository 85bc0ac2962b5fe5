package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.EnvelopeException;
import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code Java-EnvelopeDecrypt}: decrypts what {@link EnvelopeEncrypt} wrote, selecting the data key
 * by the key id in each ciphertext, so data written before a rotation still decrypts.
 */
public final class EnvelopeDecrypt extends KeyedCallout {
    public EnvelopeDecrypt(Map<String, String> properties) {
        super(properties, EnvelopeSupport.PROPERTIES, EnvelopeSupport.PREFIX);
    }

    @Override
    protected void runWithKeys(MessageContext ctx, Keyring ring, long now) throws CalloutException {
        EnvelopeSupport.Request req = EnvelopeSupport.request(this, ctx);
        String output;
        if (req.fields.isEmpty()) {
            String text = req.source.trim();
            EnvelopeSupport.checkSize(text.length() / 4L * 3, req.maxBytes);
            output = open(ring, now, text, req.associatedData.getBytes(StandardCharsets.UTF_8));
        } else {
            EnvelopeSupport.checkSize(req.source.length(), req.maxBytes);
            try {
                output = Json.rewriteMembers(req.source, req.fields, (name, raw) -> {
                    Object value = Json.parse(raw);
                    if (!(value instanceof String)) {
                        throw new CalloutException("invalid_ciphertext", "field " + name + " does not hold a ciphertext");
                    }
                    return open(ring, now, (String) value, EnvelopeSupport.fieldData(req.associatedData, name));
                });
            } catch (JsonException e) {
                throw new CalloutException("invalid_json", "source is not valid JSON: " + e.getMessage());
            }
        }
        ctx.setVariable(req.outputVariable, output);
    }

    private String open(Keyring ring, long now, String text, byte[] associatedData) throws CalloutException {
        try {
            return Envelope.decryptTextToString(text, keyId -> dataKey(ring, keyId, now), associatedData);
        } catch (EnvelopeException e) {
            throw new CalloutException(e.code(), e.getMessage());
        }
    }
}
