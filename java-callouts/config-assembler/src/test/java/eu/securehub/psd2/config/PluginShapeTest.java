package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The project's real configuration, assembled for a deploy of each environment exactly as config/pom.xml runs
 * config-assembler, and config/pom.xml itself, checked rule by rule against what
 * com.apigee.edge.config:apigee-config-maven-plugin 2.9.3 reads (the version shared-pom.xml pins; tag
 * apigee-config-maven-plugin-2.9.3, commit 70b495d). The plugin is not served to these machines, so its sources are
 * the reference: every rule cites them as {@code 2.9.3 FILE:LINES}, with
 * M/ = src/main/java/com/apigee/edge/config/mavenplugin/, U/ = src/main/java/com/apigee/edge/config/utils/,
 * R/ = src/main/java/com/apigee/edge/config/rest/, samples/ and README.md from the plugin's repository root.
 *
 * <p>The plugin reads only an entity's name; it sends the rest of each object unchanged as the management API's
 * request body (e.g. 2.9.3 M/TargetServerMojo.java:219-224 → R/RestUtil.java:144-158), so the other field names are
 * Apigee X's resource fields, cited by their reference page.
 */
class PluginShapeTest {
    private static final String V = "apigee-config-maven-plugin 2.9.3 ";

    /** Every goal of 2.9.3: the mojos' {@code @goal} javadoc tags (README.md:72-95 lists the same, with kvms). */
    static final Map<String, String> GOALS_2_9_3 = new LinkedHashMap<>();

    static {
        String[][] goals = {
            {"apicategories", "M/APICategoriesMojo.java:42"}, {"apidocs", "M/APIDocsMojo.java:53"},
            {"apiproducts", "M/APIProductMojo.java:45"}, {"aliases", "M/AliasMojo.java:50"},
            {"appgroupapps", "M/AppGroupAppsMojo.java:49"}, {"appgroups", "M/AppGroupsMojo.java:45"},
            {"apps", "M/AppMojo.java:49"}, {"developerapps", "M/DeveloperAppMojo.java:23"},
            {"developers", "M/DeveloperMojo.java:45"}, {"exportAppGroupAppKeys", "M/ExportAppGroupAppKeysMojo.java:50"},
            {"exportAppKeys", "M/ExportKeysMojo.java:50"}, {"flowhooks", "M/FlowHookMojo.java:44"},
            {"importAppGroupAppKeys", "M/ImportAppGroupAppKeysMojo.java:46"}, {"importKeys", "M/ImportKeysMojo.java:46"},
            {"initmfa", "M/InitMfaMojo.java:29"}, {"kvms", "M/KVMMojo.java:50"}, {"keystores", "M/KeystoresMojo.java:44"},
            {"keyvaluemaps", "M/KeyvaluemapsMojo.java:23"}, {"rateplans", "M/RatePlansMojo.java:46"},
            {"references", "M/ReferencesMojo.java:44"}, {"reports", "M/ReportsMojo.java:47"},
            {"resourcefiles", "M/ResourceFileMojo.java:44"}, {"spaces", "M/SpacesMojo.java:41"},
            {"targetservers", "M/TargetServerMojo.java:44"},
        };
        for (String[] g : goals) {
            GOALS_2_9_3.put(g[0], g[1]);
        }
    }

    /** envConfig.ENV key → the goals that read it, with where: getEnvConfig(logger, KEY) in the mojo's execute(). */
    static final Map<String, List<String>> ENV_KEY_GOALS = Map.of(
            "keystores", List.of("keystores"),        // 2.9.3 M/KeystoresMojo.java:198
            "aliases", List.of("aliases"),            // 2.9.3 M/AliasMojo.java:230
            "references", List.of("references"),      // 2.9.3 M/ReferencesMojo.java:200
            "targetServers", List.of("targetservers"), // 2.9.3 M/TargetServerMojo.java:200
            "kvms", List.of("keyvaluemaps", "kvms")); // 2.9.3 M/KVMMojo.java:387; KeyvaluemapsMojo extends it (:27)

    /** The options every mojo accepts: {@code enum OPTIONS}, parsed with OPTIONS.valueOf (e.g. 2.9.3 M/TargetServerMojo.java:54-56, :81-84). */
    static final List<String> OPTIONS = List.of("none", "create", "update", "delete", "sync");

    @TempDir
    static Path temp;
    static ProjectConfig project;
    /** Environment folder → the deploy file config-assembler wrote for it. */
    static final Map<String, Map<String, Object>> DEPLOY = new LinkedHashMap<>();
    static final Map<String, String> DEPLOY_TEXT = new HashMap<>();
    static final Map<String, String> APIGEE_ENV = new HashMap<>();

    // ------------------------------------------------------------------ set-up: the deploy's own assembly

    /** The deploy environments: shared-pom.xml's profiles that set psd2.env (mvn deploy -P<env>). */
    static List<String> envs() {
        List<String> envs = new ArrayList<>();
        for (Element profile : elements(pom("shared-pom.xml"), "profiles", "profile")) {
            String env = properties(profile).get("psd2.env");
            if (env != null) {
                envs.add(env);
            }
        }
        return envs;
    }

    @BeforeAll
    static void assembleEveryEnvironmentAsTheDeployDoes() {
        project = ProjectConfig.copy(temp);
        assertThat(envs()).as("every environment folder has a deploy profile").containsExactlyInAnyOrderElementsOf(project.envs());
        Element deployProfile = profile(pom("config/pom.xml"), "apigee-config");
        List<String> arguments = arguments(execution(deployProfile, "exec-maven-plugin", "assemble-deploy-config"));
        for (String env : envs()) {
            String apigeeEnv = properties(profile(pom("shared-pom.xml"), env)).get("apigee.env");
            APIGEE_ENV.put(env, apigeeEnv);
            Path out = temp.resolve("edge-deploy-" + env + ".json");
            Map<String, String> props = new HashMap<>(Map.of("${config.dir}", project.config.toString(),
                    "${apigee.config.file}", out.toString(), "${psd2.env}", env, "${apigee.env}", apigeeEnv));
            // The certificate minimums: config/pom.xml's own properties.
            properties(pom("config/pom.xml")).forEach((name, value) -> props.putIfAbsent("${" + name + "}", value));
            List<String> args = new ArrayList<>();
            for (String a : arguments) {
                args.add(props.getOrDefault(a, a));
            }
            assertThat(String.join(" ", args)).as("config/pom.xml's arguments, every property known").doesNotContain("${");
            Map<String, String> values = project.deployValues(env);
            Main.run(args.toArray(new String[0]), new Placeholders(values::get),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            String text = read(out);
            DEPLOY_TEXT.put(env, text);
            DEPLOY.put(env, ConfigTree.asMap(ConfigTree.parseJson(text, out.toString())));
        }
    }

    // ------------------------------------------------------------------ config/pom.xml and the options

    @Test
    void theConfigStepCallsOnlyGoalsThat293Has() {
        List<String> configGoals = pluginGoals(pom("config/pom.xml"));
        List<String> rootGoals = pluginGoals(pom("pom.xml"));

        // 2.9.3: the goals are the mojos' @goal tags (GOALS_2_9_3 gives file:line of each); an unknown goal stops
        // mvn deploy when Maven plans the module ("Could not find goal … in plugin …:2.9.3"), before any call.
        assertThat(configGoals).as(V + "@goal tags, M/*Mojo.java").isSubsetOf(GOALS_2_9_3.keySet());
        assertThat(rootGoals).as(V + "@goal tags, M/*Mojo.java").isSubsetOf(GOALS_2_9_3.keySet());
        // No released tag has a debugmasks goal (DebugMaskMojo exists only on the unmerged branch issue199).
        assertThat(configGoals).doesNotContain("debugmasks");
        // Keystores before their aliases (an alias is created in its keystore, M/AliasMojo.java:286-287), aliases before
        // the references to the keystores, references before the TargetServers that name them.
        assertThat(configGoals).containsExactly("keystores", "aliases", "references", "targetservers", "keyvaluemaps");
        assertThat(rootGoals).containsExactly("apiproducts", "developers", "apps");
        // The version these rules were read from.
        assertThat(properties(pom("shared-pom.xml")).get("apigee-config-maven-plugin.version")).isEqualTo("2.9.3");
    }

    @Test
    void theDeployPassesOptionUpdateAndThePluginReadsTheFileConfigAssemblerWrites() {
        Element shared = pom("shared-pom.xml");
        Element config = pom("config/pom.xml");
        Element deployProfile = profile(config, "apigee-config");
        Map<String, String> sharedProps = properties(shared);
        Map<String, String> configProps = new HashMap<>(properties(config));
        configProps.putAll(properties(deployProfile));

        // 2.9.3 M/GatewayAbstractMojo.java:195-200: the option is the property apigee.config.options; README.md:53-58:
        // update = "Update when found; create when not found, updates individual entries for kvms".
        String options = configProps.getOrDefault("apigee.config.options", sharedProps.get("apigee.config.options"));
        assertThat(options).as(V + "M/GatewayAbstractMojo.java:198").isEqualTo("update");
        assertThat(OPTIONS).as(V + "M/TargetServerMojo.java:54-56 (enum OPTIONS)").contains(options);
        for (Element execution : elements(plugin(deployProfile, "apigee-config-maven-plugin"), "executions", "execution")) {
            Element conf = child(execution, "configuration");
            // Nothing overrides the option or the file per goal.
            assertThat(conf == null ? List.of() : childNames(conf)).as("execution " + text(execution, "id") + " configuration")
                    .doesNotContain("options", "configFilePath", "configDir");
        }

        // 2.9.3 M/GatewayAbstractMojo.java:264-268, :448-458: the file is apigee.config.file; :579-580: apigee.config.dir,
        // when set, is read instead of the file. The file is the one assemble-deploy-config writes.
        for (Map<String, String> props : List.of(sharedProps, configProps)) {
            assertThat(props).as(V + "M/GatewayAbstractMojo.java:579-580").doesNotContainKey("apigee.config.dir");
        }
        assertThat(configProps.get("apigee.config.file")).isEqualTo("${project.build.directory}/edge-deploy.json");
        Map<String, String> assemble = options(arguments(execution(deployProfile, "exec-maven-plugin", "assemble-deploy-config")));
        assertThat(assemble.get("--out")).isEqualTo("${apigee.config.file}");
        // 2.9.3 M/GatewayAbstractMojo.java:151-156, :332, :606-612: the plugin reads envConfig.<apigee.env>; the
        // assembler writes the environment under --apigee-env, the same property.
        assertThat(assemble.get("--apigee-env")).as(V + "M/GatewayAbstractMojo.java:154").isEqualTo("${apigee.env}");

        // 2.9.3 R/RestUtil.java:152-155: every URL is {apigee.hosturl}/{apigee.apiversion}/organizations/{apigee.org}/…;
        // M/GatewayAbstractMojo.java:146, :161, :169, :239 read those properties and apigee.bearer (R/RestUtil.java:1304-1307).
        assertThat(sharedProps).containsEntry("apigee.hosturl", "https://apigee.googleapis.com")
                .containsEntry("apigee.apiversion", "v1");
        for (String env : envs()) {
            Map<String, String> p = properties(profile(shared, env));
            assertThat(p).as("profile " + env).containsEntry("apigee.env", env).containsEntry("apigee.org", "${org}")
                    .containsEntry("apigee.bearer", "${bearer}");
        }
    }

    @Test
    void bothAssembliesCheckTheCertificatesWithTheSameMinimums() {
        Element config = pom("config/pom.xml");
        Map<String, String> props = properties(config);
        Map<String, String> verify = options(arguments(execution(config, "exec-maven-plugin", "assemble-edge-json")));
        Map<String, String> deploy = options(arguments(execution(profile(config, "apigee-config"), "exec-maven-plugin",
                "assemble-deploy-config")));

        for (Map<String, String> assemble : List.of(verify, deploy)) {
            assertThat(assemble).containsEntry("--cert-min-days", "${psd2.cert.minDays}")
                    .containsEntry("--cert-min-days-by-env", "${psd2.cert.minDaysByEnv}");
        }
        // The default is the tool's (30); only the local environment, on the test PKI's five-day certificates, is lower.
        assertThat(props).containsEntry("psd2.cert.minDays", String.valueOf(CertificateCheck.DEFAULT_MIN_DAYS))
                .containsEntry("psd2.cert.minDaysByEnv", "local=1");
        // Every deploy file above was assembled with them, each environment's certificates checked.
        for (String env : envs()) {
            assertThat(DEPLOY).containsKey(env);
        }
    }

    @Test
    void theDebugMaskIsOurOwnStepWithThePropertiesThePluginGets() {
        Element deployProfile = profile(pom("config/pom.xml"), "apigee-config");
        Element step = execution(deployProfile, "exec-maven-plugin", "apply-debug-mask");

        assertThat(text(step, "phase")).isEqualTo("deploy");
        List<String> args = arguments(step);
        assertThat(args.get(0)).isEqualTo("debugmask");
        // The same properties the config plugin reads (M/GatewayAbstractMojo.java:146, :161, :169, :154, :239).
        assertThat(options(args)).containsExactly(Map.entry("--config-dir", "${config.dir}"),
                Map.entry("--hosturl", "${apigee.hosturl}"), Map.entry("--apiversion", "${apigee.apiversion}"),
                Map.entry("--org", "${apigee.org}"), Map.entry("--apigee-env", "${apigee.env}"),
                Map.entry("--bearer", "${apigee.bearer}"));
        // After the assembly, which checks every file first (one plugin's executions of a phase run in their order).
        List<String> ids = new ArrayList<>();
        for (Element e : elements(plugin(deployProfile, "exec-maven-plugin"), "executions", "execution")) {
            ids.add(text(e, "id"));
        }
        assertThat(ids).containsExactly("assemble-deploy-config", "apply-debug-mask");
    }

    // ------------------------------------------------------------------ the deploy file, per environment

    @ParameterizedTest
    @MethodSource("envs")
    void theFileHoldsEnvConfigOfApigeeEnvWithOnlyKeysTheGoalsRead(String env) {
        Map<String, Object> doc = DEPLOY.get(env);
        String apigeeEnv = APIGEE_ENV.get(env);

        // "version" as the plugin's sample has it (2.9.3 samples/APIandConfig/HelloWorld/edge.json:2); nothing reads it.
        // No orgConfig: config/pom.xml runs env goals, and keyvaluemaps would apply orgConfig.kvms
        // (M/KVMMojo.java:376-384); no apiConfig, which keyvaluemaps would read too (M/KVMMojo.java:395-411,
        // U/ConsolidatedConfigReader.java:217-220).
        assertThat(doc.keySet()).containsExactly("version", "envConfig");
        // 2.9.3 U/ConsolidatedConfigReader.java:67-73: root.envConfig.<apigee.env>.<key>, the environment from
        // apigee.env (M/GatewayAbstractMojo.java:154, :332, :606-612).
        assertThat(map(doc, "envConfig").keySet()).as(V + "U/ConsolidatedConfigReader.java:70").containsExactly(apigeeEnv);
        Map<String, Object> envConfig = map(doc, "envConfig", apigeeEnv);
        List<String> goals = pluginGoals(pom("config/pom.xml"));
        for (String key : envConfig.keySet()) {
            // Every key is read by a goal config/pom.xml runs: no key is silently ignored (as a debugMasks key was).
            assertThat(ENV_KEY_GOALS).as(V + "getEnvConfig(logger, KEY) in M/*Mojo.java").containsKey(key);
            assertThat(goals).as("the goal that reads envConfig." + key).containsAnyElementsOf(ENV_KEY_GOALS.get(key));
            // U/ConsolidatedConfigReader.java:73-78: a JSON array whose every member is cast to a JSONObject.
            assertThat(envConfig.get(key)).as(V + "U/ConsolidatedConfigReader.java:73").isInstanceOf(List.class);
            for (Object o : list(envConfig.get(key))) {
                assertThat(o).as(V + "U/ConsolidatedConfigReader.java:78").isInstanceOf(Map.class);
            }
        }
        // And every env goal config/pom.xml runs has its list.
        assertThat(envConfig.keySet()).containsExactlyInAnyOrder("keystores", "aliases", "references", "targetServers", "kvms");
        // 2.9.3 U/ConsolidatedConfigReader.java:61-62 reads the file with the platform charset and R/RestUtil.java:149-150
        // sends payload.getBytes(): only ASCII survives every build machine's locale.
        assertThat(DEPLOY_TEXT.get(env).chars().allMatch(c -> c < 0x80)).as(V + "U/ConsolidatedConfigReader.java:61-62").isTrue();
    }

    @ParameterizedTest
    @MethodSource("envs")
    void targetServers(String env) {
        Map<String, Object> envConfig = envConfig(env);
        Set<String> references = names(envConfig.get("references"), "name");
        for (Object o : list(envConfig.get("targetServers"))) {
            Map<String, Object> ts = ConfigTree.asMap(o);
            String what = "targetServers " + ts.get("name") + " of " + env;
            // 2.9.3 M/TargetServerMojo.java:62-65, :95-103 read "name" (String); :120-124 throw without it.
            assertThat(ts.get("name")).as(V + "M/TargetServerMojo.java:120-124 " + what).isInstanceOf(String.class)
                    .asString().isNotBlank();
            // The rest is the body of POST/PUT …/targetservers (M/TargetServerMojo.java:219-224, :240-248): Apigee's
            // TargetServer https://cloud.google.com/apigee/docs/reference/apis/apigee/rest/v1/organizations.environments.targetservers
            assertThat(ts.keySet()).as(what).isSubsetOf("name", "description", "host", "port", "isEnabled", "sSLInfo", "protocol");
            assertThat(ts.get("host")).as(what).isInstanceOf(String.class);
            // A number, as the plugin's sample writes it (2.9.3 samples/EdgeConfig/resources/edge/env/test/targetServers.json:6,
            // :12); Apigee: "port: integer, between 1 and 65535".
            assertThat(ts.get("port")).as(V + "samples/…/env/test/targetServers.json:6 " + what).isInstanceOf(Long.class);
            assertThat((Long) ts.get("port")).isBetween(1L, 65535L);
            // A boolean (sample targetServers.json:5, :11).
            assertThat(ts.get("isEnabled")).as(V + "samples/…/env/test/targetServers.json:5 " + what).isEqualTo(Boolean.TRUE);

            // sSLInfo, spelled as the sample spells it (targetServers.json:13-20), holds Apigee's TlsInfo fields only.
            Map<String, Object> ssl = ConfigTree.asMap(ts.get("sSLInfo"));
            assertThat(ssl.keySet()).as(V + "samples/…/env/test/targetServers.json:13-20 " + what).isSubsetOf("enabled",
                    "clientAuthEnabled", "keyStore", "keyAlias", "trustStore", "ignoreValidationErrors", "protocols", "ciphers",
                    "commonName", "enforce");
            // Booleans as JSON booleans (the sample's strings "true" also pass, but a bundle's SSLInfo reads the same).
            for (String flag : List.of("enabled", "enforce", "clientAuthEnabled")) {
                assertThat(ssl.get(flag)).as(what + " sSLInfo." + flag).isEqualTo(Boolean.TRUE);
            }
            assertThat(ssl.get("ignoreValidationErrors")).as(what).isEqualTo(Boolean.FALSE);
            // protocols: a list of strings ("protocols[]: string" in TlsInfo), not the TargetServer's enum "protocol".
            assertThat(ssl.get("protocols")).as(what + " sSLInfo.protocols").isInstanceOf(List.class);
            assertThat(list(ssl.get("protocols"))).isNotEmpty().allMatch(p -> p instanceof String)
                    .isSubsetOf("TLSv1.2", "TLSv1.3");
            // keyStore and trustStore by reference, to a reference this environment defines; keyAlias in that keystore.
            for (String store : List.of("keyStore", "trustStore")) {
                assertThat(ssl.get(store)).as(what + " sSLInfo." + store).isInstanceOf(String.class).asString().startsWith("ref://");
                assertThat(references).as(what + " sSLInfo." + store).contains(((String) ssl.get(store)).substring(6));
            }
            String keystore = refersTo(envConfig, ((String) ssl.get("keyStore")).substring(6));
            assertThat(aliasesOf(envConfig, keystore)).as(what + " sSLInfo.keyAlias").contains((String) ssl.get("keyAlias"));
            if (ssl.containsKey("commonName")) {
                Map<String, Object> cn = ConfigTree.asMap(ssl.get("commonName"));
                assertThat(cn.keySet()).as(what + " sSLInfo.commonName").isSubsetOf("value", "wildcardMatch");
                assertThat(cn.get("value")).isInstanceOf(String.class);
                assertThat(cn.get("wildcardMatch")).isInstanceOf(Boolean.class);
            }
        }
        assertThat(list(envConfig.get("targetServers"))).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("envs")
    void keystoresAndReferences(String env) {
        Map<String, Object> envConfig = envConfig(env);
        for (Object o : list(envConfig.get("keystores"))) {
            // 2.9.3 M/KeystoresMojo.java:62-65 read "name", :119-124 throw without it; the object is the body of POST
            // …/keystores (:217-222), whose only writable field is the name (sample env/dev/keystores.json:1-4).
            assertThat(ConfigTree.asMap(o).keySet()).as(V + "M/KeystoresMojo.java:62-65").containsExactly("name");
            assertThat(ConfigTree.asMap(o).get("name")).isInstanceOf(String.class);
        }
        Set<String> keystores = names(envConfig.get("keystores"), "name");
        for (Object o : list(envConfig.get("references"))) {
            Map<String, Object> ref = ConfigTree.asMap(o);
            // 2.9.3 M/ReferencesMojo.java:62-65 read "name", :119-124 throw without it; the rest is the body of POST/PUT
            // …/references (:219-224, :240-248): Apigee's Reference {name, description, resourceType, refers}.
            assertThat(ref.keySet()).as(V + "M/ReferencesMojo.java:62-65").isSubsetOf("name", "description", "resourceType", "refers");
            assertThat(ref.get("name")).isInstanceOf(String.class);
            // resourceType KeyStore, as the sample (2.9.3 samples/EdgeConfig/resources/edge/env/dev/references.json:5),
            // referring to a keystore this file creates.
            assertThat(ref.get("resourceType")).as(V + "samples/…/env/dev/references.json:5").isEqualTo("KeyStore");
            assertThat(keystores).as("reference " + ref.get("name") + " refers").contains((String) ref.get("refers"));
        }
        assertThat(keystores).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("envs")
    void aliases(String env) {
        Map<String, Object> envConfig = envConfig(env);
        Set<String> keystores = names(envConfig.get("keystores"), "name");
        Set<String> trustStores = new TreeSet<>();
        for (Object o : list(envConfig.get("targetServers"))) {
            trustStores.add(refersTo(envConfig, ((String) ConfigTree.asMap(ConfigTree.asMap(o).get("sSLInfo")).get("trustStore"))
                    .substring(6)));
        }
        for (Object o : list(envConfig.get("aliases"))) {
            Map<String, Object> a = ConfigTree.asMap(o);
            String what = "alias " + a.get("alias") + " of " + env;
            // 2.9.3 M/AliasMojo.java:68-89: the fields the plugin reads (Gson, so any other key would be ignored).
            assertThat(a.keySet()).as(V + "M/AliasMojo.java:68-89 " + what).isSubsetOf("alias", "keystorename", "format",
                    "certFilePath", "keyFilePath", "filePath", "password", "ignoreExpiryValidation",
                    "ignoreNewlineValidation", "privateKeyExportable");
            // :145-152, :414-420: alias and keystorename are required; the keystore is one this file creates.
            assertThat(a.get("alias")).as(V + "M/AliasMojo.java:145-147 " + what).isInstanceOf(String.class);
            assertThat(a.get("keystorename")).as(V + "M/AliasMojo.java:149-152 " + what).isIn(keystores.toArray());
            // :418-434: format is required; Apigee X accepts pkcs12, keycertfile and selfsignedcert only
            // (https://cloud.google.com/apigee/docs/reference/apis/apigee/rest/v1/organizations.environments.keystores.aliases/create),
            // not Edge's keycertjar that :428 still lets through; this project uploads files, so not selfsignedcert.
            assertThat(a.get("format")).as(V + "M/AliasMojo.java:421-434 " + what).isIn("pkcs12", "keycertfile");
            for (String flag : List.of("ignoreExpiryValidation", "ignoreNewlineValidation", "privateKeyExportable")) {
                if (a.containsKey(flag)) {
                    assertThat(a.get(flag)).as(V + "M/AliasMojo.java:84-88 " + what).isInstanceOf(Boolean.class);
                }
            }
            // Every file is read with new File(path) (R/RestUtil.java:250-253), i.e. against the JVM's working
            // directory: the assembler makes each path absolute, and the file is there.
            for (String field : List.of("filePath", "certFilePath", "keyFilePath")) {
                if (a.containsKey(field)) {
                    Path file = Path.of((String) a.get(field));
                    assertThat(file.isAbsolute()).as(V + "R/RestUtil.java:252 " + what + " " + field).isTrue();
                    assertThat(file).as(what + " " + field).isRegularFile();
                }
            }
            if (a.get("format").equals("pkcs12")) {
                // :428-433: pkcs12 needs filePath, sent as the multipart part "file" (:283-284) with the form field
                // "password" (:272-273, R/RestUtil.java:262-268), here resolved from -Dpsd2.qwac.password.
                assertThat(a).as(V + "M/AliasMojo.java:428-433 " + what).containsKey("filePath")
                        .doesNotContainKeys("certFilePath", "keyFilePath");
                assertThat(a.get("password")).as(V + "M/AliasMojo.java:272-273 " + what).isEqualTo(ProjectConfig.PASSWORD);
            } else {
                // :422-426: keycertfile needs certFilePath, sent as the part "certFile" (:277-278); a "file" part
                // (filePath, :283-284) does not belong to it. A truststore alias has no key (Apigee: "If uploading to a
                // truststore, omit keyFile"), hence no key password either.
                assertThat(a).as(V + "M/AliasMojo.java:422-426 " + what).containsKey("certFilePath").doesNotContainKey("filePath");
                if (trustStores.contains(a.get("keystorename"))) {
                    assertThat(a).as(what + " (truststore)").doesNotContainKeys("keyFilePath", "password");
                }
            }
        }
        assertThat(list(envConfig.get("aliases"))).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("envs")
    void kvms(String env) {
        Set<String> names = new LinkedHashSet<>();
        for (Object o : list(envConfig(env).get("kvms"))) {
            Map<String, Object> kvm = ConfigTree.asMap(o);
            String what = "kvm " + kvm.get("name") + " of " + env;
            // 2.9.3 M/KVMMojo.java:71-76: {name, entry[]}; :225-230 throw without a name. (The map itself is created
            // as {"name", "encrypted": true}, :497-499: nothing else of the object is sent.)
            assertThat(kvm.keySet()).as(V + "M/KVMMojo.java:71-76 " + what).containsExactly("name", "entry");
            assertThat(kvm.get("name")).as(V + "M/KVMMojo.java:225-230 " + what).isInstanceOf(String.class);
            assertThat(names.add((String) kvm.get("name"))).as(what + " once").isTrue();
            // M/kvm/KvmOperations.java:52-55 loops over (JSONArray) entry (:123-128): a missing entry is a
            // NullPointerException, so a map the flows fill has "entry": [].
            assertThat(kvm.get("entry")).as(V + "M/kvm/KvmOperations.java:52-55 " + what).isInstanceOf(List.class);
            for (Object e : list(kvm.get("entry"))) {
                Map<String, Object> entry = ConfigTree.asMap(e);
                // M/KVMMojo.java:77-82: {name, value}.
                assertThat(entry.keySet()).as(V + "M/KVMMojo.java:77-82 " + what).containsExactly("name", "value");
                // M/kvm/KvmOperations.java:58-59 cast both to String: a JSON object value (a bank profile) is its text.
                assertThat(entry.get("name")).as(V + "M/kvm/KvmOperations.java:58 " + what).isInstanceOf(String.class);
                assertThat(entry.get("value")).as(V + "M/kvm/KvmOperations.java:59 " + what + " " + entry.get("name"))
                        .isInstanceOf(String.class);
                // M/KVMMojo.java:126-138: an entry name with "/" fails the goal.
                assertThat((String) entry.get("name")).as(V + "M/KVMMojo.java:136-137 " + what).doesNotContain("/");
            }
        }
        assertThat(names).contains(ConfigTree.KEYS_MAP, ConfigTree.BANKS_MAP);
    }

    // ------------------------------------------------------------------ orgConfig: edge.json as the proxy's pom passes it

    @Test
    void orgConfigAsTheRootPomsGoalsReadIt() {
        Element rootProfile = profile(pom("pom.xml"), "apigee-config");
        // The root pom gives the plugin the committed edge.json (config-assembler checks it, ConfigTree.checkOrgConfig).
        assertThat(properties(rootProfile)).containsEntry("apigee.config.file", "${project.basedir}/edge.json");
        // With update, an existing app is PUT with removeApiProductFromApp(app) (2.9.3 M/AppMojo.java:253-262): its
        // apiProducts are dropped only when apigee.app.ignoreAPIProducts is exactly "true" (:332-344,
        // M/GatewayAbstractMojo.java:288-292, U/ServerProfile.java:88-93); otherwise Apigee adds a new credential to the
        // app on every deploy (README.md:151-153). A new app is still created with them (M/AppMojo.java:230-237).
        assertThat(properties(rootProfile)).as(V + "M/AppMojo.java:334-344").containsEntry("apigee.app.ignoreAPIProducts", "true");
        Map<String, Object> edge = ConfigTree.asMap(ConfigTree.readJson(project.config.resolve("edge.json")));
        // Its allEnvConfig (the debug mask) is for config/'s debugmask step; the plugin reads orgConfig.<key> only
        // (2.9.3 U/ConsolidatedConfigReader.java:116-119).
        assertThat(edge.keySet()).isSubsetOf("version", "allEnvConfig", "orgConfig");
        Map<String, Object> org = map(edge, "orgConfig");
        // Read by the root pom's goals: apiProducts (M/APIProductMojo.java:203), developers (M/DeveloperMojo.java:204),
        // developerApps (M/AppMojo.java:211). Nothing else: orgConfig.kvms would be read by no goal the deploy runs.
        assertThat(org.keySet()).as(V + "getOrgConfig(logger, KEY) in M/*Mojo.java").containsExactly("apiProducts", "developers",
                "developerApps");

        // U/ConsolidatedConfigReader.java:119-128: each a JSON array of objects.
        for (Object o : list(org.get("apiProducts"))) {
            // M/APIProductMojo.java:96-105 read "name"; :122-127 throw without it.
            assertThat(ConfigTree.asMap(o).get("name")).as(V + "M/APIProductMojo.java:122-127").isInstanceOf(String.class);
        }
        Set<String> products = names(org.get("apiProducts"), "name");
        for (Object o : list(org.get("developers"))) {
            // M/DeveloperMojo.java:63-66 read "email"; :122-127 throw without it.
            assertThat(ConfigTree.asMap(o).get("email")).as(V + "M/DeveloperMojo.java:122-127").isInstanceOf(String.class);
        }
        Set<String> developers = names(org.get("developers"), "email");
        // U/ConsolidatedConfigReader.java:171-184: developerApps is an object keyed by developer (the email, URL-encoded
        // into developers/{email}/apps, M/AppMojo.java:125), each value a JSON array of apps.
        assertThat(org.get("developerApps")).as(V + "U/ConsolidatedConfigReader.java:171").isInstanceOf(Map.class);
        for (Map.Entry<String, Object> e : map(org, "developerApps").entrySet()) {
            assertThat(developers).as(V + "M/AppMojo.java:125 developer").contains(e.getKey());
            assertThat(e.getValue()).as(V + "U/ConsolidatedConfigReader.java:179").isInstanceOf(List.class);
            for (Object app : list(e.getValue())) {
                // M/AppMojo.java:67-70 read "name"; :128-133 throw without it.
                assertThat(ConfigTree.asMap(app).get("name")).as(V + "M/AppMojo.java:128-133").isInstanceOf(String.class);
                assertThat(list(ConfigTree.asMap(app).get("apiProducts"))).isSubsetOf(products.toArray());
            }
        }
        assertThat(products).isNotEmpty();
        assertThat(developers).isNotEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, Object> envConfig(String env) {
        return map(DEPLOY.get(env), "envConfig", APIGEE_ENV.get(env));
    }

    private static String refersTo(Map<String, Object> envConfig, String reference) {
        for (Object o : list(envConfig.get("references"))) {
            if (reference.equals(ConfigTree.asMap(o).get("name"))) {
                return (String) ConfigTree.asMap(o).get("refers");
            }
        }
        throw new AssertionError("no reference " + reference);
    }

    private static Set<String> aliasesOf(Map<String, Object> envConfig, String keystore) {
        Set<String> aliases = new TreeSet<>();
        for (Object o : list(envConfig.get("aliases"))) {
            if (keystore.equals(ConfigTree.asMap(o).get("keystorename"))) {
                aliases.add((String) ConfigTree.asMap(o).get("alias"));
            }
        }
        return aliases;
    }

    private static Set<String> names(Object list, String key) {
        Set<String> names = new TreeSet<>();
        for (Object o : list(list)) {
            assertThat(names.add((String) ConfigTree.asMap(o).get(key))).as(key + " " + ConfigTree.asMap(o).get(key) + " once").isTrue();
        }
        return names;
    }

    private static Map<String, Object> map(Object o, String... path) {
        Object v = o;
        for (String p : path) {
            v = ConfigTree.asMap(v).get(p);
        }
        return ConfigTree.asMap(v);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    static Path projectRoot() {
        return ProjectConfig.projectRoot();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A POM of the project, read-only. */
    static Element pom(String relative) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(projectRoot().resolve(relative).toFile()).getDocumentElement();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + relative, e);
        }
    }

    static Element child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && n.getNodeName().equals(name)) {
                return (Element) n;
            }
        }
        return null;
    }

    /** The elements at path under e (each step a child name), in document order. */
    static List<Element> elements(Element e, String... path) {
        List<Element> level = new ArrayList<>(List.of(e));
        for (String name : path) {
            List<Element> next = new ArrayList<>();
            for (Element l : level) {
                for (Node n = l.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element && n.getNodeName().equals(name)) {
                        next.add((Element) n);
                    }
                }
            }
            level = next;
        }
        return level;
    }

    static List<String> childNames(Element e) {
        List<String> names = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element) {
                names.add(n.getNodeName());
            }
        }
        return names;
    }

    static String text(Element e, String name) {
        Element c = child(e, name);
        return c == null ? null : c.getTextContent().strip();
    }

    static Map<String, String> properties(Element projectOrProfile) {
        Map<String, String> props = new LinkedHashMap<>();
        for (Element p : elements(projectOrProfile, "properties")) {
            for (Node n = p.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element) {
                    props.put(n.getNodeName(), n.getTextContent().strip());
                }
            }
        }
        return props;
    }

    static Element profile(Element project, String id) {
        for (Element p : elements(project, "profiles", "profile")) {
            if (id.equals(text(p, "id"))) {
                return p;
            }
        }
        throw new AssertionError("no profile " + id);
    }

    static Element plugin(Element projectOrProfile, String artifactId) {
        for (Element p : elements(projectOrProfile, "build", "plugins", "plugin")) {
            if (artifactId.equals(text(p, "artifactId"))) {
                return p;
            }
        }
        throw new AssertionError("no plugin " + artifactId);
    }

    static Element execution(Element projectOrProfile, String artifactId, String id) {
        for (Element e : elements(plugin(projectOrProfile, artifactId), "executions", "execution")) {
            if (id.equals(text(e, "id"))) {
                return e;
            }
        }
        throw new AssertionError("no execution " + id + " of " + artifactId);
    }

    static List<String> arguments(Element execution) {
        List<String> args = new ArrayList<>();
        for (Element a : elements(execution, "configuration", "arguments", "argument")) {
            args.add(a.getTextContent().strip());
        }
        return args;
    }

    /** --name value pairs of an argument list (after the command). */
    static Map<String, String> options(List<String> args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.size(); i += 2) {
            options.put(args.get(i), args.get(i + 1));
        }
        return options;
    }

    /** The goals of apigee-config-maven-plugin's executions in a POM, its build and every profile, in order. */
    static List<String> pluginGoals(Element project) {
        List<Element> scopes = new ArrayList<>(List.of(project));
        scopes.addAll(elements(project, "profiles", "profile"));
        List<String> goals = new ArrayList<>();
        for (Element scope : scopes) {
            for (Element p : elements(scope, "build", "plugins", "plugin")) {
                if ("apigee-config-maven-plugin".equals(text(p, "artifactId"))) {
                    for (Element g : elements(p, "executions", "execution", "goals", "goal")) {
                        goals.add(g.getTextContent().strip());
                    }
                }
            }
        }
        return goals;
    }
}
