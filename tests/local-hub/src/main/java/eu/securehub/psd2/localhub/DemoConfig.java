package eu.securehub.psd2.localhub;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the demo CRM knows before any call to the hub, as a CRM back end's configuration and customer records would:
 * the hub's base URL and the CRM app's API key (server side only), its registered return URL, the banks the hub
 * offers, and its customers (their sandbox logins, shown as hints, and the accounts they hold, to pay from).
 */
record DemoConfig(String hubBaseUrl, String apiKey, String returnUrl, List<Bank> banks, List<Customer> customers) {

    /** A bank of the hub's registry; {@code psuIdRequired}: its customers approve in its app (decoupled). */
    record Bank(String id, String name, String approach, boolean psuIdRequired, String certificateHint) {
    }

    /** A customer of the CRM: the sandbox login, the name, the accounts per bank id. */
    record Customer(String username, String password, String name, Map<String, List<Account>> accounts) {
        List<Account> accountsAt(String bankId) {
            return accounts.getOrDefault(bankId, List.of());
        }
    }

    /** An account the CRM has on record. */
    record Account(String iban, String name) {
    }

    DemoConfig {
        banks = List.copyOf(banks);
        customers = List.copyOf(customers);
    }

    Optional<Bank> bank(String id) {
        return banks.stream().filter(b -> b.id().equals(id)).findFirst();
    }

    Optional<Customer> customer(String username) {
        return customers.stream().filter(c -> c.username().equals(username)).findFirst();
    }

    /** The configuration without the key, for logs and exceptions. */
    @Override
    public String toString() {
        return "DemoConfig[hub=" + hubBaseUrl + ", returnUrl=" + returnUrl + ", banks=" + banks.stream().map(Bank::id)
                .toList() + ", customers=" + customers.stream().map(Customer::username).toList() + "]";
    }
}
