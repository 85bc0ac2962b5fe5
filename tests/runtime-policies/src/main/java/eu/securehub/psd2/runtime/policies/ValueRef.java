package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.Optional;

/**
 * An element that holds a literal and/or a {@code ref} attribute naming a flow variable (Parameter, Value,
 * KeyFragment, Interval, Rate …). Apigee's rule (§4.4): a resolved ref wins; an unset one falls back to the
 * literal text; with neither the value is unresolved (null).
 */
record ValueRef(String ref, String literal) {

    static ValueRef of(PolicyXml element) {
        String ref = element.optionalAttribute("ref").map(String::trim).orElse(null);
        if (ref != null && ref.isEmpty()) {
            throw element.error("<" + element.elementName() + "> has an empty ref attribute");
        }
        String text = element.text();
        return new ValueRef(ref, text.isEmpty() ? null : text);
    }

    static Optional<ValueRef> optional(PolicyXml parent, String child) {
        return parent.child(child).map(ValueRef::of);
    }

    boolean isEmpty() {
        return ref == null && literal == null;
    }

    /** The value now: the ref's value when set, else the literal, else null. */
    String resolve(FlowContext ctx) {
        if (ref != null) {
            String v = ctx.getString(ref);
            if (v != null) {
                return v;
            }
        }
        return literal;
    }
}
