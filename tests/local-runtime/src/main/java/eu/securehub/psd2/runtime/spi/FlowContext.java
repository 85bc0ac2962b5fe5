package eu.securehub.psd2.runtime.spi;

import eu.securehub.psd2.runtime.expr.Variables;
import java.time.Clock;

/**
 * One message exchange's flow variables and messages, as policies see them. get/set understand Apigee's
 * message variables (request.header.X, response.content, request.queryparam.x, message.* …) as well as
 * plain variables. get returns null for an unset variable.
 */
public interface FlowContext extends Variables {
    @Override
    Object get(String name);

    void set(String name, Object value);

    void remove(String name);

    Message request();

    /** The response; creates an empty one (status 200) if none exists yet. */
    Message response();

    /** The message held in a variable ("request", "response", "message" or a named message), or null. */
    Message message(String variable);

    /** Creates (or replaces) a message stored in a variable; for AssignTo createNew or ServiceCallout's Request. */
    Message newMessage(String variable, boolean request);

    Environment environment();

    BundleInfo bundle();

    Clock clock();

    /** get(name) as a String (null if unset). */
    default String getString(String name) {
        Object v = get(name);
        return v == null ? null : String.valueOf(v);
    }
}
