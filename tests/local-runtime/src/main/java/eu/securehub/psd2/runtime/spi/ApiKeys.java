package eu.securehub.psd2.runtime.spi;

import java.util.Optional;

/** The environment's apps' consumer keys. */
public interface ApiKeys {
    Optional<App> verify(String consumerKey);
}
