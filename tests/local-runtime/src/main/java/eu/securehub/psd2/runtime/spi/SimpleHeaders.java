package eu.securehub.psd2.runtime.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The default {@link Headers}: case-insensitive names, insertion order. */
final class SimpleHeaders implements Headers {
    private final Map<String, String> names = new LinkedHashMap<>();      // lower → original
    private final Map<String, List<String>> values = new LinkedHashMap<>(); // lower → values

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public synchronized List<String> all(String name) {
        List<String> v = values.get(key(name));
        return v == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(v));
    }

    @Override
    public synchronized String first(String name) {
        List<String> v = values.get(key(name));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public synchronized void set(String name, String value) {
        String k = key(name);
        names.putIfAbsent(k, name);
        List<String> l = new ArrayList<>();
        l.add(value == null ? "" : value);
        values.put(k, l);
    }

    @Override
    public synchronized void add(String name, String value) {
        String k = key(name);
        names.putIfAbsent(k, name);
        values.computeIfAbsent(k, x -> new ArrayList<>()).add(value == null ? "" : value);
    }

    @Override
    public synchronized void remove(String name) {
        String k = key(name);
        names.remove(k);
        values.remove(k);
    }

    @Override
    public synchronized Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(names.values()));
    }

    @Override
    public synchronized String toString() {
        return values.toString();
    }
}
