package eu.securehub.psd2.runtime.builtin;

import eu.securehub.psd2.runtime.engine.Exchange;
import eu.securehub.psd2.runtime.engine.ProxyEngine;
import eu.securehub.psd2.runtime.expr.MessageTemplate;
import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FlowCallout (§4.9): runs a shared flow deployed in the same runtime; Parameters (value=, ref= or templated text)
 * are flow variables visible only while the shared flow runs. A missing shared flow is flow.SharedFlowNotFound (500)
 * at run time (the docs list no deployment error). Faults inside the shared flow propagate to the caller. It runs
 * the shared flow as deployed on the node that runs the request.
 */
public final class FlowCalloutPolicy extends BasePolicy {
    private final ProxyEngine engine;
    private final String sharedFlow;
    private final List<Param> params = new ArrayList<>();

    private record Param(String name, String value, String ref, MessageTemplate text) {
    }

    public static final class Factory implements PolicyFactory {
        private final ProxyEngine engine;

        public Factory(ProxyEngine engine) {
            this.engine = engine;
        }

        @Override
        public String type() {
            return "FlowCallout";
        }

        @Override
        public Policy create(PolicyXml xml, BundleInfo bundle) {
            FlowCalloutPolicy p = new FlowCalloutPolicy(xml, engine);
            xml.done();
            return p;
        }
    }

    FlowCalloutPolicy(PolicyXml xml, ProxyEngine engine) {
        super(xml);
        this.engine = engine;
        this.sharedFlow = xml.child("SharedFlowBundle").map(PolicyXml::text).filter(s -> !s.isEmpty())
                .orElseThrow(() -> xml.error("FlowCallout needs <SharedFlowBundle>"));
        xml.child("Parameters").ifPresent(ps -> {
            for (PolicyXml p : ps.children("Parameter")) {
                String n = p.attribute("name");
                String value = p.optionalAttribute("value").orElse(null);
                String ref = p.optionalAttribute("ref").orElse(null);
                String t = p.text();
                if ((value != null ? 1 : 0) + (ref != null ? 1 : 0) + (t.isEmpty() ? 0 : 1) > 1) {
                    throw p.error("a Parameter has one of value=, ref= or text");
                }
                params.add(new Param(n, value, ref, t.isEmpty() ? null : p.template(t)));
            }
        });
    }

    @Override
    public void execute(FlowContext ctx) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Param p : params) {
            String v;
            if (p.value() != null) {
                v = p.value();
            } else if (p.ref() != null) {
                Object o = ctx.get(p.ref());
                v = o == null ? null : String.valueOf(o);
            } else if (p.text() != null) {
                v = p.text().render(ctx);
            } else {
                v = "";
            }
            values.put(p.name(), v);
        }
        // The shared flow of the node running the request: each message processor has its own deployment of it
        // (policy instances, Java class loader and so a callout's static state), as nodes share no memory.
        Exchange x = (Exchange) ctx;
        (x.engine() != null ? x.engine() : engine).runSharedFlow(x, sharedFlow, values);
    }
}
