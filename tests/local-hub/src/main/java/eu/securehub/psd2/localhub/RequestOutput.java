package eu.securehub.psd2.localhub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.securehub.psd2.sandbox.BerlinGroupContract.Exchange;
import eu.securehub.psd2.sandbox.SandboxBank;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * For the hub's test clients: the output a request leaves behind outside its response (the sandbox bank's recorded
 * exchanges, the message log the PostClientFlow writes after the response) found by the request's X-Request-ID,
 * never by position or count. The hub echoes that id, passes it to the bank (X-Request-ID) and logs it as
 * {@code requestId}; a client that sends a UUID of its own gets that one (an id that is not a UUID is replaced).
 */
public final class RequestOutput {
    public static final String HEADER = "X-Request-ID";
    /** How long to wait for a request's output that is written after its response. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestOutput() {
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** The bank's recorded /v1 exchanges that carry one of these X-Request-IDs, oldest first (no waiting). */
    public static List<Exchange> bankExchanges(SandboxBank bank, Collection<String> requestIds) {
        Set<String> ids = Set.copyOf(requestIds);
        return bank.exchanges().stream().filter(e -> ids.contains(e.requestHeader(HEADER))).toList();
    }

    public static List<Exchange> bankExchanges(SandboxBank bank, String requestId) {
        return bankExchanges(bank, List.of(requestId));
    }

    /**
     * The bank's exchanges of this request once there are at least {@code atLeast} (waits up to {@link #TIMEOUT}; the
     * bank records an exchange before it answers, so this only waits for a call the hub gave up on).
     */
    public static List<Exchange> awaitBankExchanges(SandboxBank bank, String requestId, int atLeast) {
        return await(() -> bankExchanges(bank, requestId), l -> l.size() >= atLeast,
                () -> "at least " + atLeast + " bank exchange(s) with " + HEADER + " " + requestId);
    }

    /** The {@code requestId} of a message-log line (the Cloud Logging stand-in's JSON line), or null. */
    public static String messageLogRequestId(String line) {
        try {
            JsonNode entry = JSON.readTree(line);
            JsonNode message = JSON.readTree(entry.path("message").asText());
            return message.path("requestId").isTextual() ? message.path("requestId").asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The message-log lines of one request, oldest first (no waiting). */
    public static List<String> messageLogLines(List<String> lines, String requestId) {
        return lines.stream().filter(l -> requestId.equals(messageLogRequestId(l))).toList();
    }

    /**
     * Every line of the message log, once each of these requests has its line there (the PostClientFlow writes it
     * after the response; waits up to {@link #TIMEOUT}). A check over the whole log reads it only then.
     */
    public static List<String> awaitMessageLog(Path file, Collection<String> requestIds) {
        Set<String> wanted = new LinkedHashSet<>(requestIds);
        return await(() -> readLines(file), lines -> missing(lines, wanted).isEmpty(),
                () -> "message-log lines of every request; none yet for " + missing(readLines(file), wanted)
                        + " in " + file);
    }

    private static Set<String> missing(List<String> lines, Set<String> wanted) {
        Set<String> missing = new LinkedHashSet<>(wanted);
        lines.forEach(l -> missing.remove(messageLogRequestId(l)));
        return missing;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T await(Supplier<T> read, Predicate<T> done, Supplier<String> what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            T value = read.get();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting for " + what.get());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what.get(), e);
            }
        }
    }
}
