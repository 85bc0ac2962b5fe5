package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TokenRecordTest {
    private final TokenRecord record = new TokenRecord("eyJhbGciOiJQUzI1NiJ9.e30.sig", "", 1_800_000_300L, "consent-ä-42",
            "bank-a", "crm-app-1", 1_800_000_000L, 1_815_552_000L, 1_800_000_001L, 2);

    @Test
    void roundTrips() {
        TokenRecord back = TokenRecord.fromBytes(record.toBytes());
        assertThat(back).usingRecursiveComparison().isEqualTo(record);
    }

    @Test
    void refusesWhatIsNotARecord() {
        byte[] bytes = record.toBytes();
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> TokenRecord.fromBytes(cut)).as("length %d", n).isInstanceOf(IllegalArgumentException.class);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> TokenRecord.fromBytes(longer)).hasMessageContaining("trailing");
        byte[] v3 = bytes.clone();
        v3[0] = 3;
        assertThatThrownBy(() -> TokenRecord.fromBytes(v3)).hasMessageContaining("version");
        byte[] hugeLength = bytes.clone();
        hugeLength[1 + 32 + 2] = (byte) 0xff;
        assertThatThrownBy(() -> TokenRecord.fromBytes(hugeLength)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesFieldsTooLongToStore() {
        TokenRecord big = new TokenRecord("x".repeat(70_000), "", 0, "c", "b", "a", 0, 0, 0, 4);
        assertThatThrownBy(big::toBytes).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsTheConsentsFrequencyPerDay() {
        assertThat(TokenRecord.fromBytes(record.toBytes()).frequencyPerDay).isEqualTo(2);
        TokenRecord many = new TokenRecord("a", "r", 1, "c", "b", "app", 2, 3, 4, 100);
        assertThat(TokenRecord.fromBytes(many.toBytes()).frequencyPerDay).isEqualTo(100);
        TokenRecord tooMany = new TokenRecord("a", "r", 1, "c", "b", "app", 2, 3, 4, 70_000);
        assertThatThrownBy(tooMany::toBytes).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsVersion1RecordsWithTheDefaultFrequency() {
        byte[] v2 = record.toBytes();
        // Version 1: the same layout without the frequency after the four times.
        byte[] v1 = new byte[v2.length - 2];
        System.arraycopy(v2, 0, v1, 0, 33);
        System.arraycopy(v2, 35, v1, 33, v2.length - 35);
        v1[0] = 1;
        TokenRecord back = TokenRecord.fromBytes(v1);
        assertThat(back.frequencyPerDay).isEqualTo(TokenRecord.DEFAULT_FREQUENCY_PER_DAY);
        assertThat(back).usingRecursiveComparison().ignoringFields("frequencyPerDay").isEqualTo(record);
    }
}
