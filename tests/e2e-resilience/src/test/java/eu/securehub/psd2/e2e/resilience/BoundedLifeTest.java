package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.runtime.policies.state.InMemoryCaches;
import eu.securehub.psd2.runtime.policies.state.InMemoryKeyValueMaps;
import eu.securehub.psd2.sandbox.MutableClock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing the hub stores lives forever. Pending authorisations and sessions are cache entries with an expiry (the
 * runtime's clock is moved on here, and back after each test: 15 minutes for a pending authorisation, its 10 minutes plus 5; 10 minutes for a
 * session); a token record goes when the CRM revokes the consent, when the bank answers CONSENT_EXPIRED, when the
 * bank reports the consent ended, and on the first use after its validUntil (callout test). The stores are read
 * directly, bypassing every cache.
 */
class BoundedLifeTest {
    static final String TOKENS = "psd2-hub-tokens";
    static final String SHARED_CACHE = "(shared)";

    @TempDir
    static Path work;

    static MutableClock clock = MutableClock.ofNow();
    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY).runtimeClock(clock));
        crm = new Crm(hub);
    }

    /** Back to the real time: the runtime checks the banks' id tokens (VerifyJWT) against its clock. */
    @AfterEach
    void realTime() {
        clock.set(java.time.Instant.now());
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    static InMemoryKeyValueMaps kvm() {
        return hub.environment().kvmStore();
    }

    static InMemoryCaches caches() {
        return hub.environment().cacheStore();
    }

    @Test
    void aPendingAuthorisationNeverCompletedExpiresFromTheCache() throws Exception {
        HttpResponse<String> consent = crm.createConsent("alpha");
        assertThat(consent.statusCode()).as(consent.body()).isEqualTo(201);
        int pending = caches().storedEntries(SHARED_CACHE, "psd2-hub-pending__");
        assertThat(pending).isPositive();
        URI callback = eu.securehub.psd2.localhub.BankPages.loginAndApprove(crm.browser,
                hub.bank("alpha").baseUrl().toString(), Crm.jsonString(consent.body(), "authorisationUrl"), "anna",
                "anna-sandbox-1");

        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        assertThat(caches().storedEntries(SHARED_CACHE, "psd2-hub-pending__")).as("gone").isEqualTo(pending - 1);
        HttpResponse<String> late = crm.browser.send(HttpRequest.newBuilder(callback).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Crm.assertProblem(late, 404, "session-not-found");
    }

    @Test
    void aSessionNeverCollectedExpiresFromTheCache() throws Exception {
        Crm.Returned back = crm.authorise("alpha");
        assertThat(back.outcome()).isEqualTo("success");
        int sessions = caches().storedEntries(SHARED_CACHE, "psd2-hub-session__");
        assertThat(sessions).isPositive();

        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        assertThat(caches().storedEntries(SHARED_CACHE, "psd2-hub-session__")).as("gone").isEqualTo(sessions - 1);
        Crm.assertProblem(crm.collect(back.state()), 404, "session-not-found");
    }

    @Test
    void collectionAndCallbackRemoveWhatTheyUsed() throws Exception {
        int pending = caches().storedEntries(SHARED_CACHE, "psd2-hub-pending__");
        int sessions = caches().storedEntries(SHARED_CACHE, "psd2-hub-session__");
        crm.token("alpha");
        assertThat(caches().storedEntries(SHARED_CACHE, "psd2-hub-pending__")).isEqualTo(pending);
        assertThat(caches().storedEntries(SHARED_CACHE, "psd2-hub-session__")).isEqualTo(sessions);
    }

    @Test
    void theTokenRecordGoesWhenTheBankSaysTheConsentExpired() throws Exception {
        String token = crm.token("alpha");
        int records = kvm().storedEntries(TOKENS);
        HttpResponse<String> status = crm.read(token, "/consents/current", true);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        assertThat(hub.bank("alpha").expireConsent(Crm.jsonString(status.body(), "consentId"))).isTrue();

        HttpResponse<String> read = crm.read(token, "/accounts", true);
        Crm.assertProblem(read, 403, "consent-invalid");
        assertThat(read.body()).contains("CONSENT_EXPIRED");
        assertThat(kvm().storedEntries(TOKENS)).as("the record is deleted").isEqualTo(records - 1);
        Crm.assertProblem(crm.read(token, "/accounts", true), 401, "invalid-token");
    }

    @Test
    void theTokenRecordGoesWhenTheBankReportsTheConsentRevokedByTheCustomer() throws Exception {
        String token = crm.token("beta");
        int records = kvm().storedEntries(TOKENS);
        HttpResponse<String> status = crm.read(token, "/consents/current", true);
        assertThat(hub.bank("beta").revokeConsentByPsu(Crm.jsonString(status.body(), "consentId"))).isTrue();

        HttpResponse<String> ended = crm.read(token, "/consents/current", true);
        assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
        assertThat(ended.body()).contains("revokedByPsu");
        assertThat(kvm().storedEntries(TOKENS)).as("the record is deleted").isEqualTo(records - 1);
        Crm.assertProblem(crm.read(token, "/accounts", true), 401, "invalid-token");
    }

    @Test
    void theTokenRecordGoesWhenTheCrmRevokesTheConsent() throws Exception {
        String token = crm.token("alpha");
        int records = kvm().storedEntries(TOKENS);
        HttpResponse<String> revoked = crm.http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/consents/current"))
                .header("x-api-key", Crm.KEY).header("Authorization", "Bearer " + token)
                .header("PSU-IP-Address", Crm.PSU_IP).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(revoked.statusCode()).as(revoked.body()).isBetween(200, 299);
        assertThat(kvm().storedEntries(TOKENS)).isEqualTo(records - 1);
    }

    /** Prints what one consent takes in each store (UTF-8 bytes of key and value, as Apigee's limits count them). */
    @Test
    void printsTheBytesOneConsentTakesInEachStore() throws Exception {
        HttpResponse<String> consent = crm.createConsent("alpha");
        int pending = maxBytes(caches().storedValues(SHARED_CACHE, "psd2-hub-pending__"));
        Crm.Returned back = completeAt("alpha", consent);
        int session = maxBytes(caches().storedValues(SHARED_CACHE, "psd2-hub-session__"));
        assertThat(crm.collect(back.state()).statusCode()).isEqualTo(200);
        int record = maxBytes(kvm().storedValues(TOKENS));
        // Keys: the state's or the token's SHA-256/HMAC in base64url (43 characters) and a prefix.
        System.out.printf(java.util.Locale.ROOT, "bytes per consent (sandbox tokens): pending authorisation %d + key 61"
                + " (cache, 15 min), session %d + key 61 (cache, 10 min), token record %d + key 43 (KVM, until the consent"
                + " ends)%n", pending, session, record);
        assertThat(record).as("well within the KVM value limit of 10 KB").isLessThan(10 * 1024);
        assertThat(Math.max(pending, session)).as("well within the cache value limit of 256 KB").isLessThan(256 * 1024);
    }

    private static int maxBytes(java.util.List<String> values) {
        return values.stream().mapToInt(v -> v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).max().orElse(0);
    }

    /** The customer approves the consent {@code consent} created, and the bank redirects back to the hub. */
    private static Crm.Returned completeAt(String bankId, HttpResponse<String> consent) throws Exception {
        URI callback = eu.securehub.psd2.localhub.BankPages.loginAndApprove(crm.browser, hub.bank(bankId).baseUrl().toString(),
                Crm.jsonString(consent.body(), "authorisationUrl"), "anna", "anna-sandbox-1");
        HttpResponse<String> back = crm.browser.send(HttpRequest.newBuilder(callback).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        URI crmReturn = URI.create(back.headers().firstValue("Location").orElseThrow());
        return new Crm.Returned(Crm.jsonString(consent.body(), "state"), Crm.query(crmReturn.getRawQuery()));
    }
}
