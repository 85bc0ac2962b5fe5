package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.Mockito;

class AuthorizationStartTest {
    static final long NOW = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
    static final String ACCESS = "{\"accounts\":[{\"iban\":\"DE89370400440532013000\"}],\"balances\":[],\"transactions\":[]}";
    static final String ALLOWED = "https://crm.example/psd2/return , http://127.0.0.1:3000/cb,https://crm.example/other";

    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);

    static String body(String returnUrl, String validUntil, String extra) {
        return "{\"returnUrl\":\"" + returnUrl + "\",\"access\":" + ACCESS + ",\"recurringIndicator\":true,"
                + "\"validUntil\":\"" + validUntil + "\",\"frequencyPerDay\":4" + extra + "}";
    }

    private MapMessageContext request(String body) {
        Map<String, String> p = Map.of("step", "request", "body", "{request.content}",
                "allowed-return-urls", "{verifyapikey.VA-VerifyCrmKey.returnUrls}", "now", "{now}");
        MapMessageContext c = new MapMessageContext().set("request.content", body)
                .set("verifyapikey.VA-VerifyCrmKey.returnUrls", ALLOWED).set("now", NOW);
        new AuthorizationStart(p).execute(c, exec);
        return c;
    }

    @Test
    void requestBuildsTheBerlinGroupConsentBody() throws Exception {
        MapMessageContext c = request(body("https://crm.example/psd2/return", "2026-08-31", ""));
        assertThat(c.string("authz.error")).isNull();
        Map<String, Object> consent = Json.parseObject(c.string("authz.consent_request"));
        assertThat(consent).containsOnlyKeys("access", "recurringIndicator", "validUntil", "frequencyPerDay",
                "combinedServiceIndicator");
        assertThat(consent.get("access")).isEqualTo(Json.parse(ACCESS));
        assertThat(consent).containsEntry("recurringIndicator", true).containsEntry("validUntil", "2026-08-31")
                .containsEntry("frequencyPerDay", 4L).containsEntry("combinedServiceIndicator", false);
        assertThat(c.string("authz.return_url")).isEqualTo("https://crm.example/psd2/return");
        assertThat(c.string("authz.frequency_per_day")).isEqualTo("4");
        assertThat(c.string("authz.valid_until")).isEqualTo("2026-08-31");
    }

    @Test
    void requestMakesTheStateBeforeTheBankIsCalledAndKeepsThePsuIdPrivate() {
        MapMessageContext c = request(body("https://crm.example/psd2/return", "2026-08-31", ",\"psuId\":\"anna\""));
        assertThat(c.string("authz.error")).isNull();
        assertThat(AuthzState.wellFormed(c.string("authz.state"))).isTrue();
        assertThat(c.string("authz.state_key")).isEqualTo(AuthzState.stateKey(c.string("authz.state")));
        assertThat(c.string("private.authz.psu_id")).isEqualTo("anna");
        assertThat(c.string("authz.psu_given")).isEqualTo("true");
        assertThat(c.string("authz.consent_request")).doesNotContain("anna");
    }

    @Test
    void aDecoupledBankNeedsThePsuId() {
        Map<String, String> p = Map.of("step", "request", "body", "{request.content}",
                "allowed-return-urls", "{urls}", "now", "{now}", "sca-preferred", "{bank.sca_preferred}");
        MapMessageContext c = new MapMessageContext().set("request.content", body("https://crm.example/psd2/return", "2026-08-31", ""))
                .set("urls", ALLOWED).set("now", NOW).set("bank.sca_preferred", "DECOUPLED");
        new AuthorizationStart(p).execute(c, exec);
        assertThat(c.string("authz.error_code")).isEqualTo("psu_id_required");
        assertThat(c.string("authz.error")).contains("psuId");
        MapMessageContext redirect = new MapMessageContext().set("request.content", body("https://crm.example/psd2/return", "2026-08-31", ""))
                .set("urls", ALLOWED).set("now", NOW).set("bank.sca_preferred", "REDIRECT");
        new AuthorizationStart(p).execute(redirect, exec);
        assertThat(redirect.string("authz.error")).isNull();
        assertThat(redirect.string("authz.psu_given")).isEqualTo("false");
    }

    @Test
    void requestKeepsAnExplicitCombinedServiceIndicatorAndDropsUnknownMembers() throws Exception {
        MapMessageContext c = request(body("http://127.0.0.1:3000/cb", "2026-03-01", ",\"combinedServiceIndicator\":true,\"x\":1"));
        assertThat(c.string("authz.error")).isNull();
        Map<String, Object> consent = Json.parseObject(c.string("authz.consent_request"));
        assertThat(consent).containsEntry("combinedServiceIndicator", true).doesNotContainKeys("x", "returnUrl");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://crm.example/psd2/return/", "https://crm.example/psd2/return?x=1", "https://evil.example/psd2/return",
        "HTTPS://crm.example/psd2/return", "https://crm.example/psd2", ""})
    void aReturnUrlMustBeRegisteredExactly(String url) {
        MapMessageContext c = request(body(url, "2026-08-31", ""));
        assertThat(c.string("authz.error_code")).isEqualTo(url.isEmpty() ? "invalid_request" : "invalid_return_url");
        assertThat(c.string("authz.consent_request")).isNull();
        if (!url.isEmpty()) {
            assertThat(c.string("authz.error")).doesNotContain(url);
        }
    }

    @Test
    void aRegisteredButInsecureReturnUrlIsRefused() {
        Map<String, String> p = Map.of("step", "request", "body", "{b}", "allowed-return-urls", "http://crm.example/cb, https://ok.example/cb#f",
                "now", Long.toString(NOW));
        for (String url : List.of("http://crm.example/cb", "https://ok.example/cb#f")) {
            MapMessageContext c = new MapMessageContext().set("b", body(url, "2026-08-31", ""));
            new AuthorizationStart(p).execute(c, exec);
            assertThat(c.string("authz.error_code")).as(url).isEqualTo("invalid_return_url");
        }
        MapMessageContext none = new MapMessageContext().set("b", body("https://crm.example/psd2/return", "2026-08-31", ""));
        new AuthorizationStart(Map.of("step", "request", "body", "{b}", "allowed-return-urls", "{unset}")).execute(none, exec);
        assertThat(none.string("authz.error_code")).isEqualTo("invalid_return_url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-28", "2026-3-31", "31.08.2026", "2026-02-30", "tomorrow"})
    void validUntilMustBeADateNotInThePast(String date) {
        MapMessageContext c = request(body("https://crm.example/psd2/return", date, ""));
        assertThat(c.string("authz.error_code")).isEqualTo("invalid_request");
        assertThat(c.string("authz.error")).contains("validUntil").doesNotContain(date);
    }

    @Test
    void refusesABadRequestBody() {
        String ok = body("https://crm.example/psd2/return", "2026-08-31", "");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("not json", "invalid_json");
        cases.put("", "invalid_json");
        cases.put("[1]", "invalid_json");
        cases.put(ok.replace("\"access\":" + ACCESS, "\"access\":{}"), "invalid_request");
        cases.put(ok.replace("\"access\":" + ACCESS, "\"access\":[]"), "invalid_request");
        cases.put(ok.replace("\"recurringIndicator\":true", "\"recurringIndicator\":\"yes\""), "invalid_request");
        cases.put(ok.replace("\"frequencyPerDay\":4", "\"frequencyPerDay\":0"), "invalid_request");
        cases.put(ok.replace("\"frequencyPerDay\":4", "\"frequencyPerDay\":1.5"), "invalid_request");
        cases.put(ok.replace(",\"frequencyPerDay\":4", ""), "invalid_request");
        cases.put(body("https://crm.example/psd2/return", "2026-08-31", ",\"combinedServiceIndicator\":1"), "invalid_request");
        cases.put("{\"returnUrl\":\"https://crm.example/psd2/return\",\"pad\":\"" + "x".repeat(70_000) + "\"}", "payload_too_large");
        cases.forEach((text, code) -> {
            MapMessageContext c = request(text);
            assertThat(c.string("authz.error_code")).as(text.length() > 100 ? text.substring(0, 100) : text).isEqualTo(code);
            assertThat(c.string("authz.error")).doesNotContain("DE89370400440532013000");
        });
    }

    static final String METADATA = "{\"issuer\":\"https://as.bank-a.example\","
            + "\"authorization_endpoint\":\"https://as.bank-a.example/authorize\","
            + "\"token_endpoint\":\"https://as.bank-a.example/token\","
            + "\"code_challenge_methods_supported\":[\"plain\",\"S256\"]}";

    static Map<String, String> authorizeProps() {
        Map<String, String> p = new HashMap<>();
        p.put("step", "authorize");
        p.put("consent-response", "{response.content}");
        p.put("metadata", "{bank.metadata}");
        p.put("issuer", "{bank.issuer}");
        p.put("client-id", "{bank.client_id}");
        p.put("redirect-uri", "{hub.callback_url}");
        p.put("scopes", "{bank.scopes}");
        p.put("bank-id", "{bank.id}");
        p.put("app-id", "{hub.app_id}");
        p.put("return-url", "{authz.return_url}");
        p.put("frequency-per-day", "{authz.frequency_per_day}");
        p.put("valid-until", "{authz.valid_until}");
        p.put("pending-ttl-seconds", "{hub.pending_ttl}");
        p.put("now", "{now}");
        return p;
    }

    static MapMessageContext authorizeCtx(String metadata) {
        return new MapMessageContext()
                .set("response.content", "{\"consentId\":\"1234-wertiq-983\",\"consentStatus\":\"received\",\"_links\":{}}")
                .set("bank.metadata", metadata).set("bank.issuer", "https://as.bank-a.example")
                .set("bank.client_id", "PSDDE-BAFIN-123456").set("hub.callback_url", "https://api.example.eu/psd2/v1/oauth/callback")
                .set("bank.scopes", "openid accounts").set("bank.id", "sandbox-a").set("hub.app_id", "app-1")
                .set("authz.return_url", "https://crm.example/psd2/return").set("authz.frequency_per_day", "2")
                .set("authz.valid_until", "2026-08-31").set("hub.pending_ttl", "600").set("now", NOW);
    }

    private MapMessageContext authorize(MapMessageContext c) {
        new AuthorizationStart(authorizeProps()).execute(c, exec);
        return c;
    }

    static Map<String, String> query(String url) {
        Map<String, String> q = new HashMap<>();
        for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
            String[] kv = pair.split("=", 2);
            assertThat(q.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8)))
                    .as("duplicate " + kv[0]).isNull();
        }
        return q;
    }

    static String s256(String verifier) throws Exception {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void authorizeWithoutParGivesTheAuthorizationUrlAndThePendingRecord() throws Exception {
        MapMessageContext c = authorize(authorizeCtx(METADATA));
        assertThat(c.string("authz.error")).isNull();
        String state = c.string("authz.state");
        assertThat(state).matches("[A-Za-z0-9_-]{43}");
        assertThat(c.string("authz.state_key")).matches("[A-Za-z0-9_-]{43}").isEqualTo(s256(state)).isNotEqualTo(state);
        assertThat(c.string("authz.consent_id")).isEqualTo("1234-wertiq-983");
        assertThat(c.string("authz.consent_status")).isEqualTo("received");
        assertThat(c.string("authz.par_required")).isEqualTo("false");
        assertThat(c.string("authz.par_endpoint")).isEmpty();
        assertThat(c.string("authz.authorization_endpoint")).isEqualTo("https://as.bank-a.example/authorize");
        assertThat(c.string("authz.token_endpoint")).isEqualTo("https://as.bank-a.example/token");
        assertThat(c.string("authz.expires_in")).isEqualTo("600");
        assertThat(c.string("authz.retain_seconds")).as("kept 5 minutes past its expiry").isEqualTo("900");

        Map<String, Object> pending = Json.parseObject(c.string("private.authz.pending"));
        assertThat(pending).containsOnlyKeys("v", "consentId", "bankId", "codeVerifier", "nonce", "appId", "returnUrl",
                "frequencyPerDay", "validUntil", "exp");
        assertThat(pending).containsEntry("v", 1L).containsEntry("consentId", "1234-wertiq-983").containsEntry("bankId", "sandbox-a")
                .containsEntry("appId", "app-1").containsEntry("returnUrl", "https://crm.example/psd2/return")
                .containsEntry("frequencyPerDay", 2L).containsEntry("validUntil", "2026-08-31")
                .containsEntry("exp", NOW / 1000 + 600);
        String verifier = (String) pending.get("codeVerifier");
        String nonce = (String) pending.get("nonce");
        assertThat(verifier).matches("[A-Za-z0-9_-]{43}");
        assertThat(nonce).matches("[A-Za-z0-9_-]{43}");
        assertThat(Set.of(state, verifier, nonce)).hasSize(3);

        String url = c.string("authz.authorization_url");
        assertThat(url).startsWith("https://as.bank-a.example/authorize?response_type=code&");
        Map<String, String> q = query(url);
        assertThat(q).containsEntry("response_type", "code").containsEntry("client_id", "PSDDE-BAFIN-123456")
                .containsEntry("redirect_uri", "https://api.example.eu/psd2/v1/oauth/callback")
                .containsEntry("scope", "openid accounts AIS:1234-wertiq-983").containsEntry("state", state)
                .containsEntry("nonce", nonce).containsEntry("code_challenge", s256(verifier))
                .containsEntry("code_challenge_method", "S256").hasSize(8);
        assertThat(url).doesNotContain(verifier);
        assertThat(c.string("authz.par_body")).isEqualTo(url.substring(url.indexOf('?') + 1));
        // the verifier appears only in the private pending record
        assertThat(c.variables().entrySet()).filteredOn(e -> e.getValue().toString().contains(verifier))
                .extracting(Map.Entry::getKey).containsExactly("private.authz.pending");
    }

    @Test
    void authorizeWithParGivesTheParBodyAndNoUrlYet() {
        String metadata = METADATA.replace("}", ",\"pushed_authorization_request_endpoint\":\"https://as.bank-a.example/par\"}");
        MapMessageContext c = authorize(authorizeCtx(metadata));
        assertThat(c.string("authz.error")).isNull();
        assertThat(c.string("authz.par_required")).isEqualTo("true");
        assertThat(c.string("authz.par_endpoint")).isEqualTo("https://as.bank-a.example/par");
        assertThat(c.string("authz.authorization_url")).isEmpty();
        Map<String, String> form = query("?" + c.string("authz.par_body"));
        assertThat(form).containsEntry("response_type", "code").containsEntry("state", c.string("authz.state"))
                .containsEntry("code_challenge_method", "S256").containsKeys("client_id", "redirect_uri", "scope", "nonce",
                        "code_challenge");
    }

    @Test
    void eachAuthorisationGetsFreshRandomValues() throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            MapMessageContext c = authorize(authorizeCtx(METADATA));
            Map<String, Object> pending = Json.parseObject(c.string("private.authz.pending"));
            assertThat(seen.add(c.string("authz.state"))).isTrue();
            assertThat(seen.add((String) pending.get("nonce"))).isTrue();
            assertThat(seen.add((String) pending.get("codeVerifier"))).isTrue();
        }
    }

    @Test
    void anAuthorizationEndpointWithAQueryKeepsIt() {
        MapMessageContext c = authorize(authorizeCtx(METADATA.replace("/authorize\"", "/authorize?tenant=a\"")));
        assertThat(c.string("authz.authorization_url")).startsWith("https://as.bank-a.example/authorize?tenant=a&response_type=code&");
    }

    @Test
    void theScopeIsTheConsentScopeAloneWithoutConfiguredScopes() {
        MapMessageContext c = authorize(authorizeCtx(METADATA).set("bank.scopes", null));
        assertThat(query(c.string("authz.authorization_url"))).containsEntry("scope", "AIS:1234-wertiq-983");
    }

    @Test
    void theMetadataMustBeTheConfiguredIssuers() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(METADATA.replace("\"issuer\":\"https://as.bank-a.example\"", "\"issuer\":\"https://evil.example\""), "issuer");
        cases.put(METADATA.replace("\"issuer\":\"https://as.bank-a.example\"", "\"issuer\":\"https://as.bank-a.example/\""), "issuer");
        cases.put(METADATA.replace("\"issuer\":\"https://as.bank-a.example\",", ""), "issuer");
        cases.put(METADATA.replace("\"authorization_endpoint\":\"https://as.bank-a.example/authorize\",", ""), "authorization_endpoint");
        cases.put(METADATA.replace("https://as.bank-a.example/authorize", "http://as.bank-a.example/authorize"), "authorization_endpoint");
        cases.put(METADATA.replace("https://as.bank-a.example/token", "http://as.bank-a.example/token"), "token_endpoint");
        cases.put(METADATA.replace("\"token_endpoint\":\"https://as.bank-a.example/token\",", ""), "token_endpoint");
        cases.put(METADATA.replace("[\"plain\",\"S256\"]", "[\"plain\"]"), "code_challenge_methods_supported");
        cases.put(METADATA.replace("[\"plain\",\"S256\"]", "\"S256\""), "code_challenge_methods_supported");
        cases.put(METADATA.replace("}", ",\"pushed_authorization_request_endpoint\":\"http://as.bank-a.example/par\"}"),
                "pushed_authorization_request_endpoint");
        cases.put(METADATA.replace("}", ",\"require_pushed_authorization_requests\":true}"), "pushed_authorization_request_endpoint");
        cases.put("<html>", "metadata");
        cases.forEach((metadata, member) -> {
            MapMessageContext c = authorize(authorizeCtx(metadata));
            assertThat(c.string("authz.error_code")).as(metadata).isEqualTo("invalid_metadata");
            assertThat(c.string("authz.error")).contains(member).doesNotContain("evil.example");
            assertThat(c.string("private.authz.pending")).isNull();
            assertThat(c.string("authz.state")).isNull();
        });
        MapMessageContext noMethods = authorize(authorizeCtx(METADATA.replace(",\"code_challenge_methods_supported\":[\"plain\",\"S256\"]", "")));
        assertThat(noMethods.string("authz.error")).isNull();
    }

    @Test
    void theConsentResponseNeedsAConsentId() {
        for (String response : List.of("{\"consentStatus\":\"received\"}", "{\"consentId\":\"\"}", "{\"consentId\":\"a b\"}",
                "{\"consentId\":7}", "nope")) {
            MapMessageContext c = authorize(authorizeCtx(METADATA).set("response.content", response));
            assertThat(c.string("authz.error_code")).as(response).isEqualTo("invalid_bank_response");
        }
        MapMessageContext noStatus = authorize(authorizeCtx(METADATA).set("response.content", "{\"consentId\":\"c-1\"}"));
        assertThat(noStatus.string("authz.error")).isNull();
        assertThat(noStatus.string("authz.consent_status")).isEmpty();
    }

    @Test
    void authorizeChecksItsProperties() {
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("missing_property", new String[] {"bank.client_id", null});
        cases.put("missing_property ", new String[] {"hub.app_id", null});
        cases.put("invalid_property", new String[] {"hub.callback_url", "http://api.example.eu/cb"});
        cases.put("invalid_property ", new String[] {"authz.frequency_per_day", "0"});
        cases.put("invalid_property  ", new String[] {"authz.valid_until", "soon"});
        cases.put("invalid_property   ", new String[] {"hub.pending_ttl", "5"});
        cases.forEach((code, kv) -> {
            MapMessageContext c = authorize(authorizeCtx(METADATA).set(kv[0], kv[1]));
            assertThat(c.string("authz.error_code")).as(kv[0]).isEqualTo(code.trim());
        });
        MapMessageContext defaultTtl = authorize(authorizeCtx(METADATA).set("hub.pending_ttl", null));
        assertThat(defaultTtl.string("authz.expires_in")).isEqualTo("600");
    }

    @Test
    void parResponseGivesTheAuthorizationUrl() {
        Map<String, String> p = Map.of("step", "par-response", "par-response", "{response.content}",
                "authorization-endpoint", "{authz.authorization_endpoint}", "client-id", "{bank.client_id}");
        MapMessageContext c = new MapMessageContext()
                .set("response.content", "{\"request_uri\":\"urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c\",\"expires_in\":60}")
                .set("authz.authorization_endpoint", "https://as.bank-a.example/authorize").set("bank.client_id", "PSDDE-BAFIN-123456");
        assertThat(new AuthorizationStart(p).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("authz.authorization_url")).isEqualTo("https://as.bank-a.example/authorize?client_id=PSDDE-BAFIN-123456"
                + "&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A6esc_11ACC5bwc014ltc14eY22c");

        for (String bad : List.of("{}", "{\"request_uri\":\"\"}", "{\"request_uri\":\"a b\"}", "{\"request_uri\":\"u\",\"expires_in\":0}",
                "{\"request_uri\":\"u\",\"expires_in\":\"60\"}", "not json", "")) {
            MapMessageContext b = new MapMessageContext().set("response.content", bad)
                    .set("authz.authorization_endpoint", "https://as.bank-a.example/authorize").set("bank.client_id", "c");
            new AuthorizationStart(p).execute(b, exec);
            assertThat(b.string("authz.error_code")).as(bad).isEqualTo(bad.isEmpty() ? "missing_property" : "invalid_par_response");
            assertThat(b.string("authz.authorization_url")).isNull();
        }
        MapMessageContext insecure = new MapMessageContext().set("response.content", "{\"request_uri\":\"u\"}")
                .set("authz.authorization_endpoint", "http://as.bank-a.example/authorize").set("bank.client_id", "c");
        new AuthorizationStart(p).execute(insecure, exec);
        assertThat(insecure.string("authz.error_code")).isEqualTo("invalid_property");
    }

    @Test
    void theStepMustBeKnown() {
        MapMessageContext c = new MapMessageContext();
        assertThat(new AuthorizationStart(Map.of("step", "begin")).execute(c, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("authz.error_code")).isEqualTo("invalid_property");
    }
}
