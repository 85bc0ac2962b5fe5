package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.KeyValueMaps;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A configured KeyValueMapOperations policy: runs its Get/Put/Delete operations in document order against the
 * environment's {@link KeyValueMaps} (values encrypted at rest; Gets through the node's read cache, kept for
 * {@code ExpiryTimeInSecs}; a Put or Delete refreshes this node's cache).
 *
 * <p>Runtime behaviour on points the docs leave open (UNCONFIRMED, chosen to fail safe and visibly):
 * <ul>
 *   <li>Key parameters are joined with "__" (§0). If a {@code ref} parameter is unset and has no literal, the key
 *       cannot be built: a Get assigns nothing, a Put or Delete writes nothing (the flow goes on, as for a missing
 *       entry).</li>
 *   <li>A Put whose {@code <Value ref>} is unset (and has no literal) writes nothing.</li>
 *   <li>A Get of a missing key leaves {@code assignTo} untouched (§4.3: variable not set, no fault);
 *       {@code index="1"} returns the (single) value, a higher index nothing.</li>
 *   <li>{@code override} defaults to false: an existing entry is kept (§4.3 [memory]); the hub's Puts all say
 *       override="true".</li>
 *   <li>An empty map name (mapIdentifier="" or a MapName ref resolving to "") fails the call with the documented
 *       500 fault: faultstring "java.lang.UnsupportedOperationException", errorcode "Internal Server Error".</li>
 * </ul>
 */
final class KeyValueMapOperationsPolicy extends BasePolicy {
    enum Kind { GET, PUT, DELETE }

    record Operation(Kind kind, List<ValueRef> key, ValueRef value, String assignTo, int index, boolean override, int line) {
    }

    private final ValueRef mapName;
    private final KeyValueMapOperationsFactory.KvmScope scope;
    private final Duration expiry;
    private final List<Operation> operations;
    private final BundleInfo bundle;

    KeyValueMapOperationsPolicy(PolicyXml xml, ValueRef mapName, KeyValueMapOperationsFactory.KvmScope scope,
            Duration expiry, List<Operation> operations, BundleInfo bundle) {
        super(xml, KeyValueMapOperationsFactory.TYPE);
        this.mapName = mapName;
        this.scope = scope;
        this.expiry = expiry;
        this.operations = List.copyOf(operations);
        this.bundle = bundle;
    }

    Duration expiry() {
        return expiry;
    }

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        String map = mapName.resolve(ctx);
        if (map == null || map.isBlank()) {
            throw new PolicyFault("Internal Server Error", 500, "java.lang.UnsupportedOperationException");
        }
        String qualified = KeyValueMapOperationsFactory.qualify(scope.name().toLowerCase(Locale.ROOT), bundle.name(),
                bundle.revision(), name(), map);
        KeyValueMaps kvms = ctx.environment().kvms();
        for (Operation op : operations) {
            String key = key(op, ctx);
            if (key == null) {
                continue;
            }
            switch (op.kind()) {
                case GET: {
                    Optional<String> value = kvms.get(qualified, key, expiry);
                    if (value.isPresent() && op.index() <= 1) {
                        ctx.set(op.assignTo(), value.get());
                    }
                    break;
                }
                case PUT: {
                    String value = op.value().resolve(ctx);
                    if (value != null) {
                        kvms.put(qualified, key, value, op.override());
                    }
                    break;
                }
                case DELETE:
                    kvms.delete(qualified, key);
                    break;
                default:
                    throw new IllegalStateException(op.kind().name());
            }
        }
    }

    private static String key(Operation op, FlowContext ctx) {
        StringBuilder b = new StringBuilder();
        boolean first = true;
        for (ValueRef part : op.key()) {
            String v = part.resolve(ctx);
            if (v == null) {
                return null;
            }
            if (!first) {
                b.append("__");
            }
            first = false;
            b.append(v);
        }
        return b.toString();
    }
}
