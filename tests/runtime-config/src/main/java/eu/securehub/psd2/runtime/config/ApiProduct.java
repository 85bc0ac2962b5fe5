package eu.securehub.psd2.runtime.config;

import java.util.List;
import java.util.Map;

/**
 * An API product of edge.json's orgConfig, as VerifyAPIKey needs it beyond the SPI's {@link
 * eu.securehub.psd2.runtime.spi.App} (which names the app's products only): its environments and operations
 * (operationGroup with operationConfigType "proxy").
 *
 * @param quota         the product's quota (allow count), or null
 * @param quotaInterval its interval, or null
 * @param quotaTimeUnit its time unit, or null
 */
public record ApiProduct(String name, String displayName, String approvalType, Map<String, String> attributes,
        List<String> environments, List<Operation> operations, List<String> scopes, String quota, String quotaInterval,
        String quotaTimeUnit) {

    /** One operation of an operation config: the proxy (apiSource), a resource path pattern and its methods (empty: all). */
    public record Operation(String apiSource, String resource, List<String> methods) {
    }

    public ApiProduct {
        attributes = Map.copyOf(attributes);
        environments = List.copyOf(environments);
        operations = List.copyOf(operations);
        scopes = List.copyOf(scopes);
    }
}
