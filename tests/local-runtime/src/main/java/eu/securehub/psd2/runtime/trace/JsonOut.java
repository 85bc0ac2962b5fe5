package eu.securehub.psd2.runtime.trace;

import eu.securehub.psd2.runtime.engine.Json;
import java.util.List;

/** Small helpers to write the trace JSON by hand (stable field order). */
final class JsonOut {
    private JsonOut() {
    }

    static StringBuilder field(StringBuilder b, String name, Object value) {
        Json.quote(name, b);
        b.append(':');
        value(b, value);
        return b;
    }

    static void value(StringBuilder b, Object value) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof Number || value instanceof Boolean) {
            b.append(value);
        } else {
            Json.quote(String.valueOf(value), b);
        }
    }

    static StringBuilder vars(StringBuilder b, String name, List<Trace.Variable> vars) {
        Json.quote(name, b);
        b.append(":[");
        for (int i = 0; i < vars.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            Trace.Variable v = vars.get(i);
            b.append('{');
            field(b, "name", v.name()).append(',');
            field(b, "value", v.value());
            if (v.removed()) {
                b.append(",\"removed\":true");
            }
            b.append('}');
        }
        return b.append(']');
    }
}
