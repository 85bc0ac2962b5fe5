package eu.securehub.psd2.keytool;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import eu.securehub.psd2.callouts.crypto.QsealEntry;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An environment's KVM file, {@code kvms/ENV/psd2-hub-keys.json}, in the shape
 * apigee-config-maven-plugin reads:
 *
 * <pre>
 * {"name":"psd2-hub-keys","entry":[{"name":"dek-keyring","value":"&lt;keyring JSON as a string&gt;"}, ...]}
 * </pre>
 *
 * Only the {@code dek-keyring} and {@code qseal} entries are ever changed; other entries and members keep their
 * content and order. The file is written pretty-printed with a 2-space indent, so diffs stay readable.
 */
final class KvmFile {
    static final String MAP_NAME = "psd2-hub-keys";
    static final String ENTRY_NAME = "dek-keyring";
    static final String QSEAL_ENTRY = QsealEntry.ENTRY_NAME;
    /** The entries the tool writes: each at most once, with a string value. */
    private static final List<String> MANAGED = List.of(ENTRY_NAME, QSEAL_ENTRY);

    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private final Path path;
    private final JsonObject document;
    private final boolean exists;

    private KvmFile(Path path, JsonObject document, boolean exists) {
        this.path = path;
        this.document = document;
        this.exists = exists;
    }

    static Path pathOf(Path configDir, String env) {
        return configDir.resolve("kvms").resolve(env).resolve(MAP_NAME + ".json");
    }

    /** Reads and checks the file; a missing file is an empty KVM, {@link #exists()} false. */
    static KvmFile load(Path configDir, String env) throws ToolException {
        Path path = pathOf(configDir, env);
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            JsonObject empty = new JsonObject();
            empty.addProperty("name", MAP_NAME);
            empty.add("entry", new JsonArray());
            return new KvmFile(path, empty, false);
        } catch (IOException e) {
            throw ToolException.failed("cannot read " + path + ": " + KmsErrors.oneLine(String.valueOf(e.getMessage())));
        }
        KvmFile file = new KvmFile(path, parse(text, path), true);
        file.check();
        return file;
    }

    private static JsonObject parse(String text, Path path) throws ToolException {
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("text after the JSON value");
            }
            if (!root.isJsonObject()) {
                throw ToolException.failed(path + " is not a JSON object");
            }
            return root.getAsJsonObject();
        } catch (JsonParseException | IOException e) {
            throw ToolException.failed(path + " is not valid JSON: " + KmsErrors.oneLine(String.valueOf(e.getMessage())));
        }
    }

    private void check() throws ToolException {
        JsonElement name = document.get("name");
        if (name != null && !new JsonPrimitive(MAP_NAME).equals(name)) {
            throw ToolException.failed(path + " has \"name\": " + name + ", expected \"" + MAP_NAME + "\"");
        }
        JsonElement entries = document.get("entry");
        if (entries == null) {
            return;
        }
        if (!entries.isJsonArray()) {
            throw ToolException.failed(path + ": \"entry\" is not an array");
        }
        Map<String, Integer> counts = new HashMap<>();
        for (JsonElement e : entries.getAsJsonArray()) {
            if (!e.isJsonObject() || !isString(e.getAsJsonObject().get("name"))) {
                throw ToolException.failed(path + ": every member of \"entry\" needs a string \"name\"");
            }
            String entryName = e.getAsJsonObject().get("name").getAsString();
            if (MANAGED.contains(entryName)) {
                counts.merge(entryName, 1, Integer::sum);
                if (!isString(e.getAsJsonObject().get("value"))) {
                    throw ToolException.failed(path + ": entry " + entryName + " has no string \"value\"");
                }
            }
        }
        for (String managed : MANAGED) {
            int n = counts.getOrDefault(managed, 0);
            if (n > 1) {
                throw ToolException.failed(path + " has " + n + " entries named " + managed);
            }
        }
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    boolean exists() {
        return exists;
    }

    Path path() {
        return path;
    }

    /** The keyring entry's value, or null when there is none. */
    String keyring() {
        return value(ENTRY_NAME);
    }

    /** The value of a managed entry, or null when there is none. */
    String value(String name) {
        JsonObject entry = entry(name);
        return entry == null ? null : entry.get("value").getAsString();
    }

    /** The keyring entry's value; fails when the file or the entry is missing. */
    String requireKeyring() throws ToolException {
        if (!exists) {
            throw ToolException.failed(path + " not found (create the keyring first, or check --env and --config-dir)");
        }
        String keyring = keyring();
        if (keyring == null) {
            throw ToolException.failed(path + " has no " + ENTRY_NAME + " entry (create the keyring first)");
        }
        return keyring;
    }

    /** Sets the keyring entry's value, in place if it exists, else as the last entry. */
    void setKeyring(String keyringJson) {
        setValue(ENTRY_NAME, keyringJson);
    }

    /** Sets a managed entry's value, in place if it exists, else as the last entry. */
    void setValue(String name, String value) {
        if (!MANAGED.contains(name)) {
            throw new IllegalArgumentException("the tool writes only the entries " + MANAGED);
        }
        JsonObject entry = entry(name);
        if (entry != null) {
            entry.addProperty("value", value);
            return;
        }
        if (!document.has("entry")) {
            document.add("entry", new JsonArray());
        }
        entry = new JsonObject();
        entry.addProperty("name", name);
        entry.addProperty("value", value);
        document.getAsJsonArray("entry").add(entry);
    }

    private JsonObject entry(String name) {
        JsonArray entries = document.has("entry") ? document.getAsJsonArray("entry") : new JsonArray();
        for (JsonElement e : entries) {
            if (name.equals(e.getAsJsonObject().get("name").getAsString())) {
                return e.getAsJsonObject();
            }
        }
        return null;
    }

    /** Writes the file through a temporary file and a rename, so it is never left half-written. */
    void save() throws ToolException {
        String text = PRETTY.toJson(document) + "\n";
        Path dir = path.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "." + MAP_NAME, ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw ToolException.failed("cannot write " + path + ": " + KmsErrors.oneLine(String.valueOf(e.getMessage())));
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: a leftover temporary file holds only wrapped or encrypted keys
                }
            }
        }
    }
}
