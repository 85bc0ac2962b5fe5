package eu.securehub.psd2.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The bank's request and reply values, independent of Jetty, and JSON helpers. */
final class Http {

  static final ObjectMapper JSON = new ObjectMapper();

  private Http() {
  }

  /** One request as the API sees it. */
  record Call(String method, String path, Map<String, List<String>> query, Map<String, List<String>> headers,
              byte[] body, X509Certificate[] peerCertificates) {

    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    String queryParam(String name) {
      List<String> v = query.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }
  }

  /** One reply: status, headers (in order), body (may be empty). */
  record Reply(int status, Map<String, List<String>> headers, byte[] body) {

    static Reply json(int status, JsonNode body) {
      Map<String, List<String>> h = new LinkedHashMap<>();
      h.put("Content-Type", List.of("application/json"));
      return new Reply(status, h, write(body));
    }

    static Reply empty(int status) {
      return new Reply(status, new LinkedHashMap<>(), new byte[0]);
    }

    Reply with(String name, String value) {
      Map<String, List<String>> h = new LinkedHashMap<>(headers);
      h.put(name, List.of(value));
      return new Reply(status, h, body);
    }
  }

  /** A Berlin Group error: {@code {"tppMessages":[{"category":"ERROR","code":…,"text":…}]}}. */
  static Reply error(int status, String code, String text) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode messages = body.putArray("tppMessages");
    ObjectNode m = messages.addObject();
    m.put("category", "ERROR");
    m.put("code", code);
    if (text != null) {
      m.put("text", text.length() > 500 ? text.substring(0, 500) : text);
    }
    return Reply.json(status, body);
  }

  /** Thrown inside the API to answer with a Berlin Group error. */
  static final class BgError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    BgError(int status, String code, String text) {
      super(text, null, false, false);
      this.status = status;
      this.code = code;
    }

    Reply reply() {
      return error(status, code, getMessage());
    }
  }

  static byte[] write(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode read(byte[] body) throws IOException {
    return JSON.readTree(new String(body, StandardCharsets.UTF_8));
  }

  static boolean isUuid(String s) {
    if (s == null || s.length() != 36) {
      return false;
    }
    try {
      UUID.fromString(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
