package eu.securehub.psd2.localhub;

/**
 * The customer's banking app on their phone, for banks whose customers approve there (the decoupled approach). This
 * is NOT part of the CRM: a CRM never approves for its customer. The demo's waiting page offers it in a box labelled
 * "sandbox only", so that a person at a laptop can play the customer's phone.
 */
interface DemoBankApp {
    /**
     * The customer approves or denies the authorisation under way in the app.
     *
     * @param payment the payment being authorised, or null for a consent
     * @return what the app reports, for the page
     * @throws IllegalStateException when the app has nothing to decide (the message says why)
     */
    String decide(DemoSession.Pending pending, DemoSession.Payment payment, boolean approve);
}
