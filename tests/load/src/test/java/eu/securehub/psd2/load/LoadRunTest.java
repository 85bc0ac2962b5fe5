package eu.securehub.psd2.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load run with tiny numbers: it completes and prints the six figures (no figure is asserted). Its bank outage
 * chart (figure 7) is off here: OutageRunTest runs a short one and asserts what it shows.
 */
class LoadRunTest {
    static final Path ROOT = Path.of(System.getProperty("hub.root", "../..")).toAbsolutePath().normalize();

    @TempDir
    Path work;

    @Test
    void aTinyRunPrintsTheSixFigures() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        LoadRun.run(LoadRun.Settings.parse(new String[] {"requests=20", "latency=10", "warmup=5", "concurrency=2",
                "duration=2", "root=" + ROOT, "workDir=" + work, "outage=off"}), out);

        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertThat(printed).contains("FIGURE 1  KMS calls per 10 000 hub requests")
                .contains("FIGURE 2  hub latency overhead per request")
                .contains("FIGURE 3  requests per second through the hub")
                .contains("FIGURE 4  hub latency overhead per payment status read")
                .contains("FIGURE 5  payment status reads per second through the hub")
                .contains("FIGURE 6  cost per CRM operation on Apigee");
    }
}
