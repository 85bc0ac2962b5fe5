package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code success.codes} property: a comma list of classes ({@code 2xx}) and exact codes ({@code 201}).
 * It replaces the default list (1xx, 2xx, 3xx) [doc: Endpoint properties reference].
 */
record SuccessCodes(List<String> entries) {
    static final SuccessCodes DEFAULT = new SuccessCodes(List.of("1xx", "2xx", "3xx"));

    static SuccessCodes parse(PolicyXml at, String text) {
        List<String> entries = new ArrayList<>();
        for (String raw : text.split(",")) {
            String e = raw.trim().toLowerCase(Locale.ROOT);
            if (!e.matches("[1-5]xx|[1-5]\\d\\d")) {
                throw at.error("success.codes: '" + raw.trim() + "' is neither a status class (2xx) nor a status code");
            }
            entries.add(e);
        }
        if (entries.isEmpty()) {
            throw at.error("success.codes is empty");
        }
        return new SuccessCodes(List.copyOf(entries));
    }

    boolean isSuccess(int status) {
        String code = Integer.toString(status);
        for (String e : entries) {
            if (e.endsWith("xx") ? code.length() == 3 && code.charAt(0) == e.charAt(0) : e.equals(code)) {
                return true;
            }
        }
        return false;
    }
}
