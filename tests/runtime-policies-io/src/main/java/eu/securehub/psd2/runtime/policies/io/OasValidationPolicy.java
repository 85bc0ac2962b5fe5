package eu.securehub.psd2.runtime.policies.io;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.Message;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * OASValidation as Apigee X documents it ("What content is validated?", see design/oas-notes.md):
 * <ul>
 * <li>The path validated is {@code proxy.pathsuffix} (the request path minus the <em>proxy's</em> base path);
 *     the spec's {@code servers} are ignored. Unknown path and undefined verb are both a 400 failure, not a
 *     404/405 (confirmed on live X by a Google community answer).</li>
 * <li>Required parameters (path, header, query, cookie) must be present and match their schemas; with
 *     {@code <AllowUnspecifiedParameters>} false, parameters the spec does not define are refused.</li>
 * <li>The body must exist if required; its schema is checked only with {@code <ValidateMessageBody>true} and
 *     only when Content-Type is {@code application/json} — any other content type passes without a check.</li>
 * <li>A failure raises {@code steps.oasvalidation.Failed}, status 400, and sets
 *     {@code OASValidation.{policy}.failed} and {@code OASValidation.{policy}.fault.cause}.</li>
 * </ul>
 * The checks are made with Atlassian's swagger-request-validator, whose messages Apigee's faultstrings
 * reproduce word for word ("No API path found that matches request …", "… operation not allowed on path …").
 *
 * <p>Choices on UNCONFIRMED points (each also noted where it is made):
 * <ul>
 * <li>Errorcode: {@code steps.oasvalidation.Failed} (what live X responses carry; the page also names
 *     {@code policies.oasvalidation.Failed}). Status 400 (live X answers in the community thread).</li>
 * <li>Security requirements ({@code security}/{@code securitySchemes}) are NOT evaluated: the documented table
 *     lists base path, path, verb, body and parameters only; API keys and tokens are the job of
 *     VerifyAPIKey/VerifyJWT which the hub runs first.</li>
 * <li>{@code application/json; charset=utf-8} counts as JSON: the media type is compared without its
 *     parameters (a charset does not change the syntax). {@code application/problem+json} and other
 *     {@code +json} types do not count: the page names application/json only.</li>
 * <li>Defaults: {@code <ValidateMessageBody>} false, each {@code <AllowUnspecifiedParameters>} child true (the
 *     reference's element table from memory; not in the text available). The hub's policies set all of them.</li>
 * <li>With Header=false, the headers HTTP itself or the spec's apiKey schemes need (Accept, Content-Type,
 *     Authorization — which OpenAPI 3.0 says are never header parameters — and Host, Content-Length, Connection,
 *     User-Agent, Accept-Encoding, Transfer-Encoding, Cookie, and header apiKey names) are not "unspecified".</li>
 * <li>Accept and the request's Content-Type are not compared with the spec's media types (not in the table).</li>
 * </ul>
 */
final class OasValidationPolicy extends BasePolicy {
    static final String ERROR_CODE = "steps.oasvalidation.Failed";
    private static final Pattern OAS_URL = Pattern.compile("oas://([^/\\\\]+\\.(?:json|yaml|yml))");
    /** Headers that are never "unspecified parameters" (transport or OpenAPI-reserved). */
    private static final Set<String> TRANSPORT_HEADERS = Set.of("accept", "content-type", "authorization", "host",
            "content-length", "connection", "user-agent", "accept-encoding", "transfer-encoding", "cookie",
            "expect", "te", "keep-alive");

    private final String resourceName;
    private final String source;
    private final boolean validateBody;
    private final boolean allowHeaders;
    private final boolean allowQuery;
    private final boolean allowCookies;
    private final OpenApiInteractionValidator validator;
    private final OpenAPI api;
    private final Set<String> apiKeyHeaders;

    OasValidationPolicy(PolicyXml xml, BundleInfo bundle) {
        super(xml, "OASValidation");
        PolicyXml resource = xml.child("OASResource").orElseThrow(() -> xml.error("<OASResource> is required"));
        String url = resource.text();
        Matcher m = OAS_URL.matcher(url);
        if (!m.matches()) {
            throw resource.error("<OASResource> must be oas://<file>.json|.yaml|.yml, not '" + url + "'");
        }
        this.resourceName = m.group(1);
        // <Source>: a message variable (request, response or a named message); default "request" [doc sample].
        this.source = xml.childText("Source").filter(s -> !s.isEmpty()).orElse("request");
        boolean body = false;
        boolean headers = true;
        boolean query = true;
        boolean cookies = true;
        Optional<PolicyXml> options = xml.child("Options");
        if (options.isPresent()) {
            PolicyXml o = options.get();
            body = Xml.bool(o, "ValidateMessageBody").orElse(false);
            Optional<PolicyXml> allow = o.child("AllowUnspecifiedParameters");
            if (allow.isPresent()) {
                headers = Xml.bool(allow.get(), "Header").orElse(true);
                query = Xml.bool(allow.get(), "Query").orElse(true);
                cookies = Xml.bool(allow.get(), "Cookie").orElse(true);
            }
        }
        this.validateBody = body;
        this.allowHeaders = headers;
        this.allowQuery = query;
        this.allowCookies = cookies;

        Path file = bundle.resource("oas", resourceName)
                .orElseThrow(() -> resource.error("no resource resources/oas/" + resourceName + " in " + bundle.name()));
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigError(resource.location(), "cannot read " + file + ": " + e.getMessage(), e);
        }
        ParseOptions parse = new ParseOptions();
        parse.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text, null, parse);
        if (parsed.getOpenAPI() == null) {
            throw resource.error("resources/oas/" + resourceName + " is not an OpenAPI document: " + parsed.getMessages());
        }
        String version = parsed.getOpenAPI().getOpenapi();
        // Apigee documents OpenAPI 3.0 only (oas-notes §2): refuse anything else at start-up.
        if (version == null || !version.startsWith("3.0.")) {
            throw resource.error("resources/oas/" + resourceName + " is OpenAPI " + version
                    + "; OASValidation supports OpenAPI 3.0 only");
        }
        this.api = parsed.getOpenAPI();
        this.apiKeyHeaders = apiKeyHeaders(api);
        try {
            this.validator = OpenApiInteractionValidator.createForInlineApiSpecification(text)
                    // Paths are matched against proxy.pathsuffix: the spec's servers are ignored.
                    .withBasePathOverride("/")
                    .withLevelResolver(levels())
                    .build();
        } catch (OpenApiInteractionValidator.ApiLoadException e) {
            throw new ConfigError(resource.location(), "resources/oas/" + resourceName + " cannot be loaded: "
                    + e.getParseMessages(), e);
        }
    }

    private LevelResolver levels() {
        LevelResolver.Builder b = LevelResolver.create()
                // Not evaluated by OASValidation (see the class comment).
                .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                .withLevel("validation.request.accept", ValidationReport.Level.IGNORE)
                .withLevel("validation.request.contentType", ValidationReport.Level.IGNORE)
                .withLevel("validation.response.contentType", ValidationReport.Level.IGNORE)
                .withLevel("validation.request.parameter.query.unexpected",
                        allowQuery ? ValidationReport.Level.IGNORE : ValidationReport.Level.ERROR);
        if (!validateBody) {
            // The body must still exist when required (validation.request.body.missing stays an error).
            b.withLevel("validation.request.body.schema", ValidationReport.Level.IGNORE)
                    .withLevel("validation.request.body.unexpected", ValidationReport.Level.IGNORE)
                    .withLevel("validation.response.body.schema", ValidationReport.Level.IGNORE)
                    .withLevel("validation.response.body.unexpected", ValidationReport.Level.IGNORE);
        }
        return b.build();
    }

    private static Set<String> apiKeyHeaders(OpenAPI api) {
        Set<String> names = new HashSet<>();
        if (api.getComponents() != null && api.getComponents().getSecuritySchemes() != null) {
            for (SecurityScheme s : api.getComponents().getSecuritySchemes().values()) {
                if (s.getType() == SecurityScheme.Type.APIKEY && s.getIn() == SecurityScheme.In.HEADER) {
                    names.add(s.getName().toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        Message message = ctx.message(source);
        if (message == null) {
            throw fail(ctx, "Source " + source + " is not a message");
        }
        String suffix = ctx.getString("proxy.pathsuffix");
        String path = suffix == null || suffix.isEmpty() ? "/" : suffix;
        Message request = message.isRequest() ? message : ctx.request();
        String verb = request.verb().toUpperCase(Locale.ROOT);
        Request.Method method;
        try {
            method = Request.Method.valueOf(verb);
        } catch (IllegalArgumentException e) {
            throw fail(ctx, "[ERROR - " + verb + " operation not allowed on path '" + path + "'.: []]");
        }
        ValidationReport report;
        if (message.isRequest()) {
            report = validator.validateRequest(toRequest(message, method, path));
            report = report.merge(ValidationReport.from(unspecified(message, method, path)));
        } else {
            report = validator.validateResponse(path, method, toResponse(message));
        }
        if (report.hasErrors()) {
            String cause = report.getMessages().stream()
                    .filter(msg -> msg.getLevel() == ValidationReport.Level.ERROR)
                    .map(OasValidationPolicy::format)
                    .collect(Collectors.joining(", "));
            throw fail(ctx, cause);
        }
    }

    private PolicyFault fail(FlowContext ctx, String cause) {
        ctx.set("OASValidation." + name() + ".failed", true);
        ctx.set("OASValidation." + name() + ".fault.cause", cause);
        // Faultstring as live X shows it: OASValidation <name> with resource "oas://<file>": failed with reason: "[…]"
        return new PolicyFault(ERROR_CODE, 400, "OASValidation " + name() + " with resource \"oas://" + resourceName
                + "\": failed with reason: \"" + cause + "\"");
    }

    /** "[ERROR - message: []]" — the validator's rendering, as Apigee's fault strings show it. */
    private static String format(ValidationReport.Message m) {
        return "[" + m.getLevel() + " - " + m.getMessage() + ": " + m.getAdditionalInfo() + "]";
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return base.equals("application/json");
    }

    private Request toRequest(Message message, Request.Method method, String path) {
        SimpleRequest.Builder b = new SimpleRequest.Builder(method, path, false);
        Headers headers = message.headers();
        for (String name : headers.names()) {
            if (name.equalsIgnoreCase("Content-Type")) {
                continue;
            }
            b.withHeader(name, headers.all(name));
        }
        for (Map.Entry<String, List<String>> q : message.queryParams().entrySet()) {
            b.withQueryParam(q.getKey(), q.getValue());
        }
        byte[] body = message.content();
        String contentType = headers.first("Content-Type");
        if (body.length > 0) {
            if (isJson(contentType)) {
                b.withContentType(contentType);
            } else {
                // Not application/json: Apigee passes the body without looking at it. A media type no spec
                // declares keeps the validator from checking it (only "present if required" remains).
                b.withContentType("application/x-apigee-unvalidated");
            }
            b.withBody(body);
        } else if (contentType != null) {
            b.withContentType(contentType);
        }
        return b.build();
    }

    private SimpleResponse toResponse(Message message) {
        SimpleResponse.Builder b = SimpleResponse.Builder.status(message.status());
        Headers headers = message.headers();
        String contentType = headers.first("Content-Type");
        for (String name : headers.names()) {
            if (!name.equalsIgnoreCase("Content-Type")) {
                b.withHeader(name, headers.all(name));
            }
        }
        byte[] body = message.content();
        if (body.length > 0) {
            b.withContentType(isJson(contentType) ? contentType : "application/x-apigee-unvalidated");
            b.withBody(body);
        } else if (contentType != null) {
            b.withContentType(contentType);
        }
        return b.build();
    }

    /** Headers and cookies the spec does not define, when AllowUnspecifiedParameters says so. */
    private List<ValidationReport.Message> unspecified(Message message, Request.Method method, String path) {
        List<ValidationReport.Message> out = new ArrayList<>();
        if (allowHeaders && allowCookies) {
            return out;
        }
        Optional<List<Parameter>> params = parameters(method, path);
        if (params.isEmpty()) {
            return out; // no operation: the validator has already reported the path or the verb
        }
        Set<String> headerParams = new HashSet<>();
        Set<String> cookieParams = new HashSet<>();
        for (Parameter p : params.get()) {
            if ("header".equals(p.getIn())) {
                headerParams.add(p.getName().toLowerCase(Locale.ROOT));
            } else if ("cookie".equals(p.getIn())) {
                cookieParams.add(p.getName());
            }
        }
        if (!allowHeaders) {
            for (String h : message.headers().names()) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (!headerParams.contains(lower) && !TRANSPORT_HEADERS.contains(lower) && !apiKeyHeaders.contains(lower)) {
                    out.add(ValidationReport.Message.create("validation.request.parameter.header.unexpected",
                            "Header parameter '" + h + "' is unexpected on path \"" + path + "\"").build());
                }
            }
        }
        if (!allowCookies) {
            for (String c : message.headers().all("Cookie")) {
                for (String pair : c.split(";")) {
                    String cookie = pair.split("=", 2)[0].trim();
                    if (!cookie.isEmpty() && !cookieParams.contains(cookie)) {
                        out.add(ValidationReport.Message.create("validation.request.parameter.cookie.unexpected",
                                "Cookie parameter '" + cookie + "' is unexpected on path \"" + path + "\"").build());
                    }
                }
            }
        }
        return out;
    }

    /** The path-level and operation-level parameters of the operation the request matches, if any. */
    private Optional<List<Parameter>> parameters(Request.Method method, String path) {
        if (api.getPaths() == null) {
            return Optional.empty();
        }
        String[] actual = segments(path);
        PathItem best = null;
        int bestLiterals = -1;
        for (Map.Entry<String, PathItem> e : api.getPaths().entrySet()) {
            String[] pattern = segments(e.getKey());
            if (pattern.length != actual.length) {
                continue;
            }
            int literals = 0;
            boolean ok = true;
            for (int i = 0; i < pattern.length && ok; i++) {
                if (pattern[i].startsWith("{") && pattern[i].endsWith("}")) {
                    continue;
                }
                ok = pattern[i].equals(actual[i]);
                literals++;
            }
            if (ok && literals > bestLiterals) {
                best = e.getValue();
                bestLiterals = literals;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        Operation op = best.readOperationsMap().get(PathItem.HttpMethod.valueOf(method.name()));
        if (op == null) {
            return Optional.empty();
        }
        List<Parameter> all = new ArrayList<>();
        if (best.getParameters() != null) {
            all.addAll(best.getParameters());
        }
        if (op.getParameters() != null) {
            all.addAll(op.getParameters());
        }
        return Optional.of(all);
    }

    private static String[] segments(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/");
    }
}
