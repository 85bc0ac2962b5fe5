package eu.securehub.psd2.runtime.expr;

import java.util.Objects;

/**
 * An Apigee X condition ({@code <Condition>} of Step, Flow, RouteRule, FaultRule, DefaultFaultRule), parsed
 * once and tested against flow variables. The caller passes XML-decoded text ({@code &gt;} already {@code >}).
 *
 * <p>Language (apigee-semantics.md §2, with §0 overriding):
 * <ul>
 *   <li>Operators, symbol / word (words case-insensitive): {@code =}/{@code ==}/Equals/Is, {@code !=}/NotEquals/
 *       IsNot, {@code :=}/EqualsCaseInsensitive, {@code >}/GreaterThan, {@code >=}/GreaterThanOrEquals,
 *       {@code <}/LesserThan, {@code <=}/LesserThanOrEquals, {@code ~~}/JavaRegex, {@code ~}/Matches/Like,
 *       {@code !~} (not Matches), {@code ~/}/MatchesPath/LikePath, {@code =|}/StartsWith; {@code and}/{@code &&},
 *       {@code or}/{@code ||}, {@code not}/{@code !}, parentheses. Spaces around operators are optional.</li>
 *   <li>{@code and} and {@code or} mixed at one level without parentheses are refused (ExpressionException):
 *       §0 says their precedence is unsettled between the X docs and apigeelint.</li>
 *   <li>Operands: variable names (letters, digits, {@code . - _ $}; a name containing other characters or
 *       equal to an operator word is single-quoted: {@code 'request.header.help!me'}), double-quoted strings,
 *       numbers (Integer; suffix f/F Float, d/D Double, l/L Long), {@code null}, {@code true}, {@code false}.
 *       Either side may be a variable or a literal.</li>
 *   <li>Coercion and the null table: see {@link Values}. MatchesPath: see {@link PathPattern}.</li>
 *   <li>JavaRegex ({@code ~~}) is a <b>whole-string</b> match ({@code Matcher.matches()}), case-sensitive.
 *       UNCONFIRMED in the reference; chosen because the docs' pattern-matching examples treat the regex as
 *       the whole path suffix and Google staff on the Apigee community recommend
 *       {@code proxy.pathsuffix ~~ "/extensive-search/?"} to accept an optional trailing slash, which only
 *       makes sense if the pattern must match the entire value. A pattern meant to match a part must say so
 *       ({@code ".*part.*"}). A literal pattern that does not compile is a parse error.</li>
 *   <li>An empty (blank) condition is always true, like an absent one.</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Condition {

    private static final Node ALWAYS = new Node.Truthy(new Node.Literal(Boolean.TRUE));

    private final String text;
    private final Node root;

    private Condition(String text, Node root) {
        this.text = text;
        this.root = root;
    }

    /**
     * Parses a condition.
     *
     * @throws ExpressionException on a malformed condition, with the 1-based column of the problem
     */
    public static Condition parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            return new Condition(text, ALWAYS);
        }
        return new Condition(text, ConditionParser.parse(text));
    }

    /** Evaluates the condition against the variables. */
    public boolean test(Variables vars) {
        return root.test(vars);
    }

    /** The text the condition was parsed from. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
