package eu.securehub.psd2.bundletests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.w3c.dom.Element;

/**
 * The static security and consistency rules over a {@link Hub}. Each rule returns its violations, one line each:
 * {@code <file relative to the project root>: [<rule>] <what is wrong>}; an empty list means the rule holds.
 * The rules read every file there is, so they keep holding as bundles, policies and banks are added.
 */
final class Rules {

  static final String ERRORS_FLOW = "psd2-errors-v1";
  static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----");
  static final Pattern HUB_TOKEN = Pattern.compile("(?<![A-Za-z0-9_-])hub_[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])");
  static final Set<String> KEY_FILE_SUFFIXES = Set.of(".p12", ".pfx", ".jks", ".key", ".keystore", ".bcfks");
  static final Set<String> BINARY_SUFFIXES = Set.of(".jar", ".zip", ".class");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, List<String>> PREFIXES = loadPrefixes();

  private Rules() {}

  /** Every rule, by name. */
  static Map<String, List<String>> all(Hub hub) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    out.put("targetserver-tls", targetServerTls(hub));
    out.put("sslinfo", sslInfo(hub));
    out.put("target-connection", targetConnection(hub));
    out.put("condition-quotes", conditionQuotes(hub));
    out.put("quota-distributed", quotaDistributed(hub));
    out.put("policy-attached", policyAttached(hub));
    out.put("step-policy-exists", stepPolicyExists(hub));
    out.put("default-fault-rule", defaultFaultRule(hub));
    out.put("no-raisefault-in-fault-handling", noRaiseFaultInFaultHandling(hub));
    out.put("flowcallout-target", flowCalloutTarget(hub));
    out.put("policy-naming", policyNaming(hub));
    out.put("no-secrets", noSecrets(hub));
    out.put("oas-resource", oasResources(hub.bundles()));
    out.put("java-callout-config", javaCalloutConfig(hub));
    return out;
  }

  // ---------------------------------------------------------------------------------------------- TLS

  /** Every TargetServer of the config: mutual TLS, enforced, keystore and truststore by reference, TLS 1.2/1.3. */
  static List<String> targetServerTls(Hub hub) {
    List<String> v = new ArrayList<>();
    List<Located> servers = targetServers(hub, v);
    if (servers.isEmpty()) {
      v.add("targetservers/: [targetserver-tls] no TargetServer found in targetservers/<env>/*.json or edge.json");
    }
    for (Located s : servers) {
      String where = hub.rel(s.file) + ": [targetserver-tls] TargetServer " + s.node.path("name").asText("<no name>");
      if (s.node.path("name").asText("").isBlank()) {
        v.add(where + " has no name");
      }
      JsonNode ssl = s.node.path("sSLInfo");
      if (!ssl.isObject()) {
        v.add(where + " has no sSLInfo");
        continue;
      }
      requireTrue(ssl, "enabled", where, v);
      requireTrue(ssl, "enforce", where, v);
      requireTrue(ssl, "clientAuthEnabled", where, v);
      requireRef(ssl.path("keyStore").asText(""), "keyStore", where, v);
      requireRef(ssl.path("trustStore").asText(""), "trustStore", where, v);
      if (ssl.path("keyAlias").asText("").isBlank()) {
        v.add(where + ": sSLInfo.keyAlias is not set");
      }
      if (isTrue(ssl.path("ignoreValidationErrors"))) {
        v.add(where + ": sSLInfo.ignoreValidationErrors is true");
      }
      List<String> protocols = new ArrayList<>();
      ssl.path("protocols").forEach(p -> protocols.add(p.asText()));
      checkProtocols(protocols, where + ": sSLInfo.protocols", v);
    }
    return v;
  }

  record Located(Path file, JsonNode node) {}

  /** TargetServers from targetservers/<env>/*.json (an object or an array) and edge.json's envConfig. */
  static List<Located> targetServers(Hub hub, List<String> v) {
    List<Located> out = new ArrayList<>();
    hub.configDir("targetservers").ifPresent(dir -> {
      for (Path f : hub.configFiles()) {
        if (f.startsWith(dir) && f.getFileName().toString().endsWith(".json")) {
          JsonNode n = readJson(f, hub, v);
          if (n == null) {
            continue;
          }
          if (n.isArray()) {
            n.forEach(e -> out.add(new Located(f, e)));
          } else {
            out.add(new Located(f, n));
          }
        }
      }
    });
    for (Path f : hub.edgeJsonFiles()) {
      JsonNode n = readJson(f, hub, v);
      if (n == null) {
        continue;
      }
      for (Iterator<JsonNode> envs = n.path("envConfig").elements(); envs.hasNext(); ) {
        envs.next().path("targetServers").forEach(e -> out.add(new Located(f, e)));
      }
    }
    return out;
  }

  /** TargetServer names per environment folder (targetservers/<env>/). */
  static Map<String, Set<String>> targetServerNamesByEnv(Hub hub) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    Optional<Path> dir = hub.configDir("targetservers");
    if (dir.isEmpty()) {
      return out;
    }
    for (Path env : Bundle.list(dir.get())) {
      if (Files.isDirectory(env)) {
        out.put(env.getFileName().toString(), new TreeSet<>());
      }
    }
    List<String> ignored = new ArrayList<>();
    for (Path f : hub.configFiles()) {
      if (!f.startsWith(dir.get()) || !f.getFileName().toString().endsWith(".json")) {
        continue;
      }
      Path rel = dir.get().relativize(f);
      String env = rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
      JsonNode n = readJson(f, hub, ignored);
      Set<String> names = out.computeIfAbsent(env, k -> new TreeSet<>());
      if (n != null && n.isArray()) {
        n.forEach(e -> names.add(e.path("name").asText()));
      } else if (n != null) {
        names.add(n.path("name").asText());
      }
    }
    return out;
  }

  /** Every SSLInfo in any bundle XML (TargetEndpoints, ServiceCallouts): the same rules as a TargetServer. */
  static List<String> sslInfo(Hub hub) {
    List<String> v = new ArrayList<>();
    for (Bundle b : hub.bundles()) {
      for (Path f : b.allXml()) {
        for (Element ssl : Xml.descendants(Xml.parse(f), "SSLInfo")) {
          String where = hub.rel(f) + ": [sslinfo] SSLInfo";
          for (String flag : List.of("Enabled", "Enforce", "ClientAuthEnabled")) {
            if (!"true".equals(Xml.childText(ssl, flag))) {
              v.add(where + " <" + flag + "> is not true");
            }
          }
          requireRef(Xml.childText(ssl, "KeyStore"), "<KeyStore>", where, v);
          requireRef(Xml.childText(ssl, "TrustStore"), "<TrustStore>", where, v);
          if (Xml.childText(ssl, "KeyAlias").isEmpty()) {
            v.add(where + " <KeyAlias> is not set");
          }
          if ("true".equalsIgnoreCase(Xml.childText(ssl, "IgnoreValidationErrors"))) {
            v.add(where + " <IgnoreValidationErrors> is true");
          }
          List<String> protocols = Xml.child(ssl, "Protocols")
              .map(p -> Xml.children(p, "Protocol").stream().map(Xml::text).toList())
              .orElse(List.of());
          checkProtocols(protocols, where + " <Protocols>", v);
        }
      }
    }
    return v;
  }

  /**
   * Every TargetEndpoint reaches its backend through a LoadBalancer of TargetServers (TLS kept in config) or with
   * an SSLInfo; each LoadBalancer server is a TargetServer of every environment.
   */
  static List<String> targetConnection(Hub hub) {
    List<String> v = new ArrayList<>();
    Map<String, Set<String>> byEnv = targetServerNamesByEnv(hub);
    for (Bundle b : hub.proxies()) {
      for (Path f : b.endpointFiles("targets")) {
        Element root = Xml.parse(f);
        String where = hub.rel(f) + ": [target-connection] TargetEndpoint " + root.getAttribute("name");
        Optional<Element> conn = Xml.child(root, "HTTPTargetConnection");
        if (conn.isEmpty()) {
          continue; // LocalTargetConnection or a script target: no backend of its own
        }
        Optional<Element> lb = Xml.child(conn.get(), "LoadBalancer");
        boolean ssl = Xml.child(conn.get(), "SSLInfo").isPresent();
        if (lb.isEmpty() && !ssl) {
          v.add(where + " calls a URL without SSLInfo: use a LoadBalancer of TargetServers (TLS in config)");
        }
        if (lb.isPresent()) {
          List<Element> servers = Xml.children(lb.get(), "Server");
          if (servers.isEmpty()) {
            v.add(where + " has a LoadBalancer without a Server");
          }
          if (byEnv.isEmpty()) {
            v.add(where + " uses TargetServers but no targetservers/<env>/ config was found");
          }
          for (Element s : servers) {
            String name = s.getAttribute("name");
            byEnv.forEach((env, names) -> {
              if (!names.contains(name)) {
                v.add(where + " names TargetServer " + name + ", not defined in targetservers/" + env + "/");
              }
            });
          }
        }
      }
    }
    return v;
  }

  // ---------------------------------------------------------------------------------------------- XML rules

  /** No Condition in any bundle XML contains a single quote (apigeelint CC007; Apigee quotes with "). */
  static List<String> conditionQuotes(Hub hub) {
    List<String> v = new ArrayList<>();
    for (Bundle b : hub.bundles()) {
      for (Path f : b.allXml()) {
        for (Element c : Xml.descendants(Xml.parse(f), "Condition")) {
          if (Xml.text(c).contains("'")) {
            v.add(hub.rel(f) + ": [condition-quotes] Condition with a single quote: " + Xml.text(c));
          }
        }
      }
    }
    return v;
  }

  /** Every Quota policy is distributed (counters shared by all message processors). */
  static List<String> quotaDistributed(Hub hub) {
    List<String> v = new ArrayList<>();
    for (Bundle b : hub.bundles()) {
      for (Bundle.Policy p : b.policies().values()) {
        if (p.type().equals("Quota") && !"true".equals(Xml.childText(p.root(), "Distributed"))) {
          v.add(hub.rel(p.file()) + ": [quota-distributed] Quota " + p.name() + " lacks <Distributed>true</Distributed>");
        }
      }
    }
    return v;
  }

  /** Step names of a bundle's proxies, targets and shared flows. */
  static Set<String> stepNames(Bundle b) {
    Set<String> names = new HashSet<>();
    for (Path f : b.flowFiles()) {
      for (Element s : Xml.descendants(Xml.parse(f), "Step")) {
        names.add(Xml.childText(s, "Name"));
      }
    }
    return names;
  }

  /** Every policy file is attached as a Step somewhere in its own bundle. */
  static List<String> policyAttached(Hub hub) {
    List<String> v = new ArrayList<>();
    for (Bundle b : hub.bundles()) {
      Set<String> steps = stepNames(b);
      for (Map.Entry<String, Bundle.Policy> e : b.policies().entrySet()) {
        if (!steps.contains(e.getKey())) {
          v.add(hub.rel(e.getValue().file()) + ": [policy-attached] policy " + e.getKey()
              + " is not attached as a Step in " + b.name());
        }
      }
    }
    return v;
  }

  /** Every Step names a policy of its own bundle. */
  static List<String> stepPolicyExists(Hub hub) {
    List<String> v = new ArrayList<>();
    for (Bundle b : hub.bundles()) {
      Set<String> policies = b.policies().keySet();
      for (Path f : b.flowFiles()) {
        for (Element s : Xml.descendants(Xml.parse(f), "Step")) {
          String name = Xml.childText(s, "Name");
          if (!policies.contains(name)) {
            v.add(hub.rel(f) + ": [step-policy-exists] Step " + (name.isEmpty() ? "<no Name>" : name)
                + " names no policy of " + b.name());
          }
        }
      }
    }
    return v;
  }

  /** The endpoint files of the proxies: proxies/*.xml and targets/*.xml. */
  static List<Path> endpoints(Bundle b) {
    List<Path> out = new ArrayList<>(b.endpointFiles("proxies"));
    out.addAll(b.endpointFiles("targets"));
    return out;
  }

  /** The shared flow a step's policy calls, if that policy is a FlowCallout. */
  static Optional<String> calledFlow(Bundle b, String stepName) {
    Bundle.Policy p = b.policies().get(stepName);
    if (p == null || !p.type().equals("FlowCallout")) {
      return Optional.empty();
    }
    return Optional.of(Xml.childText(p.root(), "SharedFlowBundle"));
  }

  /**
   * Every ProxyEndpoint and TargetEndpoint has one unconditional DefaultFaultRule with AlwaysEnforce true whose
   * steps call the shared flow psd2-errors-v1.
   */
  static List<String> defaultFaultRule(Hub hub) {
    List<String> v = new ArrayList<>();
    for (Bundle b : hub.proxies()) {
      for (Path f : endpoints(b)) {
        Element root = Xml.parse(f);
        String where = hub.rel(f) + ": [default-fault-rule] " + root.getTagName() + " " + root.getAttribute("name");
        List<Element> dfrs = Xml.children(root, "DefaultFaultRule");
        if (dfrs.size() != 1) {
          v.add(where + " has " + dfrs.size() + " DefaultFaultRule elements, expected 1");
          continue;
        }
        Element dfr = dfrs.get(0);
        if (!"true".equals(Xml.childText(dfr, "AlwaysEnforce"))) {
          v.add(where + ": DefaultFaultRule lacks <AlwaysEnforce>true</AlwaysEnforce>");
        }
        if (Xml.child(dfr, "Condition").isPresent()) {
          v.add(where + ": DefaultFaultRule has a Condition (it must always run)");
        }
        boolean callsErrors = Xml.children(dfr, "Step").stream()
            .map(s -> calledFlow(b, Xml.childText(s, "Name")))
            .anyMatch(fl -> fl.isPresent() && fl.get().equals(ERRORS_FLOW));
        if (!callsErrors) {
          v.add(where + ": DefaultFaultRule has no Step with a FlowCallout to " + ERRORS_FLOW);
        }
      }
    }
    return v;
  }

  /**
   * No fault path skips the DefaultFaultRule: a RaiseFault in a FaultRule (directly or in a shared flow it calls)
   * would stop the DefaultFaultRule from running even with AlwaysEnforce, and one in the DefaultFaultRule (or in
   * the errors shared flow) would cut it short.
   */
  static List<String> noRaiseFaultInFaultHandling(Hub hub) {
    List<String> v = new ArrayList<>();
    for (Bundle b : hub.proxies()) {
      for (Path f : endpoints(b)) {
        Element root = Xml.parse(f);
        List<Element> steps = new ArrayList<>();
        for (Element frs : Xml.children(root, "FaultRules")) {
          for (Element fr : Xml.children(frs, "FaultRule")) {
            steps.addAll(Xml.children(fr, "Step"));
          }
        }
        for (Element dfr : Xml.children(root, "DefaultFaultRule")) {
          steps.addAll(Xml.children(dfr, "Step"));
        }
        for (Element s : steps) {
          String name = Xml.childText(s, "Name");
          String in = s.getParentNode() instanceof Element p ? p.getTagName() : "?";
          Bundle.Policy p = b.policies().get(name);
          if (p != null && p.type().equals("RaiseFault")) {
            v.add(hub.rel(f) + ": [no-raisefault-in-fault-handling] RaiseFault " + name + " used in a " + in
                + " (the DefaultFaultRule would not run)");
          }
          Map<String, String> params = p == null ? Map.of() : flowCalloutParameters(p);
          calledFlow(b, name).flatMap(hub::sharedFlow).ifPresent(sf -> raiseFaults(sf, params).forEach(rf ->
              v.add(hub.rel(f) + ": [no-raisefault-in-fault-handling] " + in + " calls shared flow " + sf.name()
                  + " which runs RaiseFault " + rf)));
        }
      }
    }
    hub.sharedFlow(ERRORS_FLOW).ifPresent(sf -> raiseFaults(sf, Map.of()).forEach(rf -> v.add(hub.rel(sf.dir())
        + ": [no-raisefault-in-fault-handling] the errors shared flow contains RaiseFault " + rf)));
    return v;
  }

  /**
   * The RaiseFaults a shared flow can run when called with these FlowCallout parameters. A step is out of reach
   * only when its condition starts with a test of a parameter the call sets to another literal, as in
   * {@code (breaker.phase = "before") and …} called with breaker.phase = after; anything else counts as reachable.
   */
  private static List<String> raiseFaults(Bundle sf, Map<String, String> params) {
    Set<String> raiseFaults = sf.policies().values().stream().filter(p -> p.type().equals("RaiseFault"))
        .map(Bundle.Policy::name).collect(Collectors.toSet());
    Set<String> reachable = new TreeSet<>();
    for (Path f : sf.flowFiles()) {
      for (Element step : Xml.descendants(Xml.parse(f), "Step")) {
        String name = Xml.childText(step, "Name");
        if (raiseFaults.contains(name) && !excludedBy(Xml.childText(step, "Condition"), params)) {
          reachable.add(name);
        }
      }
    }
    return List.copyOf(reachable);
  }

  private static final Pattern LEADING_TEST = Pattern.compile("^\\(([A-Za-z0-9_.-]+) = \"([^\"]*)\"\\)( and .*)?$");

  private static boolean excludedBy(String condition, Map<String, String> params) {
    Matcher m = LEADING_TEST.matcher(condition == null ? "" : condition.trim());
    return m.matches() && params.containsKey(m.group(1)) && !params.get(m.group(1)).equals(m.group(2));
  }

  /** A FlowCallout's literal parameters (name to value); ref parameters are unknown until run time and left out. */
  private static Map<String, String> flowCalloutParameters(Bundle.Policy p) {
    Map<String, String> out = new HashMap<>();
    if (p.type().equals("FlowCallout")) {
      for (Element ps : Xml.children(p.root(), "Parameters")) {
        for (Element param : Xml.children(ps, "Parameter")) {
          if (!param.hasAttribute("ref")) {
            out.put(param.getAttribute("name"), param.getTextContent().trim());
          }
        }
      }
    }
    return out;
  }

  /** Every FlowCallout names a shared flow that exists among the built shared flows. */
  static List<String> flowCalloutTarget(Hub hub) {
    List<String> v = new ArrayList<>();
    Set<String> flows = hub.sharedFlows().stream().map(Bundle::name).collect(Collectors.toSet());
    for (Bundle b : hub.bundles()) {
      for (Bundle.Policy p : b.policies().values()) {
        if (p.type().equals("FlowCallout")) {
          String target = Xml.childText(p.root(), "SharedFlowBundle");
          if (!flows.contains(target)) {
            v.add(hub.rel(p.file()) + ": [flowcallout-target] FlowCallout " + p.name() + " names shared flow '"
                + target + "', not one of " + new TreeSet<>(flows));
          }
        }
      }
    }
    return v;
  }

  /** Policy name = file name = DisplayName, and the name is <Prefix>-<Function> with the type's prefix. */
  static List<String> policyNaming(Hub hub) {
    List<String> v = new ArrayList<>();
    for (Bundle b : hub.bundles()) {
      for (Bundle.Policy p : b.policies().values()) {
        String where = hub.rel(p.file()) + ": [policy-naming] " + p.type();
        String name = p.name();
        if (name.isEmpty()) {
          v.add(where + " has no name attribute");
          continue;
        }
        if (!name.equals(p.fileName())) {
          v.add(where + " name " + name + " differs from the file name " + p.fileName());
        }
        String display = Xml.childText(p.root(), "DisplayName");
        if (!name.equals(display)) {
          v.add(where + " name " + name + " differs from its DisplayName '" + display + "'");
        }
        List<String> prefixes = PREFIXES.get(p.type());
        if (prefixes == null) {
          v.add(where + " has no allowed prefix: add the type to policy-prefixes.properties");
        } else if (prefixes.stream().noneMatch(pre -> name.matches(Pattern.quote(pre) + "-[A-Za-z0-9][A-Za-z0-9._-]*"))) {
          v.add(where + " name " + name + " does not start with one of " + prefixes + " followed by -<Function>");
        }
      }
    }
    return v;
  }

  static final Pattern OAS_URL = Pattern.compile("oas://([A-Za-z0-9._-]+\\.(yaml|yml|json))");

  /** Every OASValidation policy names an oas:// resource that exists in its bundle's resources/oas/. */
  static List<String> oasResources(List<Bundle> bundles) {
    List<String> v = new ArrayList<>();
    for (Bundle b : bundles) {
      for (Bundle.Policy p : b.policies().values()) {
        if (!p.type().equals("OASValidation")) {
          continue;
        }
        String url = Xml.childText(p.root(), "OASResource");
        var m = OAS_URL.matcher(url);
        if (!m.matches()) {
          v.add(b.rel(p.file()) + ": [oas-resource] OASValidation " + p.name() + " OASResource '" + url
              + "' is not oas://<file>.yaml|.yml|.json");
        } else if (!Files.isRegularFile(b.dir().resolve("resources/oas").resolve(m.group(1)))) {
          v.add(b.rel(p.file()) + ": [oas-resource] OASValidation " + p.name() + " names " + url + " but "
              + b.rel(b.dir().resolve("resources/oas").resolve(m.group(1))) + " does not exist");
        }
      }
    }
    return v;
  }

  // ---------------------------------------------------------------------------------------------- Java callouts

  static final Pattern JAVA_URL = Pattern.compile("java://([A-Za-z0-9._-]+\\.jar)");
  static final String EXECUTION = "com.apigee.flow.execution.spi.Execution";

  /**
   * Every JavaCallout names a jar of its bundle's resources/java ({@code java://<file>.jar}) that holds its
   * ClassName, an Apigee Execution, and constructing that class with the policy's Properties succeeds, as Apigee
   * does when it deploys the bundle (the callouts refuse an unknown property there). The jar is loaded over the
   * Apigee API declarations only, never this module's class path, so it is the bundle's own classes that run.
   */
  static List<String> javaCalloutConfig(Hub hub) {
    List<String> v = new ArrayList<>();
    Map<Path, URLClassLoader> loaders = new LinkedHashMap<>();
    try (URLClassLoader api = new URLClassLoader("apigee-api", apigeeApi(), ClassLoader.getPlatformClassLoader())) {
      for (Bundle b : hub.bundles()) {
        for (Bundle.Policy p : b.policies().values()) {
          if (!p.type().equals("JavaCallout")) {
            continue;
          }
          String where = hub.rel(p.file()) + ": [java-callout-config] JavaCallout " + p.name();
          String url = Xml.childText(p.root(), "ResourceURL");
          Matcher m = JAVA_URL.matcher(url);
          if (!m.matches()) {
            v.add(where + " ResourceURL '" + url + "' is not java://<file>.jar");
            continue;
          }
          Path jar = b.dir().resolve("resources/java").resolve(m.group(1));
          if (!Files.isRegularFile(jar)) {
            v.add(where + " names " + url + " but " + hub.rel(jar) + " does not exist");
            continue;
          }
          String className = Xml.childText(p.root(), "ClassName");
          if (className.isEmpty()) {
            v.add(where + " has no ClassName");
            continue;
          }
          String entry = className.replace('.', '/') + ".class";
          try (ZipFile z = new ZipFile(jar.toFile())) {
            if (z.getEntry(entry) == null) {
              v.add(where + " names class " + className + " but " + hub.rel(jar) + " holds no " + entry);
              continue;
            }
          } catch (IOException e) {
            v.add(where + ": " + hub.rel(jar) + " is not a readable jar: " + e.getMessage());
            continue;
          }
          Map<String, String> properties = javaCalloutProperties(p, where, v);
          URLClassLoader loader = loaders.computeIfAbsent(jar, j -> new URLClassLoader(hub.rel(j), new URL[] {url(j)}, api));
          String failure = construct(loader, api, className, properties);
          if (failure != null) {
            v.add(where + ": constructing " + className + " with its Properties fails: " + failure);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (URLClassLoader l : loaders.values()) {
        try {
          l.close();
        } catch (IOException e) {
          // a jar left open only until the test JVM ends
        }
      }
    }
    return v;
  }

  /** The Properties as Apigee hands them to the constructor: name to value, as written. */
  private static Map<String, String> javaCalloutProperties(Bundle.Policy p, String where, List<String> v) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Element ps : Xml.children(p.root(), "Properties")) {
      for (Element prop : Xml.children(ps, "Property")) {
        String name = prop.getAttribute("name");
        if (out.put(name, prop.getTextContent()) != null) {
          v.add(where + " sets Property " + name + " twice");
        }
      }
    }
    return out;
  }

  /** Loads and constructs the callout as Apigee would; null when that works, else what went wrong. */
  private static String construct(ClassLoader loader, ClassLoader api, String className, Map<String, String> properties) {
    try {
      Class<?> c = Class.forName(className, true, loader);
      if (!Class.forName(EXECUTION, false, api).isAssignableFrom(c)) {
        return "it is not a " + EXECUTION;
      }
      c.getConstructor(Map.class).newInstance(properties);
      return null;
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    } catch (NoSuchMethodException e) {
      return "it has no public constructor taking a Map<String, String>";
    } catch (ReflectiveOperationException | LinkageError e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** Where the Apigee API declarations (message-flow, expressions) are: what the runtime gives every callout. */
  private static URL[] apigeeApi() {
    return Stream.of(com.apigee.flow.execution.spi.Execution.class, com.apigee.expressions.DataProvider.class)
        .map(c -> c.getProtectionDomain().getCodeSource().getLocation())
        .distinct()
        .toArray(URL[]::new);
  }

  private static URL url(Path p) {
    try {
      return p.toUri().toURL();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------- secrets

  /**
   * No bundle file or config file holds a private key (PEM) or a hub token, and no key store file is committed
   * in the config folders.
   */
  static List<String> noSecrets(Hub hub) {
    List<String> v = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    hub.bundles().forEach(b -> files.addAll(b.allFiles()));
    files.addAll(hub.configFiles());
    for (Path f : files) {
      String fn = f.getFileName().toString().toLowerCase(Locale.ROOT);
      if (BINARY_SUFFIXES.stream().anyMatch(fn::endsWith)) {
        continue;
      }
      if (KEY_FILE_SUFFIXES.stream().anyMatch(fn::endsWith)) {
        v.add(hub.rel(f) + ": [no-secrets] key store file in the bundle or config");
        continue;
      }
      String text = read(f);
      if (PRIVATE_KEY.matcher(text).find()) {
        v.add(hub.rel(f) + ": [no-secrets] contains a PEM private key");
      }
      if (HUB_TOKEN.matcher(text).find()) {
        v.add(hub.rel(f) + ": [no-secrets] contains a hub token (hub_ + 48 characters)");
      }
    }
    return v;
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private static void requireTrue(JsonNode obj, String field, String where, List<String> v) {
    if (!isTrue(obj.path(field))) {
      v.add(where + ": sSLInfo." + field + " is not true");
    }
  }

  private static boolean isTrue(JsonNode n) {
    return n.isBoolean() ? n.booleanValue() : n.isTextual() && n.textValue().trim().equalsIgnoreCase("true");
  }

  private static void requireRef(String value, String field, String where, List<String> v) {
    if (!value.startsWith("ref://") || value.length() == "ref://".length()) {
      v.add(where + ": " + field + " is not a ref://… reference" + (value.isEmpty() ? " (missing)" : ""));
    }
  }

  private static void checkProtocols(List<String> protocols, String where, List<String> v) {
    if (protocols.isEmpty()) {
      v.add(where + " is missing: list TLSv1.2 and/or TLSv1.3");
    }
    for (String p : protocols) {
      if (!TLS_PROTOCOLS.contains(p.trim())) {
        v.add(where + " allows " + p + " (only TLSv1.2, TLSv1.3)");
      }
    }
  }

  private static JsonNode readJson(Path f, Hub hub, List<String> v) {
    try {
      return JSON.readTree(f.toFile());
    } catch (IOException e) {
      v.add(hub.rel(f) + ": [config-json] not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
      return null;
    }
  }

  private static String read(Path f) {
    try {
      return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, List<String>> loadPrefixes() {
    Properties props = new Properties();
    try (InputStream in = Rules.class.getResourceAsStream("/policy-prefixes.properties")) {
      props.load(in);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("policy-prefixes.properties not on the test class path", e);
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    props.forEach((k, val) -> out.put((String) k, Arrays.stream(((String) val).split(",")).map(String::trim).toList()));
    return out;
  }
}
