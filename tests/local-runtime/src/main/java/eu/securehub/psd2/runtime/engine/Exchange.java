package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.Message;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * One message exchange: flow variables and messages (the {@link FlowContext} policies see). Used by one thread at
 * a time (the request's thread, then the PostClientFlow's).
 */
public final class Exchange implements FlowContext {
    /** Where the exchange is: decides what "message" means. */
    public enum Phase { REQUEST, RESPONSE, ERROR, POST_CLIENT }

    private static final DateTimeFormatter SYSTEM_TIME =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private final Environment env;
    private final Clock clock;
    private final Map<String, Object> vars = new HashMap<>();
    private final Deque<BundleInfo> bundles = new ArrayDeque<>();
    private Message request;
    private Message response;
    private Phase phase = Phase.REQUEST;
    /** The message processor running this exchange: its shared flows are the ones a FlowCallout runs. */
    private ProxyEngine engine;
    /** The request's raw Debug trace, or null when tracing is off (every access below costs one null check then). */
    private eu.securehub.psd2.runtime.trace.TraceBuilder trace;

    public Exchange(Environment env, BundleInfo bundle, Message request) {
        this.env = env;
        this.clock = env.clock() == null ? Clock.systemUTC() : env.clock();
        this.bundles.push(bundle);
        this.request = request;
    }

    public eu.securehub.psd2.runtime.trace.TraceBuilder trace() {
        return trace;
    }

    public void trace(eu.securehub.psd2.runtime.trace.TraceBuilder t) {
        this.trace = t;
    }

    /** The node's engine (null for an exchange made outside an engine, e.g. in a policy's unit test). */
    public ProxyEngine engine() {
        return engine;
    }

    void engine(ProxyEngine e) {
        this.engine = e;
    }

    public Phase phase() {
        return phase;
    }

    public void phase(Phase p) {
        this.phase = p;
    }

    public void pushBundle(BundleInfo b) {
        bundles.push(b);
    }

    public void popBundle() {
        bundles.pop();
    }

    public boolean hasResponse() {
        return response != null;
    }

    public void response(Message m) {
        this.response = m;
    }

    /** Raw access to plain variables (no message resolution); for saving/restoring FlowCallout parameters. */
    public boolean hasPlain(String name) {
        return vars.containsKey(name);
    }

    public Object getPlain(String name) {
        return vars.get(name);
    }

    // ---------------------------------------------------------------- FlowContext

    @Override
    public Message request() {
        return request;
    }

    @Override
    public Message response() {
        if (response == null) {
            response = new SimpleMessage(false);
        }
        return response;
    }

    @Override
    public Message message(String variable) {
        switch (variable) {
            case "request":
                return request;
            case "response":
                return response();
            case "error":
                return response();
            case "message":
                return phase == Phase.REQUEST ? request : response();
            default:
                Object o = vars.get(variable);
                return o instanceof Message m ? m : null;
        }
    }

    @Override
    public Message newMessage(String variable, boolean req) {
        SimpleMessage m = new SimpleMessage(req);
        if (!req) {
            m.status(200);
        }
        switch (variable) {
            case "request":
                request = m;
                break;
            case "response":
            case "error":
                response = m;
                break;
            case "message":
                if (phase == Phase.REQUEST) {
                    request = m;
                } else {
                    response = m;
                }
                break;
            default:
                vars.put(variable, m);
        }
        return m;
    }

    @Override
    public Environment environment() {
        return env;
    }

    @Override
    public BundleInfo bundle() {
        return bundles.peek();
    }

    @Override
    public Clock clock() {
        return clock;
    }

    private static boolean isMessageName(String n) {
        return n.equals("request") || n.equals("response") || n.equals("message") || n.equals("error");
    }

    private Message messageFor(String prefix) {
        if (isMessageName(prefix)) {
            if ((prefix.equals("response") || prefix.equals("error")) && response == null) {
                return null;
            }
            if (prefix.equals("error") && phase != Phase.ERROR && !Boolean.TRUE.equals(vars.get("is.error"))) {
                return null;
            }
            return message(prefix);
        }
        Object o = vars.get(prefix);
        return o instanceof Message m ? m : null;
    }

    @Override
    public Object get(String name) {
        Object v = lookup(name);
        if (trace != null && name != null) {
            trace.read(name, v);
        }
        return v;
    }

    private Object lookup(String name) {
        if (name == null) {
            return null;
        }
        if (name.startsWith("system.")) {
            Object s = system(name);
            if (s != null) {
                return s;
            }
        }
        if (isMessageName(name)) {
            return messageFor(name);
        }
        int dot = name.indexOf('.');
        if (dot > 0) {
            Message m = messageFor(name.substring(0, dot));
            if (m != null) {
                Object v = getProperty(m, name.substring(dot + 1));
                if (v != NOT_A_PROPERTY) {
                    return v;
                }
            }
        }
        return vars.get(name);
    }

    @Override
    public void set(String name, Object value) {
        if (trace != null) {
            trace.write(name, value);
        }
        int dot = name.indexOf('.');
        if (dot > 0) {
            Message m = messageFor(name.substring(0, dot));
            if (m != null && setProperty(m, name.substring(dot + 1), value)) {
                return;
            }
        }
        if (value instanceof Message msg) {
            if (name.equals("request")) {
                request = msg;
                return;
            }
            if (name.equals("response") || name.equals("error")) {
                response = msg;
                return;
            }
        }
        if (value == null) {
            vars.remove(name);
        } else {
            vars.put(name, value);
        }
    }

    @Override
    public void remove(String name) {
        if (trace != null) {
            trace.removed(name);
        }
        int dot = name.indexOf('.');
        if (dot > 0) {
            Message m = messageFor(name.substring(0, dot));
            if (m != null) {
                String rest = name.substring(dot + 1);
                if (rest.startsWith("header.")) {
                    m.headers().remove(rest.substring(7));
                    return;
                }
                if (rest.startsWith("queryparam.")) {
                    m.removeQueryParam(rest.substring(11));
                    return;
                }
                if (rest.startsWith("formparam.")) {
                    m.removeFormParam(rest.substring(10));
                    return;
                }
                if (rest.equals("content")) {
                    m.content(new byte[0]);
                    return;
                }
            }
        }
        vars.remove(name);
    }

    // ---------------------------------------------------------------- system.*

    private Object system(String name) {
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        switch (name) {
            case "system.timestamp":
                return clock.millis();
            case "system.time":
                return SYSTEM_TIME.format(now);
            case "system.uuid":
                return UUID.randomUUID().toString();
            case "system.time.year":
                return now.getYear();
            case "system.time.month":
                return now.getMonthValue();
            case "system.time.day":
                return now.getDayOfMonth();
            case "system.time.dayofweek":
                return now.getDayOfWeek().getValue();
            case "system.time.hour":
                return now.getHour();
            case "system.time.minute":
                return now.getMinute();
            case "system.time.second":
                return now.getSecond();
            case "system.time.millisecond":
                return now.getNano() / 1_000_000;
            case "system.time.zone":
                return "UTC";
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------- message properties (§1.7)

    static final Object NOT_A_PROPERTY = new Object();

    /** A header's values split at commas (Apigee: request.header.X returns the text before the first comma). */
    static List<String> splitValues(Headers h, String name) {
        List<String> out = new ArrayList<>();
        for (String raw : h.all(name)) {
            for (String part : raw.split(",")) {
                out.add(part.trim());
            }
        }
        return out;
    }

    static Object getProperty(Message m, String p) {
        switch (p) {
            case "verb":
                return m.isRequest() ? m.verb() : NOT_A_PROPERTY;
            case "path":
                return m.path();
            case "uri":
                return m.uri();
            case "querystring":
                return m.queryString();
            case "version":
                return m.version();
            case "content":
                // UNCONFIRMED whether an empty body reads as null or "": the runtime returns null for a message
                // without content, so "(request.content != null)" means "there is a body".
                return m.content().length == 0 ? null : m.contentAsString();
            case "content.as.base64":
                return Base64.getEncoder().encodeToString(m.content());
            case "content.as.url.safe.base64":
                return Base64.getUrlEncoder().encodeToString(m.content());
            case "formstring":
                return m.contentAsString();
            case "status.code":
            case "status":
                return m.isRequest() ? null : m.status();
            case "reason.phrase":
                return m.reasonPhrase();
            case "headers.count":
                return m.headers().names().size();
            case "headers.names":
                return new ArrayList<>(m.headers().names());
            case "headers.names.string":
                return String.join(",", m.headers().names());
            case "queryparams.count":
                return m.queryParams().size();
            case "queryparams.names":
                return new ArrayList<>(m.queryParams().keySet());
            case "queryparams.names.string":
                return String.join(",", m.queryParams().keySet());
            case "formparams.count":
                return m.formParams().size();
            case "formparams.names":
                return new ArrayList<>(m.formParams().keySet());
            case "formparams.names.string":
                return String.join(",", m.formParams().keySet());
            default:
                break;
        }
        if (p.startsWith("header.")) {
            String h = p.substring(7);
            if (h.endsWith(".values.count")) {
                return splitValues(m.headers(), cut(h, ".values.count")).size();
            }
            if (h.endsWith(".values.string")) {
                List<String> raw = m.headers().all(cut(h, ".values.string"));
                return raw.isEmpty() ? null : String.join(", ", raw);
            }
            if (h.endsWith(".values")) {
                return splitValues(m.headers(), cut(h, ".values"));
            }
            int idx = indexSuffix(h);
            if (idx > 0 && m.headers().all(h).isEmpty()) {
                List<String> v = splitValues(m.headers(), h.substring(0, h.lastIndexOf('.')));
                return idx <= v.size() ? v.get(idx - 1) : null;
            }
            List<String> v = splitValues(m.headers(), h);
            return v.isEmpty() ? null : v.get(0);
        }
        if (p.startsWith("queryparam.")) {
            return param(m.queryParams(), p.substring(11));
        }
        if (p.startsWith("formparam.")) {
            return param(m.formParams(), p.substring(10));
        }
        return NOT_A_PROPERTY;
    }

    private static String cut(String s, String suffix) {
        return s.substring(0, s.length() - suffix.length());
    }

    private static int indexSuffix(String s) {
        int dot = s.lastIndexOf('.');
        if (dot < 0 || dot == s.length() - 1) {
            return -1;
        }
        String d = s.substring(dot + 1);
        for (int i = 0; i < d.length(); i++) {
            if (!Character.isDigit(d.charAt(i))) {
                return -1;
            }
        }
        try {
            return Integer.parseInt(d);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Object param(Map<String, List<String>> params, String q) {
        if (q.endsWith(".values.count")) {
            List<String> v = params.get(cut(q, ".values.count"));
            return v == null ? 0 : v.size();
        }
        if (q.endsWith(".values")) {
            List<String> v = params.get(cut(q, ".values"));
            return v == null ? null : new ArrayList<>(v);
        }
        int idx = indexSuffix(q);
        if (idx > 0 && !params.containsKey(q)) {
            List<String> v = params.get(q.substring(0, q.lastIndexOf('.')));
            return v != null && idx <= v.size() ? v.get(idx - 1) : null;
        }
        List<String> v = params.get(q);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    static boolean setProperty(Message m, String p, Object value) {
        String s = value == null ? null : String.valueOf(value);
        switch (p) {
            case "verb":
                m.verb(s);
                return true;
            case "path":
                m.path(s);
                return true;
            case "querystring":
                m.queryString(s);
                return true;
            case "content":
            case "formstring":
                if (value instanceof byte[] b) {
                    m.content(b);
                } else {
                    m.content(s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8));
                }
                return true;
            case "status.code":
            case "status":
                if (m.isRequest()) {
                    return false;
                }
                m.status(value instanceof Number n ? n.intValue() : Integer.parseInt(s.trim()));
                return true;
            case "reason.phrase":
                m.reasonPhrase(s);
                return true;
            default:
                break;
        }
        if (p.startsWith("header.")) {
            if (s == null) {
                m.headers().remove(p.substring(7));
            } else {
                m.headers().set(p.substring(7), s);
            }
            return true;
        }
        if (p.startsWith("queryparam.")) {
            m.setQueryParam(p.substring(11), s);
            return true;
        }
        if (p.startsWith("formparam.")) {
            m.setFormParam(p.substring(10), s);
            return true;
        }
        return false;
    }
}
