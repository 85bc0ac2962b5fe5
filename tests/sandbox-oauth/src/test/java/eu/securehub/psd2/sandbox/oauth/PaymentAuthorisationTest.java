package eu.securehub.psd2.sandbox.oauth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The scope PIS:&lt;paymentId&gt;: the payment page, the decision, tokens and refresh as for AIS. */
class PaymentAuthorisationTest {

    private Harness h;

    @BeforeEach
    void start() {
        h = new Harness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void aPaymentIsShownApprovedAndGivesATokenForItsScope() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        HttpResponse<String> login = h.authorizeGet(h.par(pkce, "openid PIS:" + FakeBank.PAYMENT));
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).contains("asks you to authorise a payment. Log in to continue.", "name=\"username\"");

        HttpResponse<String> page = h.login(login, "alice", "alice-secret");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("<h1>Approve payment to Merchant &lt;GmbH&gt; &amp; Co</h1>")
                .contains("<dt>Payee&#39;s IBAN</dt><dd>DE89370400440532013000</dd>")
                .contains("<dd>EUR 123.45</dd>", "<dd>Order 4711</dd>", "<dd>immediately</dd>")
                .contains("value=\"approve\">Approve</button>", "value=\"deny\">Deny</button>")
                .doesNotContain("Merchant <GmbH>", "type=\"checkbox\"");

        Map<String, String> params = Harness.redirectParams(h.decide(page, "approve", List.of()));
        assertThat(h.bank.paymentApprovals).containsExactly(FakeBank.PAYMENT + " customer-alice");
        assertThat(h.bank.approvals).isEmpty();
        HttpResponse<String> token = h.exchange(h.tpp, params.get("code"), pkce);
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        Map<String, Object> tokens = Harness.json(token);
        assertThat(tokens).containsEntry("scope", "openid PIS:" + FakeBank.PAYMENT).containsKey("id_token");
        Grant grant = h.as.grants().accessToken((String) tokens.get("access_token")).orElseThrow();
        assertThat(grant.consentId()).isNull();
        assertThat(grant.paymentId()).isEqualTo(FakeBank.PAYMENT);
        assertThat(grant.covers("PIS:" + FakeBank.PAYMENT)).isTrue();
        assertThat(grant.covers("PIS:" + FakeBank.STANDING_ORDER)).isFalse();
        assertThat(grant.customerId()).isEqualTo("customer-alice");

        // Refresh as for AIS: rotated, the scope kept; narrowing may not drop the payment.
        HttpResponse<String> refreshed = h.refresh(h.tpp, (String) tokens.get("refresh_token"));
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        assertThat(Harness.json(refreshed)).containsEntry("scope", "openid PIS:" + FakeBank.PAYMENT);
        HttpResponse<String> narrowed = h.post(h.tpp, AuthorizationServer.TOKEN_PATH, Map.of("grant_type",
                "refresh_token", "client_id", FakeBank.TPP, "refresh_token",
                Harness.json(refreshed).get("refresh_token"), "scope", "openid"));
        assertThat(narrowed.statusCode()).isEqualTo(400);
        assertThat(narrowed.body()).contains("invalid_scope", "PIS:<paymentId>");
    }

    @Test
    void aCancellationIsShownAsSuchAndCanBeDenied() throws Exception {
        HttpResponse<String> login = h.authorizeGet(h.par(Harness.Pkce.create(), "PIS:" + FakeBank.STANDING_ORDER));
        assertThat(login.body()).contains("asks you to cancel a standing order.");
        HttpResponse<String> page = h.login(login, "bob", "bob-secret");
        assertThat(page.body()).contains("<h1>Cancel payment to Landlord Ltd</h1>", "<dd>EUR 750.00</dd>",
                "<dt>Frequency</dt><dd>Monthly</dd>", "<dt>First payment</dt><dd>2030-01-01</dd>",
                "<dt>Last payment</dt><dd>until cancelled</dd>");
        Map<String, String> params = Harness.redirectParams(h.decide(page, "deny", List.of()));
        assertThat(params).containsEntry("error", "access_denied").doesNotContainKey("code");
        assertThat(h.bank.paymentRejections).containsExactly(FakeBank.STANDING_ORDER);
        assertThat(h.bank.rejections).isEmpty();
    }

    @Test
    void onlyAPaymentAwaitingAuthorisationAndOneResourcePerScope() throws Exception {
        Harness.Pkce pkce = Harness.Pkce.create();
        for (String scope : List.of("openid PIS:" + FakeBank.EXECUTED_PAYMENT, "openid PIS:unknown",
                "openid AIS:" + FakeBank.CONSENT + " PIS:" + FakeBank.PAYMENT,
                "PIS:" + FakeBank.PAYMENT + " PIS:" + FakeBank.STANDING_ORDER, "openid PIS:")) {
            HttpResponse<String> r = h.post(h.tpp, AuthorizationServer.PAR_PATH, h.parForm(FakeBank.TPP, pkce, scope));
            assertThat(r.statusCode()).as(scope).isEqualTo(400);
            assertThat(r.body()).as(scope).contains("invalid_scope");
        }
        assertThat(Harness.json(h.get(h.browser, AuthorizationServer.DISCOVERY_PATH)))
                .containsEntry("scopes_supported", List.of("openid", "AIS", "PIS"));
    }
}
