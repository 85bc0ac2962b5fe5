package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.json.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code Java-PaymentRequest}: the CRM's payment requests, in three steps.
 * <ul>
 * <li>{@code create}: checks a payment initiation (single or periodic, Berlin Group JSON members plus the hub's
 *     {@code returnUrl} and {@code psuId}) and builds the bank's body from the members it checked; gives the
 *     idempotency key's latch id (per app) and the body's digest, and the authorisation's state, as consent creation
 *     does.</li>
 * <li>{@code cancel}: the authorisation state and return URL of a cancellation that may need its own SCA.</li>
 * <li>{@code replay}: a stored first answer for the same idempotency key: the same body gets it again, another body
 *     is refused ({@code idempotency_key_reused}).</li>
 * </ul>
 * Amounts stay decimal strings from the CRM to the bank: they are checked as text and with {@link BigDecimal}, never
 * as a floating-point number. A refused member is named in {@code payment.invalid_param} (a JSON pointer) with a fixed
 * reason in {@code payment.invalid_reason}; the value sent is never repeated.
 */
public final class PaymentRequest extends Callout {
    static final String PREFIX = "payment";
    static final Set<String> SERVICES = Set.of("payments", "periodic-payments");
    static final Set<String> PRODUCTS = Set.of("sepa-credit-transfers", "instant-sepa-credit-transfers");
    /** Berlin Group frequencyCode (EventFrequency7Code). */
    static final Set<String> FREQUENCIES = Set.of("Daily", "Weekly", "EveryTwoWeeks", "Monthly", "EveryTwoMonths",
            "Quarterly", "SemiAnnual", "Annual", "MonthlyVariable");
    static final Set<String> EXECUTION_RULES = Set.of("following", "preceding");
    /** Berlin Group amount: up to 14 digits and 3 decimals; SEPA (EUR) allows 2 and at most 999 999 999.99. */
    private static final Pattern AMOUNT = Pattern.compile("^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,3})?$");
    private static final BigDecimal SEPA_MAX = new BigDecimal("999999999.99");
    private static final Pattern IBAN = Pattern.compile("^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$");
    private static final Pattern DAY = Pattern.compile("^([1-9]|[12][0-9]|3[01])$");
    private static final int MAX_KEY_CHARS = 255;
    /** The members of a payment the hub passes to the bank; the CRM's own are returnUrl and psuId. */
    private static final Set<String> SINGLE_MEMBERS = Set.of("instructedAmount", "debtorAccount", "creditorAccount",
            "creditorName", "remittanceInformationUnstructured", "endToEndIdentification", "requestedExecutionDate");
    private static final Set<String> PERIODIC_MEMBERS = Set.of("startDate", "endDate", "frequency", "executionRule",
            "dayOfExecution");
    private static final Set<String> HUB_MEMBERS = Set.of("returnUrl", "psuId");
    /** How long the hub keeps a payment's record (status reads, cancellation), as the pending record's validUntil. */
    static final long RECORD_DAYS = 180;

    static final Set<String> PROPERTIES = Set.of("step", "body", "service", "product", "idempotency-key", "app-id",
            "allowed-return-urls", "return-url", "sca-preferred", "stored", "digest");

    public PaymentRequest(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "request", "service", "product", "resource_base", "idem_key", "body_digest",
                "invalid_param", "invalid_reason", "replay_status", "replay_body", "replay_problem", "replay_payment_id", "record_expires_at", "id");
    }

    @Override
    protected void run(MessageContext ctx) throws CalloutException {
        String step = required(ctx, "step");
        switch (step) {
            case "create":
                create(ctx);
                break;
            case "cancel":
                cancel(ctx);
                break;
            case "replay":
                replay(ctx);
                break;
            default:
                throw new CalloutException("invalid_property", "step must be create, cancel or replay");
        }
    }

    private void create(MessageContext ctx) throws CalloutException {
        String service = required(ctx, "service");
        String product = required(ctx, "product");
        if (!SERVICES.contains(service)) {
            throw new CalloutException("not_found", "the payment service is not payments or periodic-payments");
        }
        if (!PRODUCTS.contains(product)) {
            throw invalid(ctx, "payment_product_unsupported", "/paymentProduct",
                    "must be sepa-credit-transfers or instant-sepa-credit-transfers");
        }
        boolean periodic = service.equals("periodic-payments");
        boolean instant = product.startsWith("instant-");
        String key = idempotencyKey(ctx);

        Fields body = AuthorizationStart.crmBody(rawProperty(ctx, "body"));
        for (String name : body.members().keySet()) {
            if (!SINGLE_MEMBERS.contains(name) && !HUB_MEMBERS.contains(name)
                    && !(periodic && PERIODIC_MEMBERS.contains(name))) {
                throw invalid(ctx, "invalid_payment", "/" + safeName(name), "is not a member of this payment type");
            }
        }
        LocalDate today = Instant.ofEpochMilli(now(ctx)).atZone(ZoneOffset.UTC).toLocalDate();
        Map<String, Object> bank = new LinkedHashMap<>();

        Fields amount = object(ctx, body, "instructedAmount");
        String currency = text(ctx, amount, "/instructedAmount/currency", "currency", true, 3);
        if (!currency.equals("EUR")) {
            throw invalid(ctx, "invalid_payment", "/instructedAmount/currency", "must be EUR for SEPA credit transfers");
        }
        String value = text(ctx, amount, "/instructedAmount/amount", "amount", true, 18);
        if (!AMOUNT.matcher(value).matches()) {
            throw invalid(ctx, "invalid_payment", "/instructedAmount/amount",
                    "must be a decimal string such as \"123.45\" (no sign, exponent or spaces)");
        }
        BigDecimal decimal = new BigDecimal(value);
        if (decimal.signum() <= 0) {
            throw invalid(ctx, "invalid_payment", "/instructedAmount/amount", "must be greater than zero");
        }
        if (decimal.scale() > 2 || decimal.compareTo(SEPA_MAX) > 0) {
            throw invalid(ctx, "invalid_payment", "/instructedAmount/amount",
                    "must have at most two decimals and be at most 999999999.99 (SEPA)");
        }
        Map<String, Object> instructed = new LinkedHashMap<>();
        instructed.put("currency", currency);
        instructed.put("amount", value);
        bank.put("instructedAmount", instructed);
        bank.put("debtorAccount", account(ctx, body, "debtorAccount"));
        bank.put("creditorName", name(ctx, body));
        bank.put("creditorAccount", account(ctx, body, "creditorAccount"));
        String remittance = text(ctx, body, "/remittanceInformationUnstructured", "remittanceInformationUnstructured",
                false, 140);
        if (!remittance.isEmpty()) {
            bank.put("remittanceInformationUnstructured", remittance);
        }
        String endToEnd = text(ctx, body, "/endToEndIdentification", "endToEndIdentification", false, 35);
        if (!endToEnd.isEmpty()) {
            if (!Fields.visibleAscii(endToEnd)) {
                throw invalid(ctx, "invalid_payment", "/endToEndIdentification", "must be visible ASCII without spaces");
            }
            bank.put("endToEndIdentification", endToEnd);
        }
        if (body.has("requestedExecutionDate")) {
            if (periodic || instant) {
                throw invalid(ctx, "invalid_payment", "/requestedExecutionDate",
                        "is only for single sepa-credit-transfers (an instant payment runs at once, a standing order has startDate)");
            }
            LocalDate date = date(ctx, body, "requestedExecutionDate", true);
            if (date.isBefore(today)) {
                throw invalid(ctx, "invalid_payment", "/requestedExecutionDate", "is in the past");
            }
            bank.put("requestedExecutionDate", date.toString());
        }
        if (periodic) {
            schedule(ctx, body, today, bank);
        }
        String returnUrl = returnUrl(ctx, body.text("returnUrl", true));
        String psuId = text(ctx, body, "/psuId", "psuId", false, 140);
        if (!psuId.isEmpty() && !Fields.visibleAscii(psuId)) {
            throw invalid(ctx, "invalid_payment", "/psuId", "must be visible ASCII without spaces");
        }
        AuthorizationStart.requirePsuId(psuId, property(ctx, "sca-preferred"));

        // The hub's id for the payment exists before the bank is called: the authorisation's records carry it.
        ctx.setVariable(var("id"), OpaqueTokens.mintPaymentId());
        ctx.setVariable(var("service"), service);
        ctx.setVariable(var("product"), product);
        ctx.setVariable(var("resource_base"), service + "/" + product);
        ctx.setVariable(var("request"), Json.write(bank));
        ctx.setVariable(var("idem_key"), latchId(required(ctx, "app-id"), key));
        // The digest covers what the CRM asked for, service and product included, whatever the members' order.
        ctx.setVariable(var("body_digest"), digest(service + "/" + product + "\n" + Json.write(canonical(body.members()))));
        startAuthorisation(ctx, returnUrl, psuId);
    }

    /** A standing order's schedule (Berlin Group periodicPaymentInitiation_json), checked into the bank's body. */
    private void schedule(MessageContext ctx, Fields body, LocalDate today, Map<String, Object> bank) throws CalloutException {
        LocalDate start = date(ctx, body, "startDate", true);
        if (start.isBefore(today)) {
            throw invalid(ctx, "invalid_payment", "/startDate", "is in the past");
        }
        bank.put("startDate", start.toString());
        String frequency = text(ctx, body, "/frequency", "frequency", true, 20);
        if (!FREQUENCIES.contains(frequency)) {
            throw invalid(ctx, "invalid_payment", "/frequency", "must be one of " + String.join(", ",
                    new java.util.TreeSet<>(FREQUENCIES)));
        }
        bank.put("frequency", frequency);
        if (body.has("endDate")) {
            LocalDate end = date(ctx, body, "endDate", true);
            if (end.isBefore(start)) {
                throw invalid(ctx, "invalid_payment", "/endDate", "is before startDate");
            }
            bank.put("endDate", end.toString());
        }
        if (body.has("executionRule")) {
            String rule = text(ctx, body, "/executionRule", "executionRule", true, 10);
            if (!EXECUTION_RULES.contains(rule)) {
                throw invalid(ctx, "invalid_payment", "/executionRule", "must be following or preceding");
            }
            bank.put("executionRule", rule);
        }
        if (body.has("dayOfExecution")) {
            String day = text(ctx, body, "/dayOfExecution", "dayOfExecution", true, 2);
            if (!DAY.matcher(day).matches()) {
                throw invalid(ctx, "invalid_payment", "/dayOfExecution", "must be a day of the month, \"1\" to \"31\"");
            }
            bank.put("dayOfExecution", day);
        }
    }

    private void cancel(MessageContext ctx) throws CalloutException {
        // DELETE has no body: the return URL is the query's returnUrl, else the app's first registered one.
        String returnUrl = property(ctx, "return-url");
        if (returnUrl.isEmpty()) {
            returnUrl = Arrays.stream(property(ctx, "allowed-return-urls").split(",")).map(String::trim)
                    .filter(u -> !u.isEmpty()).findFirst()
                    .orElseThrow(() -> new CalloutException("invalid_return_url", "the app has no registered return URL"));
        }
        startAuthorisation(ctx, returnUrl(ctx, returnUrl), "");
    }

    /** The same variables as AuthorizationStart's request step: the SCA machinery serves consents and payments. */
    private void startAuthorisation(MessageContext ctx, String returnUrl, String psuId) throws CalloutException {
        // The payment's record lives RECORD_DAYS: the pending record's validUntil, from which the callback's token
        // record takes its expiry, as a consent's does from the consent's validUntil.
        LocalDate today = Instant.ofEpochMilli(now(ctx)).atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate last = today.plusDays(RECORD_DAYS);
        String until = last.toString();
        // The record's expiry at creation, the end of that day (UTC): the same the callback gives the re-stored record.
        ctx.setVariable(var("record_expires_at"),
                Long.toString(last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond()));
        ctx.setVariable("authz.valid_until", until);
        ctx.setVariable("authz.frequency_per_day", "1");
        String state = AuthzState.random();
        ctx.setVariable("authz.state", state);
        ctx.setVariable("authz.state_key", AuthzState.stateKey(state));
        ctx.setVariable("authz.return_url", returnUrl);
        ctx.setVariable("private.authz.psu_id", psuId);
        ctx.setVariable("authz.psu_given", Boolean.toString(!psuId.isEmpty()));
    }

    private String returnUrl(MessageContext ctx, String returnUrl) throws CalloutException {
        return AuthorizationStart.registeredReturnUrl(returnUrl, property(ctx, "allowed-return-urls"));
    }

    /**
     * The stored first answer: {@code v1 <digest> <status> <body>} (PC-IdempotentAnswer). The same digest replays
     * it; another is the same key reused for another payment.
     */
    private void replay(MessageContext ctx) throws CalloutException {
        String stored = rawProperty(ctx, "stored");
        String[] parts = stored.split(" ", 4);
        if (parts.length != 4 || !parts[0].equals("v1") || !parts[2].matches("^[1-5][0-9]{2}$")) {
            throw new CalloutException("internal_error", "the stored idempotent answer is not readable");
        }
        if (!parts[1].equals(required(ctx, "digest"))) {
            throw new CalloutException("idempotency_key_reused",
                    "the Idempotency-Key was used for another payment request within 24 hours");
        }
        ctx.setVariable(var("replay_status"), parts[2]);
        ctx.setVariable(var("replay_body"), parts[3]);
        ctx.setVariable(var("replay_problem"), Boolean.toString(Integer.parseInt(parts[2]) >= 400));
        // A created payment's id, for the replay's Location header as the first answer had it.
        String paymentId = "";
        if (parts[2].equals("201")) {
            try {
                Object id = Json.parseObject(parts[3]).get("paymentId");
                paymentId = id instanceof String && OpaqueTokens.wellFormedPaymentId((String) id) ? (String) id : "";
            } catch (eu.securehub.psd2.callouts.json.JsonException e) {
                throw new CalloutException("internal_error", "the stored idempotent answer is not readable");
            }
        }
        ctx.setVariable(var("replay_payment_id"), paymentId);
    }

    /**
     * The Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header: a structured-field string, so the
     * quoted form is taken as well as the bare one most APIs use): 1 to 255 visible ASCII characters.
     */
    private String idempotencyKey(MessageContext ctx) throws CalloutException {
        String key = property(ctx, "idempotency-key");
        if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
            key = key.substring(1, key.length() - 1);
        }
        if (key.isEmpty()) {
            throw invalid(ctx, "idempotency_key_missing", "Idempotency-Key", "is required: a unique value (a UUID) per payment");
        }
        if (key.length() > MAX_KEY_CHARS || !Fields.visibleAscii(key)) {
            throw invalid(ctx, "idempotency_key_missing", "Idempotency-Key",
                    "must be 1 to 255 visible ASCII characters (a UUID)");
        }
        return key;
    }

    /** The latch and cache id of an app's key: a digest, so that neither the key nor the app is stored. */
    static String latchId(String appId, String key) {
        return "idem." + digest(appId + "\n" + key).substring(0, 32);
    }

    static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Members sorted by name at every level: two bodies that say the same thing have one digest. */
    @SuppressWarnings("unchecked")
    static Object canonical(Object value) {
        if (value instanceof Map) {
            Map<String, Object> sorted = new TreeMap<>();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) value).entrySet()) {
                sorted.put(e.getKey(), canonical(e.getValue()));
            }
            return sorted;
        }
        if (value instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<Object>) value) {
                out.add(canonical(o));
            }
            return out;
        }
        return value;
    }

    private Map<String, Object> account(MessageContext ctx, Fields body, String name) throws CalloutException {
        Fields account = object(ctx, body, name);
        String iban = text(ctx, account, "/" + name + "/iban", "iban", true, 34);
        if (!IBAN.matcher(iban).matches() || !ibanChecksum(iban)) {
            throw invalid(ctx, "invalid_payment", "/" + name + "/iban",
                    "is not a valid IBAN (upper case, no spaces, ISO 13616 check digits)");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("iban", iban);
        String currency = text(ctx, account, "/" + name + "/currency", "currency", false, 3);
        if (!currency.isEmpty()) {
            if (!currency.equals("EUR")) {
                throw invalid(ctx, "invalid_payment", "/" + name + "/currency", "must be EUR for SEPA credit transfers");
            }
            out.put("currency", currency);
        }
        return out;
    }

    private String name(MessageContext ctx, Fields body) throws CalloutException {
        String name = text(ctx, body, "/creditorName", "creditorName", true, 70);
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw invalid(ctx, "invalid_payment", "/creditorName", "contains a control character");
            }
        }
        if (name.trim().isEmpty()) {
            throw invalid(ctx, "invalid_payment", "/creditorName", "is blank");
        }
        return name;
    }

    /** ISO 13616: move the first four characters to the end, letters to numbers (A = 10), the number mod 97 is 1. */
    static boolean ibanChecksum(String iban) {
        String moved = iban.substring(4) + iban.substring(0, 4);
        int remainder = 0;
        for (int i = 0; i < moved.length(); i++) {
            char c = moved.charAt(i);
            int v = c >= 'A' ? c - 'A' + 10 : c - '0';
            remainder = v >= 10 ? (remainder * 100 + v) % 97 : (remainder * 10 + v) % 97;
        }
        return remainder == 1;
    }

    private Fields object(MessageContext ctx, Fields parent, String name) throws CalloutException {
        Object v = parent.members().get(name);
        if (v == null) {
            throw invalid(ctx, "invalid_payment", "/" + name, "is missing");
        }
        if (!(v instanceof Map)) {
            throw invalid(ctx, "invalid_payment", "/" + name, "is not an object");
        }
        return parent.object(name, true);
    }

    private String text(MessageContext ctx, Fields f, String pointer, String name, boolean required, int max)
            throws CalloutException {
        Object v = f.members().get(name);
        if (v == null) {
            if (required) {
                throw invalid(ctx, "invalid_payment", pointer, "is missing");
            }
            return "";
        }
        if (!(v instanceof String)) {
            throw invalid(ctx, "invalid_payment", pointer, "is not a string");
        }
        String s = (String) v;
        if (required && s.isEmpty()) {
            throw invalid(ctx, "invalid_payment", pointer, "is empty");
        }
        if (s.length() > max) {
            throw invalid(ctx, "invalid_payment", pointer, "is longer than " + max + " characters");
        }
        return s;
    }

    private LocalDate date(MessageContext ctx, Fields body, String name, boolean required) throws CalloutException {
        String value = text(ctx, body, "/" + name, name, required, 10);
        try {
            return AuthorizationStart.date(body, name, value);
        } catch (CalloutException e) {
            throw invalid(ctx, "invalid_payment", "/" + name, "is not a date (YYYY-MM-DD)");
        }
    }

    /** A member name as it may be named back: letters and digits only, else a placeholder (never the value). */
    private static String safeName(String name) {
        return name.matches("^[A-Za-z0-9]{1,64}$") ? name : "(member)";
    }

    private CalloutException invalid(MessageContext ctx, String code, String param, String reason) {
        ctx.setVariable(var("invalid_param"), param);
        ctx.setVariable(var("invalid_reason"), reason);
        return new CalloutException(code, param + " " + reason);
    }
}
