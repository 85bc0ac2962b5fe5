package eu.securehub.psd2.runtime.policies.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The streaming JSON check behind {@link JsonThreatProtectionPolicy}: one pass over the body, no tree, no
 * recursion (an explicit stack of open containers, so a body of 300 000 '[' cannot overflow the Java stack), and
 * the scan stops at the first violation — a broken limit or a syntax error, whichever comes first in document
 * order.
 *
 * <p>Grammar: RFC 8259 exactly (any value at the top level; whitespace is space, tab, LF, CR only; no
 * comments, trailing commas, single quotes, NaN, leading zeros or unescaped control characters). The body is
 * decoded as UTF-8 (RFC 8259 §8.1) lazily, in chunks; malformed bytes become U+FFFD.
 *
 * <p>Measures, as the policy reference defines the limits:
 * <ul>
 * <li>container depth: the nesting of objects and arrays; a top-level object or array is depth 1. Checked
 *     at the opening '{' or '[' that goes one level too deep;</li>
 * <li>object entry count: the members of one object (each object counts on its own; a repeated name counts
 *     again). Checked at the name of the member one over the limit;</li>
 * <li>array element count: the elements of one array, checked at the first character of the element one over
 *     the limit;</li>
 * <li>object entry name length and string value length: the <em>decoded</em> string (after escapes) in Unicode
 *     code points — a surrogate pair, raw or as two {@code \\u} escapes, is one character. Names count only
 *     against the name limit, string values (in objects, arrays or at the top level) only against the value
 *     limit. A string is reported as soon as its length passes the limit, at the line of its opening quote.</li>
 * </ul>
 * Where one token breaks several limits, the count of the enclosing container is checked first, then the
 * depth (for '{' and '['), then the string length.
 *
 * <p>Lines are 1-based; LF, CR and CR LF each end a line.
 */
final class JsonThreatScanner {
    private static final int EOF = -1;

    /** The five limits; a negative value means "not applied". */
    record Limits(long arrayElementCount, long containerDepth, long objectEntryCount, long objectEntryNameLength,
            long stringValueLength) {
        static final Limits NONE = new Limits(-1, -1, -1, -1, -1);
    }

    /**
     * Why the scan stopped. For {@link Kind#LIMIT}, {@code what} is the limit's wording in Apigee's faultstring
     * ("container depth" …); for {@link Kind#SYNTAX}, what was expected (":", "value" …).
     */
    record Violation(Kind kind, String what, int line) {
    }

    enum Kind { LIMIT, SYNTAX }

    /** Unwinds the scan at the first violation (no stack trace: it is control flow). */
    private static final class Stop extends RuntimeException {
        final transient Violation violation;

        Stop(Violation v) {
            super(null, null, false, false);
            this.violation = v;
        }
    }

    private final Reader in;
    private final Limits limits;
    private final char[] buf = new char[8192];
    private int pos;
    private int len;
    private boolean eof;
    private int line = 1;
    private boolean afterCr;
    private int depth;
    private boolean[] isObject = new boolean[32];
    private long[] counts = new long[32];

    private JsonThreatScanner(byte[] body, Limits limits) {
        this.in = new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8);
        this.limits = limits;
    }

    /** Scans a non-empty body; null if it is valid JSON within the limits. */
    static Violation scan(byte[] body, Limits limits) {
        return new JsonThreatScanner(body, limits).run();
    }

    private Violation run() {
        try {
            document();
            if (skipWhitespace() != EOF) {
                throw syntax("end of input");
            }
            return null;
        } catch (Stop s) {
            return s.violation;
        }
    }

    // ------------------------------------------------------------------ grammar

    private void document() {
        boolean expectValue = true;
        while (true) {
            if (expectValue) {
                expectValue = value();
                continue;
            }
            // A value is complete: what follows depends on the enclosing container.
            if (depth == 0) {
                return;
            }
            int c = skipWhitespace();
            if (isObject[depth - 1]) {
                if (c == ',') {
                    next();
                    member(skipWhitespace(), "\"");
                    expectValue = true;
                } else if (c == '}') {
                    next();
                    depth--;
                } else {
                    throw syntax(", or }");
                }
            } else {
                if (c == ',') {
                    next();
                    if (skipWhitespace() == ']') {
                        throw syntax("value"); // [1,] — a trailing comma
                    }
                    element();
                    expectValue = true;
                } else if (c == ']') {
                    next();
                    depth--;
                } else {
                    throw syntax(", or ]");
                }
            }
        }
    }

    /**
     * Reads one value, or just the opening of a container. Returns true when a value is expected next (a
     * container was opened and its first member or element is started), false when a value is complete.
     */
    private boolean value() {
        int c = skipWhitespace();
        int at = line;
        switch (c) {
            case '{': {
                next();
                open(true, at);
                int d = skipWhitespace();
                if (d == '}') {
                    next();
                    depth--;
                    return false;
                }
                member(d, "\" or }");
                return true;
            }
            case '[': {
                next();
                open(false, at);
                if (skipWhitespace() == ']') {
                    next();
                    depth--;
                    return false;
                }
                element();
                return true;
            }
            case '"':
                next();
                string(limits.stringValueLength(), "string value length", at);
                return false;
            case 't':
                literal("true");
                return false;
            case 'f':
                literal("false");
                return false;
            case 'n':
                literal("null");
                return false;
            default:
                if (c == '-' || isDigit(c)) {
                    number();
                    return false;
                }
                throw syntax("value");
        }
    }

    private void open(boolean object, int at) {
        depth++;
        if (limits.containerDepth() >= 0 && depth > limits.containerDepth()) {
            throw limit("container depth", at);
        }
        if (depth > isObject.length) {
            isObject = Arrays.copyOf(isObject, depth * 2);
            counts = Arrays.copyOf(counts, depth * 2);
        }
        isObject[depth - 1] = object;
        counts[depth - 1] = 0;
    }

    /** A member's name and colon; c is the (peeked) first character, expected the message if it is not '"'. */
    private void member(int c, String expected) {
        if (c != '"') {
            throw syntax(expected);
        }
        int at = line;
        long n = ++counts[depth - 1];
        if (limits.objectEntryCount() >= 0 && n > limits.objectEntryCount()) {
            throw limit("object entry count", at);
        }
        next();
        string(limits.objectEntryNameLength(), "object entry name length", at);
        if (skipWhitespace() != ':') {
            throw syntax(":");
        }
        next();
    }

    /** Counts the array element that starts at the (peeked) current character. */
    private void element() {
        long n = ++counts[depth - 1];
        if (limits.arrayElementCount() >= 0 && n > limits.arrayElementCount()) {
            throw limit("array element count", line);
        }
    }

    /** The rest of a string after its opening quote, measured in code points against max (negative: none). */
    private void string(long max, String what, int at) {
        long n = 0;
        boolean highSurrogate = false;
        while (true) {
            int lineOfChar = line;
            int ch = next();
            if (ch == EOF || ch < 0x20) {
                throw syntax("\"", lineOfChar); // unterminated, or a raw control character (RFC 8259 §7)
            }
            if (ch == '"') {
                return;
            }
            char decoded;
            if (ch == '\\') {
                decoded = escape();
            } else {
                decoded = (char) ch;
            }
            if (highSurrogate && Character.isLowSurrogate(decoded)) {
                highSurrogate = false; // the second half of a character already counted
                continue;
            }
            highSurrogate = Character.isHighSurrogate(decoded);
            n++;
            if (max >= 0 && n > max) {
                throw limit(what, at);
            }
        }
    }

    private char escape() {
        int e = next();
        switch (e) {
            case '"':
            case '\\':
            case '/':
                return (char) e;
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u': {
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int h = Character.digit(next(), 16);
                    if (h < 0) {
                        throw syntax("hex digit");
                    }
                    v = v * 16 + h;
                }
                return (char) v;
            }
            default:
                throw syntax("escape sequence");
        }
    }

    private void literal(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (next() != word.charAt(i)) {
                throw syntax(word);
            }
        }
    }

    /** -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? (RFC 8259 §6). */
    private void number() {
        if (peek() == '-') {
            next();
        }
        int c = peek();
        if (c == '0') {
            next();
        } else if (isDigit(c)) {
            digits();
        } else {
            throw syntax("digit");
        }
        if (peek() == '.') {
            next();
            if (!isDigit(peek())) {
                throw syntax("digit");
            }
            digits();
        }
        c = peek();
        if (c == 'e' || c == 'E') {
            next();
            c = peek();
            if (c == '+' || c == '-') {
                next();
            }
            if (!isDigit(peek())) {
                throw syntax("digit");
            }
            digits();
        }
    }

    private void digits() {
        while (isDigit(peek())) {
            next();
        }
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private Stop limit(String what, int at) {
        return new Stop(new Violation(Kind.LIMIT, what, at));
    }

    private Stop syntax(String expected) {
        return syntax(expected, line);
    }

    private Stop syntax(String expected, int at) {
        return new Stop(new Violation(Kind.SYNTAX, expected, at));
    }

    // ------------------------------------------------------------------ characters

    private int skipWhitespace() {
        while (true) {
            int c = peek();
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                next();
            } else {
                return c;
            }
        }
    }

    private int peek() {
        if (pos == len) {
            fill();
            if (eof) {
                return EOF;
            }
        }
        return buf[pos];
    }

    private int next() {
        int c = peek();
        if (c == EOF) {
            return EOF;
        }
        pos++;
        if (c == '\n') {
            if (!afterCr) {
                line++;
            }
            afterCr = false;
        } else if (c == '\r') {
            line++;
            afterCr = true;
        } else {
            afterCr = false;
        }
        return c;
    }

    private void fill() {
        if (eof) {
            return;
        }
        try {
            int n;
            do {
                n = in.read(buf, 0, buf.length);
            } while (n == 0);
            if (n < 0) {
                eof = true;
                len = 0;
            } else {
                len = n;
            }
            pos = 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array never fails to read
        }
    }
}
