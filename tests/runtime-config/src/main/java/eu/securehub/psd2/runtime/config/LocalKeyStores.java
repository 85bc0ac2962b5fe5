package eu.securehub.psd2.runtime.config;

import eu.securehub.psd2.config.EnvironmentConfig;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.KeyStoreEntry;
import eu.securehub.psd2.runtime.spi.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment's keystores and truststores, built from keystores/ENV/*.json as the config plugin uploads them:
 * a {@code pkcs12} alias is the (single) key entry of its file, stored under the alias name; a {@code keycertfile}
 * alias is a certificate (a truststore entry; every certificate of the PEM file is trusted) or, with
 * {@code keyFilePath}, a key entry (unencrypted PKCS#8 PEM key, the certificate file its chain). References
 * ({@code ref://NAME} or the plain reference name) resolve to their keystore.
 *
 * <p>Each keystore is an in-memory PKCS#12 {@link KeyStore}; its key entries are protected by a password made for
 * this start ({@link KeyStoreEntry#password()}), never by the file's password.
 *
 * <p>Like Apigee's upload, an expired certificate is refused unless the alias says {@code ignoreExpiryValidation}.
 * The formats {@code keycertjar} and {@code selfsignedcert} are not emulated: a start-up error, not ignored.
 */
final class LocalKeyStores {
    /** The members an alias may have (the config plugin's alias fields). */
    private static final Set<String> ALIAS_FIELDS = Set.of("alias", "keystorename", "format", "filePath", "password",
            "certFilePath", "keyFilePath", "ignoreExpiryValidation", "ignoreNewlineValidation");
    private static final Set<String> KEYSTORE_FIELDS = Set.of("name");
    private static final Set<String> REFERENCE_FIELDS = Set.of("name", "refers", "resourceType", "description");
    /** The password file TestPki writes beside its PKCS#12 files. */
    static final String PASSWORD_FILE = "password.txt";
    /** The PEM label of an unencrypted PKCS#8 key. */
    private static final String PKCS8_LABEL = "PRIVATE KEY";
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN " + PKCS8_LABEL + "-----([A-Za-z0-9+/=\\s]+)-----END " + PKCS8_LABEL + "-----");

    record Entry(String name, KeyStore keyStore, char[] password, Set<String> aliases) implements KeyStoreEntry {
        @Override
        public char[] password() {
            return password.clone();
        }
    }

    /** The alias names the management API accepts (Apigee X's REST reference for keystores.aliases.create). */
    private static final Pattern ALIAS_NAME = Pattern.compile("[\\w\\s.-]{1,255}");
    /** Keystore names: a choice of the local runtime (letters, digits, '.', '_', '-'), as every name in keystores/ENV. */
    private static final Pattern KEYSTORE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,255}");

    /*
     * Copy-on-write: every change (a keystore created, an alias imported, a reference updated) publishes new maps, and
     * an imported alias a new Entry (a new KeyStore), so that a reader always sees one consistent state and a TLS
     * client built from an Entry can be told apart from one built from its successor (LocalHttpCalls keys its clients
     * by the resolved entries).
     */
    private volatile Map<String, Entry> keystores;
    private volatile Map<String, String> references;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    private LocalKeyStores(Map<String, Entry> keystores, Map<String, String> references, Clock clock) {
        this.keystores = keystores;
        this.references = references;
        this.clock = clock;
    }

    /** An empty set of keystores (no references), e.g. to read an upload through the checks before it is applied. */
    static LocalKeyStores scratch(Clock clock) {
        return new LocalKeyStores(Map.of(), Map.of(), Objects.requireNonNull(clock, "clock"));
    }

    Optional<KeyStoreEntry> find(String nameOrRef) {
        return Optional.ofNullable(resolve(nameOrRef));
    }

    /** The keystore a name or reference ({@code ref://NAME} or the plain reference name) stands for now, or null. */
    Entry resolve(String nameOrRef) {
        if (nameOrRef == null || nameOrRef.isEmpty()) {
            return null;
        }
        Map<String, Entry> stores = keystores;
        Map<String, String> refs = references;
        if (nameOrRef.startsWith("ref://")) {
            String refers = refs.get(nameOrRef.substring("ref://".length()));
            return refers == null ? null : stores.get(refers);
        }
        Entry direct = stores.get(nameOrRef);
        if (direct != null) {
            return direct;
        }
        String refers = refs.get(nameOrRef);
        return refers == null ? null : stores.get(refers);
    }

    Set<String> names() {
        return keystores.keySet();
    }

    /** The certificate of a key entry (the leaf of its chain), or null when the keystore has no such entry. */
    X509Certificate keyCertificate(String keystore, String alias) {
        Entry entry = keystores.get(keystore);
        try {
            if (entry == null || !entry.keyStore().isKeyEntry(alias)) {
                return null;
            }
            return entry.keyStore().getCertificate(alias) instanceof X509Certificate x ? x : null;
        } catch (java.security.KeyStoreException e) {
            return null;
        }
    }

    /** Reference name → keystore name, as they are now (a snapshot). */
    Map<String, String> references() {
        return references;
    }

    // ---------------------------------------------------------------- the management API's part

    /**
     * Creates an empty keystore ({@code POST …/environments/ENV/keystores}); an existing name is refused, as the
     * management API refuses it.
     */
    synchronized void createKeyStore(String name) {
        if (name == null || !KEYSTORE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("keystore name " + name + " must be 1 to 255 letters, digits, '.', '_'"
                    + " or '-'");
        }
        if (keystores.containsKey(name)) {
            throw new IllegalStateException("keystore " + name + " already exists (a QWAC roll creates a keystore with a"
                    + " new name)");
        }
        if (references.containsKey(name)) {
            throw new IllegalStateException(name + " is the name of a reference of this environment");
        }
        Map<String, Entry> next = new LinkedHashMap<>(keystores);
        next.put(name, new Entry(name, emptyStore(), password(random), Set.of()));
        keystores = Collections.unmodifiableMap(next);
    }

    /**
     * Imports the one key entry of a PKCS#12 file as {@code alias} of {@code keystore}
     * ({@code POST …/keystores/KS/aliases?format=pkcs12&alias=A}), with the load's checks: the password must open
     * the file and its key, the file must hold exactly one key entry (or one named {@code alias}) with a chain, and its
     * certificate must be valid now on the environment's clock unless {@code ignoreExpiryValidation}. An alias that
     * exists already is refused: the roll-over never replaces an alias in place (the config plugin never updates one),
     * it creates a new keystore.
     *
     * @return the imported certificate (the leaf of the chain)
     * @throws ConfigError naming the keystore, the alias and the problem
     */
    synchronized X509Certificate importPkcs12(String keystore, String alias, byte[] pkcs12, char[] password,
            boolean ignoreExpiryValidation) {
        Entry store = keystores.get(keystore);
        if (store == null) {
            throw new IllegalArgumentException("no keystore " + keystore + " in this environment (keystores: "
                    + keystores.keySet() + "); create it first");
        }
        if (alias == null || !ALIAS_NAME.matcher(alias).matches()) {
            throw new IllegalArgumentException("alias " + alias + " must match [\\w\\s.-]{1,255}");
        }
        if (store.aliases().contains(alias)) {
            throw new IllegalStateException("keystore " + keystore + " already has an alias " + alias + ": an alias is"
                    + " never replaced in place; put the new certificate into a new keystore and switch the reference");
        }
        Location at = new Location("keystores/" + keystore + "/aliases/" + alias, 0);
        String what = "alias " + alias + " of keystore " + keystore;
        try {
            KeyStore copy = copyOf(store);
            addPkcs12(at, what, copy, store.password, alias, "the uploaded PKCS#12 file",
                    new java.io.ByteArrayInputStream(Objects.requireNonNull(pkcs12, "pkcs12")),
                    Objects.requireNonNull(password, "password"), clock, ignoreExpiryValidation);
            Set<String> aliases = new LinkedHashSet<>(store.aliases());
            aliases.add(alias);
            Map<String, Entry> next = new LinkedHashMap<>(keystores);
            next.put(keystore, new Entry(keystore, copy, store.password, Collections.unmodifiableSet(aliases)));
            keystores = Collections.unmodifiableMap(next);
            return (X509Certificate) copy.getCertificate(alias);
        } catch (GeneralSecurityException e) {
            throw new ConfigError(at, what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Points an existing reference at another existing keystore ({@code PUT …/references/REF}). The caller has checked
     * what the new keystore must hold.
     *
     * @return the keystore the reference referred to before
     */
    synchronized String updateReference(String reference, String keystore) {
        String before = references.get(reference);
        if (before == null) {
            throw new IllegalArgumentException("no reference " + reference + " in this environment (references: "
                    + references.keySet() + ")");
        }
        if (!keystores.containsKey(keystore)) {
            throw new IllegalArgumentException("no keystore " + keystore + " in this environment (keystores: "
                    + keystores.keySet() + ")");
        }
        Map<String, String> next = new LinkedHashMap<>(references);
        next.put(reference, keystore);
        references = Collections.unmodifiableMap(next);
        return before;
    }

    /** Whether {@code keystore} has a key entry {@code alias} (a certificate alone does not count). */
    boolean hasKeyEntry(String keystore, String alias) {
        Entry entry = keystores.get(keystore);
        try {
            return entry != null && entry.aliases().contains(alias) && entry.keyStore().isKeyEntry(alias);
        } catch (java.security.KeyStoreException e) {
            return false;
        }
    }

    private static KeyStore copyOf(Entry store) throws GeneralSecurityException {
        KeyStore copy = emptyStore();
        KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(store.password);
        for (String a : Collections.list(store.keyStore().aliases())) {
            KeyStore.Entry e = store.keyStore().isKeyEntry(a) ? store.keyStore().getEntry(a, protection)
                    : store.keyStore().getEntry(a, null);
            copy.setEntry(a, e, store.keyStore().isKeyEntry(a) ? protection : null);
        }
        return copy;
    }

    /**
     * @param qwacPassword the value for a password placeholder left unresolved, or null: then the
     *                     {@value #PASSWORD_FILE} beside the alias's PKCS#12 file is read
     */
    static LocalKeyStores load(EnvironmentConfig config, char[] qwacPassword, Clock clock) {
        String where = "keystores/" + config.name();
        Location at = new Location(where, 0);
        SecureRandom random = new SecureRandom();
        Map<String, Entry> stores = new LinkedHashMap<>();
        for (Map<String, Object> ks : config.keystores()) {
            strict(at, "keystore " + ks.get("name"), ks, KEYSTORE_FIELDS);
            String name = (String) ks.get("name");
            stores.put(name, new Entry(name, emptyStore(), password(random), new LinkedHashSet<>()));
        }
        for (Map<String, Object> alias : config.aliases()) {
            String name = (String) alias.get("alias");
            String what = "alias " + name + " of keystore " + alias.get("keystorename");
            strict(at, what, alias, ALIAS_FIELDS);
            Entry store = stores.get((String) alias.get("keystorename"));
            boolean ignoreExpiry = flag(at, what, alias, "ignoreExpiryValidation");
            flag(at, what, alias, "ignoreNewlineValidation");
            String format = (String) alias.get("format");
            try {
                switch (format) {
                    case "pkcs12" -> addPkcs12(at, what, store, name, alias, qwacPassword, clock, ignoreExpiry);
                    case "keycertfile" -> addKeyCertFile(at, what, store, name, alias, clock, ignoreExpiry);
                    default -> throw new ConfigError(at, what + ": format " + format
                            + " is not emulated by the local runtime (pkcs12 and keycertfile are)");
                }
            } catch (GeneralSecurityException e) {
                throw new ConfigError(at, what + ": " + e.getMessage(), e);
            }
            store.aliases().add(name);
        }
        Map<String, Entry> frozen = new LinkedHashMap<>();
        stores.forEach((n, e) -> frozen.put(n, new Entry(n, e.keyStore(), e.password,
                Collections.unmodifiableSet(e.aliases()))));
        Map<String, String> refs = new LinkedHashMap<>();
        for (Map<String, Object> r : config.references()) {
            strict(at, "reference " + r.get("name"), r, REFERENCE_FIELDS);
            refs.put((String) r.get("name"), (String) r.get("refers"));
        }
        return new LocalKeyStores(Collections.unmodifiableMap(frozen), Collections.unmodifiableMap(refs), clock);
    }

    private static void addPkcs12(Location at, String what, Entry store, String alias, Map<String, Object> item,
            char[] qwacPassword, Clock clock, boolean ignoreExpiry) throws GeneralSecurityException {
        Path file = file(at, what, item, "filePath");
        char[] password = pkcs12Password(at, what, item, file, qwacPassword);
        try (InputStream in = Files.newInputStream(file)) {
            addPkcs12(at, what, store.keyStore(), store.password, alias, file.toString(), in, password, clock, ignoreExpiry);
        } catch (IOException e) {
            throw new ConfigError(at, what + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The one key entry of a PKCS#12 stream into {@code target} under {@code alias}, with the checks of the load and
     * of an upload: the password opens the file and its key, one key entry (or one named {@code alias}) with a chain,
     * the certificate valid now unless {@code ignoreExpiry}.
     */
    private static void addPkcs12(Location at, String what, KeyStore target, char[] targetPassword, String alias,
            String file, InputStream pkcs12, char[] password, Clock clock, boolean ignoreExpiry)
            throws GeneralSecurityException {
        KeyStore source = KeyStore.getInstance("PKCS12");
        try (InputStream in = pkcs12) {
            source.load(in, password);
        } catch (IOException e) {
            // The JDK reports a wrong PKCS#12 password as an IOException caused by UnrecoverableKeyException.
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new ConfigError(at, what + ": the password does not open " + file + " (wrong password)");
            }
            throw new ConfigError(at, what + ": cannot read " + file + " as PKCS#12: " + e.getMessage(), e);
        }
        List<String> keyAliases = new ArrayList<>();
        for (String a : Collections.list(source.aliases())) {
            if (source.isKeyEntry(a)) {
                keyAliases.add(a);
            }
        }
        // Apigee takes the file's one key entry and names it after the alias; with several, the one of that name.
        String chosen = keyAliases.size() == 1 ? keyAliases.get(0)
                : keyAliases.stream().filter(a -> a.equalsIgnoreCase(alias)).findFirst().orElse(null);
        if (chosen == null) {
            throw new ConfigError(at, what + ": " + file + " must hold exactly one key entry (or one named " + alias
                    + "); it holds " + keyAliases);
        }
        Key key;
        try {
            key = source.getKey(chosen, password);
        } catch (UnrecoverableKeyException e) {
            throw new ConfigError(at, what + ": the password does not open the key in " + file + " (wrong password)");
        }
        Certificate[] chain = source.getCertificateChain(chosen);
        if (!(key instanceof PrivateKey) || chain == null || chain.length == 0) {
            throw new ConfigError(at, what + ": " + file + " has no private key with a certificate chain");
        }
        checkValidity(at, what, file, chain[0], clock, ignoreExpiry);
        target.setKeyEntry(alias, key, targetPassword, chain);
    }

    private static char[] pkcs12Password(Location at, String what, Map<String, Object> item, Path file,
            char[] qwacPassword) {
        Object value = item.get("password");
        if (value == null) {
            return new char[0];
        }
        String text = (String) value;
        if (!EnvironmentConfig.hasPlaceholder(text)) {
            return text.toCharArray();
        }
        if (qwacPassword != null) {
            return qwacPassword.clone();
        }
        Path passwordFile = file.resolveSibling(PASSWORD_FILE);
        if (!Files.isRegularFile(passwordFile)) {
            throw new ConfigError(at, what + ": the password " + text + " has no value: give it with"
                    + " LocalEnvironment.Options.qwacPassword, or " + EnvironmentConfig.describePlaceholders(text)
                    + ", or write it to " + passwordFile + " (TestPki.writeTo writes it there); that file does not exist");
        }
        try {
            String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            if (password.isEmpty()) {
                throw new ConfigError(at, what + ": the password file " + passwordFile + " is empty");
            }
            return password.toCharArray();
        } catch (IOException e) {
            throw new ConfigError(at, what + ": cannot read the password file " + passwordFile + ": " + e.getMessage(), e);
        }
    }

    private static void addKeyCertFile(Location at, String what, Entry store, String alias, Map<String, Object> item,
            Clock clock, boolean ignoreExpiry) throws GeneralSecurityException {
        Path certFile = file(at, what, item, "certFilePath");
        List<X509Certificate> certs = certificates(at, what, certFile);
        checkValidity(at, what, certFile, certs.get(0), clock, ignoreExpiry);
        if (item.get("keyFilePath") != null) {
            Path keyFile = file(at, what, item, "keyFilePath");
            if (item.get("password") != null) {
                throw new ConfigError(at, what + ": an encrypted key file (password) is not emulated by the local"
                        + " runtime; give an unencrypted PKCS#8 key");
            }
            PrivateKey key = privateKey(at, what, keyFile);
            store.keyStore().setKeyEntry(alias, key, store.password, certs.toArray(Certificate[]::new));
            return;
        }
        if (item.get("password") != null) {
            throw new ConfigError(at, what + ": \"password\" needs \"keyFilePath\" (a certificate has no password)");
        }
        // A truststore alias: every certificate of the file is trusted (a chain file trusts its CAs too).
        store.keyStore().setCertificateEntry(alias, certs.get(0));
        for (int i = 1; i < certs.size(); i++) {
            store.keyStore().setCertificateEntry(alias + "#" + (i + 1), certs.get(i));
        }
    }

    private static List<X509Certificate> certificates(Location at, String what, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certs = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
            if (certs.isEmpty()) {
                throw new ConfigError(at, what + ": " + file + " holds no certificate");
            }
            return certs;
        } catch (IOException | CertificateException e) {
            throw new ConfigError(at, what + ": cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Location at, String what, Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigError(at, what + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        Matcher m = PEM_KEY.matcher(pem);
        if (!m.find()) {
            throw new ConfigError(at, what + ": " + file + " is not an unencrypted PKCS#8 PEM key (label " + PKCS8_LABEL + ")");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new ConfigError(at, what + ": " + file + " holds no RSA, EC or Ed25519 private key");
    }

    private static void checkValidity(Location at, String what, Object file, Certificate cert, Clock clock,
            boolean ignoreExpiry) {
        if (ignoreExpiry || !(cert instanceof X509Certificate x)) {
            return;
        }
        try {
            x.checkValidity(Date.from(clock.instant()));
        } catch (GeneralSecurityException e) {
            throw new ConfigError(at, what + ": the certificate in " + file + " (" + x.getSubjectX500Principal()
                    + ") is not valid now (" + e.getMessage() + "); Apigee refuses it unless ignoreExpiryValidation is true");
        }
    }

    private static Path file(Location at, String what, Map<String, Object> item, String field) {
        Object value = item.get(field);
        if (!(value instanceof String text) || text.isEmpty()) {
            throw new ConfigError(at, what + ": \"" + field + "\" is missing");
        }
        if (EnvironmentConfig.hasPlaceholder(text)) {
            throw new ConfigError(at, what + ": " + field + " " + text + " has no value: pass "
                    + EnvironmentConfig.describePlaceholders(text) + " or the LocalEnvironment option");
        }
        Path file = Path.of(text);
        if (!Files.isRegularFile(file)) {
            throw new ConfigError(at, what + ": " + field + " " + file + " does not exist (generate the test PKI into"
                    + " that folder: TestPki.create(banks).writeTo(dir), and pass the folder as"
                    + " LocalEnvironment.Options.pkiDir)");
        }
        return file;
    }

    private static boolean flag(Location at, String what, Map<String, Object> item, String field) {
        Object v = item.get(field);
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equals("true") || s.equals("false"))) {
            return s.equals("true");
        }
        throw new ConfigError(at, what + ": \"" + field + "\" must be true or false");
    }

    private static void strict(Location at, String what, Map<String, Object> item, Set<String> known) {
        Set<String> unknown = new TreeSet<>(item.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ConfigError(at, what + ": unknown member(s) " + unknown + " (the local runtime knows " + new TreeSet<>(known)
                    + "; nothing is ignored)");
        }
    }

    private static KeyStore emptyStore() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("PKCS12 key stores are not available", e);
        }
    }

    private static char[] password(SecureRandom random) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
    }

}
