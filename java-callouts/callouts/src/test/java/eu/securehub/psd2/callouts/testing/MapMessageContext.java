package eu.securehub.psd2.callouts.testing;

import com.apigee.flow.message.MessageContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A flow-variable map standing in for Apigee's MessageContext in tests and benchmarks: get, set and
 * remove on a map, as the callouts use it. Null values remove the variable, as in a flow.
 */
public final class MapMessageContext implements MessageContext {
    private final Map<String, Object> variables = new ConcurrentHashMap<>();

    public MapMessageContext set(String name, Object value) {
        setVariable(name, value);
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getVariable(String name) {
        return (T) variables.get(name);
    }

    /** The variable as a string, or null. */
    public String string(String name) {
        Object v = variables.get(name);
        return v == null ? null : v.toString();
    }

    @Override
    public boolean setVariable(String name, Object value) {
        if (value == null) {
            variables.remove(name);
        } else {
            variables.put(name, value);
        }
        return true;
    }

    @Override
    public boolean removeVariable(String name) {
        return variables.remove(name) != null;
    }

    public Map<String, Object> variables() {
        return variables;
    }
}
