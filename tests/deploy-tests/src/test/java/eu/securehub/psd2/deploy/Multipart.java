package eu.securehub.psd2.deploy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict enough parser of {@code multipart/form-data} bodies (RFC 7578 over RFC 2046). */
final class Multipart {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};
    private static final Pattern PARAM =
            Pattern.compile(";\\s*([A-Za-z0-9_*-]+)\\s*=\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[^;\\s]+)");

    /** One part: its headers (names in lower case), its form field name and file name, its bytes. */
    record Part(Map<String, String> headers, String name, String fileName, byte[] content) {
        Optional<String> header(String headerName) {
            return Optional.ofNullable(headers.get(headerName.toLowerCase(Locale.ROOT)));
        }
    }

    private Multipart() {
    }

    /** The value of parameter {@code param} of a header such as Content-Type or Content-Disposition. */
    static Optional<String> parameter(String headerValue, String param) {
        if (headerValue == null) {
            return Optional.empty();
        }
        Matcher m = PARAM.matcher(headerValue);
        while (m.find()) {
            if (m.group(1).equalsIgnoreCase(param)) {
                String value = m.group(3) != null ? m.group(3).replaceAll("\\\\(.)", "$1") : m.group(2);
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses {@code body} sent with {@code contentType}; throws IllegalArgumentException with the reason
     * when the body is not well-formed multipart/form-data.
     */
    static List<Part> parse(String contentType, byte[] body) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new IllegalArgumentException("Content-Type is not multipart/form-data: " + contentType);
        }
        String boundary = parameter(contentType, "boundary")
                .orElseThrow(() -> new IllegalArgumentException("no boundary in Content-Type: " + contentType));
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] innerDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);

        // The first delimiter starts the body or follows a preamble ending in CRLF.
        int pos;
        if (startsWith(body, 0, delimiter)) {
            pos = delimiter.length;
        } else {
            int found = indexOf(body, innerDelimiter, 0);
            if (found < 0) {
                throw new IllegalArgumentException("no boundary delimiter in the body");
            }
            pos = found + innerDelimiter.length;
        }

        List<Part> parts = new ArrayList<>();
        while (true) {
            if (startsWith(body, pos, new byte[] {'-', '-'})) {
                return parts; // close delimiter; an epilogue may follow
            }
            pos = skipTransportPadding(body, pos);
            if (!startsWith(body, pos, CRLF)) {
                throw new IllegalArgumentException("boundary delimiter not followed by CRLF at byte " + pos);
            }
            pos += CRLF.length;
            int headersEnd = indexOf(body, HEADER_END, pos);
            // A part with no headers starts its content right after the CRLF.
            Map<String, String> headers = new LinkedHashMap<>();
            if (startsWith(body, pos, CRLF)) {
                pos += CRLF.length;
            } else {
                if (headersEnd < 0) {
                    throw new IllegalArgumentException("part headers not terminated by an empty line");
                }
                String block = new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
                for (String line : block.split("\r\n")) {
                    int colon = line.indexOf(':');
                    if (colon <= 0) {
                        throw new IllegalArgumentException("malformed part header: " + line);
                    }
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            line.substring(colon + 1).trim());
                }
                pos = headersEnd + HEADER_END.length;
            }
            int end = indexOf(body, innerDelimiter, pos);
            if (end < 0) {
                throw new IllegalArgumentException("part not terminated by a boundary delimiter");
            }
            String disposition = headers.get("content-disposition");
            if (disposition == null || !disposition.toLowerCase(Locale.ROOT).startsWith("form-data")) {
                throw new IllegalArgumentException("part without Content-Disposition: form-data: " + headers);
            }
            String name = parameter(disposition, "name")
                    .orElseThrow(() -> new IllegalArgumentException("form-data part without a name: " + disposition));
            // RFC 7578 says filename; apigee-edge-maven-plugin 2.5.0 writes file="…".
            String fileName = parameter(disposition, "filename").or(() -> parameter(disposition, "file")).orElse(null);
            parts.add(new Part(Map.copyOf(headers), name, fileName, Arrays.copyOfRange(body, pos, end)));
            pos = end + innerDelimiter.length;
        }
    }

    private static int skipTransportPadding(byte[] body, int pos) {
        while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
            pos++;
        }
        return pos;
    }

    private static boolean startsWith(byte[] data, int offset, byte[] prefix) {
        if (offset < 0 || offset + prefix.length > data.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(from, 0); i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
