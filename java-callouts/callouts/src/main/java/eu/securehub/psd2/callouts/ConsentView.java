package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.json.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code Java-ConsentView}: the CRM's view of a consent, from the bank's {@code GET /v1/consents/{id}}
 * answer and the time of the last SCA: status, validity, frequency and when the customer must
 * authenticate again. The bank's {@code access} (the accounts, IBANs) is never copied.
 */
public final class ConsentView extends Callout {
    static final String PREFIX = "consent";
    static final long DEFAULT_REAUTH_DAYS = 180;
    private static final long DAY_SECONDS = 24 * 3600;
    private static final Pattern STATUS = Pattern.compile("^[A-Za-z]{1,40}$");
    private static final int MAX_RESPONSE_CHARS = 256 * 1024;

    /** The properties this callout reads (besides {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("consent-response", "consent-id", "sca-time", "reauth-days");

    public ConsentView(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "body", "status");
    }

    @Override
    protected void run(MessageContext ctx) throws CalloutException {
        String text = rawProperty(ctx, "consent-response");
        if (text.length() > MAX_RESPONSE_CHARS) {
            throw new CalloutException("invalid_bank_response", "consent-response is larger than " + MAX_RESPONSE_CHARS + " characters");
        }
        long scaTime = requiredLong(ctx, "sca-time", 0, Long.MAX_VALUE / 1000 - 1000L * DAY_SECONDS);
        long reauthDays = longProperty(ctx, "reauth-days", DEFAULT_REAUTH_DAYS, 1, 1000);
        long nowSeconds = now(ctx) / 1000;
        Fields r = Fields.parse(text, "invalid_bank_response", "consent-response");
        // A Berlin Group 1.3.9 consent answer need not name itself: the hub knows which consent it asked for.
        String consentId = property(ctx, "consent-id");
        if (consentId.isEmpty()) {
            consentId = r.token("consentId", false, 256);
        }
        String status = r.text("consentStatus", true);
        if (!STATUS.matcher(status).matches()) {
            throw r.invalid("consentStatus", "is not a consent status");
        }
        String validUntil = r.text("validUntil", true);
        AuthorizationStart.date(r, "validUntil", validUntil);
        long frequency = r.requiredInteger("frequencyPerDay", 0, 10_000);
        String lastActionDate = r.text("lastActionDate", false);
        if (!lastActionDate.isEmpty()) {
            AuthorizationStart.date(r, "lastActionDate", lastActionDate);
        }
        long due = scaTime + reauthDays * DAY_SECONDS;

        Map<String, Object> view = new LinkedHashMap<>();
        if (!consentId.isEmpty()) {
            view.put("consentId", consentId);
        }
        view.put("consentStatus", status);
        view.put("validUntil", validUntil);
        view.put("frequencyPerDay", frequency);
        if (!lastActionDate.isEmpty()) {
            view.put("lastActionDate", lastActionDate);
        }
        view.put("reauthenticationDueAt", Instant.ofEpochSecond(due).toString());
        view.put("daysUntilReauthentication", Math.max(0, Math.floorDiv(due - nowSeconds, DAY_SECONDS)));
        ctx.setVariable(var("body"), Json.write(view));
        ctx.setVariable(var("status"), status);
    }
}
