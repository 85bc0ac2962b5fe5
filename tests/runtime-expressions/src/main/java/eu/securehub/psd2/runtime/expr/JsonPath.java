package eu.securehub.psd2.runtime.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSONPath subset of the template function {@code jsonPath}: {@code $}, {@code .name}, {@code ['name']} /
 * {@code ["name"]}, {@code [n]} (negative counts from the end), {@code [*]} and {@code .*}. Filters, slices,
 * unions and deep scan ({@code ..}) are refused at parse time (the project's bundles use none of them).
 */
final class JsonPath {

    private sealed interface Step {
    }

    private record Member(String name) implements Step {
    }

    private record Index(int index) implements Step {
    }

    private record Wildcard() implements Step {
    }

    private final String source;
    private final List<Step> steps;
    private final boolean definite;

    private JsonPath(String source, List<Step> steps) {
        this.source = source;
        this.steps = steps;
        this.definite = steps.stream().noneMatch(s -> s instanceof Wildcard);
    }

    static JsonPath compile(String path) {
        if (!path.startsWith("$")) {
            throw new IllegalArgumentException("JSONPath must start with '$': " + path);
        }
        List<Step> steps = new ArrayList<>();
        int i = 1;
        int n = path.length();
        while (i < n) {
            char c = path.charAt(i);
            if (c == '.') {
                if (i + 1 < n && path.charAt(i + 1) == '.') {
                    throw new IllegalArgumentException("Deep scan '..' is not supported: " + path);
                }
                int j = i + 1;
                if (j < n && path.charAt(j) == '*') {
                    steps.add(new Wildcard());
                    i = j + 1;
                    continue;
                }
                while (j < n && path.charAt(j) != '.' && path.charAt(j) != '[') {
                    j++;
                }
                if (j == i + 1) {
                    throw new IllegalArgumentException("Empty member name in JSONPath: " + path);
                }
                steps.add(new Member(path.substring(i + 1, j)));
                i = j;
            } else if (c == '[') {
                int close = path.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("Unclosed '[' in JSONPath: " + path);
                }
                String inner = path.substring(i + 1, close).trim();
                if (inner.equals("*")) {
                    steps.add(new Wildcard());
                } else if (inner.length() >= 2 && (inner.charAt(0) == '\'' || inner.charAt(0) == '"')
                    && inner.charAt(inner.length() - 1) == inner.charAt(0)) {
                    steps.add(new Member(inner.substring(1, inner.length() - 1)));
                } else if (inner.matches("-?\\d+")) {
                    steps.add(new Index(Integer.parseInt(inner)));
                } else {
                    throw new IllegalArgumentException("Unsupported JSONPath selector [" + inner + "] in " + path
                        + " (supported: $, .name, ['name'], [n], [*], .*)");
                }
                i = close + 1;
            } else {
                throw new IllegalArgumentException("Unexpected '" + c + "' in JSONPath: " + path);
            }
        }
        return new JsonPath(path, steps);
    }

    /** All matches, in document order. */
    List<Object> evaluate(Object root) {
        List<Object> current = List.of(root);
        for (Step step : steps) {
            List<Object> next = new ArrayList<>();
            for (Object node : current) {
                if (step instanceof Member m) {
                    if (node instanceof Map<?, ?> map && map.containsKey(m.name())) {
                        next.add(map.get(m.name()));
                    }
                } else if (step instanceof Index ix) {
                    if (node instanceof List<?> list) {
                        int k = ix.index() < 0 ? list.size() + ix.index() : ix.index();
                        if (k >= 0 && k < list.size()) {
                            next.add(list.get(k));
                        }
                    }
                } else if (node instanceof List<?> list) {
                    next.addAll(list);
                } else if (node instanceof Map<?, ?> map) {
                    next.addAll(map.values());
                }
            }
            current = next;
        }
        return current;
    }

    /** True when the path has no wildcard (it selects at most one node). */
    boolean definite() {
        return definite;
    }

    @Override
    public String toString() {
        return source;
    }
}
