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
            byte[] inPlace = Base64Url.decodeInPlace(text);
            assertThat(inPlace).isNotNull();
            assertThat(Arrays.copyOf(inPlace, n)).as("in place, %d bytes", n).isEqualTo(data);
        }
        // Past the sizes where the JDK's vector loops take over (blocks of dozens of characters).
        for (int n : new int[] {4096, 65536 + 7, 1 << 20}) {
            byte[] data = new byte[n];
            random.nextBytes(data);
            byte[] inPlace = Base64Url.decodeInPlace(Base64Url.encode(data, 0, n));
            assertThat(Arrays.copyOf(inPlace, n)).as("in place, %d bytes", n).isEqualTo(data);
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
        for (String bad : new String[] {"AAA=", "AA==", "AB+C", "AB/C", "AB C", "ABCDE", "A", "ÀBCD", "\u0141BCD", "AB\nC",
                "AB", "AE", "AAB", "AAAAAAB", "AQ==", "AAA\u0000", "\u0000AAA"}) {
            int length = Base64Url.decodedLength(bad.length());
            assertThat(length < 0 || !Base64Url.decode(bad, new byte[Math.max(length, 0)])).as(bad).isTrue();
            assertThat(Base64Url.decodeInPlace(bad)).as(bad).isNull();
        }
    }

    @Test
    void acceptsOnlyTheCanonicalLastCharacter() {
        // One byte 0x00 is "AA"; "AB".."AP" carry the same byte with unused bits set. Two bytes 0x0000 are "AAA".
        assertThat(Base64Url.decode("AA", new byte[1])).isTrue();
        assertThat(Base64Url.decode("AQ", new byte[1])).isTrue();
        assertThat(Base64Url.decode("AAA", new byte[2])).isTrue();
        assertThat(Base64Url.decode("AAE", new byte[2])).isTrue();
        for (char c : "BCDEFGHIJKLMNOP".toCharArray()) {
            assertThat(Base64Url.decode("A" + c, new byte[1])).as("A" + c).isFalse();
        }
        for (char c : "BCD".toCharArray()) {
            assertThat(Base64Url.decode("AA" + c, new byte[2])).as("AA" + c).isFalse();
        }
    }
}
