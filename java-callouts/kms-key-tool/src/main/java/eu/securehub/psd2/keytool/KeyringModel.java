package eu.securehub.psd2.keytool;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.callouts.crypto.KeyringException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A keyring being edited. It is read with, and every keyring written is checked by, the callouts'
 * own {@link Keyring#of(String)}: the format has one definition. Keys keep their order, oldest first.
 */
final class KeyringModel {
    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().create();

    String kek;
    String current;
    String lookup;
    /** Key id to wrapped DEK (base64 KMS ciphertext). */
    final Map<String, String> keys = new LinkedHashMap<>();
    /** Key id to the DEK's key check value ({@code DataKey#checkValue()}). */
    final Map<String, String> checks = new LinkedHashMap<>();

    /** A new keyring of one key, both current and lookup. */
    static KeyringModel of(String kek, String keyId, String wrapped, String check) {
        KeyringModel ring = new KeyringModel();
        ring.kek = kek;
        ring.current = keyId;
        ring.lookup = keyId;
        ring.put(keyId, wrapped, check);
        return ring;
    }

    void put(String keyId, String wrapped, String check) {
        keys.put(keyId, wrapped);
        checks.put(keyId, check);
    }

    /** Reads a keyring; {@code source} names where it came from, for the message of a bad one. */
    static KeyringModel parse(String json, Object source) throws ToolException {
        Keyring keyring;
        try {
            keyring = Keyring.of(json);
        } catch (KeyringException e) {
            throw ToolException.failed(source + ": entry " + KvmFile.ENTRY_NAME + " is not a valid keyring: " + e.getMessage());
        }
        KeyringModel ring = new KeyringModel();
        ring.kek = keyring.kek();
        ring.current = keyring.current();
        ring.lookup = keyring.lookup();
        keyring.keys().forEach((id, key) -> ring.put(id, key.wrapped(), key.check()));
        return ring;
    }

    /** The keyring as the KVM holds it: compact JSON, checked by {@link Keyring#of(String)}. */
    String toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("version", 1);
        json.addProperty("kek", kek);
        json.addProperty("current", current);
        json.addProperty("lookup", lookup);
        JsonObject wrapped = new JsonObject();
        keys.forEach(wrapped::addProperty);
        json.add("keys", wrapped);
        JsonObject checkValues = new JsonObject();
        checks.forEach(checkValues::addProperty);
        json.add("checks", checkValues);
        String text = COMPACT.toJson(json);
        try {
            Keyring.of(text);
        } catch (KeyringException e) {
            throw new IllegalStateException("the tool made an invalid keyring: " + e.getMessage());
        }
        return text;
    }
}
