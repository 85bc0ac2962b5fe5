package eu.securehub.psd2.runtime.spi;

import java.security.KeyStore;
import java.util.Set;

/** A keystore or truststore of the environment (names and ref:// resolved through references). */
public interface KeyStoreEntry {
    KeyStore keyStore();

    char[] password();

    Set<String> aliases();
}
