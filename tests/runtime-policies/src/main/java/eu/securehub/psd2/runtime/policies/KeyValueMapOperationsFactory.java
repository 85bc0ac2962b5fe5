package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * KeyValueMapOperations (apigee-semantics.md §0, §4.3). Reads: {@code mapIdentifier} or {@code <MapName ref>}
 * (never both, apigeelint PO038), {@code <Scope>}, {@code <ExpiryTimeInSecs>}, {@code <Get assignTo index>},
 * {@code <Put override>}, {@code <Delete>}, each with {@code <Key><Parameter ref>literal</Parameter>…</Key>}, and
 * {@code <Value ref>literal</Value>} in Put. Deployment errors of Apigee (InvalidIndex, KeyIsMissing,
 * ValueIsMissing) are start-up ConfigErrors here.
 *
 * <p>Refused although documented: {@code <InitialEntries>} (Edge-era; X seeds KVMs through the management API —
 * the runtime's environment loads kvms/&lt;env&gt;/ instead), {@code <ExclusiveCache>} (deprecated), and several
 * {@code <Value>}s in a Put (multi-valued entries: X stores one string per entry — §4.3 says use single values).
 */
public final class KeyValueMapOperationsFactory implements PolicyFactory {
    static final String TYPE = "KeyValueMapOperations";
    /** ExpiryTimeInSecs when omitted, 0 or negative (Edge doc, repeated for X in §0/§4.3). */
    static final Duration DEFAULT_EXPIRY = Duration.ofSeconds(300);
    /**
     * Map used when neither mapIdentifier nor MapName is given: the KVM page says a map called "kvmap" is then
     * used (Edge and X pages; UNCONFIRMED for X, kept for fidelity rather than refusing the policy).
     */
    static final String DEFAULT_MAP = "kvmap";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Policy create(PolicyXml xml, BundleInfo bundle) throws ConfigError {
        Elements.properties(xml);
        Elements.unsupported(xml, "InitialEntries", "seed the map through the environment's KVM config (kvms/<env>/)");
        Elements.unsupported(xml, "ExclusiveCache", "deprecated; the node cache is governed by <ExpiryTimeInSecs>");

        Optional<String> mapIdentifier = xml.optionalAttribute("mapIdentifier");
        Optional<PolicyXml> mapNameElement = xml.child("MapName");
        if (mapIdentifier.isPresent() && mapNameElement.isPresent()) {
            throw mapNameElement.get().error("use either the mapIdentifier attribute or <MapName>, not both");
        }
        ValueRef mapName;
        if (mapNameElement.isPresent()) {
            mapName = ValueRef.of(mapNameElement.get());
            if (mapName.isEmpty()) {
                throw mapNameElement.get().error("<MapName> needs a ref attribute or a name");
            }
        } else {
            // An empty mapIdentifier deploys but fails each call (500 java.lang.UnsupportedOperationException).
            mapName = new ValueRef(null, mapIdentifier.map(String::trim).orElse(DEFAULT_MAP));
        }

        KvmScope scope = KvmScope.ENVIRONMENT;
        Optional<PolicyXml> scopeElement = xml.child("Scope");
        if (scopeElement.isPresent()) {
            scope = KvmScope.parse(scopeElement.get());
        }

        Duration expiry = DEFAULT_EXPIRY;
        Optional<PolicyXml> expiryElement = xml.child("ExpiryTimeInSecs");
        if (expiryElement.isPresent()) {
            String t = expiryElement.get().text();
            long seconds;
            try {
                seconds = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw expiryElement.get().error("<ExpiryTimeInSecs> must be an integer number of seconds, not '" + t + "'");
            }
            if (seconds > 0) {
                expiry = Duration.ofSeconds(seconds);
            }
        }

        List<KeyValueMapOperationsPolicy.Operation> ops = new ArrayList<>();
        for (PolicyXml get : xml.children("Get")) {
            String assignTo = get.attribute("assignTo").trim();
            if (assignTo.isEmpty()) {
                throw get.error("<Get> needs a non-empty assignTo");
            }
            int index = 0;
            Optional<String> indexText = get.optionalAttribute("index");
            if (indexText.isPresent()) {
                long i = Elements.parseNonNegative(indexText.get());
                if (i < 1 || i > Integer.MAX_VALUE) {
                    throw get.error("Invalid index " + indexText.get() + " in KeyValueMapStepDefinition " + xml.name()
                            + " (index starts at 1)");
                }
                index = (int) i;
            }
            ops.add(new KeyValueMapOperationsPolicy.Operation(KeyValueMapOperationsPolicy.Kind.GET, key(get, xml), null,
                    assignTo, index, false, get.location().line()));
        }
        for (PolicyXml put : xml.children("Put")) {
            boolean override = put.optionalAttribute("override").map(v -> Elements.bool(put, v)).orElse(false);
            List<PolicyXml> values = put.children("Value");
            if (values.isEmpty()) {
                throw put.error("Value is missing in KeyValueMapStepDefinition " + xml.name());
            }
            if (values.size() > 1) {
                throw values.get(1).error("several <Value>s (a multi-valued entry) are not supported: X stores one string per entry");
            }
            ValueRef value = ValueRef.of(values.get(0));
            if (value.isEmpty()) {
                throw values.get(0).error("<Value> needs a ref attribute or a literal");
            }
            ops.add(new KeyValueMapOperationsPolicy.Operation(KeyValueMapOperationsPolicy.Kind.PUT, key(put, xml), value,
                    null, 0, override, put.location().line()));
        }
        for (PolicyXml delete : xml.children("Delete")) {
            ops.add(new KeyValueMapOperationsPolicy.Operation(KeyValueMapOperationsPolicy.Kind.DELETE, key(delete, xml),
                    null, null, 0, false, delete.location().line()));
        }
        if (ops.isEmpty()) {
            throw xml.error("KeyValueMapOperations needs at least one of <Get>, <Put>, <Delete>");
        }
        ops.sort(Comparator.comparingInt(KeyValueMapOperationsPolicy.Operation::line));
        xml.done();
        return new KeyValueMapOperationsPolicy(xml, mapName, scope, expiry, ops, bundle);
    }

    private static List<ValueRef> key(PolicyXml operation, PolicyXml root) {
        PolicyXml key = operation.child("Key").orElseThrow(
                () -> operation.error("Key is missing in KeyValueMapStepDefinition " + root.name()));
        List<PolicyXml> parameters = key.children("Parameter");
        if (parameters.isEmpty()) {
            throw key.error("<Key> needs at least one <Parameter>");
        }
        List<ValueRef> parts = new ArrayList<>();
        for (PolicyXml p : parameters) {
            ValueRef v = ValueRef.of(p);
            if (v.isEmpty()) {
                throw p.error("<Parameter> needs a ref attribute or a literal");
            }
            parts.add(v);
        }
        return List.copyOf(parts);
    }

    /** The KVM scopes; the map name the store sees is qualified for all but environment (see {@link #qualify}). */
    enum KvmScope {
        ORGANIZATION, ENVIRONMENT, APIPROXY, POLICY;

        static KvmScope parse(PolicyXml element) {
            switch (element.text().toLowerCase(Locale.ROOT)) {
                case "organization":
                    return ORGANIZATION;
                case "environment":
                    return ENVIRONMENT;
                case "apiproxy":
                    return APIPROXY;
                case "policy":
                    return POLICY;
                default:
                    throw element.error("<Scope> must be organization, environment, apiproxy or policy, not '"
                            + element.text() + "'");
            }
        }
    }

    /**
     * The name under which a map of this scope is kept in the environment's {@code KeyValueMaps}: environment-scoped
     * maps under their own name (what the environment's config loads from kvms/&lt;env&gt;/); the others prefixed so
     * that same-named maps of another scope, proxy or policy stay apart: {@code organization:<map>},
     * {@code apiproxy:<proxy>:<map>}, {@code policy:<proxy>:<revision>:<policy>:<map>}.
     */
    public static String qualify(String scope, String bundleName, String revision, String policyName, String map) {
        switch (scope.toLowerCase(Locale.ROOT)) {
            case "environment":
                return map;
            case "organization":
                return "organization:" + map;
            case "apiproxy":
                return "apiproxy:" + bundleName + ":" + map;
            case "policy":
                return "policy:" + bundleName + ":" + revision + ":" + policyName + ":" + map;
            default:
                throw new IllegalArgumentException("unknown KVM scope " + scope);
        }
    }
}
