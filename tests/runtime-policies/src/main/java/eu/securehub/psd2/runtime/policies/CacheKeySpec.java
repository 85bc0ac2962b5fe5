package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The cache key and cache resource shared by PopulateCache and LookupCache (§4.10): {@code <CacheKey>} with an
 * optional {@code <Prefix>} and one or more {@code <KeyFragment ref>literal</KeyFragment>}, {@code <Scope>}
 * (Exclusive by default) and {@code <CacheResource>}.
 *
 * <p>The key is built as the docs describe: parts joined with "__"; with a Prefix the key is
 * {@code prefix__fragment…} and the Scope is not used; without one the scope's prefix comes first — Global:
 * {@code org__env}, Application: {@code org__env__proxy}, Proxy and Target: {@code org__env__proxy__endpoint},
 * Exclusive: {@code org__env__proxy__revision__endpoint}. The endpoint is read from {@code proxy.name} (Proxy,
 * Exclusive) or {@code target.name} (Target); the SPI does not tell which endpoint a step runs in, so Exclusive
 * always uses the ProxyEndpoint's name (a documented approximation). A fragment whose ref is unset falls back to
 * its literal, else to "" (UNCONFIRMED; the hub's fragments are always set).
 */
record CacheKeySpec(String prefix, List<ValueRef> fragments, String scope, String cacheResource) {
    /** The cache a policy without {@code <CacheResource>} uses (Apigee's included shared cache). */
    static final String SHARED_CACHE = "(shared)";

    static CacheKeySpec parse(PolicyXml xml) {
        PolicyXml cacheKey = Elements.required(xml, "CacheKey");
        String prefix = cacheKey.childText("Prefix").filter(s -> !s.isEmpty()).orElse(null);
        List<ValueRef> fragments = new ArrayList<>();
        for (PolicyXml f : cacheKey.children("KeyFragment")) {
            ValueRef v = ValueRef.of(f);
            if (v.isEmpty()) {
                throw f.error("<KeyFragment> needs a ref attribute or a literal");
            }
            fragments.add(v);
        }
        if (fragments.isEmpty()) {
            throw cacheKey.error("<CacheKey> needs at least one <KeyFragment>");
        }
        String scope = "Exclusive";
        Optional<PolicyXml> scopeElement = xml.child("Scope");
        if (scopeElement.isPresent()) {
            String s = scopeElement.get().text();
            switch (s.toLowerCase(Locale.ROOT)) {
                case "exclusive":
                case "global":
                case "application":
                case "proxy":
                case "target":
                    scope = s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
                    break;
                default:
                    throw scopeElement.get().error("<Scope> must be Exclusive, Global, Application, Proxy or Target, not '" + s + "'");
            }
        }
        String resource = xml.childText("CacheResource").filter(s -> !s.isEmpty()).orElse(SHARED_CACHE);
        return new CacheKeySpec(prefix, List.copyOf(fragments), scope, resource);
    }

    String key(FlowContext ctx) {
        List<String> parts = new ArrayList<>();
        if (prefix != null) {
            parts.add(prefix);
        } else {
            String org = ctx.environment().organization();
            String env = ctx.environment().name();
            String proxy = BasePolicy.proxyName(ctx);
            switch (scope) {
                case "Global":
                    parts.add(org);
                    parts.add(env);
                    break;
                case "Application":
                    parts.add(org);
                    parts.add(env);
                    parts.add(proxy);
                    break;
                case "Proxy":
                    parts.add(org);
                    parts.add(env);
                    parts.add(proxy);
                    parts.add(orEmpty(ctx.getString("proxy.name")));
                    break;
                case "Target":
                    parts.add(org);
                    parts.add(env);
                    parts.add(proxy);
                    parts.add(orEmpty(ctx.getString("target.name")));
                    break;
                default:
                    parts.add(org);
                    parts.add(env);
                    parts.add(proxy);
                    parts.add(orEmpty(ctx.getString("apiproxy.revision"), ctx.bundle().revision()));
                    parts.add(orEmpty(ctx.getString("proxy.name")));
                    break;
            }
        }
        for (ValueRef f : fragments) {
            parts.add(orEmpty(f.resolve(ctx)));
        }
        return String.join("__", parts);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String orEmpty(String s, String dflt) {
        return s == null || s.isEmpty() ? dflt : s;
    }
}
