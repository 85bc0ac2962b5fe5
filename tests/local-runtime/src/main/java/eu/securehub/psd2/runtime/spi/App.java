package eu.securehub.psd2.runtime.spi;

import java.util.List;
import java.util.Map;

/** A developer app as VerifyAPIKey sees it. */
public record App(String appId, String appName, String developerEmail, String developerId, List<String> apiProducts,
        Map<String, String> attributes, String status) {
}
