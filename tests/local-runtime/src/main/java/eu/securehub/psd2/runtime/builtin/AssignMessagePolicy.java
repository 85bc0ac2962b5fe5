package eu.securehub.psd2.runtime.builtin;

import eu.securehub.psd2.runtime.expr.UnresolvedVariableException;
import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Message;
import eu.securehub.psd2.runtime.spi.MessageOps;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.Locale;

/** AssignMessage (§4.1): AssignTo, IgnoreUnresolvedVariables (default false), Copy/Remove/Add/Set/AssignVariable in document order. */
public final class AssignMessagePolicy extends BasePolicy {
    private final MessageOps ops;
    private final boolean ignoreUnresolved;
    private final String assignTo;
    private final Boolean createNew;
    private final String newType;

    public static final class Factory implements PolicyFactory {
        @Override
        public String type() {
            return "AssignMessage";
        }

        @Override
        public Policy create(PolicyXml xml, BundleInfo bundle) {
            AssignMessagePolicy p = new AssignMessagePolicy(xml);
            xml.done();
            return p;
        }
    }

    AssignMessagePolicy(PolicyXml xml) {
        super(xml);
        this.ignoreUnresolved = bool(xml, "IgnoreUnresolvedVariables", false);
        PolicyXml to = xml.child("AssignTo").orElse(null);
        if (to != null) {
            String n = to.text();
            this.assignTo = n.isEmpty() ? null : n;
            this.createNew = to.optionalAttribute("createNew").map(v -> {
                if (!v.equals("true") && !v.equals("false")) {
                    throw to.error("createNew must be true or false");
                }
                return v.equals("true");
            }).orElse(null);
            this.newType = to.optionalAttribute("type").map(t -> {
                if (!t.equals("request") && !t.equals("response")) {
                    throw to.error("type must be request or response");
                }
                return t;
            }).orElse(null);
            to.optionalAttribute("transport").ifPresent(t -> {
                if (!t.equals("http")) {
                    throw to.error("transport must be http");
                }
            });
        } else {
            assignTo = null;
            createNew = null;
            newType = null;
        }
        this.ops = MessageOps.parse(xml);
    }

    private Message target(FlowContext ctx) {
        String var = assignTo == null ? "message" : assignTo;
        boolean ambientRequest = ctx.message("message") != null && ctx.message("message").isRequest();
        boolean req = newType == null ? (assignTo != null && !isAmbient(var) ? true : ambientRequest) : newType.equals("request");
        if (Boolean.TRUE.equals(createNew)) {
            if (assignTo == null && newType != null) {
                var = req ? "request" : "response";
            }
            return ctx.newMessage(var, req);
        }
        Message m = ctx.message(var);
        if (m != null) {
            return m;
        }
        if (Boolean.FALSE.equals(createNew)) {
            throw new PolicyFault("steps.assignmessage.VariableOfNonMsgType", 500,
                    "AssignTo variable " + var + " is not a message");
        }
        return ctx.newMessage(var, req);
    }

    private static boolean isAmbient(String var) {
        return var.equals("request") || var.equals("response") || var.equals("message");
    }

    @Override
    public void execute(FlowContext ctx) {
        Message m = target(ctx);
        try {
            ops.apply(ctx, m, ignoreUnresolved);
        } catch (UnresolvedVariableException e) {
            throw new PolicyFault("steps.assignmessage.UnresolvedVariable", 500,
                    "Unresolved variable : " + e.variable());
        } catch (IllegalStateException e) {
            throw new PolicyFault("steps.assignmessage.VariableOfNonMsgType", 500, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new PolicyFault("steps.assignmessage.SetVariableFailed", 500,
                    "Failed to set variable in " + name() + ": " + e.getMessage().toLowerCase(Locale.ROOT));
        }
    }
}
