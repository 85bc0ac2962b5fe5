package eu.securehub.psd2.load;

import static eu.securehub.psd2.localhub.BankPages.jsonString;

import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.runtime.trace.Cost;
import eu.securehub.psd2.runtime.trace.Trace;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Figure 6 of the load run: what each CRM operation costs on Apigee, counted from the local runtime's Debug traces
 * (policies executed, FlowCallouts, JavaCallouts, KVM reads answered by the node's cache or by the datastore,
 * ServiceCallouts, distributed Quota updates, calls to the bank and to Cloud KMS, Cloud Logging writes).
 *
 * <p>Its own local hub, with eight message processors: node 0 runs the set-up (a consent's
 * whole journey, the account list, a payment), and each operation then runs on a node that has served nothing,
 * three times: the first request is the <b>cold</b> node (empty KVM read cache, response caches and every bundle's
 * DEK cache, as after a message processor starts), the third the <b>warm</b> one. The journey's own requests (the
 * bank's redirect to the hub and the CRM's session collection) follow their consent on node 0, so they are shown as
 * they ran there: "first" is the first journey's, "warm" a second journey's. Spike arrest is lifted as in the rest
 * of the load run; reads carry PSU-IP-Address (no unattended budget is spent). Nothing is asserted.
 */
final class CostRun {
    /** One CRM operation: its name, and the request it makes with a pinned client (returns its X-Request-ID). */
    private record Operation(String name, Send send) {
    }

    private interface Send {
        String send(LoadRun.Crm crm) throws Exception;
    }

    /** An operation's cost on a cold (null: not measured) and on a warm node. */
    record Row(String operation, Cost cold, Cost warm) {
    }

    private CostRun() {
    }

    /**
     * Figure 6 alone: {@code mvn -q -pl tests/load exec:java -Dexec.args="cost"} (LoadRun's main hands {@code cost …}
     * here: the pom's exec configuration names LoadRun, which a {@code -Dexec.mainClass} does not override), after
     * {@code mvn -q install -DskipTests}; arguments as the load run's {@code root=}, {@code spikeArrest=}.
     */
    public static void main(String[] args) throws Exception {
        LoadRun.Settings s = LoadRun.Settings.parse(args);
        Path work = java.nio.file.Files.createTempDirectory("psd2-cost-");
        run(s.root(), work, s.spikeArrest(), System.out);
        System.exit(0);
    }

    static List<Row> run(Path root, Path work, String spikeArrest, PrintStream out) throws Exception {
        LocalHub.Options options = LocalHub.Options.freePorts(root, work.resolve("cost")).consumerKey(LoadRun.KEY)
                .traces(500).nodes(8);
        if (!"config".equals(spikeArrest)) {
            options = options.bankProfile(LoadRun.BANK, "spikeArrestRate", "\"" + spikeArrest + "\"");
        }
        try (LocalHub hub = LocalHub.start(options)) {
            return measure(hub, out);
        }
    }

    private static List<Row> measure(LocalHub hub, PrintStream out) throws Exception {
        LoadRun.Crm setup = new LoadRun.Crm(hub);
        setup.node = "0";
        String token = setup.token(LoadRun.BANK);
        Trace firstCallback = journeyTrace(hub, "/oauth/callback", null);
        Trace firstSession = journeyTrace(hub, "/sessions", null);
        String second = setup.token(LoadRun.BANK);
        Trace warmCallback = journeyTrace(hub, "/oauth/callback", firstCallback);
        Trace warmSession = journeyTrace(hub, "/sessions", firstSession);
        String account = jsonString(setup.read(token, "/accounts", 200).body(), "resourceId");
        String paymentId = setup.createPayment(LoadRun.BANK);
        String revocable = setup.token(LoadRun.BANK);

        List<Operation> ops = List.of(
                new Operation("POST /banks/{bankId}/consents", c -> createConsent(c)),
                new Operation("GET /accounts", c -> read(c, token, "/accounts")),
                new Operation("GET /accounts/{id}/balances", c -> read(c, token, "/accounts/" + account + "/balances")),
                new Operation("GET /accounts/{id}/transactions",
                        c -> read(c, token, "/accounts/" + account + "/transactions?bookingStatus=booked&dateFrom="
                                + java.time.LocalDate.now().minusDays(30))),
                new Operation("GET /consents/current", c -> read(c, token, "/consents/current")),
                new Operation("POST /banks/{bankId}/payments/{product}", c -> {
                    c.createPayment(LoadRun.BANK);
                    return c.lastRequestId;
                }),
                new Operation("GET /payments/{paymentId}/status", c -> {
                    c.status("/payments/" + paymentId + "/status", 200);
                    return c.lastRequestId;
                }));
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("GET /oauth/callback (journey)", firstCallback.cost(), warmCallback.cost()));
        rows.add(new Row("POST /sessions (journey)", firstSession.cost(), warmSession.cost()));
        int node = 1;
        for (Operation op : ops) {
            LoadRun.Crm crm = new LoadRun.Crm(hub);
            crm.node = Integer.toString(node++);
            Cost cold = cost(hub, op.send().send(crm));
            op.send().send(crm);
            Cost warm = cost(hub, op.send().send(crm));
            rows.add(new Row(op.name(), cold, warm));
        }
        // Revocation ends its consent, and the runtime has at most 8 nodes: it runs on node 0 (warm), no cold figure.
        revoke(setup, revocable);
        rows.add(new Row("DELETE /consents/current", null, cost(hub, revoke(setup, second))));
        print(rows, out);
        return rows;
    }

    private static String createConsent(LoadRun.Crm c) throws Exception {
        String iban = c.hub.bank(LoadRun.BANK).data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
        String body = "{\"returnUrl\":\"" + c.hub.returnUrl() + "\",\"access\":{\"accounts\":[{\"iban\":\"" + iban
                + "\"}]},\"recurringIndicator\":true,\"validUntil\":\"" + java.time.LocalDate.now().plusDays(90)
                + "\",\"frequencyPerDay\":4}";
        HttpResponse<String> r = c.http.send(c.req(URI.create(c.hub.baseUrl() + "/banks/" + LoadRun.BANK + "/consents"))
                .header("x-api-key", LoadRun.KEY).header("Content-Type", "application/json")
                .header("PSU-IP-Address", LoadRun.PSU_IP).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        expect(201, r, "POST /consents");
        return c.lastRequestId;
    }

    private static String read(LoadRun.Crm c, String token, String path) throws Exception {
        c.read(token, path, 200);
        return c.lastRequestId;
    }

    private static String revoke(LoadRun.Crm c, String token) throws Exception {
        HttpResponse<String> r = c.http.send(c.req(URI.create(c.hub.baseUrl() + "/consents/current"))
                .header("x-api-key", LoadRun.KEY).header("Authorization", "Bearer " + token)
                .header("PSU-IP-Address", LoadRun.PSU_IP).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("DELETE /consents/current answered " + r.statusCode() + ": " + r.body());
        }
        return c.lastRequestId;
    }

    private static void expect(int status, HttpResponse<String> r, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(what + " answered " + r.statusCode() + ", expected " + status + ": " + r.body());
        }
    }

    private static Cost cost(LocalHub hub, String requestId) throws InterruptedException {
        return hub.traces().awaitByRequestHeader("X-Request-ID", requestId, Duration.ofSeconds(30)).cost();
    }

    /**
     * The newest trace of a journey request on node 0 (the browser's and the CRM's requests of {@code token}) other
     * than {@code earlier}'s: a trace is stored after its PostClientFlow, so the newest one stored may still be the
     * previous journey's for a moment.
     */
    private static Trace journeyTrace(LocalHub hub, String suffix, Trace earlier) throws InterruptedException {
        return hub.traces().await(t -> t.node() == 0 && t.path().endsWith(suffix)
                && (earlier == null || !t.id().equals(earlier.id())), Duration.ofSeconds(30));
    }

    static void print(List<Row> rows, PrintStream out) {
        out.println("FIGURE 6  cost per CRM operation on Apigee, from the local Debug traces (bank alpha: OAuth, "
                + "no signing); cold = the first request on a message processor that has served nothing (the journey's"
                + " requests: the first journey's, on the node that created its consent), warm = the third");
        String head = String.format(Locale.ROOT, "  %-40s %-5s %8s %3s %4s %9s %3s %6s %4s %3s %3s", "operation", "node",
                "policies", "FC", "Java", "KVM hit/ds", "SC", "dQuota", "bank", "KMS", "log");
        out.println(head);
        for (Row r : rows) {
            if (r.cold() != null) {
                line(out, r.operation(), "cold", r.cold());
            }
            line(out, r.cold() == null ? r.operation() : "", "warm", r.warm());
        }
        out.println("  (policies: executed steps, FlowCallouts and the steps inside shared flows included; KVM hit/ds:"
                + " KVM Gets answered by the node's read cache / read from the datastore; SC: ServiceCallouts; dQuota:"
                + " distributed Quota updates; bank and KMS: HTTP calls, target and ServiceCallouts; log: Cloud Logging"
                + " writes)");
    }

    private static void line(PrintStream out, String op, String node, Cost c) {
        out.println(String.format(Locale.ROOT, "  %-40s %-5s %8d %3d %4d %9s %3d %6d %4d %3d %3d", op, node, c.policies(),
                c.flowCallouts(), c.javaCallouts(), c.kvmCacheHits() + "/" + c.kvmDatastoreReads(), c.serviceCallouts(),
                c.distributedQuotaUpdates(), c.bankCalls(), c.kmsCalls(), c.logWrites()));
    }

    /** The rows as a map (operation → cold, warm), for tests. */
    static Map<String, Row> byOperation(List<Row> rows) {
        Map<String, Row> m = new LinkedHashMap<>();
        rows.forEach(r -> m.put(r.operation(), r));
        return m;
    }
}
