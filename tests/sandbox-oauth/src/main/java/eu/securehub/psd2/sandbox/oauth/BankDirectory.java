package eu.securehub.psd2.sandbox.oauth;

import java.util.List;
import java.util.Optional;

/**
 * What the authorisation server needs from the bank (implemented by the sandbox bank).
 *
 * <p>Every method may be called from several threads at once.
 */
public interface BankDirectory {

    /** The customer id for these online-banking credentials, or empty when they are wrong. */
    Optional<String> authenticate(String username, char[] password);

    /** The consent as the consent page shows it (no secrets), or empty when the bank does not know it. */
    Optional<ConsentSummary> consent(String consentId);

    /**
     * The customer approved the consent: it becomes valid. {@code accountIds} holds the accounts the customer chose on
     * the consent page when {@link #selectableAccounts} offered a choice, and is empty otherwise.
     */
    void approve(String consentId, String customerId, List<String> accountIds);

    /** The customer denied (or cancelled) the authorisation: the consent is rejected. */
    void reject(String consentId);

    /** The organizationIdentifier a registered TPP's QWAC carries for this OAuth client_id, or empty when unknown. */
    Optional<String> clientOrganisation(String clientId);

    /**
     * The accounts the customer may choose from on the consent page (for consents that leave the choice to the
     * customer, such as bank-offered consents); empty (the default) when the consent already names its accounts and
     * the page offers no choice. When not empty, the customer must choose at least one of them.
     */
    default List<AccountOption> selectableAccounts(String consentId, String customerId) {
        return List.of();
    }

    /**
     * The payment (scope {@code PIS:<paymentId>}) as the authorisation page shows it, or empty when the bank does not
     * know it (the default: a bank without payments). {@link PaymentSummary#cancellation()} tells whether the
     * authorisation asked for is the payment or the cancellation of a standing order.
     */
    default Optional<PaymentSummary> payment(String paymentId) {
        return Optional.empty();
    }

    /**
     * The customer approved the payment, or its cancellation when one awaits authorisation (see {@link #payment}).
     *
     * @throws IllegalStateException when the payment awaits no authorisation
     */
    default void approvePayment(String paymentId, String customerId) {
        throw new IllegalStateException("this bank has no payments");
    }

    /**
     * The customer denied (or cancelled) the authorisation of the payment (it is rejected) or of its cancellation (the
     * standing order stays).
     */
    default void rejectPayment(String paymentId) {
    }
}
