package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

/** The factories of this module, found as the engine finds them (ServiceLoader). */
final class Policies {
    static final Map<String, PolicyFactory> FACTORIES = new HashMap<>();

    static {
        for (PolicyFactory f : ServiceLoader.load(PolicyFactory.class)) {
            FACTORIES.put(f.type(), f);
        }
    }

    private Policies() {
    }

    static Policy create(String xml) {
        TestXml x = TestXml.of(xml);
        PolicyFactory f = FACTORIES.get(x.elementName());
        if (f == null) {
            throw new IllegalArgumentException("no factory for " + x.elementName());
        }
        Policy p = f.create(x, TestContext.BUNDLE);
        x.done();
        return p;
    }
}
