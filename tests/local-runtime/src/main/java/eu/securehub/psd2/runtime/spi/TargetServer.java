package eu.securehub.psd2.runtime.spi;

import java.util.Optional;

/** An environment TargetServer. */
public interface TargetServer {
    String name();

    String host();

    int port();

    boolean enabled();

    Optional<SslInfo> ssl();
}
