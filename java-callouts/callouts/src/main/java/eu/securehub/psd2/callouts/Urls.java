package eu.securehub.psd2.callouts;

import java.nio.charset.StandardCharsets;

/**
 * URL checks and percent-encoding for the authorisation callouts, written out here because the
 * callout jar may not reference {@code java.net} (the bundle checks refuse any network class).
 */
final class Urls {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Urls() {
    }

    /**
     * True for an absolute {@code https://host[:port][/path][?query]} URL, or {@code http://} to a loopback
     * host ({@code 127.0.0.1}, {@code localhost}, {@code [::1]}) for local test set-ups. No user info, no
     * fragment, no white space or control characters, at most 2048 characters.
     */
    static boolean secure(String url) {
        if (url.length() > 2048 || !Fields.visibleAscii(url) || url.indexOf('#') >= 0) {
            return false;
        }
        boolean https = url.regionMatches(true, 0, "https://", 0, 8);
        boolean http = !https && url.regionMatches(true, 0, "http://", 0, 7);
        if (!https && !http) {
            return false;
        }
        int start = https ? 8 : 7;
        int end = start;
        while (end < url.length() && "/?".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String authority = url.substring(start, end);
        if (authority.isEmpty() || authority.indexOf('@') >= 0 || authority.indexOf('\\') >= 0) {
            return false;
        }
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = authority.substring(0, close + 1);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                return false;
            }
            port = rest.isEmpty() ? "" : rest.substring(1);
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? "" : authority.substring(colon + 1);
            if (!hostName(host)) {
                return false;
            }
        }
        if (!port.isEmpty() && (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9'))) {
            return false;
        }
        if (host.isEmpty()) {
            return false;
        }
        return https || host.equals("127.0.0.1") || host.equalsIgnoreCase("localhost") || host.equals("[::1]");
    }

    private static boolean hostName(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3986 percent-encoding of UTF-8: only unreserved characters stay (valid in queries and form bodies). */
    static String encode(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (unreserved) {
                b.append((char) c);
            } else {
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            }
        }
        return b.toString();
    }

    /**
     * Percent-decoding of UTF-8 (the inverse of {@link #encode}); {@code form}: a '+' is a space, as in a query string
     * or form body. Malformed input (a bad escape, bytes that are not UTF-8) is returned as it is.
     */
    static String decode(String s, boolean form) {
        if (s.indexOf('%') < 0 && (!form || s.indexOf('+') < 0)) {
            return s;
        }
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    return s;
                }
                out[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else if (c > 0x7f) {
                return s;
            } else {
                out[n++] = (byte) (form && c == '+' ? ' ' : c);
            }
        }
        java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
        try {
            return utf8.decode(java.nio.ByteBuffer.wrap(out, 0, n)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return s;
        }
    }

    /** {@code name=value&...} with every name and value encoded; {@code pairs} alternates names and values. */
    static String form(String... pairs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                b.append('&');
            }
            b.append(encode(pairs[i])).append('=').append(encode(pairs[i + 1]));
        }
        return b.toString();
    }

    /** {@code url} with {@code query} appended: after {@code ?}, or after {@code &} when it already has a query. */
    static String withQuery(String url, String query) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url + "?" + query;
        }
        if (q == url.length() - 1 || url.endsWith("&")) {
            return url + query;
        }
        return url + "&" + query;
    }
}
