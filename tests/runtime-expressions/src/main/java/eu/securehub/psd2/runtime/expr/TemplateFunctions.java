package eu.securehub.psd2.runtime.expr;

import eu.securehub.psd2.runtime.expr.MessageTemplate.Arg;
import eu.securehub.psd2.runtime.expr.MessageTemplate.LiteralArg;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.SimpleDateFormat;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The message-template functions (apigee-semantics.md §3; the complete list of the X docs and apigeelint).
 * Arguments arrive as strings; an unset argument (no default) arrives as {@code null} and, except where said
 * otherwise, makes the function render the empty string. Literal arguments are checked when the template is
 * parsed (regular expressions, date formats, encodings, JSONPath, xeger patterns, numbers).
 *
 * <p>Choices on points the docs leave open (UNCONFIRMED):
 * <ul>
 *   <li>Digests and HMACs hash the UTF-8 bytes of the string; hex output is lower case.</li>
 *   <li>{@code decodeBase64}: standard alphabet; input that is not valid standard base64 (e.g. base64url)
 *       decodes to the empty string, as the reference records; the bytes are read as UTF-8.</li>
 *   <li>{@code substring(s,start[,end])}: negative indices count from the end; indices are then clamped to
 *       the string, and start &gt;= end gives "" (Apigee's out-of-range behaviour is not documented).</li>
 *   <li>{@code escapeJSON}, {@code escapeXML}, {@code escapeXML11}: the names and behaviour match Apache
 *       commons-lang3 StringEscapeUtils (escapeJson, escapeXml10, escapeXml11), which is what we assume Apigee
 *       wraps: escapeJSON escapes {@code " \ /}, the short control escapes and every other character outside
 *       0x20..0x7E as {@code \}{@code uXXXX}; escapeXML escapes {@code & < > " '}, drops characters XML 1.0
 *       cannot hold and writes 0x7F-0x84, 0x86-0x9F as numeric references; escapeXML11 drops NUL, U+FFFE,
 *       U+FFFF and writes the other control characters as numeric references.</li>
 *   <li>{@code encodeHTML}: escapes {@code & < > " '} ({@code &amp; &lt; &gt; &quot; &#39;}); the docs name the
 *       apostrophe, the angle brackets and the ampersand.</li>
 *   <li>{@code timeFormat*}: java.text.SimpleDateFormat, Locale.US, always UTC (the X docs: local-time
 *       formatting of timeFormat/timeFormatMs is deprecated and all four return UTC); timeFormat and
 *       timeFormatUTC take epoch seconds, the *Ms forms epoch milliseconds; a value that is not an integer
 *       fails the render (ExpressionException).</li>
 *   <li>{@code hmac*(key,value[,keyencoding[,outputencoding]])}: key encodings hex/base16/base64/utf-8
 *       (default utf-8), output hex/base16/base64 (default base64), case-insensitive.</li>
 *   <li>{@code randomLong()} any long; {@code randomLong(min)} in [min, Long.MAX_VALUE);
 *       {@code randomLong(min,max)} in [min, max). SecureRandom.</li>
 *   <li>{@code xeger(regex)}: the subset documented in {@link Xeger}.</li>
 *   <li>{@code firstnonnull(v1,...)}: left-most argument that is set (an empty string counts as set); unset
 *       arguments never raise UnresolvedVariableException; when all are unset the result is the text
 *       {@code null} (the reference: "all unset -> null", as opposed to the "" it states for
 *       jsonPath/xpath misses).</li>
 *   <li>{@code jsonPath(path,json[,wantArray])}: JSONPath subset of {@link JsonPath}. Without wantArray (or
 *       with anything but {@code true}) the result is the first match: a string as its text, other values as
 *       JSON; no match or a JSON null gives "". With {@code true}: the matches as a JSON array (a definite path
 *       that selects an array gives that array). The path argument is a single-quoted literal or a variable (an unquoted path is refused: the docs quote fixed strings).
 *       A json argument that is not valid JSON fails the render.</li>
 *   <li>{@code xpath}: refused at parse time (UnsupportedOperationException).</li>
 * </ul>
 */
final class TemplateFunctions {

    private TemplateFunctions() {
    }

    /** A literal argument that the function cannot accept (index of the argument, -1 for the call). */
    static final class ArgumentError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int argument;

        ArgumentError(int argument, String message) {
            super(message);
            this.argument = argument;
        }

        int argument() {
            return argument;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    enum Function {
        MD5_HEX("md5Hex", 1, 1), SHA1_HEX("sha1Hex", 1, 1), SHA256_HEX("sha256Hex", 1, 1),
        SHA384_HEX("sha384Hex", 1, 1), SHA512_HEX("sha512Hex", 1, 1),
        MD5_BASE64("md5Base64", 1, 1), SHA1_BASE64("sha1Base64", 1, 1), SHA256_BASE64("sha256Base64", 1, 1),
        SHA384_BASE64("sha384Base64", 1, 1), SHA512_BASE64("sha512Base64", 1, 1),
        ENCODE_BASE64("encodeBase64", 1, 1), DECODE_BASE64("decodeBase64", 1, 1),
        TO_UPPER("toUpperCase", 1, 1), TO_LOWER("toLowerCase", 1, 1),
        SUBSTRING("substring", 2, 3),
        REPLACE_ALL("replaceAll", 3, 3), REPLACE_FIRST("replaceFirst", 3, 3),
        ESCAPE_JSON("escapeJSON", 1, 1), ESCAPE_XML("escapeXML", 1, 1), ESCAPE_XML11("escapeXML11", 1, 1),
        ENCODE_HTML("encodeHTML", 1, 1),
        TIME_FORMAT("timeFormat", 2, 2), TIME_FORMAT_MS("timeFormatMs", 2, 2),
        TIME_FORMAT_UTC("timeFormatUTC", 2, 2), TIME_FORMAT_UTC_MS("timeFormatUTCMs", 2, 2),
        HMAC_SHA224("hmacSha224", 2, 4), HMAC_SHA256("hmacSha256", 2, 4), HMAC_SHA384("hmacSha384", 2, 4),
        HMAC_SHA512("hmacSha512", 2, 4), HMAC_MD5("hmacMd5", 2, 4), HMAC_SHA1("hmacSha1", 2, 4),
        CREATE_UUID("createUuid", 0, 0), RANDOM_LONG("randomLong", 0, 2), XEGER("xeger", 1, 1),
        FIRST_NON_NULL("firstnonnull", 1, Integer.MAX_VALUE),
        XPATH("xpath", 2, 12), JSON_PATH("jsonPath", 2, 3);

        final String functionName;
        final int minArgs;
        final int maxArgs;

        Function(String functionName, int minArgs, int maxArgs) {
            this.functionName = functionName;
            this.minArgs = minArgs;
            this.maxArgs = maxArgs;
        }

        boolean acceptsUnset() {
            return this == FIRST_NON_NULL;
        }

        /** Checks the call at parse time; returns precompiled state for literal arguments (or null). */
        Object prepare(List<Arg> args) {
            if (args.size() < minArgs || args.size() > maxArgs) {
                String expected = minArgs == maxArgs ? String.valueOf(minArgs)
                    : maxArgs == Integer.MAX_VALUE ? "at least " + minArgs : minArgs + " to " + maxArgs;
                throw new ArgumentError(-1, "Function '" + functionName + "' takes " + expected
                    + " argument(s), found " + args.size());
            }
            return TemplateFunctions.prepare(this, args);
        }

        String apply(List<String> a, Object prepared) {
            return TemplateFunctions.apply(this, a, prepared);
        }
    }

    private static final Map<String, Function> BY_NAME = new HashMap<>();

    static {
        for (Function f : Function.values()) {
            BY_NAME.put(f.functionName, f);
        }
    }

    static Function byName(String name) {
        return BY_NAME.get(name);
    }

    private static String literal(List<Arg> args, int i) {
        return i < args.size() && args.get(i) instanceof LiteralArg l ? l.text() : null;
    }

    private static Object prepare(Function f, List<Arg> args) {
        switch (f) {
            case SUBSTRING:
                for (int i = 1; i < args.size(); i++) {
                    String lit = literal(args, i);
                    if (lit != null) {
                        integer(lit, i);
                    }
                }
                return null;
            case REPLACE_ALL:
            case REPLACE_FIRST: {
                String re = literal(args, 1);
                if (re != null) {
                    try {
                        return Pattern.compile(re);
                    } catch (PatternSyntaxException e) {
                        throw new ArgumentError(1, "Invalid regular expression '" + re + "': " + e.getDescription());
                    }
                }
                return null;
            }
            case TIME_FORMAT:
            case TIME_FORMAT_MS:
            case TIME_FORMAT_UTC:
            case TIME_FORMAT_UTC_MS: {
                String fmt = literal(args, 0);
                if (fmt != null) {
                    try {
                        new SimpleDateFormat(fmt, Locale.US);
                    } catch (IllegalArgumentException e) {
                        throw new ArgumentError(0, "Invalid date format '" + fmt + "': " + e.getMessage());
                    }
                }
                String v = literal(args, 1);
                if (v != null) {
                    integer(v, 1);
                }
                return null;
            }
            case HMAC_SHA224:
            case HMAC_SHA256:
            case HMAC_SHA384:
            case HMAC_SHA512:
            case HMAC_MD5:
            case HMAC_SHA1: {
                String ke = literal(args, 2);
                if (ke != null && keyEncoding(ke) == null) {
                    throw new ArgumentError(2, "Unknown key encoding '" + ke + "' (hex, base16, base64, utf-8)");
                }
                String oe = literal(args, 3);
                if (oe != null && outputEncoding(oe) == null) {
                    throw new ArgumentError(3, "Unknown output encoding '" + oe + "' (hex, base16, base64)");
                }
                return null;
            }
            case RANDOM_LONG: {
                for (int i = 0; i < args.size(); i++) {
                    String lit = literal(args, i);
                    if (lit != null) {
                        longValue(lit, i);
                    }
                }
                String lo = literal(args, 0);
                String hi = literal(args, 1);
                if (lo != null && hi != null && longValue(lo, 0) >= longValue(hi, 1)) {
                    throw new ArgumentError(1, "randomLong: max must be greater than min");
                }
                return null;
            }
            case XEGER: {
                String re = literal(args, 0);
                if (re != null) {
                    try {
                        return Xeger.compile(re);
                    } catch (IllegalArgumentException e) {
                        throw new ArgumentError(0, e.getMessage());
                    }
                }
                return null;
            }
            case JSON_PATH: {
                String path = literal(args, 0);
                if (path != null) {
                    try {
                        return JsonPath.compile(path);
                    } catch (IllegalArgumentException e) {
                        throw new ArgumentError(0, e.getMessage());
                    }
                }
                return null;
            }
            default:
                return null;
        }
    }

    private static int integer(String s, int arg) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new ArgumentError(arg, "Not an integer: '" + s + "'");
        }
    }

    private static long longValue(String s, int arg) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new ArgumentError(arg, "Not an integer: '" + s + "'");
        }
    }

    private static String apply(Function f, List<String> a, Object prepared) {
        String s = a.isEmpty() ? null : a.get(0);
        switch (f) {
            case MD5_HEX: return s == null ? "" : hex(digest("MD5", s));
            case SHA1_HEX: return s == null ? "" : hex(digest("SHA-1", s));
            case SHA256_HEX: return s == null ? "" : hex(digest("SHA-256", s));
            case SHA384_HEX: return s == null ? "" : hex(digest("SHA-384", s));
            case SHA512_HEX: return s == null ? "" : hex(digest("SHA-512", s));
            case MD5_BASE64: return s == null ? "" : b64(digest("MD5", s));
            case SHA1_BASE64: return s == null ? "" : b64(digest("SHA-1", s));
            case SHA256_BASE64: return s == null ? "" : b64(digest("SHA-256", s));
            case SHA384_BASE64: return s == null ? "" : b64(digest("SHA-384", s));
            case SHA512_BASE64: return s == null ? "" : b64(digest("SHA-512", s));
            case ENCODE_BASE64: return s == null ? "" : b64(s.getBytes(StandardCharsets.UTF_8));
            case DECODE_BASE64: return s == null ? "" : decodeBase64(s);
            case TO_UPPER: return s == null ? "" : s.toUpperCase(Locale.ROOT);
            case TO_LOWER: return s == null ? "" : s.toLowerCase(Locale.ROOT);
            case SUBSTRING: return substring(a);
            case REPLACE_ALL:
            case REPLACE_FIRST: {
                if (s == null || a.get(1) == null) {
                    return s == null ? "" : s;
                }
                Pattern p = prepared != null ? (Pattern) prepared : Pattern.compile(a.get(1));
                String repl = a.get(2) == null ? "" : a.get(2);
                return f == Function.REPLACE_ALL ? p.matcher(s).replaceAll(repl) : p.matcher(s).replaceFirst(repl);
            }
            case ESCAPE_JSON: return s == null ? "" : escapeJson(s);
            case ESCAPE_XML: return s == null ? "" : escapeXml(s, false);
            case ESCAPE_XML11: return s == null ? "" : escapeXml(s, true);
            case ENCODE_HTML: return s == null ? "" : encodeHtml(s);
            case TIME_FORMAT:
            case TIME_FORMAT_UTC:
            case TIME_FORMAT_MS:
            case TIME_FORMAT_UTC_MS: {
                String v = a.get(1);
                if (s == null || v == null) {
                    return "";
                }
                long n = Long.parseLong(v.trim());
                long millis = f == Function.TIME_FORMAT || f == Function.TIME_FORMAT_UTC ? n * 1000L : n;
                SimpleDateFormat fmt = new SimpleDateFormat(s, Locale.US);
                fmt.setTimeZone(TimeZone.getTimeZone("UTC"));
                return fmt.format(new Date(millis));
            }
            case HMAC_SHA224: return hmac("HmacSHA224", a);
            case HMAC_SHA256: return hmac("HmacSHA256", a);
            case HMAC_SHA384: return hmac("HmacSHA384", a);
            case HMAC_SHA512: return hmac("HmacSHA512", a);
            case HMAC_MD5: return hmac("HmacMD5", a);
            case HMAC_SHA1: return hmac("HmacSHA1", a);
            case CREATE_UUID: return UUID.randomUUID().toString();
            case RANDOM_LONG: {
                if (a.isEmpty() || s == null) {
                    return Long.toString(RANDOM.nextLong());
                }
                long min = Long.parseLong(s.trim());
                long max = a.size() > 1 && a.get(1) != null ? Long.parseLong(a.get(1).trim()) : Long.MAX_VALUE;
                return Long.toString(RANDOM.nextLong(min, max));
            }
            case XEGER: {
                if (s == null) {
                    return "";
                }
                Xeger x = prepared != null ? (Xeger) prepared : Xeger.compile(s);
                return x.generate(RANDOM);
            }
            case FIRST_NON_NULL:
                for (String v : a) {
                    if (v != null) {
                        return v;
                    }
                }
                return "null";
            case JSON_PATH: return jsonPath(a, (JsonPath) prepared);
            default:
                throw new UnsupportedOperationException(f.functionName);
        }
    }

    private static byte[] digest(String algorithm, String s) {
        try {
            return MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static String decodeBase64(String s) {
        try {
            return new String(Base64.getDecoder().decode(s.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String substring(List<String> a) {
        String s = a.get(0);
        if (s == null || a.get(1) == null) {
            return "";
        }
        int len = s.length();
        int start = Integer.parseInt(a.get(1).trim());
        int end = a.size() > 2 && a.get(2) != null ? Integer.parseInt(a.get(2).trim()) : len;
        if (start < 0) {
            start += len;
        }
        if (end < 0) {
            end += len;
        }
        start = Math.max(0, Math.min(start, len));
        end = Math.max(0, Math.min(end, len));
        return start >= end ? "" : s.substring(start, end);
    }

    private static String escapeJson(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '/' -> sb.append("\\/");
                case '\b' -> sb.append("\\b");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\f' -> sb.append("\\f");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String escapeXml(String s, boolean xml11) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c == 0 || c == '\uFFFE' || c == '\uFFFF') {
                        continue; // never representable
                    }
                    if (Character.isSurrogate(c)) {
                        if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                            sb.append(c).append(s.charAt(++i));
                        }
                        continue; // an unpaired surrogate is dropped
                    }
                    boolean control = c < 0x20 && c != '\t' && c != '\n' && c != '\r';
                    if (control) {
                        if (xml11) {
                            sb.append("&#").append((int) c).append(';');
                        }
                        continue; // XML 1.0 cannot hold it
                    }
                    if ((c >= 0x7f && c <= 0x84) || (c >= 0x86 && c <= 0x9f)) {
                        sb.append("&#").append((int) c).append(';');
                        continue;
                    }
                    sb.append(c);
                }
            }
        }
        return sb.toString();
    }

    private static String encodeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private enum KeyEnc { HEX, BASE64, UTF8 }

    private static KeyEnc keyEncoding(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "hex", "base16" -> KeyEnc.HEX;
            case "base64" -> KeyEnc.BASE64;
            case "utf-8", "utf8" -> KeyEnc.UTF8;
            default -> null;
        };
    }

    private static KeyEnc outputEncoding(String s) {
        KeyEnc e = keyEncoding(s);
        return e == KeyEnc.UTF8 ? null : e;
    }

    private static String hmac(String algorithm, List<String> a) {
        String key = a.get(0);
        String value = a.get(1);
        if (key == null || value == null) {
            return "";
        }
        KeyEnc ke = a.size() > 2 && a.get(2) != null ? keyEncoding(a.get(2)) : KeyEnc.UTF8;
        KeyEnc oe = a.size() > 3 && a.get(3) != null ? outputEncoding(a.get(3)) : KeyEnc.BASE64;
        if (ke == null) {
            throw new IllegalArgumentException("unknown key encoding '" + a.get(2) + "'");
        }
        if (oe == null) {
            throw new IllegalArgumentException("unknown output encoding '" + a.get(3) + "'");
        }
        byte[] keyBytes = switch (ke) {
            case HEX -> HexFormat.of().parseHex(key.trim());
            case BASE64 -> Base64.getDecoder().decode(key.trim());
            case UTF8 -> key.getBytes(StandardCharsets.UTF_8);
        };
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(keyBytes, algorithm));
            byte[] out = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return oe == KeyEnc.HEX ? hex(out) : b64(out);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String jsonPath(List<String> a, JsonPath prepared) {
        String pathText = a.get(0);
        String json = a.get(1);
        if (pathText == null || json == null) {
            return "";
        }
        JsonPath path = prepared != null ? prepared : JsonPath.compile(pathText);
        boolean wantArray = a.size() > 2 && "true".equalsIgnoreCase(a.get(2));
        Object root = Json.parse(json);
        List<Object> results = path.evaluate(root);
        if (wantArray) {
            if (path.definite() && results.size() == 1 && results.get(0) instanceof List<?> list) {
                return Json.write(list);
            }
            return Json.write(results);
        }
        if (results.isEmpty()) {
            return "";
        }
        Object first = results.get(0);
        if (first == Json.NULL) {
            return "";
        }
        return first instanceof String str ? str : Json.write(first);
    }
}
