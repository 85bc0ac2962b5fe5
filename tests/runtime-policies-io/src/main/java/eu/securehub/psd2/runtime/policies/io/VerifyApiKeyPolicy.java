package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.App;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * VerifyAPIKey [doc: VerifyAPIKey policy, X]. The key is read from the variable named by
 * {@code <APIKey ref>} and looked up in {@code Environment.apiKeys()}.
 *
 * <p>Runtime errors (all 401), as in the policy's documented error table:
 * <ul>
 * <li>{@code oauth.v2.FailedToResolveAPIKey} — the ref variable is unset or empty;</li>
 * <li>{@code oauth.v2.InvalidApiKey} — no app has that key (faultstring "Invalid ApiKey");</li>
 * <li>{@code keymanagement.service.invalid_client-app_not_approved} — the app (or its key) is not approved
 *     (status revoked, pending …);</li>
 * <li>{@code oauth.v2.InvalidApiKeyForGivenResource} — no API product of the app covers this proxy and path.</li>
 * </ul>
 * Fault variables: {@code fault.name} (by the engine) and {@code oauthV2.{policy}.failed} [doc: "oauthV2.
 * policy_name.failed"; semantics §1.6].
 *
 * <p>On success, exactly the names of the policy's flow-variable table (VerifyAPIKey policy reference, "Flow
 * variables", https://cloud.google.com/apigee/docs/api-platform/reference/policies/verify-api-key-policy), prefix
 * {@code verifyapikey.{policy}.}: {@code client_id}, {@code developer.app.id} ("The ID of the developer app making the
 * request"), {@code developer.app.name}, {@code developer.id}, {@code apiproduct.name} (the first covering product);
 * app variables {@code app.id}, {@code app.name}, {@code app.status}, {@code app.apiproducts}; developer variables
 * {@code developer.email}. Each custom attribute of the app is {@code verifyapikey.{policy}.{attribute}}, the form
 * Google's own bundles read (apigee/devrel, references/recaptcha-enterprise/sf-recaptcha-enterprise-v1,
 * AM-GetRecaptchaAttributesFromApp.xml:17 reads the app attribute SITE_KEY as
 * {@code verifyapikey.VAK-VerifyAPIKey.SITE_KEY}); no {@code .app.{attribute}} form is set. The analytics variables
 * Apigee sets alongside: {@code client_id}, {@code developer.app.name}, {@code developer.id}, {@code apiproduct.name}.
 *
 * <p>What the SPI lacks, and the choice made: {@link App} lists product <em>names</em> only (no proxies,
 * resource paths, environments or operations per product), so any product of the app counts as covering
 * the proxy and path; only an app with no product at all gets InvalidApiKeyForGivenResource (Apigee: a key
 * authorised for no product that includes the proxy). Developer status and company apps are not in the SPI
 * either (no DeveloperStatusNotActive / CompanyStatusNotActive). App status: "approved" (any case) or an empty
 * status counts as approved.
 */
final class VerifyApiKeyPolicy extends BasePolicy {
    static final String FAILED_TO_RESOLVE = "oauth.v2.FailedToResolveAPIKey";
    static final String INVALID_API_KEY = "oauth.v2.InvalidApiKey";
    static final String NOT_APPROVED = "keymanagement.service.invalid_client-app_not_approved";
    static final String NOT_FOR_RESOURCE = "oauth.v2.InvalidApiKeyForGivenResource";

    private final String ref;

    VerifyApiKeyPolicy(PolicyXml xml) {
        super(xml, "VerifyAPIKey");
        PolicyXml key = xml.child("APIKey").orElseThrow(() -> xml.error("<APIKey ref=\"…\"/> is required"));
        this.ref = key.attribute("ref").trim();
        if (ref.isEmpty()) {
            throw key.error("<APIKey ref> is empty");
        }
        Xml.noText(key);
    }

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        String prefix = "verifyapikey." + name() + ".";
        String key = ctx.getString(ref);
        if (key == null || key.isEmpty()) {
            throw fail(ctx, FAILED_TO_RESOLVE, "Failed to resolve API Key variable " + ref);
        }
        Optional<App> found = ctx.environment().apiKeys().verify(key);
        if (found.isEmpty()) {
            throw fail(ctx, INVALID_API_KEY, "Invalid ApiKey");
        }
        App app = found.get();
        String status = app.status() == null ? "" : app.status().trim().toLowerCase(Locale.ROOT);
        if (!status.isEmpty() && !status.equals("approved")) {
            throw fail(ctx, NOT_APPROVED, "Invalid API Key - app not approved");
        }
        if (app.apiProducts() == null || app.apiProducts().isEmpty()) {
            throw fail(ctx, NOT_FOR_RESOURCE, "Invalid ApiKey for given resource");
        }
        String product = app.apiProducts().get(0);
        ctx.set(prefix + "client_id", key);
        ctx.set(prefix + "developer.app.id", app.appId());
        ctx.set(prefix + "developer.app.name", app.appName());
        ctx.set(prefix + "developer.id", app.developerId());
        ctx.set(prefix + "developer.email", app.developerEmail());
        ctx.set(prefix + "apiproduct.name", product);
        ctx.set(prefix + "app.id", app.appId());
        ctx.set(prefix + "app.name", app.appName());
        ctx.set(prefix + "app.status", "approved");
        ctx.set(prefix + "app.apiproducts", String.join(",", app.apiProducts()));
        if (app.attributes() != null) {
            for (Map.Entry<String, String> a : app.attributes().entrySet()) {
                ctx.set(prefix + a.getKey(), a.getValue());
            }
        }
        // Analytics variables populated by a successful verification.
        ctx.set("client_id", key);
        ctx.set("developer.app.name", app.appName());
        ctx.set("developer.id", app.developerId());
        ctx.set("apiproduct.name", product);
    }

    private PolicyFault fail(FlowContext ctx, String code, String text) {
        ctx.set("oauthV2." + name() + ".failed", true);
        return new PolicyFault(code, 401, text);
    }
}
