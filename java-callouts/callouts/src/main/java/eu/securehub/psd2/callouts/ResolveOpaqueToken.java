package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.EnvelopeException;
import eu.securehub.psd2.callouts.crypto.Keyring;
import java.util.Map;
import java.util.Set;

/**
 * {@code Java-ResolveOpaqueToken}: from {@code Authorization: Bearer hub_...} to the bank token set,
 * in two steps around the flow's KVM Get: {@code step=lookup} gives the KVM key; {@code step=decrypt}
 * opens the record the KVM Get returned and checks it belongs to the calling CRM app and is not expired.
 */
public final class ResolveOpaqueToken extends KeyedCallout {
    static final long DEFAULT_ACCESS_SKEW_SECONDS = 30;
    /** The RTS limit on accesses a day without the customer present. */
    static final long MAX_UNATTENDED_PER_DAY = 4;

    /** The properties this callout reads (besides the keyring ones and {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("step", "app-id", "record", "access-expiry-skew-seconds", "max-unattended-per-day",
            "authorization");

    public ResolveOpaqueToken(Map<String, String> properties) {
        super(properties, PROPERTIES, TokenRecord.PREFIX, "kvm_key", "access_expires_at", "access_expired", "consent_id", "bank_id",
                "app_id", "sca_time", "expires_at", "frequency_per_day", "unattended_allow");
    }

    @Override
    protected void runWithKeys(MessageContext ctx, Keyring ring, long now) throws CalloutException {
        String step = required(ctx, "step");
        if (!step.equals("lookup") && !step.equals("decrypt")) {
            throw new CalloutException("invalid_property", "step must be lookup or decrypt");
        }
        String token = OpaqueTokens.fromAuthorization(authorization(ctx));
        String kvmKey = OpaqueTokens.kvmKey(dataKey(ring, ring.lookup(), now), token);
        ctx.setVariable(var("kvm_key"), kvmKey);
        if (step.equals("lookup")) {
            return;
        }
        String expectedApp = required(ctx, "app-id");
        String stored = property(ctx, "record");
        if (stored.isEmpty()) {
            throw new CalloutException("unknown_token", "the hub token is not known (revoked, or never issued)");
        }
        TokenRecord record = open(ring, now, stored, kvmKey);
        if (!record.appId.equals(expectedApp)) {
            throw new CalloutException("app_mismatch", "the hub token was issued to another CRM app");
        }
        long nowSeconds = now / 1000;
        if (record.expiresAt <= nowSeconds) {
            throw new CalloutException("expired_token", "the hub token has expired: start a new consent authorisation");
        }
        long skew = longProperty(ctx, "access-expiry-skew-seconds", DEFAULT_ACCESS_SKEW_SECONDS, 0, 3600);
        long maxUnattended = longProperty(ctx, "max-unattended-per-day", MAX_UNATTENDED_PER_DAY, 0, 100);
        ctx.setVariable("private." + TokenRecord.PREFIX + ".opaque", token);
        ctx.setVariable("private.bank.access_token", record.accessToken);
        ctx.setVariable("private.bank.refresh_token", record.refreshToken);
        ctx.setVariable(var("access_expires_at"), Long.toString(record.accessExpiresAt));
        ctx.setVariable(var("access_expired"), Boolean.toString(record.accessExpiresAt - skew <= nowSeconds));
        ctx.setVariable(var("consent_id"), record.consentId);
        ctx.setVariable(var("bank_id"), record.bankId);
        ctx.setVariable(var("app_id"), record.appId);
        ctx.setVariable(var("sca_time"), Long.toString(record.scaTime));
        ctx.setVariable(var("expires_at"), Long.toString(record.expiresAt));
        ctx.setVariable(var("frequency_per_day"), Integer.toString(record.frequencyPerDay));
        // PSD2 RTS art. 36(5): at most four accesses a day without the customer, fewer if the consent or bank says so.
        ctx.setVariable(var("unattended_allow"),
                Long.toString(Math.min(Math.min(record.frequencyPerDay, maxUnattended), MAX_UNATTENDED_PER_DAY)));
    }

    private String authorization(MessageContext ctx) {
        String value = rawProperty(ctx, "authorization");
        if (!value.isEmpty()) {
            return value;
        }
        Object header = ctx.getVariable("request.header.Authorization");
        return header == null ? "" : header.toString();
    }

    private TokenRecord open(Keyring ring, long now, String stored, String kvmKey) throws CalloutException {
        try {
            byte[] bytes = Envelope.decryptText(stored, keyId -> {
                if (ring.key(keyId) == null) {
                    throw new CalloutException("undecryptable_token", "the token record's key is no longer in the keyring");
                }
                return dataKey(ring, keyId, now);
            }, OpaqueTokens.recordData(kvmKey));
            return TokenRecord.fromBytes(bytes);
        } catch (EnvelopeException | IllegalArgumentException e) {
            throw new CalloutException("undecryptable_token", "the token record cannot be decrypted");
        }
    }
}
