package eu.securehub.psd2.sandbox.oauth;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A bank with two customers, a few consents and two registered TPPs. */
final class FakeBank implements BankDirectory {

    static final String TPP = "PSDDE-BAFIN-000001";
    /** A second registered TPP; the test PKI has no QWAC for it. */
    static final String OTHER_TPP = "PSDDE-BAFIN-000002";
    static final String CONSENT = "consent-1";
    static final String BANK_OFFERED_CONSENT = "consent-bank-offered";
    static final String PAYMENT = "payment-1";
    /** A standing order whose cancellation awaits authorisation. */
    static final String STANDING_ORDER = "standing-order-1";
    static final String EXECUTED_PAYMENT = "payment-done";

    record Approval(String consentId, String customerId, List<String> accountIds) {
    }

    final Map<String, ConsentSummary> consents = new ConcurrentHashMap<>();
    final List<Approval> approvals = new CopyOnWriteArrayList<>();
    final List<String> rejections = new CopyOnWriteArrayList<>();
    final Map<String, PaymentSummary> payments = new ConcurrentHashMap<>();
    final List<String> paymentApprovals = new CopyOnWriteArrayList<>();
    final List<String> paymentRejections = new CopyOnWriteArrayList<>();

    FakeBank() {
        consents.put(CONSENT, new ConsentSummary(CONSENT, "received", "2030-12-31", 4, true,
                List.of("Balances of DE89 3704 0044 0532 0130 00", "Transactions of DE89 3704 0044 0532 0130 00")));
        consents.put(BANK_OFFERED_CONSENT, new ConsentSummary(BANK_OFFERED_CONSENT, "received", "2030-12-31", 4, true,
                List.of("Balances and transactions of the accounts you choose")));
        payments.put(PAYMENT, new PaymentSummary(PAYMENT, "RCVD", false, true, "Merchant <GmbH> & Co",
                "DE89370400440532013000", "EUR", "123.45", "Order 4711", "DE02120300000000202051", null, null, null,
                null));
        payments.put(STANDING_ORDER, new PaymentSummary(STANDING_ORDER, "ACTC", true, true, "Landlord Ltd",
                "DE89370400440532013000", "EUR", "750.00", "Rent", "DE02120300000000202051", null, "Monthly",
                "2030-01-01", null));
        payments.put(EXECUTED_PAYMENT, new PaymentSummary(EXECUTED_PAYMENT, "ACSC", false, false, "Shop",
                "DE89370400440532013000", "EUR", "1.00", null, "DE02120300000000202051", null, null, null, null));
    }

    @Override
    public Optional<PaymentSummary> payment(String paymentId) {
        return Optional.ofNullable(payments.get(paymentId));
    }

    @Override
    public void approvePayment(String paymentId, String customerId) {
        paymentApprovals.add(paymentId + " " + customerId);
    }

    @Override
    public void rejectPayment(String paymentId) {
        paymentRejections.add(paymentId);
    }

    @Override
    public Optional<String> authenticate(String username, char[] password) {
        if ("alice".equals(username) && Arrays.equals("alice-secret".toCharArray(), password)) {
            return Optional.of("customer-alice");
        }
        if ("bob".equals(username) && Arrays.equals("bob-secret".toCharArray(), password)) {
            return Optional.of("customer-bob");
        }
        return Optional.empty();
    }

    @Override
    public Optional<ConsentSummary> consent(String consentId) {
        return Optional.ofNullable(consents.get(consentId));
    }

    @Override
    public void approve(String consentId, String customerId, List<String> accountIds) {
        approvals.add(new Approval(consentId, customerId, accountIds));
        setStatus(consentId, "valid");
    }

    @Override
    public void reject(String consentId) {
        rejections.add(consentId);
        setStatus(consentId, "rejected");
    }

    void setStatus(String consentId, String status) {
        consents.computeIfPresent(consentId, (id, c) -> new ConsentSummary(c.consentId(), status, c.validUntil(),
                c.frequencyPerDay(), c.recurring(), c.accessDescription()));
    }

    @Override
    public Optional<String> clientOrganisation(String clientId) {
        return TPP.equals(clientId) || OTHER_TPP.equals(clientId) ? Optional.of(clientId) : Optional.empty();
    }

    @Override
    public List<AccountOption> selectableAccounts(String consentId, String customerId) {
        if (BANK_OFFERED_CONSENT.equals(consentId)) {
            return List.of(new AccountOption("acc-1", "DE89370400440532013000", "Current account"),
                    new AccountOption("acc-2", "DE02120300000000202051", "Savings account"));
        }
        return List.of();
    }
}
