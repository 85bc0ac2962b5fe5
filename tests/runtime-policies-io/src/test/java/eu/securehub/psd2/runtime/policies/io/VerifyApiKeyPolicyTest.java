package eu.securehub.psd2.runtime.policies.io;

import static eu.securehub.psd2.runtime.policies.io.Faults.fault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifyApiKeyPolicyTest {
    TestEnvironment env = new TestEnvironment();
    Policy policy = new VerifyApiKeyFactory().create(TestXml.parse("""
            <VerifyAPIKey name="VA-1"><DisplayName>VA-1</DisplayName><APIKey ref="request.header.x-api-key"/></VerifyAPIKey>"""), null);

    TestContext ctx(String key) {
        TestMessage r = TestMessage.request("GET", "/x", "");
        if (key != null) {
            r.header("x-api-key", key);
        }
        return new TestContext(env, null, r);
    }

    @Test
    void aValidKeySetsTheDocumentedVariables() {
        env.apps.put("k1", TestEnvironment.app("app-1", "approved", List.of("psd2-crm"), Map.of("returnUrls", "https://crm")));
        TestContext c = ctx("k1");
        policy.execute(c);
        assertThat(c.vars).containsEntry("verifyapikey.VA-1.client_id", "k1")
                .containsEntry("verifyapikey.VA-1.app.id", "app-1")
                .containsEntry("verifyapikey.VA-1.app.name", "app-1-name")
                .containsEntry("verifyapikey.VA-1.developer.app.name", "app-1-name")
                .containsEntry("verifyapikey.VA-1.developer.app.id", "app-1")
                .containsEntry("verifyapikey.VA-1.returnUrls", "https://crm")
                .containsEntry("verifyapikey.VA-1.app.status", "approved")
                .containsEntry("verifyapikey.VA-1.developer.email", "dev@example.eu")
                .containsEntry("verifyapikey.VA-1.developer.id", "dev-1")
                .containsEntry("verifyapikey.VA-1.apiproduct.name", "psd2-crm")
                .containsEntry("apiproduct.name", "psd2-crm")
                .containsEntry("client_id", "k1");
        // Only the documented names: no .app.<attribute> form, no undocumented top-level status.
        assertThat(c.vars).doesNotContainKeys("verifyapikey.VA-1.app.returnUrls", "verifyapikey.VA-1.status");
        assertThat(c.vars.keySet().stream().filter(k -> k.startsWith("verifyapikey.VA-1.")))
                .containsExactlyInAnyOrder("verifyapikey.VA-1.client_id", "verifyapikey.VA-1.developer.app.id",
                        "verifyapikey.VA-1.developer.app.name", "verifyapikey.VA-1.developer.id",
                        "verifyapikey.VA-1.developer.email", "verifyapikey.VA-1.apiproduct.name",
                        "verifyapikey.VA-1.app.id", "verifyapikey.VA-1.app.name", "verifyapikey.VA-1.app.status",
                        "verifyapikey.VA-1.app.apiproducts", "verifyapikey.VA-1.returnUrls");
    }

    @Test
    void missingKeyIsFailedToResolveAPIKey() {
        TestContext c = ctx(null);
        fault(policy, c, "oauth.v2.FailedToResolveAPIKey", 401);
        assertThat(c.vars).containsEntry("oauthV2.VA-1.failed", true);
        fault(policy, ctx(""), "oauth.v2.FailedToResolveAPIKey", 401);
    }

    @Test
    void unknownKeyIsInvalidApiKey() {
        assertThat(fault(policy, ctx("nope"), "oauth.v2.InvalidApiKey", 401).faultName()).isEqualTo("InvalidApiKey");
    }

    @Test
    void anAppNotApprovedIsRefused() {
        env.apps.put("k2", TestEnvironment.app("app-2", "revoked", List.of("psd2-crm"), Map.of()));
        fault(policy, ctx("k2"), "keymanagement.service.invalid_client-app_not_approved", 401);
    }

    @Test
    void anAppWithoutAProductCoveringTheProxyIsRefused() {
        env.apps.put("k3", TestEnvironment.app("app-3", "approved", List.of(), Map.of()));
        TestContext c = ctx("k3");
        fault(policy, c, "oauth.v2.InvalidApiKeyForGivenResource", 401);
        assertThat(c.vars).doesNotContainKey("verifyapikey.VA-1.client_id");
    }

    @Test
    void configurationIsStrict() {
        assertThatThrownBy(() -> new VerifyApiKeyFactory().create(TestXml.parse(
                "<VerifyAPIKey name=\"v\"><APIKey/></VerifyAPIKey>"), null)).isInstanceOf(ConfigError.class);
        assertThatThrownBy(() -> new VerifyApiKeyFactory().create(TestXml.parse(
                "<VerifyAPIKey name=\"v\"><APIKey ref=\"a\" other=\"b\"/></VerifyAPIKey>"), null))
                .isInstanceOf(ConfigError.class).hasMessageContaining("other");
        assertThatThrownBy(() -> new VerifyApiKeyFactory().create(TestXml.parse(
                "<VerifyAPIKey name=\"v\"><APIKey ref=\"a\"/><Foo/></VerifyAPIKey>"), null))
                .isInstanceOf(ConfigError.class).hasMessageContaining("Foo");
    }
}
