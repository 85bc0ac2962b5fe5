package eu.securehub.psd2.runtime.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Random strings matching a regular expression, for the template function {@code xeger}. A documented subset
 * of java.util.regex: literals, escaped metacharacters, {@code \d \w \s}, {@code .}, character classes
 * ({@code [a-z0-9_]}, negated {@code [^...]} drawn from printable ASCII), groups {@code (...)} and
 * {@code (?:...)}, alternation {@code |}, quantifiers {@code ? * + {n} {n,} {n,m}} (unbounded repetition is capped
 * at min + 8) and the anchors {@code ^ $} (ignored). Anything else (back references, look-around, classes
 * such as {@code \p{..}}) is refused when the template is parsed.
 */
final class Xeger {

    private interface Gen {
        void emit(StringBuilder sb, RandomGenerator rnd);
    }

    private static final String PRINTABLE;

    static {
        StringBuilder sb = new StringBuilder();
        for (char c = 0x20; c < 0x7f; c++) {
            sb.append(c);
        }
        PRINTABLE = sb.toString();
    }

    private static final String DIGITS = "0123456789";
    private static final String WORD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    private static final String DOT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final String src;
    private int pos;
    private final Gen root;

    private Xeger(String regex) {
        this.src = regex;
        this.root = alternation();
        if (pos != src.length()) {
            throw fail("unbalanced ')'");
        }
    }

    static Xeger compile(String regex) {
        return new Xeger(regex);
    }

    String generate(RandomGenerator rnd) {
        StringBuilder sb = new StringBuilder();
        root.emit(sb, rnd);
        return sb.toString();
    }

    private IllegalArgumentException fail(String what) {
        return new IllegalArgumentException("xeger: " + what + " at offset " + pos + " in regex " + src);
    }

    private Gen alternation() {
        List<Gen> options = new ArrayList<>();
        options.add(sequence());
        while (pos < src.length() && src.charAt(pos) == '|') {
            pos++;
            options.add(sequence());
        }
        if (options.size() == 1) {
            return options.get(0);
        }
        return (sb, rnd) -> options.get(rnd.nextInt(options.size())).emit(sb, rnd);
    }

    private Gen sequence() {
        List<Gen> items = new ArrayList<>();
        while (pos < src.length() && src.charAt(pos) != '|' && src.charAt(pos) != ')') {
            Gen atom = atom();
            if (atom == null) {
                continue;
            }
            items.add(quantified(atom));
        }
        return (sb, rnd) -> items.forEach(g -> g.emit(sb, rnd));
    }

    private Gen quantified(Gen atom) {
        if (pos >= src.length()) {
            return atom;
        }
        char c = src.charAt(pos);
        int min;
        int max;
        if (c == '?') {
            min = 0;
            max = 1;
            pos++;
        } else if (c == '*') {
            min = 0;
            max = 8;
            pos++;
        } else if (c == '+') {
            min = 1;
            max = 9;
            pos++;
        } else if (c == '{') {
            int close = src.indexOf('}', pos);
            if (close < 0) {
                throw fail("unclosed '{'");
            }
            String body = src.substring(pos + 1, close);
            try {
                if (body.matches("\\d+")) {
                    min = max = Integer.parseInt(body);
                } else if (body.matches("\\d+,")) {
                    min = Integer.parseInt(body.substring(0, body.length() - 1));
                    max = min + 8;
                } else if (body.matches("\\d+,\\d+")) {
                    min = Integer.parseInt(body.substring(0, body.indexOf(',')));
                    max = Integer.parseInt(body.substring(body.indexOf(',') + 1));
                } else {
                    throw fail("bad quantifier {" + body + "}");
                }
            } catch (NumberFormatException e) {
                throw fail("bad quantifier {" + body + "}");
            }
            if (max < min) {
                throw fail("bad quantifier {" + body + "}");
            }
            pos = close + 1;
        } else {
            return atom;
        }
        if (pos < src.length() && (src.charAt(pos) == '?' || src.charAt(pos) == '+')) {
            pos++; // lazy/possessive: same strings
        }
        int lo = min;
        int hi = max;
        return (sb, rnd) -> {
            int count = lo == hi ? lo : lo + rnd.nextInt(hi - lo + 1);
            for (int i = 0; i < count; i++) {
                atom.emit(sb, rnd);
            }
        };
    }

    private static Gen oneOf(String chars) {
        return (sb, rnd) -> sb.append(chars.charAt(rnd.nextInt(chars.length())));
    }

    private Gen atom() {
        char c = src.charAt(pos);
        switch (c) {
            case '^':
            case '$':
                pos++;
                return null;
            case '.':
                pos++;
                return oneOf(DOT);
            case '(': {
                pos++;
                if (src.startsWith("?:", pos)) {
                    pos += 2;
                } else if (pos < src.length() && src.charAt(pos) == '?') {
                    throw fail("unsupported group construct");
                }
                Gen inner = alternation();
                if (pos >= src.length() || src.charAt(pos) != ')') {
                    throw fail("missing ')'");
                }
                pos++;
                return inner;
            }
            case '[':
                return oneOf(charClass());
            case '\\': {
                String set = escape();
                return oneOf(set);
            }
            case '*':
            case '+':
            case '?':
            case '{':
                throw fail("dangling quantifier '" + c + "'");
            default:
                pos++;
                return (sb, rnd) -> sb.append(c);
        }
    }

    /** An escape outside or inside a class: the set of characters it stands for. */
    private String escape() {
        if (pos + 1 >= src.length()) {
            throw fail("trailing backslash");
        }
        char e = src.charAt(pos + 1);
        pos += 2;
        switch (e) {
            case 'd': return DIGITS;
            case 'w': return WORD;
            case 's': return " ";
            case 't': return "\t";
            case 'n': return "\n";
            case 'r': return "\r";
            default:
                if (Character.isLetterOrDigit(e)) {
                    throw fail("unsupported escape \\" + e);
                }
                return String.valueOf(e);
        }
    }

    private String charClass() {
        pos++;
        boolean negate = pos < src.length() && src.charAt(pos) == '^';
        if (negate) {
            pos++;
        }
        StringBuilder set = new StringBuilder();
        boolean first = true;
        while (true) {
            if (pos >= src.length()) {
                throw fail("unclosed '['");
            }
            char c = src.charAt(pos);
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            if (c == '[') {
                throw fail("nested character classes are not supported");
            }
            String item;
            if (c == '\\') {
                item = escape();
            } else {
                pos++;
                item = String.valueOf(c);
            }
            if (item.length() == 1 && pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                pos++;
                char to = src.charAt(pos);
                if (to == '\\') {
                    String t = escape();
                    if (t.length() != 1) {
                        throw fail("bad range");
                    }
                    to = t.charAt(0);
                } else {
                    pos++;
                }
                char from = item.charAt(0);
                if (to < from) {
                    throw fail("bad range " + from + "-" + to);
                }
                for (char x = from; x <= to; x++) {
                    set.append(x);
                }
            } else {
                set.append(item);
            }
        }
        if (!negate) {
            return set.toString();
        }
        StringBuilder out = new StringBuilder();
        for (char x : PRINTABLE.toCharArray()) {
            if (set.indexOf(String.valueOf(x)) < 0) {
                out.append(x);
            }
        }
        if (out.length() == 0) {
            throw fail("negated class excludes every printable character");
        }
        return out.toString();
    }
}
