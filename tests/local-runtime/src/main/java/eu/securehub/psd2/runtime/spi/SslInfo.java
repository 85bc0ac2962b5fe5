package eu.securehub.psd2.runtime.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An SSLInfo element (TargetEndpoint, TargetServer, ServiceCallout). Supported children: Enabled, Enforce,
 * ClientAuthEnabled, KeyStore, KeyAlias, TrustStore, Protocols/Protocol. Any other child (Ciphers, CommonName,
 * IgnoreValidationErrors …) is a ConfigError: the runtime does not emulate it, and strictness forbids
 * ignoring it silently.
 */
public record SslInfo(boolean enabled, boolean enforce, boolean clientAuth, String keyStore, String keyAlias,
        String trustStore, List<String> protocols) {

    public SslInfo {
        protocols = protocols == null ? List.of() : List.copyOf(protocols);
    }

    /** Parses an SSLInfo element and checks it is fully understood (done()). */
    public static SslInfo parse(PolicyXml x) {
        boolean enabled = bool(x, "Enabled");
        boolean enforce = bool(x, "Enforce");
        boolean clientAuth = bool(x, "ClientAuthEnabled");
        String keyStore = x.childText("KeyStore").filter(s -> !s.isEmpty()).orElse(null);
        String keyAlias = x.childText("KeyAlias").filter(s -> !s.isEmpty()).orElse(null);
        String trustStore = x.childText("TrustStore").filter(s -> !s.isEmpty()).orElse(null);
        List<String> protocols = new ArrayList<>();
        x.child("Protocols").ifPresent(p -> {
            for (PolicyXml one : p.children("Protocol")) {
                protocols.add(one.text());
            }
        });
        if (clientAuth && (keyStore == null || keyAlias == null)) {
            throw x.error("SSLInfo: ClientAuthEnabled requires KeyStore and KeyAlias");
        }
        x.done();
        return new SslInfo(enabled, enforce, clientAuth, keyStore, keyAlias, trustStore, protocols);
    }

    private static boolean bool(PolicyXml x, String child) {
        return x.child(child).map(c -> {
            String t = c.text().toLowerCase(Locale.ROOT);
            if (!t.equals("true") && !t.equals("false")) {
                throw c.error("SSLInfo/" + child + ": expected true or false, got '" + c.text() + "'");
            }
            return t.equals("true");
        }).orElse(false);
    }
}
