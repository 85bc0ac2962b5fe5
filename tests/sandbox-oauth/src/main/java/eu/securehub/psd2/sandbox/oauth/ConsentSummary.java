package eu.securehub.psd2.sandbox.oauth;

import java.util.List;

/**
 * A consent as the consent page shows it to the customer.
 *
 * @param consentId         the Berlin Group consentId
 * @param status            the Berlin Group consentStatus (e.g. {@code received})
 * @param validUntil        ISO date
 * @param frequencyPerDay   the unattended reads allowed per day
 * @param recurring         recurringIndicator
 * @param accessDescription one line per access the TPP asks for, in words a person understands
 */
public record ConsentSummary(String consentId, String status, String validUntil, int frequencyPerDay,
                             boolean recurring, List<String> accessDescription) {

    public ConsentSummary {
        accessDescription = accessDescription == null ? List.of() : List.copyOf(accessDescription);
    }
}
