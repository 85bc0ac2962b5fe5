package eu.securehub.psd2.runtime.expr;

import eu.securehub.psd2.runtime.expr.MessageTemplate.Arg;
import eu.securehub.psd2.runtime.expr.MessageTemplate.Call;
import eu.securehub.psd2.runtime.expr.MessageTemplate.LiteralArg;
import eu.securehub.psd2.runtime.expr.MessageTemplate.Part;
import eu.securehub.psd2.runtime.expr.MessageTemplate.Ref;
import eu.securehub.psd2.runtime.expr.MessageTemplate.Text;
import eu.securehub.psd2.runtime.expr.MessageTemplate.VarArg;
import java.util.ArrayList;
import java.util.List;

/** Parser of message templates; see {@link MessageTemplate} for the rules. Columns are 1-based. */
final class TemplateParser {

    private final String src;
    private final List<Part> parts = new ArrayList<>();
    private final StringBuilder literal = new StringBuilder();

    TemplateParser(String src) {
        this.src = src;
    }

    private ExpressionException error(String message, int offset) {
        return new ExpressionException(message + " in template [" + src + "]", offset + 1);
    }

    List<Part> parse() {
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c != '{') {
                literal.append(c);
                i++;
                continue;
            }
            int next = tryFunction(i);
            if (next < 0) {
                next = tryReference(i);
            }
            if (next < 0) {
                literal.append(c);
                i++;
            } else {
                i = next;
            }
        }
        flush();
        return parts;
    }

    private void flush() {
        if (literal.length() > 0) {
            parts.add(new Text(literal.toString()));
            literal.setLength(0);
        }
    }

    private static boolean isFunctionNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static boolean isVarStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '$';
    }

    private static boolean isVarChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '$';
    }

    /** {@code {name(...)}}: returns the offset after the closing brace, or -1 when this is no function call. */
    private int tryFunction(int open) {
        int i = open + 1;
        int n = src.length();
        if (i >= n || !Character.isLetter(src.charAt(i))) {
            return -1;
        }
        int nameStart = i;
        while (i < n && isFunctionNameChar(src.charAt(i))) {
            i++;
        }
        if (i >= n || src.charAt(i) != '(') {
            return -1;
        }
        String name = src.substring(nameStart, i);
        TemplateFunctions.Function fn = TemplateFunctions.byName(name);
        if (fn == null) {
            throw error("Unknown template function '" + name + "'", nameStart);
        }
        if (fn == TemplateFunctions.Function.XPATH) {
            throw new UnsupportedOperationException("Template function 'xpath' (column " + (nameStart + 1)
                + ") is not supported by the local runtime (the project's bundles do not use it) in template ["
                + src + "]");
        }
        i++; // '('
        List<Arg> args = new ArrayList<>();
        List<Integer> argColumns = new ArrayList<>();
        if (i < n && src.charAt(i) == ')') {
            i++;
        } else {
            while (true) {
                if (i >= n) {
                    throw error("Unterminated call of '" + name + "': missing ')'", open);
                }
                argColumns.add(i + 1);
                i = argument(fn, args.size(), i, args);
                if (i >= n) {
                    throw error("Unterminated call of '" + name + "': missing ')'", open);
                }
                char c = src.charAt(i);
                if (c == ',') {
                    i++;
                    continue;
                }
                if (c == ')') {
                    i++;
                    break;
                }
                throw error(c == ' ' || Character.isWhitespace(c)
                    ? "Spaces are not allowed in a function expression"
                    : "Unexpected '" + c + "' in the arguments of '" + name + "'", i);
            }
        }
        if (i >= n || src.charAt(i) != '}') {
            throw error("Expected '}' after the call of '" + name + "'", i);
        }
        String source = src.substring(open, i + 1);
        Object prepared;
        try {
            prepared = fn.prepare(args);
        } catch (TemplateFunctions.ArgumentError e) {
            int col = e.argument() >= 0 && e.argument() < argColumns.size()
                ? argColumns.get(e.argument()) - 1 : nameStart;
            throw new ExpressionException(e.getMessage() + " in template [" + src + "]", col + 1, e);
        }
        flush();
        parts.add(new Call(fn, List.copyOf(args), open + 1, source, prepared));
        return i + 1;
    }

    /** Parses one argument starting at {@code i}; returns the offset after it. */
    private int argument(TemplateFunctions.Function fn, int index, int i, List<Arg> args) {
        int n = src.length();
        char c = src.charAt(i);
        if (c == '\'') {
            int close = src.indexOf('\'', i + 1);
            if (close < 0) {
                throw error("Unterminated quoted literal", i);
            }
            args.add(new LiteralArg(src.substring(i + 1, close)));
            return close + 1;
        }
        if (Character.isDigit(c) || (c == '-' && i + 1 < n && Character.isDigit(src.charAt(i + 1)))) {
            int j = i + 1;
            while (j < n && Character.isDigit(src.charAt(j))) {
                j++;
            }
            args.add(new LiteralArg(src.substring(i, j)));
            return j;
        }
        if (c == '$' && fn == TemplateFunctions.Function.JSON_PATH && index == 0) {
            // Message templates (https://cloud.google.com/apigee/docs/api-platform/reference/message-template-intro):
            // "You can use variables for any of the arguments. If you use fixed strings, enclose them in single
            // quotes", and Google's bundles quote the path ({jsonPath('$.a',response.content)}). An unquoted path
            // is not a documented form: refused, so that a bundle cannot rely on it.
            throw error("A literal JSONPath must be single-quoted: jsonPath('$...',variable)", i);
        }
        if (isVarStart(c)) {
            int j = i;
            while (j < n && isVarChar(src.charAt(j))) {
                j++;
            }
            String name = src.substring(i, j);
            if (j < n && src.charAt(j) == '(') {
                throw error("Nested function calls are not supported", i);
            }
            if (name.equals("true") || name.equals("false")) {
                args.add(new LiteralArg(name));
                return j;
            }
            String fallback = null;
            if (j < n && src.charAt(j) == ':') {
                int k = j + 1;
                while (k < n && src.charAt(k) != ',' && src.charAt(k) != ')' && src.charAt(k) != '}') {
                    if (Character.isWhitespace(src.charAt(k))) {
                        throw error("Spaces are not allowed in a function expression", k);
                    }
                    k++;
                }
                fallback = src.substring(j + 1, k);
                j = k;
            }
            args.add(new VarArg(name, fallback));
            return j;
        }
        if (Character.isWhitespace(c)) {
            throw error("Spaces are not allowed in a function expression", i);
        }
        if (c == ',' || c == ')') {
            throw error("Missing argument", i);
        }
        throw error("Unexpected '" + c + "' in a function argument (quote literals with single quotes)", i);
    }

    /** {@code {name}} or {@code {name:default}}: returns the offset after '}', or -1 (literal brace). */
    private int tryReference(int open) {
        int n = src.length();
        int i = open + 1;
        if (i >= n || !isVarStart(src.charAt(i))) {
            return -1;
        }
        while (i < n && isVarChar(src.charAt(i))) {
            i++;
        }
        if (i >= n) {
            return -1;
        }
        String name = src.substring(open + 1, i);
        char c = src.charAt(i);
        if (c == '}') {
            flush();
            parts.add(new Ref(name, null, open + 1));
            return i + 1;
        }
        if (c == ':') {
            int close = src.indexOf('}', i);
            if (close < 0) {
                return -1;
            }
            String fallback = src.substring(i + 1, close);
            if (fallback.indexOf('{') >= 0) {
                return -1;
            }
            flush();
            parts.add(new Ref(name, fallback, open + 1));
            return close + 1;
        }
        return -1;
    }
}
