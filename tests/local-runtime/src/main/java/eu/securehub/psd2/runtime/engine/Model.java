package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.expr.Condition;
import eu.securehub.psd2.runtime.expr.MessageTemplate;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.SslInfo;
import java.util.List;
import java.util.Map;

/** The parsed endpoint configuration of a bundle. */
public final class Model {
    private Model() {
    }

    /** A Step; condition null = always. */
    public record Step(String policy, Condition condition, Location at) {
    }

    /** PreFlow/PostFlow (condition null) or a conditional Flow. */
    public record FlowDef(String name, String description, Condition condition, List<Step> request, List<Step> response) {
    }

    public record FaultRuleDef(String name, Condition condition, List<Step> steps, Location at) {
    }

    public record DefaultFaultRuleDef(String name, Condition condition, List<Step> steps, boolean alwaysEnforce) {
    }

    /** targetEndpoint and url both null = null route. */
    public record RouteRuleDef(String name, Condition condition, String targetEndpoint, MessageTemplate url, Location at) {
    }

    public record ProxyEndpointDef(String name, String basePath, FlowDef preFlow, List<FlowDef> flows, FlowDef postFlow,
            List<Step> postClientFlow, List<FaultRuleDef> faultRules, DefaultFaultRuleDef defaultFaultRule,
            List<RouteRuleDef> routeRules, Location at) {
    }

    /** url (a template) or servers (TargetServer names, round robin) + path (a template, may be null). */
    public record TargetConnection(MessageTemplate url, List<String> servers, MessageTemplate path, SslInfo ssl,
            Map<String, String> properties, Location at) {
    }

    public record TargetEndpointDef(String name, FlowDef preFlow, List<FlowDef> flows, FlowDef postFlow,
            List<FaultRuleDef> faultRules, DefaultFaultRuleDef defaultFaultRule, TargetConnection connection, Location at) {
    }
}
