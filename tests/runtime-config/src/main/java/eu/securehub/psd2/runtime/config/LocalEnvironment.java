package eu.securehub.psd2.runtime.config;

import eu.securehub.psd2.config.ConfigException;
import eu.securehub.psd2.config.EnvironmentConfig;
import eu.securehub.psd2.runtime.policies.state.FileMessageLog;
import eu.securehub.psd2.runtime.policies.state.InMemoryCaches;
import eu.securehub.psd2.runtime.policies.state.InMemoryKeyValueMaps;
import eu.securehub.psd2.runtime.policies.state.InMemoryQuotaCounters;
import eu.securehub.psd2.runtime.policies.state.InMemorySpikeArrests;
import eu.securehub.psd2.runtime.spi.ApiKeys;
import eu.securehub.psd2.runtime.spi.Caches;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.GoogleAccessTokens;
import eu.securehub.psd2.runtime.spi.HttpCalls;
import eu.securehub.psd2.runtime.spi.KeyStoreEntry;
import eu.securehub.psd2.runtime.spi.KeyValueMaps;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.MessageLog;
import eu.securehub.psd2.runtime.spi.QuotaCounters;
import eu.securehub.psd2.runtime.spi.SpikeArrests;
import eu.securehub.psd2.runtime.spi.TargetServer;
import eu.securehub.psd2.runtime.trace.DebugMask;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * An Apigee environment for the local runtime, built from the same files the deploy uses (one source of truth),
 * read and checked by the config assembler ({@link EnvironmentConfig}) exactly as {@code mvn verify} and a deploy
 * read them:
 * <ul>
 *   <li>TargetServers from targetservers/ENV/ (host, port, isEnabled, sSLInfo → {@link eu.securehub.psd2.runtime.spi.SslInfo});</li>
 *   <li>keystores, aliases and references from keystores/ENV/, their {@code ${psd2.pki.dir:-target/test-pki}}-style
 *       placeholders resolved from the options (then Java system properties and environment variables, as the
 *       deploy does, then the placeholder's default; relative paths against the project root); PKCS#12 aliases
 *       become key entries, keycertfile aliases (the banks' CA certificates) truststore entries;
 *       {@code keyStore("ref://psd2-qwac-keystore-ref")} resolves references;</li>
 *   <li>the KVMs' initial entries from kvms/ENV/*.json (a value written as a JSON object, such as a bank profile,
 *       is stored as its compact JSON string, as the config plugin uploads it), then the keyring and, if asked
 *       for, the QSEAL (see {@link Options#createKeyring}, {@link KeyringSpec#withQseal}, {@link Options#keyringFile}),
 *       then {@link Options#kvmEntry} overrides;</li>
 *   <li>API products, developers and apps from edge.json's orgConfig, each app with a consumer key (random per
 *       start, or fixed by {@link Options#consumerKey}); {@link Options#returnUrls} overrides the apps' returnUrls
 *       attribute (a local CRM's return URL);</li>
 *   <li>Google access tokens: the fixed bearer token of the local KMS ({@link Options#googleAccessToken});</li>
 *   <li>HTTP calls with TLS from these keystores (JDK HttpClient per SSL setting and resolved keystore: a reference
 *       changed through {@link #keyStoreManagement()} is followed by the next connection);</li>
 *   <li>the message log (Cloud Logging stand-in) as a JSON-lines file ({@link Options#messageLog});</li>
 *   <li>in-memory caches, quota counters and spike arresters of psd2-runtime-policies; the clock of the options;</li>
 *   <li>the config step's certificate check ({@link EnvironmentConfig#checkCertificates}) on what this runtime serves:
 *       the QWAC its keystores loaded, the QSEAL of its keys map (entry {@code qseal}), the registry with the
 *       options' overrides; valid for {@link Options#certificateMinDays} more days (default
 *       {@value #LOCAL_CERTIFICATE_MIN_DAYS}: the test PKI's certificates are valid five days), with the PSD2 roles
 *       of the registry's services.</li>
 * </ul>
 * Every problem is a {@link ConfigError} naming the file (a configuration inconsistency found by the config
 * assembler lists every problem at once). Thread-safe once loaded.
 */
public final class LocalEnvironment implements Environment, AutoCloseable {

    /**
     * How to create the environment's keyring: kms-key-tool's {@code create --force} against the KMS at
     * {@code kmsEndpoint} (HOST:PORT on loopback, plain HTTP, REST: the local KMS, e.g. {@code LocalKms.endpoint()}),
     * with {@code bearerToken}, wrapping a new DEK with {@code kek} (which must exist in that KMS); the tool writes
     * {@code configDir/kvms/ENV/psd2-hub-keys.json}. Use a directory under target/ or a temporary one, never the
     * project root (kvms/local/psd2-hub-keys.json is git-ignored generated state).
     *
     * <p>With {@code qsealP12} (see {@link #withQseal}) the tool then runs {@code qseal import} on that PKCS#12 file
     * (alias {@value #QSEAL_ALIAS}, e.g. the test PKI's {@code qseal.p12}) into the same file, so the keys map also
     * holds the {@code qseal} entry the Berlin Group signing callout reads. {@code qsealPassword} is the file's
     * password; null: the {@code password.txt} beside it (TestPki writes one).
     */
    public record KeyringSpec(String kmsEndpoint, String bearerToken, String kek, Path configDir, Path qsealP12,
            char[] qsealPassword) {
        /** The alias of the QSEAL's key entry in {@code qsealP12} (TestPki.QSEAL_ALIAS). */
        public static final String QSEAL_ALIAS = "qseal";

        public KeyringSpec {
            Objects.requireNonNull(kmsEndpoint, "kmsEndpoint");
            Objects.requireNonNull(bearerToken, "bearerToken");
            Objects.requireNonNull(kek, "kek");
            Objects.requireNonNull(configDir, "configDir");
            if (qsealPassword != null && qsealP12 == null) {
                throw new IllegalArgumentException("a qsealPassword without a qsealP12");
            }
            qsealPassword = qsealPassword == null ? null : qsealPassword.clone();
        }

        /** A keyring without a QSEAL. */
        public KeyringSpec(String kmsEndpoint, String bearerToken, String kek, Path configDir) {
            this(kmsEndpoint, bearerToken, kek, configDir, null, null);
        }

        /**
         * This spec, also importing the QSEAL of {@code p12} (alias {@value #QSEAL_ALIAS}) after the keyring is
         * created; {@code password} null reads the {@code password.txt} beside {@code p12}.
         */
        public KeyringSpec withQseal(Path p12, char[] password) {
            return new KeyringSpec(kmsEndpoint, bearerToken, kek, configDir,
                    Objects.requireNonNull(p12, "p12").toAbsolutePath().normalize(), password);
        }

        /** A copy of the PKCS#12 password, or null. */
        @Override
        public char[] qsealPassword() {
            return qsealPassword == null ? null : qsealPassword.clone();
        }

        @Override
        public String toString() {
            return "KeyringSpec[kmsEndpoint=" + kmsEndpoint + ", kek=" + kek + ", configDir=" + configDir
                    + (qsealP12 == null ? "" : ", qsealP12=" + qsealP12) + "]";
        }
    }

    /**
     * The local runtime's minimum for the config step's certificate check ({@link Options#certificateMinDays}): the
     * test PKI's QWAC and QSEAL are valid for five days only (TestPki), so one day, as config/pom.xml's
     * psd2.cert.minDaysByEnv gives environment local. The config step's own default stays 30
     * ({@link EnvironmentConfig#defaultCertificateMinDays()}).
     */
    public static final int LOCAL_CERTIFICATE_MIN_DAYS = 1;

    /** Load options; immutable, each {@code with…}-style method returns a changed copy. */
    public static final class Options {
        private Path pkiDir;
        private char[] qwacPassword;
        private Map<String, String> placeholders = Map.of();
        private boolean systemPlaceholders = true;
        private Map<String, String> consumerKeys = Map.of();
        private Map<String, Map<String, String>> appAttributes = Map.of();
        private Map<String, Map<String, String>> kvmEntries = Map.of();
        private Path keyringFile;
        private KeyringSpec createKeyring;
        private String googleAccessToken;
        private Path messageLog;
        private Clock clock = Clock.systemUTC();
        private int certificateMinDays = LOCAL_CERTIFICATE_MIN_DAYS;

        private Options() {
        }

        /** Random consumer keys, PKI in the keystores' default folder (target/test-pki), the system clock. */
        public static Options defaults() {
            return new Options();
        }

        private Options copy() {
            Options o = new Options();
            o.pkiDir = pkiDir;
            o.qwacPassword = qwacPassword;
            o.placeholders = placeholders;
            o.systemPlaceholders = systemPlaceholders;
            o.consumerKeys = consumerKeys;
            o.appAttributes = appAttributes;
            o.kvmEntries = kvmEntries;
            o.keyringFile = keyringFile;
            o.createKeyring = createKeyring;
            o.googleAccessToken = googleAccessToken;
            o.messageLog = messageLog;
            o.clock = clock;
            o.certificateMinDays = certificateMinDays;
            return o;
        }

        /** The test PKI's folder (TestPki.writeTo): the value of {@code ${psd2.pki.dir}} in keystores/ENV. */
        public Options pkiDir(Path dir) {
            Options o = copy();
            o.pkiDir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
            return o;
        }

        /**
         * The PKCS#12 password ({@code ${psd2.qwac.password}}); by default the {@code password.txt} TestPki writes
         * beside the PKCS#12 file is read.
         */
        public Options qwacPassword(char[] password) {
            Options o = copy();
            o.qwacPassword = Objects.requireNonNull(password, "password").clone();
            return o;
        }

        /** Any other placeholder of keystores/ENV, by name (e.g. {@code psd2.pki.dir}). */
        public Options placeholder(String name, String value) {
            Options o = copy();
            o.placeholders = with(placeholders, name, value);
            return o;
        }

        /**
         * Whether placeholders the options leave open are looked up as Java system properties and environment
         * variables, as the deploy does (default true; tests may turn it off for isolation).
         */
        public Options systemPlaceholders(boolean on) {
            Options o = copy();
            o.systemPlaceholders = on;
            return o;
        }

        /** A fixed consumer key for the app of that name (tests); others get a random key per start. */
        public Options consumerKey(String appName, String key) {
            Options o = copy();
            o.consumerKeys = with(consumerKeys, appName, key);
            return o;
        }

        /**
         * A local-only app: a copy of edge.json's first app (developer, products, attributes) under another name, with
         * this consumer key; for tests of what the hub binds to an app. edge.json is not changed.
         */
        public Options appCopy(String appName, String key) {
            Options o = copy();
            o.consumerKeys = with(consumerKeys, LocalApiKeys.COPY_PREFIX + appName, key);
            return o;
        }

        /** Sets an attribute of one app ("*": every app) over its edge.json value. */
        public Options appAttribute(String appName, String name, String value) {
            Options o = copy();
            Map<String, Map<String, String>> all = new LinkedHashMap<>(appAttributes);
            all.put(appName, with(all.getOrDefault(appName, Map.of()), name, value));
            o.appAttributes = Collections.unmodifiableMap(all);
            return o;
        }

        /** Every app's {@code returnUrls} attribute (VerifyAPIKey exposes it), e.g. a local CRM's return URL. */
        public Options returnUrls(String returnUrls) {
            return appAttribute("*", "returnUrls", returnUrls);
        }

        /** A KVM entry set after the initial entries (e.g. psd2-hub-config kms-endpoint of a local KMS on a free port). */
        public Options kvmEntry(String map, String key, String value) {
            Options o = copy();
            Map<String, Map<String, String>> all = new LinkedHashMap<>(kvmEntries);
            all.put(map, with(all.getOrDefault(map, Map.of()), key, value));
            o.kvmEntries = Collections.unmodifiableMap(all);
            return o;
        }

        /** A psd2-hub-keys KVM file (kms-key-tool's shape) to load instead of kvms/ENV/psd2-hub-keys.json. */
        public Options keyringFile(Path file) {
            Options o = copy();
            o.keyringFile = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
            o.createKeyring = null;
            return o;
        }

        /**
         * Creates a fresh keyring at load with kms-key-tool against a local KMS (see {@link KeyringSpec}), and imports
         * the spec's QSEAL into the same file when it names one ({@link KeyringSpec#withQseal}).
         */
        public Options createKeyring(KeyringSpec spec) {
            Options o = copy();
            o.createKeyring = Objects.requireNonNull(spec, "spec");
            o.keyringFile = null;
            return o;
        }

        /** The bearer token GoogleAccessToken authentication gets (the local KMS's token). */
        public Options googleAccessToken(String token) {
            Options o = copy();
            o.googleAccessToken = Objects.requireNonNull(token, "token");
            return o;
        }

        /** The JSON-lines file of the message log (default: target/local-runtime/ENV/message-log.jsonl under the root). */
        public Options messageLog(Path file) {
            Options o = copy();
            o.messageLog = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
            return o;
        }

        public Options clock(Clock clock) {
            Options o = copy();
            o.clock = Objects.requireNonNull(clock, "clock");
            return o;
        }

        /**
         * How many days the QWAC and the QSEAL must still be valid at load (the config step's certificate check, also
         * their PSD2 roles for the registry's services); default {@value LocalEnvironment#LOCAL_CERTIFICATE_MIN_DAYS}.
         */
        public Options certificateMinDays(int days) {
            if (days < 1 || days > 3650) {
                throw new IllegalArgumentException("certificateMinDays must be from 1 to 3650, got " + days);
            }
            Options o = copy();
            o.certificateMinDays = days;
            return o;
        }

        private static Map<String, String> with(Map<String, String> map, String key, String value) {
            Map<String, String> m = new LinkedHashMap<>(map);
            m.put(Objects.requireNonNull(key, "name"), Objects.requireNonNull(value, "value"));
            return Collections.unmodifiableMap(m);
        }
    }

    private final String name;
    private final Path root;
    private final Clock clock;
    private final InMemoryKeyValueMaps kvms;
    private final InMemoryQuotaCounters quotas = new InMemoryQuotaCounters();
    private final InMemorySpikeArrests spikeArrests = new InMemorySpikeArrests();
    private final InMemoryCaches cacheStore;
    private final Map<String, TargetServer> targetServers;
    private final LocalKeyStores keyStores;
    private final LocalApiKeys apiKeys;
    private final FileMessageLog messageLog;
    private final GoogleAccessTokens googleTokens;
    private final LocalHttpCalls http;
    private final Path keyring;
    private volatile List<String> certificates;
    private final EnvironmentConfig config;
    private final int certificateMinDays;
    /** Map → the entries the certificate check read at load (re-read from the store for a check after a change). */
    private final Map<String, Set<String>> checkedEntries;
    private final String keysLabel;
    private final KeyStoreManagement keyStoreManagement = new KeyStoreManagement();
    private final DebugMask debugMask;

    private LocalEnvironment(EnvironmentConfig config, Options options, LocalKeyStores keyStores,
            Map<String, TargetServer> targetServers, LocalApiKeys apiKeys, InMemoryKeyValueMaps kvms, Path keyring,
            List<String> certificates, Map<String, Set<String>> checkedEntries, String keysLabel) {
        this.config = config;
        this.debugMask = DebugMask.fromMap(config.debugMask());
        this.certificateMinDays = options.certificateMinDays;
        this.checkedEntries = checkedEntries;
        this.keysLabel = keysLabel;
        this.name = config.name();
        this.root = config.root();
        this.clock = options.clock;
        this.keyStores = keyStores;
        this.targetServers = targetServers;
        this.apiKeys = apiKeys;
        this.kvms = kvms;
        this.keyring = keyring;
        this.certificates = certificates;
        this.cacheStore = new InMemoryCaches(clock);
        Path log = options.messageLog != null ? options.messageLog
                : root.resolve("target").resolve("local-runtime").resolve(name).resolve("message-log.jsonl");
        this.messageLog = new FileMessageLog(log, clock);
        String token = options.googleAccessToken;
        this.googleTokens = scopes -> {
            if (token == null) {
                throw new IllegalStateException("environment " + name + " has no Google access token: start it with"
                        + " LocalEnvironment.Options.googleAccessToken (the local KMS's bearer token)");
            }
            return token;
        };
        this.http = new LocalHttpCalls(() -> this);
    }

    /**
     * Builds environment {@code env} from the project at {@code projectRoot}.
     *
     * @throws ConfigError naming the file and the problem (missing PKI file, missing password, inconsistent config…)
     */
    public static LocalEnvironment load(Path projectRoot, String env, Options options) {
        Objects.requireNonNull(projectRoot, "projectRoot");
        Objects.requireNonNull(env, "env");
        Options o = options != null ? options : Options.defaults();
        EnvironmentConfig config;
        try {
            config = EnvironmentConfig.load(projectRoot, env, placeholders(o));
        } catch (ConfigException e) {
            throw new ConfigError(null, e.getMessage(), e);
        }
        LocalKeyStores keyStores = LocalKeyStores.load(config, o.qwacPassword, o.clock);
        Map<String, TargetServer> targetServers = LocalTargetServers.load(config, keyStores);
        LocalApiKeys apiKeys = LocalApiKeys.load(config.orgConfig(), o.consumerKeys, o.appAttributes, new SecureRandom());

        InMemoryKeyValueMaps kvms = new InMemoryKeyValueMaps(o.clock);
        // The deploy's initial entries go in through the management API: no node cache is involved.
        Map<String, Map<String, String>> initial = config.kvms();
        initial.forEach((map, entries) -> entries.forEach((k, v) -> kvms.adminPut(map, k, v)));
        Path keyring = initial.containsKey(EnvironmentConfig.keysMap())
                ? config.root().resolve("kvms").resolve(env).resolve(EnvironmentConfig.keysMap() + ".json") : null;
        Path keyringSource = o.keyringFile;
        if (o.createKeyring != null) {
            keyringSource = KeyringFactory.create(env, o.createKeyring);
            if (o.createKeyring.qsealP12() != null) {
                KeyringFactory.importQseal(env, o.createKeyring);
            }
        }
        if (keyringSource != null) {
            Map<String, String> entries;
            try {
                entries = EnvironmentConfig.readKvmFile(keyringSource);
            } catch (ConfigException e) {
                throw new ConfigError(new Location(keyringSource.toString(), 0), e.getMessage(), e);
            }
            if (!entries.containsKey(EnvironmentConfig.keyringEntry())) {
                throw new ConfigError(new Location(keyringSource.toString(), 0), "no " + EnvironmentConfig.keyringEntry()
                        + " entry (kms-key-tool create writes it)");
            }
            // The given keyring replaces the project's keys map (if any) as a whole.
            if (initial.containsKey(EnvironmentConfig.keysMap())) {
                initial.get(EnvironmentConfig.keysMap()).keySet()
                        .forEach(k -> kvms.adminDelete(EnvironmentConfig.keysMap(), k));
            }
            entries.forEach((k, v) -> kvms.adminPut(EnvironmentConfig.keysMap(), k, v));
            keyring = keyringSource;
        }
        o.kvmEntries.forEach((map, entries) -> entries.forEach((k, v) -> kvms.adminPut(map, k, v)));

        // The config step's certificate check on what this runtime serves: the QWAC its keystores hold, the QSEAL of its
        // keys map, the registry with the options' overrides.
        Map<String, Map<String, String>> served = new LinkedHashMap<>();
        initial.forEach((map, entries) -> served.put(map, new LinkedHashMap<>(entries)));
        if (keyringSource != null) {
            served.put(EnvironmentConfig.keysMap(), new LinkedHashMap<>(EnvironmentConfig.readKvmFile(keyringSource)));
        }
        o.kvmEntries.forEach((map, entries) -> served.computeIfAbsent(map, k -> new LinkedHashMap<>()).putAll(entries));
        List<String> certificates;
        String keysLabel = keyring != null ? keyring.toString() : "the " + EnvironmentConfig.keysMap() + " KVM";
        try {
            certificates = config.checkCertificates(o.certificateMinDays, o.clock.instant(), keyStores::keyCertificate,
                    served, keysLabel, CERTIFICATE_MIN_DAYS_OPTION);
        } catch (ConfigException e) {
            throw new ConfigError(null, e.getMessage(), e);
        }
        Map<String, Set<String>> checkedEntries = new LinkedHashMap<>();
        served.forEach((map, entries) -> checkedEntries.put(map, Set.copyOf(entries.keySet())));
        return new LocalEnvironment(config, o, keyStores, targetServers, apiKeys, kvms, keyring, certificates,
                Collections.unmodifiableMap(checkedEntries), keysLabel);
    }

    private static final String CERTIFICATE_MIN_DAYS_OPTION = "LocalEnvironment.Options.certificateMinDays";

    /** Options, then (if enabled) system properties and environment variables; null: the placeholder's default. */
    private static Function<String, String> placeholders(Options o) {
        Function<String, String> system = o.systemPlaceholders ? EnvironmentConfig.systemPlaceholders() : n -> null;
        return name -> {
            if (name.equals("psd2.pki.dir") && o.pkiDir != null) {
                return o.pkiDir.toString();
            }
            if (name.equals("psd2.qwac.password") && o.qwacPassword != null) {
                return new String(o.qwacPassword);
            }
            String v = o.placeholders.get(name);
            return v != null ? v : system.apply(name);
        };
    }

    // ---------------------------------------------------------------- Environment

    @Override
    public String name() {
        return name;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public KeyValueMaps kvms() {
        return kvms;
    }

    @Override
    public Caches caches() {
        return cacheStore;
    }

    /** The caches as a store, with a view per message processor ({@link InMemoryCaches#node()}). */
    public InMemoryCaches cacheStore() {
        return cacheStore;
    }

    @Override
    public QuotaCounters quotas() {
        return quotas;
    }

    @Override
    public SpikeArrests spikeArrests() {
        return spikeArrests;
    }

    @Override
    public Optional<TargetServer> targetServer(String serverName) {
        return Optional.ofNullable(targetServers.get(serverName));
    }

    @Override
    public Optional<KeyStoreEntry> keyStore(String nameOrRef) {
        return keyStores.find(nameOrRef);
    }

    @Override
    public ApiKeys apiKeys() {
        return apiKeys;
    }

    @Override
    public MessageLog messageLog() {
        return messageLog;
    }

    @Override
    public GoogleAccessTokens googleTokens() {
        return googleTokens;
    }

    @Override
    public HttpCalls http() {
        return http;
    }

    // ---------------------------------------------------------------- beyond the SPI

    /** The project root the environment was read from. */
    public Path projectRoot() {
        return root;
    }

    /** Every TargetServer, by name. */
    public Map<String, TargetServer> targetServers() {
        return targetServers;
    }

    /** The keystores' names (references resolve to them). */
    public Set<String> keyStoreNames() {
        return keyStores.names();
    }

    /** Reference name → keystore name. */
    public Map<String, String> references() {
        return keyStores.references();
    }

    /** App name → its consumer key for this start (to print for the CRM, or to use in tests). */
    public Map<String, String> consumerKeys() {
        return apiKeys.consumerKeys();
    }

    /** The consumer key of the app of that name. */
    public String consumerKey(String appName) {
        String key = apiKeys.consumerKeys().get(appName);
        if (key == null) {
            throw new IllegalArgumentException("no app " + appName + " (apps: " + apiKeys.consumerKeys().keySet() + ")");
        }
        return key;
    }

    /** The API products of orgConfig, by name (environments and operations, which the SPI's App does not carry). */
    public Map<String, ApiProduct> apiProducts() {
        return apiKeys.products();
    }

    /** The KVM store itself (management-API writes, inspection of stored values, more nodes). */
    public InMemoryKeyValueMaps kvmStore() {
        return kvms;
    }

    /**
     * The environment's debug mask: edge.json's {@code allEnvConfig.debugMasks[0]}, the one the deploy sets on Apigee X
     * ({@code Main debugmask}, an Apigee X DebugMask, https://cloud.google.com/apigee/docs/reference/apis/apigee/rest/v1/DebugMask),
     * for the local runtime's Debug traces; {@link DebugMask#NONE} when edge.json has none.
     */
    public DebugMask debugMask() {
        return debugMask;
    }

    /** The message log's file. */
    public Path messageLogFile() {
        return messageLog.file();
    }

    /** Where the keyring came from (the generated or given file, or the project's), if there is one. */
    public Optional<Path> keyringFile() {
        return Optional.ofNullable(keyring);
    }

    /**
     * What the certificate check said of each certificate (CN, notAfter, days left, PSD2 roles): at load, and again
     * after each reference switch ({@link KeyStoreManagement#updateReference}).
     */
    public List<String> certificatesChecked() {
        return certificates;
    }

    /** The management API's keystore and reference calls on this environment (the QWAC roll-over). */
    public KeyStoreManagement keyStoreManagement() {
        return keyStoreManagement;
    }

    /**
     * What Apigee X's management API offers for keystores and references, on the running environment: create a
     * keystore, import a PKCS#12 alias into it, point a reference at another keystore. This is how the QWAC is rolled
     * without downtime (PLATFORM-GUIDE.md, "Rotate keys and certificates"): a new keystore (e.g. {@code psd2-qwac-keystore-2027})
     * gets the new certificate and key under the alias the TargetServers present ({@code qwac}), then the reference
     * {@code psd2-qwac-keystore-ref} is pointed at it. TargetServers and ServiceCallouts name only the reference, so
     * nothing is redeployed.
     *
     * <p>When it takes effect: Google documents that changing a reference changes the keystore the TargetServer uses
     * (Apigee X "Working with references"; "no Router or Message Processor restart is necessary" in the Edge guide
     * "Update a TLS certificate"), but not how soon a message processor sees the change, nor what happens to
     * connections it already has open. UNCONFIRMED, the local runtime's choice: connections opened after the switch
     * present the new keystore's key ({@link LocalHttpCalls} resolves the reference for every request and keeps one
     * client per resolved keystore); a connection already open may keep presenting the old one until it is closed
     * (TLS client authentication happens once per connection). So both keystores must hold a valid QWAC while the
     * reference changes.
     *
     * <p>Checks, each a refusal before anything changes: {@link #importPkcs12} applies the load's checks to the file (the
     * password opens it and its key, exactly one key entry, the certificate valid now unless
     * {@code ignoreExpiryValidation}), and, for an alias a TargetServer presents ({@code qwac}), the config step's
     * certificate check (valid for {@link Options#certificateMinDays} more days, the PSD2 QCStatement and the roles of
     * the registry's services) as the deploy's config step runs it before it creates the alias.
     * {@link #updateReference} refuses a keystore that lacks a key entry for the alias of a TargetServer whose
     * {@code keyStore} is the reference (Google: "ensure that the alias name of the cert is the same as in the old
     * keystore"; that the management API itself refuses such an update is not documented: a choice of the local
     * runtime, so that a switch cannot stop every bank call), and runs the certificate check on the switched state.
     * Thread-safe; requests in flight finish with the keystore they started with.
     */
    public final class KeyStoreManagement {
        private KeyStoreManagement() {
        }

        /** Creates an empty keystore ({@code POST …/environments/ENV/keystores}); an existing name is refused. */
        public void createKeyStore(String keystore) {
            keyStores.createKeyStore(keystore);
        }

        /**
         * Imports a PKCS#12 file's one key entry as {@code alias} of {@code keystore}
         * ({@code POST …/keystores/KS/aliases?format=pkcs12&alias=ALIAS}, the file and its password); an existing alias
         * is refused (a new certificate goes into a new keystore).
         *
         * @return the imported certificate
         * @throws ConfigError when the file or its certificate is refused (see the class comment)
         */
        public X509Certificate importPkcs12(String keystore, String alias, byte[] pkcs12, char[] password) {
            return importPkcs12(keystore, alias, pkcs12, password, false);
        }

        /** {@link #importPkcs12(String, String, byte[], char[])} with the upload's {@code ignoreExpiryValidation}. */
        public X509Certificate importPkcs12(String keystore, String alias, byte[] pkcs12, char[] password,
                boolean ignoreExpiryValidation) {
            synchronized (this) {
                if (presentedAliases().contains(alias)) {
                    // The config step checks the new QWAC before the plugin creates its alias: check a candidate first.
                    X509Certificate candidate = candidate(alias, pkcs12, password, ignoreExpiryValidation);
                    checkCertificates(null, null, alias, candidate, "importing alias " + alias + " into keystore "
                            + keystore);
                }
                X509Certificate imported = keyStores.importPkcs12(keystore, alias, pkcs12, password,
                        ignoreExpiryValidation);
                http.forgetSuperseded();
                return imported;
            }
        }

        /**
         * Points {@code reference} at {@code keystore} ({@code PUT …/environments/ENV/references/REF}). New connections
         * after this call present the new keystore's key; connections already open may keep the old one (see the class
         * comment: UNCONFIRMED for Apigee X).
         *
         * @return the keystore the reference referred to before
         * @throws IllegalArgumentException for an unknown reference or keystore
         * @throws ConfigError when the keystore lacks the alias a TargetServer presents through the reference, or the
         *                     certificate check refuses what would be presented
         */
        public String updateReference(String reference, String keystore) {
            synchronized (this) {
                String before = keyStores.references().get(reference);
                if (before == null) {
                    throw new IllegalArgumentException("no reference " + reference + " in environment " + name
                            + " (references: " + keyStores.references().keySet() + ")");
                }
                if (!keyStores.names().contains(keystore)) {
                    throw new IllegalArgumentException("no keystore " + keystore + " in environment " + name
                            + " (keystores: " + keyStores.names() + ")");
                }
                Location at = new Location("references/" + reference, 0);
                for (TargetServer ts : targetServers.values()) {
                    if (ts.ssl().isEmpty()) {
                        continue;
                    }
                    eu.securehub.psd2.runtime.spi.SslInfo ssl = ts.ssl().get();
                    if (names(reference, ssl.keyStore()) && ssl.keyAlias() != null
                            && !keyStores.hasKeyEntry(keystore, ssl.keyAlias())) {
                        throw new ConfigError(at, "reference " + reference + " cannot refer to keystore " + keystore
                                + ": TargetServer " + ts.name() + " presents alias " + ssl.keyAlias() + " through it,"
                                + " and " + keystore + " has no key entry " + ssl.keyAlias() + " (the alias must stay"
                                + " the same: import it into " + keystore + " first)");
                    }
                    if (names(reference, ssl.trustStore()) && keyStores.resolve(keystore).aliases().isEmpty()) {
                        throw new ConfigError(at, "reference " + reference + " cannot refer to keystore " + keystore
                                + ": TargetServer " + ts.name() + " trusts through it, and " + keystore
                                + " holds no certificate");
                    }
                }
                List<String> lines = checkCertificates(reference, keystore, null, null, "switching reference "
                        + reference + " from " + before + " to " + keystore);
                keyStores.updateReference(reference, keystore);
                certificates = lines;
                http.forgetSuperseded();
                return before;
            }
        }

        /** The keystore a reference refers to now. */
        public Optional<String> referredKeyStore(String reference) {
            return Optional.ofNullable(keyStores.references().get(reference));
        }

        /**
         * The certificate of a key entry of a keystore, or of the keystore a reference ({@code ref://NAME} or the
         * name) refers to now; empty when there is no such key entry.
         */
        public Optional<X509Certificate> keyCertificate(String keystoreOrReference, String alias) {
            LocalKeyStores.Entry entry = keyStores.resolve(keystoreOrReference);
            return entry == null ? Optional.empty() : Optional.ofNullable(keyStores.keyCertificate(entry.name(), alias));
        }

        /** The keystores' names now. */
        public Set<String> keyStoreNames() {
            return keyStores.names();
        }

        /** Reference name → keystore name, now. */
        public Map<String, String> references() {
            return keyStores.references();
        }

        private boolean names(String reference, String nameOrRef) {
            return nameOrRef != null && (nameOrRef.equals(reference) || nameOrRef.equals("ref://" + reference));
        }

        /** The key aliases the TargetServers present. */
        private Set<String> presentedAliases() {
            Set<String> out = new java.util.TreeSet<>();
            targetServers.values().forEach(ts -> ts.ssl().filter(ssl -> ssl.clientAuth() && ssl.keyAlias() != null)
                    .ifPresent(ssl -> out.add(ssl.keyAlias())));
            return out;
        }

        /** The certificate of a PKCS#12 upload, read through the same checks into a scratch keystore. */
        private X509Certificate candidate(String alias, byte[] pkcs12, char[] password, boolean ignoreExpiry) {
            LocalKeyStores scratch = LocalKeyStores.scratch(clock);
            scratch.createKeyStore("candidate");
            return scratch.importPkcs12("candidate", alias, pkcs12, password, ignoreExpiry);
        }
    }

    /**
     * The config step's certificate check on the state after a change: {@code reference} pointed at {@code keystore}
     * (both null: no switch), or the {@code candidate} certificate presented for {@code alias} (null: none).
     */
    private List<String> checkCertificates(String reference, String keystore, String alias, X509Certificate candidate,
            String doing) {
        Map<String, String> refs = new LinkedHashMap<>(keyStores.references());
        if (reference != null) {
            refs.put(reference, keystore);
        }
        Map<String, Map<String, String>> served = new LinkedHashMap<>();
        checkedEntries.forEach((map, keys) -> {
            Map<String, String> values = new LinkedHashMap<>();
            keys.forEach(k -> kvms.storedValue(map, k).ifPresent(v -> values.put(k, v)));
            served.put(map, values);
        });
        try {
            return config.checkCertificates(certificateMinDays, clock.instant(), (configured, a) -> {
                if (candidate != null && a.equals(alias)) {
                    return candidate;
                }
                return keyStores.keyCertificate(liveKeyStore(configured, refs, reference), a);
            }, served, keysLabel, CERTIFICATE_MIN_DAYS_OPTION);
        } catch (ConfigException e) {
            throw new ConfigError(new Location("keystores/" + name, 0), doing + ": the certificate check refuses it (a"
                    + " QWAC below is named by the keystore keystores/" + name + " configures for its reference): "
                    + e.getMessage(), e);
        }
    }

    /**
     * The keystore that stands now for a keystore the config's references refer to: the config's check names the
     * keystore of keystores/ENV; after a switch the reference refers elsewhere. {@code preferred} (the reference being
     * switched) wins when several references refer to it.
     */
    private String liveKeyStore(String configured, Map<String, String> refs, String preferred) {
        String live = null;
        for (Map<String, Object> r : config.references()) {
            if (configured.equals(r.get("refers")) && r.get("name") instanceof String ref && refs.containsKey(ref)) {
                if (ref.equals(preferred)) {
                    return refs.get(ref);
                }
                if (live == null) {
                    live = refs.get(ref);
                }
            }
        }
        return live != null ? live : configured;
    }

    /** Closes the message log. */
    @Override
    public void close() {
        try {
            messageLog.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot close the message log " + messageLog.file(), e);
        }
    }

    @Override
    public String toString() {
        return "LocalEnvironment[" + name + " from " + root + ", targetServers=" + targetServers.keySet()
                + ", keystores=" + keyStores.names() + ", apps=" + apiKeys.consumerKeys().keySet() + "]";
    }
}
