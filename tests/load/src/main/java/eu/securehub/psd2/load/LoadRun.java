package eu.securehub.psd2.load;

import static eu.securehub.psd2.localhub.BankPages.enc;
import static eu.securehub.psd2.localhub.BankPages.expect;
import static eu.securehub.psd2.localhub.BankPages.form;
import static eu.securehub.psd2.localhub.BankPages.jsonString;
import static eu.securehub.psd2.localhub.BankPages.query;

import eu.securehub.psd2.localhub.BankPages;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.localkms.LocalKms;
import eu.securehub.psd2.sandbox.SandboxBank;
import eu.securehub.psd2.testpki.TestPki;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The load run of issue 5: starts a {@link LocalHub} on free ports and PRINTS (never asserts) five figures.
 * <ol>
 *   <li>KMS calls per 10 000 hub requests with a warm DEK cache: one journey (consent, login, approval, hub
 *       token) and a JIT warm-up, then {@code requests} reads of {@code GET /accounts/{id}/balances} with
 *       PSU-IP-Address (the customer present, so the unattended budget does not refuse them), the local KMS's
 *       encrypt/decrypt counters read before and after.</li>
 *   <li>The hub's latency overhead per request: {@code latency} pairs, one after the other on one client each,
 *       of the hub's {@code GET /psd2/v1/accounts/{id}/balances} (plain HTTP, API key, hub token) and bank alpha's
 *       {@code GET /v1/accounts/{id}/balances} called directly (mTLS with the hub's QWAC from the PKI dir,
 *       the bank access token and Consent-ID of a consent this run authorises at the bank itself, as a TPP
 *       would: POST /v1/consents, PAR, login, approval, token with PKCE). Median and p99 of each side and of
 *       the per-pair difference; everything on loopback, both clients keep their connection alive.</li>
 *   <li>Requests per second through the hub: {@code concurrency} clients reading balances for
 *       {@code duration} seconds, load generator, hub, bank and KMS all on this machine.</li>
 *   <li>The overhead of a payment status read: after the journey the CRM creates a payment at the same bank
 *       ({@code POST /banks/alpha/payments/sepa-credit-transfers} with an Idempotency-Key; it is never authorised,
 *       so it stays {@code RCVD}); {@code latency} pairs of the hub's {@code GET /psd2/v1/payments/{paymentId}/status}
 *       (API key only, no PSU-IP-Address: a CRM's background poll) and the bank's own
 *       {@code GET /v1/payments/sepa-credit-transfers/{its paymentId}/status} called directly with the QWAC (the
 *       same payment: the hub's QWAC is the TPP that created it), as figure 2.</li>
 *   <li>Payment status reads per second through the hub: {@code concurrency} clients reading that status for
 *       {@code duration} seconds. Status reads spend no unattended budget (there is none for them: thousands of
 *       reads without PSU-IP-Address would be refused with 429 budget-exhausted after the fourth otherwise) but
 *       pass the bank's SpikeArrest, lifted for the run as below.</li>
 *   <li>What each CRM operation costs on Apigee, cold and warm node, counted from the Debug traces of a second
 *       local hub ({@link CostRun}); figures 1 to 5 run with tracing off.</li>
 *   <li>A bank outage, charted: a third local hub (two message processors) under steady reads while bank alpha hangs
 *       and then answers 500, written as an SVG ({@link OutageRun}, {@link SvgChart}; {@code chart=}, default
 *       {@code tests/load/target/bank-outage.svg}; {@code outage=off} skips it).</li>
 * </ol>
 * The bank profile's spike arrest (alpha: 20ps in kvms/local) would refuse most of a load run with 429, so by
 * default it is lifted to {@code spikeArrest=100000ps} for the run; {@code spikeArrest=config} keeps the
 * configured rate (then the sequential reads of figures 1 and 2 are refused with 429 and the run stops with a
 * message saying so). Arguments are {@code name=value} (a leading {@code --} is allowed): requests, latency, warmup,
 * concurrency, duration (seconds), spikeArrest, root, workDir, outage (on, off), chart (a path, relative to root).
 */
public final class LoadRun {
    /** The sandbox customer whose accounts the run reads and from whose first account the run's payment is. */
    private static final String USERNAME = "anna";
    private static final String PASSWORD = "anna-sandbox-1";


    static final String KEY = "load-run-crm-key-0123456789abcdef";
    static final String PSU_IP = "203.0.113.7";
    static final String BANK = "alpha";
    static final String TPP_REDIRECT = "https://tpp.securehub.test/callback";
    /** The run's payment: a SEPA credit transfer (never authorised) to a valid creditor IBAN. */
    static final String PAYMENT_PRODUCT = "sepa-credit-transfers";
    static final String CREDITOR_IBAN = "DE02120300000000202051";

    /** The run's parameters; {@code outage} false skips the bank outage chart, written to {@code chart}. */
    public record Settings(int requests, int latencyPairs, int warmup, int concurrency, Duration duration,
                           String spikeArrest, Path root, Path workDir, boolean outage, Path chart) {

        static Settings parse(String[] args) {
            RunArgs m = RunArgs.parse(args, List.of("requests", "latency", "warmup", "concurrency", "duration",
                    "spikeArrest", "root", "workDir", "outage", "chart"), "; or a first argument outage or cost for that"
                    + " part alone");
            Path root = m.root();
            Settings s = new Settings(
                    Integer.parseInt(m.get("requests", "10000")),
                    Integer.parseInt(m.get("latency", "2000")),
                    Integer.parseInt(m.get("warmup", "1000")),
                    Integer.parseInt(m.get("concurrency", "4")),
                    Duration.ofSeconds(Long.parseLong(m.get("duration", "30"))),
                    m.get("spikeArrest", "100000ps"),
                    root,
                    m.path("workDir"),
                    onOff(m.get("outage", "on")),
                    root.resolve(m.get("chart", "tests/load/target/bank-outage.svg")).normalize());
            if (s.requests < 1 || s.latencyPairs < 1 || s.warmup < 0 || s.concurrency < 1 || s.duration.isNegative()
                    || s.duration.isZero()) {
                throw new IllegalArgumentException("requests, latency, concurrency and duration must be positive");
            }
            return s;
        }

        private static boolean onOff(String v) {
            return switch (v) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new IllegalArgumentException("outage is on or off, not " + v);
            };
        }
    }

    /** What the run measured (also printed). */
    public record Figures(long kmsCalls, int kmsRequests, double kmsCallsPer10k,
                          Stats hub, Stats bank, Stats overhead,
                          long throughputOk, long throughputFailed, double requestsPerSecond, Stats underLoad,
                          Stats statusHub, Stats statusBank, Stats statusOverhead,
                          long statusOk, long statusFailed, double statusReadsPerSecond, Stats statusUnderLoad) {
    }

    /** What one throughput phase measured. */
    record Throughput(long ok, long failed, Map<Integer, Long> statuses, double elapsedSeconds, double perSecond,
                      Stats latency, long kmsCalls) {
    }

    /** Latency statistics in milliseconds. */
    public record Stats(int n, double median, double p99, double mean) {
        static Stats ofNanos(long[] nanos) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            double mean = Arrays.stream(s).average().orElse(0) / 1e6;
            return new Stats(s.length, percentile(s, 0.50) / 1e6, percentile(s, 0.99) / 1e6, mean);
        }

        static long percentile(long[] sorted, double q) {
            if (sorted.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "median %.3f ms, p99 %.3f ms (mean %.3f ms, n=%d)", median, p99, mean, n);
        }
    }

    /**
     * The whole load run; a first argument {@code outage} runs only the bank outage chart ({@link OutageRun}, its own
     * arguments after it), {@code cost} only figure 6 ({@link CostRun}): the pom's exec configuration names this class,
     * so {@code -Dexec.args} is how to choose.
     */
    public static void main(String[] args) throws Exception {
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        if (args.length > 0 && args[0].equals("outage")) {
            OutageRun.main(rest);
        } else if (args.length > 0 && args[0].equals("cost")) {
            CostRun.main(rest);
        } else {
            run(Settings.parse(args), System.out);
        }
        System.exit(0);
    }

    public static Figures run(Settings s, PrintStream out) throws Exception {
        Path work = s.workDir != null ? s.workDir : Files.createTempDirectory("psd2-load-");
        // Figures 1 to 5 without the Debug trace (it records every variable access); figure 6 is made from traces.
        LocalHub.Options options = LocalHub.Options.freePorts(s.root, work).consumerKey(KEY).traces(0);
        if (!"config".equals(s.spikeArrest)) {
            options = options.bankProfile(BANK, "spikeArrestRate", "\"" + s.spikeArrest + "\"");
        }
        out.printf(Locale.ROOT, "load run: requests=%d latency=%d warmup=%d concurrency=%d duration=%ds "
                        + "spikeArrest(%s)=%s cores=%d root=%s%n", s.requests, s.latencyPairs, s.warmup,
                s.concurrency, s.duration.toSeconds(), BANK, s.spikeArrest, Runtime.getRuntime().availableProcessors(),
                s.root);
        out.printf(Locale.ROOT, "system load average at start: %.2f%n", loadAverage());
        try {
            Figures f;
            try (LocalHub hub = LocalHub.start(options)) {
                f = measure(hub, s, out);
            }
            CostRun.run(s.root, work, s.spikeArrest, out);
            if (s.outage) {
                OutageRun.Settings o = OutageRun.Settings.parse(new String[] {"root=" + s.root,
                        "workDir=" + work.resolve("outage"), "out=" + s.chart});
                OutageRun.Result r = OutageRun.run(o, out);
                out.printf(Locale.ROOT, "FIGURE 7  a bank outage, charted: %s (%s; %d reads, %s)%n", r.chart(),
                        OutageRun.phasesText(o), r.answers().size(), r.totals());
            }
            out.printf(Locale.ROOT, "system load average at end: %.2f (other processes on this machine skew every "
                    + "figure; compare runs on a quiet machine)%n", loadAverage());
            return f;
        } finally {
            if (s.workDir == null) {
                deleteTree(work);
            }
        }
    }

    private static Figures measure(LocalHub hub, Settings s, PrintStream out) throws Exception {
        LocalKms kms = hub.kms();
        SandboxBank bank = hub.bank(BANK);
        Crm crm = new Crm(hub);

        // ---------------------------------------------------------------- the warm-up journey (through the hub)
        long kmsAtStart = kmsCalls(kms);
        String token = crm.token(BANK);
        String hubAccount = jsonString(crm.read(token, "/accounts", 200).body(), "resourceId");
        String hubPath = "/accounts/" + hubAccount + "/balances";
        long kmsAfterJourney = kmsCalls(kms);
        out.printf(Locale.ROOT, "warm-up: one journey (consent, login, approval, hub token, /accounts): %d KMS calls;"
                + " since start (keyring load included): encrypt %d, decrypt %d, total %d%n", kmsAfterJourney - kmsAtStart,
                kms.encryptCalls(), kms.decryptCalls(), kmsAfterJourney);

        // ---------------------------------------------------------------- the payment whose status the run reads
        List<String> bankPaymentsBefore = bank.paymentIds();
        String paymentId = crm.createPayment(BANK);
        List<String> bankPaymentsAfter = new ArrayList<>(bank.paymentIds());
        bankPaymentsAfter.removeAll(bankPaymentsBefore);
        if (bankPaymentsAfter.size() != 1) {
            throw new IllegalStateException("expected one new payment at bank " + BANK + ", found " + bankPaymentsAfter);
        }
        String bankPaymentId = bankPaymentsAfter.get(0);
        String statusPath = "/payments/" + paymentId + "/status";
        String bankStatusPath = "/v1/payments/" + PAYMENT_PRODUCT + "/" + bankPaymentId + "/status";
        String first = jsonString(crm.status(statusPath, 200).body(), "transactionStatus");
        out.printf(Locale.ROOT, "payment: one %s at bank %s through the hub (Idempotency-Key, never authorised), "
                + "status %s; its status is read without PSU-IP-Address%n", PAYMENT_PRODUCT, BANK, first);

        // ---------------------------------------------------------------- the bank, directly, as a TPP
        Tpp tpp = new Tpp(hub, bank);
        Tpp.Session direct = tpp.authorise();
        String bankPath = "/v1/accounts/" + direct.accountId() + "/balances";

        for (int i = 0; i < s.warmup; i++) {
            crm.read(token, hubPath, 200);
            tpp.read(direct, bankPath);
            crm.status(statusPath, 200);
            tpp.status(bankStatusPath);
        }
        out.printf(Locale.ROOT, "warm-up: %d reads each of balances (hub, direct) and of the payment's status (hub "
                + "without PSU-IP-Address, direct): every status read 200, none refused for a budget%n", s.warmup);

        // ---------------------------------------------------------------- figure 1: KMS calls per 10 000
        long enc0 = kms.encryptCalls();
        long dec0 = kms.decryptCalls();
        for (int i = 0; i < s.requests; i++) {
            crm.read(token, hubPath, 200);
        }
        long enc = kms.encryptCalls() - enc0;
        long dec = kms.decryptCalls() - dec0;
        long kmsCalls = enc + dec;
        double per10k = kmsCalls * 10_000.0 / s.requests;
        out.printf(Locale.ROOT, "FIGURE 1  KMS calls per 10 000 hub requests (warm DEK cache): %.2f  "
                        + "(%d calls: encrypt %d, decrypt %d, over %d reads of GET %s with PSU-IP-Address; goal <= 1)%n",
                per10k, kmsCalls, enc, dec, s.requests, "/psd2/v1/accounts/{id}/balances");

        // ---------------------------------------------------------------- figure 2: latency overhead
        long[] hubNs = new long[s.latencyPairs];
        long[] bankNs = new long[s.latencyPairs];
        long[] diffNs = new long[s.latencyPairs];
        for (int i = 0; i < s.latencyPairs; i++) {
            // alternate which side goes first so neither always follows the other
            if ((i & 1) == 0) {
                hubNs[i] = timed(() -> crm.read(token, hubPath, 200));
                bankNs[i] = timed(() -> tpp.read(direct, bankPath));
            } else {
                bankNs[i] = timed(() -> tpp.read(direct, bankPath));
                hubNs[i] = timed(() -> crm.read(token, hubPath, 200));
            }
            diffNs[i] = hubNs[i] - bankNs[i];
        }
        Stats hubStats = Stats.ofNanos(hubNs);
        Stats bankStats = Stats.ofNanos(bankNs);
        Stats overhead = Stats.ofNanos(diffNs);
        out.printf(Locale.ROOT, "FIGURE 2  hub latency overhead per request (hub minus direct, paired, loopback): "
                + "%s%n", overhead);
        out.printf(Locale.ROOT, "          hub    GET /psd2/v1/accounts/{id}/balances (HTTP, API key, hub token): %s%n",
                hubStats);
        out.printf(Locale.ROOT, "          direct GET /v1/accounts/{id}/balances at bank %s (mTLS QWAC, bank token, "
                + "Consent-ID): %s%n", BANK, bankStats);
        out.printf(Locale.ROOT, "          difference of medians %.3f ms, of p99s %.3f ms%n",
                hubStats.median() - bankStats.median(), hubStats.p99() - bankStats.p99());

        // ---------------------------------------------------------------- figure 3: throughput
        Throughput balances = throughput(hub, s, c -> () -> c.read(token, hubPath, -1).statusCode());
        out.printf(Locale.ROOT, "FIGURE 3  requests per second through the hub: %.1f req/s  (%d clients, %.1f s, "
                        + "%d ok, %d not 200%s; %d cores shared by load generator, hub, bank and KMS)%n",
                balances.perSecond(), s.concurrency, balances.elapsedSeconds(), balances.ok(), balances.failed(),
                balances.failed() == 0 ? "" : " " + balances.statuses(), Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "          latency under that load: %s; KMS calls during it: %d%n", balances.latency(),
                balances.kmsCalls());

        // ---------------------------------------------------------------- figure 4: payment status overhead
        long[] statusHubNs = new long[s.latencyPairs];
        long[] statusBankNs = new long[s.latencyPairs];
        long[] statusDiffNs = new long[s.latencyPairs];
        for (int i = 0; i < s.latencyPairs; i++) {
            if ((i & 1) == 0) {
                statusHubNs[i] = timed(() -> crm.status(statusPath, 200));
                statusBankNs[i] = timed(() -> tpp.status(bankStatusPath));
            } else {
                statusBankNs[i] = timed(() -> tpp.status(bankStatusPath));
                statusHubNs[i] = timed(() -> crm.status(statusPath, 200));
            }
            statusDiffNs[i] = statusHubNs[i] - statusBankNs[i];
        }
        Stats statusHub = Stats.ofNanos(statusHubNs);
        Stats statusBank = Stats.ofNanos(statusBankNs);
        Stats statusOverhead = Stats.ofNanos(statusDiffNs);
        out.printf(Locale.ROOT, "FIGURE 4  hub latency overhead per payment status read (hub minus direct, paired, "
                + "loopback): %s%n", statusOverhead);
        out.printf(Locale.ROOT, "          hub    GET /psd2/v1/payments/{paymentId}/status (HTTP, API key, no "
                + "PSU-IP-Address): %s%n", statusHub);
        out.printf(Locale.ROOT, "          direct GET /v1/payments/%s/{paymentId}/status at bank %s (mTLS QWAC): %s%n",
                PAYMENT_PRODUCT, BANK, statusBank);
        out.printf(Locale.ROOT, "          difference of medians %.3f ms, of p99s %.3f ms%n",
                statusHub.median() - statusBank.median(), statusHub.p99() - statusBank.p99());

        // ---------------------------------------------------------------- figure 5: payment status throughput
        Throughput status = throughput(hub, s, c -> () -> c.status(statusPath, -1).statusCode());
        out.printf(Locale.ROOT, "FIGURE 5  payment status reads per second through the hub: %.1f req/s  (%d clients, "
                        + "%.1f s, %d ok, %d not 200%s; without PSU-IP-Address: no unattended budget; bank %s's "
                        + "SpikeArrest %s)%n", status.perSecond(), s.concurrency, status.elapsedSeconds(), status.ok(),
                status.failed(), status.failed() == 0 ? "" : " " + status.statuses(), BANK,
                "config".equals(s.spikeArrest) ? "as configured" : "lifted to " + s.spikeArrest);
        out.printf(Locale.ROOT, "          latency under that load: %s; KMS calls during it: %d%n", status.latency(),
                status.kmsCalls());
        return new Figures(kmsCalls, s.requests, per10k, hubStats, bankStats, overhead, balances.ok(),
                balances.failed(), balances.perSecond(), balances.latency(), statusHub, statusBank, statusOverhead,
                status.ok(), status.failed(), status.perSecond(), status.latency());
    }

    /**
     * {@code concurrency} clients, each with its own {@link Crm} (its own HTTP client and connection), sending the
     * request {@code requests} makes of it until {@code duration} is over; 200 is ok.
     */
    private static Throughput throughput(LocalHub hub, Settings s, java.util.function.Function<Crm, Request> requests)
            throws Exception {
        LocalKms kms = hub.kms();
        long kmsBeforeLoad = kmsCalls(kms);
        ExecutorService pool = Executors.newFixedThreadPool(s.concurrency);
        List<Future<Worker>> futures = new ArrayList<>();
        long start = System.nanoTime();
        long deadline = start + s.duration.toNanos();
        try {
            for (int c = 0; c < s.concurrency; c++) {
                futures.add(pool.submit(() -> new Worker(requests.apply(new Crm(hub))).runUntil(deadline)));
            }
            List<Worker> workers = new ArrayList<>();
            for (Future<Worker> f : futures) {
                workers.add(f.get());
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long ok = 0;
            long failed = 0;
            Map<Integer, Long> statuses = new TreeMap<>();
            List<long[]> lat = new ArrayList<>();
            for (Worker w : workers) {
                ok += w.ok;
                failed += w.failed;
                w.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
                lat.add(w.latencies());
            }
            long[] all = lat.stream().flatMapToLong(Arrays::stream).toArray();
            return new Throughput(ok, failed, statuses, elapsed, ok / elapsed, Stats.ofNanos(all),
                    kmsCalls(kms) - kmsBeforeLoad);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One request of a load client: its HTTP status. */
    private interface Request {
        int send() throws Exception;
    }

    /** One load client: sends its request until the deadline, counting statuses and recording latencies. */
    private static final class Worker {
        final Request request;
        long ok;
        long failed;
        final Map<Integer, Long> statuses = new TreeMap<>();
        long[] lat = new long[1 << 14];
        int n;

        Worker(Request request) {
            this.request = request;
        }

        Worker runUntil(long deadline) throws Exception {
            while (System.nanoTime() < deadline) {
                long t0 = System.nanoTime();
                int status = request.send();
                long t = System.nanoTime() - t0;
                if (status == 200) {
                    ok++;
                    if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = t;
                } else {
                    failed++;
                }
                statuses.merge(status, 1L, Long::sum);
            }
            return this;
        }

        long[] latencies() {
            return Arrays.copyOf(lat, n);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static long timed(Call c) throws Exception {
        long t0 = System.nanoTime();
        c.run();
        return System.nanoTime() - t0;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long kmsCalls(LocalKms kms) {
        return kms.encryptCalls() + kms.decryptCalls();
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            // a temp dir left behind is harmless
        }
    }

    // ================================================================================================ clients

    /** The CRM (plain HTTP to the hub) and the customer's browser (HTTPS to the bank, no client certificate). */
    static final class Crm {
        final LocalHub hub;
        final HttpClient http;
        final HttpClient browser;
        /** The message processor every request goes to ({@link eu.securehub.psd2.runtime.LocalRuntime#NODE_HEADER}), or null. */
        String node;
        /** The X-Request-ID of the last request sent to the hub (each gets a fresh one), to find its trace by. */
        volatile String lastRequestId;

        Crm(LocalHub hub) throws Exception {
            this.hub = hub;
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
            this.browser = client(null, hub.pki().bankCa(BANK));
        }

        /** A request to the hub: a fresh X-Request-ID, and the node header when the client is pinned to a node. */
        HttpRequest.Builder req(URI uri) {
            String id = UUID.randomUUID().toString();
            lastRequestId = id;
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("X-Request-ID", id);
            return node == null ? b : b.header(eu.securehub.psd2.runtime.LocalRuntime.NODE_HEADER, node);
        }

        /** A whole journey at the bank through the hub: the hub token. */
        String token(String bankId) throws Exception {
            String iban = hub.bank(bankId).data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
            String body = "{\"returnUrl\":\"" + hub.returnUrl() + "\",\"access\":{\"accounts\":[{\"iban\":\"" + iban
                    + "\"}],\"balances\":[{\"iban\":\"" + iban + "\"}],\"transactions\":[{\"iban\":\"" + iban
                    + "\"}]},\"recurringIndicator\":true,\"validUntil\":\"" + LocalDate.now().plusDays(90)
                    + "\",\"frequencyPerDay\":4}";
            HttpResponse<String> consent = expect(201, http.send(req(
                            URI.create(hub.baseUrl() + "/banks/" + bankId + "/consents"))
                    .header("x-api-key", KEY).header("Content-Type", "application/json")
                    .header("PSU-IP-Address", PSU_IP).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            String state = jsonString(consent.body(), "state");
            URI callback = BankPages.loginAndApprove(browser, hub.bank(bankId).baseUrl().toString(),
                    jsonString(consent.body(), "authorisationUrl"), USERNAME, PASSWORD);
            HttpResponse<String> back = expect(302, browser.send(req(callback).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
            String crmReturn = back.headers().firstValue("Location").orElseThrow();
            if (!crmReturn.contains("outcome=success")) {
                throw new IllegalStateException("the journey did not succeed: " + crmReturn);
            }
            HttpResponse<String> session = expect(200, http.send(req(
                            URI.create(hub.baseUrl() + "/sessions"))
                    .header("x-api-key", KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"" + state + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            return jsonString(session.body(), "accessToken");
        }

        /**
         * A payment of 1.23 EUR from the customer's first account at the bank, created through the hub with a fresh
         * Idempotency-Key and the customer present (201 expected): the hub's paymentId.
         */
        String createPayment(String bankId) throws Exception {
            String iban = hub.bank(bankId).data().customerByUsername(USERNAME).orElseThrow().accounts().get(0).iban();
            String body = "{\"instructedAmount\":{\"currency\":\"EUR\",\"amount\":\"1.23\"},\"debtorAccount\":{\"iban\":\""
                    + iban + "\"},\"creditorName\":\"Stadtwerke Musterstadt\",\"creditorAccount\":{\"iban\":\""
                    + CREDITOR_IBAN + "\"},\"remittanceInformationUnstructured\":\"Load run\",\"returnUrl\":\""
                    + hub.returnUrl() + "\"}";
            HttpResponse<String> created = expect(201, http.send(req(
                            URI.create(hub.baseUrl() + "/banks/" + bankId + "/payments/" + PAYMENT_PRODUCT))
                    .header("x-api-key", KEY).header("Content-Type", "application/json")
                    .header("PSU-IP-Address", PSU_IP).header("Idempotency-Key", UUID.randomUUID().toString())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
            return jsonString(created.body(), "paymentId");
        }

        /**
         * GET {path} (a payment's status) with the API key only: no hub token, and no PSU-IP-Address, as a CRM's
         * background poll; {@code expected} &lt; 0: any status.
         */
        HttpResponse<String> status(String path, int expected) throws Exception {
            HttpResponse<String> r = http.send(req(URI.create(hub.baseUrl() + path))
                    .header("x-api-key", KEY).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (expected >= 0 && r.statusCode() == 429 && expected != 429) {
                throw new IllegalStateException("429 from the hub on GET " + path + " (status reads spend no unattended "
                        + "budget; the bank profile's spike arrest must be lifted: spikeArrest=100000ps, the default): "
                        + r.body());
            }
            return expected < 0 ? r : expect(expected, r);
        }

        /** GET {path} with the API key, the hub token and PSU-IP-Address; {@code expected} &lt; 0: any status. */
        HttpResponse<String> read(String token, String path, int expected) throws Exception {
            HttpResponse<String> r = http.send(req(URI.create(hub.baseUrl() + path))
                    .header("x-api-key", KEY).header("Authorization", "Bearer " + token)
                    .header("PSU-IP-Address", PSU_IP).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (expected >= 0 && r.statusCode() == 429 && expected != 429) {
                throw new IllegalStateException("429 from the hub on GET " + path + ": the bank profile's spike arrest"
                        + " refuses the load run; lift it (spikeArrest=100000ps, the default): " + r.body());
            }
            return expected < 0 ? r : expect(expected, r);
        }
    }

    /**
     * A TPP calling the bank directly with the hub's QWAC (qwac.p12 and password.txt of the hub's PKI dir): its own
     * consent, authorised by the customer through PAR, the login and consent pages and the token endpoint (PKCE).
     */
    static final class Tpp {
        record Session(String consentId, String accessToken, String accountId) {
        }

        final SandboxBank bank;
        final HttpClient http;
        final HttpClient browser;

        Tpp(LocalHub hub, SandboxBank bank) throws Exception {
            this.bank = bank;
            Path pki = hub.pkiDir();
            char[] pw = Files.readString(pki.resolve("password.txt")).trim().toCharArray();
            KeyStore qwac = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(pki.resolve("qwac.p12"))) {
                qwac.load(in, pw);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(qwac, pw);
            this.http = client(kmf, hub.pki().bankCa(bank.bankId()));
            this.browser = client(null, hub.pki().bankCa(bank.bankId()));
        }

        Session authorise() throws Exception {
            String iban = bank.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
            String list = "[{\"iban\":\"" + iban + "\"}]";
            String body = "{\"access\":{\"accounts\":" + list + ",\"balances\":" + list + ",\"transactions\":" + list
                    + "},\"recurringIndicator\":true,\"validUntil\":\"" + LocalDate.now().plusDays(90)
                    + "\",\"frequencyPerDay\":4,\"combinedServiceIndicator\":false}";
            HttpResponse<String> consent = expect(201, http.send(HttpRequest.newBuilder(
                            URI.create(bank.baseUrl() + "/v1/consents"))
                    .header("X-Request-ID", UUID.randomUUID().toString()).header("Content-Type", "application/json")
                    .header("PSU-IP-Address", PSU_IP).header("TPP-Redirect-Preferred", "true")
                    .header("TPP-Redirect-URI", TPP_REDIRECT).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            String consentId = jsonString(consent.body(), "consentId");

            byte[] v = new byte[32];
            new SecureRandom().nextBytes(v);
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(v);
            String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
            String state = UUID.randomUUID().toString();
            Map<String, String> parForm = new LinkedHashMap<>();
            parForm.put("client_id", TestPki.ORGANIZATION_IDENTIFIER);
            parForm.put("response_type", "code");
            parForm.put("redirect_uri", TPP_REDIRECT);
            parForm.put("scope", "openid AIS:" + consentId);
            parForm.put("state", state);
            parForm.put("nonce", "n-" + state);
            parForm.put("code_challenge", challenge);
            parForm.put("code_challenge_method", "S256");
            HttpResponse<String> par = expect(201, form(http, bank.baseUrl() + "/oauth/par", parForm));
            String authorisationUrl = bank.baseUrl() + "/oauth/authorize?client_id="
                    + enc(TestPki.ORGANIZATION_IDENTIFIER) + "&request_uri=" + enc(jsonString(par.body(), "request_uri"));
            URI redirect = BankPages.loginAndApprove(browser, bank.baseUrl().toString(), authorisationUrl, USERNAME, PASSWORD);
            Map<String, String> params = query(redirect.getRawQuery());
            if (!state.equals(params.get("state")) || params.get("code") == null) {
                throw new IllegalStateException("unexpected redirect from the bank: " + redirect);
            }
            Map<String, String> tokenForm = new LinkedHashMap<>();
            tokenForm.put("grant_type", "authorization_code");
            tokenForm.put("code", params.get("code"));
            tokenForm.put("redirect_uri", TPP_REDIRECT);
            tokenForm.put("code_verifier", verifier);
            tokenForm.put("client_id", TestPki.ORGANIZATION_IDENTIFIER);
            String accessToken = jsonString(expect(200, form(http, bank.baseUrl() + "/oauth/token", tokenForm)).body(),
                    "access_token");
            Session noAccount = new Session(consentId, accessToken, null);
            String accountId = jsonString(read(noAccount, "/v1/accounts").body(), "resourceId");
            return new Session(consentId, accessToken, accountId);
        }

        /**
         * GET a payment's status at the bank with the QWAC alone (the TPP that created it), no PSU-IP-Address, as the
         * hub reads it for a payment not yet authorised; 200 expected.
         */
        HttpResponse<String> status(String path) throws Exception {
            return expect(200, http.send(HttpRequest.newBuilder(URI.create(bank.baseUrl() + path))
                    .header("X-Request-ID", UUID.randomUUID().toString()).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }

        /** GET with the AIS headers (Consent-ID, bearer token, PSU-IP-Address: the customer present); 200 expected. */
        HttpResponse<String> read(Session session, String path) throws Exception {
            return expect(200, http.send(HttpRequest.newBuilder(URI.create(bank.baseUrl() + path))
                    .header("X-Request-ID", UUID.randomUUID().toString()).header("Consent-ID", session.consentId())
                    .header("Authorization", "Bearer " + session.accessToken()).header("PSU-IP-Address", PSU_IP)
                    .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
    }

    // ================================================================================================ helpers

    static HttpClient client(KeyManagerFactory keys, java.security.cert.X509Certificate trusted) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys == null ? null : keys.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private LoadRun() {
    }
}
