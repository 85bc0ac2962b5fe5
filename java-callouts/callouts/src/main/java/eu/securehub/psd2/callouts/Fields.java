package eu.securehub.psd2.callouts;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of JSON members for the callouts that take JSON from a bank, the CRM or the config.
 * Every failure is a {@link CalloutException} with the caller's code and a message that names the
 * member, never its value.
 */
final class Fields {
    private final Map<String, Object> members;
    private final String code;
    private final String what;

    private Fields(Map<String, Object> members, String code, String what) {
        this.members = members;
        this.code = code;
        this.what = what;
    }

    /** Parses {@code text} as a JSON object; {@code what} names the input in messages (e.g. "profile"). */
    static Fields parse(String text, String code, String what) throws CalloutException {
        try {
            return new Fields(Json.parseObject(text), code, what);
        } catch (JsonException e) {
            throw new CalloutException(code, what + " is not a JSON object");
        }
    }

    static Fields of(Map<String, Object> members, String code, String what) {
        return new Fields(members, code, what);
    }

    Map<String, Object> members() {
        return members;
    }

    boolean has(String name) {
        return members.get(name) != null;
    }

    CalloutException invalid(String name, String why) {
        return new CalloutException(code, what + " " + name + " " + why);
    }

    /** A string member; "" when absent (or null) and not required. */
    String text(String name, boolean required) throws CalloutException {
        Object v = members.get(name);
        if (v == null) {
            if (required) {
                throw invalid(name, "is missing");
            }
            return "";
        }
        if (!(v instanceof String)) {
            throw invalid(name, "is not a string");
        }
        String s = (String) v;
        if (required && s.isEmpty()) {
            throw invalid(name, "is empty");
        }
        return s;
    }

    /** A string member of at most {@code max} printable ASCII characters without spaces (ids, codes, tokens). */
    String token(String name, boolean required, int max) throws CalloutException {
        String s = text(name, required);
        if (s.length() > max) {
            throw invalid(name, "is longer than " + max + " characters");
        }
        if (!visibleAscii(s)) {
            throw invalid(name, "has characters other than visible ASCII");
        }
        return s;
    }

    /** A whole-number member in [min, max]; {@code fallback} when absent. */
    long integer(String name, long fallback, long min, long max) throws CalloutException {
        Object v = members.get(name);
        if (v == null) {
            return fallback;
        }
        long n;
        if (v instanceof Long) {
            n = (Long) v;
        } else if (v instanceof BigDecimal) {
            try {
                n = ((BigDecimal) v).longValueExact();
            } catch (ArithmeticException e) {
                throw invalid(name, "is not a whole number");
            }
        } else {
            throw invalid(name, "is not a number");
        }
        if (n < min || n > max) {
            throw invalid(name, "must be between " + min + " and " + max);
        }
        return n;
    }

    /** A required whole-number member in [min, max]. */
    long requiredInteger(String name, long min, long max) throws CalloutException {
        if (!has(name)) {
            throw invalid(name, "is missing");
        }
        return integer(name, 0, min, max);
    }

    boolean bool(String name, Boolean fallback) throws CalloutException {
        Object v = members.get(name);
        if (v == null) {
            if (fallback == null) {
                throw invalid(name, "is missing");
            }
            return fallback;
        }
        if (!(v instanceof Boolean)) {
            throw invalid(name, "is not true or false");
        }
        return (Boolean) v;
    }

    /** An object member, or null when absent and not required. */
    @SuppressWarnings("unchecked")
    Fields object(String name, boolean required) throws CalloutException {
        Object v = members.get(name);
        if (v == null) {
            if (required) {
                throw invalid(name, "is missing");
            }
            return null;
        }
        if (!(v instanceof Map)) {
            throw invalid(name, "is not an object");
        }
        return new Fields((Map<String, Object>) v, code, what + " " + name);
    }

    /** An array member, or null when absent. */
    List<?> array(String name) throws CalloutException {
        Object v = members.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List)) {
            throw invalid(name, "is not an array");
        }
        return (List<?>) v;
    }

    /** True when every character is visible ASCII (0x21..0x7e). */
    static boolean visibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
