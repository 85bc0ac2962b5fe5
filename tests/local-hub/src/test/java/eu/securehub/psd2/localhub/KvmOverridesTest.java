package eu.securehub.psd2.localhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which KVM entries of kvms/local the hub overrides so that they follow the real ports. */
class KvmOverridesTest {
    static final Path ROOT = LocalHubSmokeTest.ROOT;

    @Test
    void theRunCommandsFixedPortsNeedNoOverride() {
        Map<String, String> o = LocalHub.kvmOverrides(ROOT, URI.create("http://127.0.0.1:8089/v1"),
                Map.of("alpha", URI.create("https://127.0.0.1:8443"), "beta", URI.create("https://127.0.0.1:8444")), 8998);

        assertThat(o).isEmpty();
    }

    @Test
    void freePortsMoveKmsCallbackAndEveryBankUrl() {
        Map<String, String> o = LocalHub.kvmOverrides(ROOT, URI.create("http://127.0.0.1:40001/v1"),
                Map.of("alpha", URI.create("https://127.0.0.1:40002"), "beta", URI.create("https://127.0.0.1:8444"),
                        "gamma", URI.create("https://127.0.0.1:40004")), 40003);

        // gamma (redirect without OAuth) names no URL of its own in the registry: only its TargetServer moves.
        assertThat(o).containsOnlyKeys("psd2-hub-config/kms-endpoint", "psd2-hub-config/callback-url",
                "psd2-hub-config/redirect-callback-url", "psd2-hub-banks/alpha");
        assertThat(o.get("psd2-hub-config/redirect-callback-url")).isEqualTo("http://localhost:40003/psd2/v1/sca/callback");
        assertThat(o.get("psd2-hub-config/kms-endpoint")).isEqualTo("http://127.0.0.1:40001/v1");
        assertThat(o.get("psd2-hub-config/callback-url")).isEqualTo("http://localhost:40003/psd2/v1/oauth/callback");
        String alpha = o.get("psd2-hub-banks/alpha");
        assertThat(alpha).contains("\"issuer\":\"https://127.0.0.1:40002\"")
                .contains("\"metadataUrl\":\"https://127.0.0.1:40002/.well-known/openid-configuration\"")
                .contains("\"jwksUri\":\"https://127.0.0.1:40002/jwks\"")
                .doesNotContain(":8443");
    }
}
