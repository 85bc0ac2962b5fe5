package eu.securehub.psd2.runtime.spi;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A request or a response. For a request: verb, path (the full request path without the query, e.g.
 * "/psd2/v1/accounts"), query string (raw, without '?'). For a response: status and reason phrase.
 */
public interface Message {
    String verb();

    void verb(String verb);

    /** The path without the query string (request.path). */
    String path();

    void path(String path);

    /** The raw query string without '?', or "" if none. */
    String queryString();

    void queryString(String raw);

    /** path + ("?" + query string if any): request.uri. */
    default String uri() {
        String q = queryString();
        return q == null || q.isEmpty() ? path() : path() + "?" + q;
    }

    /** HTTP version, "1.1" by default. */
    default String version() {
        return "1.1";
    }

    Headers headers();

    /** The body (never null; empty array if none). */
    byte[] content();

    default String contentAsString() {
        return new String(content(), StandardCharsets.UTF_8);
    }

    void content(byte[] content);

    default void content(String content) {
        content(content == null ? new byte[0] : content.getBytes(StandardCharsets.UTF_8));
    }

    int status();

    void status(int status);

    /** Response reason phrase (null = the standard phrase). */
    String reasonPhrase();

    void reasonPhrase(String phrase);

    boolean isRequest();

    /** Decoded query parameters in order (a snapshot). */
    Map<String, List<String>> queryParams();

    /** Decoded form parameters of an application/x-www-form-urlencoded body (a snapshot). */
    Map<String, List<String>> formParams();

    void setQueryParam(String name, String value);

    void addQueryParam(String name, String value);

    void removeQueryParam(String name);

    /** Sets a form parameter, re-encoding the body as application/x-www-form-urlencoded. */
    void setFormParam(String name, String value);

    void addFormParam(String name, String value);

    void removeFormParam(String name);

    /** A deep copy (same kind). */
    Message copy();
}
