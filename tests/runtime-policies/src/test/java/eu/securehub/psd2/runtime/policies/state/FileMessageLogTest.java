package eu.securehub.psd2.runtime.policies.state;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.runtime.policies.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileMessageLogTest {
    @TempDir
    Path dir;

    @Test
    void appendsOneJsonObjectPerLine() throws Exception {
        Path file = dir.resolve("logs/cloud-logging.jsonl");
        try (FileMessageLog log = new FileMessageLog(file, new MutableClock())) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("proxy", "psd2-hub-v1");
            log.write("projects/local/logs/psd2-hub", "{\"status\":\"200\",\"body\":\"a \\\"quoted\\\"\nline\"}", labels);
            log.write("projects/local/logs/psd2-hub", "second\u0001", Map.of());
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("{\"timestamp\":\"2026-03-04T10:15:30Z\",\"logName\":\"projects/local/logs/psd2-hub\","
                + "\"labels\":{\"proxy\":\"psd2-hub-v1\"},\"message\":\"{\\\"status\\\":\\\"200\\\",\\\"body\\\":\\\"a "
                + "\\\\\\\"quoted\\\\\\\"\\nline\\\"}\"}");
        assertThat(lines.get(1)).endsWith("\"labels\":{},\"message\":\"second\\u0001\"}");
    }

    @Test
    void appendsToAnExistingFileAndLinesNeverInterleave() throws Exception {
        Path file = dir.resolve("log.jsonl");
        Files.writeString(file, "{\"old\":true}\n");
        try (FileMessageLog log = new FileMessageLog(file)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 200; i++) {
                            log.write("n", "thread " + thread + " line " + i + " " + "x".repeat(200), Map.of("t", "" + thread));
                        }
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1 + 8 * 200);
        assertThat(lines.get(0)).isEqualTo("{\"old\":true}");
        assertThat(lines.subList(1, lines.size())).allMatch(l -> l.startsWith("{\"timestamp\":\"") && l.endsWith("\"}"));
    }
}
