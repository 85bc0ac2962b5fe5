package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code Java-PaymentView}: the bank's answer about a payment as the CRM sees it, in two steps.
 * <ul>
 * <li>{@code payment}: the payment as the bank reports it (Berlin Group {@code GET /v1/{service}/{product}/{id}}),
 *     under the hub's paymentId, without the bank's links (they point at the bank, not the hub).</li>
 * <li>{@code status}: {@code transactionStatus} (any ISO 20022 code the bank sends, new ones too), {@code
 *     fundsAvailable} when given, and the bank's reason codes (Berlin Group {@code tppMessages[].code}, e.g.
 *     {@code FUNDS_NOT_AVAILABLE}); the bank's free text is not passed on.</li>
 * </ul>
 */
public final class PaymentView extends Callout {
    static final String PREFIX = "payment";
    private static final Pattern STATUS = Pattern.compile("^[A-Z]{4}$");
    private static final Pattern CODE = Pattern.compile("^[A-Z0-9_]{1,64}$");
    private static final int MAX_BODY_CHARS = 256 * 1024;
    private static final Set<String> DROPPED = Set.of("_links", "paymentId");

    static final Set<String> PROPERTIES = Set.of("step", "response", "payment-id", "resource");

    public PaymentView(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "view", "transaction_status");
    }

    @Override
    protected void run(MessageContext ctx) throws CalloutException {
        String step = required(ctx, "step");
        if (!step.equals("payment") && !step.equals("status")) {
            throw new CalloutException("invalid_property", "step must be payment or status");
        }
        String text = rawProperty(ctx, "response");
        if (text.length() > MAX_BODY_CHARS) {
            throw new CalloutException("invalid_bank_response", "the bank's payment answer is too large");
        }
        Fields bank = Fields.parse(text, "invalid_bank_response", "the bank's payment answer");
        String status = bank.token("transactionStatus", true, 4);
        if (!STATUS.matcher(status).matches()) {
            throw bank.invalid("transactionStatus", "is not an ISO 20022 status code");
        }
        // The resource is <service>/<product>/<bank id>: the CRM sees service and product, never the bank's id.
        String[] resource = required(ctx, "resource").split("/");
        if (resource.length != 3) {
            throw new CalloutException("invalid_property", "resource is not <service>/<product>/<paymentId>");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("paymentId", required(ctx, "payment-id"));
        out.put("paymentService", resource[0]);
        out.put("paymentProduct", resource[1]);
        out.put("transactionStatus", status);
        if (step.equals("payment")) {
            for (Map.Entry<String, Object> e : bank.members().entrySet()) {
                if (!DROPPED.contains(e.getKey()) && !out.containsKey(e.getKey())) {
                    out.put(e.getKey(), e.getValue());
                }
            }
        } else {
            if (bank.has("fundsAvailable")) {
                out.put("fundsAvailable", bank.bool("fundsAvailable", null));
            }
            List<String> reasons = reasons(bank.array("tppMessages"));
            reasons.addAll(reasons(bank.array("tppMessage")));
            if (!reasons.isEmpty()) {
                out.put("reasons", reasons);
            }
        }
        ctx.setVariable(var("transaction_status"), status);
        ctx.setVariable(var("view"), Json.write(out));
    }

    private static List<String> reasons(List<?> messages) {
        List<String> codes = new ArrayList<>();
        if (messages == null) {
            return codes;
        }
        for (Object m : messages) {
            Object code = m instanceof Map ? ((Map<?, ?>) m).get("code") : null;
            if (code instanceof String && CODE.matcher((String) code).matches() && codes.size() < 10) {
                codes.add((String) code);
            }
        }
        return codes;
    }
}
