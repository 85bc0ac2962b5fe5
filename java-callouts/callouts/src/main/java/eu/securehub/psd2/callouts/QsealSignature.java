package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.callouts.crypto.QsealEntry;
import eu.securehub.psd2.callouts.crypto.QsealException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code Java-QsealSignature}: the Berlin Group (NextGenPSD2 1.3.x) signature of one request message the flow is
 * about to send to a bank, after draft-cavage-http-signatures-10: the Digest, Signature and
 * TPP-Signature-Certificate header values, signed with the TPP's QSEAL (KVM entry {@code qseal}, its private key
 * encrypted under a keyring data key). The callout reads the message's body and headers through flow variables and
 * only sets output variables; an AssignMessage sets the headers. See java-callouts/README.md for properties and variables.
 */
public final class QsealSignature extends KeyedCallout {
    static final String PREFIX = "signature";

    /** The properties this callout reads (besides the keyring ones and {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("qseal", "message", "headers");

    /** The header names a bank's list may name, in no particular order. */
    static final Set<String> ALLOWED = Set.of("digest", "x-request-id", "psu-id", "psu-corporate-id", "date",
            "tpp-redirect-uri", "tpp-nok-redirect-uri", "psu-ip-address", "consent-id", "content-type");

    /**
     * Signed whenever the message carries them, even when the bank's list leaves them out (the Berlin Group
     * requires them "where present"; digest and x-request-id always), appended in this order.
     */
    static final List<String> FORCED = List.of("digest", "x-request-id", "psu-id", "psu-corporate-id", "date",
            "tpp-redirect-uri");

    /** RFC 7231 IMF-fixdate, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT} (two-digit day, unlike RFC_1123_DATE_TIME). */
    static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /** Parsed QSEAL entries with their private keys, per class loader (a revision on a node). */
    static final int MAX_CACHED = 4;
    private static final Map<String, Signer> SIGNERS = new ConcurrentHashMap<>();

    /** A QSEAL entry ready to sign: its certificate's details and its private key, until {@code expiresAtMillis}. */
    private static final class Signer {
        final QsealEntry entry;
        final PrivateKey key;
        final long expiresAtMillis;

        Signer(QsealEntry entry, PrivateKey key, long expiresAtMillis) {
            this.entry = entry;
            this.key = key;
            this.expiresAtMillis = expiresAtMillis;
        }
    }

    private static final String[] OUTPUTS = {"digest", "value", "certificate", "date", "headers"};

    public QsealSignature(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, OUTPUTS);
    }

    @Override
    protected void runWithKeys(MessageContext ctx, Keyring ring, long now) throws CalloutException {
        for (String output : OUTPUTS) {
            ctx.removeVariable(var(output));
        }
        String message = required(ctx, "message");
        if (!Template.isVariableName(message)) {
            throw new CalloutException("invalid_property", "message is not a variable name");
        }
        List<String> listed = headerList(required(ctx, "headers"));
        Signer signer = signer(ctx, ring, now);

        String body = variable(ctx, message + ".content");
        String digest = "SHA-256=" + Base64.getEncoder().encodeToString(sha256(body.getBytes(StandardCharsets.UTF_8)));

        Map<String, String> values = new LinkedHashMap<>();
        String generatedDate = "";
        for (String name : listed) {
            String value = headerValue(ctx, message, name, digest);
            if (value.isEmpty() && name.equals("date")) {
                generatedDate = IMF_FIXDATE.format(Instant.ofEpochMilli(now));
                value = generatedDate;
            }
            if (!value.isEmpty()) {
                values.put(name, value);
            }
        }
        for (String name : FORCED) {
            if (!values.containsKey(name)) {
                String value = headerValue(ctx, message, name, digest);
                if (!value.isEmpty()) {
                    values.put(name, value);
                }
            }
        }
        if (!values.containsKey("x-request-id")) {
            throw new CalloutException("missing_header", "message " + message + " has no X-Request-ID header");
        }

        StringBuilder signingString = new StringBuilder(256);
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (signingString.length() > 0) {
                signingString.append('\n');
            }
            signingString.append(e.getKey()).append(": ").append(e.getValue());
        }
        String names = String.join(" ", values.keySet());
        String signature = Base64.getEncoder().encodeToString(sign(signer.key,
                signingString.toString().getBytes(StandardCharsets.UTF_8)));

        ctx.setVariable(var("digest"), digest);
        ctx.setVariable(var("value"), "keyId=\"" + signer.entry.keyId() + "\",algorithm=\"rsa-sha256\",headers=\""
                + names + "\",signature=\"" + signature + "\"");
        ctx.setVariable(var("certificate"), signer.entry.certificateBase64());
        ctx.setVariable(var("date"), generatedDate);
        ctx.setVariable(var("headers"), names);
    }

    /** The bank's list: known names, each once, in its order. */
    static List<String> headerList(String text) throws CalloutException {
        List<String> names = new ArrayList<>();
        for (String raw : text.trim().split("\\s+")) {
            String name = raw.toLowerCase(Locale.ROOT);
            if (name.equals("(request-target)")) {
                // Apigee X documents no variable holding the path and query the bank receives (request.uri in a
                // TargetEndpoint is the proxy's), so this callout cannot sign it faithfully.
                throw new CalloutException("invalid_property", "headers names (request-target), which this callout does not sign");
            }
            if (!ALLOWED.contains(name)) {
                // A configured name, not request data: quoted when it looks like a header name at all.
                String shown = name.matches("[a-z0-9-]{1,40}") ? " " + name : "";
                throw new CalloutException("invalid_property", "headers names a header this callout does not sign" + shown
                        + "; known: " + String.join(" ", new TreeSet<>(ALLOWED)));
            }
            if (names.contains(name)) {
                throw new CalloutException("invalid_property", "headers names " + name + " twice");
            }
            names.add(name);
        }
        return names;
    }

    /** A header's value as the message will carry it (digest: the one computed here), trimmed; empty when absent. */
    private static String headerValue(MessageContext ctx, String message, String name, String digest)
            throws CalloutException {
        if (name.equals("digest")) {
            return digest;
        }
        // request.header.X returns only the text before the first comma (a Date has one); .values.string is the whole
        // value, several values joined with ", " as draft-cavage concatenates them.
        String prefix = message + ".header." + name;
        String value = variable(ctx, prefix + ".values.string");
        if (value.isEmpty()) {
            value = variable(ctx, prefix);
        }
        value = value.trim();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new CalloutException("invalid_header", "header " + name + " of message " + message
                        + " holds a line break or NUL");
            }
        }
        return value;
    }

    private static String variable(MessageContext ctx, String name) {
        Object value = ctx.getVariable(name);
        return value == null ? "" : value.toString();
    }

    /** The entry's signer, from the cache or made now: parsed, checked, the key decrypted (asking for an unwrap if need be). */
    private Signer signer(MessageContext ctx, Keyring ring, long now) throws CalloutException {
        String text = required(ctx, "qseal");
        String cacheKey = Envelope.text(sha256(text.getBytes(StandardCharsets.UTF_8)));
        Signer signer = SIGNERS.get(cacheKey);
        if (signer != null && now >= signer.expiresAtMillis) {
            SIGNERS.remove(cacheKey, signer);
            signer = null;
        }
        QsealEntry entry;
        if (signer != null) {
            entry = signer.entry;
        } else {
            try {
                entry = QsealEntry.parse(text);
            } catch (QsealException e) {
                throw new CalloutException("invalid_qseal", e.getMessage());
            }
        }
        checkValidity(entry, now);
        if (signer == null) {
            PrivateKey key;
            try {
                key = entry.privateKey(keyId -> dataKey(ring, keyId, now));
            } catch (QsealException e) {
                throw new CalloutException("invalid_qseal", e.getMessage());
            }
            long ttl = longProperty(ctx, "dek-cache-seconds", DEFAULT_CACHE_SECONDS, 1, 86400);
            signer = new Signer(entry, key, now + ttl * 1000);
            put(cacheKey, signer, now);
        }
        return signer;
    }

    private static void checkValidity(QsealEntry entry, long now) throws CalloutException {
        Instant at = Instant.ofEpochMilli(now);
        if (entry.notAfter().isBefore(at)) {
            throw new CalloutException("qseal_expired", "the QSEAL certificate expired at " + entry.notAfter()
                    + ": roll the QSEAL (kms-key-tool qseal import) and deploy the psd2-hub-keys KVM");
        }
        if (entry.notBefore().isAfter(at)) {
            throw new CalloutException("invalid_qseal", "the QSEAL certificate is not valid before " + entry.notBefore());
        }
    }

    private static void put(String cacheKey, Signer signer, long now) {
        if (SIGNERS.size() >= MAX_CACHED) {
            SIGNERS.values().removeIf(s -> now >= s.expiresAtMillis);
            Iterator<String> it = SIGNERS.keySet().iterator();
            while (SIGNERS.size() >= MAX_CACHED && it.hasNext()) {
                it.next();
                it.remove(); // any entry will do: it is decrypted again on demand
            }
        }
        SIGNERS.put(cacheKey, signer);
    }

    /** Empties the signer cache (tests). */
    static void clearCache() {
        SIGNERS.clear();
    }

    static int cacheSize() {
        return SIGNERS.size();
    }

    private static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA256withRSA failed", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
