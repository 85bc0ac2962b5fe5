package eu.securehub.psd2.localhub;

import eu.securehub.psd2.config.EnvironmentConfig;
import eu.securehub.psd2.localkms.LocalKms;
import eu.securehub.psd2.runtime.LocalRuntime;
import eu.securehub.psd2.runtime.RuntimeOptions;
import eu.securehub.psd2.runtime.config.LocalEnvironment;
import eu.securehub.psd2.sandbox.BerlinGroupContract;
import eu.securehub.psd2.sandbox.LocalSandbox;
import eu.securehub.psd2.sandbox.SandboxBank;
import eu.securehub.psd2.testpki.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The hub on a laptop: everything the proxy talks to, and the proxy itself, on 127.0.0.1.
 * <ol>
 *   <li>the test PKI (TestPki: the QWAC, each sandbox bank's CA and server certificate) written to a folder;</li>
 *   <li>the local Cloud KMS with its bearer token and the KEK {@link LocalSandbox#DEFAULT_KMS_KEY};</li>
 *   <li>the sandbox banks alpha and beta (mTLS, OAuth, Berlin Group contract validation on);</li>
 *   <li>a tiny CRM return page ({@code /crm/return}) registered as the CRM app's return URL, and on the same port the
 *       demo CRM ({@link DemoCrmPage}, a client of the hub's public API, its return URL {@code /return} registered
 *       too);</li>
 *   <li>environment {@code local} loaded from the repo's config (targetservers/, keystores/, kvms/, edge.json) with
 *       a fresh keyring wrapped at the local KMS, the KMS token as Google access token, and — when a port is not
 *       the one the config names — kms-endpoint, callback-url, the bank profiles' URLs and the bank
 *       TargetServers moved to the real ports;</li>
 *   <li>the local Apigee runtime with every built shared flow ({@code sharedflows/NAME/target/sharedflowbundle})
 *       and the built proxy ({@code target/apiproxy}).</li>
 * </ol>
 * {@link #main} is the README's run command: fixed ports (KMS 8089, banks 8443/8444, admin 9443/9444, hub 8998 as
 * kvms/local/psd2-hub-config callback-url says, CRM page 8999), prints the walk-through and runs until Ctrl-C.
 * Tests use {@link Options#freePorts(Path)}. Building the bundles is the command's job ({@code mvn install
 * -DskipTests}); a missing bundle is a clear error here.
 */
public final class LocalHub implements AutoCloseable {

    /** The CRM app of edge.json whose key the hub prints. */
    public static final String CRM_APP = "crm-backend";
    /** The local-only second app of {@link Options#otherApp}. */
    public static final String OTHER_APP = "crm-other";
    static final String ENV = "local";
    /**
     * The service account every bundle is deployed with, as {@code mvn deploy -Plocal} would deploy it (the profiles'
     * psd2.runtime.serviceaccount, psd2-hub-&lt;env&gt;@&lt;org&gt;.iam.gserviceaccount.com, here for an org named
     * psd2-hub-local): the runtime refuses a bundle that calls Google APIs without one, as Apigee X does.
     */
    public static final String SERVICE_ACCOUNT = "psd2-hub-local@psd2-hub-local.iam.gserviceaccount.com";
    static final List<String> BANKS = List.of("alpha", "beta", "gamma", "delta");
    /**
     * Each sandbox bank's dialect, as kvms/local/psd2-hub-banks.json describes it: alpha and beta OAuth with PAR,
     * gamma Berlin Group's redirect approach without OAuth with QSEAL signatures required, delta decoupled.
     */
    static final Map<String, SandboxBank.Dialect> DIALECTS = Map.of("alpha", SandboxBank.Dialect.OAUTH,
            "beta", SandboxBank.Dialect.OAUTH, "gamma", SandboxBank.Dialect.REDIRECT, "delta", SandboxBank.Dialect.DECOUPLED);
    /** The banks that require QSEAL signatures by default; {@link Options#requireSignatures} adds others. */
    static final java.util.Set<String> SIGNING_BANKS = java.util.Set.of("gamma");

    /** How many requests' Debug traces the hub keeps by default. */
    public static final int DEFAULT_TRACES = 200;

    /** How to start the hub; immutable, every {@code with…} returns a changed copy. */
    public static final class Options {
        private Path root;
        private Path pkiDir;
        private Path workDir;
        private int kmsPort;
        private int hubPort;
        private int crmPort;
        private int debugPort;
        private int traces = DEFAULT_TRACES;
        private final Map<String, Integer> bankPorts = new LinkedHashMap<>();
        private final Map<String, Integer> adminPorts = new LinkedHashMap<>();
        private String kmsToken;
        private String consumerKey;
        private boolean contract = true;
        private final Map<String, Map<String, String>> profileMembers = new LinkedHashMap<>();
        private TestPki.Variant qwacVariant;
        private final Map<String, java.time.Duration> accessTokenLifetimes = new LinkedHashMap<>();
        private java.time.Duration paymentExecutionDelay;
        private String otherAppKey;
        private final Map<String, eu.securehub.psd2.testpki.Credential> bankServerCredentials = new LinkedHashMap<>();
        private int nodes = 1;
        private java.time.Clock clock = java.time.Clock.systemUTC();
        private final java.util.Set<String> signingBanks = new java.util.LinkedHashSet<>(SIGNING_BANKS);
        private final java.util.Set<String> parSigningBanks = new java.util.LinkedHashSet<>();

        private Options() {
        }

        private Options copy() {
            Options o = new Options();
            o.root = root;
            o.pkiDir = pkiDir;
            o.workDir = workDir;
            o.kmsPort = kmsPort;
            o.hubPort = hubPort;
            o.crmPort = crmPort;
            o.debugPort = debugPort;
            o.traces = traces;
            o.bankPorts.putAll(bankPorts);
            o.adminPorts.putAll(adminPorts);
            o.kmsToken = kmsToken;
            o.consumerKey = consumerKey;
            o.contract = contract;
            profileMembers.forEach((bank, members) -> o.profileMembers.put(bank, new LinkedHashMap<>(members)));
            o.qwacVariant = qwacVariant;
            o.accessTokenLifetimes.putAll(accessTokenLifetimes);
            o.paymentExecutionDelay = paymentExecutionDelay;
            o.otherAppKey = otherAppKey;
            o.bankServerCredentials.putAll(bankServerCredentials);
            o.nodes = nodes;
            o.clock = clock;
            o.signingBanks.clear();
            o.signingBanks.addAll(signingBanks);
            o.parSigningBanks.addAll(parSigningBanks);
            return o;
        }

        /**
         * The run command's set-up: the ports the repo's local config names (KMS 8089, alpha 8443 / admin 9443,
         * beta 8444 / 9444, gamma 8445 / 9445, delta 8446 / 9446, hub 8998), the CRM page on 8999, the PKI in ROOT/target/test-pki and the hub's
         * files (keyring, message log) in ROOT/target/local-hub.
         */
        public static Options fixedPorts(Path root) {
            Options o = new Options();
            o.root = root.toAbsolutePath().normalize();
            o.pkiDir = o.root.resolve("target").resolve("test-pki");
            o.workDir = o.root.resolve("target").resolve("local-hub");
            o.kmsPort = 8089;
            o.hubPort = 8998;
            o.crmPort = 8999;
            o.debugPort = 8997;
            for (int i = 0; i < BANKS.size(); i++) {
                o.bankPorts.put(BANKS.get(i), 8443 + i);
                o.adminPorts.put(BANKS.get(i), 9443 + i);
            }
            return o;
        }

        /**
         * For tests: every server on a free port, the PKI and the hub's files under {@code workDir}, and no Debug
         * traces (a test that reads them asks with {@link #traces}).
         */
        public static Options freePorts(Path root, Path workDir) {
            Options o = fixedPorts(root);
            o.traces = 0;
            o.workDir = workDir.toAbsolutePath().normalize();
            o.pkiDir = o.workDir.resolve("test-pki");
            o.kmsPort = 0;
            o.hubPort = 0;
            o.crmPort = 0;
            o.debugPort = 0;
            o.bankPorts.replaceAll((k, v) -> 0);
            o.adminPorts.replaceAll((k, v) -> 0);
            return o;
        }

        /** {@link #fixedPorts} with the launcher's {@code -D…} overrides (see the class comment of the POM). */
        public static Options fromSystemProperties(Path root) {
            Options o = fixedPorts(root);
            String pki = System.getProperty("psd2.pki.dir");
            if (pki != null && !pki.isBlank()) {
                o.pkiDir = Path.of(pki).toAbsolutePath().normalize();
            }
            o.kmsPort = Integer.getInteger("psd2.kms.port", o.kmsPort);
            o.hubPort = Integer.getInteger("psd2.hub.port", o.hubPort);
            o.crmPort = Integer.getInteger("psd2.crm.port", o.crmPort);
            o.debugPort = Integer.getInteger("psd2.debug.port", o.debugPort);
            o.traces = Integer.getInteger("psd2.traces", o.traces);
            for (String bank : BANKS) {
                o.bankPorts.put(bank, Integer.getInteger("psd2." + bank + ".port", o.bankPorts.get(bank)));
                o.adminPorts.put(bank, Integer.getInteger("psd2." + bank + ".adminPort", o.adminPorts.get(bank)));
            }
            o.kmsToken = blankToNull(System.getProperty("psd2.kms.token"));
            o.consumerKey = blankToNull(System.getProperty("psd2.hub.consumerKey"));
            o.contract = Boolean.parseBoolean(System.getProperty("psd2.sandbox.contract", "true"));
            return o;
        }

        public Options pkiDir(Path dir) {
            Options o = copy();
            o.pkiDir = dir.toAbsolutePath().normalize();
            return o;
        }

        public Options workDir(Path dir) {
            Options o = copy();
            o.workDir = dir.toAbsolutePath().normalize();
            return o;
        }

        public Options hubPort(int port) {
            Options o = copy();
            o.hubPort = port;
            return o;
        }

        /**
         * How many requests' Debug traces the runtime keeps (a ring buffer, default {@value #DEFAULT_TRACES}); 0 turns
         * tracing off (and the debug page with it), e.g. for throughput figures.
         */
        public Options traces(int capacity) {
            if (capacity < 0) {
                throw new IllegalArgumentException("traces must be >= 0, not " + capacity);
            }
            Options o = copy();
            o.traces = capacity;
            return o;
        }

        /** The debug page's port on 127.0.0.1 (fixedPorts: 8997, freePorts: 0 = any free port). */
        public Options debugPort(int port) {
            Options o = copy();
            o.debugPort = port;
            return o;
        }

        public Options kmsToken(String token) {
            Options o = copy();
            o.kmsToken = token;
            return o;
        }

        /** The CRM app's API key (default: random per start, printed). */
        public Options consumerKey(String key) {
            Options o = copy();
            o.consumerKey = key;
            return o;
        }

        /** Berlin Group contract validation at the banks (default on). */
        public Options contract(boolean on) {
            Options o = copy();
            o.contract = on;
            return o;
        }

        /**
         * Overrides a top-level member of a bank's profile (KVM psd2-hub-banks) with a JSON value, e.g.
         * {@code bankProfile("alpha", "breaker", "{\"failureThreshold\":3,…}")} or
         * {@code bankProfile("alpha", "spikeArrestRate", "\"1ps\"")}; a member the profile lacks is added.
         */
        public Options bankProfile(String bankId, String member, String jsonValue) {
            if (!BANKS.contains(bankId)) {
                throw new IllegalArgumentException("no bank " + bankId + " (" + BANKS + ")");
            }
            Options o = copy();
            o.profileMembers.computeIfAbsent(bankId, k -> new LinkedHashMap<>())
                    .put(Objects.requireNonNull(member, "member"), Objects.requireNonNull(jsonValue, "jsonValue"));
            return o;
        }

        /** The hub's QWAC (the keystore's qwac.p12) is this deliberately wrong variant (default: the real QWAC). */
        public Options qwacVariant(TestPki.Variant variant) {
            Options o = copy();
            o.qwacVariant = variant;
            return o;
        }

        /**
         * The lifetime of the access tokens the bank's authorisation server issues (default: the sandbox bank's,
         * 300 s), e.g. a few seconds to make the hub refresh.
         */
        /**
         * The runtime runs this many message processors (1 to 8, default 1): the same bundles, shared stores (KVM,
         * Quota, cache), and each node its own KVM read cache, as on Apigee X where a node keeps what it read for the
         * policy's ExpiryTimeInSecs. Requests go to the nodes in turn, or to the one {@link LocalRuntime#NODE_HEADER}
         * names.
         */
        public Options nodes(int count) {
            if (count < 1 || count > 8) {
                throw new IllegalArgumentException("nodes must be 1 to 8, not " + count);
            }
            Options o = copy();
            o.nodes = count;
            return o;
        }

        /**
         * The runtime's clock (caches, Quota windows, KVM read caches), e.g. a test's movable clock to see entries
         * expire; the banks, the KMS and the callouts keep the system clock. Default the system clock.
         */
        public Options runtimeClock(java.time.Clock runtimeClock) {
            Options o = copy();
            o.clock = Objects.requireNonNull(runtimeClock, "runtimeClock");
            return o;
        }

        /**
         * A second CRM app, {@code crm-other}, local only (a copy of {@code crm-backend} with this key), for tests of
         * what the hub binds to the app that made it (hub tokens, payments).
         */
        public Options otherApp(String key) {
            Options o = copy();
            o.otherAppKey = Objects.requireNonNull(key, "key");
            return o;
        }

        /** How long every sandbox bank takes for each step of an authorised payment's execution (default: the bank's, 2 s). */
        public Options paymentExecutionDelay(java.time.Duration delay) {
            Objects.requireNonNull(delay, "delay");
            Options o = copy();
            o.paymentExecutionDelay = delay;
            return o;
        }

        public Options accessTokenLifetime(String bankId, java.time.Duration lifetime) {
            requireBank(bankId);
            Objects.requireNonNull(lifetime, "lifetime");
            if (lifetime.isNegative() || lifetime.isZero()) {
                throw new IllegalArgumentException("the access token lifetime must be positive");
            }
            Options o = copy();
            o.accessTokenLifetimes.put(bankId, lifetime);
            return o;
        }

        /**
         * The bank's TLS server key and certificate chain instead of the test PKI's (default:
         * {@code pki.bankServer(bankId)}), e.g. another TestPki's, issued by a CA the hub does not trust.
         */
        public Options bankServerCredential(String bankId, eu.securehub.psd2.testpki.Credential credential) {
            requireBank(bankId);
            Options o = copy();
            o.bankServerCredentials.put(bankId, Objects.requireNonNull(credential, "credential"));
            return o;
        }

        /**
         * The sandbox bank requires QSEAL signatures ({@code SandboxBank.Builder.requireSignatures}): on every /v1
         * request and, for an OAuth bank, on every token endpoint call (default: gamma only, as
         * kvms/local/psd2-hub-banks.json says). The bank's registry entry is not changed: give it a {@code signing}
         * member with {@link #bankProfile}, e.g. {@code bankProfile("beta", "signing",
         * "{\"profile\":\"berlin-group\",\"tokenEndpoint\":true}")}, or leave it out to see the hub refused.
         */
        public Options requireSignatures(String bankId) {
            requireBank(bankId);
            Options o = copy();
            o.signingBanks.add(bankId);
            return o;
        }

        /** Whether the sandbox bank requires signatures. */
        boolean requiresSignatures(String bankId) {
            return signingBanks.contains(bankId);
        }

        /**
         * With {@link #requireSignatures}: the OAuth sandbox bank's pushed authorisation request must be signed too
         * ({@code SandboxBank.Builder.requireParSignatures}); the registry entry's {@code signing.parEndpoint} says
         * whether the hub signs it.
         */
        public Options requireParSignatures(String bankId) {
            Options o = requireSignatures(bankId);
            o.parSigningBanks.add(bankId);
            return o;
        }

        /** The access token lifetime set for the bank, or null (the sandbox bank's default). */
        java.time.Duration accessTokenLifetime(String bankId) {
            return accessTokenLifetimes.get(bankId);
        }

        /** The bank's server credential: the one set, else the test PKI's. */
        eu.securehub.psd2.testpki.Credential bankServerCredential(String bankId, TestPki pki) {
            eu.securehub.psd2.testpki.Credential c = bankServerCredentials.get(bankId);
            return c != null ? c : pki.bankServer(bankId);
        }

        private static void requireBank(String bankId) {
            if (!BANKS.contains(bankId)) {
                throw new IllegalArgumentException("no bank " + bankId + " (" + BANKS + ")");
            }
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s;
        }
    }

    private final List<AutoCloseable> running;
    private final Options options;
    private final TestPki pki;
    private final LocalKms kms;
    private final String kmsToken;
    private final Map<String, SandboxBank> banks;
    private final CrmReturnPage crmPage;
    private final LocalEnvironment environment;
    private final LocalRuntime runtime;
    private final String consumerKey;
    private final DebugPage debugPage;
    private final String demoUrl;

    private LocalHub(Builder b) {
        this.running = b.running;
        this.options = b.options;
        this.pki = b.pki;
        this.kms = b.kms;
        this.kmsToken = b.kmsToken;
        this.banks = b.banks;
        this.crmPage = b.crmPage;
        this.environment = b.environment;
        this.runtime = b.runtime;
        this.consumerKey = b.consumerKey;
        this.debugPage = b.debugPage;
        this.demoUrl = b.crmPage.origin() + "/";
    }

    /** What start() has built so far (closed in reverse order if a later step fails). */
    private static final class Builder {
        final List<AutoCloseable> running = new ArrayList<>();
        Options options;
        TestPki pki;
        LocalKms kms;
        String kmsToken;
        final Map<String, SandboxBank> banks = new LinkedHashMap<>();
        CrmReturnPage crmPage;
        LocalEnvironment environment;
        LocalRuntime runtime;
        String consumerKey;
        DebugPage debugPage;

        void closeAll() {
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception e) {
                    System.err.println("local hub: stopping " + running.get(i) + ": " + e);
                }
            }
        }
    }

    /**
     * Starts everything (see the class comment).
     *
     * @throws IllegalStateException when a bundle is not built, a port is taken, or the config does not load
     */
    public static LocalHub start(Options options) {
        Objects.requireNonNull(options, "options");
        Builder b = new Builder();
        b.options = options;
        try {
            Path root = options.root;
            Path proxy = root.resolve("target").resolve("apiproxy");
            List<Path> sharedFlows = builtSharedFlows(root);
            if (!Files.isDirectory(proxy.resolve("proxies"))) {
                throw new IllegalStateException("the proxy bundle is not built: " + proxy
                        + " is missing (build it first: mvn -q install -DskipTests, from " + root + ")");
            }
            Files.createDirectories(options.workDir);

            b.pki = TestPki.create(BANKS);
            b.pki.writeTo(options.pkiDir);
            if (options.qwacVariant != null) {
                Files.copy(options.pkiDir.resolve(options.qwacVariant.fileName()), options.pkiDir.resolve("qwac.p12"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }

            b.kmsToken = options.kmsToken != null ? options.kmsToken : randomToken(24);
            b.kms = LocalKms.start(options.kmsPort, b.kmsToken);
            b.running.add(b.kms);
            b.kms.createKey(LocalSandbox.DEFAULT_KMS_KEY);

            BerlinGroupContract contract = options.contract ? BerlinGroupContract.shared() : null;
            for (String id : BANKS) {
                SandboxBank.Builder config = SandboxBank.Config.builder(id, options.bankServerCredential(id, b.pki),
                                List.of(b.pki.rootCa()))
                        .expiredServerCredential(b.pki.bankServerExpired(id))
                        .port(options.bankPorts.get(id))
                        .adminPort(options.adminPorts.get(id))
                        .dialect(DIALECTS.get(id))
                        .requireSignatures(options.requiresSignatures(id))
                        .requireParSignatures(options.parSigningBanks.contains(id))
                        .contract(contract);
                if (options.accessTokenLifetime(id) != null) {
                    config.accessTokenLifetime(options.accessTokenLifetime(id));
                }
                if (options.paymentExecutionDelay != null) {
                    config.paymentExecutionDelay(options.paymentExecutionDelay);
                }
                SandboxBank bank = SandboxBank.start(config.build());
                b.running.add(bank);
                b.banks.put(id, bank);
            }

            b.crmPage = CrmReturnPage.start(options.crmPort);
            b.running.add(b.crmPage);

            int hubPort = options.hubPort != 0 ? options.hubPort : freePort();
            b.consumerKey = options.consumerKey != null ? options.consumerKey : "crm-local-" + randomToken(24);

            LocalEnvironment.Options env = LocalEnvironment.Options.defaults()
                    .clock(options.clock)
                    .systemPlaceholders(false)
                    .pkiDir(options.pkiDir)
                    .consumerKey(CRM_APP, b.consumerKey)
                    .returnUrls(String.join(",", configuredReturnUrls(root), b.crmPage.url(),
                            b.crmPage.origin() + DemoCrmPage.RETURN_PATH))
                    .createKeyring(new LocalEnvironment.KeyringSpec(b.kms.endpoint(), b.kmsToken,
                            LocalSandbox.DEFAULT_KMS_KEY, options.workDir.resolve("keyring"))
                            .withQseal(options.pkiDir.resolve("qseal.p12"), null))
                    .googleAccessToken(b.kmsToken)
                    .messageLog(options.workDir.resolve("message-log.jsonl"));
            if (options.otherAppKey != null) {
                env = env.appCopy(OTHER_APP, options.otherAppKey);
            }
            Map<String, URI> bankUrls = new LinkedHashMap<>();
            b.banks.forEach((id, bank) -> bankUrls.put(id, bank.baseUrl()));
            Map<String, String> overrides = kvmOverrides(root, b.kms.baseUrl(), bankUrls, hubPort);
            if (!options.profileMembers.isEmpty()) {
                Map<String, String> profiles = EnvironmentConfig.readKvmFile(
                        root.resolve("kvms").resolve(ENV).resolve("psd2-hub-banks.json"));
                options.profileMembers.forEach((bank, members) -> {
                    String key = "psd2-hub-banks/" + bank;
                    String profile = overrides.getOrDefault(key, profiles.get(bank));
                    for (Map.Entry<String, String> m : members.entrySet()) {
                        profile = withMember(profile, m.getKey(), m.getValue());
                    }
                    overrides.put(key, profile);
                });
            }
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                int slash = e.getKey().indexOf('/');
                env = env.kvmEntry(e.getKey().substring(0, slash), e.getKey().substring(slash + 1), e.getValue());
            }
            b.environment = LocalEnvironment.load(root, ENV, env);
            b.running.add(b.environment);

            Map<String, Integer> targetPorts = new LinkedHashMap<>();
            b.banks.forEach((id, bank) -> targetPorts.put("bank-" + id, bank.port()));
            RetargetedEnvironment runtimeEnv = new RetargetedEnvironment(b.environment, targetPorts);
            List<eu.securehub.psd2.runtime.spi.Environment> otherNodes = new ArrayList<>();
            for (int i = 1; i < options.nodes; i++) {
                otherNodes.add(new RetargetedEnvironment(b.environment, targetPorts, b.environment.kvmStore().node(),
                        b.environment.cacheStore().node()));
            }
            // Debug traces: edge.json's debug mask (as the environment read it), the destinations named for the cost
            // counts (the banks' TargetServers and the KMS are on 127.0.0.1).
            b.runtime = LocalRuntime.start(RuntimeOptions.of(runtimeEnv).withPort(hubPort).withOtherNodes(otherNodes)
                    .withTraces(options.traces).withDebugMask(b.environment.debugMask()));
            b.running.add(b.runtime);
            b.banks.forEach((id, bank) -> label(b.runtime, bank.port(), "bank " + id));
            label(b.runtime, b.kms.port(), eu.securehub.psd2.runtime.trace.Cost.KMS_LABEL);
            if (options.traces > 0) {
                b.debugPage = DebugPage.start(options.debugPort, b.runtime.traces());
                b.running.add(b.debugPage);
            }
            for (Path sf : sharedFlows) {
                b.runtime.deploySharedFlow(sf, SERVICE_ACCOUNT);
            }
            b.runtime.deployProxy(proxy, SERVICE_ACCOUNT);
            b.crmPage.hub(b.runtime.baseUrl() + "/psd2/v1", b.consumerKey);
            b.crmPage.mount(new DemoCrmPage(demoConfig(b.runtime.baseUrl() + "/psd2/v1", b.consumerKey,
                    b.crmPage.origin() + DemoCrmPage.RETURN_PATH, b.banks, options), new SandboxBankApp(b.banks)));
            return new LocalHub(b);
        } catch (IOException e) {
            b.closeAll();
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            b.closeAll();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("cannot start the local hub: " + e.getMessage(), e);
        }
    }

    /**
     * What the demo CRM is configured with, as a CRM back end would be: the hub's base URL and the app's key, its
     * return URL, the banks (their approach, their CA for the browser's warning) and the customers' sandbox logins
     * and accounts (its customer records).
     */
    static DemoConfig demoConfig(String hubBaseUrl, String key, String returnUrl, Map<String, SandboxBank> banks,
            Options options) {
        List<DemoConfig.Bank> bankList = new ArrayList<>();
        banks.forEach((id, bank) -> {
            SandboxBank.Dialect dialect = DIALECTS.get(id);
            String approach = switch (dialect) {
                case OAUTH -> "OAuth 2.0 redirect";
                case REDIRECT -> "Berlin Group redirect";
                case DECOUPLED -> "decoupled: approve in the bank's app";
            } + (options.requiresSignatures(id) ? ", QSEAL-signed" : "");
            String name = Character.toUpperCase(id.charAt(0)) + id.substring(1) + " Bank";
            bankList.add(new DemoConfig.Bank(id, name, approach, dialect == SandboxBank.Dialect.DECOUPLED,
                    options.pkiDir.resolve("bank-" + id + "-ca.pem").toString()));
        });
        List<DemoConfig.Customer> customers = new ArrayList<>();
        for (eu.securehub.psd2.sandbox.BankData.Customer c : banks.values().iterator().next().data().customers()) {
            Map<String, List<DemoConfig.Account>> accounts = new LinkedHashMap<>();
            banks.forEach((id, bank) -> accounts.put(id, bank.data().customerByUsername(c.username())
                    .map(found -> found.accounts().stream().map(a -> new DemoConfig.Account(a.iban(), a.name())).toList())
                    .orElse(List.of())));
            customers.add(new DemoConfig.Customer(c.username(), c.password(), c.name(), accounts));
        }
        return new DemoConfig(hubBaseUrl, key, returnUrl, bankList, customers);
    }

    private static void label(LocalRuntime rt, int port, String label) {
        rt.traces().label("127.0.0.1:" + port, label).label("localhost:" + port, label);
    }

    /** Every shared flow module's built bundle, in name order; an unbuilt one is an error. */
    static List<Path> builtSharedFlows(Path root) throws IOException {
        Path dir = root.resolve("sharedflows");
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path module : s.filter(p -> Files.isDirectory(p.resolve("sharedflowbundle"))).sorted().toList()) {
                Path built = module.resolve("target").resolve("sharedflowbundle");
                if (!Files.isDirectory(built)) {
                    throw new IllegalStateException("the shared flow " + module.getFileName() + " is not built: "
                            + built + " is missing (build it first: mvn -q install -DskipTests, from " + root + ")");
                }
                out.add(built);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no shared flow modules under " + dir);
        }
        return out;
    }

    /** The returnUrls edge.json registers for the CRM app (kept; the local page is added). */
    private static String configuredReturnUrls(Path root) throws IOException {
        Matcher m = Pattern.compile("\"name\"\\s*:\\s*\"returnUrls\"\\s*,\\s*\"value\"\\s*:\\s*\"([^\"]*)\"")
                .matcher(Files.readString(root.resolve("edge.json")));
        return m.find() ? m.group(1) : "";
    }

    /**
     * KVM entries that must follow the real ports: kms-endpoint, callback-url (its port), the bank profiles' URLs
     * (issuer, metadata, JWKS: the configured origin of each bank replaced by the running bank's). Entries that
     * already match are left alone, so with the fixed ports of the run command nothing is overridden.
     * Keys are "map/entry".
     */
    static Map<String, String> kvmOverrides(Path root, URI kmsBaseUrl, Map<String, URI> banks, int hubPort) {
        Map<String, String> out = new LinkedHashMap<>();
        Path kvms = root.resolve("kvms").resolve(ENV);
        Map<String, String> config = EnvironmentConfig.readKvmFile(kvms.resolve("psd2-hub-config.json"));
        String kmsEndpoint = kmsBaseUrl.toString();
        if (!kmsEndpoint.equals(config.get("kms-endpoint"))) {
            out.put("psd2-hub-config/kms-endpoint", kmsEndpoint);
        }
        for (String entry : List.of("callback-url", "redirect-callback-url")) {
            String callback = config.get(entry);
            if (callback == null) {
                throw new IllegalStateException(kvms.resolve("psd2-hub-config.json") + " has no " + entry);
            }
            URI cb = URI.create(callback);
            if (cb.getPort() != hubPort) {
                out.put("psd2-hub-config/" + entry, cb.getScheme() + "://" + cb.getHost() + ":" + hubPort
                        + cb.getRawPath() + (cb.getRawQuery() == null ? "" : "?" + cb.getRawQuery()));
            }
        }
        Map<String, String> profiles = EnvironmentConfig.readKvmFile(kvms.resolve("psd2-hub-banks.json"));
        Pattern issuer = Pattern.compile("\"issuer\"\\s*:\\s*\"(https?://[^/\"]+)");
        for (Map.Entry<String, URI> e : banks.entrySet()) {
            String profile = profiles.get(e.getKey());
            if (profile == null) {
                throw new IllegalStateException(kvms.resolve("psd2-hub-banks.json") + " has no profile " + e.getKey());
            }
            Matcher m = issuer.matcher(profile);
            if (!m.find()) {
                continue; // a bank without OAuth: its profile names no URL of the bank (the TargetServer has its port)
            }
            String configured = m.group(1);
            String actual = e.getValue().toString().replaceAll("/$", "");
            if (!configured.equals(actual)) {
                out.put("psd2-hub-banks/" + e.getKey(), profile.replace(configured, actual));
            }
        }
        return out;
    }

    /**
     * The JSON object {@code profile} with its top-level member {@code name} set to {@code jsonValue} (a string,
     * number, literal or an object without nested objects, as the bank profiles' members are); added when absent.
     */
    static String withMember(String profile, String name, String jsonValue) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name)
                + "\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|\\{[^{}]*\\}|[^,{}\\s]+)").matcher(profile);
        if (m.find()) {
            return profile.substring(0, m.start(1)) + jsonValue + profile.substring(m.end(1));
        }
        int close = profile.lastIndexOf('}');
        if (close < 0) {
            throw new IllegalArgumentException("not a JSON object: " + profile);
        }
        String head = profile.substring(0, close).stripTrailing();
        return head + (head.endsWith("{") ? "" : ",") + "\"" + name + "\":" + jsonValue + profile.substring(close);
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /** {@code http://127.0.0.1:<port>/psd2/v1}: the CRM API. */
    public String baseUrl() {
        return runtime.baseUrl() + "/psd2/v1";
    }

    /** The CRM app's API key ({@code x-api-key}). */
    public String consumerKey() {
        return consumerKey;
    }

    /** {@code http://127.0.0.1:<CRM port>/}: the demo CRM page (open it in a browser). */
    public String demoUrl() {
        return demoUrl;
    }

    /** The return URL of the local CRM page (registered for the CRM app). */
    public String returnUrl() {
        return crmPage.url();
    }

    /**
     * The runtime's Debug traces (the last {@link Options#traces} requests, masked with edge.json's debug mask), e.g.
     * {@code traces().awaitByRequestHeader("X-Request-ID", id, Duration.ofSeconds(5)).cost()}.
     */
    public eu.securehub.psd2.runtime.trace.TraceRecorder traces() {
        return runtime.traces();
    }

    /** {@code http://127.0.0.1:<port>/}: the Debug page (null when tracing is off). */
    public String debugUrl() {
        return debugPage == null ? null : debugPage.url();
    }

    /** How many message processors the runtime runs. */
    public int nodes() {
        return options.nodes;
    }

    public SandboxBank bank(String id) {
        SandboxBank bank = banks.get(id);
        if (bank == null) {
            throw new IllegalArgumentException("no bank " + id + " (" + banks.keySet() + ")");
        }
        return bank;
    }

    public TestPki pki() {
        return pki;
    }

    public Path pkiDir() {
        return options.pkiDir;
    }

    public LocalKms kms() {
        return kms;
    }

    public String kmsToken() {
        return kmsToken;
    }

    public LocalEnvironment environment() {
        return environment;
    }

    public LocalRuntime runtime() {
        return runtime;
    }

    /**
     * The running environment's keystores and references, as the management API offers them (create a keystore,
     * import a PKCS#12 alias, point a reference elsewhere): a QWAC roll-over on the running hub, e.g. a new keystore
     * {@code psd2-qwac-keystore-2027} with the new QWAC as alias {@code qwac}, then {@code psd2-qwac-keystore-ref}
     * pointed at it. Every message processor of the hub shares the environment's keystores, so all follow the switch.
     */
    public LocalEnvironment.KeyStoreManagement keyStores() {
        return environment.keyStoreManagement();
    }

    /** Visits the CRM return page received (state, outcome). */
    public List<CrmReturnPage.Visit> returnPageVisits() {
        return crmPage.visits();
    }

    /** Stops everything, in reverse order of start. */
    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("local hub: stopping " + running.get(i) + ": " + e);
            }
        }
    }

    private static String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A free port on 127.0.0.1 (the hub's port must be known before the environment loads: callback-url). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------------------------------------ the command

    /** What the command prints at start: the demo CRM page first, then the hub's addresses and a curl walk-through. */
    public String walkThrough() {
        SandboxBank alpha = bank("alpha");
        String iban = alpha.data().customerByUsername("anna").orElseThrow().accounts().get(0).iban();
        String validUntil = LocalDate.now().plusDays(90).toString();
        String nl = System.lineSeparator();
        List<String> bankLines = new ArrayList<>();
        for (String id : BANKS) {
            SandboxBank bank = bank(id);
            bankLines.add((bankLines.isEmpty() ? "  banks           " : "                  ") + String.format("%-6s", id)
                    + bank.baseUrl() + "  " + String.format("%-10s", bank.dialect().name().toLowerCase(java.util.Locale.ROOT)
                    + (options.requiresSignatures(id) ? "+QSEAL" : "")) + " (admin " + bank.adminUrl() + "/admin)");
        }
        return String.join(nl,
                "Demo CRM page   " + demoUrl() + "   <- open it in a browser: pick a bank and a sandbox customer,",
                "                connect accounts or make a payment (a CRM back end on the hub's public API; the banks'",
                "                pages use the test PKI's certificates: accept the browser's warning)",
                "",
                "PSD2 Secure Hub (local)",
                "  CRM API         " + baseUrl(),
                "  CRM API key     " + consumerKey + "   (app " + CRM_APP + ", header x-api-key)",
                "  CRM return URL  " + returnUrl() + "   (the demo page's: " + crmPage.origin()
                        + DemoCrmPage.RETURN_PATH + ")",
                String.join(nl, bankLines),
                "  local KMS       " + kms.baseUrl() + "  (bearer token " + kmsToken + ")",
                "  test PKI        " + options.pkiDir,
                "  message log     " + environment.messageLogFile(),
                "  Debug traces    " + (debugPage == null ? "off" : debugUrl() + "  (last " + options.traces
                        + " requests, masked; JSON at " + debugUrl() + "traces)"),
                "",
                "The same journey with curl (bash; needs curl and jq):",
                "",
                "  HUB=" + baseUrl(),
                "  KEY=" + consumerKey,
                "",
                "1. Start a consent at bank alpha (Anna Schmidt's Girokonto):",
                "",
                "  curl -sS -X POST \"$HUB/banks/alpha/consents\" -H \"x-api-key: $KEY\" \\",
                "    -H \"Content-Type: application/json\" -H \"PSU-IP-Address: 203.0.113.7\" \\",
                "    -d '{\"returnUrl\": \"" + returnUrl() + "\",",
                "         \"access\": {\"accounts\": [{\"iban\": \"" + iban + "\"}], \"balances\": [{\"iban\": \"" + iban
                        + "\"}],",
                "                    \"transactions\": [{\"iban\": \"" + iban + "\"}]},",
                "         \"recurringIndicator\": true, \"validUntil\": \"" + validUntil + "\", \"frequencyPerDay\": 4}'"
                        + " | tee consent.json",
                "  STATE=$(jq -r .state consent.json); jq -r .authorisationUrl consent.json",
                "",
                "2. Open the authorisationUrl in a browser. The bank's certificate is from the test PKI: accept the",
                "   warning (or trust " + options.pkiDir.resolve("bank-alpha-ca.pem") + "). Log in as anna / anna-sandbox-1",
                "   and approve. The bank sends the browser to the hub, which sends it on to the CRM return page with",
                "   outcome=success.",
                "",
                "3. Collect the hub token (once):",
                "",
                "  TOKEN=$(curl -sS -X POST \"$HUB/sessions\" -H \"x-api-key: $KEY\" -H \"Content-Type: application/json\" \\",
                "    -d \"{\\\"state\\\": \\\"$STATE\\\"}\" | jq -r .accessToken)",
                "",
                "4. Read the accounts (with PSU-IP-Address: the customer is present; without it the read is unattended):",
                "",
                "  curl -sS \"$HUB/accounts?withBalance=true\" -H \"x-api-key: $KEY\" -H \"Authorization: Bearer $TOKEN\" \\",
                "    -H \"PSU-IP-Address: 203.0.113.7\"",
                "  curl -sS \"$HUB/consents/current\" -H \"x-api-key: $KEY\" -H \"Authorization: Bearer $TOKEN\"",
                "",
                "Other sandbox logins (every bank): ben/ben-sandbox-2, clara/clara-sandbox-3, kraus/kraus-sandbox-4.",
                "Running; Ctrl-C stops everything.",
                "");
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("psd2.root", BerlinGroupContract.projectRoot().toString()));
        LocalHub hub = LocalHub.start(Options.fromSystemProperties(root));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping the local hub ...");
            hub.close();
            stopped.countDown();
        }, "local-hub-stop"));
        System.out.println(hub.walkThrough());
        stopped.await();
    }
}
