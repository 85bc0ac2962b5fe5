package eu.securehub.psd2.runtime.builtin;

import eu.securehub.psd2.runtime.expr.UnresolvedVariableException;
import eu.securehub.psd2.runtime.engine.ProxyEngine;
import eu.securehub.psd2.runtime.engine.SimpleMessage;
import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.MessageOps;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.nio.charset.StandardCharsets;

/**
 * RaiseFault (§4.2): builds the pending error response from FaultResponse and enters the error flow with errorcode
 * steps.raisefault.RaiseFault (fault.name RaiseFault). Without a StatusCode the status is 500; without a Payload the
 * body is Apigee's default fault JSON with faultstring "Raising fault. Fault name : {policy}".
 * <p>IgnoreUnresolvedVariables default is UNCONFIRMED for RaiseFault; this runtime uses false, the AssignMessage
 * default (the docs describe RaiseFault's FaultResponse as AssignMessage's Set/Add/…; the bundle always sets it).
 * ShortFaultReason is accepted only as false (its effect on X is UNCONFIRMED, so true is refused rather than faked).
 */
public final class RaiseFaultPolicy extends BasePolicy {
    private final MessageOps ops;
    private final boolean ignoreUnresolved;

    public static final class Factory implements PolicyFactory {
        @Override
        public String type() {
            return "RaiseFault";
        }

        @Override
        public Policy create(PolicyXml xml, BundleInfo bundle) {
            RaiseFaultPolicy p = new RaiseFaultPolicy(xml);
            xml.done();
            return p;
        }
    }

    RaiseFaultPolicy(PolicyXml xml) {
        super(xml);
        this.ignoreUnresolved = bool(xml, "IgnoreUnresolvedVariables", false);
        this.ops = xml.child("FaultResponse").map(MessageOps::parse).orElse(null);
        xml.child("ShortFaultReason").ifPresent(s -> {
            if (!s.text().equals("false")) {
                throw s.error("ShortFaultReason=true is not supported by the local runtime");
            }
        });
    }

    @Override
    public void execute(FlowContext ctx) {
        String faultString = "Raising fault. Fault name : " + name();
        SimpleMessage r = new SimpleMessage(false);
        r.status(500);
        r.headers().set("Content-Type", "application/json");
        r.content(ProxyEngine.defaultErrorBody(faultString, "steps.raisefault.RaiseFault", null)
                .getBytes(StandardCharsets.UTF_8));
        ctx.set("response", r);
        if (ops != null) {
            try {
                ops.apply(ctx, r, ignoreUnresolved);
            } catch (UnresolvedVariableException e) {
                // The fault is still raised; the unresolved variable is reported instead (500).
                throw new PolicyFault("steps.raisefault.UnresolvedVariable", 500, "Unresolved variable : " + e.variable());
            } catch (RuntimeException e) {
                throw new PolicyFault("steps.raisefault.RaiseFault", 500, faultString);
            }
        }
        throw new PolicyFault("steps.raisefault.RaiseFault", r.status(), faultString);
    }
}
