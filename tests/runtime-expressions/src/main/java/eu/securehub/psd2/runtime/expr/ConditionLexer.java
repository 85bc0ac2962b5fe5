package eu.securehub.psd2.runtime.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Tokenizer of the condition language. Columns are 1-based. */
final class ConditionLexer {

    enum Kind { LPAREN, RPAREN, AND, OR, NOT, OPERATOR, STRING, NUMBER, NULL, TRUE, FALSE, NAME, END }

    record Token(Kind kind, String text, Object value, int column) {
        @Override
        public String toString() {
            return kind == Kind.END ? "end of condition" : "'" + text + "'";
        }
    }

    private final String src;
    private int pos;

    private ConditionLexer(String src) {
        this.src = src;
    }

    static List<Token> tokenize(String src) {
        return new ConditionLexer(src).run();
    }

    private List<Token> run() {
        List<Token> out = new ArrayList<>();
        while (true) {
            while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                pos++;
            }
            if (pos >= src.length()) {
                out.add(new Token(Kind.END, "", null, src.length() + 1));
                return out;
            }
            out.add(next());
        }
    }

    private ExpressionException error(String message, int at) {
        return new ExpressionException(message + " in condition [" + src + "]", at + 1);
    }

    private Token next() {
        int start = pos;
        char c = src.charAt(pos);
        if (c == '(') {
            pos++;
            return new Token(Kind.LPAREN, "(", null, start + 1);
        }
        if (c == ')') {
            pos++;
            return new Token(Kind.RPAREN, ")", null, start + 1);
        }
        if (src.startsWith("&&", pos)) {
            pos += 2;
            return new Token(Kind.AND, "&&", null, start + 1);
        }
        if (src.startsWith("||", pos)) {
            pos += 2;
            return new Token(Kind.OR, "||", null, start + 1);
        }
        for (String[] sym : Operator.SYMBOLS) {
            if (src.startsWith(sym[0], pos)) {
                pos += sym[0].length();
                return new Token(Kind.OPERATOR, sym[0], Operator.valueOf(sym[1]), start + 1);
            }
        }
        if (c == '!') {
            pos++;
            return new Token(Kind.NOT, "!", null, start + 1);
        }
        if (c == '"') {
            return string();
        }
        if (c == '\'') {
            return quotedName();
        }
        if (Character.isDigit(c) || (c == '-' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1)))) {
            return number();
        }
        if (isNameStart(c)) {
            return word();
        }
        if (c == '&') {
            // The caller passes XML-decoded text: an '&' here is a lone '&' or an entity that was encoded twice.
            throw error("Unexpected '&' (use && or 'and'; XML entities must be decoded before parsing)", start);
        }
        throw error("Unexpected character '" + c + "'", start);
    }

    static boolean isNameStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '$';
    }

    static boolean isNamePart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '$';
    }

    /**
     * A double-quoted string. UNCONFIRMED how Apigee treats backslashes in condition strings; chosen: {@code \"}
     * is an escaped quote and {@code \\} a backslash, any other backslash is kept as written, so regular
     * expressions such as {@code "\d+"} reach java.util.regex unchanged.
     */
    private Token string() {
        int start = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '\\' && pos + 1 < src.length() && (src.charAt(pos + 1) == '"' || src.charAt(pos + 1) == '\\')) {
                sb.append(src.charAt(pos + 1));
                pos += 2;
                continue;
            }
            if (c == '"') {
                pos++;
                return new Token(Kind.STRING, src.substring(start, pos), sb.toString(), start + 1);
            }
            sb.append(c);
            pos++;
        }
        throw error("Unterminated string literal", start);
    }

    /** A single-quoted variable name, e.g. {@code 'request.header.help!me'}. */
    private Token quotedName() {
        int start = pos;
        int end = src.indexOf('\'', pos + 1);
        if (end < 0) {
            throw error("Unterminated quoted variable name", start);
        }
        String name = src.substring(pos + 1, end);
        if (name.isEmpty()) {
            throw error("Empty quoted variable name", start);
        }
        pos = end + 1;
        return new Token(Kind.NAME, src.substring(start, pos), name, start + 1);
    }

    /**
     * Numbers: Integer unless suffixed f/F (Float), d/D (Double) or l/L (Long). A number with a fraction and no
     * suffix cannot be an Integer; it is read as a Double (the docs do not say). An integer too large for an
     * Integer is refused rather than silently widened.
     */
    private Token number() {
        int start = pos;
        if (src.charAt(pos) == '-') {
            pos++;
        }
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
            pos++;
        }
        boolean fraction = false;
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            fraction = true;
            pos++;
            while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                pos++;
            }
        }
        String digits = src.substring(start, pos);
        char suffix = pos < src.length() ? src.charAt(pos) : 0;
        Object value;
        try {
            switch (suffix) {
                case 'f', 'F' -> { pos++; value = Float.valueOf(digits); }
                case 'd', 'D' -> { pos++; value = Double.valueOf(digits); }
                case 'l', 'L' -> {
                    if (fraction) {
                        throw error("A long literal cannot have a fraction: " + digits + suffix, start);
                    }
                    pos++;
                    value = Long.valueOf(digits);
                }
                default -> value = fraction ? (Object) Double.valueOf(digits) : (Object) Integer.valueOf(digits);
            }
        } catch (NumberFormatException e) {
            throw error("Number out of range: " + src.substring(start, pos) + " (use the l suffix for a long)", start);
        }
        if (pos < src.length() && isNamePart(src.charAt(pos)) && src.charAt(pos) != '.') {
            throw error("Malformed number '" + src.substring(start, pos + 1) + "'", start);
        }
        return new Token(Kind.NUMBER, src.substring(start, pos), value, start + 1);
    }

    private Token word() {
        int start = pos;
        while (pos < src.length() && isNamePart(src.charAt(pos))) {
            pos++;
        }
        String w = src.substring(start, pos);
        String lower = w.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "and": return new Token(Kind.AND, w, null, start + 1);
            case "or": return new Token(Kind.OR, w, null, start + 1);
            case "not": return new Token(Kind.NOT, w, null, start + 1);
            case "null": return new Token(Kind.NULL, w, null, start + 1);
            case "true": return new Token(Kind.TRUE, w, Boolean.TRUE, start + 1);
            case "false": return new Token(Kind.FALSE, w, Boolean.FALSE, start + 1);
            default:
                Operator op = Operator.word(w);
                if (op != null) {
                    return new Token(Kind.OPERATOR, w, op, start + 1);
                }
                return new Token(Kind.NAME, w, w, start + 1);
        }
    }
}
