package eu.securehub.psd2.runtime;

import eu.securehub.psd2.runtime.builtin.AssignMessagePolicy;
import eu.securehub.psd2.runtime.builtin.ExtractVariablesPolicy;
import eu.securehub.psd2.runtime.builtin.FlowCalloutPolicy;
import eu.securehub.psd2.runtime.builtin.JavaCalloutPolicy;
import eu.securehub.psd2.runtime.builtin.RaiseFaultPolicy;
import eu.securehub.psd2.runtime.engine.Bundle;
import eu.securehub.psd2.runtime.engine.BundleLoader;
import eu.securehub.psd2.runtime.engine.ProxyEngine;
import eu.securehub.psd2.runtime.engine.SimpleMessage;
import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.Message;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The local Apigee X runtime: a Jetty front end on 127.0.0.1 routing by base path to deployed proxies, executed by
 * {@link ProxyEngine} with shared flows deployed in the same runtime. With {@link RuntimeOptions#otherNodes()} it is
 * several message processors: one engine per node, each over its node's view of the environment, every bundle
 * deployed to all of them; requests go to the nodes in turn (or as {@link #NODE_HEADER} says).
 * <pre>
 * try (LocalRuntime rt = LocalRuntime.start(RuntimeOptions.of(env))) {
 *     rt.deploySharedFlow(Path.of("sharedflows/x/target/sharedflowbundle"));
 *     rt.deployProxy(Path.of("target/apiproxy"));
 *     ... rt.baseUrl() + "/psd2/v1/..." ...
 * }
 * </pre>
 */
public final class LocalRuntime implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalRuntime.class.getName());

    private final RuntimeOptions options;
    private final ProxyEngine engine;
    /** Every message processor: {@link #engine} first, then one per {@link RuntimeOptions#otherNodes()}. */
    private final List<ProxyEngine> nodes;
    private final java.util.concurrent.atomic.AtomicInteger nextNode = new java.util.concurrent.atomic.AtomicInteger();
    private final BundleLoader loader;
    private final Map<String, PolicyFactory> factories;
    private final eu.securehub.psd2.runtime.trace.TraceRecorder traces;
    private final Server server;
    private final ServerConnector connector;
    private final ExecutorService postClient = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "post-client-flow");
        t.setDaemon(true);
        return t;
    });

    private LocalRuntime(RuntimeOptions options) {
        this.options = options;
        this.engine = new ProxyEngine(options.environment());
        List<ProxyEngine> all = new java.util.ArrayList<>(List.of(engine));
        options.otherNodes().forEach(n -> all.add(new ProxyEngine(n)));
        this.nodes = List.copyOf(all);
        // One recorder for every message processor; each trace says which node ran it.
        this.traces = new eu.securehub.psd2.runtime.trace.TraceRecorder(options.traces(), options.debugMask());
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).tracing(traces, i);
        }
        this.factories = factories(engine, options);
        this.loader = new BundleLoader(factories);
        QueuedThreadPool pool = new QueuedThreadPool(200, 8);
        pool.setName("local-runtime");
        pool.setDaemon(true);
        this.server = new Server(pool);
        HttpConfiguration cfg = new HttpConfiguration();
        cfg.setSendServerVersion(false);
        cfg.setSendXPoweredBy(false);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(cfg));
        connector.setHost(options.host());
        connector.setPort(options.port());
        server.addConnector(connector);
        server.setHandler(new Front());
    }

    /** The policy factories: built-ins, then ServiceLoader-found (they replace built-ins), then the options' own. */
    static Map<String, PolicyFactory> factories(ProxyEngine engine, RuntimeOptions options) {
        Map<String, PolicyFactory> m = new LinkedHashMap<>();
        for (PolicyFactory f : List.of(new AssignMessagePolicy.Factory(), new RaiseFaultPolicy.Factory(),
                new ExtractVariablesPolicy.Factory(), new FlowCalloutPolicy.Factory(engine), new JavaCalloutPolicy.Factory())) {
            m.put(f.type(), f);
        }
        if (options.serviceLoader()) {
            for (PolicyFactory f : ServiceLoader.load(PolicyFactory.class, LocalRuntime.class.getClassLoader())) {
                if (m.containsKey(f.type())) {
                    LOG.warning("PolicyFactory " + f.getClass().getName() + " replaces the built-in " + f.type());
                }
                m.put(f.type(), f);
            }
        }
        for (PolicyFactory f : options.factories()) {
            m.put(f.type(), f);
        }
        return m;
    }

    public static LocalRuntime start(RuntimeOptions options) {
        LocalRuntime rt = new LocalRuntime(options);
        try {
            rt.server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the runtime on " + options.host() + ":" + options.port(), e);
        }
        return rt;
    }

    /**
     * The form of a deployment's service account, as the deployments API states it: "The format must be
     * {ACCOUNT_ID}@{PROJECT}.iam.gserviceaccount.com" (organizations.environments.apis.revisions.deployments.deploy,
     * https://cloud.google.com/apigee/docs/reference/apis/apigee/rest/v1/organizations.environments.apis.revisions.deployments/deploy).
     */
    static final Pattern SERVICE_ACCOUNT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]"
            + "\\.iam\\.gserviceaccount\\.com");

    /** Loads (strictly; ConfigError on any problem) and deploys a proxy bundle without a service account. */
    public Bundle deployProxy(Path bundle) {
        return deployProxy(bundle, null);
    }

    /**
     * Loads and deploys a proxy bundle (apiproxy/ dir, its parent, or a zip) with the service account it runs as
     * (null: none), as {@code POST …/deployments?serviceAccount=…} does on Apigee X.
     */
    public Bundle deployProxy(Path bundle, String serviceAccount) {
        Bundle b = loader.loadProxy(bundle);
        requireServiceAccount(b, serviceAccount);
        // Each message processor loads the bundle itself: its own policy instances and Java class loader, so that a
        // callout's static state (e.g. a cache) is per node, as on Apigee X, where nodes share no memory.
        nodes.get(0).deployProxy(b);
        nodes.stream().skip(1).forEach(n -> n.deployProxy(loader.loadProxy(bundle)));
        return b;
    }

    /** Loads and deploys a shared flow bundle without a service account. */
    public Bundle deploySharedFlow(Path bundle) {
        return deploySharedFlow(bundle, null);
    }

    /** Loads and deploys a shared flow bundle (sharedflowbundle/ dir, its parent, or a zip) with its service account. */
    public Bundle deploySharedFlow(Path bundle, String serviceAccount) {
        Bundle b = loader.loadSharedFlow(bundle);
        requireServiceAccount(b, serviceAccount);
        nodes.get(0).deploySharedFlow(b);
        nodes.stream().skip(1).forEach(n -> n.deploySharedFlow(loader.loadSharedFlow(bundle)));
        return b;
    }

    /**
     * Apigee X refuses to deploy a bundle that authenticates to Google APIs without a service account ("Using Google
     * authentication", https://cloud.google.com/apigee/docs/api-platform/security/google-auth/overview; the
     * deployment fails with MISSING_SERVICE_ACCOUNT, whose message is reproduced here as reported on Google's
     * community forum). A service account that is not of the documented form is refused too.
     */
    static void requireServiceAccount(Bundle b, String serviceAccount) {
        String where = (b.isSharedFlow() ? "sharedflows/" : "apis/") + b.name() + "/revisions/" + b.revision();
        if (serviceAccount != null && !SERVICE_ACCOUNT.matcher(serviceAccount).matches()) {
            throw new ConfigError(new Location(String.valueOf(b.root().getFileName()), 0),
                    "INVALID_ARGUMENT: the service account of the deployment of " + where + " must be {ACCOUNT_ID}@{PROJECT}.iam.gserviceaccount.com");
        }
        if (serviceAccount != null) {
            return;
        }
        for (Policy p : b.policies().values()) {
            if (p.usesGoogleAuthentication()) {
                throw new ConfigError(p.location(), "MISSING_SERVICE_ACCOUNT: Deployment of \"" + where
                        + "\" requires a service account identity, but one was not provided with the request (policy "
                        + p.name() + " authenticates to Google APIs)");
            }
        }
    }

    public String baseUrl() {
        return "http://" + options.host() + ":" + port();
    }

    public int port() {
        return connector.getLocalPort();
    }

    public Environment environment() {
        return options.environment();
    }

    public ProxyEngine engine() {
        return engine;
    }

    /**
     * The Debug traces of the last requests (all nodes), masked with the options' debug mask; records nothing when
     * {@link RuntimeOptions#traces()} is 0. Label destinations here ({@code traces().label("127.0.0.1:8443",
     * "bank alpha")}) for the per-request cost counts.
     */
    public eu.securehub.psd2.runtime.trace.TraceRecorder traces() {
        return traces;
    }

    /** The loader with this runtime's factories (to validate bundles without deploying them). */
    public BundleLoader loader() {
        return loader;
    }

    public Map<String, PolicyFactory> policyFactories() {
        return Map.copyOf(factories);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "stopping the runtime", e);
        }
        postClient.shutdown();
        try {
            postClient.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A request's message processor: the one {@value #NODE_HEADER} names (0 = the first; a test's way to make two
     * requests meet different nodes, the header is not passed on), else the next in turn, as a load balancer in front of
     * several message processors would send them.
     */
    private ProxyEngine node(Request request) {
        String pinned = request.getHeaders().get(NODE_HEADER);
        if (pinned != null && pinned.matches("[0-9]{1,2}") && Integer.parseInt(pinned) < nodes.size()) {
            return nodes.get(Integer.parseInt(pinned));
        }
        return nodes.get(Math.floorMod(nextNode.getAndIncrement(), nodes.size()));
    }

    /** The local runtime's own request header that pins a request to one message processor (never reaches a proxy). */
    public static final String NODE_HEADER = "X-Local-Runtime-Node";

    /** How many message processors this runtime runs. */
    public int nodeCount() {
        return nodes.size();
    }

    /** The HTTP front end: base-path routing, the exchange, the response, then the PostClientFlow. */
    private final class Front extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            ProxyEngine engine = node(request);
            String path = request.getHttpURI().getPath();
            if (path == null || path.isEmpty()) {
                path = "/";
            }
            Optional<ProxyEngine.Deployment> d = engine.match(path);
            if (d.isEmpty()) {
                // X wording UNCONFIRMED (§1.2); the Edge errorcode and text are used.
                byte[] body = ProxyEngine.defaultErrorBody("Unable to identify proxy for host: " + environment().name()
                        + " and url: " + path, "messaging.adaptors.http.flow.ApplicationNotFound", null)
                        .getBytes(StandardCharsets.UTF_8);
                response.setStatus(404);
                response.getHeaders().put("Content-Type", "application/json");
                response.getHeaders().put("Content-Length", String.valueOf(body.length));
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
            SimpleMessage req = new SimpleMessage(true);
            req.verb(request.getMethod());
            req.path(path);
            String q = request.getHttpURI().getQuery();
            req.queryString(q == null ? "" : q);
            String proto = request.getConnectionMetaData().getProtocol();
            req.version(proto != null && proto.startsWith("HTTP/") ? proto.substring(5) : "1.1");
            Headers h = req.headers();
            for (HttpField f : request.getHeaders()) {
                if (!f.getName().equalsIgnoreCase(NODE_HEADER)) {
                    h.add(f.getName(), f.getValue());
                }
            }
            try (InputStream in = Content.Source.asInputStream(request)) {
                req.content(in.readAllBytes());
            }
            String ip = Request.getRemoteAddr(request);
            int port = Request.getRemotePort(request);
            String host = request.getHeaders().get("Host");
            ProxyEngine.Outcome out = engine.handle(d.get(), req, ip, port, "http",
                    host == null ? options.host() + ":" + port() : host);
            Message r = out.response();
            response.setStatus(r.status());
            for (String n : r.headers().names()) {
                String ln = n.toLowerCase(java.util.Locale.ROOT);
                if (ln.equals("content-length") || ln.equals("transfer-encoding") || ln.equals("connection")) {
                    continue;
                }
                for (String v : r.headers().all(n)) {
                    response.getHeaders().add(n, v);
                }
            }
            byte[] body = r.content();
            boolean noBody = r.status() == 204 || r.status() == 304 || r.status() < 200 || "HEAD".equals(req.verb());
            if (!noBody) {
                response.getHeaders().put("Content-Length", String.valueOf(body.length));
            }
            Callback then = new Callback() {
                @Override
                public void succeeded() {
                    callback.succeeded();
                    postClient.execute(out.postClientFlow());
                }

                @Override
                public void failed(Throwable x) {
                    callback.failed(x);
                    postClient.execute(out.postClientFlow());
                }
            };
            response.write(true, noBody ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), then);
            return true;
        }
    }
}
