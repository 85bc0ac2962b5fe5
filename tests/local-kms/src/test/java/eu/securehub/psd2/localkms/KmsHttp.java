package eu.securehub.psd2.localkms;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Real HTTP calls to a {@link LocalKms} over 127.0.0.1, with java.net.http. */
final class KmsHttp {
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final LocalKms kms;
    private final String token;

    KmsHttp(LocalKms kms, String token) {
        this.kms = kms;
        this.token = token;
    }

    /** A response: status, headers, body and the body as JSON (an object, or null when it is none). */
    record Response(int status, HttpHeaders headers, String body, Map<String, Object> json) {

        String string(String member) {
            return (String) json.get(member);
        }

        byte[] bytes(String member) {
            return Base64.getDecoder().decode(string(member));
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> error() {
            return (Map<String, Object>) json.get("error");
        }

        String errorStatus() {
            return (String) error().get("status");
        }

        String errorMessage() {
            return (String) error().get("message");
        }

        int errorCode() {
            return ((Number) error().get("code")).intValue();
        }
    }

    Response encrypt(String name, Map<String, Object> body) {
        return post(name + ":encrypt", Json.write(body));
    }

    Response decrypt(String name, Map<String, Object> body) {
        return post(name + ":decrypt", Json.write(body));
    }

    /** POST {baseUrl}/{pathAfterV1} with the bearer token. */
    Response post(String pathAfterV1, String body) {
        return send("POST", URI.create(kms.baseUrl() + "/" + pathAfterV1), body, "Bearer " + token);
    }

    /** Any request; {@code authorization} null sends none. */
    static Response send(String method, URI uri, String body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body(), object(response.body()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String body) {
        try {
            Object parsed = Json.parse(body);
            return parsed instanceof Map ? (Map<String, Object>) parsed : null;
        } catch (JsonException e) {
            return null;
        }
    }

    /** A JSON object from alternating names and values. */
    static Map<String, Object> json(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    static String b64(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    static String crc(byte[] data) {
        return Long.toString(LocalKms.crc32c(data));
    }

    static String crc(String text) {
        return crc(text.getBytes(StandardCharsets.UTF_8));
    }
}
