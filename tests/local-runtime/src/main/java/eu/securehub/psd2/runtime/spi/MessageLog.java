package eu.securehub.psd2.runtime.spi;

import java.util.Map;

/** The Cloud Logging stand-in (a JSON-lines file). */
public interface MessageLog {
    void write(String logName, String message, Map<String, String> labels);
}
