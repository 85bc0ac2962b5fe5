package eu.securehub.psd2.runtime.spi;

import java.util.List;
import java.util.Set;

/** HTTP headers; names are case-insensitive, insertion order kept, each header holds a list of values. */
public interface Headers {
    /** All values of a header (empty list if absent). */
    List<String> all(String name);

    /** The first value, or null if absent. */
    String first(String name);

    /** Replaces all values. */
    void set(String name, String value);

    void add(String name, String value);

    void remove(String name);

    /** Header names as first added (original case). */
    Set<String> names();

    /** A new empty, thread-confined header set (the engine's implementation). */
    static Headers create() {
        return new SimpleHeaders();
    }

    /** A deep copy. */
    default Headers copy() {
        Headers h = create();
        for (String n : names()) {
            for (String v : all(n)) {
                h.add(n, v);
            }
        }
        return h;
    }
}
