package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.Keyring;
import java.util.Map;
import java.util.Set;

/**
 * {@code Java-MintOpaqueToken}: turns the bank's token set into an opaque hub token for the CRM and
 * the encrypted record a KVM Put stores under the token's lookup key. Given {@code opaque-token}
 * (after a refresh), it re-stores the rotated set under the same token. With {@code kind=payment} it mints a payment
 * id ({@code pay_…}) instead: the record of a payment, whose "consent id" is the bank's payment resource
 * ({@code <service>/<product>/<bank payment id>}); {@code opaque-token} may also be a payment id (the bank's token
 * for the payment, stored once its authorisation is done).
 */
public final class MintOpaqueToken extends KeyedCallout {
    static final long DEFAULT_MAX_LIFETIME_SECONDS = 180L * 24 * 3600;
    private static final int MAX_TOKEN_CHARS = 8192;
    private static final int MAX_ID_CHARS = 256;

    /** The properties this callout reads (besides the keyring ones and {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("access-token", "refresh-token", "access-token-expires-in", "consent-id", "bank-id",
            "app-id", "sca-time", "frequency-per-day", "max-lifetime-seconds", "expires-at", "opaque-token", "credential", "kind");

    public MintOpaqueToken(Map<String, String> properties) {
        super(properties, PROPERTIES, TokenRecord.PREFIX, "kvm_key", "kvm_value", "expires_at", "payment_id");
    }

    @Override
    protected void runWithKeys(MessageContext ctx, Keyring ring, long now) throws CalloutException {
        long nowSeconds = now / 1000;
        // "oauth": the bank's access (and refresh) token; "consent": a bank without OAuth (Berlin Group redirect or
        // decoupled approach), where the Consent-ID over the QWAC's connection is the credential and no bank token exists.
        String credential = property(ctx, "credential");
        boolean consentOnly = credential.equals("consent");
        if (!consentOnly && !credential.isEmpty() && !credential.equals("oauth")) {
            throw new CalloutException("invalid_property", "credential must be oauth or consent");
        }
        if (consentOnly && !(property(ctx, "access-token").isEmpty() && property(ctx, "refresh-token").isEmpty())) {
            throw new CalloutException("invalid_property", "a consent credential has no access-token or refresh-token");
        }
        TokenRecord record = new TokenRecord(
                consentOnly ? "" : text(ctx, "access-token", true, MAX_TOKEN_CHARS),
                consentOnly ? "" : text(ctx, "refresh-token", false, MAX_TOKEN_CHARS),
                consentOnly ? Long.MAX_VALUE / 1000
                        : nowSeconds + requiredLong(ctx, "access-token-expires-in", 1, 10L * 365 * 24 * 3600),
                text(ctx, "consent-id", true, MAX_ID_CHARS),
                text(ctx, "bank-id", true, MAX_ID_CHARS),
                text(ctx, "app-id", true, MAX_ID_CHARS),
                longProperty(ctx, "sca-time", nowSeconds, 0, Long.MAX_VALUE / 1000),
                0,
                nowSeconds,
                (int) longProperty(ctx, "frequency-per-day", TokenRecord.DEFAULT_FREQUENCY_PER_DAY, 1, 100));
        long maxLifetime = longProperty(ctx, "max-lifetime-seconds", DEFAULT_MAX_LIFETIME_SECONDS, 60, 10L * 365 * 24 * 3600);
        long expiresAt = longProperty(ctx, "expires-at", nowSeconds + maxLifetime, 0, Long.MAX_VALUE / 1000);
        if (expiresAt <= nowSeconds) {
            throw new CalloutException("invalid_property", "expires-at is not in the future");
        }
        record = record.expiringAt(Math.min(expiresAt, nowSeconds + maxLifetime));

        String kind = property(ctx, "kind");
        if (!kind.isEmpty() && !kind.equals("payment")) {
            throw new CalloutException("invalid_property", "kind must be payment or empty");
        }
        String token = property(ctx, "opaque-token");
        if (token.isEmpty()) {
            token = kind.isEmpty() ? OpaqueTokens.mint() : OpaqueTokens.mintPaymentId();
        } else if (!OpaqueTokens.wellFormed(token) && !OpaqueTokens.wellFormedPaymentId(token)) {
            throw new CalloutException("malformed_token", "opaque-token is neither a hub token nor a payment id");
        }
        DataKey lookupKey = dataKey(ring, ring.lookup(), now);
        DataKey recordKey = dataKey(ring, ring.current(), now);
        String kvmKey = OpaqueTokens.kvmKey(lookupKey, token);
        String value = OpaqueTokens.storedValue(record.expiresAt,
                Envelope.encryptToText(recordKey, record.toBytes(), OpaqueTokens.recordData(kvmKey)));

        ctx.setVariable("private." + TokenRecord.PREFIX + ".opaque", token);
        ctx.setVariable(var("kvm_key"), kvmKey);
        ctx.setVariable(var("kvm_value"), value);
        ctx.setVariable(var("expires_at"), Long.toString(record.expiresAt));
        // A payment id is an id, not a credential (every use also needs the creating app's API key): the CRM gets it.
        ctx.setVariable(var("payment_id"), token.startsWith(OpaqueTokens.PAYMENT_PREFIX) ? token : "");
    }

    private String text(MessageContext ctx, String name, boolean required, int maxChars) throws CalloutException {
        String value = required ? required(ctx, name) : property(ctx, name);
        if (value.length() > maxChars) {
            throw new CalloutException("invalid_property", name + " is longer than " + maxChars + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < 0x20) {
                throw new CalloutException("invalid_property", name + " contains a control character");
            }
        }
        return value;
    }

}
