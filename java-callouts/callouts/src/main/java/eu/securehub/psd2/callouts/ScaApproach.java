package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.json.Json;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code Java-ScaApproach}: follows the SCA approach the bank chose for a consent (Berlin Group NextGenPSD2 1.3.x:
 * response header {@code ASPSP-SCA-Approach} and {@code _links}), in three steps.
 * <ul>
 * <li>{@code answer}: reads the bank's answer to the consent creation or to an explicit authorisation start and says
 *     what comes next ({@code sca.next}): {@code oauth} (today's OAuth journey), {@code start} (the bank waits for
 *     {@code POST …/authorisations}), {@code redirect} (the browser goes to the bank's {@code scaRedirect}) or
 *     {@code poll} (decoupled: the customer approves in the bank's app, the hub polls {@code scaStatus}).
 *     EMBEDDED, or an approach the bank's registry entry does not offer, is refused.</li>
 * <li>{@code pending}: the pending authorisation record of a redirect or decoupled journey (the OAuth journey's is
 *     made by {@code AuthorizationStart}).</li>
 * <li>{@code status}: the bank's {@code scaStatus} (and, after a redirect, the consent status) as an outcome:
 *     {@code success}, {@code pending}, {@code denied} or {@code error}.</li>
 * </ul>
 * Links are followed only as paths on the bank's own TargetServer host: a link to another host is never called (the
 * scaRedirect URL, opened by the customer's browser, is the one absolute URL taken, and must be https).
 */
public final class ScaApproach extends Callout {
    static final String PREFIX = "sca";
    private static final int MAX_ID_CHARS = 256;
    private static final Pattern PATH = Pattern.compile("^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,1023}$");
    /** Berlin Group scaStatus values (1.3.9 file, scaStatus) still on the way to an end. */
    static final Set<String> PENDING_SCA = Set.of("received", "psuIdentified", "psuAuthenticated", "scaMethodSelected",
            "started", "unconfirmed");
    /** Links that ask for the customer's credentials through the TPP: the embedded approach. */
    static final List<String> EMBEDDED_LINKS = List.of("startAuthorisationWithPsuIdentification",
            "startAuthorisationWithPsuAuthentication", "startAuthorisationWithEncryptedPsuAuthentication",
            "updatePsuAuthentication", "selectAuthenticationMethod", "authoriseTransaction");
    static final List<String> START_LINKS = List.of("startAuthorisation", "startAuthorisationWithAuthenticationMethodSelection",
            "startAuthorisationWithTransactionAuthorisation");

    static final Set<String> PROPERTIES = Set.of("step", "approach-header", "response", "offered", "consent-id",
            "state", "bank-id", "app-id", "return-url", "frequency-per-day", "valid-until", "pending-ttl-seconds", "approach",
            "status-path", "sca-status", "consent-status", "redirect-result", "poll-seconds", "state-key", "kind", "resource-base",
            "payment-id");

    public ScaApproach(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "approach", "next", "consent_id", "consent_status", "redirect_url",
                "start_path", "status_path", "authorisation_id", "psu_message", "status", "outcome", "crm_status", "poll_key",
                "poll_open", "retry_after", "transaction_status", "mint");
    }

    @Override
    protected void run(MessageContext ctx) throws CalloutException {
        String step = required(ctx, "step");
        switch (step) {
            case "answer":
                answer(ctx);
                break;
            case "pending":
                pending(ctx);
                break;
            case "status":
                status(ctx);
                break;
            case "poll-slot":
                pollSlot(ctx);
                break;
            default:
                throw new CalloutException("invalid_property", "step must be answer, pending, status or poll-slot");
        }
    }

    private void answer(MessageContext ctx) throws CalloutException {
        Fields body = Fields.parse(required(ctx, "response"), "invalid_bank_response", "the bank's answer");
        List<String> offered = Arrays.asList(required(ctx, "offered").split(" "));
        String header = property(ctx, "approach-header").trim();
        Fields links = body.object("_links", false);
        if (links == null) {
            links = Fields.of(Map.of(), "invalid_bank_response", "the bank's answer _links");
        }
        if (header.equals("EMBEDDED") || EMBEDDED_LINKS.stream().anyMatch(links::has)) {
            throw new CalloutException("embedded_not_supported",
                    "the bank asks for the embedded SCA approach, which the hub does not run");
        }
        // A consent's id, or a payment's resource (AuthorizedResource); an explicit start's answer carries neither, and
        // a cancellation's resource is the payment's: the flow passes it as consent-id.
        String consentId = property(ctx, "consent-id");
        if (consentId.isEmpty()) {
            consentId = AuthorizedResource.of(property(ctx, "kind"), body, property(ctx, "resource-base"), "",
                    property(ctx, "payment-id")).id;
        }
        String start = START_LINKS.stream().filter(links::has).findFirst().orElse("");
        String approach;
        String next;
        if (links.has("scaOAuth")) {
            approach = "oauth";
            next = "oauth";
        } else if (header.equals("DECOUPLED")) {
            approach = "decoupled";
            next = start.isEmpty() ? "poll" : "start";
        } else if (header.isEmpty() && !start.isEmpty()) {
            // An answer without ASPSP-SCA-Approach that asks for an explicit start (Berlin Group's cancellation 202
            // carries no such header): the start's answer says the approach, and is checked then.
            approach = "";
            next = "start";
        } else if (header.equals("REDIRECT") || header.isEmpty()) {
            approach = "redirect";
            next = start.isEmpty() ? "redirect" : "start";
        } else {
            throw new CalloutException("unexpected_sca_approach", "the bank's ASPSP-SCA-Approach is not one the hub knows");
        }
        if (!approach.isEmpty() && !offered.contains(approach.toUpperCase(java.util.Locale.ROOT))) {
            throw new CalloutException("unexpected_sca_approach",
                    "the bank chose the " + approach + " approach, which its registry entry does not offer");
        }
        String redirectUrl = "";
        String statusPath = "";
        String startPath = "";
        if (next.equals("start")) {
            startPath = path(links, start);
        } else if (next.equals("redirect")) {
            redirectUrl = href(links, "scaRedirect");
            if (!Urls.secure(redirectUrl)) {
                throw links.invalid("scaRedirect", "is not an https URL");
            }
            statusPath = links.has("scaStatus") ? path(links, "scaStatus") : "";
        } else if (next.equals("poll")) {
            statusPath = path(links, "scaStatus");
        }
        ctx.setVariable(var("approach"), approach);
        ctx.setVariable(var("next"), next);
        ctx.setVariable(var("consent_id"), consentId);
        ctx.setVariable(var("consent_status"), body.token("consentStatus", false, 64));
        // A payment's status from its creation answer; an explicit start's answer has none and keeps it.
        String transactionStatus = body.token("transactionStatus", false, 64);
        if (!transactionStatus.isEmpty()) {
            ctx.setVariable(var("transaction_status"), transactionStatus);
        }
        ctx.setVariable(var("redirect_url"), redirectUrl);
        ctx.setVariable(var("start_path"), startPath);
        ctx.setVariable(var("status_path"), statusPath);
        ctx.setVariable(var("authorisation_id"), body.token("authorisationId", false, MAX_ID_CHARS));
        String message = body.text("psuMessage", false);
        ctx.setVariable(var("psu_message"), message.length() > 500 ? message.substring(0, 500) : message);
    }

    private static String href(Fields links, String name) throws CalloutException {
        Fields link = links.object(name, true);
        return link.text("href", true);
    }

    /** The link's path (and query) on the bank's host; an absolute link is reduced to its path, never followed elsewhere. */
    private static String path(Fields links, String name) throws CalloutException {
        String href = href(links, name);
        String path = href;
        if (!href.startsWith("/")) {
            // An absolute link: its path and query only (java.net.URI is off limits in a callout: no network classes).
            if (!href.startsWith("https://") || !Urls.secure(href)) {
                throw links.invalid(name, "is neither a path nor an https URL");
            }
            int slash = href.indexOf('/', "https://".length());
            path = slash < 0 ? "/" : href.substring(slash);
        }
        if (!PATH.matcher(path.split("\\?", 2)[0]).matches() || path.contains("..")) {
            throw links.invalid(name, "is not a path on the bank's API");
        }
        return path;
    }

    private void pending(MessageContext ctx) throws CalloutException {
        String approach = required(ctx, "approach");
        if (!approach.equals("redirect") && !approach.equals("decoupled")) {
            throw new CalloutException("invalid_property", "approach must be redirect or decoupled");
        }
        String state = required(ctx, "state");
        if (!AuthzState.wellFormed(state)) {
            throw new CalloutException("invalid_property", "state is not 43 base64url characters");
        }
        long ttl = longProperty(ctx, "pending-ttl-seconds", 600, 60, 3600);
        String statusPath = property(ctx, "status-path");
        if (approach.equals("decoupled") && statusPath.isEmpty()) {
            throw new CalloutException("invalid_property", "status-path is required for the decoupled approach");
        }
        Map<String, Object> pending = new LinkedHashMap<>();
        pending.put("v", 1L);
        pending.put("approach", approach);
        String kind = property(ctx, "kind");
        if (kind.isEmpty() || kind.equals(AuthorizedResource.CONSENT)) {
            pending.put("consentId", required(ctx, "consent-id"));
        } else {
            if (!OpaqueTokens.wellFormedPaymentId(property(ctx, "payment-id"))) {
                throw new CalloutException("invalid_property", "payment-id is not a hub payment id");
            }
            AuthorizedResource.resource(kind, required(ctx, "consent-id"), property(ctx, "payment-id")).describe(pending);
        }
        pending.put("bankId", required(ctx, "bank-id"));
        pending.put("appId", required(ctx, "app-id"));
        pending.put("returnUrl", required(ctx, "return-url"));
        pending.put("frequencyPerDay", requiredLong(ctx, "frequency-per-day", 1, 100));
        pending.put("validUntil", required(ctx, "valid-until"));
        pending.put("statusPath", statusPath);
        pending.put("exp", now(ctx) / 1000 + ttl);
        ctx.setVariable(AuthorizationStart.PENDING, Json.write(pending));
        // The same variables as the OAuth journey's pending step: PC-Pending and AM-ConsentCreated serve both.
        ctx.setVariable("authz.expires_in", Long.toString(ttl));
        ctx.setVariable("authz.retain_seconds", Long.toString(ttl + AuthorizationStart.RETAIN_AFTER_EXPIRY_SECONDS));
    }

    /**
     * The outcome of a redirect or decoupled authorisation. After the browser came back: {@code redirect-result}
     * ("ok" or "nok", the hub's own marker in TPP-Redirect-URI / TPP-Nok-Redirect-URI) and both statuses; while
     * polling (decoupled): the scaStatus alone. Only a finalised SCA on a valid consent is a success.
     */
    private void status(MessageContext ctx) throws CalloutException {
        String result = property(ctx, "redirect-result");
        String scaText = property(ctx, "sca-status");
        String consentText = property(ctx, "consent-status");
        if (scaText.isEmpty() && consentText.isEmpty()) {
            throw new CalloutException("invalid_property", "sca-status or consent-status is required");
        }
        String scaStatus = scaText.isEmpty() ? ""
                : Fields.parse(scaText, "invalid_bank_response", "the bank's scaStatus answer").token("scaStatus", true, 64);
        // A consent's status (consentStatus) or, for a payment and its cancellation, the payment's (transactionStatus).
        String kind = property(ctx, "kind");
        boolean consent = kind.isEmpty() || kind.equals(AuthorizedResource.CONSENT);
        String consentStatus = "";
        String transactionStatus = "";
        if (!consentText.isEmpty()) {
            Fields resource = Fields.parse(consentText, "invalid_bank_response", "the bank's status answer");
            if (consent) {
                consentStatus = resource.token("consentStatus", true, 64);
            } else {
                transactionStatus = resource.token("transactionStatus", true, 64);
            }
        }
        // Without an SCA status to read, a payment the bank rejected (RJCT) was not authorised. With one, the SCA
        // status speaks: a payment authorised and then rejected for funds is a successful authorisation, and the CRM
        // reads the rejection and its reason in the payment's status. A cancellation's payment keeps its status until
        // the bank cancels it, so only the SCA status speaks for a cancellation.
        boolean refused = kind.equals(AuthorizedResource.PAYMENT) && transactionStatus.equals("RJCT") && scaStatus.isEmpty();
        String outcome;
        if (scaStatus.equals("failed") || consentStatus.equals("rejected") || refused || result.equals("nok")) {
            outcome = "denied";
        } else if (PENDING_SCA.contains(scaStatus)
                || (scaStatus.isEmpty() && (consentStatus.equals("received") || transactionStatus.equals("RCVD")))) {
            // After a redirect back the SCA is over: a bank that still reports it open has not confirmed it.
            outcome = result.isEmpty() ? "pending" : "error";
        } else if ((scaStatus.isEmpty() || scaStatus.equals("finalised") || scaStatus.equals("exempted"))
                && (consentStatus.isEmpty() || consentStatus.equals("valid"))) {
            outcome = "success";
        } else {
            outcome = "error";
        }
        ctx.setVariable(var("status"), scaStatus);
        ctx.setVariable(var("consent_status"), consentStatus);
        ctx.setVariable(var("outcome"), outcome);
        ctx.setVariable(var("transaction_status"), transactionStatus);
        // A consent's success mints the CRM's hub token; a payment's record exists already.
        ctx.setVariable(var("mint"), Boolean.toString(consent && outcome.equals("success")));
        // What POST /authorisations/status tells the CRM.
        ctx.setVariable(var("crm_status"), outcome.equals("success") ? "finalised" : outcome.equals("pending") ? "pending" : "failed");
    }

    /**
     * The poll gate: time is cut into slots of {@code poll-seconds}; a poll may reach the bank only in the first half of
     * a slot ({@code sca.poll_open}), and at most one per slot: a distributed Quota of one per {@code sca.poll_key} (the
     * state key and the slot's number; Q-ScaPoll) on all message processors. So two bank polls are at least half a slot
     * apart (PLATFORM-GUIDE.md, "Which dialect does my bank speak", sca.statusPollSeconds); {@code sca.retry_after} is the time to the next slot, in whole seconds.
     */
    private void pollSlot(MessageContext ctx) throws CalloutException {
        long slotMs = requiredLong(ctx, "poll-seconds", 1, BankDialect.MAX_POLL_SECONDS) * 1000;
        String stateKey = required(ctx, "state-key");
        long now = now(ctx);
        long slot = now / slotMs;
        long intoSlot = now - slot * slotMs;
        ctx.setVariable(var("poll_key"), stateKey + "." + slot);
        ctx.setVariable(var("poll_open"), Boolean.toString(intoSlot < slotMs / 2));
        ctx.setVariable(var("retry_after"), Long.toString((slotMs - intoSlot + 999) / 1000));
    }
}
