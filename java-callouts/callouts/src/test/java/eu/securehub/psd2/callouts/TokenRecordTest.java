package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TokenRecordTest {
    private final TokenRecord record = new TokenRecord("eyJhbGciOiJQUzI1NiJ9.e30.sig", "", 1_800_000_300L, "consent-ä-42",
            "bank-a", "crm-app-1", 1_800_000_000L, 1_815_552_000L, 1_800_000_001L);

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
        byte[] v2 = bytes.clone();
        v2[0] = 2;
        assertThatThrownBy(() -> TokenRecord.fromBytes(v2)).hasMessageContaining("version");
        byte[] hugeLength = bytes.clone();
        hugeLength[1 + 32] = (byte) 0xff;
        assertThatThrownBy(() -> TokenRecord.fromBytes(hugeLength)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesFieldsTooLongToStore() {
        TokenRecord big = new TokenRecord("x".repeat(70_000), "", 0, "c", "b", "a", 0, 0, 0);
        assertThatThrownBy(big::toBytes).isInstanceOf(IllegalArgumentException.class);
    }
}
