package eu.securehub.psd2.callouts.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.callouts.testing.TestKeys;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class KeyringTest {

    @Test
    void parsesTheKeyToolsFormat() throws Exception {
        TestKeys keys = new TestKeys().add("k1").add("k2").lookup("k1");
        Keyring ring = Keyring.of(keys.keyring());
        assertThat(ring.current()).isEqualTo("k2");
        assertThat(ring.lookup()).isEqualTo("k1");
        assertThat(ring.kek()).startsWith("projects/");
        assertThat(ring.keys()).containsOnlyKeys("k1", "k2");
        assertThat(ring.key("k1").cacheKey()).startsWith("k1#").hasSize(3 + 43);
        assertThat(ring.key("nope")).isNull();
        assertThat(Keyring.of(keys.keyring())).isSameAs(ring);
        assertThat(ring.key("k1").check()).isEqualTo(keys.check("k1")).hasSize(43);
    }

    @Test
    void aReWrappedKeyHasANewCacheKey() throws Exception {
        String a = "{\"version\":1,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"k\",\"keys\":{\"k\":\"AAAA\"},\"checks\":{\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}";
        String b = a.replace("AAAA", "AAAB");
        assertThat(Keyring.of(a).key("k").cacheKey()).isNotEqualTo(Keyring.of(b).key("k").cacheKey());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json",
        "[]",
        "{\"version\":2,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"k\",\"keys\":{\"k\":\"AAAA\"}}",
        "{\"version\":1,\"current\":\"k\",\"lookup\":\"k\",\"keys\":{\"k\":\"AAAA\"}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"j\",\"lookup\":\"k\",\"keys\":{\"k\":\"AAAA\"}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"j\",\"keys\":{\"k\":\"AAAA\"}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"k\",\"keys\":{}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"k\",\"keys\":{\"k\":\"**\"}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"k\",\"keys\":{\"k\":\"\"}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"k\",\"keys\":{\"k\":1}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"a b\",\"lookup\":\"a b\",\"keys\":{\"a b\":\"AAAA\"}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"k\",\"keys\":{\"k\":\"AAAA\"}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"k\",\"keys\":{\"k\":\"AAAA\"},\"checks\":{}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"k\",\"keys\":{\"k\":\"AAAA\"},\"checks\":{\"k\":\"short\"}}",
        "{\"version\":1,\"kek\":\"x\",\"current\":\"k\",\"lookup\":\"k\",\"keys\":{\"k\":\"AAAA\"},\"checks\":{\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"j\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}"})
    void refusesBrokenKeyrings(String text) {
        assertThatThrownBy(() -> Keyring.of(text)).isInstanceOf(KeyringException.class);
    }

    @Test
    void kmsAadNamesTheKeyId() {
        assertThat(new String(Keyring.kmsAad("dek-1"))).isEqualTo("psd2-hub/dek/dek-1");
    }
}
