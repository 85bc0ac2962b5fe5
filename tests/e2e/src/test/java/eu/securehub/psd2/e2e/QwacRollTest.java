package eu.securehub.psd2.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.runtime.config.LocalEnvironment;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange;
import eu.securehub.psd2.sandbox.SandboxBank;
import eu.securehub.psd2.testpki.Credential;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling the QWAC without downtime, as the platform guide says (PLATFORM-GUIDE.md, "Rotate keys and certificates"): a new
 * keystore {@code psd2-qwac-keystore-2027} gets the successor (TestPki.nextQwac: new key, same issuing CA, same
 * organisation identifier and PSD2 roles) as alias {@code qwac}, then the reference {@code psd2-qwac-keystore-ref} is
 * pointed at it; TargetServers and ServiceCallouts name only the reference, nothing is redeployed. The CRM reads alpha
 * (OAuth) and gamma (redirect without OAuth, signed) all the while; each bank records which client certificate each
 * /v1 request's connection presented.
 *
 * <p>What a bank with certificate-bound tokens does on a QWAC roll: alpha binds its access tokens to the QWAC they
 * were issued over (RFC 8705, {@code cnf.x5t#S256}), so once the hub presents QWAC #2, alpha answers the old access
 * token with {@code 401 TOKEN_INVALID} ("bound to another client certificate"). A TPP must then refresh (or, if the
 * bank binds its refresh tokens to the certificate too, have the customer authorise again). This hub recovers on its
 * own: the target flow refreshes on TOKEN_INVALID under the refresh lease (FC-RefreshHubToken) over the new QWAC (the
 * sandbox's refresh token is bound to the client, tls_client_auth by organisation identifier, not to the certificate;
 * the new access token is bound to QWAC #2) and retries the read once, so the CRM sees 200 and its hub token keeps
 * working. The cost is one extra bank round trip and one refresh per consent at its first read after the switch. A
 * bank that bound its refresh tokens to the certificate would answer that refresh {@code invalid_grant}, and the hub
 * would end the consent (the customer authorises again): not what this sandbox does, so not tested here. Concurrent
 * reads of one consent at that moment would meet the refresh lease (a loser answers 503 token_refreshing with
 * Retry-After: 1, PLATFORM-GUIDE.md, "Refresh without casualties"); this test reads one request at a time.
 * gamma's Consent-ID is bound to the QWAC's organisation, not to the certificate: its reads simply continue.
 *
 * <p>When a switch takes effect on Apigee X is not documented (see LocalEnvironment.KeyStoreManagement): the test
 * waits, bounded, until each bank sees QWAC #2, and requires every exchange after that to carry it.
 */
class QwacRollTest {
    static final String REFERENCE = "psd2-qwac-keystore-ref";
    static final String OLD_KEYSTORE = "psd2-qwac-keystore";
    static final String NEW_KEYSTORE = "psd2-qwac-keystore-2027";
    static final Duration SWITCH_WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    /** One CRM read: which bank, the hub's answer, its X-Request-ID. */
    record Read(String bank, int status, String requestId, String body) {
    }

    @Test
    void theSuccessorIsPresentedAfterTheSwitchNoReadFailsAndAlphasCertificateBoundTokenIsRefreshed() throws Exception {
        try (LocalHub local = LocalHub.start(LocalHub.Options.freePorts(Hub.ROOT, work).consumerKey(Hub.KEY))) {
            Hub hub = Hub.of(local);
            SandboxBank alpha = local.bank("alpha");
            SandboxBank gamma = local.bank("gamma");
            X509Certificate first = local.pki().qwac().certificate();
            LocalEnvironment.KeyStoreManagement keyStores = local.keyStores();
            assertThat(keyStores.referredKeyStore(REFERENCE)).contains(OLD_KEYSTORE);

            String alphaToken = token(hub, local, "alpha");
            String gammaToken = token(hub, local, "gamma");
            Read alphaBefore = read(hub, "alpha", alphaToken);
            Read gammaBefore = read(hub, "gamma", gammaToken);
            assertThat(List.of(alphaBefore, gammaBefore)).extracting(Read::status).containsOnly(200);
            assertThat(exchangesOf(alpha, alphaBefore)).isNotEmpty().allSatisfy(e -> assertThat(e.presented(first)).isTrue());
            assertThat(exchangesOf(gamma, gammaBefore)).isNotEmpty().allSatisfy(e -> assertThat(e.presented(first)).isTrue());
            int refreshesBefore = alpha.tokenGrants("refresh_token");

            // The CRM keeps reading, one request at a time, alpha and gamma in turn, while the QWAC is rolled.
            List<Read> reads = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread crm = new Thread(() -> {
                while (!stop.get()) {
                    for (String bank : List.of("alpha", "gamma")) {
                        try {
                            reads.add(read(hub, bank, bank.equals("alpha") ? alphaToken : gammaToken));
                        } catch (RuntimeException e) {
                            reads.add(new Read(bank, -1, "", e.toString()));
                        }
                    }
                    pause(100);
                }
            }, "crm-reads");
            crm.start();
            Credential next = local.pki().nextQwac();
            int readsAtSwitch;
            try {
                pause(500);
                keyStores.createKeyStore(NEW_KEYSTORE);
                char[] password = "qwac-2027-upload".toCharArray();
                X509Certificate imported = keyStores.importPkcs12(NEW_KEYSTORE, "qwac", pkcs12(next, password), password);
                assertThat(imported).isEqualTo(next.certificate());
                pause(300);
                readsAtSwitch = reads.size();
                assertThat(keyStores.updateReference(REFERENCE, NEW_KEYSTORE)).isEqualTo(OLD_KEYSTORE);

                // Bounded wait until both banks see QWAC #2 (here the next connection presents it; on Apigee X the delay
                // is not documented).
                long deadline = System.nanoTime() + SWITCH_WAIT.toNanos();
                while (!(sawAfterSwitch(alpha, next) && sawAfterSwitch(gamma, next)) && System.nanoTime() < deadline) {
                    pause(100);
                }
                assertThat(sawAfterSwitch(alpha, next)).as("alpha saw QWAC #2 within " + SWITCH_WAIT).isTrue();
                assertThat(sawAfterSwitch(gamma, next)).as("gamma saw QWAC #2 within " + SWITCH_WAIT).isTrue();
                int seen = reads.size();
                while (reads.size() < seen + 6 && System.nanoTime() < deadline) {
                    pause(50);
                }
            } finally {
                stop.set(true);
                crm.join(30_000);
            }
            assertThat(reads.size()).as("reads during the roll").isGreaterThan(readsAtSwitch + 4);

            // No CRM read failed during the roll.
            assertThat(reads).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(200));

            // At each bank, once QWAC #2 appeared, every later exchange carries it; before, QWAC #1.
            for (SandboxBank bank : List.of(alpha, gamma)) {
                List<Exchange> all = bank.exchanges();
                int firstNew = firstPresenting(all, next.certificate());
                assertThat(firstNew).as(bank.bankId() + ": QWAC #2 seen").isNotNegative();
                assertThat(all.subList(0, firstNew)).allSatisfy(e -> assertThat(e.presented(first)).as(e.toString()).isTrue());
                assertThat(all.subList(firstNew, all.size()))
                        .allSatisfy(e -> assertThat(e.presented(next.certificate())).as(e.toString()).isTrue());
            }

            // gamma (Consent-ID bound to the organisation, not to the certificate): every read simply continued.
            assertThat(gamma.exchanges()).allSatisfy(e -> assertThat(e.status()).as(e.toString()).isBetween(200, 299));
            assertThat(gamma.unsignedOrInvalid()).isEmpty();

            // alpha (access token bound to QWAC #1): the first read over QWAC #2 was answered TOKEN_INVALID, the hub
            // refreshed once over QWAC #2 and retried; the CRM saw 200. Every read after that went through at once.
            List<Exchange> alphaAfter = alpha.exchanges().subList(firstPresenting(alpha.exchanges(), next.certificate()),
                    alpha.exchanges().size());
            Exchange refused = alphaAfter.get(0);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
            assertThat(refused.responseBodyText()).contains("TOKEN_INVALID").contains("client certificate");
            Exchange retried = alphaAfter.get(1);
            assertThat(retried.status()).as(retried.toString()).isEqualTo(200);
            assertThat(retried.requestHeader("X-Request-ID")).isEqualTo(refused.requestHeader("X-Request-ID"));
            assertThat(retried.requestHeader("Authorization")).isNotEqualTo(refused.requestHeader("Authorization"));
            assertThat(reads).filteredOn(r -> r.requestId().equals(refused.requestHeader("X-Request-ID")))
                    .singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(200));
            assertThat(alphaAfter.subList(2, alphaAfter.size())).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.status()).as(e.toString()).isEqualTo(200));
            assertThat(alpha.tokenGrants("refresh_token")).as("one refresh, at the first read after the switch")
                    .isEqualTo(refreshesBefore + 1);
            assertThat(alpha.exchanges().subList(0, firstPresenting(alpha.exchanges(), next.certificate())))
                    .allSatisfy(e -> assertThat(e.status()).as(e.toString()).isBetween(200, 299));

            // The hub tokens keep working after the roll.
            assertThat(read(hub, "alpha", alphaToken).status()).isEqualTo(200);
            assertThat(read(hub, "gamma", gammaToken).status()).isEqualTo(200);
            assertThat(alpha.tokenGrants("refresh_token")).isEqualTo(refreshesBefore + 1);
            alpha.assertContractClean();
            gamma.assertContractClean();
            assertThat(local.environment().certificatesChecked()).isNotEmpty();
        }
    }

    /** A customer-present read of the consent's accounts (not counted against the unattended budget). */
    private static Read read(Hub hub, String bank, String token) {
        Hub.Reply r = hub.get("/accounts", token, "PSU-IP-Address", Hub.PSU_IP);
        return new Read(bank, r.status(), r.requestId(), r.body());
    }

    /** The bank's exchanges for one CRM request (the read, and its retry if any). */
    private static List<Exchange> exchangesOf(SandboxBank bank, Read read) {
        List<Exchange> out = new ArrayList<>();
        for (Exchange e : bank.exchanges()) {
            if (read.requestId().equals(e.requestHeader("X-Request-ID"))) {
                out.add(e);
            }
        }
        return out;
    }

    private static boolean sawAfterSwitch(SandboxBank bank, Credential next) {
        return firstPresenting(bank.exchanges(), next.certificate()) >= 0;
    }

    private static int firstPresenting(List<Exchange> exchanges, X509Certificate certificate) {
        for (int i = 0; i < exchanges.size(); i++) {
            if (exchanges.get(i).presented(certificate)) {
                return i;
            }
        }
        return -1;
    }

    /** The journey in the browser, to the hub token. */
    private static String token(Hub hub, LocalHub local, String bank) {
        JsonNode consent = hub.createConsent(bank, hub.iban(bank, "anna")).json();
        try (Browser browser = new Browser()) {
            Browser.Journey journey = browser.authorise(consent.path("authorisationUrl").asText(), "anna",
                    "anna-sandbox-1", "Approve", local.returnUrl());
            assertThat(journey.finalUrl()).contains("outcome=success");
        }
        Hub.Reply session = hub.collectRetrying(consent.path("state").asText());
        assertThat(session.status()).as(session.toString()).isEqualTo(200);
        return session.json().path("accessToken").asText();
    }

    /** The successor as the platform team would upload it: a PKCS#12 file with one key entry. */
    private static byte[] pkcs12(Credential credential, char[] password) throws Exception {
        KeyStore ks = credential.pkcs12(password, "qwac");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, password);
        return out.toByteArray();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
