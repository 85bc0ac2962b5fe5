package eu.securehub.psd2.localkms;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A local stand-in for Cloud KMS: an HTTP server on 127.0.0.1 serving the Cloud KMS v1 REST methods
 * {@code projects.locations.keyRings.cryptoKeys.encrypt} and {@code .decrypt} as Google documents
 * them, behind a fixed bearer token.
 *
 * <pre>
 * POST {baseUrl}/projects/P/locations/L/keyRings/R/cryptoKeys/K:encrypt
 *      (or …/cryptoKeys/K/cryptoKeyVersions/N:encrypt)
 *   {"plaintext": b64, "additionalAuthenticatedData": b64, "plaintextCrc32c": "int64", "additionalAuthenticatedDataCrc32c": "int64"}
 *   → {"name": "…/cryptoKeyVersions/N", "ciphertext": b64, "ciphertextCrc32c": "int64",
 *      "verifiedPlaintextCrc32c": bool, "verifiedAdditionalAuthenticatedDataCrc32c": bool, "protectionLevel": "SOFTWARE"}
 * POST {baseUrl}/projects/P/locations/L/keyRings/R/cryptoKeys/K:decrypt
 *   {"ciphertext": b64, "additionalAuthenticatedData": b64, "ciphertextCrc32c": "int64", "additionalAuthenticatedDataCrc32c": "int64"}
 *   → {"plaintext": b64, "plaintextCrc32c": "int64", "usedPrimary": bool, "protectionLevel": "SOFTWARE"}
 * GET  /admin/counters          (no token; loopback only) → {"calls":{"encrypt":n,"decrypt":n},"failed":{…}}
 * POST /admin/counters/reset    (no token; loopback only) → the counters, zeroed
 * </pre>
 *
 * Errors are Google's shape, {@code {"error":{"code":400,"message":"…","status":"INVALID_ARGUMENT"}}}:
 * 401 UNAUTHENTICATED without or with a wrong bearer token, 404 NOT_FOUND for an unknown key, key
 * version or path, 400 INVALID_ARGUMENT for bad JSON, bad base64, unknown fields, a CRC32C field that
 * does not match its data, and a ciphertext that does not decrypt (another key, tampered with, or
 * another AAD), 405 for a method other than POST.
 *
 * <p>Keys exist in memory only, from {@link #createKey} to {@link #close}; each has versions made by
 * {@link #rotateKey}, the newest primary. Clients such as the project's key tool
 * ({@code --transport rest --endpoint 127.0.0.1:PORT --plaintext --access-token TOKEN}) and the
 * hub's ServiceCallout ({@code kms-endpoint} {@code http://127.0.0.1:PORT/v1}) use it as they use Cloud KMS.
 */
public final class LocalKms implements AutoCloseable {
    /** Cloud KMS's limit for SOFTWARE keys: plaintext and AAD each at most 64 KiB. */
    static final int MAX_DATA_BYTES = 64 * 1024;
    /** Request bodies above this are refused before they are parsed. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    static final String ENCRYPT = "encrypt";
    static final String DECRYPT = "decrypt";

    private static final String ID = "[A-Za-z0-9_-]{1,63}";
    private static final String SEGMENT = "[A-Za-z0-9_.~:-]{1,128}";
    private static final Pattern KEY_NAME = Pattern.compile(
            "projects/" + SEGMENT + "/locations/" + SEGMENT + "/keyRings/" + ID + "/cryptoKeys/" + ID);
    private static final Pattern VERSION_NAME = Pattern.compile(
            "(" + KEY_NAME.pattern() + ")/cryptoKeyVersions/([1-9][0-9]{0,8})");

    private static final String AUTH_HELP = " Expected OAuth 2 access token, login cookie or other valid authentication"
            + " credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";
    private static final String DECRYPTION_FAILED = "Decryption failed: verify that 'name' refers to the correct CryptoKey.";

    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] bearerToken;
    private final Map<String, CryptoKey> keys = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();

    private LocalKms(HttpServer server, ExecutorService executor, String bearerToken) {
        this.server = server;
        this.executor = executor;
        this.bearerToken = bearerToken.getBytes(StandardCharsets.UTF_8);
        for (String method : Set.of(ENCRYPT, DECRYPT)) {
            calls.put(method, new LongAdder());
            failed.put(method, new LongAdder());
        }
    }

    /**
     * Starts a server on 127.0.0.1:{@code port} (0: a free port) that accepts only
     * {@code Authorization: Bearer <bearerToken>} on the KMS methods. No key exists yet: see {@link #createKey}.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static LocalKms start(int port, String bearerToken) {
        Objects.requireNonNull(bearerToken, "bearerToken");
        if (bearerToken.isBlank() || bearerToken.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("bearerToken must be non-empty printable ASCII without spaces");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "local-kms-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(8, 2 * Runtime.getRuntime().availableProcessors()), factory);
        LocalKms kms = new LocalKms(server, executor, bearerToken);
        server.createContext("/", kms::handle);
        server.setExecutor(executor);
        server.start();
        return kms;
    }

    /** {@code http://127.0.0.1:<port>/v1}: what the hub's {@code kms-endpoint} names. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port() + "/v1");
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code 127.0.0.1:<port>}: the key tool's {@code --endpoint}. */
    public String endpoint() {
        return "127.0.0.1:" + port();
    }

    /**
     * Creates a symmetric key {@code projects/P/locations/L/keyRings/R/cryptoKeys/K} with one version
     * (1, primary). Does nothing if the key exists already. Calls naming any other key answer 404 NOT_FOUND.
     *
     * @throws IllegalArgumentException when the name is not a crypto key name
     */
    public void createKey(String cryptoKeyName) {
        keys.computeIfAbsent(requireKeyName(cryptoKeyName), CryptoKey::new);
    }

    /**
     * Adds a version to the key and makes it primary (as a Cloud KMS key rotation does); older
     * versions still decrypt. Returns the new version's name, {@code …/cryptoKeyVersions/N}.
     *
     * @throws IllegalArgumentException when the key does not exist
     */
    public String rotateKey(String cryptoKeyName) {
        CryptoKey key = existingKey(cryptoKeyName);
        return key.versionName(key.addVersion());
    }

    /** The name of the key's primary version, {@code …/cryptoKeyVersions/N}. */
    public String primaryVersion(String cryptoKeyName) {
        CryptoKey key = existingKey(cryptoKeyName);
        return key.versionName(key.primary());
    }

    /**
     * Requests addressed to {@code method} ("encrypt" or "decrypt") since the start or the last
     * {@link #resetCounters()}, whatever their outcome (refused ones included); 0 for any other name.
     */
    public long calls(String method) {
        LongAdder count = calls.get(method);
        return count == null ? 0 : count.sum();
    }

    /** Requests to {@code method} that were answered with an error (any status other than 200). */
    public long failedCalls(String method) {
        LongAdder count = failed.get(method);
        return count == null ? 0 : count.sum();
    }

    public long encryptCalls() {
        return calls(ENCRYPT);
    }

    public long decryptCalls() {
        return calls(DECRYPT);
    }

    public void resetCounters() {
        calls.values().forEach(LongAdder::reset);
        failed.values().forEach(LongAdder::reset);
    }

    /**
     * Stops the server at once (requests in progress are cut off: the JDK server would otherwise wait
     * out the whole grace period whenever a keep-alive connection is open) and forgets every key.
     */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        keys.clear();
    }

    @Override
    public String toString() {
        return "LocalKms[" + baseUrl() + ", keys=" + new TreeMap<>(keys).keySet() + "]";
    }

    private static String requireKeyName(String name) {
        if (name == null || !KEY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a crypto key name (projects/P/locations/L/keyRings/R/cryptoKeys/K): " + name);
        }
        return name;
    }

    private CryptoKey existingKey(String name) {
        CryptoKey key = keys.get(requireKeyName(name));
        if (key == null) {
            throw new IllegalArgumentException("no such key: " + name);
        }
        return key;
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(HttpExchange exchange) {
        try {
            dispatch(exchange);
        } catch (IOException | RuntimeException e) {
            // Not expected (or the client went away); still an answer in Google's shape if one can be sent.
            try {
                sendError(exchange, new KmsException(500, "INTERNAL", "Internal error encountered."));
            } catch (IOException | RuntimeException ignored) {
                // the response was already under way
            }
        } finally {
            exchange.close();
        }
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (path.startsWith("/admin/")) {
            admin(exchange, path);
            return;
        }
        String method = null;
        try {
            Route route = route(path);
            method = route.method;
            calls.get(method).increment();
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                throw new KmsException(405, "UNIMPLEMENTED",
                        "Method " + exchange.getRequestMethod() + " is not allowed on :" + method + "; use POST.");
            }
            authenticate(exchange);
            Map<String, Object> body = body(exchange);
            boolean enumAsInt = enumAsInt(exchange.getRequestURI().getRawQuery());
            Map<String, Object> response = method.equals(ENCRYPT)
                    ? encrypt(route.name, body, enumAsInt)
                    : decrypt(route.name, body, enumAsInt);
            send(exchange, 200, Json.write(response));
        } catch (KmsException e) {
            if (method != null) {
                failed.get(method).increment();
            }
            sendError(exchange, e);
        }
    }

    private static final class Route {
        final String name;
        final String method;

        Route(String name, String method) {
            this.name = name;
            this.method = method;
        }
    }

    /** {@code /v1/<name>:encrypt|decrypt}; anything else is 404 NOT_FOUND. */
    private static Route route(String rawPath) throws KmsException {
        String path = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
        int colon = path.lastIndexOf(':');
        if (path.startsWith("/v1/") && colon > 4) {
            String name = path.substring(4, colon);
            String verb = path.substring(colon + 1);
            if (verb.equals(ENCRYPT) && (KEY_NAME.matcher(name).matches() || VERSION_NAME.matcher(name).matches())) {
                return new Route(name, ENCRYPT);
            }
            if (verb.equals(DECRYPT) && KEY_NAME.matcher(name).matches()) {
                return new Route(name, DECRYPT);
            }
        }
        throw KmsException.notFound("The requested URL " + rawPath + " was not found on this server"
                + " (local KMS serves POST /v1/{cryptoKey}:encrypt, /v1/{cryptoKeyVersion}:encrypt and /v1/{cryptoKey}:decrypt).");
    }

    private void authenticate(HttpExchange exchange) throws KmsException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.isBlank()) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
            throw KmsException.unauthenticated("Request is missing required authentication credential." + AUTH_HELP);
        }
        String presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), bearerToken)) {
            exchange.getResponseHeaders().set("WWW-Authenticate",
                    "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
            throw KmsException.unauthenticated("Request had invalid authentication credentials." + AUTH_HELP);
        }
    }

    /** The JSON object of the body; an empty body is an empty request message, as with Google. */
    private static Map<String, Object> body(HttpExchange exchange) throws KmsException, IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw KmsException.invalidArgument("Request payload size exceeds the limit: " + MAX_BODY_BYTES + " bytes.");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return new LinkedHashMap<>();
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (JsonException e) {
            throw KmsException.invalidArgument("Invalid JSON payload received. " + e.getMessage() + ".");
        }
        if (!(parsed instanceof Map)) {
            throw KmsException.invalidArgument("Invalid JSON payload received. Expected an object as the request body.");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) parsed;
        return object;
    }

    private static boolean enumAsInt(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        String query = URLDecoder.decode(rawQuery.replace("+", "%2B"), StandardCharsets.UTF_8);
        return query.contains("enum-encoding=int");
    }

    // ------------------------------------------------------------------ the methods

    /** A request message: lowerCamel JSON names, or the proto field names, as Google accepts. */
    private static final class Request {
        private final Map<String, Object> body;
        private final Map<String, String> fields;

        /** {@code fields}: lowerCamel name to proto name. */
        Request(Map<String, Object> body, Map<String, String> fields, String pathName) throws KmsException {
            this.body = body;
            this.fields = fields;
            for (String member : body.keySet()) {
                if (member.equals("name")) {
                    // The path holds the name; a body may repeat it, but not name another key.
                    if (!pathName.equals(body.get("name"))) {
                        throw KmsException.invalidArgument("Invalid value at 'name': the body's name does not match the URL.");
                    }
                    continue;
                }
                if (!fields.containsKey(member) && !fields.containsValue(member)) {
                    throw KmsException.invalidArgument("Invalid JSON payload received. Unknown name \"" + member
                            + "\": Cannot find field.");
                }
            }
            for (Map.Entry<String, String> f : fields.entrySet()) {
                if (!f.getKey().equals(f.getValue()) && body.containsKey(f.getKey()) && body.containsKey(f.getValue())) {
                    throw KmsException.invalidArgument("Invalid JSON payload received. Field \"" + f.getValue()
                            + "\" is given twice (as \"" + f.getKey() + "\" and \"" + f.getValue() + "\").");
                }
            }
        }

        private Object raw(String camel) {
            Object value = body.get(camel);
            return value != null ? value : body.get(fields.get(camel));
        }

        /** A bytes field: base64 (standard or URL-safe, padding optional); absent or null is empty. */
        byte[] bytes(String camel) throws KmsException {
            Object value = raw(camel);
            if (value == null) {
                return new byte[0];
            }
            if (!(value instanceof String)) {
                throw KmsException.invalidArgument("Invalid value at '" + fields.get(camel) + "' (TYPE_BYTES), " + Json.write(value));
            }
            String text = ((String) value).replace('-', '+').replace('_', '/');
            try {
                return Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw KmsException.invalidArgument("Invalid value at '" + fields.get(camel)
                        + "' (TYPE_BYTES), Base64 decoding failed for \"" + abbreviate((String) value) + "\"");
            }
        }

        /** A {@code google.protobuf.Int64Value} field: a decimal string or a JSON integer; null if absent. */
        Long int64(String camel) throws KmsException {
            Object value = raw(camel);
            if (value == null) {
                return null;
            }
            String invalid = "Invalid value at '" + fields.get(camel) + "' (type.googleapis.com/google.protobuf.Int64Value), ";
            try {
                if (value instanceof String) {
                    return Long.parseLong((String) value);
                }
                if (value instanceof Long) {
                    return (Long) value;
                }
                if (value instanceof BigDecimal) {
                    return ((BigDecimal) value).longValueExact();
                }
            } catch (NumberFormatException | ArithmeticException e) {
                throw KmsException.invalidArgument(invalid + Json.write(value));
            }
            throw KmsException.invalidArgument(invalid + Json.write(value));
        }
    }

    private static final Map<String, String> ENCRYPT_FIELDS = Map.of(
            "plaintext", "plaintext",
            "additionalAuthenticatedData", "additional_authenticated_data",
            "plaintextCrc32c", "plaintext_crc32c",
            "additionalAuthenticatedDataCrc32c", "additional_authenticated_data_crc32c");
    private static final Map<String, String> DECRYPT_FIELDS = Map.of(
            "ciphertext", "ciphertext",
            "additionalAuthenticatedData", "additional_authenticated_data",
            "ciphertextCrc32c", "ciphertext_crc32c",
            "additionalAuthenticatedDataCrc32c", "additional_authenticated_data_crc32c");

    private Map<String, Object> encrypt(String name, Map<String, Object> body, boolean enumAsInt) throws KmsException {
        Request request = new Request(body, ENCRYPT_FIELDS, name);
        byte[] plaintext = request.bytes("plaintext");
        byte[] aad = request.bytes("additionalAuthenticatedData");
        Long plaintextCrc = request.int64("plaintextCrc32c");
        Long aadCrc = request.int64("additionalAuthenticatedDataCrc32c");
        if (plaintext.length == 0) {
            throw KmsException.invalidArgument("The request must specify 'plaintext'.");
        }
        if (plaintext.length > MAX_DATA_BYTES) {
            throw KmsException.invalidArgument("The plaintext must be no larger than 64KiB (" + plaintext.length + " bytes given).");
        }
        if (aad.length > MAX_DATA_BYTES) {
            throw KmsException.invalidArgument("The additional_authenticated_data must be no larger than 64KiB.");
        }

        CryptoKey key;
        int version;
        Matcher versionName = VERSION_NAME.matcher(name);
        if (versionName.matches()) {
            key = lookup(versionName.group(1));
            version = Integer.parseInt(versionName.group(2));
            if (!key.hasVersion(version)) {
                throw KmsException.notFound("CryptoKeyVersion " + name + " not found.");
            }
        } else {
            key = lookup(name);
            version = key.primary();
        }
        verify(plaintextCrc, plaintext, "plaintext_crc32c", "plaintext");
        verify(aadCrc, aad, "additional_authenticated_data_crc32c", "additional_authenticated_data");

        byte[] ciphertext = key.encrypt(version, plaintext, aad);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("name", key.versionName(version));
        response.put("ciphertext", Base64.getEncoder().encodeToString(ciphertext));
        response.put("ciphertextCrc32c", Long.toString(crc32c(ciphertext)));
        response.put("verifiedPlaintextCrc32c", plaintextCrc != null);
        response.put("verifiedAdditionalAuthenticatedDataCrc32c", aadCrc != null);
        response.put("protectionLevel", enumAsInt ? (Object) 1 : "SOFTWARE");
        return response;
    }

    private Map<String, Object> decrypt(String name, Map<String, Object> body, boolean enumAsInt) throws KmsException {
        Request request = new Request(body, DECRYPT_FIELDS, name);
        byte[] ciphertext = request.bytes("ciphertext");
        byte[] aad = request.bytes("additionalAuthenticatedData");
        Long ciphertextCrc = request.int64("ciphertextCrc32c");
        Long aadCrc = request.int64("additionalAuthenticatedDataCrc32c");
        if (ciphertext.length == 0) {
            throw KmsException.invalidArgument("The request must specify 'ciphertext'.");
        }
        if (ciphertext.length > MAX_DATA_BYTES + CryptoKey.OVERHEAD) {
            throw KmsException.invalidArgument("The ciphertext is too large.");
        }
        if (aad.length > MAX_DATA_BYTES) {
            throw KmsException.invalidArgument("The additional_authenticated_data must be no larger than 64KiB.");
        }
        CryptoKey key = lookup(name);
        verify(ciphertextCrc, ciphertext, "ciphertext_crc32c", "ciphertext");
        verify(aadCrc, aad, "additional_authenticated_data_crc32c", "additional_authenticated_data");

        CryptoKey.Decrypted decrypted;
        try {
            decrypted = key.decrypt(ciphertext, aad);
        } catch (GeneralSecurityException e) {
            throw KmsException.invalidArgument(DECRYPTION_FAILED);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("plaintext", Base64.getEncoder().encodeToString(decrypted.plaintext()));
        response.put("plaintextCrc32c", Long.toString(crc32c(decrypted.plaintext())));
        response.put("usedPrimary", decrypted.version() == key.primary());
        response.put("protectionLevel", enumAsInt ? (Object) 1 : "SOFTWARE");
        return response;
    }

    private CryptoKey lookup(String name) throws KmsException {
        CryptoKey key = keys.get(name);
        if (key == null) {
            throw KmsException.notFound("CryptoKey " + name + " not found.");
        }
        return key;
    }

    private static void verify(Long expected, byte[] data, String checksumField, String dataField) throws KmsException {
        if (expected != null && expected != crc32c(data)) {
            throw KmsException.invalidArgument("The checksum in field " + checksumField
                    + " did not match the data in field " + dataField + ".");
        }
    }

    static long crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    // ------------------------------------------------------------------ admin and responses

    private void admin(HttpExchange exchange, String path) throws IOException {
        if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
            sendError(exchange, new KmsException(403, "PERMISSION_DENIED", "The admin endpoints answer loopback clients only."));
            return;
        }
        String verb = exchange.getRequestMethod();
        if (path.equals("/admin/counters") && verb.equals("GET")) {
            send(exchange, 200, countersJson());
        } else if (path.equals("/admin/counters/reset") && verb.equals("POST")) {
            resetCounters();
            send(exchange, 200, countersJson());
        } else if (path.equals("/admin/counters") || path.equals("/admin/counters/reset")) {
            exchange.getResponseHeaders().set("Allow", path.endsWith("reset") ? "POST" : "GET");
            sendError(exchange, new KmsException(405, "UNIMPLEMENTED", "Method " + verb + " is not allowed on " + path + "."));
        } else {
            sendError(exchange, KmsException.notFound("The requested URL " + path + " was not found on this server."));
        }
    }

    private String countersJson() {
        Map<String, Object> c = new LinkedHashMap<>();
        Map<String, Object> f = new LinkedHashMap<>();
        for (String method : new String[] {ENCRYPT, DECRYPT}) {
            c.put(method, calls(method));
            f.put(method, failedCalls(method));
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("calls", c);
        all.put("failed", f);
        return Json.write(all);
    }

    private static void sendError(HttpExchange exchange, KmsException e) throws IOException {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.httpStatus());
        error.put("message", e.getMessage());
        error.put("status", e.status());
        send(exchange, e.httpStatus(), Json.write(Map.of("error", error)));
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        // Whatever was not read of the request body is drained, so the connection can be reused.
        try (InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the body stream is already closed
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.getResponseHeaders().set("Cache-Control", "private");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
