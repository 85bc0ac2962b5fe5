package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.expr.Condition;
import eu.securehub.psd2.runtime.expr.ExpressionException;
import eu.securehub.psd2.runtime.expr.MessageTemplate;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import eu.securehub.psd2.runtime.spi.SslInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Loads a proxy (apiproxy/) or shared-flow (sharedflowbundle/) bundle from a directory or a zip, strictly: every
 * element and attribute of the descriptor, endpoints and policies must be understood, every condition and template
 * must parse, every Step must name a policy of the bundle, every policy type must have a factory. Errors are
 * {@link ConfigError}s naming the file (relative to the bundle's parent, e.g. "apiproxy/policies/X.xml") and line.
 */
public final class BundleLoader {
    private final Map<String, PolicyFactory> factories;

    public BundleLoader(Map<String, PolicyFactory> factories) {
        this.factories = factories;
    }

    // ------------------------------------------------------------------ locating the bundle root

    /** Finds the bundle root directory (apiproxy/ or sharedflowbundle/) for a directory or zip path. */
    static Path bundleRoot(Path given, String dirName) {
        Path p = given;
        if (Files.isRegularFile(p) && p.toString().endsWith(".zip")) {
            p = unzip(p);
        }
        if (!Files.isDirectory(p)) {
            throw new ConfigError(new Location(given.toString(), 0), "not a directory or zip: " + given);
        }
        if (p.getFileName() != null && p.getFileName().toString().equals(dirName)) {
            return p;
        }
        Path inner = p.resolve(dirName);
        if (Files.isDirectory(inner)) {
            return inner;
        }
        throw new ConfigError(new Location(given.toString(), 0), "no " + dirName + "/ in " + given);
    }

    private static Path unzip(Path zip) {
        try {
            Path dir = Files.createTempDirectory("bundle-");
            dir.toFile().deleteOnExit();
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
                ZipEntry e;
                while ((e = in.getNextEntry()) != null) {
                    Path out = dir.resolve(e.getName()).normalize();
                    if (!out.startsWith(dir)) {
                        throw new ConfigError(new Location(zip.toString(), 0), "zip entry outside the bundle: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(out);
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return dir;
        } catch (IOException e) {
            throw new ConfigError(new Location(zip.toString(), 0), "cannot read zip: " + e, e);
        }
    }

    private static List<Path> xmlFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new ConfigError(new Location(dir.toString(), 0), "cannot list: " + e, e);
        }
    }

    private static String display(Path root, Path file) {
        return root.getFileName() + "/" + root.relativize(file).toString().replace('\\', '/');
    }

    // ------------------------------------------------------------------ proxy

    public Bundle loadProxy(Path given) {
        Path root = bundleRoot(given, "apiproxy");
        List<Path> descriptors = xmlFiles(root).stream().filter(p -> p.toString().endsWith(".xml")).toList();
        checkOnlyKnownEntries(root, Set.of("proxies", "targets", "policies", "resources"), descriptors);
        if (descriptors.size() != 1) {
            throw new ConfigError(new Location(root.getFileName().toString(), 0),
                    "expected exactly one descriptor apiproxy/<name>.xml, found " + descriptors.size());
        }
        XElement d = XElement.parse(descriptors.get(0), display(root, descriptors.get(0)));
        expectRoot(d, "APIProxy");
        StrictXml dx = new StrictXml(d, false);
        String name = dx.attribute("name");
        String revision = dx.optionalAttribute("revision").orElse("1");
        readManifest(dx);
        dx.done();
        Bundle b = new Bundle(name, false, revision, root);
        loadPolicies(b, root);
        for (Path f : xmlFiles(root.resolve("targets"))) {
            checkXmlName(root, f);
            Model.TargetEndpointDef t = parseTarget(XElement.parse(f, display(root, f)), b);
            if (b.targetEndpoints.put(t.name(), t) != null) {
                throw new ConfigError(t.at(), "duplicate TargetEndpoint " + t.name());
            }
        }
        for (Path f : xmlFiles(root.resolve("proxies"))) {
            checkXmlName(root, f);
            Model.ProxyEndpointDef p = parseProxy(XElement.parse(f, display(root, f)), b);
            if (b.proxyEndpoints.put(p.name(), p) != null) {
                throw new ConfigError(p.at(), "duplicate ProxyEndpoint " + p.name());
            }
        }
        if (b.proxyEndpoints.isEmpty()) {
            throw new ConfigError(new Location(root.getFileName() + "/proxies", 0), "no ProxyEndpoint");
        }
        for (Model.ProxyEndpointDef p : b.proxyEndpoints.values()) {
            for (Model.RouteRuleDef r : p.routeRules()) {
                if (r.targetEndpoint() != null && !b.targetEndpoints.containsKey(r.targetEndpoint())) {
                    throw new ConfigError(r.at(), "RouteRule " + r.name() + " names the unknown TargetEndpoint " + r.targetEndpoint());
                }
            }
        }
        return b;
    }

    private static void checkXmlName(Path root, Path f) {
        if (!f.getFileName().toString().endsWith(".xml")) {
            throw new ConfigError(new Location(display(root, f), 0), "not an XML file (only *.xml belong here)");
        }
    }

    private static void checkOnlyKnownEntries(Path root, Set<String> dirs, List<Path> descriptors) {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (Files.isDirectory(p) ? !dirs.contains(n) : !descriptors.contains(p)) {
                    throw new ConfigError(new Location(display(root, p), 0), "unknown entry in the bundle");
                }
            }
        } catch (IOException e) {
            throw new ConfigError(new Location(root.toString(), 0), "cannot list: " + e, e);
        }
    }

    private static void expectRoot(XElement e, String name) {
        if (!e.name.equals(name)) {
            throw new ConfigError(e.location, "expected <" + name + ">, found <" + e.name + ">");
        }
    }

    /** The descriptor's documented children; the lists are manifest-only (Apigee derives them from the files). */
    private static void readManifest(StrictXml dx) {
        for (String text : List.of("Description", "DisplayName", "CreatedAt", "CreatedBy", "LastModifiedAt",
                "LastModifiedBy", "ManifestVersion", "Spec", "Basepaths", "BasePaths")) {
            dx.child(text).ifPresent(PolicyXml::text);
        }
        dx.child("ConfigurationVersion").ifPresent(c -> {
            c.optionalAttribute("majorVersion");
            c.optionalAttribute("minorVersion");
        });
        for (String list : List.of("Policies", "ProxyEndpoints", "TargetEndpoints", "Resources", "TargetServers",
                "SharedFlows", "IntegrationEndpoints")) {
            dx.child(list).ifPresent(PolicyXml::consumeAll);
        }
    }

    // ------------------------------------------------------------------ shared flow

    public Bundle loadSharedFlow(Path given) {
        Path root = bundleRoot(given, "sharedflowbundle");
        List<Path> descriptors = xmlFiles(root).stream().filter(p -> p.toString().endsWith(".xml")).toList();
        checkOnlyKnownEntries(root, Set.of("sharedflows", "policies", "resources"), descriptors);
        if (descriptors.size() != 1) {
            throw new ConfigError(new Location(root.getFileName().toString(), 0),
                    "expected exactly one descriptor sharedflowbundle/<name>.xml, found " + descriptors.size());
        }
        XElement d = XElement.parse(descriptors.get(0), display(root, descriptors.get(0)));
        expectRoot(d, "SharedFlowBundle");
        StrictXml dx = new StrictXml(d, false);
        String name = dx.attribute("name");
        String revision = dx.optionalAttribute("revision").orElse("1");
        readManifest(dx);
        dx.done();
        Bundle b = new Bundle(name, true, revision, root);
        loadPolicies(b, root);
        Path def = root.resolve("sharedflows").resolve("default.xml");
        if (!Files.isRegularFile(def)) {
            throw new ConfigError(new Location(root.getFileName() + "/sharedflows/default.xml", 0), "missing");
        }
        for (Path f : xmlFiles(root.resolve("sharedflows"))) {
            checkXmlName(root, f);
            XElement sf = XElement.parse(f, display(root, f));
            expectRoot(sf, "SharedFlow");
            StrictXml x = new StrictXml(sf, false);
            x.attribute("name");
            x.child("Description").ifPresent(PolicyXml::text);
            List<Model.Step> steps = steps(x, b);
            x.done();
            if (f.equals(def)) {
                b.sharedFlowSteps = steps;
            }
        }
        return b;
    }

    // ------------------------------------------------------------------ policies

    private void loadPolicies(Bundle b, Path root) {
        for (Path f : xmlFiles(root.resolve("policies"))) {
            checkXmlName(root, f);
            XElement e = XElement.parse(f, display(root, f));
            PolicyFactory factory = factories.get(e.name);
            if (factory == null) {
                throw new ConfigError(e.location, "unknown policy type <" + e.name + "> (no PolicyFactory registered for it)");
            }
            StrictXml x = new StrictXml(e, true);
            String name = e.attributes.get("name");
            if (name == null || name.isBlank()) {
                throw new ConfigError(e.location, "policy without a name attribute");
            }
            Policy p;
            try {
                p = factory.create(x, b);
            } catch (ConfigError ce) {
                throw ce;
            } catch (ExpressionException ee) {
                throw new ConfigError(e.location, "malformed expression: " + ee.getMessage(), ee);
            } catch (RuntimeException re) {
                throw new ConfigError(e.location, "policy " + name + " cannot be created: " + re, re);
            }
            StrictXml.check(e);
            if (b.policies.put(name, p) != null) {
                throw new ConfigError(e.location, "duplicate policy name " + name);
            }
        }
    }

    // ------------------------------------------------------------------ endpoints

    static Condition condition(PolicyXml c) {
        String text = c.text();
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Condition.parse(text);
        } catch (ExpressionException e) {
            throw new ConfigError(c.location(), "malformed condition '" + text + "': " + e.getMessage(), e);
        }
    }

    static MessageTemplate template(PolicyXml c) {
        String text = c.text();
        try {
            return MessageTemplate.parse(text);
        } catch (ExpressionException e) {
            throw new ConfigError(c.location(), "malformed message template '" + text + "': " + e.getMessage(), e);
        }
    }

    private static Condition optCondition(PolicyXml x) {
        Optional<PolicyXml> c = x.child("Condition");
        return c.isPresent() ? condition(c.get()) : null;
    }

    private static List<Model.Step> steps(PolicyXml parent, Bundle b) {
        List<Model.Step> out = new ArrayList<>();
        for (PolicyXml s : parent.children("Step")) {
            PolicyXml n = s.child("Name").orElseThrow(() -> s.error("<Step> without <Name>"));
            String policy = n.text();
            if (!b.policies.containsKey(policy)) {
                throw new ConfigError(n.location(), "Step names the unknown policy " + policy);
            }
            Condition c = optCondition(s);
            s.child("FaultRules").ifPresent(fr -> {
                if (!fr.children().isEmpty()) {
                    throw fr.error("Step-level FaultRules are not supported");
                }
            });
            out.add(new Model.Step(policy, c, s.location()));
        }
        return out;
    }

    private static Model.FlowDef flow(PolicyXml f, Bundle b, boolean conditional, String dflt) {
        String name = f.optionalAttribute("name").orElse(dflt);
        String desc = f.childText("Description").orElse(null);
        Condition c = conditional ? optCondition(f) : null;
        List<Model.Step> req = f.child("Request").map(r -> steps(r, b)).orElse(List.of());
        List<Model.Step> resp = f.child("Response").map(r -> steps(r, b)).orElse(List.of());
        return new Model.FlowDef(name, desc, c, req, resp);
    }

    private static List<Model.FlowDef> flows(PolicyXml x, Bundle b) {
        List<Model.FlowDef> out = new ArrayList<>();
        x.child("Flows").ifPresent(fs -> {
            for (PolicyXml f : fs.children("Flow")) {
                out.add(flow(f, b, true, "unnamed"));
            }
        });
        return out;
    }

    private static List<Model.FaultRuleDef> faultRules(PolicyXml x, Bundle b) {
        List<Model.FaultRuleDef> out = new ArrayList<>();
        x.child("FaultRules").ifPresent(fs -> {
            for (PolicyXml f : fs.children("FaultRule")) {
                String name = f.optionalAttribute("name").orElse("unnamed");
                out.add(new Model.FaultRuleDef(name, optCondition(f), steps(f, b), f.location()));
            }
        });
        return out;
    }

    private static Model.DefaultFaultRuleDef defaultFaultRule(PolicyXml x, Bundle b) {
        Optional<PolicyXml> d = x.child("DefaultFaultRule");
        if (d.isEmpty()) {
            return null;
        }
        PolicyXml r = d.get();
        String name = r.optionalAttribute("name").orElse("default");
        boolean always = r.child("AlwaysEnforce").map(a -> {
            String t = a.text();
            if (!t.equals("true") && !t.equals("false")) {
                throw a.error("AlwaysEnforce must be true or false");
            }
            return t.equals("true");
        }).orElse(false);
        return new Model.DefaultFaultRuleDef(name, optCondition(r), steps(r, b), always);
    }

    Model.ProxyEndpointDef parseProxy(XElement e, Bundle b) {
        expectRoot(e, "ProxyEndpoint");
        StrictXml x = new StrictXml(e, false);
        String name = x.attribute("name");
        x.child("Description").ifPresent(PolicyXml::text);
        Model.FlowDef pre = x.child("PreFlow").map(f -> flow(f, b, false, "PreFlow"))
                .orElse(new Model.FlowDef("PreFlow", null, null, List.of(), List.of()));
        Model.FlowDef post = x.child("PostFlow").map(f -> flow(f, b, false, "PostFlow"))
                .orElse(new Model.FlowDef("PostFlow", null, null, List.of(), List.of()));
        List<Model.FlowDef> flows = flows(x, b);
        List<Model.Step> pcf = List.of();
        Optional<PolicyXml> pc = x.child("PostClientFlow");
        if (pc.isPresent()) {
            PolicyXml p = pc.get();
            p.optionalAttribute("name");
            p.child("Description").ifPresent(PolicyXml::text);
            p.child("Request").ifPresent(r -> {
                if (!r.children().isEmpty()) {
                    throw r.error("PostClientFlow has no Request segment");
                }
            });
            pcf = p.child("Response").map(r -> steps(r, b)).orElse(List.of());
        }
        PolicyXml conn = x.child("HTTPProxyConnection").orElseThrow(() -> x.error("ProxyEndpoint without HTTPProxyConnection"));
        String basePath = conn.child("BasePath").map(PolicyXml::text).orElse("/");
        if (!basePath.startsWith("/")) {
            throw new ConfigError(conn.locationOf("BasePath"), "BasePath must start with /");
        }
        conn.child("Properties").ifPresent(ps -> {
            for (PolicyXml p : ps.children("Property")) {
                throw p.error("ProxyEndpoint property " + p.optionalAttribute("name").orElse("?") + " is not supported by the local runtime");
            }
        });
        List<Model.RouteRuleDef> routes = new ArrayList<>();
        for (PolicyXml r : x.children("RouteRule")) {
            String rn = r.optionalAttribute("name").orElse("unnamed");
            Condition c = optCondition(r);
            String te = r.childText("TargetEndpoint").filter(s -> !s.isEmpty()).orElse(null);
            MessageTemplate url = r.child("URL").map(BundleLoader::template).orElse(null);
            if (te != null && url != null) {
                throw r.error("RouteRule with both TargetEndpoint and URL");
            }
            routes.add(new Model.RouteRuleDef(rn, c, te, url, r.location()));
        }
        List<Model.FaultRuleDef> frs = faultRules(x, b);
        Model.DefaultFaultRuleDef dfr = defaultFaultRule(x, b);
        x.done();
        return new Model.ProxyEndpointDef(name, basePath.length() > 1 && basePath.endsWith("/")
                ? basePath.substring(0, basePath.length() - 1) : basePath,
                pre, flows, post, pcf, frs, dfr, routes, e.location);
    }

    /** TargetEndpoint properties the runtime implements. */
    static final Set<String> TARGET_PROPERTIES = Set.of("success.codes", "connect.timeout.millis", "io.timeout.millis",
            // keepalive only tunes connection reuse, which has no observable effect here; accepted as a no-op.
            "keepalive.timeout.millis");

    Model.TargetEndpointDef parseTarget(XElement e, Bundle b) {
        expectRoot(e, "TargetEndpoint");
        StrictXml x = new StrictXml(e, false);
        String name = x.attribute("name");
        x.child("Description").ifPresent(PolicyXml::text);
        Model.FlowDef pre = x.child("PreFlow").map(f -> flow(f, b, false, "PreFlow"))
                .orElse(new Model.FlowDef("PreFlow", null, null, List.of(), List.of()));
        Model.FlowDef post = x.child("PostFlow").map(f -> flow(f, b, false, "PostFlow"))
                .orElse(new Model.FlowDef("PostFlow", null, null, List.of(), List.of()));
        List<Model.FlowDef> flows = flows(x, b);
        List<Model.FaultRuleDef> frs = faultRules(x, b);
        Model.DefaultFaultRuleDef dfr = defaultFaultRule(x, b);
        PolicyXml c = x.child("HTTPTargetConnection").orElseThrow(() -> x.error("TargetEndpoint without HTTPTargetConnection"));
        MessageTemplate url = c.child("URL").map(BundleLoader::template).orElse(null);
        List<String> servers = new ArrayList<>();
        Optional<PolicyXml> lb = c.child("LoadBalancer");
        if (lb.isPresent()) {
            PolicyXml l = lb.get();
            l.child("Algorithm").ifPresent(a -> {
                if (!a.text().equals("RoundRobin")) {
                    throw a.error("only the RoundRobin LoadBalancer algorithm is supported");
                }
            });
            for (PolicyXml s : l.children("Server")) {
                servers.add(s.attribute("name"));
            }
            if (servers.isEmpty()) {
                throw l.error("LoadBalancer without Server");
            }
        }
        if ((url == null) == servers.isEmpty()) {
            throw c.error("HTTPTargetConnection needs exactly one of URL or LoadBalancer");
        }
        MessageTemplate path = c.child("Path").map(BundleLoader::template).orElse(null);
        if (path != null && url != null) {
            throw new ConfigError(c.locationOf("Path"), "<Path> is only used with a LoadBalancer");
        }
        SslInfo ssl = c.child("SSLInfo").map(SslInfo::parse).orElse(null);
        Map<String, String> props = new LinkedHashMap<>();
        c.child("Properties").ifPresent(ps -> {
            for (PolicyXml p : ps.children("Property")) {
                String pn = p.attribute("name");
                if (!TARGET_PROPERTIES.contains(pn)) {
                    throw p.error("TargetEndpoint property " + pn + " is not supported by the local runtime");
                }
                props.put(pn, p.text());
            }
        });
        validateProperties(props, c);
        x.done();
        return new Model.TargetEndpointDef(name, pre, flows, post, frs, dfr,
                new Model.TargetConnection(url, servers, path, ssl, props, c.location()), e.location);
    }

    private static void validateProperties(Map<String, String> props, PolicyXml at) {
        for (String t : List.of("connect.timeout.millis", "io.timeout.millis", "keepalive.timeout.millis")) {
            String v = props.get(t);
            if (v != null) {
                try {
                    if (Long.parseLong(v.trim()) < 0) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException ex) {
                    throw at.error(t + " must be a non-negative number of milliseconds, got '" + v + "'");
                }
            }
        }
        String sc = props.get("success.codes");
        if (sc != null) {
            try {
                SuccessCodes.parse(sc);
            } catch (IllegalArgumentException ex) {
                throw at.error("malformed success.codes '" + sc + "'");
            }
        }
    }

    static InputStream unused() {
        return null;
    }
}
