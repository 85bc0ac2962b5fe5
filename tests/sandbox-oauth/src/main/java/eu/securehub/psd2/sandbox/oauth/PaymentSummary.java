package eu.securehub.psd2.sandbox.oauth;

/**
 * A payment (or the cancellation of a standing order) as the authorisation page shows it to the customer. No secrets.
 *
 * @param paymentId              the Berlin Group paymentId
 * @param transactionStatus      the Berlin Group transactionStatus (e.g. {@code RCVD})
 * @param cancellation           true when the authorisation asked for is the cancellation of the payment (a standing
 *                               order), false when it is the payment itself
 * @param authorisable           true when the payment (or its cancellation) awaits the customer's authorisation now
 * @param creditorName           the payee
 * @param creditorIban           the payee's IBAN
 * @param currency               ISO 4217 code, e.g. {@code EUR}
 * @param amount                 the amount as a decimal string, e.g. {@code 123.45}
 * @param remittance             the reference (remittanceInformationUnstructured), or null
 * @param debtorIban             the account the payment is made from
 * @param requestedExecutionDate ISO date of a future-dated single payment, or null
 * @param frequency              a standing order's Berlin Group frequencyCode (e.g. {@code Monthly}), else null
 * @param startDate              a standing order's first execution day (ISO date), else null
 * @param endDate                a standing order's last execution day (ISO date), or null (until cancelled)
 */
public record PaymentSummary(String paymentId, String transactionStatus, boolean cancellation, boolean authorisable,
                             String creditorName, String creditorIban, String currency, String amount,
                             String remittance, String debtorIban, String requestedExecutionDate, String frequency,
                             String startDate, String endDate) {

    /** True for a standing order (a periodic payment). */
    public boolean standingOrder() {
        return frequency != null;
    }

    /** The amount as the pages show it, e.g. {@code EUR 123.45}. */
    public String amountText() {
        return currency + " " + amount;
    }
}
