package eu.securehub.psd2.callouts.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Base64UrlTest {

    @Test
    void agreesWithTheJdkForEveryLengthAndByte() {
        Random random = new Random(42);
        for (int n = 0; n < 300; n++) {
            byte[] data = new byte[n];
            random.nextBytes(data);
            String text = Base64Url.encode(data, 0, n);
            assertThat(text).isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(data));
            int length = Base64Url.decodedLength(text.length());
            assertThat(length).isEqualTo(n);
            byte[] out = new byte[length + 5];
            assertThat(Base64Url.decode(text, out)).isTrue();
            assertThat(Arrays.copyOf(out, n)).isEqualTo(data);
        }
    }

    @Test
    void encodesASlice() {
        byte[] data = {0, 1, 2, (byte) 0xfb, (byte) 0xff, 9};
        assertThat(Base64Url.encode(data, 1, 4)).isEqualTo(Base64.getUrlEncoder().withoutPadding()
                .encodeToString(Arrays.copyOfRange(data, 1, 5)));
    }

    @Test
    void refusesAnythingButUnpaddedBase64url() {
        for (String bad : new String[] {"AAA=", "AA==", "AB+C", "AB/C", "AB C", "ABCDE", "A", "ÀBCD", "\u0141BCD", "AB\nC"}) {
            int length = Base64Url.decodedLength(bad.length());
            assertThat(length < 0 || !Base64Url.decode(bad, new byte[Math.max(length, 0)])).as(bad).isTrue();
        }
    }
}
