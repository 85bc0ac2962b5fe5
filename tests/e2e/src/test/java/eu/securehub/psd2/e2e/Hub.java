package eu.securehub.psd2.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.securehub.psd2.localhub.LocalHub;
import eu.securehub.psd2.localhub.RequestOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One local hub for one test class (free ports, files in the class's temp folder) and the CRM's side of the API:
 * plain HTTP/1.1 calls with the CRM app's key, every response kept ({@link #responses()}) so that the privacy test
 * can read every error body the suite received.
 */
final class Hub implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("hub.root", "../..")).toAbsolutePath().normalize();
    static final String KEY = "e2e-crm-key-0123456789abcdef";
    static final String PSU_IP = "203.0.113.7";
    static final ObjectMapper JSON = new ObjectMapper();

    /** One response the CRM received. */
    record Reply(String method, String path, int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
        }

        /** The X-Request-ID the hub answered with: the id it passed to the bank and logged as requestId. */
        String requestId() {
            return header(RequestOutput.HEADER);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(method + " " + path + " -> " + status + ": not JSON: " + body, e);
            }
        }

        @Override
        public String toString() {
            return method + " " + path + " -> " + status + " " + body;
        }
    }

    final LocalHub local;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Reply> responses = Collections.synchronizedList(new ArrayList<>());

    private Hub(LocalHub local) {
        this.local = local;
    }

    /** A client of a hub started elsewhere (it is not closed with this one's close). */
    static Hub of(LocalHub local) {
        return new Hub(local);
    }

    static Hub start(Path work) {
        return start(work, 0);
    }

    /** A hub that keeps the Debug traces of its last {@code traces} requests (0: none, the tests' default). */
    static Hub start(Path work, int traces) {
        return new Hub(LocalHub.start(LocalHub.Options.freePorts(ROOT, work).consumerKey(KEY).traces(traces)));
    }

    String baseUrl() {
        return local.baseUrl();
    }

    /** Every response the CRM received from this hub, oldest first. */
    List<Reply> responses() {
        synchronized (responses) {
            return List.copyOf(responses);
        }
    }

    /**
     * A call with the CRM's key and, unless {@code headers} name X-Request-ID, a fresh one (a UUID: the hub keeps it,
     * so the call's log line and bank exchanges can be found by {@link Reply#requestId()}); {@code headers} are
     * name/value pairs (a null value leaves the header out).
     */
    Reply send(String method, String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30));
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-api-key", KEY);
        boolean ownId = false;
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
            ownId |= headers[i].equalsIgnoreCase(RequestOutput.HEADER);
        }
        if (!ownId) {
            h.put(RequestOutput.HEADER, RequestOutput.newId());
        }
        h.forEach((k, v) -> {
            if (v != null) {
                b.header(k, v);
            }
        });
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Reply reply = new Reply(method, path, r.statusCode(), r.headers().map(), r.body());
            responses.add(reply);
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply json(String method, String path, String json, String... headers) {
        return send(method, path, "application/json", json == null ? null : json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                headers);
    }

    Reply get(String path, String token, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = token == null ? null : "Bearer " + token;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return send("GET", path, null, null, all);
    }

    /** The first IBAN of a sandbox customer at a bank. */
    String iban(String bank, String customer) {
        return local.bank(bank).data().customerByUsername(customer).orElseThrow().accounts().get(0).iban();
    }

    /** POST /banks/{bank}/consents for one IBAN (accounts, balances, transactions), customer present; 201. */
    Reply createConsent(String bank, String iban) {
        String body = "{\"returnUrl\":\"" + local.returnUrl() + "\",\"access\":{\"accounts\":[{\"iban\":\"" + iban
                + "\"}],\"balances\":[{\"iban\":\"" + iban + "\"}],\"transactions\":[{\"iban\":\"" + iban + "\"}]},"
                + "\"recurringIndicator\":true,\"validUntil\":\"" + LocalDate.now().plusDays(90)
                + "\",\"frequencyPerDay\":4}";
        String requestId = UUID.randomUUID().toString();
        Reply r = json("POST", "/banks/" + bank + "/consents", body, "X-Request-ID", requestId, "PSU-IP-Address", PSU_IP);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.header("X-Request-ID")).isEqualTo(requestId);
        return r;
    }

    /** POST /banks/{bank}/consents for one IBAN, with the customer's PSU-ID when given; any status. */
    Reply createConsentRaw(String bank, String iban, String psuId) {
        String body = "{\"returnUrl\":\"" + local.returnUrl() + "\",\"access\":{\"accounts\":[{\"iban\":\"" + iban
                + "\"}],\"balances\":[{\"iban\":\"" + iban + "\"}],\"transactions\":[{\"iban\":\"" + iban + "\"}]},"
                + "\"recurringIndicator\":true,\"validUntil\":\"" + LocalDate.now().plusDays(90)
                + "\",\"frequencyPerDay\":4" + (psuId == null ? "" : ",\"psuId\":\"" + psuId + "\"") + "}";
        return json("POST", "/banks/" + bank + "/consents", body, "PSU-IP-Address", PSU_IP);
    }

    /** POST /authorisations/status for a state (a decoupled authorisation). */
    Reply poll(String state) {
        return json("POST", "/authorisations/status", "{\"state\":\"" + state + "\"}");
    }

    /** POST /sessions, once more a second later if the first is 404 (the CRM developer's guide's advice to CRMs). */
    Reply collectRetrying(String state) {
        Reply r = collect(state);
        if (r.status() == 404) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r = collect(state);
        }
        return r;
    }

    /** POST /sessions for a state. */
    Reply collect(String state) {
        return json("POST", "/sessions", "{\"state\":\"" + state + "\"}");
    }

    @Override
    public void close() {
        local.close();
    }
}
