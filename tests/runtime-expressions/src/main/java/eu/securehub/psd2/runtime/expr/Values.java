package eu.securehub.psd2.runtime.expr;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Operand typing and comparison of the condition language (apigee-semantics.md §2, "Operands / typing" and
 * "Null operands").
 *
 * <p>Coercion, as the Conditions reference publishes it: both operands are brought to the "bigger" of their
 * two types in the order Boolean &lt; Integer &lt; Long &lt; Float &lt; Double &lt; String &lt; Comparable; if
 * either operand is a plain Object (not one of those and not Comparable) the comparison is not performed and
 * the result is {@code false} (for every operator, {@code !=} included). Consequences worth knowing:
 * <ul>
 *   <li>{@code response.status.code = "400"} and {@code response.status.code = 400} are both true when the
 *       variable holds Integer 400 (Integer vs String → String "400").</li>
 *   <li>String vs number compares as strings, so ordering operators on a String-valued variable against a
 *       number literal are lexicographic ("1000" &lt; "400"). The runtime therefore stores numeric variables
 *       (status codes, counts) as numbers, as Apigee does.</li>
 *   <li>Boolean widened to a number is 1/0 (UNCONFIRMED: the table says Boolean widens, not how; 1/0 chosen).</li>
 *   <li>Comparable: two values of the same Comparable class compare with compareTo; otherwise the values are
 *       compared by their string forms (UNCONFIRMED; chosen so that e.g. two enums or dates still compare).</li>
 * </ul>
 *
 * <p>byte[] values (message content) are read as UTF-8 text.
 */
final class Values {

    private Values() {
    }

    private static final int BOOLEAN = 0;
    private static final int INTEGER = 1;
    private static final int LONG = 2;
    private static final int FLOAT = 3;
    private static final int DOUBLE = 4;
    private static final int STRING = 5;
    private static final int COMPARABLE = 6;
    private static final int OBJECT = 7;

    static Object normalize(Object v) {
        if (v instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (v instanceof CharSequence cs && !(v instanceof String)) {
            return cs.toString();
        }
        if (v instanceof Short || v instanceof Byte) {
            return ((Number) v).intValue();
        }
        if (v instanceof Character ch) {
            return String.valueOf(ch);
        }
        return v;
    }

    private static int rank(Object v) {
        if (v instanceof Boolean) {
            return BOOLEAN;
        }
        if (v instanceof Integer) {
            return INTEGER;
        }
        if (v instanceof Long) {
            return LONG;
        }
        if (v instanceof Float) {
            return FLOAT;
        }
        if (v instanceof Double) {
            return DOUBLE;
        }
        if (v instanceof String) {
            return STRING;
        }
        if (v instanceof Comparable<?>) {
            return COMPARABLE;
        }
        return OBJECT;
    }

    /** The string form of a value as conditions and templates see it. */
    static String asString(Object v) {
        Object n = normalize(v);
        return n == null ? null : n.toString();
    }

    private static double asDouble(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
    }

    private static long asLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).longValue();
    }

    /**
     * Compares two non-null operands after coercion: negative/zero/positive, or {@code null} when the
     * comparison is not performed (an Object operand).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Integer compare(Object left, Object right, boolean ignoreCase) {
        Object l = normalize(left);
        Object r = normalize(right);
        int type = Math.max(rank(l), rank(r));
        switch (type) {
            case OBJECT:
                return null;
            case BOOLEAN:
                return Boolean.compare((Boolean) l, (Boolean) r);
            case INTEGER:
            case LONG:
                return Long.compare(asLong(l), asLong(r));
            case FLOAT:
                return Float.compare((float) asDouble(l), (float) asDouble(r));
            case DOUBLE:
                return Double.compare(asDouble(l), asDouble(r));
            case STRING: {
                String ls = l.toString();
                String rs = r.toString();
                return ignoreCase ? ls.compareToIgnoreCase(rs) : ls.compareTo(rs);
            }
            default: {
                if (l.getClass() == r.getClass()) {
                    return ((Comparable) l).compareTo(r);
                }
                String ls = l.toString();
                String rs = r.toString();
                return ignoreCase ? ls.compareToIgnoreCase(rs) : ls.compareTo(rs);
            }
        }
    }

    /**
     * Evaluates one comparison. {@code pattern} is the precompiled right-hand side for the pattern operators
     * when the right operand is a literal (null otherwise: compiled here).
     *
     * <p>Null operands follow the published null table row by row (including its asymmetries for
     * {@code >}/{@code >=}); "N/A" entries (a null pattern) evaluate to false.
     */
    static boolean apply(Operator op, Object left, Object right, Object pattern) {
        boolean ln = left == null;
        boolean rn = right == null;
        if (ln || rn) {
            return nullTable(op, ln, rn);
        }
        switch (op) {
            case EQUALS: {
                Integer c = compare(left, right, false);
                return c != null && c == 0;
            }
            case NOT_EQUALS: {
                Integer c = compare(left, right, false);
                return c != null && c != 0;
            }
            case EQUALS_IGNORE_CASE: {
                Integer c = compare(left, right, true);
                return c != null && c == 0;
            }
            case GREATER: {
                Integer c = compare(left, right, false);
                return c != null && c > 0;
            }
            case GREATER_OR_EQUAL: {
                Integer c = compare(left, right, false);
                return c != null && c >= 0;
            }
            case LESSER: {
                Integer c = compare(left, right, false);
                return c != null && c < 0;
            }
            case LESSER_OR_EQUAL: {
                Integer c = compare(left, right, false);
                return c != null && c <= 0;
            }
            case STARTS_WITH:
                return asString(left).startsWith(asString(right));
            case JAVA_REGEX: {
                Pattern p = pattern != null ? (Pattern) pattern : Pattern.compile(asString(right));
                return p.matcher(asString(left)).matches();
            }
            case MATCHES: {
                Pattern p = pattern != null ? (Pattern) pattern : glob(asString(right));
                return p.matcher(asString(left)).matches();
            }
            case NOT_MATCHES: {
                Pattern p = pattern != null ? (Pattern) pattern : glob(asString(right));
                return !p.matcher(asString(left)).matches();
            }
            case MATCHES_PATH: {
                PathPattern p = pattern != null ? (PathPattern) pattern : PathPattern.compile(asString(right));
                return p.matches(asString(left));
            }
            default:
                throw new IllegalStateException(op.name());
        }
    }

    private static boolean nullTable(Operator op, boolean leftNull, boolean rightNull) {
        boolean both = leftNull && rightNull;
        switch (op) {
            case EQUALS:
            case EQUALS_IGNORE_CASE:
                return both;
            case STARTS_WITH:
                return false;
            case NOT_EQUALS:
                return !both;
            case GREATER:
                return leftNull && !both;
            case GREATER_OR_EQUAL:
                return rightNull;
            case LESSER:
                return leftNull && !both;
            case LESSER_OR_EQUAL:
                return leftNull;
            case MATCHES:
            case JAVA_REGEX:
            case MATCHES_PATH:
                return false;
            case NOT_MATCHES:
                return leftNull && !both;
            default:
                throw new IllegalStateException(op.name());
        }
    }

    /**
     * The Matches / Like glob: {@code *} matches zero or more characters, everything else is literal, the whole
     * value must match, case-sensitive (the docs name no other wildcard).
     */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        int lit = 0;
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '*') {
                if (i > lit) {
                    re.append(Pattern.quote(pattern.substring(lit, i)));
                }
                re.append("(?s:.*)");
                lit = i + 1;
            }
        }
        if (lit < pattern.length()) {
            re.append(Pattern.quote(pattern.substring(lit)));
        }
        return Pattern.compile(re.toString());
    }
}
