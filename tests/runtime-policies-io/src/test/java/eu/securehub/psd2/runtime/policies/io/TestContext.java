package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Message;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** A FlowContext for the tests: plain variables plus message variables ({msg}, {msg}.content, .status.code, .header.X). */
final class TestContext implements FlowContext {
    final Map<String, Object> vars = new HashMap<>();
    final Map<String, Message> messages = new HashMap<>();
    private final TestEnvironment env;
    private final BundleInfo bundle;

    TestContext(TestEnvironment env, BundleInfo bundle, Message request) {
        this.env = env;
        this.bundle = bundle;
        messages.put("request", request);
    }

    TestContext(TestEnvironment env) {
        this(env, null, TestMessage.request("GET", "/", ""));
    }

    TestContext with(String name, Object value) {
        set(name, value);
        return this;
    }

    @Override
    public Object get(String name) {
        if (messages.containsKey(name)) {
            return messages.get(name);
        }
        for (Map.Entry<String, Message> m : messages.entrySet()) {
            String p = m.getKey() + ".";
            if (name.startsWith(p)) {
                String rest = name.substring(p.length());
                Message msg = m.getValue();
                if (rest.equals("content")) {
                    return msg.contentAsString();
                }
                if (rest.equals("status.code")) {
                    return msg.status();
                }
                if (rest.equals("verb")) {
                    return msg.verb();
                }
                if (rest.startsWith("header.")) {
                    return msg.headers().first(rest.substring(7));
                }
            }
        }
        return vars.get(name);
    }

    @Override
    public void set(String name, Object value) {
        vars.put(name, value);
    }

    @Override
    public void remove(String name) {
        vars.remove(name);
    }

    @Override
    public Message request() {
        return messages.get("request");
    }

    @Override
    public Message response() {
        return messages.computeIfAbsent("response", k -> new TestMessage(false));
    }

    @Override
    public Message message(String variable) {
        return messages.get(variable);
    }

    @Override
    public Message newMessage(String variable, boolean request) {
        TestMessage m = new TestMessage(request);
        messages.put(variable, m);
        return m;
    }

    @Override
    public Environment environment() {
        return env;
    }

    @Override
    public BundleInfo bundle() {
        return bundle;
    }

    @Override
    public Clock clock() {
        return env.clock();
    }
}
