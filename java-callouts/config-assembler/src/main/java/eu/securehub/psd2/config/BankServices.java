package eu.securehub.psd2.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a bank's registry entry (a psd2-hub-banks value) says about the TPP's certificates: the PSD2 services the
 * hub uses at that bank ({@code "services": ["AIS"]} or {@code ["AIS", "PIS"]}; absent means {@code ["AIS"]}), each
 * needing its PSD2 role in the QWAC and the QSEAL, and whether the bank wants its requests signed
 * ({@code "signing": {"profile": "berlin-group", …}}), which needs the QSEAL.
 */
final class BankServices {
    static final List<String> DEFAULT = List.of("AIS");
    static final String SIGNING_PROFILE = "berlin-group";

    private BankServices() {
    }

    /**
     * The entry's services, checked: a non-empty array of distinct "AIS" and "PIS". Null when the member is wrong
     * (each problem added, naming {@code what}).
     */
    static List<String> of(String what, Map<String, Object> profile, List<String> problems) {
        if (!profile.containsKey("services")) {
            return DEFAULT;
        }
        Object value = profile.get("services");
        if (!(value instanceof List)) {
            problems.add(what + ": profile field services must be an array of \"AIS\" and/or \"PIS\" (absent means"
                    + " [\"AIS\"])");
            return null;
        }
        List<?> list = (List<?>) value;
        if (list.isEmpty()) {
            problems.add(what + ": profile field services is empty: list \"AIS\" and/or \"PIS\" (absent means [\"AIS\"])");
            return null;
        }
        List<String> services = new ArrayList<>();
        boolean ok = true;
        for (Object o : list) {
            if (!(o instanceof String) || !Psd2Roles.SERVICES.contains(o)) {
                problems.add(what + ": profile field services lists " + (o instanceof String ? "\"" + o + "\"" : o)
                        + ": only \"AIS\" and \"PIS\" are PSD2 services the hub uses");
                ok = false;
            } else if (services.contains(o)) {
                problems.add(what + ": profile field services lists \"" + o + "\" twice");
                ok = false;
            } else {
                services.add((String) o);
            }
        }
        return ok ? List.copyOf(services) : null;
    }

    /** True when the entry's signing.profile is berlin-group: the hub seals its requests to that bank. */
    static boolean signs(Map<String, Object> profile) {
        Object signing = profile.get("signing");
        return signing instanceof Map && SIGNING_PROFILE.equals(ConfigTree.asMap(signing).get("profile"));
    }
}
