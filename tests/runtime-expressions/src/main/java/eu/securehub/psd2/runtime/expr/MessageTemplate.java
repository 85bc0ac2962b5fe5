package eu.securehub.psd2.runtime.expr;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An Apigee X message template (apigee-semantics.md §3): literal text with {@code {variable}},
 * {@code {variable:default}} and {@code {function(arguments)}} references, parsed once, rendered per message.
 *
 * <p>Parsing rules:
 * <ul>
 *   <li>A {@code {} starts a function call when it is followed by a function-like name and {@code (}; the call
 *       must then be well formed — known function, arguments separated by commas, no spaces, no nested calls,
 *       closed by {@code )}} — or parsing fails with the column. {@code xpath} is refused with an
 *       UnsupportedOperationException (the project's bundles do not use it).</li>
 *   <li>A {@code {} starts a variable reference when it is followed by a variable name (letters, digits,
 *       {@code . - _ $}, not starting with a digit, dot or dash) and then {@code }} or {@code :default}}. The
 *       default is everything after the first colon up to the next {@code }} (so a default cannot contain a
 *       brace; the docs warn that colons in defaults are fragile).</li>
 *   <li>Any other brace is literal text: JSON payloads such as {@code {"a":"{x}"}} keep their own braces and
 *       only {@code {x}} is substituted.</li>
 *   <li>Function arguments: a variable (with optional {@code :default}), a single-quoted literal
 *       ({@code 'yyyy-MM-dd'}, may contain any character but {@code '}), an unquoted integer ({@code 22},
 *       {@code -4}), {@code true}/{@code false} (a literal JSONPath must be quoted too; an unquoted one starting with
 *       {@code $} is refused).</li>
 * </ul>
 *
 * <p>Rendering: a variable's value is its string form (byte[] as UTF-8); an unset variable renders as its
 * default, else as the empty string ({@link #render}) or raises {@link UnresolvedVariableException}
 * ({@link #renderStrict}); an unset function argument without default is treated the same way (except in
 * {@code firstnonnull}, whose purpose is to skip unset values). Function semantics: {@link TemplateFunctions}.
 * Instances are immutable and thread-safe.
 */
public final class MessageTemplate {

    private final String text;
    private final List<Part> parts;
    private final Set<String> variableNames;

    private MessageTemplate(String text, List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
        Set<String> names = new LinkedHashSet<>();
        for (Part p : parts) {
            if (p instanceof Ref r) {
                names.add(r.name());
            } else if (p instanceof Call c) {
                for (Arg a : c.args()) {
                    if (a instanceof VarArg v) {
                        names.add(v.name());
                    }
                }
            }
        }
        this.variableNames = Collections.unmodifiableSet(names);
    }

    /**
     * Parses a template.
     *
     * @throws ExpressionException on a malformed function call (unknown function, bad arguments, spaces,
     *         nesting), with the 1-based column
     * @throws UnsupportedOperationException for {@code xpath(...)}
     */
    public static MessageTemplate parse(String text) {
        Objects.requireNonNull(text, "text");
        return new MessageTemplate(text, new TemplateParser(text).parse());
    }

    /** Renders with unresolved variables (no default) as empty strings. */
    public String render(Variables vars) {
        return render(vars, false);
    }

    /** Renders; an unresolved variable without default raises {@link UnresolvedVariableException}. */
    public String renderStrict(Variables vars) {
        return render(vars, true);
    }

    private String render(Variables vars, boolean strict) {
        if (parts.size() == 1 && parts.get(0) instanceof Text t) {
            return t.text();
        }
        StringBuilder sb = new StringBuilder(text.length() + 32);
        for (Part p : parts) {
            p.render(vars, strict, sb);
        }
        return sb.toString();
    }

    /** Every variable the template reads (references and function arguments), in order of appearance. */
    public Set<String> variableNames() {
        return variableNames;
    }

    /** True when the template has no reference or function call (it renders as its own text). */
    public boolean isLiteral() {
        return parts.stream().allMatch(p -> p instanceof Text);
    }

    /** The text the template was parsed from. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    // ------------------------------------------------------------------------------------------------------

    sealed interface Part {
        void render(Variables vars, boolean strict, StringBuilder out);
    }

    record Text(String text) implements Part {
        @Override
        public void render(Variables vars, boolean strict, StringBuilder out) {
            out.append(text);
        }
    }

    record Ref(String name, String fallback, int column) implements Part {
        @Override
        public void render(Variables vars, boolean strict, StringBuilder out) {
            String v = Values.asString(vars.get(name));
            if (v == null) {
                if (fallback != null) {
                    v = fallback;
                } else if (strict) {
                    throw new UnresolvedVariableException(name);
                } else {
                    v = "";
                }
            }
            out.append(v);
        }
    }

    sealed interface Arg {
        /** The argument's value, or null when unset without default (strict: exception unless allowed). */
        String value(Variables vars, boolean strict, boolean unsetAllowed);
    }

    record LiteralArg(String text) implements Arg {
        @Override
        public String value(Variables vars, boolean strict, boolean unsetAllowed) {
            return text;
        }
    }

    record VarArg(String name, String fallback) implements Arg {
        @Override
        public String value(Variables vars, boolean strict, boolean unsetAllowed) {
            String v = Values.asString(vars.get(name));
            if (v == null && fallback != null) {
                return fallback;
            }
            if (v == null && strict && !unsetAllowed) {
                throw new UnresolvedVariableException(name);
            }
            return v;
        }
    }

    record Call(TemplateFunctions.Function function, List<Arg> args, int column, String source,
                Object prepared) implements Part {
        @Override
        public void render(Variables vars, boolean strict, StringBuilder out) {
            boolean unsetAllowed = function.acceptsUnset();
            List<String> values = new ArrayList<>(args.size());
            for (Arg a : args) {
                values.add(a.value(vars, strict, unsetAllowed));
            }
            try {
                out.append(function.apply(values, prepared));
            } catch (ExpressionException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ExpressionException("Template function " + source + " failed: " + e.getMessage(),
                    column, e);
            }
        }
    }
}
