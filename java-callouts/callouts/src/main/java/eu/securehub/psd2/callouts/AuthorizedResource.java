package eu.securehub.psd2.callouts;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an authorisation is for: a consent (the first kind, and the default), a payment or a payment's cancellation.
 * Its {@link #id} is what the pending record and the token record keep as "consent id": the bank's consent id, or for
 * a payment the bank resource {@code <service>/<product>/<bank paymentId>}. The OAuth scope is Berlin Group's
 * {@code AIS:<consentId>} or {@code PIS:<paymentId>} (Implementation Guidelines, OAuth SCA approach). A payment's
 * authorisation also carries the hub's payment id, under which the bank's token for it is stored.
 */
final class AuthorizedResource {
    static final String CONSENT = "consent";
    static final String PAYMENT = "payment";
    static final String CANCELLATION = "cancellation";
    private static final int MAX_ID_CHARS = 256;
    private static final Pattern RESOURCE = Pattern.compile(
            "^(payments|periodic-payments)/[a-z0-9-]{1,64}/[A-Za-z0-9._~-]{1,128}$");

    final String kind;
    final String id;
    final String paymentId;

    private AuthorizedResource(String kind, String id, String paymentId) {
        this.kind = kind;
        this.id = id;
        this.paymentId = paymentId;
    }

    /**
     * From the flow's properties and the bank's answer: a consent's id is the answer's consentId; a new payment's
     * resource is {@code resourceBase} and the answer's paymentId; a cancellation's resource is given
     * ({@code resource}, from the payment's record).
     */
    static AuthorizedResource of(String kind, Fields answer, String resourceBase, String resource, String paymentId)
            throws CalloutException {
        if (kind.isEmpty() || kind.equals(CONSENT)) {
            return new AuthorizedResource(CONSENT, answer.token("consentId", true, MAX_ID_CHARS), "");
        }
        if (!kind.equals(PAYMENT) && !kind.equals(CANCELLATION)) {
            throw new CalloutException("invalid_property", "kind must be consent, payment or cancellation");
        }
        if (!OpaqueTokens.wellFormedPaymentId(paymentId)) {
            throw new CalloutException("invalid_property", "payment-id is not a hub payment id");
        }
        String id = resource;
        if (id.isEmpty()) {
            if (resourceBase.isEmpty()) {
                throw new CalloutException("invalid_property", "resource or resource-base is required for a payment");
            }
            id = resourceBase + "/" + answer.token("paymentId", true, 128);
        }
        return resource(kind, id, paymentId);
    }

    /** A payment kind from a record (the pending record's own members). */
    static AuthorizedResource resource(String kind, String id, String paymentId) throws CalloutException {
        if (!RESOURCE.matcher(id).matches()) {
            throw new CalloutException("invalid_bank_response", "the payment resource is not <service>/<product>/<paymentId>");
        }
        return new AuthorizedResource(kind, id, paymentId);
    }

    boolean isConsent() {
        return kind.equals(CONSENT);
    }

    /** The bank's own id: the consentId, or the paymentId (the resource's last segment). */
    String bankId() {
        return isConsent() ? id : id.substring(id.lastIndexOf('/') + 1);
    }

    String scope() {
        return (isConsent() ? "AIS:" : "PIS:") + bankId();
    }

    /** The bank path whose status tells whether the authorised thing is in force. */
    String statusPath() {
        return isConsent() ? "/v1/consents/" + id + "/status" : "/v1/" + id + "/status";
    }

    /** The pending record's members for it (a consent's record has none besides consentId: the first kind). */
    void describe(Map<String, Object> pending) {
        pending.put("consentId", id);
        if (!isConsent()) {
            pending.put("kind", kind);
            pending.put("paymentId", paymentId);
        }
    }
}
