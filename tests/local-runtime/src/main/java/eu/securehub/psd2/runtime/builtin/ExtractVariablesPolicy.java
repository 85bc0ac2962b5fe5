package eu.securehub.psd2.runtime.builtin;

import eu.securehub.psd2.runtime.engine.Json;
import eu.securehub.psd2.runtime.expr.MessageTemplate;
import eu.securehub.psd2.runtime.expr.UnresolvedVariableException;
import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Message;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ExtractVariables (§4.11): Source (default message), VariablePrefix, IgnoreUnresolvedVariables (default false),
 * URIPath (on proxy.pathsuffix; all patterns tested, the one with the most literal segments wins, ties → first),
 * QueryParam, Header, FormParam, Variable (patterns with {var}; '*' any characters), JSONPayload (application/json
 * only; JSONPath templated; types string/boolean/integer/long/float/double/nodeset). XMLPayload is not supported
 * (ConfigError). With IgnoreUnresolvedVariables=false a missing Source message is SourceMessageNotAvailable and a
 * JSONPath matching nothing is left unset (the docs list no runtime error for a non-match; UNCONFIRMED).
 */
public final class ExtractVariablesPolicy extends BasePolicy {
    private final String source;
    private final boolean clearPayload;
    private final String prefix;
    private final boolean ignoreUnresolved;
    private final List<UriPattern> uriPatterns = new ArrayList<>();
    private final List<NamedPatterns> queryParams = new ArrayList<>();
    private final List<NamedPatterns> headers = new ArrayList<>();
    private final List<NamedPatterns> formParams = new ArrayList<>();
    private final List<NamedPatterns> variables = new ArrayList<>();
    private final List<JsonVar> jsonVars = new ArrayList<>();

    public static final class Factory implements PolicyFactory {
        @Override
        public String type() {
            return "ExtractVariables";
        }

        @Override
        public Policy create(PolicyXml xml, BundleInfo bundle) {
            ExtractVariablesPolicy p = new ExtractVariablesPolicy(xml);
            xml.done();
            return p;
        }
    }

    private record UriPattern(Pattern regex, List<String> vars, int literalSegments) {
    }

    private record TextPattern(Pattern regex, List<String> vars) {
    }

    private record NamedPatterns(String name, List<TextPattern> patterns) {
    }

    private record JsonVar(String name, String type, MessageTemplate path) {
    }

    ExtractVariablesPolicy(PolicyXml xml) {
        super(xml);
        PolicyXml src = xml.child("Source").orElse(null);
        this.source = src == null || src.text().isEmpty() ? "message" : src.text();
        this.clearPayload = src != null && src.optionalAttribute("clearPayload").map("true"::equals).orElse(false);
        this.prefix = xml.childText("VariablePrefix").filter(s -> !s.isEmpty()).orElse(null);
        this.ignoreUnresolved = bool(xml, "IgnoreUnresolvedVariables", false);
        xml.child("URIPath").ifPresent(u -> {
            for (PolicyXml p : u.children("Pattern")) {
                boolean ic = p.optionalAttribute("ignoreCase").map("true"::equals).orElse(false);
                uriPatterns.add(uriPattern(p, p.text(), ic));
            }
        });
        for (PolicyXml q : xml.children("QueryParam")) {
            queryParams.add(named(q));
        }
        for (PolicyXml h : xml.children("Header")) {
            headers.add(named(h));
        }
        for (PolicyXml f : xml.children("FormParam")) {
            formParams.add(named(f));
        }
        for (PolicyXml v : xml.children("Variable")) {
            variables.add(named(v));
        }
        xml.child("JSONPayload").ifPresent(j -> {
            for (PolicyXml v : j.children("Variable")) {
                String n = v.attribute("name");
                String type = v.optionalAttribute("type").orElse("string");
                if (!List.of("string", "boolean", "integer", "long", "float", "double", "nodeset").contains(type)) {
                    throw v.error("unknown JSONPayload variable type " + type);
                }
                PolicyXml jp = v.child("JSONPath").orElseThrow(() -> v.error("EmptyJSONPathExpression: <JSONPath> missing"));
                if (jp.text().isEmpty()) {
                    throw jp.error("EmptyJSONPathExpression");
                }
                jsonVars.add(new JsonVar(n, type, jp.template(jp.text())));
            }
            if (jsonVars.isEmpty()) {
                throw j.error("NoJSONPathsToEvaluate");
            }
        });
        xml.child("XMLPayload").ifPresent(x -> {
            throw x.error("<XMLPayload> is not supported by the local runtime");
        });
        if (uriPatterns.isEmpty() && queryParams.isEmpty() && headers.isEmpty() && formParams.isEmpty()
                && variables.isEmpty() && jsonVars.isEmpty()) {
            throw xml.error("NothingToExtract");
        }
    }

    private static NamedPatterns named(PolicyXml x) {
        String n = x.attribute("name");
        List<TextPattern> ps = new ArrayList<>();
        for (PolicyXml p : x.children("Pattern")) {
            boolean ic = p.optionalAttribute("ignoreCase").map("true"::equals).orElse(false);
            ps.add(textPattern(p, p.text(), ic));
        }
        if (ps.isEmpty()) {
            throw x.error("PatternWithoutVariable: <" + x.elementName() + "> needs a <Pattern>");
        }
        return new NamedPatterns(n, ps);
    }

    /** {var} → a capture of one or more characters; '*' → any characters; %{ %} escape braces. */
    private static TextPattern textPattern(PolicyXml at, String text, boolean ignoreCase) {
        StringBuilder re = new StringBuilder();
        List<String> vars = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%' && i + 1 < text.length() && (text.charAt(i + 1) == '{' || text.charAt(i + 1) == '}')) {
                re.append(Pattern.quote(String.valueOf(text.charAt(i + 1))));
                i += 2;
            } else if (c == '{') {
                int e = text.indexOf('}', i);
                if (e < 0) {
                    throw at.error("InvalidPattern: unclosed { in " + text);
                }
                vars.add(text.substring(i + 1, e));
                re.append("(.+?)");
                i = e + 1;
            } else if (c == '*') {
                re.append(".*");
                i++;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        if (vars.isEmpty()) {
            throw at.error("PatternWithoutVariable: " + text);
        }
        return new TextPattern(Pattern.compile(re.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0), vars);
    }

    /** Path patterns: {var} and '*' match one segment, '**' many. */
    private static UriPattern uriPattern(PolicyXml at, String text, boolean ignoreCase) {
        StringBuilder re = new StringBuilder();
        List<String> vars = new ArrayList<>();
        int literal = 0;
        String[] segs = text.split("/", -1);
        for (int k = 0; k < segs.length; k++) {
            String s = segs[k];
            if (k > 0) {
                re.append('/');
            }
            if (s.equals("**")) {
                re.append(".*");
                continue;
            }
            if (s.equals("*")) {
                re.append("[^/]+");
                continue;
            }
            boolean hasVar = false;
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '{') {
                    int e = s.indexOf('}', i);
                    if (e < 0) {
                        throw at.error("InvalidPattern: unclosed { in " + text);
                    }
                    vars.add(s.substring(i + 1, e));
                    re.append("([^/]+)");
                    hasVar = true;
                    i = e + 1;
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                    i++;
                }
            }
            if (!hasVar && !s.isEmpty()) {
                literal++;
            }
        }
        if (vars.isEmpty()) {
            throw at.error("PatternWithoutVariable: " + text);
        }
        return new UriPattern(Pattern.compile(re + "/?", ignoreCase ? Pattern.CASE_INSENSITIVE : 0), vars, literal);
    }

    private String var(String n) {
        return prefix == null ? n : prefix + "." + n;
    }

    private void extract(FlowContext ctx, TextPattern p, String value) {
        if (value == null) {
            return;
        }
        Matcher m = p.regex().matcher(value);
        if (m.matches()) {
            for (int k = 0; k < p.vars().size(); k++) {
                ctx.set(var(p.vars().get(k)), m.group(k + 1));
            }
        }
    }

    @Override
    public void execute(FlowContext ctx) {
        Object so = ctx.get(source);
        Message msg = so instanceof Message m ? m : null;
        boolean needsMessage = !uriPatterns.isEmpty() || !queryParams.isEmpty() || !headers.isEmpty()
                || !formParams.isEmpty() || !jsonVars.isEmpty();
        if (msg == null && needsMessage) {
            if (ignoreUnresolved) {
                return;
            }
            throw new PolicyFault("steps.extractvariables.SourceMessageNotAvailable", 500,
                    source + " message is not available for ExtractVariable: " + name());
        }
        if (!uriPatterns.isEmpty() && msg.isRequest()) {
            Object suffix = ctx.get("proxy.pathsuffix");
            String path = suffix == null ? "" : String.valueOf(suffix);
            UriPattern best = null;
            Matcher bestM = null;
            for (UriPattern p : uriPatterns) {
                Matcher m = p.regex().matcher(path);
                if (m.matches() && (best == null || p.literalSegments() > best.literalSegments())) {
                    best = p;
                    bestM = m;
                }
            }
            if (best != null) {
                for (int k = 0; k < best.vars().size(); k++) {
                    ctx.set(var(best.vars().get(k)), bestM.group(k + 1));
                }
            }
        }
        for (NamedPatterns q : queryParams) {
            List<String> vals = msg.queryParams().get(q.name());
            for (TextPattern p : q.patterns()) {
                extract(ctx, p, vals == null || vals.isEmpty() ? null : vals.get(0));
            }
        }
        for (NamedPatterns h : headers) {
            String v = headerValue(msg, h.name());
            for (TextPattern p : h.patterns()) {
                extract(ctx, p, v);
            }
        }
        for (NamedPatterns f : formParams) {
            List<String> vals = msg.formParams().get(f.name());
            for (TextPattern p : f.patterns()) {
                extract(ctx, p, vals == null || vals.isEmpty() ? null : vals.get(0));
            }
        }
        for (NamedPatterns v : variables) {
            Object val = ctx.get(v.name());
            for (TextPattern p : v.patterns()) {
                extract(ctx, p, val == null ? null : String.valueOf(val));
            }
        }
        if (!jsonVars.isEmpty()) {
            extractJson(ctx, msg);
        }
        if (clearPayload && msg != null) {
            msg.content(new byte[0]);
        }
    }

    private static String headerValue(Message m, String spec) {
        int dot = spec.lastIndexOf('.');
        if (dot > 0 && spec.substring(dot + 1).matches("\\d+") && m.headers().all(spec).isEmpty()) {
            List<String> v = m.headers().all(spec.substring(0, dot));
            int n = Integer.parseInt(spec.substring(dot + 1));
            return n >= 1 && n <= v.size() ? v.get(n - 1) : null;
        }
        return m.headers().first(spec);
    }

    private void extractJson(FlowContext ctx, Message msg) {
        String ct = msg.headers().first("Content-Type");
        // JSONPayload applies only to JSON content (§4.11).
        if (ct == null || !ct.toLowerCase(Locale.ROOT).contains("json")) {
            return;
        }
        Object doc;
        try {
            doc = Json.parse(msg.contentAsString());
        } catch (IllegalArgumentException e) {
            throw new PolicyFault("steps.extractvariables.ExecutionFailed", 500,
                    "Failed to execute the ExtractVariables: " + name());
        }
        for (JsonVar v : jsonVars) {
            String path;
            try {
                path = ignoreUnresolved ? v.path().render(ctx) : v.path().renderStrict(ctx);
            } catch (UnresolvedVariableException e) {
                throw new PolicyFault("steps.extractvariables.ExecutionFailed", 500,
                        "Unresolved variable " + e.variable() + " in " + name());
            }
            List<Object> found;
            try {
                found = Json.path(doc, path);
            } catch (IllegalArgumentException e) {
                throw new PolicyFault("steps.extractvariables.InvalidJSONPath", 500, "Invalid JSON path " + path + " in policy " + name());
            }
            if (found.isEmpty()) {
                continue;
            }
            Object value = found.size() == 1 && !path.contains("[*]") && !path.contains("..") ? found.get(0) : found;
            ctx.set(var(v.name()), convert(value, v.type()));
        }
    }

    private Object convert(Object value, String type) {
        try {
            switch (type) {
                case "boolean":
                    return value instanceof Boolean b ? b : Boolean.parseBoolean(String.valueOf(value));
                case "integer":
                    return value instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(value));
                case "long":
                    return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
                case "float":
                    return value instanceof Number n ? n.floatValue() : Float.parseFloat(String.valueOf(value));
                case "double":
                    return value instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(value));
                case "nodeset":
                    return Json.write(value);
                default:
                    if (value == null) {
                        return null;
                    }
                    return value instanceof String s ? s : (value instanceof Map || value instanceof List ? Json.write(value) : String.valueOf(value));
            }
        } catch (NumberFormatException e) {
            throw new PolicyFault("steps.extractvariables.UnableToCast", 500, "Unable to cast value " + value + " into " + type);
        }
    }

    static Map<String, String> unused() {
        return new LinkedHashMap<>();
    }
}
