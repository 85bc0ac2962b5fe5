package eu.securehub.psd2.load;

import static eu.securehub.psd2.localhub.BankPages.jsonString;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.localhub.RequestOutput;
import eu.securehub.psd2.runtime.policies.state.InMemoryKeyValueMaps;
import eu.securehub.psd2.sandbox.BerlinGroupContract;
import eu.securehub.psd2.sandbox.SandboxBank;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bank outage, charted ({@code target/bank-outage.svg}): a local hub with several message processors, steady CRM
 * traffic of account reads against bank alpha, the sandbox bank made to fail through its admin API for windows in
 * the middle (it hangs, or answers 500), then healthy again. Writes an SVG of what happened ({@link SvgChart}) and
 * returns every answer. Nothing is asserted here ({@code OutageRunTest} asserts a short run).
 *
 * <p>What is sampled, and from where:
 * <ul>
 *   <li><b>Reads</b>: {@code GET /accounts/{id}/balances} at {@code rate} per second, open loop (sent on schedule,
 *       whatever earlier ones are doing), with PSU-IP-Address (the customer present: no budget is spent); and an
 *       <b>unattended read</b> of the same account (no PSU-IP-Address) every {@code unattended} seconds, which spends
 *       the consent's unattended budget (4 per 24 h). Each answer is counted in the bucket of the time its request was
 *       sent, by status and the problem's {@code code}.</li>
 *   <li><b>Reached the bank</b>: the sandbox bank's own record: the /v1 exchanges it answered, matched to the reads by
 *       X-Request-ID (in the bucket the read was sent), and, while it hangs, the calls it holds (it records no exchange
 *       for those; its fault counter, sampled every 50 ms).</li>
 *   <li><b>Breaker state</b>: bank alpha's record in KVM {@code psd2-hub-breaker}, as the breaker wrote it, read from
 *       the local runtime's shared store (bypassing the nodes' 5 s read caches) every 50 ms.</li>
 * </ul>
 * Arguments {@code name=value}: nodes (2), rate (reads per second, 10), bucket (ms, 500), duration (s, 38),
 * hang (from-to seconds or off, 5-13), errors (from-to or off, 20-28), unattended (every n seconds, 0 none, 4),
 * openSeconds (3), threshold (5), slowCallMs (1000), out (the SVG; relative to root), root, workDir.
 */
final class OutageRun {
    static final String BANK = LoadRun.BANK;
    static final String BREAKER_MAP = "psd2-hub-breaker";
    static final long SAMPLE_MS = 50;

    /** How the bank fails in a phase. */
    enum Fault {
        HANG("bank hangs", "{\"clear\":true,\"hang\":true,\"hangLimitMs\":30000,\"pathPrefix\":\"/v1/accounts\"}"),
        ERRORS("bank answers 500", "{\"clear\":true,\"errorRate\":1.0,\"errorStatus\":500,\"pathPrefix\":\"/v1/accounts\"}");

        final String label;
        final String adminJson;

        Fault(String label, String adminJson) {
            this.label = label;
            this.adminJson = adminJson;
        }
    }

    /** The bank fails from {@code fromMs} to {@code toMs} (from the start of the traffic). */
    record Phase(Fault fault, long fromMs, long toMs) {
    }

    /** The run's parameters. */
    record Settings(Path root, Path workDir, Path out, int nodes, int rate, long bucketMs, long durationMs,
                    List<Phase> phases, long unattendedEveryMs, int openSeconds, int threshold, int slowCallMs) {

        Settings {
            phases = List.copyOf(phases);
            if (nodes < 1 || nodes > 8 || rate < 1 || rate > 200 || bucketMs < 100 || durationMs < 1000
                    || unattendedEveryMs < 0 || openSeconds < 1 || threshold < 1 || slowCallMs < 100) {
                throw new IllegalArgumentException("nodes 1..8, rate 1..200, bucket >= 100 ms, duration >= 1 s, "
                        + "openSeconds, threshold >= 1, slowCallMs >= 100");
            }
            long end = 0;
            for (Phase p : phases.stream().sorted((a, b) -> Long.compare(a.fromMs(), b.fromMs())).toList()) {
                if (p.fromMs() < end || p.toMs() <= p.fromMs() || p.toMs() > durationMs) {
                    throw new IllegalArgumentException("phases must lie within the duration, one after the other: "
                            + phases);
                }
                end = p.toMs();
            }
        }

        /** The bank profile's breaker member for this run. */
        String breakerJson() {
            return "{\"failureThreshold\":" + threshold + ",\"windowSeconds\":60,\"openSeconds\":" + openSeconds
                    + ",\"slowCallMs\":" + slowCallMs + ",\"halfOpenPermitted\":1,\"maxCallsInFlight\":50}";
        }

        static Settings parse(String[] args) {
            RunArgs m = RunArgs.parse(args, List.of("nodes", "rate", "bucket", "duration", "hang", "errors", "unattended",
                    "openSeconds", "threshold", "slowCallMs", "out", "root", "workDir"), "");
            Path root = m.root();
            List<Phase> phases = new ArrayList<>();
            phase(m.get("hang", "5-13"), Fault.HANG).ifPresent(phases::add);
            phase(m.get("errors", "20-28"), Fault.ERRORS).ifPresent(phases::add);
            String out = m.get("out", "tests/load/target/bank-outage.svg");
            Settings s = new Settings(root, m.path("workDir"),
                    root.resolve(out).normalize(),
                    Integer.parseInt(m.get("nodes", "2")),
                    Integer.parseInt(m.get("rate", "10")),
                    Long.parseLong(m.get("bucket", "500")),
                    Math.round(Double.parseDouble(m.get("duration", "38")) * 1000),
                    phases,
                    Math.round(Double.parseDouble(m.get("unattended", "4")) * 1000),
                    Integer.parseInt(m.get("openSeconds", "3")),
                    Integer.parseInt(m.get("threshold", "5")),
                    Integer.parseInt(m.get("slowCallMs", "1000")));
            return s;
        }

        private static java.util.Optional<Phase> phase(String spec, Fault fault) {
            if (spec.equals("off")) {
                return java.util.Optional.empty();
            }
            String[] ft = spec.split("-");
            if (ft.length != 2) {
                throw new IllegalArgumentException(fault.name().toLowerCase(Locale.ROOT)
                        + " is from-to in seconds (e.g. 5-13) or off, not " + spec);
            }
            return java.util.Optional.of(new Phase(fault, Math.round(Double.parseDouble(ft[0]) * 1000),
                    Math.round(Double.parseDouble(ft[1]) * 1000)));
        }
    }

    /** One read and its answer. {@code status} 0: no answer (the client gave up or the connection failed). */
    record Answer(long sentMs, long endedMs, boolean unattended, int status, String code, String remaining,
                  String requestId, boolean answeredByBank) {

        /** The chart's series of this answer. */
        String category() {
            return switch (status) {
                case 200 -> "ok";
                case 429 -> "budget_exhausted".equals(code) ? "budget" : "spike";
                case 502 -> "bank-error";
                case 503 -> "bank_unavailable".equals(code) && !answeredByBank ? "open" : "unavailable";
                case 504 -> "timeout";
                default -> "other";
            };
        }

        Answer withBank(boolean answered) {
            return new Answer(sentMs, endedMs, unattended, status, code, remaining, requestId, answered);
        }
    }

    /** The breaker's stored record changed (state closed, open or half-open; the record as stored). */
    record StateChange(long atMs, String state, String record) {
    }

    /** What the run saw. */
    record Result(Settings settings, List<Answer> answers, List<StateChange> states, int[] heldByBank, String svg,
                  Path chart, String started, String loadBefore, String loadAfter, String limits) {

        /** Answers per category, in the chart's order. */
        Map<String, Long> totals() {
            Map<String, Long> t = new LinkedHashMap<>();
            for (String[] s : SERIES) {
                t.put(s[0], answers.stream().filter(a -> a.category().equals(s[0])).count());
            }
            return t;
        }

        /** The breaker's state at a time (ms from the start): the last change at or before it, else closed. */
        String stateAt(long ms) {
            String state = "closed";
            for (StateChange c : states) {
                if (c.atMs() > ms) {
                    break;
                }
                state = c.state();
            }
            return state;
        }
    }

    /** The chart's series: key, legend label, colour (stacked bottom-up in this order). */
    static final String[][] SERIES = {
        {"ok", "200 OK", "#43a047"},
        {"bank-error", "502 bank-error: the bank failed the call", "#fb8c00"},
        {"timeout", "504 bank-timeout: no answer in the read timeout", "#b71c1c"},
        {"open", "503 bank-unavailable, breaker open: the bank not called", "#7e57c2"},
        {"unavailable", "503 other: bank_busy, token_refreshing, or after a bank call", "#90a4ae"},
        {"spike", "429 rate-limited (the bank's SpikeArrest)", "#fdd835"},
        {"budget", "429 budget-exhausted (unattended budget)", "#00838f"},
        {"other", "other, or no answer", "#424242"},
    };

    /** The breaker band's states: key, legend label, colour. */
    static final String[][] STATES = {
        {"closed", "closed", "#a5d6a7"},
        {"open", "open (refuses at once)", "#7e57c2"},
        {"half-open", "half-open (a probe is under way)", "#ffb300"},
    };

    private OutageRun() {
    }

    /**
     * The chart alone: {@code mvn -o -q -pl tests/load exec:java -Dexec.args="outage"} (LoadRun's main hands
     * {@code outage …} here); e.g. {@code -Dexec.args="outage out=tests/load/bank-outage.svg"} for the committed one.
     */
    static void main(String[] args) throws Exception {
        Result r = run(Settings.parse(args), System.out);
        System.out.println("chart written to " + r.chart());
    }

    static Result run(Settings s, PrintStream out) throws Exception {
        Path work = s.workDir() != null ? s.workDir() : Files.createTempDirectory("psd2-outage-");
        LocalHub.Options options = LocalHub.Options.freePorts(s.root(), work).consumerKey(LoadRun.KEY).traces(0)
                .nodes(s.nodes()).bankProfile(BANK, "breaker", s.breakerJson());
        try (LocalHub hub = LocalHub.start(options)) {
            Result r = measure(hub, s, out);
            Files.createDirectories(s.out().toAbsolutePath().getParent());
            Files.writeString(s.out(), r.svg(), StandardCharsets.UTF_8);
            return r;
        } finally {
            if (s.workDir() == null) {
                LoadRun.deleteTree(work);
            }
        }
    }

    private static Result measure(LocalHub hub, Settings s, PrintStream out) throws Exception {
        SandboxBank bank = hub.bank(BANK);
        InMemoryKeyValueMaps kvm = hub.environment().kvmStore();
        LoadRun.Crm crm = new LoadRun.Crm(hub);
        // The journey on one node (a new cache entry is seen only by its writer for a second), the reads on all.
        crm.node = "0";
        String token = crm.token(BANK);
        String account = jsonString(crm.read(token, "/accounts", 200).body(), "resourceId");
        crm.node = null;
        URI balances = URI.create(hub.baseUrl() + "/accounts/" + account + "/balances");
        for (int i = 0; i < 3 * s.nodes(); i++) {
            crm.read(token, "/accounts/" + account + "/balances", 200); // every node warm: no cold call counts as slow
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        String profile = kvm.storedValue("psd2-hub-banks", BANK).orElse("");
        String limits = "the bank's SpikeArrest " + member(profile, "spikeArrestRate") + " (as configured), read timeout "
                + member(profile, "readTimeoutMs") + " ms";
        String started = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC)
                .format(Instant.now());
        String loadBefore = loadAverage();
        out.printf(Locale.ROOT, "bank outage run: %d nodes, %d reads/s, unattended every %s s, %s, breaker %s; "
                        + "load average %s%n", s.nodes(), s.rate(), SvgChart.f(s.unattendedEveryMs() / 1000.0),
                phasesText(s), s.breakerJson(), loadBefore);

        List<CompletableFuture<Answer>> futures = Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(3, r -> {
            Thread t = new Thread(r, "outage-run");
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        try {
            Sampler sampler = new Sampler(kvm, bank, t0, s.durationMs(), s.bucketMs());
            ScheduledFuture<?> sampling = timer.scheduleAtFixedRate(sampler, t0 - System.nanoTime(),
                    TimeUnit.MILLISECONDS.toNanos(SAMPLE_MS), TimeUnit.NANOSECONDS);

            List<ScheduledFuture<?>> faults = new ArrayList<>();
            for (Phase p : s.phases()) {
                faults.add(at(timer, t0, p.fromMs(), () -> admin(http, bank, "POST", p.fault().adminJson)));
                // healthy again; calls the bank holds stay held (until the hub's read timeout), as on a real bank
                faults.add(at(timer, t0, p.toMs(), () -> admin(http, bank, "POST", "{\"clear\":true}")));
            }
            long reads = s.durationMs() * s.rate() / 1000;
            for (long k = 0; k < reads; k++) {
                at(timer, t0, k * 1000 / s.rate(), () -> futures.add(send(http, balances, token, false, t0)));
            }
            if (s.unattendedEveryMs() > 0) {
                for (long ms = s.unattendedEveryMs() / 2; ms < s.durationMs(); ms += s.unattendedEveryMs()) {
                    at(timer, t0, ms, () -> futures.add(send(http, balances, token, true, t0)));
                }
            }
            Thread.sleep(Math.max(0, (t0 - System.nanoTime()) / 1_000_000 + s.durationMs() + 100));
            List<Answer> answers = new ArrayList<>();
            List<CompletableFuture<Answer>> all;
            synchronized (futures) {
                all = new ArrayList<>(futures);
            }
            for (CompletableFuture<Answer> f : all) {
                try {
                    answers.add(f.get(90, TimeUnit.SECONDS));
                } catch (TimeoutException e) {
                    throw new IllegalStateException("a read had no answer after 90 s", e);
                }
            }
            sampling.cancel(false);
            if (sampling.isDone() && !sampling.isCancelled()) {
                sampling.get(); // the sampler failed: its exception
            }
            for (ScheduledFuture<?> f : faults) {
                f.get(); // a fault the admin API refused fails the run
            }
            answers.sort((a, b) -> Long.compare(a.sentMs(), b.sentMs()));

            Set<String> atBank = new HashSet<>();
            for (BerlinGroupContract.Exchange e : bank.exchanges()) {
                String id = e.requestHeader(RequestOutput.HEADER);
                if (id != null) {
                    atBank.add(id);
                }
            }
            answers.replaceAll(a -> a.withBank(atBank.contains(a.requestId())));
            String loadAfter = loadAverage();
            List<StateChange> changes = sampler.changes();
            int[] held = sampler.held();
            Result partial = new Result(s, List.copyOf(answers), changes, held, null, s.out(), started, loadBefore,
                    loadAfter, limits);
            String svg = chart(partial, hub.nodes()).render();
            Result r = new Result(s, partial.answers(), changes, held, svg, s.out(), started, loadBefore, loadAfter,
                    limits);
            print(r, out);
            return r;
        } finally {
            timer.shutdownNow();
            admin(http, bank, "DELETE", null);
        }
    }

    /**
     * Every {@link #SAMPLE_MS}: the breaker's record as stored (a change of state is kept with its time) and, while the
     * bank hangs, how many calls it took in since the last sample (its fault counter: it records no exchange for a call
     * it holds).
     */
    private static final class Sampler implements Runnable {
        private final InMemoryKeyValueMaps kvm;
        private final SandboxBank bank;
        private final long t0;
        private final long durationMs;
        private final long bucketMs;
        private final List<StateChange> changes = new ArrayList<>();
        private final int[] held;
        private long lastInjected;
        private String lastState = "";

        Sampler(InMemoryKeyValueMaps kvm, SandboxBank bank, long t0, long durationMs, long bucketMs) {
            this.kvm = kvm;
            this.bank = bank;
            this.t0 = t0;
            this.durationMs = durationMs;
            this.bucketMs = bucketMs;
            this.held = new int[(int) ((durationMs + bucketMs - 1) / bucketMs)];
            this.lastInjected = bank.faults().injected();
        }

        @Override
        public synchronized void run() {
            long at = Math.max(0, (System.nanoTime() - t0) / 1_000_000);
            String record = kvm.storedValue(BREAKER_MAP, BANK).orElse("");
            String state = stateOf(record);
            if (!state.equals(lastState)) {
                changes.add(new StateChange(at, state, record));
                lastState = state;
            }
            long injected = bank.faults().injected();
            if (bank.faults().settings().hang() && at < durationMs) {
                held[(int) (at / bucketMs)] += (int) (injected - lastInjected);
            }
            lastInjected = injected;
        }

        synchronized List<StateChange> changes() {
            return List.copyOf(changes);
        }

        synchronized int[] held() {
            return held.clone();
        }
    }

    private static ScheduledFuture<?> at(ScheduledExecutorService timer, long t0, long ms, Runnable r) {
        return timer.schedule(r, t0 + TimeUnit.MILLISECONDS.toNanos(ms) - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /** A balances read, sent now: with PSU-IP-Address unless {@code unattended}. */
    private static CompletableFuture<Answer> send(HttpClient http, URI uri, String token, boolean unattended, long t0) {
        String id = RequestOutput.newId();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("x-api-key", LoadRun.KEY)
                .header("Authorization", "Bearer " + token).header(RequestOutput.HEADER, id)
                .timeout(Duration.ofSeconds(60)).GET();
        if (!unattended) {
            b.header("PSU-IP-Address", LoadRun.PSU_IP);
        }
        long sent = (System.nanoTime() - t0) / 1_000_000;
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
            long ended = (System.nanoTime() - t0) / 1_000_000;
            if (e != null) {
                return new Answer(sent, ended, unattended, 0, e.getClass().getSimpleName(), null, id, false);
            }
            String code = r.statusCode() == 200 ? "" : codeOf(r.body());
            return new Answer(sent, ended, unattended, r.statusCode(), code,
                    r.headers().firstValue("RateLimit-Remaining").orElse(null), id, false);
        });
    }

    private static String codeOf(String body) {
        try {
            return jsonString(body, "code");
        } catch (IllegalStateException e) {
            return "";
        }
    }

    /** The sandbox bank's admin API (its own HTTP port): POST or DELETE /admin/faults. */
    private static void admin(HttpClient http, SandboxBank bank, String method, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(bank.adminUrl() + "/admin/faults"))
                .timeout(Duration.ofSeconds(10));
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " /admin/faults answered " + r.statusCode() + ": " + r.body());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The state a breaker record says (v1;s=C|O|H;…, see Java-CircuitBreaker); no record yet: closed. */
    static String stateOf(String record) {
        for (String part : record.split(";")) {
            switch (part) {
                case "s=O" -> {
                    return "open";
                }
                case "s=H" -> {
                    return "half-open";
                }
                case "s=C" -> {
                    return "closed";
                }
                default -> {
                }
            }
        }
        return "closed";
    }

    /** The chart of a run. */
    static SvgChart chart(Result r, int nodes) {
        Settings s = r.settings();
        SvgChart c = new SvgChart("A bank outage through the hub: answers per second, the calls that reached the bank, "
                + "and the breaker", s.durationMs(), s.bucketMs())
                .subtitle(r.started() + ": local hub of " + nodes + " message processors, sandbox bank " + BANK + "; "
                        + s.rate() + " customer-present balances reads per second" + (s.unattendedEveryMs() > 0
                        ? " + one unattended read every " + SvgChart.f(s.unattendedEveryMs() / 1000.0) + " s" : ""))
                .axes("seconds since the traffic started (each read counted when it was sent, in "
                        + SvgChart.f(s.bucketMs() / 1000.0) + " s buckets)", "reads per second");
        for (String[] series : SERIES) {
            c.series(series[0], series[1], series[2]);
        }
        int[] reached = r.heldByBank().clone();
        for (Answer a : r.answers()) {
            c.count(a.category(), a.sentMs());
            int b = c.bucketOf(a.sentMs());
            if (a.answeredByBank() && b >= 0) {
                reached[b]++;
            }
        }
        c.line("reached the bank (the sandbox bank's own record)", "#000000", reached);
        for (Phase p : s.phases()) {
            c.window(p.fromMs(), p.toMs(), p.fault().label + " (" + SvgChart.f(p.fromMs() / 1000.0) + "–"
                    + SvgChart.f(p.toMs() / 1000.0) + " s)");
        }
        c.band("breaker");
        for (String[] st : STATES) {
            c.state(st[0], st[1], st[2]);
        }
        List<StateChange> changes = r.states();
        for (int i = 0; i < changes.size(); i++) {
            long to = i + 1 < changes.size() ? changes.get(i + 1).atMs() : s.durationMs();
            c.span(changes.get(i).atMs(), to, changes.get(i).state());
        }
        if (s.unattendedEveryMs() > 0) {
            c.lane("unattended", "an unattended read, coloured by its answer; the number: RateLimit-Remaining, the "
                    + "budget left");
            for (Answer a : r.answers()) {
                if (a.unattended()) {
                    c.marker(a.sentMs(), a.category(), a.remaining() == null ? "" : a.remaining());
                }
            }
        }
        Map<String, Long> t = r.totals();
        c.caption("Run " + r.started() + " on " + Runtime.getRuntime().availableProcessors() + " cores shared by the load "
                + "generator, the hub's " + nodes + " message processors, the banks and the KMS; load average (1, 5, 15 "
                + "min) " + r.loadBefore() + " before the traffic, " + r.loadAfter() + " after. " + r.answers().size()
                + " reads: " + t.get("ok") + " × 200, " + t.get("bank-error") + " × 502, " + t.get("timeout") + " × 504, "
                + t.get("open") + " × 503 breaker open, " + t.get("unavailable") + " × 503 other, "
                + (t.get("spike") + t.get("budget")) + " × 429, " + t.get("other") + " other.");
        c.caption("Faults set through the sandbox bank's admin API (POST /admin/faults on /v1/accounts): "
                + phasesText(s) + "; " + r.limits() + ". Breaker "
                + "(bank profile): " + s.threshold() + " faults in 60 s open it for " + s.openSeconds() + " s, a call "
                + "is slow from " + s.slowCallMs() + " ms, one half-open probe.");
        c.caption("Sources: answers are the hub's status and problem code as the CRM received them. Reached the bank: "
                + "the sandbox bank's record of the /v1 calls it answered, matched by X-Request-ID, plus the calls it "
                + "held while hanging (its fault counter, sampled every 50 ms). Breaker state: bank " + BANK + "'s record "
                + "in KVM psd2-hub-breaker as the breaker wrote it, read from the local runtime's shared store every 50 "
                + "ms (each node reads it through its own 5 s cache, so a node may act on the previous state for up "
                + "to 5 s). \"open\" lasts until the first request after its end takes the half-open probe.");
        return c;
    }

    static String phasesText(Settings s) {
        if (s.phases().isEmpty()) {
            return "no fault";
        }
        List<String> parts = new ArrayList<>();
        for (Phase p : s.phases()) {
            parts.add(p.fault().label + " from " + SvgChart.f(p.fromMs() / 1000.0) + " to "
                    + SvgChart.f(p.toMs() / 1000.0) + " s");
        }
        return String.join(", ", parts);
    }

    private static void print(Result r, PrintStream out) {
        Map<String, Long> t = r.totals();
        out.printf(Locale.ROOT, "bank outage: %d reads; %s; load average after %s%n", r.answers().size(), t,
                r.loadAfter());
        StringBuilder b = new StringBuilder("  breaker (KVM record):");
        for (StateChange c : r.states()) {
            b.append(String.format(Locale.ROOT, " %.2fs %s", c.atMs() / 1000.0, c.state()));
        }
        out.println(b);
        Map<String, Long> codes = new TreeMap<>();
        for (Answer a : r.answers()) {
            codes.merge(a.status() + (a.code() == null || a.code().isEmpty() ? "" : " " + a.code()), 1L, Long::sum);
        }
        out.println("  answers by status and code: " + codes);
    }

    /** A top-level member of the bank profile's JSON, as written (quotes dropped), or "?" when absent. */
    static String member(String json, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + java.util.regex.Pattern.quote(name)
                + "\"\\s*:\\s*\"?([^\",}]*)").matcher(json);
        return m.find() ? m.group(1).trim() : "?";
    }

    /** {@code /proc/loadavg}'s three load averages, else the JVM's one-minute figure. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (Exception e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
