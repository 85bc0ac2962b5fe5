package eu.securehub.psd2.runtime.expr;

import java.util.Locale;
import java.util.Map;

/**
 * The comparison operators of the condition language (apigee-semantics.md §2), with their symbol and word
 * forms. Word forms are matched case-insensitively (the docs show {@code Equals}, {@code equals},
 * {@code Or}/{@code OR}/{@code or}, …).
 */
enum Operator {
    EQUALS("="),
    NOT_EQUALS("!="),
    EQUALS_IGNORE_CASE(":="),
    GREATER(">"),
    GREATER_OR_EQUAL(">="),
    LESSER("<"),
    LESSER_OR_EQUAL("<="),
    JAVA_REGEX("~~"),
    MATCHES("~"),
    NOT_MATCHES("!~"),
    MATCHES_PATH("~/"),
    STARTS_WITH("=|");

    final String symbol;

    Operator(String symbol) {
        this.symbol = symbol;
    }

    /** Symbols, longest first within a shared prefix (the lexer tries them in this order). */
    static final String[][] SYMBOLS = {
        {"~~", "JAVA_REGEX"}, {"~/", "MATCHES_PATH"}, {"~", "MATCHES"},
        {"!=", "NOT_EQUALS"}, {"!~", "NOT_MATCHES"},
        {"==", "EQUALS"}, {"=|", "STARTS_WITH"}, {"=", "EQUALS"},
        {":=", "EQUALS_IGNORE_CASE"},
        {">=", "GREATER_OR_EQUAL"}, {">", "GREATER"},
        {"<=", "LESSER_OR_EQUAL"}, {"<", "LESSER"},
    };

    /** Word forms (lower case). {@code equals}/{@code notequals}/{@code greaterthan} are the older spellings. */
    static final Map<String, Operator> WORDS = Map.ofEntries(
        Map.entry("equals", EQUALS),
        Map.entry("is", EQUALS),
        Map.entry("notequals", NOT_EQUALS),
        Map.entry("isnot", NOT_EQUALS),
        Map.entry("equalscaseinsensitive", EQUALS_IGNORE_CASE),
        Map.entry("greaterthan", GREATER),
        Map.entry("greaterthanorequals", GREATER_OR_EQUAL),
        Map.entry("lesserthan", LESSER),
        Map.entry("lesserthanorequals", LESSER_OR_EQUAL),
        Map.entry("javaregex", JAVA_REGEX),
        Map.entry("matches", MATCHES),
        Map.entry("like", MATCHES),
        Map.entry("matchespath", MATCHES_PATH),
        Map.entry("likepath", MATCHES_PATH),
        Map.entry("startswith", STARTS_WITH));

    static Operator word(String word) {
        return WORDS.get(word.toLowerCase(Locale.ROOT));
    }
}
