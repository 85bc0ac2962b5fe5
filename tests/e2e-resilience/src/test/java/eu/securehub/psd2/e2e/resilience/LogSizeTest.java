package eu.securehub.psd2.e2e.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.localhub.RequestOutput;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloud Logging refuses a log entry over 256 KiB (the local runtime drops it as Cloud Logging would): a large
 * transactions page must still leave its log line, with the log-safe copy cut to 64 KiB and marked as cut, while the
 * CRM gets the whole page.
 */
class LogSizeTest {
    static final int CLOUD_LOGGING_LIMIT = 256 * 1024;

    @TempDir
    static Path work;

    static LocalHub hub;
    static Crm crm;

    @BeforeAll
    static void start() throws Exception {
        hub = LocalHub.start(LocalHub.Options.freePorts(Crm.ROOT, work).consumerKey(Crm.KEY));
        crm = new Crm(hub);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void aLargeTransactionsPageIsLoggedCutBelowTheCloudLoggingLimit() throws Exception {
        String token = crm.token("alpha");
        String account = crm.firstAccountId(token);
        HttpResponse<String> page = crm.read(token, "/accounts/" + account + "/transactions?bookingStatus=booked&dateFrom="
                + LocalDate.now().minusYears(1) + "&itemsPerPage=500", true);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        int raw = page.body().getBytes(StandardCharsets.UTF_8).length;
        // Uncut, its log-safe copy (transactions encrypted, base64, escaped into the log line) would be about 1.4 times this.
        assertThat(raw).as("a page larger than what is logged of it").isGreaterThan(100_000);

        String id = Crm.requestId(page);
        List<String> lines = RequestOutput.messageLogLines(
                RequestOutput.awaitMessageLog(hub.environment().messageLogFile(), List.of(id)), id);
        assertThat(lines).hasSize(1);
        String line = lines.get(0);
        assertThat(line.getBytes(StandardCharsets.UTF_8).length).as("the log entry").isLessThan(CLOUD_LOGGING_LIMIT / 2);
        assertThat(line).contains("[truncated; bytes=");
    }
}
