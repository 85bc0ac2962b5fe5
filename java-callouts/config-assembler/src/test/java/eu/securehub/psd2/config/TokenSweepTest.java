package eu.securehub.psd2.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Main sweep-tokens} against a real HTTP server on 127.0.0.1 standing in for the management API's KVM entries
 * (list in pages of 100 with nextPageToken, delete by name).
 */
class TokenSweepTest {
    private static final String TOKEN = "ya29.sweep-Token_0123456789";
    private static final String PATH = "/v1/organizations/my-org/environments/eval/keyvaluemaps/psd2-hub-tokens/entries";

    @TempDir
    Path temp;

    private HttpServer server;
    /** The map as the double holds it: name -> value (null map: it does not exist). */
    private final Map<String, String> entries = Collections.synchronizedMap(new TreeMap<>());
    private volatile boolean exists = true;
    private final AtomicInteger failStatus = new AtomicInteger();
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            calls.add(exchange.getRequestMethod() + " " + path + (query == null ? "" : "?" + query) + " "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            int status = 200;
            String reply = "{}";
            if (failStatus.get() != 0) {
                status = failStatus.get();
                reply = "{\"error\":{\"code\":403,\"message\":\"Permission denied for " + TOKEN + "\",\"status\":\"PERMISSION_DENIED\"}}";
            } else if (!exists) {
                status = 404;
                reply = "{\"error\":{\"code\":404,\"message\":\"not found\",\"status\":\"NOT_FOUND\"}}";
            } else if (exchange.getRequestMethod().equals("GET") && path.equals(PATH)) {
                List<String> names = new ArrayList<>(entries.keySet());
                int from = 0;
                if (query != null && query.contains("pageToken=")) {
                    from = names.indexOf(query.substring(query.indexOf("pageToken=") + 10)) + 1;
                }
                int to = Math.min(names.size(), from + 100);
                StringBuilder b = new StringBuilder("{\"keyValueEntries\":[");
                for (int i = from; i < to; i++) {
                    b.append(i > from ? "," : "").append("{\"name\":\"").append(names.get(i)).append("\",\"value\":\"")
                            .append(entries.get(names.get(i))).append("\"}");
                }
                b.append("]").append(to < names.size() ? ",\"nextPageToken\":\"" + names.get(to - 1) + "\"" : "").append("}");
                reply = b.toString();
            } else if (exchange.getRequestMethod().equals("DELETE") && path.startsWith(PATH + "/")) {
                String name = path.substring(PATH.length() + 1);
                status = entries.remove(name) != null ? 200 : 404;
            } else {
                status = 400;
            }
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String run(String... extra) {
        Fixture f = Fixture.copy(temp);
        List<String> args = new ArrayList<>(List.of("sweep-tokens", "--config-dir", f.config.toString(), "--hosturl",
                "http://127.0.0.1:" + server.getAddress().getPort(), "--apiversion", "v1", "--org", "my-org",
                "--apigee-env", "eval", "--bearer", TOKEN));
        args.addAll(List.of(extra));
        out.reset();
        Main.run(args.toArray(String[]::new), new Placeholders(name -> null), new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private void fill(int expired, int live, int legacy) {
        long now = System.currentTimeMillis() / 1000;
        for (int i = 0; i < expired; i++) {
            entries.put(String.format("exp%04d", i), (now - 3600) + ".AQdrZXktMjAyNg");
        }
        for (int i = 0; i < live; i++) {
            entries.put(String.format("live%04d", i), (now + 86400) + ".AQdrZXktMjAyNg");
        }
        for (int i = 0; i < legacy; i++) {
            entries.put(String.format("old%04d", i), "AQdrZXktMjAyNgolder");
        }
    }

    @Test
    void expiredRecordsAreDeletedAcrossPagesAndTheRestKept() {
        fill(130, 60, 15);
        String printed = run();
        assertThat(printed).contains("psd2-hub-tokens in environment eval: 205 records, 130 expired deleted, 15 without a"
                + " stored expiry kept").doesNotContain(TOKEN);
        assertThat(entries).hasSize(75).allSatisfy((name, value) -> assertThat(name).doesNotStartWith("exp"));
        assertThat(calls.stream().filter(c -> c.startsWith("GET"))).as("3 pages of at most 100").hasSize(3)
                .allSatisfy(c -> assertThat(c).contains("pageSize=100").endsWith(" Bearer " + TOKEN));
        assertThat(calls.stream().filter(c -> c.startsWith("DELETE"))).hasSize(130);
    }

    @Test
    void aDryRunDeletesNothing() {
        fill(3, 2, 0);
        assertThat(run("--dry-run", "true")).contains("5 records, 3 expired (dry run: none deleted)");
        assertThat(entries).hasSize(5);
        assertThat(calls).allSatisfy(c -> assertThat(c).startsWith("GET"));
    }

    @Test
    void aMapThatDoesNotExistHasNothingToSweep() {
        exists = false;
        assertThat(run()).contains("psd2-hub-tokens in environment eval does not exist yet: nothing to sweep");
    }

    @Test
    void aRefusalFailsWithTheApisMessageAndNeverTheToken() {
        failStatus.set(403);
        assertThatThrownBy(this::run).isInstanceOf(ConfigException.class)
                .hasMessageContaining("The token records of environment eval were not swept: GET ")
                .hasMessageContaining("answered 403: PERMISSION_DENIED: Permission denied for [token]")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void badOptionsAreRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> run("--dry-run", "maybe")).hasMessage("option --dry-run must be true or false");
        assertThat(calls).isEmpty();
    }

    @Test
    void theStoredExpiryIsReadWithoutDecrypting() {
        assertThat(TokenSweep.expiry("1790000000.AQdrZXk")).isEqualTo(1790000000L);
        assertThat(TokenSweep.expiry("AQdrZXk")).isEqualTo(-1);
        assertThat(TokenSweep.expiry(".AQdrZXk")).isEqualTo(-1);
        assertThat(TokenSweep.expiry("12a.AQ")).isEqualTo(-1);
    }
}
