package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlsTest {
    @ParameterizedTest
    @ValueSource(strings = {"https://crm.example/return", "HTTPS://crm.example:8443/a/b?x=1", "https://[2001:db8::1]/cb",
        "http://127.0.0.1:3000/cb", "http://localhost/cb", "http://LOCALHOST:1/", "http://[::1]:8080/cb", "https://crm.example"})
    void secureUrls(String url) {
        assertThat(Urls.secure(url)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "http://crm.example/return", "http://127.0.0.2/cb", "http://localhost.evil.example/",
        "http://127.0.0.1@evil.example/", "https://user:pw@crm.example/", "https://crm.example/#x", "https:///path",
        "https://crm.example:port/", "https://crm.example:123456/", "javascript:alert(1)", "//crm.example/",
        "https://crm.example/a b", "https://crm.example/\u00e4", "https://crm.exa_mple/", "https://[::1/",
        "https://[::1]x/", "https://crm.example\\@evil.example/"})
    void insecureOrOddUrls(String url) {
        assertThat(Urls.secure(url)).isFalse();
    }

    @Test
    void encodesEverythingButUnreservedCharacters() {
        String raw = "a Z~-._/?&=+%#:\u00e4\u20ac";
        String encoded = Urls.encode(raw);
        assertThat(encoded).isEqualTo("a%20Z~-._%2F%3F%26%3D%2B%25%23%3A%C3%A4%E2%82%AC");
        assertThat(URLDecoder.decode(encoded, StandardCharsets.UTF_8)).isEqualTo(raw);
        assertThat(Urls.form("a b", "c&d", "e", "")).isEqualTo("a%20b=c%26d&e=");
    }

    @Test
    void decodesWhatItEncodesAndLeavesMalformedInputAsItIs() {
        for (String s : new String[] {"a b+c/é€😀", "", "plain", "100%"}) {
            assertThat(Urls.decode(Urls.encode(s), false)).isEqualTo(s);
        }
        assertThat(Urls.decode("a+b%20c", true)).isEqualTo("a b c");
        assertThat(Urls.decode("a+b", false)).isEqualTo("a+b");
        assertThat(Urls.decode("%zz", true)).isEqualTo("%zz");
        assertThat(Urls.decode("%4", true)).isEqualTo("%4");
        assertThat(Urls.decode("%C3", true)).as("not UTF-8").isEqualTo("%C3");
    }

    @Test
    void appendsAQuery() {
        assertThat(Urls.withQuery("https://x/cb", "a=1")).isEqualTo("https://x/cb?a=1");
        assertThat(Urls.withQuery("https://x/cb?tenant=7", "a=1")).isEqualTo("https://x/cb?tenant=7&a=1");
        assertThat(Urls.withQuery("https://x/cb?", "a=1")).isEqualTo("https://x/cb?a=1");
        assertThat(Urls.withQuery("https://x/cb?t=7&", "a=1")).isEqualTo("https://x/cb?t=7&a=1");
    }
}
