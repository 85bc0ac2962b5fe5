package eu.securehub.psd2.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/** success.codes: a comma list of codes and wildcards (4xx); the list replaces the default 1xx,2xx,3xx. */
public final class SuccessCodes {
    private final List<IntPredicate> rules;

    private SuccessCodes(List<IntPredicate> rules) {
        this.rules = rules;
    }

    public static final SuccessCodes DEFAULT = parse("1xx,2xx,3xx");

    public static SuccessCodes parse(String text) {
        List<IntPredicate> rules = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim().toLowerCase();
            if (p.isEmpty()) {
                continue;
            }
            if (p.matches("[1-5]xx")) {
                int h = p.charAt(0) - '0';
                rules.add(s -> s / 100 == h);
            } else if (p.matches("\\d{3}")) {
                int c = Integer.parseInt(p);
                rules.add(s -> s == c);
            } else {
                throw new IllegalArgumentException(part);
            }
        }
        return new SuccessCodes(rules);
    }

    public boolean isSuccess(int status) {
        for (IntPredicate r : rules) {
            if (r.test(status)) {
                return true;
            }
        }
        return false;
    }
}
