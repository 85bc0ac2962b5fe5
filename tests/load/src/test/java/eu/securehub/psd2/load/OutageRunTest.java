package eu.securehub.psd2.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A short real outage charted (OutageRun): two message processors, 10 reads per second for 12 s, bank alpha answering
 * 500 from 2 to 6 s, a breaker that opens at 5 faults for 2 s. The chart must show what the hub guarantees: the
 * breaker opens within the outage, while it is open the reads are refused with 503 without calling the bank (only
 * probes reach it), and after the bank returns the breaker closes and reads are answered 200 by the bank again.
 */
class OutageRunTest {
    static final Path ROOT = LoadRunTest.ROOT;
    static final long ERRORS_FROM = 2000;
    static final long ERRORS_TO = 6000;
    static final long DURATION = 12_000;

    @TempDir
    Path work;

    @Test
    void aShortOutageIsChartedWithTheBreakerRefusingWithoutBankCallsAndTheRecovery() throws Exception {
        Path svg = work.resolve("chart").resolve("bank-outage.svg");
        OutageRun.Result r = OutageRun.run(OutageRun.Settings.parse(new String[] {"root=" + ROOT,
                "workDir=" + work.resolve("hub"), "out=" + svg, "duration=12", "hang=off", "errors=2-6",
                "openSeconds=2", "unattended=3"}), System.out);

        List<OutageRun.Answer> answers = r.answers();
        assertThat(answers).hasSizeGreaterThanOrEqualTo(120);
        // The breaker's KVM record: closed, opened during the outage, closed again before the end.
        List<OutageRun.StateChange> states = r.states();
        OutageRun.StateChange opened = states.stream().filter(c -> c.state().equals("open")).findFirst().orElseThrow(
                () -> new AssertionError("the breaker never opened: " + states));
        assertThat(opened.atMs()).as("opened within the outage").isBetween(ERRORS_FROM, ERRORS_TO);
        OutageRun.StateChange last = states.get(states.size() - 1);
        assertThat(last.state()).as("closed at the end: " + states).isEqualTo("closed");
        assertThat(last.atMs()).as("closed after the bank returned").isGreaterThan(ERRORS_TO);

        // Before it opened, the faults reached the bank (502 bank-error).
        assertThat(answers.stream().filter(a -> a.status() == 502 && a.answeredByBank()
                && a.sentMs() >= ERRORS_FROM && a.sentMs() < opened.atMs())).isNotEmpty();
        // While open: 503 bank-unavailable at once, none of them seen by the bank; only probes reached it.
        List<OutageRun.Answer> refused = answers.stream().filter(a -> a.status() == 503).toList();
        assertThat(refused).as("refused while open").hasSizeGreaterThanOrEqualTo(15);
        for (OutageRun.Answer a : refused) {
            assertThat(a.code()).isEqualTo("bank_unavailable");
            assertThat(a.answeredByBank()).as("a 503 without a bank call: " + a).isFalse();
            assertThat(a.category()).isEqualTo("open");
            assertThat(a.endedMs() - a.sentMs()).as("refused at once: " + a).isLessThan(1000);
            assertThat(a.sentMs()).as("refused during the outage or just after it").isBetween(opened.atMs() - 200,
                    last.atMs() + 5000);
        }
        long openedMs = opened.atMs();
        List<OutageRun.Answer> whileOpen = answers.stream()
                .filter(a -> a.sentMs() > openedMs + 200 && a.sentMs() < ERRORS_TO).toList();
        assertThat(whileOpen.stream().filter(OutageRun.Answer::answeredByBank).count())
                .as("bank calls while open: the probes only (at most one per node per open period)")
                .isLessThanOrEqualTo(2 * 2 * 2);
        // Recovery: the last second's reads are all answered 200 by the bank.
        List<OutageRun.Answer> end = answers.stream().filter(a -> a.sentMs() >= DURATION - 1000).toList();
        assertThat(end).isNotEmpty().allSatisfy(a -> {
            assertThat(a.status()).as("recovered: " + a).isEqualTo(200);
            assertThat(a.answeredByBank()).isTrue();
        });
        // The unattended budget (4 a day): each unattended read the bank saw spent one, a breaker refusal none.
        List<OutageRun.Answer> unattended = answers.stream().filter(OutageRun.Answer::unattended).toList();
        assertThat(unattended).hasSize(4);
        int spent = 0;
        for (OutageRun.Answer a : unattended) {
            spent += a.answeredByBank() ? 1 : 0;
            if (a.status() == 200) {
                assertThat(a.remaining()).as("RateLimit-Remaining of " + a).isEqualTo(Integer.toString(4 - spent));
            }
        }

        // The chart: well-formed SVG with the series, the line, the breaker band and the caption.
        assertThat(svg).exists();
        String text = Files.readString(svg, StandardCharsets.UTF_8);
        assertThat(text).isEqualTo(r.svg());
        Document d = SvgChartTest.parse(text);
        assertThat(SvgChartTest.children(SvgChartTest.byId(d, "series-open"), "rect")).isNotEmpty();
        assertThat(SvgChartTest.children(SvgChartTest.byId(d, "series-ok"), "rect")).isNotEmpty();
        assertThat(SvgChartTest.children(SvgChartTest.byId(d, "series-bank-error"), "rect")).isNotEmpty();
        assertThat(SvgChartTest.byId(d, "line")).isNotNull();
        Element band = SvgChartTest.byId(d, "band");
        assertThat(SvgChartTest.children(band, "rect").stream().filter(e -> e.getAttribute("fill").equals("#7e57c2")))
                .as("an open span in the breaker band").isNotEmpty();
        assertThat(SvgChartTest.children(SvgChartTest.byId(d, "lane"), "circle")).hasSize(4);
        assertThat(SvgChartTest.texts(SvgChartTest.byId(d, "legend")))
                .contains("503 bank-unavailable, breaker open: the bank not called (" + refused.size() + ")");
        assertThat(SvgChartTest.texts(SvgChartTest.byId(d, "windows"))).contains("bank answers 500 (2–6 s)");
        assertThat(SvgChartTest.texts(SvgChartTest.byId(d, "caption"))).contains("load average")
                .contains("psd2-hub-breaker");
    }
}
