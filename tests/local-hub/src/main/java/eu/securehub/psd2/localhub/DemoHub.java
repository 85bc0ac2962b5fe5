package eu.securehub.psd2.localhub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The demo CRM's back-end client of the hub: its public HTTP API only, at the base URL, with the CRM app's API key in
 * {@code x-api-key} and, for account and consent calls, the hub token as {@code Authorization: Bearer}. Neither
 * ever leaves this class except towards the hub. Every call carries a fresh X-Request-ID.
 */
final class DemoHub {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The hub's answer; {@code status} 0 when the hub could not be reached. */
    record Reply(int status, JsonNode json, HttpResponse<String> raw, Problem transportProblem) {
        boolean ok() {
            return status / 100 == 2;
        }

        String text(String member) {
            JsonNode n = json.path(member);
            return n.isValueNode() ? n.asText() : "";
        }

        /** Retry-After in seconds (header, else the body's retryAfter), at least 1. */
        int retryAfter() {
            long header = raw == null ? -1 : raw.headers().firstValueAsLong("Retry-After").orElse(-1);
            long value = header >= 0 ? header : json.path("retryAfter").asLong(1);
            return (int) Math.max(1, Math.min(60, value));
        }

        /** The RFC 9457 problem of a failed call (or what to say when it carried none). */
        Problem problem() {
            return transportProblem != null ? transportProblem : Problem.of(status, json);
        }
    }

    /** A hub problem as a person should see it: never a stack trace. */
    record Problem(int status, String type, String title, String code, String detail, String bankCode,
            String requestId, List<String> invalidParams) {
        static Problem of(int status, JsonNode body) {
            List<String> params = new ArrayList<>();
            body.path("invalidParams").forEach(p -> params.add(
                    (p.path("name").isTextual() ? p.path("name").asText() + ": " : "") + p.path("reason").asText()));
            String type = body.path("type").asText("");
            String title = body.path("title").asText("");
            if (title.isEmpty()) {
                title = "Unexpected answer";
            }
            String detail = body.path("detail").asText(body.has("type") ? "" : "The hub answered HTTP " + status
                    + " without a problem body.");
            return new Problem(status, type.substring(type.lastIndexOf(':') + 1), title, body.path("code").asText(""),
                    detail, body.path("bankCode").asText(""), body.path("requestId").asText(""), List.copyOf(params));
        }

        static Problem local(String title, String detail) {
            return new Problem(0, "", title, "", detail, "", "", List.of());
        }
    }

    private final String baseUrl;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

    DemoHub(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl.replaceAll("/$", "");
        this.apiKey = apiKey;
    }

    String baseUrl() {
        return baseUrl;
    }

    /** A JSON POST with the API key; {@code headers} are name/value pairs. */
    Reply post(String path, ObjectNode body, String... headers) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())), null, headers);
    }

    /**
     * A GET with the API key and the hub token (null: none). A {@code 429 rate-limited} (the bank's spike arrest) is
     * retried once a moment later, as the CRM developer's guide advises for reads ("Rate limits, in short").
     */
    Reply get(String path, String token, String... headers) {
        Reply r = send(HttpRequest.newBuilder(uri(path)).GET(), token, headers);
        if (r.status() == 429 && r.problem().type().equals("rate-limited")) {
            sleep(Duration.ofMillis(300));
            r = send(HttpRequest.newBuilder(uri(path)).GET(), token, headers);
        }
        return r;
    }

    Reply delete(String path, String token, String... headers) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE(), token, headers);
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private Reply send(HttpRequest.Builder b, String token, String... headers) {
        b.timeout(TIMEOUT).header("x-api-key", apiKey).header("X-Request-ID", UUID.randomUUID().toString());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), parse(r.body()), r, null);
        } catch (IOException e) {
            return new Reply(0, JSON.createObjectNode(), null, Problem.local("The hub did not answer",
                    "The CRM back end could not reach the hub at " + baseUrl + " (" + e.getClass().getSimpleName()
                            + "). Is the local hub running?"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(0, JSON.createObjectNode(), null, Problem.local("Interrupted", "The call was interrupted."));
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
