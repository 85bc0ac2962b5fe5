package eu.securehub.psd2.callouts;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI validation cause of {@code Java-Problem}, turned into what a CRM developer can act on: for each
 * message the field (query parameter, header, path parameter, body member by JSON pointer, the request body) and
 * the rule it breaks, in plain words. The value sent is never returned: it is only compared with the request's
 * parameters to find the one a message does not name.
 *
 * <p>The cause is the validator's report as Apigee X and the local runtime give it: {@code [ERROR - <message>:
 * [<additional info>]]} items joined by ", ", optionally inside the fault string's {@code failed with reason:
 * "…"}. The messages are those of Atlassian's swagger-request-validator and the JSON schema validator it uses
 * (body messages start with {@code [Path '<JSON pointer>']}). A message of any other shape is kept, with every
 * quoted value and {@code found: value} replaced by "…" ({@link #scrub}).
 */
final class ValidationCause {
    /** Most characters of the cause part of the detail. */
    static final int MAX_CHARS = 300;
    /** Most entries of {@code invalidParams}. */
    static final int MAX_ISSUES = 20;
    private static final int MAX_INPUT = 32 * 1024;
    /** A longer message is not parsed (its shape patterns backtrack), only scrubbed. */
    private static final int MAX_MESSAGE = 8 * 1024;
    private static final int MAX_MESSAGES = 50;
    private static final int MAX_PARAMS = 100;
    private static final int MAX_LISTED = 12;

    private static final Pattern LEVEL = Pattern.compile("\\[(?:ERROR|WARN|INFO) - ");
    private static final Pattern FOUND_VALUE = Pattern.compile("(found: )[^,)\\]]+");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.\\-\\[\\]]{1,64}");
    private static final Pattern SAFE_POINTER = Pattern.compile("(/[A-Za-z0-9_.~\\-]{1,64}){1,16}");
    private static final Pattern SAFE_VALUE = Pattern.compile("[A-Za-z0-9_.:/+\\- ]{1,64}");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]{1,30}(\\.[0-9]{1,30})?([eE][+-]?[0-9]{1,4})?");
    private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");

    private static Pattern p(String regex) {
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    // swagger-request-validator's own messages (swagger/validation/messages.properties)
    private static final Pattern PARAM_MISSING = p("^(Query|Header|Cookie) parameter '(.*?)' is required on path .*");
    private static final Pattern PARAM_UNEXPECTED = p("^(Query|Header|Cookie) parameter '(.*?)' is unexpected on path .*");
    private static final Pattern PARAM_EMPTY = p("^Parameter '(.*)' is required but is missing\\.?$");
    private static final Pattern PARAM_ENUM = p("^Value '.*' for parameter '([^']*)' is not allowed\\. Allowed values are <([^>]*)>\\.?$");
    private static final Pattern PARAM_MULTIPLE = p("^Multiple values found for parameter '(.*)' but it is not an array\\.?$");
    private static final Pattern PARAM_STYLE = p("^Parameter '(.*?)' expected an array style .*");
    private static final Pattern PARAM_ITEMS = p("^Parameter '(.*?)' accepts a (maximum|minimum) of ([0-9]+) items\\..*");
    private static final Pattern PARAM_DUPLICATES = p("^Parameter '(.*?)' does not allow duplicate values\\.?$");
    private static final Pattern NO_PATH = p("^No API path found that matches request .*");
    private static final Pattern NO_OPERATION = p("^(\\S+) operation not allowed on path .*");
    private static final Pattern BODY_UNEXPECTED = p("^No request body is expected but one was found\\.?$");
    private static final Pattern BODY_MISSING = p("^A request body is required but none found\\.?$");
    private static final Pattern MEDIA_INVALID = p("^Request (Content-Type|Accept) header '.*' is not a valid media type$");
    private static final Pattern MEDIA_NOT_ALLOWED = p("^Request (Content-Type|Accept) header '.*' does not match any "
            + "(?:allowed|defined response) types\\. Must be one of: (.*?)\\.?$");
    private static final Pattern BODY_POINTER = p("^\\[Path '([^']*)'\\] (.*)$");
    // the JSON schema validator's messages (com/github/fge/jsonschema/validator/validation.properties)
    private static final Pattern TOO_SHORT = p("^String \"(.*)\" is too short \\(length: [0-9]+, required minimum: ([0-9]+)\\)$");
    private static final Pattern TOO_LONG = p("^String \"(.*)\" is too long \\(length: [0-9]+, maximum allowed: ([0-9]+)\\)$");
    private static final Pattern REGEX = p("^ECMA 262 regex \".*?\" does not match input string \"(.*)\"$");
    private static final Pattern ENUM = p("^Instance value \\((.*)\\) not found in enum \\(possible values: (\\[.*?\\])\\)$");
    private static final Pattern RANGE = p("^Numeric instance is (?:greater|lower) than the required (maximum|minimum) "
            + "\\((?:maximum|minimum): ([^,]+), found: (.+)\\)$");
    private static final Pattern EXCLUSIVE = p("^Numeric instance is not strictly (greater|lower) than the required "
            + "(?:minimum|maximum) (\\S+)$");
    private static final Pattern DIVISOR = p("^Remainder of division is not zero \\((.+) / ([^ )]+)\\)$");
    private static final Pattern OVERFLOW = p("^Value for (int32|int64|float|double) leads to overflow \\((?:found|original): ([^,)]+).*$");
    private static final Pattern TYPE = p("^Instance type \\((\\w+)\\) does not match any allowed primitive type \\(allowed: (\\[.*\\])\\)$");
    private static final Pattern NOT_ALLOWED = p("^Object instance has properties which are not allowed by the schema: (\\[.*\\])$");
    private static final Pattern REQUIRED = p("^Object has missing required properties \\((\\[.*\\])\\)$");
    private static final Pattern MEMBERS = p("^Object has too (few|many) properties \\(found [0-9]+ but schema requires at (?:least|most) ([0-9]+)\\)$");
    private static final Pattern DEPENDENCIES = p("^Property \"(.*?)\" of object has missing property dependencies "
            + "\\(schema requires .*; missing: (\\[.*\\])\\)$");
    private static final Pattern ITEMS = p("^Array is too (short|long): must have at (?:least|most) ([0-9]+) elements.*$");
    private static final Pattern ADDITIONAL_ITEMS = p("^Schema only allows ([0-9]+) elements in array.*$");
    private static final Pattern UNIQUE = p("^Array must not contain duplicate elements$");
    private static final Pattern ANY_OF = p("^Instance failed to match at least one required schema among [0-9]+$");
    private static final Pattern ALL_OF = p("^Instance failed to match all required schemas \\(matched only [0-9]+ out of [0-9]+\\)$");
    private static final Pattern ONE_OF = p("^Instance failed to match exactly one schema \\(matched ([0-9]+) out of [0-9]+\\)$");
    private static final Pattern NOT = p("^Instance matched a schema which it should not have$");
    private static final Pattern DATE = p("^String \"(.*)\" is invalid against requested date format\\(s\\) (.*)$");
    private static final Pattern FORMAT = p("^(?:String|Input string) \"(.*)\" is not (?:a valid|recognized as a) "
            + "(email address|hostname|IPv4 address|IPv6 address|URI|URI template|UUID|JSON Pointer|MAC address|"
            + "ECMA 262 regular expression|phone number)$");
    private static final Pattern BASE64 = p("^(?:not a valid base64 string|Illegal character .* \\(not in Base64 alphabet\\)|"
            + "Input has illegal length \\(must be a multiple of 4).*$");
    private static final Pattern HEX = p("^(?:Input string has incorrect length|Illegal character \".*\" in input at index).*$");
    private static final Pattern JSON = p("^Unable to parse JSON - (.*)$");
    private static final Pattern JSON_AT = p("line: ([0-9]{1,9}), column: ([0-9]{1,9})");
    private static final Pattern JSON_TOKEN = p("Unrecognized token '(.*?)': was expecting.*");
    private static final Pattern JSON_CHARACTER = p("Unexpected character \\('.*?' \\(code ([0-9]{1,7})\\)\\).*");
    private static final Pattern JSON_LEADING_ZERO = p(".*Leading zeroes not allowed.*");
    private static final Pattern SUB_ITEM = p("^(/[^:]*?): (.*)$");
    private static final Pattern SUB_SAME_INSTANCE = p(".*/(?:allOf|anyOf|oneOf)/[0-9]+$");

    private static final Map<String, String> TYPES = Map.of("integer", "an integer", "number", "a number",
            "boolean", "a boolean (true or false)", "string", "a string", "object", "a JSON object", "array", "an array",
            "null", "null");
    private static final Map<String, String> FORMATS = new HashMap<>();

    static {
        FORMATS.put("email address", "must be an email address");
        FORMATS.put("hostname", "must be a host name");
        FORMATS.put("ipv4 address", "must be an IPv4 address");
        FORMATS.put("ipv6 address", "must be an IPv6 address");
        FORMATS.put("uri", "must be a URI");
        FORMATS.put("uri template", "must be a URI template");
        FORMATS.put("uuid", "must be a UUID");
        FORMATS.put("json pointer", "must be a JSON pointer");
        FORMATS.put("mac address", "must be a MAC address");
        FORMATS.put("ecma 262 regular expression", "must be a regular expression");
        FORMATS.put("phone number", "must be a phone number");
    }

    // Rule kinds, in the order a field's rules are told.
    private static final int TYPE_RULE = 0;
    private static final int FORMAT_RULE = 1;
    private static final int ENUM_RULE = 2;
    private static final int RANGE_RULE = 3;
    private static final int LENGTH_RULE = 4;
    private static final int PATTERN_RULE = 5;
    private static final int OTHER_RULE = 6;

    /** A rule a field breaks: its kind and its words. {@code complete}: a format that says all (date, UUID). */
    private static final class Rule {
        final int kind;
        final String text;
        final boolean complete;

        Rule(int kind, String text, boolean complete) {
            this.kind = kind;
            this.text = text;
            this.complete = complete;
        }

        Rule(int kind, String text) {
            this(kind, text, false);
        }
    }

    /** One parameter of the request as sent: where, its name, and its values as the validator may have read them. */
    static final class Param {
        final String in;
        final String name;
        final List<String> values = new ArrayList<>();

        Param(String in, String name) {
            this.in = in;
            this.name = name;
        }

        boolean any(Predicate<String> test) {
            for (String v : values) {
                if (test.test(v)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** What the hub knows of the request, to find the parameter a message does not name. */
    static final class Request {
        final List<Param> query = new ArrayList<>();
        /** Path parameters, then headers. */
        final List<Param> others = new ArrayList<>();
        /** Whether the method may carry a body (POST, PUT, PATCH, or not known). */
        final boolean body;

        private Request(boolean body) {
            this.body = body;
        }

        /**
         * @param queryString the raw query string ({@code request.querystring})
         * @param verb the request's method
         * @param path the request path, to read path parameters from
         * @param pathParameters {@code <segment>=<name>} pairs, comma-separated: the segment after {@code <segment>}
         *        is the path parameter {@code <name>} (e.g. {@code banks=bankId})
         * @param headers header name -> the value sent (empty when not sent)
         */
        static Request of(String queryString, String verb, String path, String pathParameters, Map<String, String> headers) {
            String v = verb.toUpperCase(Locale.ROOT);
            Request r = new Request(!(v.equals("GET") || v.equals("HEAD") || v.equals("DELETE") || v.equals("OPTIONS")
                    || v.equals("TRACE")));
            Map<String, Param> byName = new LinkedHashMap<>();
            String qs = queryString.startsWith("?") ? queryString.substring(1) : queryString;
            if (!qs.isEmpty() && qs.length() <= MAX_INPUT) {
                for (String pair : qs.split("&", MAX_PARAMS + 1)) {
                    if (pair.isEmpty() || byName.size() >= MAX_PARAMS) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    String rawName = eq < 0 ? pair : pair.substring(0, eq);
                    String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
                    String name = decode(rawName, true);
                    Param param = byName.computeIfAbsent(name, n -> new Param("query", n));
                    addVariants(param.values, rawValue, true);
                }
            }
            r.query.addAll(byName.values());
            Map<String, String> segmentNames = new HashMap<>();
            for (String pair : pathParameters.split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    segmentNames.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
            int q = path.indexOf('?');
            String[] segments = (q < 0 ? path : path.substring(0, q)).split("/", 64);
            for (int i = 0; i + 1 < segments.length; i++) {
                String name = segmentNames.get(segments[i]);
                if (name != null && !name.isEmpty()) {
                    Param param = new Param("path", name);
                    addVariants(param.values, segments[i + 1], false);
                    r.others.add(param);
                }
            }
            for (Map.Entry<String, String> h : headers.entrySet()) {
                if (!h.getValue().isEmpty() && h.getValue().length() <= 8192) {
                    Param param = new Param("header", h.getKey());
                    param.values.add(h.getValue());
                    r.others.add(param);
                }
            }
            return r;
        }

        Param find(String name) {
            for (Param p : query) {
                if (p.name.equals(name)) {
                    return p;
                }
            }
            for (Param p : others) {
                if (p.name.equalsIgnoreCase(name)) {
                    return p;
                }
            }
            return null;
        }
    }

    private static void addVariants(List<String> values, String raw, boolean form) {
        String decoded = decode(raw, false);
        if (!values.contains(decoded)) {
            values.add(decoded);
        }
        if (form) {
            String plus = decode(raw, true);
            if (!values.contains(plus)) {
                values.add(plus);
            }
        }
        if (!values.contains(raw)) {
            values.add(raw);
        }
    }

    /** Percent-decoding ({@link Urls#decode}); {@code form}: a '+' is a space. Malformed input stays as it is. */
    private static String decode(String s, boolean form) {
        return Urls.decode(s, form);
    }

    /** The field a rule is about. */
    private static final class Subject {
        /** query, header, path, cookie, body, request; null when not known or several. */
        final String in;
        /** The parameter name or JSON pointer ("" for the body itself); null when not one field. */
        final String name;
        /** When the field is one of several parameters. */
        final List<Param> candidates;
        final String label;

        Subject(String in, String name, List<Param> candidates, String label) {
            this.in = in;
            this.name = name;
            this.candidates = candidates;
            this.label = label;
        }
    }

    private static final Map<String, String> LOCATION_LABEL = Map.of("query", "query parameter", "header", "header",
            "path", "path parameter", "cookie", "cookie");
    private static final Map<String, String> LOCATION_PLURAL = Map.of("query", "query parameters", "header", "headers",
            "path", "path parameters", "cookie", "cookies");

    private static Subject param(String in, String name) {
        String label = LOCATION_LABEL.getOrDefault(in, "parameter");
        if (!SAFE_NAME.matcher(name).matches()) {
            return new Subject(in, null, null, "a " + label);
        }
        return new Subject(in, name, null, label + " " + name);
    }

    private static Subject param(Param p) {
        return param(p.in, p.name);
    }

    private static Subject unnamedParam(String name) {
        if (!SAFE_NAME.matcher(name).matches()) {
            return new Subject(null, null, null, "a parameter");
        }
        return new Subject(null, name, null, "parameter " + name);
    }

    private static final Subject UNKNOWN_PARAM = new Subject(null, null, null, "a parameter");
    private static final Subject BODY = new Subject("body", "", null, "the request body");

    private static Subject body(String pointer) {
        if (pointer.isEmpty() || pointer.equals("/")) {
            return BODY;
        }
        if (pointer.length() > 128 || !SAFE_POINTER.matcher(pointer).matches()) {
            return new Subject("body", null, null, "a body member");
        }
        return new Subject("body", pointer, null, "body member " + pointer);
    }

    private static Subject candidates(List<Param> found) {
        if (found.size() == 1) {
            return param(found.get(0));
        }
        Set<String> ins = new LinkedHashSet<>();
        for (Param p : found) {
            ins.add(p.in);
        }
        List<String> names = new ArrayList<>();
        for (Param p : found) {
            boolean safe = SAFE_NAME.matcher(p.name).matches();
            if (ins.size() == 1) {
                names.add(safe ? p.name : "…");
            } else {
                names.add(LOCATION_LABEL.get(p.in) + (safe ? " " + p.name : ""));
            }
        }
        String in = ins.size() == 1 ? ins.iterator().next() : null;
        String label = in != null ? "one of the " + LOCATION_PLURAL.get(in) + " " + String.join(", ", names)
                : "one of " + String.join(", ", names);
        return new Subject(in, null, found, label);
    }

    /** What a schema message says: its rule and, as it may not name its field, how to find the field. */
    private static final class Said {
        final Rule rule;
        /** Tells the values of the parameter the message is about; null: no value to go by. */
        Predicate<String> matches;
        /** Only query parameters can be meant (typed values: headers and path parameters are strings). */
        boolean queryOnly;
        /** Only the body can be meant (object rules). */
        boolean bodyOnly;
        /** When no parameter matches and the method may carry one, the body is meant. */
        boolean bodyFallback;
        /** The rule when the field turns out to be a parameter (JSON errors: parameters are parsed by type). */
        Rule paramRule;
        /** Further rules of the same field (the alternatives of an allOf). */
        final List<Rule> more = new ArrayList<>();

        Said(Rule rule) {
            this.rule = rule;
        }
    }

    /** The result: the issues (a field and its rules) and the messages not understood, scrubbed. */
    static final class Result {
        final List<Map<String, Object>> invalidParams = new ArrayList<>();
        final List<String> sentences = new ArrayList<>();

        boolean isEmpty() {
            return sentences.isEmpty();
        }

        /** The sentences joined, at most {@code max} characters, whole sentences only ("; and N more"). */
        String text(int max) {
            StringBuilder out = new StringBuilder();
            int shown = 0;
            for (String s : sentences) {
                int rest = sentences.size() - shown - 1;
                int reserve = rest > 0 ? 20 : 0;
                if (out.length() + (shown > 0 ? 2 : 0) + s.length() + reserve > max) {
                    break;
                }
                if (shown > 0) {
                    out.append("; ");
                }
                out.append(s);
                shown++;
            }
            if (shown == 0 && !sentences.isEmpty()) {
                out.append(cut(sentences.get(0), max));
                shown = 1;
            }
            if (shown < sentences.size()) {
                out.append("; and ").append(sentences.size() - shown).append(" more");
            }
            return out.toString();
        }
    }

    /** One field, its rules in the order met. */
    private static final class Group {
        final Subject subject;
        final List<Rule> rules = new ArrayList<>();

        Group(Subject subject) {
            this.subject = subject;
        }
    }

    static Result describe(String cause, Request request) {
        Map<String, Group> groups = new LinkedHashMap<>();
        Set<String> unknown = new LinkedHashSet<>();
        for (String message : messages(cause)) {
            interpret(message, request, groups, unknown);
        }
        Result result = new Result();
        for (Group g : groups.values()) {
            String reason = reason(g.rules);
            result.sentences.add(g.subject.label + " " + reason);
            if (result.invalidParams.size() < MAX_ISSUES) {
                Map<String, Object> entry = new LinkedHashMap<>();
                if (g.subject.in != null) {
                    entry.put("in", g.subject.in);
                }
                if (g.subject.name != null) {
                    entry.put("name", g.subject.name);
                }
                if (g.subject.candidates != null) {
                    List<Object> list = new ArrayList<>();
                    for (Param p : g.subject.candidates) {
                        if (SAFE_NAME.matcher(p.name).matches()) {
                            Map<String, Object> c = new LinkedHashMap<>();
                            c.put("in", p.in);
                            c.put("name", p.name);
                            list.add(c);
                        }
                    }
                    entry.put("candidates", list);
                }
                entry.put("reason", reason);
                result.invalidParams.add(entry);
            }
        }
        result.sentences.addAll(unknown);
        return result;
    }

    // ------------------------------------------------------------------ splitting the cause

    /** The fault string's reason, when the cause is the whole fault string. */
    static String unwrap(String cause) {
        String marker = "failed with reason: \"";
        int m = cause.indexOf(marker);
        if (m < 0) {
            return cause;
        }
        int start = m + marker.length();
        int end = cause.lastIndexOf('"');
        return end > start ? cause.substring(start, end) : cause.substring(start);
    }

    /** The messages of the cause: each {@code [LEVEL - message: [info]]} item, with its info after a tab. */
    static List<String> messages(String cause) {
        String s = unwrap(cause.length() > MAX_INPUT ? cause.substring(0, MAX_INPUT) : cause).trim();
        List<String> out = new ArrayList<>();
        if (s.isEmpty()) {
            return out;
        }
        List<int[]> starts = new ArrayList<>();
        Matcher m = LEVEL.matcher(s);
        while (m.find() && starts.size() < MAX_MESSAGES) {
            int i = m.start();
            if (i == 0 || (i >= 3 && s.startsWith("], ", i - 3))) {
                starts.add(new int[] {i, m.end()});
            }
        }
        if (starts.isEmpty() || starts.get(0)[0] != 0) {
            out.add(s);
            return out;
        }
        for (int k = 0; k < starts.size(); k++) {
            int end = k + 1 < starts.size() ? starts.get(k + 1)[0] - 2 : s.length();
            String item = s.substring(starts.get(k)[1], Math.max(starts.get(k)[1], end));
            if (item.endsWith("]")) {
                item = item.substring(0, item.length() - 1);
            }
            if (item.endsWith(": []")) {
                out.add(item.substring(0, item.length() - 4));
            } else {
                int info = item.indexOf(": [/");
                out.add(info < 0 ? item : item.substring(0, info) + "\t" + item.substring(info + 2));
            }
        }
        return out;
    }

    /** The info items {@code /schema/pointer: message} of a combined-schema message. */
    private static List<String[]> subItems(String info) {
        List<String[]> out = new ArrayList<>();
        String s = info.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        for (String item : s.split(", (?=/)", MAX_MESSAGES)) {
            Matcher m = SUB_ITEM.matcher(item);
            if (m.matches()) {
                out.add(new String[] {m.group(1), m.group(2)});
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ reading one message

    private static void add(Map<String, Group> groups, Subject subject, Rule rule) {
        groups.computeIfAbsent(subject.label, k -> new Group(subject)).rules.add(rule);
    }

    private static void add(Map<String, Group> groups, Subject subject, Said said, boolean asParam) {
        add(groups, subject, asParam && said.paramRule != null ? said.paramRule : said.rule);
        for (Rule r : said.more) {
            add(groups, subject, r);
        }
    }

    private static void interpret(String message, Request req, Map<String, Group> groups, Set<String> unknown) {
        int tab = message.indexOf('\t');
        String msg = (tab < 0 ? message : message.substring(0, tab)).trim();
        String info = tab < 0 ? "" : message.substring(tab + 1);
        if (message.length() > MAX_MESSAGE) {
            String scrubbed = scrub(msg);
            if (!scrubbed.isEmpty()) {
                unknown.add(scrubbed);
            }
            return;
        }
        if (named(msg, req, groups)) {
            return;
        }
        String pointer = null;
        Matcher pm = BODY_POINTER.matcher(msg);
        if (pm.matches()) {
            pointer = pm.group(1);
            msg = pm.group(2);
        }
        Said said = schema(msg, info);
        if (said == null) {
            if (pointer != null) {
                add(groups, body(pointer), new Rule(OTHER_RULE, "is not valid: " + cut(scrub(msg), 120)));
            } else {
                String scrubbed = scrub(msg);
                if (!scrubbed.isEmpty()) {
                    unknown.add(scrubbed);
                }
            }
            return;
        }
        if (pointer != null) {
            add(groups, body(pointer), said, false);
            return;
        }
        if (said.bodyOnly) {
            add(groups, BODY, said, false);
            return;
        }
        if (said.matches != null) {
            List<Param> found = new ArrayList<>();
            for (Param p : req.query) {
                if (p.any(said.matches)) {
                    found.add(p);
                }
            }
            if (!said.queryOnly) {
                for (Param p : req.others) {
                    if (p.any(said.matches)) {
                        found.add(p);
                    }
                }
            }
            if (!found.isEmpty()) {
                add(groups, candidates(found), said, true);
                return;
            }
        }
        if ((said.matches == null || said.bodyFallback) && req.body) {
            add(groups, BODY, said, false);
        } else {
            add(groups, UNKNOWN_PARAM, said, true);
        }
    }

    /** Messages that name their parameter (or are about the request as a whole). */
    private static boolean named(String msg, Request req, Map<String, Group> groups) {
        Matcher m;
        if ((m = PARAM_MISSING.matcher(msg)).matches()) {
            add(groups, param(m.group(1).toLowerCase(Locale.ROOT), m.group(2)), new Rule(OTHER_RULE, "is required"));
        } else if ((m = PARAM_UNEXPECTED.matcher(msg)).matches()) {
            add(groups, param(m.group(1).toLowerCase(Locale.ROOT), m.group(2)),
                    new Rule(OTHER_RULE, "is not an allowed parameter"));
        } else if ((m = PARAM_EMPTY.matcher(msg)).matches()) {
            Param p = req.find(m.group(1));
            if (p != null) {
                add(groups, param(p), new Rule(OTHER_RULE, "must not be empty"));
            } else {
                add(groups, unnamedParam(m.group(1)), new Rule(OTHER_RULE, "is required"));
            }
        } else if ((m = PARAM_ENUM.matcher(msg)).matches()) {
            List<String> allowed = new ArrayList<>();
            for (String v : m.group(2).split(",")) {
                allowed.add(v.trim());
            }
            add(groups, located(req, m.group(1)), new Rule(ENUM_RULE, oneOf(allowed)));
        } else if ((m = PARAM_MULTIPLE.matcher(msg)).matches()) {
            add(groups, located(req, m.group(1)), new Rule(OTHER_RULE, "must be sent only once"));
        } else if ((m = PARAM_STYLE.matcher(msg)).matches()) {
            add(groups, located(req, m.group(1)), new Rule(OTHER_RULE, "does not use the expected array style"));
        } else if ((m = PARAM_ITEMS.matcher(msg)).matches()) {
            add(groups, located(req, m.group(1)), new Rule(LENGTH_RULE, "must have at "
                    + (m.group(2).equalsIgnoreCase("maximum") ? "most " : "least ") + m.group(3) + " items"));
        } else if ((m = PARAM_DUPLICATES.matcher(msg)).matches()) {
            add(groups, located(req, m.group(1)), new Rule(OTHER_RULE, "must not repeat a value"));
        } else if (NO_PATH.matcher(msg).matches()) {
            add(groups, new Subject("request", "path", null, "the request path"),
                    new Rule(OTHER_RULE, "does not match any path of the API"));
        } else if ((m = NO_OPERATION.matcher(msg)).matches()) {
            String method = METHOD.matcher(m.group(1)).matches() ? "method " + m.group(1) : "request method";
            add(groups, new Subject("request", "method", null, "the " + method),
                    new Rule(OTHER_RULE, "is not allowed on this path"));
        } else if (BODY_UNEXPECTED.matcher(msg).matches()) {
            add(groups, BODY, new Rule(OTHER_RULE, "is not expected for this operation"));
        } else if (BODY_MISSING.matcher(msg).matches()) {
            add(groups, BODY, new Rule(OTHER_RULE, "is required"));
        } else if ((m = MEDIA_INVALID.matcher(msg)).matches()) {
            add(groups, param("header", canonical(m.group(1))), new Rule(OTHER_RULE, "is not a valid media type"));
        } else if ((m = MEDIA_NOT_ALLOWED.matcher(msg)).matches()) {
            List<String> allowed = new ArrayList<>();
            for (String v : m.group(2).split(",")) {
                allowed.add(v.trim());
            }
            add(groups, param("header", canonical(m.group(1))), new Rule(ENUM_RULE, oneOf(allowed)));
        } else {
            return false;
        }
        return true;
    }

    private static String canonical(String header) {
        return header.equalsIgnoreCase("accept") ? "Accept" : "Content-Type";
    }

    /** A parameter named without its location: where the request has it, else "parameter <name>". */
    private static Subject located(Request req, String name) {
        Param p = req.find(name);
        return p != null ? param(p) : unnamedParam(name);
    }

    /** A schema message (without its {@code [Path …]}), or null when its shape is not known. */
    private static Said schema(String msg, String info) {
        Matcher m;
        Said s;
        if ((m = TOO_SHORT.matcher(msg)).matches()) {
            s = valued(new Rule(LENGTH_RULE, "must be at least " + characters(m.group(2))), m.group(1));
        } else if ((m = TOO_LONG.matcher(msg)).matches()) {
            s = valued(new Rule(LENGTH_RULE, "must be at most " + characters(m.group(2))), m.group(1));
        } else if ((m = REGEX.matcher(msg)).matches()) {
            s = valued(new Rule(PATTERN_RULE, "does not have the required format"), m.group(1));
        } else if ((m = ENUM.matcher(msg)).matches()) {
            s = new Said(new Rule(ENUM_RULE, oneOf(jsonList(m.group(2)))));
            s.matches = sameJson(m.group(1));
        } else if ((m = RANGE.matcher(msg)).matches()) {
            String bound = m.group(2).trim();
            boolean max = m.group(1).equalsIgnoreCase("maximum");
            s = new Said(new Rule(RANGE_RULE, "must be at " + (max ? "most " : "least ") + shown(bound)));
            s.matches = sameNumber(m.group(3).trim());
        } else if ((m = EXCLUSIVE.matcher(msg)).matches()) {
            boolean greater = m.group(1).equalsIgnoreCase("greater");
            BigDecimal bound = number(m.group(2));
            s = new Said(new Rule(RANGE_RULE, "must be " + (greater ? "greater" : "less") + " than " + shown(m.group(2))));
            if (bound != null) {
                s.matches = v -> {
                    BigDecimal n = number(v);
                    return n != null && (greater ? n.compareTo(bound) <= 0 : n.compareTo(bound) >= 0);
                };
                s.queryOnly = true;
            }
        } else if ((m = DIVISOR.matcher(msg)).matches()) {
            s = new Said(new Rule(RANGE_RULE, "must be a multiple of " + shown(m.group(2))));
            s.matches = sameNumber(m.group(1).trim());
        } else if ((m = OVERFLOW.matcher(msg)).matches()) {
            String type = m.group(1).toLowerCase(Locale.ROOT);
            s = new Said(new Rule(RANGE_RULE, type.startsWith("int") ? "must be a " + type.substring(3) + "-bit integer"
                    : "must be a number in the " + type + " range"));
            s.matches = sameNumber(m.group(2).trim());
        } else if ((m = TYPE.matcher(msg)).matches()) {
            String found = m.group(1).toLowerCase(Locale.ROOT);
            List<String> words = new ArrayList<>();
            for (String t : jsonList(m.group(2))) {
                String w = TYPES.get(t.toLowerCase(Locale.ROOT));
                if (w != null) {
                    words.add(w);
                }
            }
            s = new Said(new Rule(TYPE_RULE, words.isEmpty() ? "has the wrong type" : "must be " + String.join(" or ", words)));
            s.matches = v -> jsonType(v).equals(found);
            s.queryOnly = true;
            s.bodyFallback = true;
        } else if ((m = NOT_ALLOWED.matcher(msg)).matches()) {
            s = new Said(new Rule(OTHER_RULE, "has members that are not allowed: " + names(jsonList(m.group(1)))));
            s.bodyOnly = true;
        } else if ((m = REQUIRED.matcher(msg)).matches()) {
            s = new Said(new Rule(OTHER_RULE, "is missing required members " + names(jsonList(m.group(1)))));
            s.bodyOnly = true;
        } else if ((m = MEMBERS.matcher(msg)).matches()) {
            s = new Said(new Rule(LENGTH_RULE, "must have at " + (m.group(1).equalsIgnoreCase("few") ? "least " : "most ")
                    + m.group(2) + (m.group(2).equals("1") ? " member" : " members")));
            s.bodyOnly = true;
        } else if ((m = DEPENDENCIES.matcher(msg)).matches()) {
            String member = SAFE_NAME.matcher(m.group(1)).matches() ? "member " + m.group(1) : "one of its members";
            s = new Said(new Rule(OTHER_RULE, "is missing members " + names(jsonList(m.group(2))) + " that " + member
                    + " requires"));
            s.bodyOnly = true;
        } else if ((m = ITEMS.matcher(msg)).matches()) {
            s = new Said(new Rule(LENGTH_RULE, "must have at " + (m.group(1).equalsIgnoreCase("short") ? "least " : "most ")
                    + m.group(2) + (m.group(2).equals("1") ? " item" : " items")));
        } else if ((m = ADDITIONAL_ITEMS.matcher(msg)).matches()) {
            s = new Said(new Rule(LENGTH_RULE, "must have at most " + m.group(1) + (m.group(1).equals("1") ? " item" : " items")));
        } else if (UNIQUE.matcher(msg).matches()) {
            s = new Said(new Rule(OTHER_RULE, "must not contain duplicate items"));
        } else if ((m = DATE.matcher(msg)).matches()) {
            boolean time = m.group(2).contains("HH");
            s = valued(new Rule(FORMAT_RULE, time ? "must be a date-time (RFC 3339, e.g. 2026-01-31T12:00:00Z)"
                    : "must be a date (YYYY-MM-DD)", true), m.group(1));
        } else if ((m = FORMAT.matcher(msg)).matches()) {
            String format = m.group(2).toLowerCase(Locale.ROOT);
            s = valued(new Rule(FORMAT_RULE, FORMATS.get(format), format.equals("uuid")), m.group(1));
        } else if (BASE64.matcher(msg).matches()) {
            s = new Said(new Rule(FORMAT_RULE, "must be Base64"));
        } else if (HEX.matcher(msg).matches()) {
            s = new Said(new Rule(FORMAT_RULE, "does not have the required format"));
        } else if ((m = JSON.matcher(msg)).matches()) {
            Matcher at = JSON_AT.matcher(m.group(1));
            s = new Said(new Rule(OTHER_RULE, "is not valid JSON" + (at.find() ? " (line " + at.group(1) + ", column "
                    + at.group(2) + ")" : "")));
            s.paramRule = new Rule(TYPE_RULE, "does not have a valid value for its type");
            s.matches = jsonErrorAt(m.group(1));
            s.queryOnly = true;
            s.bodyFallback = true;
        } else if (ALL_OF.matcher(msg).matches() || ANY_OF.matcher(msg).matches() || (m = ONE_OF.matcher(msg)).matches()
                || NOT.matcher(msg).matches()) {
            s = combined(msg, info);
        } else {
            return null;
        }
        return s;
    }

    private static String characters(String n) {
        return n + (n.equals("1") ? " character" : " characters");
    }

    private static Said valued(Rule rule, String value) {
        Said s = new Said(rule);
        s.matches = value::equals;
        return s;
    }

    /** allOf, anyOf, oneOf, not: the rules of the alternatives that apply to the same value, when given. */
    private static Said combined(String msg, String info) {
        List<Said> subs = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        boolean allMissingOne = true;
        for (String[] item : subItems(info)) {
            if (!SUB_SAME_INSTANCE.matcher(item[0]).matches()) {
                allMissingOne = false;
                continue;
            }
            Matcher r = REQUIRED.matcher(item[1]);
            List<String> members = r.matches() ? jsonList(r.group(1)) : List.of();
            if (members.size() == 1) {
                missing.add(members.get(0));
            } else {
                allMissingOne = false;
            }
            Said sub = schema(item[1], "");
            if (sub != null) {
                subs.add(sub);
            }
        }
        Matcher one = ONE_OF.matcher(msg);
        Said s;
        if (ALL_OF.matcher(msg).matches()) {
            s = new Said(subs.isEmpty() ? new Rule(OTHER_RULE, "does not meet all the rules of its schema") : subs.get(0).rule);
        } else if (one.matches()) {
            int matched = one.group(1).length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(one.group(1));
            if (matched == 0 && allMissingOne && !missing.isEmpty()) {
                s = new Said(new Rule(OTHER_RULE, "must have exactly one of " + names(missing)));
            } else if (matched == 0) {
                s = new Said(new Rule(OTHER_RULE, "does not match any of the allowed alternatives"));
            } else {
                s = new Said(new Rule(OTHER_RULE, "must match exactly one of the allowed alternatives, not " + matched));
            }
        } else if (NOT.matcher(msg).matches()) {
            s = new Said(new Rule(OTHER_RULE, "has a form that is not allowed"));
        } else {
            s = new Said(new Rule(OTHER_RULE, "does not match any of the allowed alternatives"));
        }
        for (Said sub : subs) {
            if (sub.matches != null) {
                s.matches = sub.matches;
                s.queryOnly = sub.queryOnly;
                break;
            }
        }
        s.bodyOnly = !subs.isEmpty() && subs.stream().allMatch(x -> x.bodyOnly);
        if (ALL_OF.matcher(msg).matches()) {
            for (int i = 1; i < subs.size(); i++) {
                s.more.add(subs.get(i).rule);
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ telling a field's rules

    /** One line for a field: a format says it all; a pattern with lengths is one rule; "must be" rules are joined. */
    private static String reason(List<Rule> all) {
        List<Rule> rules = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Rule r : all) {
            if (seen.add(r.text)) {
                rules.add(r);
            }
        }
        Rule format = null;
        Rule pattern = null;
        List<Rule> lengths = new ArrayList<>();
        for (Rule r : rules) {
            if (r.kind == FORMAT_RULE && format == null) {
                format = r;
            } else if (r.kind == PATTERN_RULE) {
                pattern = r;
            } else if (r.kind == LENGTH_RULE && (r.text.endsWith(" characters") || r.text.endsWith(" character"))) {
                lengths.add(r);
            }
        }
        List<Rule> told = new ArrayList<>();
        for (Rule r : rules) {
            if (r.kind == FORMAT_RULE && r != format) {
                continue;
            }
            if (format != null && (r.kind == PATTERN_RULE || lengths.contains(r))) {
                continue;
            }
            if (r == format && pattern != null && !format.complete) {
                told.add(new Rule(FORMAT_RULE, format.text + " in the required format"));
                continue;
            }
            if (format == null && pattern != null && lengths.contains(r)) {
                continue;
            }
            if (r == pattern && !lengths.isEmpty()) {
                List<String> l = new ArrayList<>();
                for (Rule x : lengths) {
                    l.add(x.text.substring("must be ".length()));
                }
                told.add(new Rule(PATTERN_RULE, pattern.text + " (" + String.join(", ", l) + ")"));
                continue;
            }
            told.add(r);
        }
        told.sort((a, b) -> Integer.compare(a.kind, b.kind));
        List<String> mustBe = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (Rule r : told) {
            if (r.text.startsWith("must be ")) {
                if (mustBe.isEmpty()) {
                    parts.add(null);
                }
                mustBe.add(r.text.substring("must be ".length()));
            } else {
                parts.add(r.text);
            }
        }
        List<String> out = new ArrayList<>();
        for (String part : parts) {
            out.add(part == null ? "must be " + String.join(" and ", mustBe) : part);
        }
        return cut(String.join(" and ", out), 200);
    }

    // ------------------------------------------------------------------ values, never shown

    /** The JSON type the validator gives a parameter value (it reads typed parameters as JSON). */
    static String jsonType(String v) {
        String t = v.trim();
        if (t.equals("null")) {
            return "null";
        }
        if (t.equals("true") || t.equals("false")) {
            return "boolean";
        }
        if (INTEGER.matcher(t).matches()) {
            return "integer";
        }
        if (NUMBER.matcher(t).matches()) {
            return "number";
        }
        if (t.startsWith("[")) {
            return "array";
        }
        if (t.startsWith("{")) {
            return "object";
        }
        return "string";
    }

    private static BigDecimal number(String s) {
        String t = s.trim();
        if (!NUMBER.matcher(t).matches()) {
            return null;
        }
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Predicate<String> sameNumber(String found) {
        BigDecimal n = number(found);
        if (n == null) {
            return found::equals;
        }
        return v -> {
            BigDecimal x = number(v);
            return x != null && x.compareTo(n) == 0;
        };
    }

    /** The enum message quotes the value as JSON. */
    private static Predicate<String> sameJson(String json) {
        try {
            Object v = Json.parse(json);
            if (v instanceof String) {
                return ((String) v)::equals;
            }
            return sameNumber(json);
        } catch (JsonException | RuntimeException e) {
            return json::equals;
        }
    }

    /** The parameter values a JSON parser's error message fits (its token, or its character at the column). */
    private static Predicate<String> jsonErrorAt(String error) {
        Matcher token = JSON_TOKEN.matcher(error);
        if (token.find() && !token.group(1).isEmpty()) {
            String t = token.group(1);
            return v -> v.startsWith(t);
        }
        Matcher character = JSON_CHARACTER.matcher(error);
        Matcher at = JSON_AT.matcher(error);
        if (character.find() && at.find()) {
            int code = Integer.parseInt(character.group(1));
            int line = Integer.parseInt(at.group(1));
            int column = Integer.parseInt(at.group(2));
            return v -> line == 1 && column >= 1 && v.length() >= column && v.codePointAt(column - 1) == code;
        }
        if (JSON_LEADING_ZERO.matcher(error).matches()) {
            return v -> v.matches("-?0[0-9].*");
        }
        return v -> false;
    }

    // ------------------------------------------------------------------ words from the spec

    /** A JSON array of strings (member names, allowed values, types); anything else is left out. */
    private static List<String> jsonList(String json) {
        List<String> out = new ArrayList<>();
        try {
            Object v = Json.parse(json);
            if (v instanceof List) {
                for (Object o : (List<?>) v) {
                    if (o instanceof String) {
                        out.add((String) o);
                    } else if (o != null && !(o instanceof Map) && !(o instanceof List)) {
                        out.add(String.valueOf(o));
                    }
                }
            }
        } catch (JsonException | RuntimeException e) {
            return Collections.emptyList();
        }
        return out;
    }

    /** Member names as a list; names the hub does not show (odd characters) are counted. */
    private static String names(List<String> names) {
        List<String> shown = new ArrayList<>();
        int hidden = 0;
        for (String n : names) {
            if (SAFE_NAME.matcher(n).matches() && shown.size() < MAX_LISTED) {
                shown.add(n);
            } else {
                hidden++;
            }
        }
        if (shown.isEmpty()) {
            return hidden == 1 ? "1 member with a name the hub does not show" : hidden + " members with names the hub does not show";
        }
        return String.join(", ", shown) + (hidden > 0 ? " and " + hidden + " more" : "");
    }

    private static String oneOf(List<String> values) {
        List<String> shown = new ArrayList<>();
        for (String v : values) {
            if (SAFE_VALUE.matcher(v).matches() && shown.size() < MAX_LISTED) {
                shown.add(v);
            }
        }
        if (shown.isEmpty()) {
            return "must be one of the allowed values";
        }
        return "must be one of " + String.join(", ", shown) + (shown.size() < values.size() ? ", …" : "");
    }

    /** A limit from the spec, as it is (a number). */
    private static String shown(String bound) {
        String t = bound.trim();
        return NUMBER.matcher(t).matches() ? t : "the limit";
    }

    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int cut = max;
        if (Character.isHighSurrogate(s.charAt(cut - 1))) {
            cut--;
        }
        return s.substring(0, cut);
    }

    // ------------------------------------------------------------------ the fallback

    /**
     * A message of a shape not known here, safe to return: every quoted value and every {@code found: value}
     * replaced by "…", control characters as spaces, at most {@link #MAX_CHARS} characters.
     */
    static String scrub(String cause) {
        String s = unwrap(cause);
        StringBuilder out = new StringBuilder(Math.min(s.length(), 1024));
        int i = 0;
        while (i < s.length() && out.length() <= MAX_CHARS) {
            char c = s.charAt(i);
            if (c == '"') {
                int close = s.indexOf('"', i + 1);
                out.append('…');
                if (close < 0) {
                    break;
                }
                i = close + 1;
            } else if (c == '\'' && (i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1)))) {
                int close = closingQuote(s, i + 1);
                out.append('…');
                if (close < 0) {
                    break;
                }
                i = close + 1;
            } else {
                out.append(Character.isISOControl(c) ? ' ' : c);
                i++;
            }
        }
        String scrubbed = FOUND_VALUE.matcher(out).replaceAll("$1…").replaceAll("\\s+", " ").trim();
        return cut(scrubbed, MAX_CHARS);
    }

    /** The single quote that closes a value opened before {@code from}: one not followed by a letter or digit. */
    private static int closingQuote(String s, int from) {
        for (int i = s.indexOf('\'', from); i >= 0; i = s.indexOf('\'', i + 1)) {
            if (i + 1 >= s.length() || !Character.isLetterOrDigit(s.charAt(i + 1))) {
                return i;
            }
        }
        return -1;
    }
}
