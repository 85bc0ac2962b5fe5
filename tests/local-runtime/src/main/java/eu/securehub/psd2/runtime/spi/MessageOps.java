package eu.securehub.psd2.runtime.spi;

import eu.securehub.psd2.runtime.expr.MessageTemplate;
import eu.securehub.psd2.runtime.expr.UnresolvedVariableException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * AssignMessage-style operations on a message (§4.1): {@code <Copy>}, {@code <Remove>}, {@code <Add>},
 * {@code <Set>} and {@code <AssignVariable>}, parsed at start-up (templates included) and applied at run time
 * <b>in document order</b> — the X doc says AssignMessage "executes actions in the order in which they appear".
 * Used by AssignMessage, RaiseFault's FaultResponse and ServiceCallout's Request.
 * <p>{@link #apply} throws {@link UnresolvedVariableException} when {@code ignoreUnresolved} is false and a template
 * or Ref names an unset variable; the caller maps it to its policy's error code (e.g.
 * steps.assignmessage.UnresolvedVariable). It throws {@link IllegalArgumentException} for a value that cannot be
 * set (a non-numeric StatusCode); {@link IllegalStateException} when a Copy source is not a message.
 */
public final class MessageOps {
    private interface Op {
        void apply(FlowContext ctx, Message target, boolean ignoreUnresolved);
    }

    private record Ordered(int line, int seq, Op op) {
    }

    private final List<Op> ops;

    private MessageOps(List<Op> ops) {
        this.ops = ops;
    }

    /** True if there is nothing to do. */
    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /** Reads the Copy/Remove/Add/Set/AssignVariable children of an element (AssignMessage root, FaultResponse, Request). */
    public static MessageOps parse(PolicyXml element) {
        List<Ordered> found = new ArrayList<>();
        int seq = 0;
        for (PolicyXml c : element.children("Copy")) {
            found.add(new Ordered(c.location().line(), seq++, copy(c)));
        }
        for (PolicyXml c : element.children("Remove")) {
            found.add(new Ordered(c.location().line(), seq++, remove(c)));
        }
        for (PolicyXml c : element.children("Add")) {
            found.add(new Ordered(c.location().line(), seq++, add(c)));
        }
        for (PolicyXml c : element.children("Set")) {
            found.add(new Ordered(c.location().line(), seq++, set(c)));
        }
        for (PolicyXml c : element.children("AssignVariable")) {
            found.add(new Ordered(c.location().line(), seq++, assignVariable(c)));
        }
        found.sort(Comparator.comparingInt(Ordered::line).thenComparingInt(Ordered::seq));
        List<Op> ops = new ArrayList<>();
        for (Ordered o : found) {
            ops.add(o.op());
        }
        return new MessageOps(ops);
    }

    public void apply(FlowContext ctx, Message target, boolean ignoreUnresolved) {
        for (Op op : ops) {
            op.apply(ctx, target, ignoreUnresolved);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String render(MessageTemplate t, FlowContext ctx, boolean ignoreUnresolved) {
        return ignoreUnresolved ? t.render(ctx) : t.renderStrict(ctx);
    }

    private record Named(String name, MessageTemplate value) {
    }

    private static List<Named> named(PolicyXml group, String child) {
        List<Named> out = new ArrayList<>();
        for (PolicyXml h : group.children(child)) {
            out.add(new Named(h.attribute("name"), h.template(h.text())));
        }
        return out;
    }

    private static boolean bool(PolicyXml x) {
        String t = x.text().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("true")) {
            return true;
        }
        if (t.equals("false")) {
            return false;
        }
        throw x.error("expected true or false, got '" + x.text() + "'");
    }

    /** name or name.N (N ≥ 1) */
    private record Indexed(String name, int index) {
        static Indexed of(String raw, PolicyXml at) {
            int dot = raw.lastIndexOf('.');
            if (dot > 0 && raw.substring(dot + 1).matches("-?\\d+")) {
                int n = Integer.parseInt(raw.substring(dot + 1));
                if (n < 1) {
                    throw at.error("InvalidIndex: index must be 1 or more in " + raw);
                }
                return new Indexed(raw.substring(0, dot), n);
            }
            return new Indexed(raw, 0);
        }
    }

    private static List<Indexed> namesOf(PolicyXml group, String child) {
        List<Indexed> out = new ArrayList<>();
        for (PolicyXml h : group.children(child)) {
            out.add(Indexed.of(h.attribute("name"), h));
            h.text();
        }
        return out;
    }

    // ------------------------------------------------------------------ Set

    private static Op set(PolicyXml s) {
        List<Op> parts = new ArrayList<>();
        s.child("Headers").ifPresent(g -> {
            for (Named n : named(g, "Header")) {
                parts.add((ctx, m, ig) -> m.headers().set(n.name(), render(n.value(), ctx, ig)));
            }
        });
        s.child("QueryParams").ifPresent(g -> {
            for (Named n : named(g, "QueryParam")) {
                parts.add((ctx, m, ig) -> m.setQueryParam(n.name(), render(n.value(), ctx, ig)));
            }
        });
        s.child("FormParams").ifPresent(g -> {
            for (Named n : named(g, "FormParam")) {
                parts.add((ctx, m, ig) -> m.setFormParam(n.name(), render(n.value(), ctx, ig)));
            }
        });
        s.child("Verb").ifPresent(v -> {
            MessageTemplate t = v.template(v.text());
            parts.add((ctx, m, ig) -> m.verb(render(t, ctx, ig).trim().toUpperCase(Locale.ROOT)));
        });
        s.child("Path").ifPresent(v -> {
            MessageTemplate t = v.template(v.text());
            parts.add((ctx, m, ig) -> m.path(render(t, ctx, ig)));
        });
        s.child("Version").ifPresent(v -> {
            MessageTemplate t = v.template(v.text());
            parts.add((ctx, m, ig) -> {
                if (m instanceof VersionSettable vs) {
                    vs.version(render(t, ctx, ig));
                }
            });
        });
        s.child("StatusCode").ifPresent(v -> {
            MessageTemplate t = v.template(v.text());
            parts.add((ctx, m, ig) -> {
                if (!m.isRequest()) {
                    String r = render(t, ctx, ig).trim();
                    try {
                        m.status(Integer.parseInt(r));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("StatusCode '" + r + "' is not a number");
                    }
                }
            });
        });
        // ReasonPhrase: absent from the X AssignMessage docs but used in Google's X RaiseFault samples (§0: accept
        // it). It is stored on the message; whether it reaches the client is UNCONFIRMED (HTTP/1.1 only).
        s.child("ReasonPhrase").ifPresent(v -> {
            MessageTemplate t = v.template(v.text());
            parts.add((ctx, m, ig) -> m.reasonPhrase(render(t, ctx, ig)));
        });
        s.child("Payload").ifPresent(p -> {
            Optional<String> contentType = p.optionalAttribute("contentType");
            String prefix = p.optionalAttribute("variablePrefix").orElse(null);
            String suffix = p.optionalAttribute("variableSuffix").orElse(null);
            String text = p.text();
            if (prefix != null || suffix != null) {
                if (prefix == null || suffix == null) {
                    throw p.error("variablePrefix and variableSuffix go together");
                }
                text = legacyToTemplate(text, prefix, suffix);
            }
            MessageTemplate t = p.template(text);
            parts.add((ctx, m, ig) -> {
                m.content(render(t, ctx, ig));
                contentType.ifPresent(ct -> m.headers().set("Content-Type", ct));
            });
        });
        s.child("Authentication").ifPresent(a -> {
            throw a.error("<Set><Authentication> is not supported by the local runtime");
        });
        return (ctx, m, ig) -> {
            for (Op o : parts) {
                o.apply(ctx, m, ig);
            }
        };
    }

    /** Legacy variablePrefix/variableSuffix (e.g. @var#) → {var}. */
    private static String legacyToTemplate(String text, String prefix, String suffix) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int p = text.indexOf(prefix, i);
            if (p < 0) {
                b.append(text, i, text.length());
                break;
            }
            int e = text.indexOf(suffix, p + prefix.length());
            String name = e < 0 ? null : text.substring(p + prefix.length(), e);
            if (name == null || name.isEmpty() || !name.matches("[A-Za-z0-9_.\\-]+")) {
                b.append(text, i, p + prefix.length());
                i = p + prefix.length();
                continue;
            }
            b.append(text, i, p).append('{').append(name).append('}');
            i = e + suffix.length();
        }
        return b.toString();
    }

    /** Implemented by messages whose HTTP version can be set. */
    public interface VersionSettable {
        void version(String v);
    }

    // ------------------------------------------------------------------ Add

    private static Op add(PolicyXml s) {
        List<Op> parts = new ArrayList<>();
        s.child("Headers").ifPresent(g -> {
            for (Named n : named(g, "Header")) {
                parts.add((ctx, m, ig) -> m.headers().add(n.name(), render(n.value(), ctx, ig)));
            }
        });
        s.child("QueryParams").ifPresent(g -> {
            for (Named n : named(g, "QueryParam")) {
                parts.add((ctx, m, ig) -> {
                    if (m.isRequest()) {
                        m.addQueryParam(n.name(), render(n.value(), ctx, ig));
                    }
                });
            }
        });
        s.child("FormParams").ifPresent(g -> {
            for (Named n : named(g, "FormParam")) {
                parts.add((ctx, m, ig) -> {
                    if (m.isRequest()) {
                        m.addFormParam(n.name(), render(n.value(), ctx, ig));
                    }
                });
            }
        });
        return (ctx, m, ig) -> {
            for (Op o : parts) {
                o.apply(ctx, m, ig);
            }
        };
    }

    // ------------------------------------------------------------------ Remove

    private static Op remove(PolicyXml s) {
        List<PolicyXml> kids = s.children();
        if (kids.isEmpty()) {
            s.text();
            return (ctx, m, ig) -> {
                for (String h : new ArrayList<>(m.headers().names())) {
                    m.headers().remove(h);
                }
                m.queryString("");
                m.content(new byte[0]);
            };
        }
        List<Op> parts = new ArrayList<>();
        s.child("Headers").ifPresent(g -> {
            List<Indexed> names = namesOf(g, "Header");
            if (names.isEmpty()) {
                parts.add((ctx, m, ig) -> {
                    for (String h : new ArrayList<>(m.headers().names())) {
                        m.headers().remove(h);
                    }
                });
            } else {
                for (Indexed n : names) {
                    parts.add((ctx, m, ig) -> removeHeader(m, n));
                }
            }
        });
        s.child("QueryParams").ifPresent(g -> {
            List<Indexed> names = namesOf(g, "QueryParam");
            if (names.isEmpty()) {
                parts.add((ctx, m, ig) -> m.queryString(""));
            } else {
                for (Indexed n : names) {
                    parts.add((ctx, m, ig) -> m.removeQueryParam(n.name()));
                }
            }
        });
        s.child("FormParams").ifPresent(g -> {
            List<Indexed> names = namesOf(g, "FormParam");
            if (names.isEmpty()) {
                parts.add((ctx, m, ig) -> m.content(new byte[0]));
            } else {
                for (Indexed n : names) {
                    parts.add((ctx, m, ig) -> m.removeFormParam(n.name()));
                }
            }
        });
        s.child("Payload").ifPresent(p -> {
            if (bool(p)) {
                parts.add((ctx, m, ig) -> m.content(new byte[0]));
            }
        });
        return (ctx, m, ig) -> {
            for (Op o : parts) {
                o.apply(ctx, m, ig);
            }
        };
    }

    private static void removeHeader(Message m, Indexed n) {
        if (n.index() == 0) {
            m.headers().remove(n.name());
            return;
        }
        List<String> vals = new ArrayList<>(m.headers().all(n.name()));
        if (n.index() <= vals.size()) {
            vals.remove(n.index() - 1);
            m.headers().remove(n.name());
            for (String v : vals) {
                m.headers().add(n.name(), v);
            }
        }
    }

    // ------------------------------------------------------------------ Copy

    private static Op copy(PolicyXml s) {
        String source = s.optionalAttribute("source").orElse("message");
        List<PolicyXml> kids = s.children();
        boolean all = kids.isEmpty();
        if (all) {
            s.text();
        }
        List<Indexed> headers = new ArrayList<>();
        boolean[] allHeaders = {all};
        s.child("Headers").ifPresent(g -> {
            headers.addAll(namesOf(g, "Header"));
            if (headers.isEmpty()) {
                allHeaders[0] = true;
            }
        });
        boolean[] flags = new boolean[7]; // query, form, payload, path, status, verb, version
        flag(s, "QueryParams", flags, 0, all);
        flag(s, "FormParams", flags, 1, all);
        flag(s, "Payload", flags, 2, all);
        flag(s, "Path", flags, 3, all);
        flag(s, "StatusCode", flags, 4, all);
        flag(s, "Verb", flags, 5, all);
        flag(s, "Version", flags, 6, all);
        boolean reason = s.child("ReasonPhrase").map(MessageOps::bool).orElse(all);
        return (ctx, m, ig) -> {
            Object src = ctx.get(source);
            if (!(src instanceof Message from)) {
                if (src == null) {
                    return; // unresolvable source: no effect (§4.1)
                }
                throw new IllegalStateException("VariableOfNonMsgType: " + source + " is not a message");
            }
            if (from == m) {
                return;
            }
            if (allHeaders[0]) {
                for (String h : from.headers().names()) {
                    m.headers().remove(h);
                    for (String v : from.headers().all(h)) {
                        m.headers().add(h, v);
                    }
                }
            }
            for (Indexed n : headers) {
                List<String> vals = from.headers().all(n.name());
                if (n.index() == 0) {
                    m.headers().remove(n.name());
                    vals.forEach(v -> m.headers().add(n.name(), v));
                } else if (n.index() <= vals.size()) {
                    m.headers().set(n.name(), vals.get(n.index() - 1));
                }
            }
            if (flags[0]) {
                m.queryString(from.queryString());
            }
            if (flags[1]) {
                m.content(from.content().clone());
                m.headers().set("Content-Type", "application/x-www-form-urlencoded");
            }
            if (flags[2]) {
                m.content(from.content().clone());
            }
            if (flags[3]) {
                m.path(from.path());
            }
            if (flags[4] && !m.isRequest() && !from.isRequest()) {
                m.status(from.status());
            }
            if (flags[5]) {
                m.verb(from.verb());
            }
            if (flags[6] && m instanceof VersionSettable vs) {
                vs.version(from.version());
            }
            if (reason && !m.isRequest()) {
                m.reasonPhrase(from.reasonPhrase());
            }
        };
    }

    private static void flag(PolicyXml s, String child, boolean[] flags, int i, boolean all) {
        flags[i] = s.child(child).map(MessageOps::bool).orElse(all);
    }

    // ------------------------------------------------------------------ AssignVariable

    private static Op assignVariable(PolicyXml a) {
        String name = a.child("Name").map(PolicyXml::text).orElse("");
        if (name.isEmpty()) {
            throw a.error("InvalidVariableName: AssignVariable needs a <Name>");
        }
        if (name.equals("ratelimit")) {
            throw a.error("InvalidVariableName: the name ratelimit is reserved");
        }
        String ref = a.child("Ref").map(PolicyXml::text).orElse(null);
        String value = a.child("Value").map(PolicyXml::text).orElse(null);
        MessageTemplate template = null;
        String templateRef = null;
        Optional<PolicyXml> t = a.child("Template");
        if (t.isPresent()) {
            templateRef = t.get().optionalAttribute("ref").orElse(null);
            String txt = t.get().text();
            template = txt.isEmpty() && templateRef != null ? null : t.get().template(txt);
        }
        a.child("PropertySetRef").ifPresent(p -> {
            throw p.error("<PropertySetRef> is not supported by the local runtime");
        });
        a.child("ResourceURL").ifPresent(p -> {
            throw p.error("<ResourceURL> is not supported by the local runtime");
        });
        MessageTemplate tpl = template;
        String tref = templateRef;
        return (ctx, m, ig) -> {
            // Precedence stated by the doc: ResourceURL, Template, Ref, Value.
            if (tref != null) {
                Object tv = ctx.get(tref);
                if (tv != null) {
                    MessageTemplate dyn = MessageTemplate.parse(String.valueOf(tv));
                    ctx.set(name, render(dyn, ctx, ig));
                    return;
                }
            }
            if (tpl != null) {
                ctx.set(name, render(tpl, ctx, ig));
                return;
            }
            if (ref != null) {
                Object v = ctx.get(ref);
                if (v != null) {
                    ctx.set(name, v);
                    return;
                }
                if (value != null) {
                    ctx.set(name, value);
                    return;
                }
                if (!ig) {
                    throw new UnresolvedVariableException(ref);
                }
                return;
            }
            if (value != null) {
                ctx.set(name, value);
            }
        };
    }
}
