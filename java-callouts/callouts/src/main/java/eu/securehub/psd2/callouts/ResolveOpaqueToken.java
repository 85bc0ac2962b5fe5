package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.EnvelopeException;
import eu.securehub.psd2.callouts.crypto.Keyring;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * {@code Java-ResolveOpaqueToken}: from {@code Authorization: Bearer hub_...} to the bank token set,
 * in two steps around the flow's KVM Get: {@code step=lookup} gives the KVM key; {@code step=decrypt}
 * opens the record the KVM Get returned and checks it belongs to the calling CRM app.
 *
 * <p>An expired hub token sets {@code token.expired} (the flow deletes the record, then refuses it). The bank
 * access token is {@code token.access_expired} in its last {@code access-expiry-skew-seconds} (5) and
 * {@code token.refresh_due} in its last {@code refresh-ahead-seconds} (60, at least the skew): a request that
 * wins {@code token.refresh_lease} (the record and a digest of its access token) refreshes it, the others go on with it meanwhile.
 *
 * <p>With {@code payment-path} ({@code /payments/pay_…[/status]}, the CRM's path) it resolves a payment record
 * instead of the Authorization header: an id the hub never minted or does not know is {@code payment_unknown} (404),
 * a payment of another app {@code payment_forbidden} (403). {@code token.resource} is the bank resource the record is
 * bound to (a consent id, or {@code <service>/<product>/<bank payment id>}).
 */
public final class ResolveOpaqueToken extends KeyedCallout {
    /** The bank access token is not sent in its last seconds (clock skew, time in transit). */
    static final long DEFAULT_ACCESS_SKEW_SECONDS = 5;
    /** The bank access token is renewed this long before it expires, while it still works for everyone else. */
    static final long DEFAULT_REFRESH_AHEAD_SECONDS = 60;
    /** The RTS limit on accesses a day without the customer present. */
    static final long MAX_UNATTENDED_PER_DAY = 4;

    /** The properties this callout reads (besides the keyring ones and {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("step", "app-id", "record", "access-expiry-skew-seconds", "refresh-ahead-seconds",
            "max-unattended-per-day", "authorization", "payment-path");

    public ResolveOpaqueToken(Map<String, String> properties) {
        super(properties, PROPERTIES, TokenRecord.PREFIX, "kvm_key", "credential", "access_expires_at", "access_expired", "refresh_due", "refresh_lease",
                "expired", "consent_id", "resource", "payment_id", "bank_id", "app_id", "sca_time", "expires_at", "frequency_per_day", "unattended_allow");
    }

    @Override
    protected void runWithKeys(MessageContext ctx, Keyring ring, long now) throws CalloutException {
        String step = required(ctx, "step");
        if (!step.equals("lookup") && !step.equals("decrypt")) {
            throw new CalloutException("invalid_property", "step must be lookup or decrypt");
        }
        String paymentPath = property(ctx, "payment-path");
        boolean payment = paymentPath.startsWith("/payments/");
        String token = payment ? paymentId(paymentPath) : OpaqueTokens.fromAuthorization(authorization(ctx));
        String kvmKey = OpaqueTokens.kvmKey(dataKey(ring, ring.lookup(), now), token);
        ctx.setVariable(var("kvm_key"), kvmKey);
        if (step.equals("lookup")) {
            return;
        }
        String expectedApp = required(ctx, "app-id");
        String stored = property(ctx, "record");
        if (stored.isEmpty()) {
            if (payment) {
                throw new CalloutException("payment_unknown", "the payment id is not known to the hub");
            }
            throw new CalloutException("unknown_token", "the hub token is not known (revoked, or never issued)");
        }
        TokenRecord record = open(ring, now, stored, kvmKey);
        if (!record.appId.equals(expectedApp)) {
            if (payment) {
                throw new CalloutException("payment_forbidden", "the payment was created by another CRM app");
            }
            throw new CalloutException("app_mismatch", "the hub token was issued to another CRM app");
        }
        long nowSeconds = now / 1000;
        if (record.expiresAt <= nowSeconds && payment) {
            // The hub keeps a payment's record for its lifetime only (the token sweep removes it): unknown from then on.
            throw new CalloutException("payment_unknown", "the payment's record has expired");
        }
        if (record.expiresAt <= nowSeconds) {
            // Not an abort: the flow removes the record (token.expired), then answers expired_token.
            ctx.setVariable(var("expired"), "true");
            return;
        }
        ctx.setVariable(var("expired"), "false");
        long skew = longProperty(ctx, "access-expiry-skew-seconds", DEFAULT_ACCESS_SKEW_SECONDS, 0, 3600);
        long ahead = Math.max(skew, longProperty(ctx, "refresh-ahead-seconds", DEFAULT_REFRESH_AHEAD_SECONDS, 0, 86400));
        long maxUnattended = longProperty(ctx, "max-unattended-per-day", MAX_UNATTENDED_PER_DAY, 0, 100);
        ctx.setVariable("private." + TokenRecord.PREFIX + ".opaque", token);
        ctx.setVariable("private.bank.access_token", record.accessToken);
        ctx.setVariable("private.bank.refresh_token", record.refreshToken);
        ctx.setVariable(var("access_expires_at"), Long.toString(record.accessExpiresAt));
        // A record without a bank token (a bank without OAuth: the Consent-ID is the credential) never refreshes.
        boolean bankToken = !record.accessToken.isEmpty();
        ctx.setVariable(var("credential"), bankToken ? "oauth" : "consent");
        ctx.setVariable(var("access_expired"), Boolean.toString(bankToken && record.accessExpiresAt - skew <= nowSeconds));
        ctx.setVariable(var("refresh_due"), Boolean.toString(bankToken && record.accessExpiresAt - ahead <= nowSeconds));
        // The refresh lease's key: this record's generation, so that each refresh token is presented to the bank at
        // most once, however many requests read the record. Every refresh brings a new access token; its expiry alone
        // would not do (two tokens issued in one second share it).
        ctx.setVariable(var("refresh_lease"), kvmKey + "." + generation(record.accessToken));
        // A payment's record keeps its bank resource in the consent id's place (so a refresh re-stores it unchanged).
        ctx.setVariable(var("consent_id"), record.consentId);
        ctx.setVariable(var("resource"), record.consentId);
        ctx.setVariable(var("payment_id"), payment ? token : "");
        ctx.setVariable(var("bank_id"), record.bankId);
        ctx.setVariable(var("app_id"), record.appId);
        ctx.setVariable(var("sca_time"), Long.toString(record.scaTime));
        ctx.setVariable(var("expires_at"), Long.toString(record.expiresAt));
        ctx.setVariable(var("frequency_per_day"), Integer.toString(record.frequencyPerDay));
        // PSD2 RTS art. 36(5): at most four accesses a day without the customer, fewer if the consent or bank says so.
        ctx.setVariable(var("unattended_allow"),
                Long.toString(Math.min(Math.min(record.frequencyPerDay, maxUnattended), MAX_UNATTENDED_PER_DAY)));
    }

    /** 16 base64url characters (96 bits) of the SHA-256 of the access token: names it, reveals nothing of it. */
    static String generation(String accessToken) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The payment id of a CRM path {@code /payments/<id>[/<sub-resource>]}; a malformed one is simply unknown. */
    private static String paymentId(String path) throws CalloutException {
        String rest = path.substring("/payments/".length());
        int slash = rest.indexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        if (!OpaqueTokens.wellFormedPaymentId(id)) {
            throw new CalloutException("payment_unknown", "the path's payment id is not one the hub issues (pay_ and 48 characters)");
        }
        return id;
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
            byte[] bytes = Envelope.decryptText(OpaqueTokens.envelopeOf(stored), keyId -> {
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
