package eu.securehub.psd2.runtime.spi;

/**
 * A start-up error in a bundle (unknown element, attribute or policy type, malformed condition or template,
 * missing resource …). Its message starts with the location ("apiproxy/policies/X.xml:12: …").
 */
public class ConfigError extends RuntimeException {
    private final Location at;

    public ConfigError(Location at, String message) {
        super((at == null ? "" : at + ": ") + message);
        this.at = at;
    }

    public ConfigError(Location at, String message, Throwable cause) {
        super((at == null ? "" : at + ": ") + message, cause);
        this.at = at;
    }

    /** Where the error is; may be null when no file is concerned. */
    public Location location() {
        return at;
    }
}
