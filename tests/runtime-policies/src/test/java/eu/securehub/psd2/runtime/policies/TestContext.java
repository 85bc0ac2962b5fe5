package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.Environment;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Message;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Flow variables in a map; no messages. */
final class TestContext implements FlowContext {
    static final BundleInfo BUNDLE = bundle("psd2-hub-v1");

    final Map<String, Object> vars = new ConcurrentHashMap<>();
    private final TestEnvironment env;
    private final BundleInfo bundle;

    TestContext(TestEnvironment env) {
        this(env, BUNDLE);
    }

    TestContext(TestEnvironment env, BundleInfo bundle) {
        this.env = env;
        this.bundle = bundle;
    }

    static BundleInfo bundle(String name) {
        return new BundleInfo() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isSharedFlow() {
                return false;
            }

            @Override
            public Optional<Path> resource(String type, String resource) {
                return Optional.empty();
            }
        };
    }

    TestContext with(String name, Object value) {
        vars.put(name, value);
        return this;
    }

    @Override
    public Object get(String name) {
        return vars.get(name);
    }

    @Override
    public void set(String name, Object value) {
        if (value == null) {
            vars.remove(name);
        } else {
            vars.put(name, value);
        }
    }

    @Override
    public void remove(String name) {
        vars.remove(name);
    }

    @Override
    public Message request() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Message response() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Message message(String variable) {
        return null;
    }

    @Override
    public Message newMessage(String variable, boolean request) {
        throw new UnsupportedOperationException();
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
        return env.clock;
    }
}
