package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.crypto.DekCache;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import eu.securehub.psd2.callouts.testing.TestKeys;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.Mockito;

/** Payments: the CRM's request, idempotent replay, the payment record, the SCA of a payment, the views. */
class PaymentCalloutsTest {
    static final String DEBTOR = "DE89370400440532013000";
    static final String CREDITOR = "DE02120300000000202051";
    static final String RETURN = "https://crm.example/done";
    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);
    private TestKeys keys;

    @BeforeEach
    void freshKeys() {
        DekCache.clear();
        keys = new TestKeys().add("k1").warm();
    }

    static String body(String extra) {
        return "{\"instructedAmount\":{\"currency\":\"EUR\",\"amount\":\"123.45\"},\"debtorAccount\":{\"iban\":\"" + DEBTOR
                + "\"},\"creditorName\":\"Stadtwerke Musterstadt\",\"creditorAccount\":{\"iban\":\"" + CREDITOR
                + "\"},\"remittanceInformationUnstructured\":\"Invoice 4711\",\"returnUrl\":\"" + RETURN + "\"" + extra + "}";
    }

    private MapMessageContext create(String service, String product, String body, String key) {
        Map<String, String> p = new HashMap<>();
        p.put("step", "create");
        p.put("body", "{b}");
        p.put("service", service);
        p.put("product", product);
        p.put("idempotency-key", "{k}");
        p.put("app-id", "app-1");
        p.put("allowed-return-urls", RETURN + ",https://crm.example/other");
        p.put("sca-preferred", "{pref}");
        MapMessageContext c = new MapMessageContext().set("b", body).set("k", key).set("pref", "REDIRECT");
        new PaymentRequest(p).execute(c, exec);
        return c;
    }

    private MapMessageContext create(String body) {
        return create("payments", "sepa-credit-transfers", body, "key-1");
    }

    @Test
    void aSinglePaymentBecomesTheBankBodyWithTheAmountAsTheDecimalStringSent() throws Exception {
        MapMessageContext c = create(body(""));
        assertThat(c.string("payment.error")).isNull();
        Map<String, Object> bank = Json.parseObject(c.string("payment.request"));
        assertThat(bank).doesNotContainKeys("returnUrl", "psuId");
        assertThat(((Map<?, ?>) bank.get("instructedAmount")).get("amount")).isEqualTo("123.45");
        assertThat(c.string("payment.request")).contains("\"amount\":\"123.45\"");
        assertThat(c.string("payment.resource_base")).isEqualTo("payments/sepa-credit-transfers");
        assertThat(c.string("payment.id")).startsWith("pay_").hasSize(52);
        assertThat(OpaqueTokens.wellFormedPaymentId(c.string("payment.id"))).isTrue();
        assertThat(OpaqueTokens.wellFormed(c.string("payment.id"))).as("never a bearer token").isFalse();
        assertThat(c.string("authz.return_url")).isEqualTo(RETURN);
        assertThat(AuthzState.wellFormed(c.string("authz.state"))).isTrue();
        assertThat(c.string("authz.frequency_per_day")).isEqualTo("1");
        LocalDate last = LocalDate.now(ZoneOffset.UTC).plusDays(PaymentRequest.RECORD_DAYS);
        assertThat(LocalDate.parse(c.string("authz.valid_until"))).isEqualTo(last);
        assertThat(Long.parseLong(c.string("payment.record_expires_at")))
                .as("the record's expiry: the end of the pending record's validUntil, as the callback computes it")
                .isEqualTo(last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond());
    }

    @Test
    void theDigestIgnoresMemberOrderButNotContentAndTheLatchIsPerApp() {
        String reordered = "{\"returnUrl\":\"" + RETURN + "\",\"creditorAccount\":{\"iban\":\"" + CREDITOR
                + "\"},\"creditorName\":\"Stadtwerke Musterstadt\",\"remittanceInformationUnstructured\":\"Invoice 4711\","
                + "\"debtorAccount\":{\"iban\":\"" + DEBTOR + "\"},\"instructedAmount\":{\"amount\":\"123.45\",\"currency\":\"EUR\"}}";
        String a = create(body("")).string("payment.body_digest");
        assertThat(create(reordered).string("payment.body_digest")).isEqualTo(a);
        assertThat(create(body("").replace("123.45", "123.46")).string("payment.body_digest")).isNotEqualTo(a);
        assertThat(create("payments", "instant-sepa-credit-transfers", body(""), "key-1").string("payment.body_digest"))
                .as("another product is another request").isNotEqualTo(a);
        assertThat(create(body("")).string("payment.idem_key")).isEqualTo(create(body("")).string("payment.idem_key"))
                .isEqualTo(PaymentRequest.latchId("app-1", "key-1"));
        assertThat(PaymentRequest.latchId("app-2", "key-1")).isNotEqualTo(PaymentRequest.latchId("app-1", "key-1"));
        assertThat(create("payments", "sepa-credit-transfers", body(""), "\"key-1\"").string("payment.idem_key"))
                .as("the structured-field form is the same key").isEqualTo(PaymentRequest.latchId("app-1", "key-1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"123.456\"|/instructedAmount/amount|at most two decimals",
        "\"1e3\"|/instructedAmount/amount|decimal string",
        "\"-5.00\"|/instructedAmount/amount|decimal string",
        "\"0.00\"|/instructedAmount/amount|greater than zero",
        "\"1000000000.00\"|/instructedAmount/amount|at most 999999999.99",
        "123.45|/instructedAmount/amount|is not a string",
    })
    void amountsAreDecimalStringsWithTheFieldNamed(String amount, String param, String reason) {
        MapMessageContext c = create(body("").replace("\"123.45\"", amount));
        assertThat(c.string("payment.error_code")).isEqualTo("invalid_payment");
        assertThat(c.string("payment.invalid_param")).isEqualTo(param);
        assertThat(c.string("payment.invalid_reason")).contains(reason);
        assertThat(c.string("payment.error")).doesNotContain(amount.replace("\"", ""));
    }

    @Test
    void ibansDatesAndMembersAreCheckedWithTheFieldNamed() {
        assertThat(create(body("").replace(CREDITOR, "DE02120300000000202052")).string("payment.invalid_param"))
                .isEqualTo("/creditorAccount/iban");
        assertThat(create(body("").replace("EUR", "USD")).string("payment.invalid_param")).isEqualTo("/instructedAmount/currency");
        assertThat(create(body(",\"requestedExecutionDate\":\"2000-01-01\"")).string("payment.invalid_param"))
                .isEqualTo("/requestedExecutionDate");
        assertThat(create("payments", "instant-sepa-credit-transfers", body(",\"requestedExecutionDate\":\"2999-01-01\""), "k")
                .string("payment.invalid_reason")).contains("only for single sepa-credit-transfers");
        assertThat(create(body(",\"chargeBearer\":\"SLEV\"")).string("payment.invalid_param")).isEqualTo("/chargeBearer");
        assertThat(create(body(",\"startDate\":\"2999-01-01\"")).string("payment.invalid_param"))
                .as("a schedule member on a single payment").isEqualTo("/startDate");
        assertThat(create(body("").replace(RETURN, "https://evil.example/")).string("payment.error_code"))
                .isEqualTo("invalid_return_url");
        assertThat(create(body("").replace("Stadtwerke Musterstadt", "   ")).string("payment.invalid_param")).isEqualTo("/creditorName");
        assertThat(create("payments", "target-2-payments", body(""), "k").string("payment.error_code"))
                .isEqualTo("payment_product_unsupported");
        MapMessageContext noKey = create("payments", "sepa-credit-transfers", body(""), "");
        assertThat(noKey.string("payment.error_code")).isEqualTo("idempotency_key_missing");
        assertThat(noKey.string("payment.invalid_param")).isEqualTo("Idempotency-Key");
    }

    @Test
    void aStandingOrderNeedsItsScheduleInBerlinGroupCodes() throws Exception {
        String schedule = ",\"startDate\":\"2999-01-01\",\"frequency\":\"Monthly\",\"endDate\":\"2999-12-31\","
                + "\"executionRule\":\"following\",\"dayOfExecution\":\"1\"";
        MapMessageContext ok = create("periodic-payments", "sepa-credit-transfers", body(schedule), "k");
        assertThat(ok.string("payment.error")).isNull();
        Map<String, Object> bank = Json.parseObject(ok.string("payment.request"));
        assertThat(bank).containsEntry("frequency", "Monthly").containsEntry("startDate", "2999-01-01")
                .containsEntry("endDate", "2999-12-31").containsEntry("dayOfExecution", "1");
        assertThat(ok.string("payment.resource_base")).isEqualTo("periodic-payments/sepa-credit-transfers");
        assertThat(create("periodic-payments", "sepa-credit-transfers", body(schedule.replace("Monthly", "Fortnightly")), "k")
                .string("payment.invalid_param")).isEqualTo("/frequency");
        assertThat(create("periodic-payments", "sepa-credit-transfers", body(schedule.replace("2999-12-31", "2998-12-31")), "k")
                .string("payment.invalid_reason")).isEqualTo("is before startDate");
        assertThat(create("periodic-payments", "sepa-credit-transfers", body(""), "k").string("payment.invalid_param"))
                .isEqualTo("/startDate");
    }

    @Test
    void aDecoupledBankNeedsThePsuId() {
        Map<String, String> p = new HashMap<>(Map.of("step", "create", "body", "{b}", "service", "payments",
                "product", "sepa-credit-transfers", "idempotency-key", "k", "app-id", "a", "allowed-return-urls", RETURN,
                "sca-preferred", "DECOUPLED"));
        MapMessageContext c = new MapMessageContext().set("b", body(""));
        new PaymentRequest(p).execute(c, exec);
        assertThat(c.string("payment.error_code")).isEqualTo("psu_id_required");
        MapMessageContext with = new MapMessageContext().set("b", body(",\"psuId\":\"anna\""));
        new PaymentRequest(p).execute(with, exec);
        assertThat(with.string("payment.error")).isNull();
        assertThat(with.string("private.authz.psu_id")).isEqualTo("anna");
        assertThat(with.string("authz.psu_given")).isEqualTo("true");
    }

    private MapMessageContext replay(String stored, String digest) {
        MapMessageContext c = new MapMessageContext().set("s", stored).set("d", digest);
        new PaymentRequest(Map.of("step", "replay", "stored", "{s}", "digest", "{d}")).execute(c, exec);
        return c;
    }

    @Test
    void theSameBodyGetsTheFirstAnswerAndAnotherBodyIsRefused() {
        String id = OpaqueTokens.mintPaymentId();
        MapMessageContext same = replay("v1 dig-A 201 {\"paymentId\":\"" + id + "\",\"state\":\"s t\"}", "dig-A");
        assertThat(same.string("payment.replay_status")).isEqualTo("201");
        assertThat(same.string("payment.replay_body")).isEqualTo("{\"paymentId\":\"" + id + "\",\"state\":\"s t\"}");
        assertThat(same.string("payment.replay_payment_id")).isEqualTo(id);
        assertThat(same.string("payment.replay_problem")).isEqualTo("false");
        assertThat(replay("v1 dig-A 502 {\"type\":\"x\"}", "dig-A").string("payment.replay_problem")).isEqualTo("true");
        assertThat(replay("v1 dig-A 201 {}", "dig-B").string("payment.error_code")).isEqualTo("idempotency_key_reused");
        assertThat(replay("garbage", "dig-A").string("payment.error_code")).isEqualTo("internal_error");
    }

    @Test
    void aCancellationReturnsToTheGivenOrTheFirstRegisteredUrl() {
        Map<String, String> p = Map.of("step", "cancel", "return-url", "{r}", "allowed-return-urls", RETURN + ",https://crm.example/other");
        MapMessageContext none = new MapMessageContext();
        new PaymentRequest(p).execute(none, exec);
        assertThat(none.string("authz.return_url")).isEqualTo(RETURN);
        MapMessageContext other = new MapMessageContext().set("r", "https://crm.example/other");
        new PaymentRequest(p).execute(other, exec);
        assertThat(other.string("authz.return_url")).isEqualTo("https://crm.example/other");
        MapMessageContext evil = new MapMessageContext().set("r", "https://evil.example/");
        new PaymentRequest(p).execute(evil, exec);
        assertThat(evil.string("payment.error_code")).isEqualTo("invalid_return_url");
    }

    @Test
    void ibanCheckDigitsFollowIso13616() {
        assertThat(PaymentRequest.ibanChecksum(DEBTOR)).isTrue();
        assertThat(PaymentRequest.ibanChecksum("GB82WEST12345698765432")).isTrue();
        assertThat(PaymentRequest.ibanChecksum("GB82WEST12345698765433")).isFalse();
    }

    // --- the payment record, resolved by its path, bound to the app

    private Map<String, String> paymentRecord() {
        Map<String, String> p = new HashMap<>();
        p.put("keyring", "{private.keyring}");
        p.put("kind", "payment");
        p.put("credential", "consent");
        p.put("opaque-token", "{payment.id}");
        p.put("consent-id", "payments/sepa-credit-transfers/bank-pay-1");
        p.put("bank-id", "alpha");
        p.put("app-id", "app-1");
        p.put("frequency-per-day", "1");
        return p;
    }

    private MapMessageContext resolve(String path, String app, Map<String, String> kvm, String step) {
        Map<String, String> p = Map.of("keyring", "{private.keyring}", "step", step, "record", "{rec}", "app-id", app,
                "payment-path", "{path}");
        MapMessageContext c = new MapMessageContext().set("private.keyring", keys.keyring()).set("path", path);
        new ResolveOpaqueToken(p).execute(c, exec);
        if (step.equals("decrypt") || c.string("token.kvm_key") == null) {
            return c;
        }
        String value = kvm.get(c.string("token.kvm_key"));
        MapMessageContext d = new MapMessageContext().set("private.keyring", keys.keyring()).set("path", path)
                .set("rec", value == null ? "" : value);
        new ResolveOpaqueToken(Map.of("keyring", "{private.keyring}", "step", "decrypt", "record", "{rec}",
                "app-id", app, "payment-path", "{path}")).execute(d, exec);
        return d;
    }

    @Test
    void aPaymentRecordIsFoundByItsPathForItsAppOnly() {
        String id = OpaqueTokens.mintPaymentId();
        MapMessageContext m = new MapMessageContext().set("private.keyring", keys.keyring()).set("payment.id", id);
        assertThat(new MintOpaqueToken(paymentRecord()).execute(m, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(m.string("token.payment_id")).isEqualTo(id);
        Map<String, String> kvm = Map.of(m.string("token.kvm_key"), m.string("token.kvm_value"));

        MapMessageContext ok = resolve("/payments/" + id + "/status", "app-1", kvm, "lookup");
        assertThat(ok.string("token.error")).isNull();
        assertThat(ok.string("token.resource")).isEqualTo("payments/sepa-credit-transfers/bank-pay-1");
        assertThat(ok.string("token.payment_id")).isEqualTo(id);
        assertThat(ok.string("token.credential")).isEqualTo("consent");
        assertThat(ok.string("token.bank_id")).isEqualTo("alpha");
        assertThat(resolve("/payments/" + id, "app-2", kvm, "lookup").string("token.error_code")).isEqualTo("payment_forbidden");
        assertThat(resolve("/payments/" + OpaqueTokens.mintPaymentId(), "app-1", kvm, "lookup").string("token.error_code"))
                .isEqualTo("payment_unknown");
        assertThat(resolve("/payments/pay_nonsense", "app-1", kvm, "lookup").string("token.error_code")).isEqualTo("payment_unknown");
        // The payment id is no bearer token: the same record is not reachable through Authorization.
        MapMessageContext bearer = new MapMessageContext().set("private.keyring", keys.keyring()).set("a", "Bearer " + id);
        new ResolveOpaqueToken(Map.of("keyring", "{private.keyring}", "step", "lookup", "authorization", "{a}"))
                .execute(bearer, exec);
        assertThat(bearer.string("token.error_code")).isEqualTo("malformed_token");
    }

    // --- the SCA of a payment: scope, pending record, callback, outcome

    @Test
    void aPaymentIsAuthorisedWithScopePisAndItsPendingRecordNamesThePayment() throws Exception {
        String id = OpaqueTokens.mintPaymentId();
        Map<String, String> p = new HashMap<>();
        p.put("step", "authorize");
        p.put("consent-response", "{r}");
        p.put("metadata", "{m}");
        p.put("issuer", "https://bank.example");
        p.put("client-id", "client-1");
        p.put("redirect-uri", "https://hub.example/psd2/v1/oauth/callback");
        p.put("bank-id", "alpha");
        p.put("app-id", "app-1");
        p.put("return-url", RETURN);
        p.put("frequency-per-day", "1");
        p.put("valid-until", "2999-01-01");
        p.put("kind", "payment");
        p.put("resource-base", "payments/sepa-credit-transfers");
        p.put("payment-id", id);
        MapMessageContext c = new MapMessageContext()
                .set("r", "{\"transactionStatus\":\"RCVD\",\"paymentId\":\"bank-pay-1\",\"_links\":{}}")
                .set("m", "{\"issuer\":\"https://bank.example\",\"authorization_endpoint\":\"https://bank.example/authorize\","
                        + "\"token_endpoint\":\"https://bank.example/token\"}");
        new AuthorizationStart(p).execute(c, exec);
        assertThat(c.string("authz.error")).isNull();
        assertThat(c.string("authz.authorization_url")).contains("scope=PIS%3Abank-pay-1").doesNotContain("AIS");
        Map<String, Object> pending = Json.parseObject(c.string("private.authz.pending"));
        assertThat(pending).containsEntry("kind", "payment").containsEntry("paymentId", id)
                .containsEntry("consentId", "payments/sepa-credit-transfers/bank-pay-1");

        Map<String, String> cp = Map.of("step", "pending", "state", "{s}", "pending", "{p}");
        MapMessageContext back = new MapMessageContext().set("s", c.string("authz.state")).set("p", c.string("private.authz.pending"));
        new AuthorizationCallback(cp).execute(back, exec);
        assertThat(back.string("callback.error")).isNull();
        assertThat(back.string("callback.kind")).isEqualTo("payment");
        assertThat(back.string("private.callback.payment_id")).isEqualTo(id);
        assertThat(back.string("callback.session")).isEqualTo("false");
        assertThat(back.string("callback.resource_status_path")).isEqualTo("/v1/payments/sepa-credit-transfers/bank-pay-1/status");
    }

    @Test
    void aConsentsRecordsAreAsBefore() throws Exception {
        Map<String, String> cp = Map.of("step", "pending", "state", "{s}", "pending", "{p}");
        String state = AuthzState.random();
        MapMessageContext back = new MapMessageContext().set("s", state).set("p", "{\"v\":1,\"approach\":\"redirect\","
                + "\"consentId\":\"c-1\",\"bankId\":\"gamma\",\"appId\":\"a\",\"returnUrl\":\"" + RETURN
                + "\",\"frequencyPerDay\":4,\"validUntil\":\"2999-01-01\",\"statusPath\":\"\",\"exp\":99999999999}");
        new AuthorizationCallback(cp).execute(back, exec);
        assertThat(back.string("callback.kind")).isEqualTo("consent");
        assertThat(back.string("callback.session")).isEqualTo("true");
        assertThat(back.string("private.callback.payment_id")).isEmpty();
        assertThat(back.string("callback.resource_status_path")).isEqualTo("/v1/consents/c-1/status");
    }

    private MapMessageContext status(String kind, String sca, String resource, String result) {
        MapMessageContext c = new MapMessageContext().set("k", kind).set("s", sca).set("c", resource).set("r", result);
        new ScaApproach(Map.of("step", "status", "kind", "{k}", "sca-status", "{s}", "consent-status", "{c}",
                "redirect-result", "{r}")).execute(c, exec);
        return c;
    }

    @Test
    void aPaymentsOutcomeFollowsScaAndTransactionStatusAndMintsNothing() {
        MapMessageContext ok = status("payment", "{\"scaStatus\":\"finalised\"}", "{\"transactionStatus\":\"ACTC\"}", "ok");
        assertThat(ok.string("sca.outcome")).isEqualTo("success");
        assertThat(ok.string("sca.mint")).isEqualTo("false");
        assertThat(ok.string("sca.transaction_status")).isEqualTo("ACTC");
        assertThat(status("payment", "{\"scaStatus\":\"finalised\"}", "{\"transactionStatus\":\"RJCT\"}", "ok")
                .string("sca.outcome")).as("authorised, then rejected for funds: the status tells").isEqualTo("success");
        assertThat(status("payment", "", "{\"transactionStatus\":\"RJCT\"}", "ok").string("sca.outcome")).isEqualTo("denied");
        assertThat(status("payment", "{\"scaStatus\":\"failed\"}", "", "").string("sca.crm_status")).isEqualTo("failed");
        assertThat(status("payment", "{\"scaStatus\":\"started\"}", "", "").string("sca.crm_status")).isEqualTo("pending");
        assertThat(status("cancellation", "{\"scaStatus\":\"finalised\"}", "{\"transactionStatus\":\"CANC\"}", "ok")
                .string("sca.outcome")).isEqualTo("success");
        MapMessageContext consent = status("", "{\"scaStatus\":\"finalised\"}", "{\"consentStatus\":\"valid\"}", "ok");
        assertThat(consent.string("sca.mint")).isEqualTo("true");
    }

    @Test
    void aPaymentCreationAnswerNamesTheResourceAndTheStatus() {
        String id = OpaqueTokens.mintPaymentId();
        MapMessageContext c = new MapMessageContext().set("b", "{\"transactionStatus\":\"RCVD\",\"paymentId\":\"p-9\","
                + "\"_links\":{\"scaRedirect\":{\"href\":\"https://bank.example/sca/a-1\"},\"scaStatus\":{\"href\":"
                + "\"/v1/payments/sepa-credit-transfers/p-9/authorisations/a-1\"}}}").set("id", id);
        new ScaApproach(Map.of("step", "answer", "approach-header", "REDIRECT", "response", "{b}", "offered", "REDIRECT",
                "kind", "payment", "resource-base", "payments/sepa-credit-transfers", "payment-id", "{id}")).execute(c, exec);
        assertThat(c.string("sca.error")).isNull();
        assertThat(c.string("sca.consent_id")).isEqualTo("payments/sepa-credit-transfers/p-9");
        assertThat(c.string("sca.transaction_status")).isEqualTo("RCVD");
        assertThat(c.string("sca.next")).isEqualTo("redirect");
    }

    @Test
    void aCancellationWithoutAnApproachHeaderIsDecidedByItsStart() {
        String id = OpaqueTokens.mintPaymentId();
        MapMessageContext c = new MapMessageContext().set("b", "{\"transactionStatus\":\"ACTC\",\"_links\":{"
                + "\"startAuthorisation\":{\"href\":\"/v1/periodic-payments/sepa-credit-transfers/p-9/cancellation-authorisations\"}}}")
                .set("id", id);
        new ScaApproach(Map.of("step", "answer", "response", "{b}", "offered", "DECOUPLED", "kind", "cancellation",
                "consent-id", "periodic-payments/sepa-credit-transfers/p-9", "payment-id", "{id}")).execute(c, exec);
        assertThat(c.string("sca.error")).isNull();
        assertThat(c.string("sca.next")).isEqualTo("start");
        assertThat(c.string("sca.start_path")).endsWith("/cancellation-authorisations");
        MapMessageContext started = new MapMessageContext().set("b", "{\"scaStatus\":\"started\",\"_links\":{"
                + "\"scaStatus\":{\"href\":\"/v1/x/a-1\"}}}");
        new ScaApproach(Map.of("step", "answer", "approach-header", "REDIRECT", "response", "{b}", "offered", "DECOUPLED",
                "consent-id", "periodic-payments/sepa-credit-transfers/p-9")).execute(started, exec);
        assertThat(started.string("sca.error_code")).as("the start's answer is checked").isEqualTo("unexpected_sca_approach");
    }

    // --- views

    @Test
    void theViewsShowTheHubsIdTheStatusAndTheBanksReasonCodesOnly() throws Exception {
        String id = OpaqueTokens.mintPaymentId();
        Map<String, String> p = Map.of("step", "status", "response", "{b}", "payment-id", "{id}",
                "resource", "payments/sepa-credit-transfers/p-9");
        MapMessageContext c = new MapMessageContext().set("id", id).set("b", "{\"transactionStatus\":\"RJCT\","
                + "\"fundsAvailable\":false,\"tppMessages\":[{\"category\":\"ERROR\",\"code\":\"FUNDS_NOT_AVAILABLE\","
                + "\"text\":\"Account DE89370400440532013000 lacks funds\"}]}");
        new PaymentView(p).execute(c, exec);
        Map<String, Object> view = Json.parseObject(c.string("payment.view"));
        assertThat(view).containsEntry("paymentId", id).containsEntry("transactionStatus", "RJCT")
                .containsEntry("fundsAvailable", false).containsEntry("paymentProduct", "sepa-credit-transfers");
        assertThat(c.string("payment.view")).contains("FUNDS_NOT_AVAILABLE").doesNotContain("DE89").doesNotContain("p-9");
        Map<String, String> q = Map.of("step", "payment", "response", "{b}", "payment-id", "{id}",
                "resource", "payments/sepa-credit-transfers/p-9");
        MapMessageContext g = new MapMessageContext().set("id", id).set("b", "{\"transactionStatus\":\"ACSC\",\"paymentId\":\"p-9\","
                + "\"instructedAmount\":{\"currency\":\"EUR\",\"amount\":\"10.00\"},\"_links\":{\"self\":{\"href\":\"/v1/x\"}}}");
        new PaymentView(q).execute(g, exec);
        assertThat(Json.parseObject(g.string("payment.view"))).containsEntry("paymentId", id).doesNotContainKey("_links");
        assertThat(g.string("payment.view")).contains("\"amount\":\"10.00\"");
        MapMessageContext odd = new MapMessageContext().set("id", id).set("b", "{\"transactionStatus\":\"<b>\"}");
        new PaymentView(p).execute(odd, exec);
        assertThat(odd.string("payment.error_code")).isEqualTo("invalid_bank_response");
    }

    @Test
    void aProblemNamesTheRefusedMemberNeverItsValue() throws Exception {
        MapMessageContext c = new MapMessageContext().set("p", "/instructedAmount/amount")
                .set("r", "must have at most two decimals and be at most 999999999.99 (SEPA)");
        new Problem(Map.of("error-code", "invalid_payment", "invalid-param", "{p}", "invalid-reason", "{r}")).execute(c, exec);
        assertThat(c.string("problem.status")).isEqualTo("400");
        Map<String, Object> body = Json.parseObject(c.string("problem.body"));
        assertThat((String) body.get("detail")).contains("/instructedAmount/amount must have at most two decimals");
        assertThat(c.string("problem.body")).contains("\"in\":\"body\"");
        MapMessageContext reused = new MapMessageContext();
        new Problem(Map.of("error-code", "idempotency_key_reused")).execute(reused, exec);
        assertThat(reused.string("problem.status")).isEqualTo("422");
        MapMessageContext busy = new MapMessageContext();
        new Problem(Map.of("error-code", "idempotency_in_progress")).execute(busy, exec);
        assertThat(busy.string("problem.status")).isEqualTo("409");
        MapMessageContext cancel = new MapMessageContext().set("b", "{\"tppMessages\":[{\"category\":\"ERROR\","
                + "\"code\":\"CANCELLATION_INVALID\"}]}");
        new Problem(Map.of("bank-status", "405", "bank-body", "{b}")).execute(cancel, exec);
        assertThat(cancel.string("problem.code")).isEqualTo("payment_not_cancellable");
        assertThat(cancel.string("problem.status")).isEqualTo("409");
    }
}
