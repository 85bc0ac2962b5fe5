package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.expr.MessageTemplate;
import eu.securehub.psd2.runtime.expr.UnresolvedVariableException;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Headers;
import eu.securehub.psd2.runtime.spi.HttpRequestData;
import eu.securehub.psd2.runtime.spi.HttpResponseData;
import eu.securehub.psd2.runtime.spi.Message;
import eu.securehub.psd2.runtime.spi.MessageOps;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import eu.securehub.psd2.runtime.spi.SslInfo;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * ServiceCallout [semantics §0, §4.8]. Supported: {@code <Request variable clearPayload>} with
 * {@code <IgnoreUnresolvedVariables>} and the AssignMessage operations (through the runtime's MessageOps),
 * {@code <Response>}, {@code <Timeout>}, {@code <HTTPTargetConnection>} with {@code <URL>} (a message template),
 * {@code <SSLInfo>}, {@code <Properties>} (success.codes only) and
 * {@code <Authentication>} with {@code <GoogleAccessToken><Scopes><Scope>} (+ optional
 * {@code <LifetimeInSeconds>}) and optional {@code <HeaderName>}. Anything else (LoadBalancer,
 * LocalTargetConnection, GoogleIDToken, other properties) is a start-up error: the local runtime does not
 * emulate it and must not ignore it.
 *
 * <p>Runtime errors (all 500, errorcode steps.servicecallout.*; {@code servicecallout.{policy}.failed} set):
 * ExecutionFailed for a status outside success.codes (the response variable is populated first, so FaultRules
 * and continueOnError flows can read it), a connection failure, a TLS failure or a timeout;
 * RequestVariableNotMessageType / RequestVariableNotRequestMessageType for a Request variable holding
 * something else.
 *
 * <p>Choices on UNCONFIRMED points:
 * <ul>
 * <li>Timeouts: the ServiceCallout reference documents {@code <Timeout>} (milliseconds, a child of ServiceCallout;
 *     https://cloud.google.com/apigee/docs/api-platform/reference/policies/service-callout-policy). The endpoint
 *     properties io.timeout.millis and connect.timeout.millis are documented for a TargetEndpoint's
 *     HTTPTargetConnection on Apigee X, for a ServiceCallout only on Apigee Edge: refused here, so that a bundle
 *     uses what the X docs give. {@code <Timeout>} absent: 55000 ms (the I/O default); connect timeout 3000 ms.</li>
 * <li>{@code <Response>} absent: fire-and-forget [community] — the call is made, its outcome (status, I/O
 *     error) raises no fault and nothing is stored.</li>
 * <li>The response variable is populated on an error status [memory]: done, then ExecutionFailed.</li>
 * <li>The request message's path (if not empty or "/") is appended to the URL's path and its query string to
 *     the URL's query, as with a TargetEndpoint URL; a built request (AssignMessage createNew) has neither.</li>
 * <li>{@code servicecallout.{policy}.target.url}, when set, replaces the URL [doc: Flow variables].</li>
 * <li>{@code <SSLInfo>} inside ServiceCallout works as in a TargetEndpoint (apigeelint checks it; reported to
 *     work with mTLS). An https URL without SSLInfo uses the JVM's default trust.</li>
 * </ul>
 */
final class ServiceCalloutPolicy extends BasePolicy {
    static final String EXECUTION_FAILED = "steps.servicecallout.ExecutionFailed";
    static final String NOT_MESSAGE = "steps.servicecallout.RequestVariableNotMessageType";
    static final String NOT_REQUEST = "steps.servicecallout.RequestVariableNotRequestMessageType";
    private static final long DEFAULT_CONNECT_MS = 3000;
    private static final long DEFAULT_IO_MS = 55000;

    private final String requestVariable;
    private final boolean clearPayload;
    private final boolean ignoreUnresolved;
    private final MessageOps ops;
    private final String responseVariable;
    private final MessageTemplate url;
    private final SslInfo ssl;
    private final SuccessCodes successCodes;
    private final Duration connectTimeout;
    private final Duration ioTimeout;
    private final List<String> scopes;
    private final String authHeader;

    ServiceCalloutPolicy(PolicyXml xml) {
        super(xml, "ServiceCallout");
        Optional<PolicyXml> request = xml.child("Request");
        if (request.isPresent()) {
            PolicyXml r = request.get();
            this.requestVariable = r.optionalAttribute("variable").filter(s -> !s.isBlank()).orElse(null);
            this.clearPayload = r.optionalAttribute("clearPayload").map(v -> bool(r, "clearPayload", v)).orElse(false);
            this.ignoreUnresolved = Xml.bool(r, "IgnoreUnresolvedVariables").orElse(false);
            boolean hasOps = !r.children("Set").isEmpty() || !r.children("Add").isEmpty() || !r.children("Remove").isEmpty()
                    || !r.children("Copy").isEmpty() || !r.children("AssignVariable").isEmpty();
            this.ops = hasOps ? MessageOps.parse(r) : null;
            r.done();
        } else {
            this.requestVariable = null;
            this.clearPayload = false;
            this.ignoreUnresolved = false;
            this.ops = null;
        }
        this.responseVariable = xml.childText("Response").filter(s -> !s.isEmpty()).orElse(null);
        Optional<Long> timeout = xml.child("Timeout").map(t -> {
            long ms = Xml.nonNegative(t, t.text());
            if (ms == 0) {
                throw t.error("InvalidTimeoutValue: <Timeout> must be a positive number of milliseconds");
            }
            return ms;
        });

        PolicyXml conn = xml.child("HTTPTargetConnection")
                .orElseThrow(() -> xml.error("ConnectionInfoMissing: <HTTPTargetConnection> is required "
                        + "(LocalTargetConnection is not supported by the local runtime)"));
        PolicyXml urlElement = conn.child("URL").orElseThrow(() -> conn.error("URLMissing: <URL> is required "
                + "(LoadBalancer is not supported in a ServiceCallout by the local runtime)"));
        if (urlElement.text().isEmpty()) {
            throw urlElement.error("URLMissing: <URL> is empty");
        }
        this.url = urlElement.template(urlElement.text());
        this.ssl = conn.child("SSLInfo").map(SslInfo::parse).orElse(null);

        SuccessCodes codes = SuccessCodes.DEFAULT;
        Optional<PolicyXml> props = conn.child("Properties");
        if (props.isPresent()) {
            List<String> seen = new ArrayList<>();
            for (PolicyXml p : props.get().children("Property")) {
                String name = p.attribute("name");
                if (seen.contains(name)) {
                    throw p.error("property " + name + " is set twice");
                }
                seen.add(name);
                switch (name) {
                    case "success.codes" -> codes = SuccessCodes.parse(p, p.text());
                    case "connect.timeout.millis", "io.timeout.millis" -> throw p.error("property '" + name
                            + "' is not documented for an Apigee X ServiceCallout: use <Timeout> (milliseconds)");
                    default -> throw p.error("property '" + name + "' is not supported by the local runtime's "
                            + "ServiceCallout (supported: success.codes; timeouts go in <Timeout>)");
                }
            }
        }
        this.successCodes = codes;
        this.connectTimeout = Duration.ofMillis(DEFAULT_CONNECT_MS);
        this.ioTimeout = Duration.ofMillis(timeout.orElse(DEFAULT_IO_MS));

        List<String> sc = null;
        String header = "Authorization";
        Optional<PolicyXml> auth = conn.child("Authentication");
        if (auth.isPresent()) {
            PolicyXml a = auth.get();
            header = a.childText("HeaderName").filter(s -> !s.isEmpty()).orElse("Authorization");
            PolicyXml gat = a.child("GoogleAccessToken").orElseThrow(() -> a.error(
                    "<Authentication> needs <GoogleAccessToken> (GoogleIDToken is not supported by the local runtime)"));
            PolicyXml scopes = gat.child("Scopes").orElseThrow(() -> gat.error("<GoogleAccessToken> needs <Scopes>"));
            sc = new ArrayList<>();
            for (PolicyXml s : scopes.children("Scope")) {
                if (s.text().isEmpty()) {
                    throw s.error("empty <Scope>");
                }
                sc.add(s.text());
            }
            if (sc.isEmpty()) {
                throw scopes.error("<Scopes> needs at least one <Scope>");
            }
            // LifetimeInSeconds: accepted and range-checked; the local token source decides the lifetime.
            gat.child("LifetimeInSeconds").ifPresent(l -> Xml.nonNegative(l, l.text()));
        }
        this.scopes = sc == null ? null : List.copyOf(sc);
        this.authHeader = header;
    }

    private static boolean bool(PolicyXml at, String attr, String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (!t.equals("true") && !t.equals("false")) {
            throw at.error(attr + " must be true or false, not '" + v + "'");
        }
        return t.equals("true");
    }

    @Override
    public boolean usesGoogleAuthentication() {
        return scopes != null;
    }

    Duration ioTimeout() {
        return ioTimeout;
    }

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        String failed = "servicecallout." + name() + ".failed";
        try {
            call(ctx);
            ctx.set(failed, false);
        } catch (PolicyFault f) {
            ctx.set(failed, true);
            throw f;
        }
    }

    private void call(FlowContext ctx) {
        Message request = requestMessage(ctx);
        if (ops != null) {
            try {
                ops.apply(ctx, request, ignoreUnresolved);
            } catch (UnresolvedVariableException e) {
                throw failed("Unresolved variable : " + e.variable(), e);
            }
        }
        String target = ctx.getString("servicecallout." + name() + ".target.url");
        if (target == null || target.isEmpty()) {
            try {
                target = ignoreUnresolved ? url.render(ctx) : url.renderStrict(ctx);
            } catch (UnresolvedVariableException e) {
                throw failed("Unresolved variable : " + e.variable(), e);
            }
        }
        URI uri;
        try {
            uri = resolve(target, request);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw failed("Invalid URL " + target, e);
        }
        ctx.set("servicecallout.requesturi", uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        Headers headers = request.headers().copy();
        if (scopes != null) {
            String token = ctx.environment().googleTokens().token(scopes);
            // Apigee injects the token; with another HeaderName an existing Authorization header stays untouched.
            headers.set(authHeader, "Bearer " + token);
        }
        String verb = request.verb() == null || request.verb().isEmpty() ? "GET" : request.verb().toUpperCase(Locale.ROOT);
        HttpRequestData data = new HttpRequestData(verb, uri, headers, request.content());
        SslInfo effectiveSsl = "https".equalsIgnoreCase(uri.getScheme()) ? sslFor() : null;
        HttpResponseData response;
        long started = eu.securehub.psd2.runtime.trace.Tracing.now();
        String callError = null;
        try {
            response = ctx.environment().http().send(data, effectiveSsl, connectTimeout, ioTimeout);
        } catch (HttpConnectTimeoutException e) {
            callError = e.getClass().getSimpleName();
            if (responseVariable == null) {
                return;
            }
            throw failed("connect timeout occurred in " + name() + " (" + connectTimeout.toMillis() + " ms)", e);
        } catch (HttpTimeoutException e) {
            callError = e.getClass().getSimpleName();
            if (responseVariable == null) {
                return;
            }
            throw failed("timeout occurred in " + name() + " (" + ioTimeout.toMillis() + " ms)", e);
        } catch (IOException e) {
            callError = e.getClass().getSimpleName();
            if (responseVariable == null) {
                return;
            }
            throw failed(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        } catch (RuntimeException e) {
            callError = e.getClass().getSimpleName();
            // e.g. a keystore/truststore the environment does not have, or an SSL context that cannot be built
            if (responseVariable == null) {
                return;
            }
            throw failed(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        } finally {
            if (clearPayload) {
                request.content(new byte[0]);
            }
            if (callError != null) {
                // The request's Debug trace (a no-op outside one): the call that got no answer.
                eu.securehub.psd2.runtime.trace.Tracing.httpCall("ServiceCallout", uri, verb, 0, started, callError);
            }
        }
        eu.securehub.psd2.runtime.trace.Tracing.httpCall("ServiceCallout", uri, verb, response.status(), started, null);
        if (responseVariable == null) {
            return; // fire-and-forget
        }
        Message out = ctx.newMessage(responseVariable, false);
        out.status(response.status());
        Headers rh = response.headers();
        if (rh != null) {
            for (String n : rh.names()) {
                for (String v : rh.all(n)) {
                    out.headers().add(n, v);
                }
            }
        }
        out.content(response.body() == null ? new byte[0] : response.body());
        if (!successCodes.isSuccess(response.status())) {
            throw failed("ResponseCode " + response.status() + " is treated as error", null);
        }
    }

    /** https without SSLInfo: TLS with the JVM's trust (SSLInfo Enabled is implied by the scheme, §5.2). */
    private SslInfo sslFor() {
        if (ssl == null) {
            return new SslInfo(true, false, false, null, null, null, List.of());
        }
        return ssl;
    }

    private Message requestMessage(FlowContext ctx) {
        if (requestVariable == null) {
            return ctx.newMessage("servicecallout." + name() + ".request", true);
        }
        Object existing = ctx.get(requestVariable);
        Message m = ctx.message(requestVariable);
        if (m == null) {
            if (existing != null) {
                throw new PolicyFault(NOT_MESSAGE, 500, "Message variable " + requestVariable
                        + " is not of type Message");
            }
            return ctx.newMessage(requestVariable, true);
        }
        if (!m.isRequest()) {
            throw new PolicyFault(NOT_REQUEST, 500, "Message variable " + requestVariable
                    + " is not of type Request");
        }
        return m;
    }

    private static URI resolve(String target, Message request) throws URISyntaxException {
        URI base = new URI(target.trim());
        if (base.getScheme() == null || base.getHost() == null
                || !(base.getScheme().equalsIgnoreCase("http") || base.getScheme().equalsIgnoreCase("https"))) {
            throw new URISyntaxException(target, "not an absolute http(s) URL");
        }
        String path = request.path();
        String query = request.queryString();
        boolean addPath = path != null && !path.isEmpty() && !path.equals("/");
        boolean addQuery = query != null && !query.isEmpty();
        if (!addPath && !addQuery) {
            return base;
        }
        StringBuilder s = new StringBuilder();
        s.append(base.getScheme()).append("://").append(base.getRawAuthority());
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        if (addPath) {
            if (basePath.endsWith("/") && path.startsWith("/")) {
                basePath = basePath.substring(0, basePath.length() - 1);
            } else if (!basePath.endsWith("/") && !path.startsWith("/")) {
                basePath = basePath + "/";
            }
            s.append(basePath).append(path);
        } else {
            s.append(basePath);
        }
        String q = base.getRawQuery();
        if (addQuery) {
            q = q == null || q.isEmpty() ? query : q + "&" + query;
        }
        if (q != null && !q.isEmpty()) {
            s.append('?').append(q);
        }
        return new URI(s.toString());
    }

    private PolicyFault failed(String reason, Throwable cause) {
        String text = "Execution of ServiceCallout " + name() + " failed. Reason: " + reason;
        return cause == null ? new PolicyFault(EXECUTION_FAILED, 500, text) : new PolicyFault(EXECUTION_FAILED, 500, text, cause);
    }
}
