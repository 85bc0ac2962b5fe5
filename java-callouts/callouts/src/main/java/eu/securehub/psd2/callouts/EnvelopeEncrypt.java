package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code Java-EnvelopeEncrypt}: encrypts a whole payload, or named JSON members of it, under the
 * keyring's current data key. See the README for properties and variables.
 */
public final class EnvelopeEncrypt extends KeyedCallout {
    public EnvelopeEncrypt(Map<String, String> properties) {
        super(properties, EnvelopeSupport.PROPERTIES, EnvelopeSupport.PREFIX, "key_id");
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
        ctx.setVariable(req.outputVariable, output);
        ctx.setVariable(var("key_id"), key.keyId());
    }
}
