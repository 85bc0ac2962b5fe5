package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Message;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * JSONThreatProtection as Apigee X documents it. Sources: [ref] the policy reference,
 * https://cloud.google.com/apigee/docs/api-platform/reference/policies/json-threat-protection-policy ; [errors] its
 * runtime-error playbook, https://cloud.google.com/apigee/docs/api-platform/troubleshoot/policies/runtime/jsonthreatprotection-errors .
 *
 * <p>Configuration [ref, element reference]: {@code <DisplayName>} and the attributes name, continueOnError,
 * enabled, async (read by the engine, as for every policy); {@code <ArrayElementCount>}, {@code <ContainerDepth>},
 * {@code <ObjectEntryCount>}, {@code <ObjectEntryNameLength>}, {@code <StringValueLength>} — integers; "The limit
 * is not applied if you do not specify this element, or if you specify a negative integer" [ref]; {@code <Source>}
 * — the message to check, default {@code message}: the request in a request flow, the response in a response flow
 * [ref]; {@code <Properties/>} — accepted, and must be empty (no property is documented). Anything else — another
 * element, an attribute on any child, a child or text in {@code <Properties>}, a limit that is not an integer —
 * is a ConfigError naming file and line.
 *
 * <p>What is checked: the {@code <Source>} message's body, only if its Content-Type is application/json — "This
 * policy executes only if the Content-Type of the request or response header is set to application/json" [ref,
 * note under the introduction]. The body is scanned in one streaming pass ({@link JsonThreatScanner}: no tree,
 * stop at the first violation). ContainerDepth is the nesting of objects and arrays (a top-level object is depth 1);
 * ObjectEntryCount the members of any one object; ArrayElementCount the elements of any one array;
 * ObjectEntryNameLength and StringValueLength the length of the decoded string in characters [ref, "the maximum
 * string length allowed"; errors, causes table].
 *
 * <p>Runtime errors, all status 500 [errors]:
 * <ul>
 * <li>{@code steps.jsonthreatprotection.ExecutionFailed}, a limit broken: {@code JSONThreatProtection[<policy>]:
 *     Execution failed. reason: JSONThreatProtection[<policy>]: Exceeded <what> at line <n>}, what being
 *     {@code object entry name length}, {@code object entry count}, {@code array element count},
 *     {@code container depth} or {@code string value length} [errors, one section each]; n is the 1-based line of
 *     the token that broke the limit [errors, "Diagnosis": the line number in the payload];</li>
 * <li>{@code steps.jsonthreatprotection.ExecutionFailed}, invalid JSON ("Invalid JSON object" [errors]):
 *     {@code JSONThreatProtection[<policy>]: Execution failed. reason: Expecting <token> at line <n>}, e.g.
 *     "Expecting : at line 3" [errors] — note: no second "JSONThreatProtection[…]:" prefix;</li>
 * <li>{@code steps.jsonthreatprotection.SourceUnavailable}: {@code JSONThreatProtection[<policy>]::
 *     Source[<var>] is not available} (the double colon and "Source[" as the page prints them), when the
 *     {@code <Source>} variable is not set — e.g. {@code response} in a request flow before any response exists;</li>
 * <li>{@code steps.jsonthreatprotection.NonMessageVariable}: {@code JSONThreatProtection[<policy>]: Variable
 *     <var> does not resolve to a Message}, when the variable is set but holds no message (a string, say).</li>
 * </ul>
 * Fault variables: only {@code fault.name} (the last segment of the code), which the engine sets for every
 * fault. The policy itself sets no variable: a {@code jsonattack.<policy>.failed} variable appears only in
 * community code, not in Google's pages, and is left out. (The engine's generic
 * {@code {ns}.{policy}.failed}, here {@code jsonthreatprotection.<policy>.failed}, is ProxyEngine's rule for
 * every policy type, not this class's.)
 *
 * <p>Choices on UNCONFIRMED points:
 * <ul>
 * <li>An empty body (zero bytes) passes: there is nothing to check. A body of whitespace only is not empty and
 *     is invalid JSON ("Expecting value").</li>
 * <li>"application/json" is compared on the media type alone, case-insensitively, without its parameters
 *     ({@code application/json; charset=utf-8} is checked). A missing Content-Type, {@code text/plain} and
 *     {@code +json} types such as {@code application/problem+json} are not application/json: the policy passes
 *     without looking at the body (the note names application/json only).</li>
 * <li>Invalid JSON fails even when no limit is configured (the body is parsed whatever the limits).</li>
 * <li>The documented example gives only "Expecting :"; the other syntax messages are this runtime's wording:
 *     {@code Expecting value}, {@code Expecting " or }} (after '{'), {@code Expecting "} (a member name after ',',
 *     or an unterminated string / raw control character), {@code Expecting , or }}, {@code Expecting , or ]},
 *     {@code Expecting end of input}, {@code Expecting true|false|null}, {@code Expecting digit},
 *     {@code Expecting hex digit}, {@code Expecting escape sequence}. The line is that of the offending
 *     character (the last line at the end of the body).</li>
 * <li>Grammar: strict RFC 8259 — any value may be at the top level (a top-level string counts against
 *     StringValueLength); no comments, trailing commas, NaN, leading zeros; a UTF-8 byte-order mark is not
 *     whitespace. The body is decoded as UTF-8; malformed bytes count as one character (U+FFFD) each.</li>
 * <li>"Characters" are Unicode code points: a surrogate pair (raw or as two {@code \\u} escapes) is one
 *     character, an escape such as {@code \\u00e9} one character. (A Java String.length() count would count
 *     a pair as two.)</li>
 * <li>When one token breaks several limits, the enclosing container's count is reported first, then the depth,
 *     then the string length; a too-long string is reported as soon as its length passes the limit.</li>
 * <li>A limit of 0 is a limit (only a negative value turns it off [ref]): ContainerDepth 0 refuses any object
 *     or array, ObjectEntryCount 0 any member, StringValueLength 0 any non-empty string value.</li>
 * <li>{@code <Source>} may name any message variable (request, response, message, or e.g. a ServiceCallout's
 *     response): NonMessageVariable exists for the others. An empty {@code <Source/>} is a ConfigError, not
 *     the default.</li>
 * <li>The status is always 500 [errors]. Apigee Edge's org property features.isPolicyHttpStatusEnabled (400 for
 *     threat-protection failures in request flows, a community answer) is not emulated.</li>
 * </ul>
 */
final class JsonThreatProtectionPolicy extends BasePolicy {
    static final String EXECUTION_FAILED = "steps.jsonthreatprotection.ExecutionFailed";
    static final String SOURCE_UNAVAILABLE = "steps.jsonthreatprotection.SourceUnavailable";
    static final String NON_MESSAGE_VARIABLE = "steps.jsonthreatprotection.NonMessageVariable";
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

    private final String source;
    private final JsonThreatScanner.Limits limits;

    JsonThreatProtectionPolicy(PolicyXml xml) {
        super(xml, "JSONThreatProtection");
        this.limits = new JsonThreatScanner.Limits(
                limit(xml, "ArrayElementCount"),
                limit(xml, "ContainerDepth"),
                limit(xml, "ObjectEntryCount"),
                limit(xml, "ObjectEntryNameLength"),
                limit(xml, "StringValueLength"));
        Optional<PolicyXml> src = xml.child("Source");
        if (src.isPresent()) {
            String s = src.get().text();
            if (s.isEmpty()) {
                throw src.get().error("<Source> is empty; name a message variable (request, response, message …)");
            }
            this.source = s;
        } else {
            this.source = "message"; // default [ref, <Source> element]
        }
        // <Properties/>: accepted [ref, sample]; its children and text are left unread, so done() refuses them.
        xml.child("Properties");
    }

    /** An integer limit; absent or negative: not applied (-1) [ref]. */
    private static long limit(PolicyXml xml, String name) {
        Optional<PolicyXml> c = xml.child(name);
        if (c.isEmpty()) {
            return -1;
        }
        String t = c.get().text();
        if (!INTEGER.matcher(t).matches()) {
            throw c.get().error("<" + name + "> must be an integer, not '" + t + "'");
        }
        try {
            long v = Long.parseLong(t);
            return v < 0 ? -1 : v;
        } catch (NumberFormatException e) {
            throw c.get().error("<" + name + "> is out of range: '" + t + "'");
        }
    }

    String source() {
        return source;
    }

    JsonThreatScanner.Limits limits() {
        return limits;
    }

    @Override
    public void execute(FlowContext ctx) throws PolicyFault {
        if (ctx.get(source) == null) {
            throw new PolicyFault(SOURCE_UNAVAILABLE, 500,
                    prefix() + ":: Source[" + source + "] is not available");
        }
        Message message = ctx.message(source);
        if (message == null) {
            throw new PolicyFault(NON_MESSAGE_VARIABLE, 500,
                    prefix() + ": Variable " + source + " does not resolve to a Message");
        }
        if (!isJson(message.headers().first("Content-Type"))) {
            return; // "executes only if the Content-Type … is set to application/json" [ref]
        }
        byte[] body = message.content();
        if (body.length == 0) {
            return; // UNCONFIRMED: nothing to check
        }
        JsonThreatScanner.Violation v = JsonThreatScanner.scan(body, limits);
        if (v == null) {
            return;
        }
        String reason = v.kind() == JsonThreatScanner.Kind.LIMIT
                ? prefix() + ": Exceeded " + v.what() + " at line " + v.line()
                : "Expecting " + v.what() + " at line " + v.line();
        throw new PolicyFault(EXECUTION_FAILED, 500, prefix() + ": Execution failed. reason: " + reason);
    }

    private String prefix() {
        return "JSONThreatProtection[" + name() + "]";
    }

    /** application/json, without parameters, any case (UNCONFIRMED detail, see the class comment). */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        return contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT).equals("application/json");
    }
}
