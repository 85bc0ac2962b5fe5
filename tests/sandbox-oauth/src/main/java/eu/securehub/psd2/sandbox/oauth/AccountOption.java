package eu.securehub.psd2.sandbox.oauth;

/**
 * An account the customer may choose on the consent page ({@link BankDirectory#selectableAccounts}).
 *
 * @param accountId the Berlin Group resourceId, passed back to {@link BankDirectory#approve}
 * @param iban      shown to the customer
 * @param name      shown to the customer (e.g. "Current account"); may be null
 */
public record AccountOption(String accountId, String iban, String name) {
}
