package eu.securehub.psd2.runtime.expr;

import java.util.regex.Pattern;

/**
 * A MatchesPath / LikePath ({@code ~/}) pattern (apigee-semantics.md §2 "Path expressions").
 *
 * <ul>
 *   <li>{@code *} as a whole segment matches exactly one non-empty segment; {@code **} as a whole segment
 *       matches one or more segments; {@code {name}} matches one non-empty segment (nothing is captured).</li>
 *   <li>{@code %} escapes the next character: {@code %{user%}} matches the literal {@code {user}}.</li>
 *   <li>A {@code *} inside a segment (e.g. {@code /a*}) matches any characters within that segment, and a
 *       {@code **} inside a segment (e.g. {@code **}{@code /blr**}) any characters across segments — the docs show
 *       only whole-segment wildcards; this reading follows the community examples.</li>
 *   <li>Trailing-slash sensitivity (UNCONFIRMED in the reference): chosen <b>sensitive</b> — {@code /a} does not
 *       match {@code /a/} nor the reverse. Google staff on the Apigee community confirm that
 *       {@code MatchesPath "/extensive-search"} does not match {@code /extensive-search/} and advise a regex
 *       ({@code ~~ "/extensive-search/?"}) to accept both.</li>
 *   <li>Case-sensitive; the whole value must match.</li>
 * </ul>
 */
final class PathPattern {

    private final String source;
    private final Pattern regex;

    private PathPattern(String source, Pattern regex) {
        this.source = source;
        this.regex = regex;
    }

    static PathPattern compile(String pattern) {
        StringBuilder re = new StringBuilder();
        int n = pattern.length();
        int i = 0;
        while (i < n) {
            char c = pattern.charAt(i);
            boolean segStart = i == 0 || pattern.charAt(i - 1) == '/';
            if (c == '%') {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("'%' at the end of path pattern " + pattern);
                }
                re.append(Pattern.quote(String.valueOf(pattern.charAt(i + 1))));
                i += 2;
            } else if (c == '*' && i + 1 < n && pattern.charAt(i + 1) == '*') {
                boolean segEnd = i + 2 == n || pattern.charAt(i + 2) == '/';
                re.append(segStart && segEnd ? "[^/]+(?:/[^/]+)*" : ".*");
                i += 2;
            } else if (c == '*') {
                boolean segEnd = i + 1 == n || pattern.charAt(i + 1) == '/';
                re.append(segStart && segEnd ? "[^/]+" : "[^/]*");
                i++;
            } else if (c == '{') {
                int close = pattern.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("Unclosed '{' in path pattern " + pattern);
                }
                re.append("[^/]+");
                i = close + 1;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return new PathPattern(pattern, Pattern.compile(re.toString()));
    }

    boolean matches(String path) {
        return regex.matcher(path).matches();
    }

    @Override
    public String toString() {
        return source;
    }
}
