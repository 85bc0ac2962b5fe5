package eu.securehub.psd2.localhub;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One browser's session at the demo CRM, in the CRM back end's memory only (the browser holds a random cookie): the
 * CSRF token of its forms, the authorisation under way, and the bank connections (each with its hub token) and
 * payments (each with the hub's payment id) it made. Nothing here is ever rendered except through the views, which
 * never show a token or a payment id. Callers synchronise on the session.
 */
final class DemoSession {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the authorisation under way is for. */
    enum Kind { CONSENT, PAYMENT }

    /**
     * An authorisation the customer is doing at the bank (redirect) or in the bank's app (poll). {@code consentId}:
     * the bank's consent id (the stand-in for the customer's app needs it); {@code paymentRef}: the payment's local
     * reference for a payment.
     */
    static final class Pending {
        final Kind kind;
        final String bankId;
        final String customer;
        final String state;
        final boolean poll;
        final String psuMessage;
        final String consentId;
        final String paymentRef;
        Instant nextPollAt;
        int pollSeconds;

        Pending(Kind kind, String bankId, String customer, String state, boolean poll, String psuMessage,
                String consentId, String paymentRef, int pollSeconds) {
            this.kind = kind;
            this.bankId = bankId;
            this.customer = customer;
            this.state = state;
            this.poll = poll;
            this.psuMessage = psuMessage;
            this.consentId = consentId;
            this.paymentRef = paymentRef;
            this.pollSeconds = pollSeconds;
            this.nextPollAt = Instant.now();
        }
    }

    /** A bank connection: a consent and its hub token (null once it ended). */
    static final class Connection {
        final String ref;
        final String bankId;
        final String customer;
        final Instant since = Instant.now();
        String token;
        String ended;

        Connection(String ref, String bankId, String customer, String token) {
            this.ref = ref;
            this.bankId = bankId;
            this.customer = customer;
            this.token = token;
        }

        boolean active() {
            return token != null;
        }

        /** Forgets the hub token: the consent ended ({@code why} says how). */
        void end(String why) {
            token = null;
            ended = why;
        }
    }

    /** A payment order: what the customer asked for, and the hub's payment id (server side only). */
    record Payment(String ref, String bankId, String customer, String product, String debtorIban, String creditorName,
            String creditorIban, String amount, String reference, String idempotencyKey, String paymentId,
            Instant created) {
    }

    final String id;
    final String csrf;
    Instant lastSeen = Instant.now();
    Pending pending;
    /** Shown once on the next page (then cleared). */
    DemoHub.Problem flash;
    String notice;
    private final Map<String, Connection> connections = new LinkedHashMap<>();
    private final Map<String, Payment> payments = new LinkedHashMap<>();

    DemoSession() {
        this.id = random(32);
        this.csrf = random(32);
    }

    boolean csrfMatches(String token) {
        return token != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII));
    }

    Connection addConnection(String bankId, String customer, String token) {
        Connection c = new Connection("c" + (connections.size() + 1), bankId, customer, token);
        connections.put(c.ref, c);
        return c;
    }

    Optional<Connection> connection(String ref) {
        return Optional.ofNullable(connections.get(ref));
    }

    List<Connection> connections() {
        return new ArrayList<>(connections.values());
    }

    String nextPaymentRef() {
        return "p" + (payments.size() + 1);
    }

    void addPayment(Payment p) {
        payments.put(p.ref(), p);
    }

    Optional<Payment> payment(String ref) {
        return Optional.ofNullable(payments.get(ref));
    }

    List<Payment> payments() {
        return new ArrayList<>(payments.values());
    }

    static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public String toString() {
        return "DemoSession[" + connections.size() + " connections, " + payments.size() + " payments]";
    }
}
