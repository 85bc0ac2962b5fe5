package eu.securehub.psd2.callouts.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DekCacheTest {
    private static final long NOW = 1_800_000_000_000L;
    private final DataKey key = DataKey.derive("k", new byte[DataKey.DEK_BYTES]);

    @BeforeEach
    @AfterEach
    void empty() {
        DekCache.clear();
    }

    @Test
    void entriesExpire() {
        DekCache.put("k#a", key, NOW + 1000, NOW);
        assertThat(DekCache.get("k#a", NOW + 999)).isSameAs(key);
        assertThat(DekCache.get("k#a", NOW + 1000)).isNull();
        assertThat(DekCache.size()).isZero();
    }

    @Test
    void staysBoundedAndDropsExpiredEntriesFirst() {
        for (int i = 0; i < DekCache.MAX_ENTRIES; i++) {
            DekCache.put("old#" + i, key, NOW + 10, NOW);
        }
        DekCache.put("live#0", key, NOW + 60_000, NOW + 20);
        assertThat(DekCache.size()).isEqualTo(1);
        assertThat(DekCache.get("live#0", NOW + 30)).isSameAs(key);

        for (int i = 1; i < 3 * DekCache.MAX_ENTRIES; i++) {
            DekCache.put("live#" + i, key, NOW + 60_000, NOW + 20);
        }
        assertThat(DekCache.size()).isLessThanOrEqualTo(DekCache.MAX_ENTRIES);
        assertThat(DekCache.get("live#" + (3 * DekCache.MAX_ENTRIES - 1), NOW + 30)).isSameAs(key);
    }
}
