package eu.securehub.psd2.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * "Certificates kept current": an expired QWAC or QSEAL stops all traffic to the banks, so the config step refuses
 * <ul>
 *   <li>a QWAC (the key alias a TargetServer presents: its {@code keyAlias} in the keystore its {@code keyStore}
 *       reference refers to, e.g. alias {@code qwac} of psd2-qwac-keystore through psd2-qwac-keystore-ref) or a QSEAL
 *       (entry {@value #QSEAL_ENTRY} of the psd2-hub-keys KVM: {@code {"certificate": base64 DER, "notAfter": …}}) that
 *       is not valid now or ends within the minimum number of days ({@link Policy});</li>
 *   <li>either without the ETSI TS 119 495 PSD2 QCStatement, or without the PSD2 role each service the registry
 *       enables needs ({@code services} of psd2-hub-banks: AIS → PSP_AI, PIS → PSP_PI; {@link Psd2Roles});</li>
 *   <li>no qseal entry while a bank's entry has {@code "signing": {"profile": "berlin-group"}} (without one, an absent
 *       entry is not checked).</li>
 * </ul>
 * A key alias that no TargetServer uses (the old keystore while a QWAC is rolled over) is named but not checked.
 *
 * <p>Where the files are not there (placeholders that only the deploying machine resolves, as in {@code mvn
 * verify}), a QWAC is "not checked" and the report says so and why; at a deploy everything must be readable. The
 * report names each certificate by its subject CN and notAfter, never anything else of it, and never a key.
 */
final class CertificateCheck {
    static final int DEFAULT_MIN_DAYS = 30;
    static final int MAX_MIN_DAYS = 3650;
    static final String QSEAL_ENTRY = "qseal";

    /** How many days a certificate must still be valid at {@code now}: {@code minDays}, or {@code byEnv}'s value. */
    static final class Policy {
        final int minDays;
        final Map<String, Integer> byEnv;
        final Instant now;
        /** How the default and a per-environment value are changed, named in a refusal. */
        final String option;
        final String envOption;

        Policy(int minDays, Map<String, Integer> byEnv, Instant now, String option, String envOption) {
            this.minDays = checkDays(minDays, option);
            for (Map.Entry<String, Integer> e : byEnv.entrySet()) {
                checkDays(e.getValue(), envOption + " " + e.getKey() + "=…");
            }
            this.byEnv = Collections.unmodifiableMap(new TreeMap<>(byEnv));
            this.now = now;
            this.option = option;
            this.envOption = envOption;
        }

        /** The build's policy: {@code --cert-min-days}, {@code --cert-min-days-by-env} (config/pom.xml sets both). */
        static Policy build(int minDays, Map<String, Integer> byEnv, Instant now) {
            return new Policy(minDays, byEnv, now, "--cert-min-days (Maven: -Dpsd2.cert.minDays)",
                    "--cert-min-days-by-env (Maven: -Dpsd2.cert.minDaysByEnv)");
        }

        int minDays(String env) {
            return byEnv.getOrDefault(env, minDays);
        }

        String option(String env) {
            return byEnv.containsKey(env) ? envOption + " " + env + "=" + byEnv.get(env) : option;
        }

        private static int checkDays(int days, String option) {
            if (days < 1 || days > MAX_MIN_DAYS) {
                throw new ConfigException("option " + option + " must be a whole number of days from 1 to " + MAX_MIN_DAYS
                        + " (got " + days + ")");
            }
            return days;
        }
    }

    /** A key alias TargetServers present (the QWAC): keystore, alias, the references and TargetServers that use it. */
    static final class KeyUse {
        final String keystore;
        final String alias;
        final Set<String> references = new TreeSet<>();
        final Set<String> targetServers = new TreeSet<>();

        KeyUse(String keystore, String alias) {
            this.keystore = keystore;
            this.alias = alias;
        }

        String label() {
            return "QWAC " + keystore + "/" + alias + " (reference " + String.join(", ", references) + ")";
        }
    }

    /** The outcome of reading a QWAC: its certificate, or why it cannot be read here, or a problem. */
    static final class Loaded {
        final X509Certificate certificate;
        final String notReadable;
        final String problem;

        private Loaded(X509Certificate certificate, String notReadable, String problem) {
            this.certificate = certificate;
            this.notReadable = notReadable;
            this.problem = problem;
        }

        static Loaded of(X509Certificate certificate) {
            return new Loaded(certificate, null, null);
        }

        /** Not readable here, e.g. a placeholder for the deploying machine: "not checked", an error only at a deploy. */
        static Loaded notReadable(String why) {
            return new Loaded(null, why, null);
        }

        static Loaded problem(String problem) {
            return new Loaded(null, null, problem);
        }
    }

    /** What was checked (one line per certificate) and the problems found. */
    static final class Report {
        final List<String> lines = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
    }

    private CertificateCheck() {
    }

    /**
     * Checks one environment.
     *
     * @param kvms       map → entry → value, as they will be served (the registry {@value ConfigTree#BANKS_MAP} and
     *                   {@value ConfigTree#KEYS_MAP}; a missing map counts as empty)
     * @param keysLabel  where the qseal entry comes from, for the messages (e.g. kvms/ENV/psd2-hub-keys.json)
     * @param complete   true at a deploy or in the local runtime: a certificate that cannot be read, or a missing
     *                   keys map while a bank signs, is a problem, not a note
     * @param qwacs      reads the certificate of a key alias (the alias's config, or null when there is none)
     */
    static Report check(ConfigTree.Env env, Map<String, Map<String, String>> kvms, String keysLabel, boolean complete,
            Policy policy, BiFunction<KeyUse, Map<String, Object>, Loaded> qwacs) {
        Report report = new Report();
        String e = env.name;
        int minDays = policy.minDays(e);
        String option = policy.option(e);

        // The registry: which services each bank uses, which banks sign.
        Map<String, Set<String>> banksByService = new LinkedHashMap<>();
        Set<String> signingBanks = new TreeSet<>();
        Map<String, String> registry = kvms.getOrDefault(ConfigTree.BANKS_MAP, Map.of());
        for (Map.Entry<String, String> bank : registry.entrySet()) {
            String what = ConfigTree.BANKS_MAP + ": bank " + bank.getKey();
            Object profile;
            try {
                profile = ConfigTree.parseJson(bank.getValue(), what + " profile");
            } catch (ConfigException x) {
                report.problems.add(x.getMessage());
                continue;
            }
            if (!(profile instanceof Map)) {
                report.problems.add(what + ": the profile must be a JSON object");
                continue;
            }
            List<String> services = BankServices.of(what, ConfigTree.asMap(profile), report.problems);
            for (String s : services == null ? List.<String>of() : services) {
                banksByService.computeIfAbsent(s, k -> new TreeSet<>()).add(bank.getKey());
            }
            if (BankServices.signs(ConfigTree.asMap(profile))) {
                signingBanks.add(bank.getKey());
            }
        }
        List<String> services = new ArrayList<>();
        for (String s : Psd2Roles.SERVICES) {
            if (banksByService.containsKey(s)) {
                services.add(s);
            }
        }
        Check c = new Check(policy.now, minDays, option, services, banksByService, report);

        // QWACs: what the TargetServers present.
        Map<String, KeyUse> uses = keyUses(env);
        for (KeyUse use : uses.values()) {
            Map<String, Object> alias = alias(env, use.keystore, use.alias);
            Loaded loaded = qwacs.apply(use, alias);
            String where = "keystores/" + e + ": " + use.label();
            if (loaded == null) {
                continue; // the alias is missing: ConfigTree reported it
            }
            if (loaded.problem != null) {
                report.problems.add(where + ": " + loaded.problem);
            } else if (loaded.notReadable != null) {
                if (complete) {
                    report.problems.add(where + " cannot be checked: " + loaded.notReadable);
                } else {
                    report.lines.add("environment " + e + ": " + use.label() + " not checked: " + loaded.notReadable);
                }
            } else {
                c.certificate("keystores/" + e, use.label(), loaded.certificate);
            }
        }
        for (Map<String, Object> a : env.aliases) {
            boolean key = "pkcs12".equals(a.get("format"))
                    || ("keycertfile".equals(a.get("format")) && a.get("keyFilePath") != null);
            if (key && !uses.containsKey(a.get("keystorename") + "/" + a.get("alias"))) {
                report.lines.add("environment " + e + ": key alias " + a.get("keystorename") + "/" + a.get("alias")
                        + " not checked: no TargetServer presents it (no keyStore reference with that keyAlias refers"
                        + " to " + a.get("keystorename") + "; delete an old QWAC keystore once the switch is deployed)");
            }
        }

        // The QSEAL.
        Map<String, String> keys = kvms.get(ConfigTree.KEYS_MAP);
        String qseal = keys == null ? null : keys.get(QSEAL_ENTRY);
        if (qseal == null) {
            if (signingBanks.isEmpty()) {
                report.lines.add("environment " + e + ": QSEAL not checked: " + (keys == null ? "there is no " + keysLabel
                        : keysLabel + " has no " + QSEAL_ENTRY + " entry") + " and no bank signs its requests"
                        + " (signing.profile " + BankServices.SIGNING_PROFILE + ")");
            } else if (keys == null && !complete) {
                report.lines.add("environment " + e + ": QSEAL not checked: there is no " + keysLabel + " yet; bank(s) "
                        + signingBanks + " sign their requests, so a deploy needs its " + QSEAL_ENTRY + " entry");
            } else {
                report.problems.add(keysLabel + " has no " + QSEAL_ENTRY + " entry, but bank(s) " + signingBanks
                        + " sign their requests (signing.profile " + BankServices.SIGNING_PROFILE + ") with the QSEAL:"
                        + " import it with the key tool (qseal import --env " + e + ")");
            }
        } else {
            X509Certificate certificate = qseal(keysLabel, qseal, report.problems);
            if (certificate != null) {
                c.certificate(keysLabel, "QSEAL (entry " + QSEAL_ENTRY + ")", certificate);
            }
        }
        return report;
    }

    /** The checks of one certificate, with the environment's minimum and the services its registry enables. */
    private static final class Check {
        final Instant now;
        final int minDays;
        final String option;
        final List<String> services;
        final Map<String, Set<String>> banksByService;
        final Report report;

        Check(Instant now, int minDays, String option, List<String> services, Map<String, Set<String>> banksByService,
                Report report) {
            this.now = now;
            this.minDays = minDays;
            this.option = option;
            this.services = services;
            this.banksByService = banksByService;
            this.report = report;
        }

        void certificate(String where, String label, X509Certificate cert) {
            Instant notBefore = cert.getNotBefore().toInstant();
            Instant notAfter = cert.getNotAfter().toInstant();
            String named = label + " (CN " + commonName(cert) + ", notAfter " + notAfter + ")";
            List<String> problems = report.problems;
            int before = problems.size();
            long daysLeft = Duration.between(now, notAfter).toDays();
            if (notBefore.isAfter(now)) {
                problems.add(where + ": " + named + " is not valid before " + notBefore);
            }
            if (!notAfter.isAfter(now)) {
                problems.add(where + ": " + named + " has expired: renew it (PLATFORM-GUIDE.md, \"Rotate keys and certificates\")");
            } else if (notAfter.isBefore(now.plus(minDays, ChronoUnit.DAYS))) {
                problems.add(where + ": " + named + " expires in " + daysLeft + " day" + (daysLeft == 1 ? "" : "s")
                        + ", within the minimum of " + minDays + " day" + (minDays == 1 ? "" : "s") + " (" + option
                        + "): roll it over before deploying (PLATFORM-GUIDE.md, \"Rotate keys and certificates\")");
            }
            Psd2Roles roles = Psd2Roles.of(cert);
            switch (roles.status) {
                case ABSENT:
                    problems.add(where + ": " + named + " has no PSD2 QCStatement (ETSI TS 119 495, "
                            + Psd2Roles.PSD2_STATEMENT + " in QCStatements " + Psd2Roles.QC_STATEMENTS
                            + "): banks refuse a TPP certificate without its PSD2 roles");
                    break;
                case MALFORMED:
                    problems.add(where + ": " + named + " has a PSD2 QCStatement that is not the DER ETSI TS 119 495"
                            + " defines (" + roles.problem + ")");
                    break;
                default:
                    for (String service : services) {
                        String role = Psd2Roles.ROLE_FOR_SERVICE.get(service);
                        if (!roles.roles.contains(role)) {
                            problems.add(where + ": " + named + " lacks the PSD2 role " + role + " that service " + service
                                    + " needs (enabled for bank(s) " + banksByService.get(service) + "); its roles: "
                                    + roles.roles);
                        }
                    }
            }
            if (problems.size() == before) {
                report.lines.add(where + ": " + named + " checked: " + daysLeft + " days left (at least " + minDays
                        + "), PSD2 roles " + roles.roles + " cover services " + services);
            }
        }
    }

    // ---------------------------------------------------------------- what is checked

    /** Keystore/alias → its use by TargetServers (sSLInfo.keyStore ref://REF → the keystore REF refers to, keyAlias). */
    static Map<String, KeyUse> keyUses(ConfigTree.Env env) {
        Map<String, String> refers = new TreeMap<>();
        for (Map<String, Object> r : env.references) {
            if (r.get("name") instanceof String && r.get("refers") instanceof String) {
                refers.put((String) r.get("name"), (String) r.get("refers"));
            }
        }
        Map<String, KeyUse> uses = new LinkedHashMap<>();
        for (Map<String, Object> ts : env.targetServers.values()) {
            Object ssl = ts.get("sSLInfo");
            if (!(ssl instanceof Map)) {
                continue;
            }
            String ref = ConfigTree.refName(ConfigTree.asMap(ssl).get("keyStore"));
            Object alias = ConfigTree.asMap(ssl).get("keyAlias");
            String keystore = ref == null ? null : refers.get(ref);
            if (keystore == null || !(alias instanceof String)) {
                continue; // reported by ConfigTree
            }
            KeyUse use = uses.computeIfAbsent(keystore + "/" + alias, k -> new KeyUse(keystore, (String) alias));
            use.references.add(ref);
            use.targetServers.add(String.valueOf(ts.get("name")));
        }
        return uses;
    }

    private static Map<String, Object> alias(ConfigTree.Env env, String keystore, String alias) {
        for (Map<String, Object> a : env.aliases) {
            if (keystore.equals(a.get("keystorename")) && alias.equals(a.get("alias"))) {
                return a;
            }
        }
        return null;
    }

    /** The KVMs of the config, as the config plugin uploads them: map → entry → value. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, String>> kvms(ConfigTree.Env env) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> kvm : env.kvms.entrySet()) {
            Map<String, String> entries = new LinkedHashMap<>();
            for (Object o : (List<Object>) kvm.getValue().get("entry")) {
                entries.put((String) ConfigTree.asMap(o).get("name"), (String) ConfigTree.asMap(o).get("value"));
            }
            out.put(kvm.getKey(), entries);
        }
        return out;
    }

    // ---------------------------------------------------------------- reading certificates

    /** The QSEAL of the keys map's entry: {"certificate": base64 DER, "notAfter": the certificate's, ISO-8601}. */
    static X509Certificate qseal(String where, String value, List<String> problems) {
        String what = where + " entry " + QSEAL_ENTRY;
        Object doc;
        try {
            doc = ConfigTree.parseJson(value, what);
        } catch (ConfigException x) {
            problems.add(x.getMessage());
            return null;
        }
        if (!(doc instanceof Map) || !(ConfigTree.asMap(doc).get("certificate") instanceof String)) {
            problems.add(what + " must be a JSON object with \"certificate\" (the QSEAL, base64 DER) and \"notAfter\"");
            return null;
        }
        Map<String, Object> entry = ConfigTree.asMap(doc);
        X509Certificate cert;
        try {
            String b64 = ((String) entry.get("certificate")).replaceAll("\\s", "");
            byte[] der = b64.indexOf('-') >= 0 || b64.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(b64)
                    : Base64.getDecoder().decode(b64);
            cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (IllegalArgumentException | CertificateException | ClassCastException x) {
            problems.add(what + ": \"certificate\" is not a base64 DER X.509 certificate");
            return null;
        }
        Object notAfter = entry.get("notAfter");
        if (notAfter != null) {
            Instant stated = instant(notAfter);
            Instant actual = cert.getNotAfter().toInstant();
            if (stated == null) {
                problems.add(what + ": \"notAfter\" must be an ISO-8601 time such as 2027-06-30T12:00:00Z (or epoch seconds)");
            } else if (!stated.truncatedTo(ChronoUnit.SECONDS).equals(actual.truncatedTo(ChronoUnit.SECONDS))) {
                problems.add(what + ": \"notAfter\" " + stated + " is not the certificate's notAfter " + actual
                        + ": import the QSEAL again with the key tool");
            }
        }
        return cert;
    }

    private static Instant instant(Object v) {
        if (v instanceof Long) {
            return Instant.ofEpochSecond((Long) v);
        }
        if (!(v instanceof String)) {
            return null;
        }
        try {
            return Instant.parse((String) v);
        } catch (DateTimeParseException x) {
            try {
                return OffsetDateTime.parse((String) v).toInstant();
            } catch (DateTimeParseException y) {
                return null;
            }
        }
    }

    /**
     * Reads a key alias's certificate from its files, as the config plugin uploads them (pkcs12: filePath and
     * password; keycertfile: certFilePath). A value still a placeholder, or a file not there, is "not readable" here.
     */
    static Loaded fromFiles(KeyUse use, Map<String, Object> alias) {
        if (alias == null) {
            return null;
        }
        Object format = alias.get("format");
        if ("selfsignedcert".equals(format)) {
            return Loaded.problem("a selfsignedcert alias is made by Apigee: it is no QWAC (no PSD2 QCStatement, no"
                    + " qualified issuer)");
        }
        String field = "pkcs12".equals(format) ? "filePath" : "keycertfile".equals(format) ? "certFilePath" : null;
        if (field == null || !(alias.get(field) instanceof String)) {
            return null; // reported by ConfigTree
        }
        String path = (String) alias.get(field);
        if (Placeholders.unresolved(path)) {
            return Loaded.notReadable(field + " " + path + " is given at deploy time (" + Placeholders.describe(path) + ")");
        }
        Path file = Path.of(path);
        if (!Files.isRegularFile(file)) {
            return Loaded.notReadable(field + " " + file + " does not exist here");
        }
        if ("keycertfile".equals(format)) {
            try (InputStream in = Files.newInputStream(file)) {
                Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
                if (certs.isEmpty() || !(certs.iterator().next() instanceof X509Certificate)) {
                    return Loaded.problem(file + " holds no X.509 certificate");
                }
                return Loaded.of((X509Certificate) certs.iterator().next());
            } catch (IOException | CertificateException x) {
                return Loaded.problem("cannot read a certificate from " + file + ": " + x.getMessage());
            }
        }
        Object password = alias.get("password");
        if (password instanceof String && Placeholders.unresolved((String) password)) {
            return Loaded.notReadable("its password " + password + " is given at deploy time ("
                    + Placeholders.describe((String) password) + ")");
        }
        char[] secret = password instanceof String ? ((String) password).toCharArray() : new char[0];
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, secret);
            List<String> keyAliases = new ArrayList<>();
            for (String a : Collections.list(store.aliases())) {
                if (store.isKeyEntry(a)) {
                    keyAliases.add(a);
                }
            }
            // Apigee takes the file's one key entry (named after the alias); with several, the one of the alias's name.
            String chosen = keyAliases.size() == 1 ? keyAliases.get(0)
                    : keyAliases.stream().filter(a -> a.equalsIgnoreCase(use.alias)).findFirst().orElse(null);
            if (chosen == null) {
                return Loaded.problem(file + " must hold exactly one key entry (or one named " + use.alias + "); it holds "
                        + keyAliases.size());
            }
            Certificate cert = store.getCertificate(chosen);
            if (!(cert instanceof X509Certificate)) {
                return Loaded.problem(file + ": the key entry has no X.509 certificate");
            }
            return Loaded.of((X509Certificate) cert);
        } catch (IOException x) {
            if (x.getCause() instanceof UnrecoverableKeyException) {
                return Loaded.problem("the password given does not open " + file);
            }
            return Loaded.problem("cannot read " + file + " as PKCS#12: " + x.getMessage());
        } catch (GeneralSecurityException x) {
            return Loaded.problem("cannot read " + file + " as PKCS#12: " + x.getMessage());
        } finally {
            java.util.Arrays.fill(secret, '\0');
        }
    }

    /** The subject's CN (the last one, if several), or the whole subject when it has none. */
    static String commonName(X509Certificate cert) {
        String subject = cert.getSubjectX500Principal().getName();
        try {
            List<Rdn> rdns = new LdapName(subject).getRdns();
            Set<String> cns = new LinkedHashSet<>();
            for (Rdn rdn : rdns) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cns.add(String.valueOf(rdn.getValue()));
                }
            }
            if (!cns.isEmpty()) {
                return new ArrayList<>(cns).get(cns.size() - 1);
            }
        } catch (InvalidNameException x) {
            // fall through to the whole subject
        }
        return "(none; subject " + subject + ")";
    }
}
