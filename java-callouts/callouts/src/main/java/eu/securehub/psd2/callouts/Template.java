package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import java.util.ArrayList;
import java.util.List;

/**
 * A property value with {@code {variable}} references, parsed once and resolved per call.
 * Apigee hands a {@code <Property>} value to the callout as a plain string, so the callout
 * resolves references itself. A reference to an unset variable resolves to the empty string.
 * A lone reference ({@code {response.content}}) returns the variable's value without copying.
 */
final class Template {
    private final String[] literals; // literals[i] precedes names[i]; one more literal than names
    private final String[] names;

    private Template(String[] literals, String[] names) {
        this.literals = literals;
        this.names = names;
    }

    static Template parse(String raw) {
        List<String> literals = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c == '{') {
                int close = raw.indexOf('}', i + 1);
                String name = close < 0 ? "" : raw.substring(i + 1, close).trim();
                if (close > 0 && isVariableName(name)) {
                    literals.add(literal.toString());
                    literal.setLength(0);
                    names.add(name);
                    i = close + 1;
                    continue;
                }
            }
            literal.append(c);
            i++;
        }
        literals.add(literal.toString());
        return new Template(literals.toArray(new String[0]), names.toArray(new String[0]));
    }

    static boolean isVariableName(String name) {
        if (name.isEmpty() || name.length() > 200) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    String resolve(MessageContext ctx) {
        if (names.length == 0) {
            return literals[0];
        }
        if (names.length == 1 && literals[0].isEmpty() && literals[1].isEmpty()) {
            return valueOf(ctx, names[0]);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            out.append(literals[i]).append(valueOf(ctx, names[i]));
        }
        return out.append(literals[names.length]).toString();
    }

    private static String valueOf(MessageContext ctx, String name) {
        Object value = ctx.getVariable(name);
        return value == null ? "" : value.toString();
    }
}
