package eu.securehub.psd2.keytool;

import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.protobuf.ByteString;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.QsealEntry;
import eu.securehub.psd2.callouts.crypto.QsealException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * {@code qseal import} and {@code qseal show}: the {@code qseal} entry of the psd2-hub-keys KVM file, the TPP's QSEAL
 * certificate and its private key encrypted in the callouts' envelope format under the keyring's current data key
 * (format: {@link QsealEntry}). The private key and the DEK exist in the clear only in memory; neither is printed.
 */
final class QsealTool {
    private final KekClient kms;

    QsealTool(KeyManagementServiceClient client) {
        this.kms = new KekClient(client);
    }

    /** A QSEAL read from a PKCS#12 file and checked, ready to import; its toString never shows the key. */
    static final class Qseal {
        final X509Certificate certificate;
        final PrivateKey key;
        final Path source;

        Qseal(X509Certificate certificate, PrivateKey key, Path source) {
            this.certificate = certificate;
            this.key = key;
            this.source = source;
        }

        @Override
        public String toString() {
            return "Qseal[" + QsealEntry.keyIdOf(certificate) + " from " + source + "]";
        }
    }

    /**
     * Reads the key entry {@code alias} of the PKCS#12 file and checks it: an RSA key of at least
     * {@value QsealEntry#MIN_RSA_BITS} bits, its certificate, the two belonging together, valid at {@code now}.
     */
    static Qseal read(Options.QsealImport q, Map<String, String> environment, Instant now) throws ToolException {
        char[] password = password(q, environment);
        try {
            KeyStore store = load(q.p12(), password);
            String alias = q.alias();
            String where = "alias " + alias + " of " + q.p12();
            Key key;
            Certificate certificate;
            try {
                if (!store.isKeyEntry(alias)) {
                    throw ToolException.failed(q.p12() + " has no key entry " + alias + " (key entries: " + keyAliases(store) + ")");
                }
                key = store.getKey(alias, password);
                certificate = store.getCertificate(alias);
            } catch (UnrecoverableKeyException e) {
                throw ToolException.failed("cannot read the key of " + where + ": its password is not the file's");
            } catch (GeneralSecurityException e) {
                throw ToolException.failed("cannot read the key of " + where + ": " + KmsErrors.detail(e));
            }
            if (!(key instanceof RSAPrivateKey)) {
                throw ToolException.failed("the key of " + where + " is " + (key == null ? "missing" : key.getAlgorithm())
                        + ", not RSA: a Berlin Group signature (rsa-sha256) needs an RSA QSEAL");
            }
            int bits = ((RSAPrivateKey) key).getModulus().bitLength();
            if (bits < QsealEntry.MIN_RSA_BITS) {
                throw ToolException.failed("the key of " + where + " is RSA of " + bits + " bits; a QSEAL needs at least "
                        + QsealEntry.MIN_RSA_BITS);
            }
            if (!(certificate instanceof X509Certificate)) {
                throw ToolException.failed("the key of " + where + " has no X.509 certificate");
            }
            X509Certificate x509 = (X509Certificate) certificate;
            try {
                QsealEntry.check(x509);
            } catch (QsealException e) {
                throw ToolException.failed(where + ": the " + e.getMessage().substring("qseal ".length()));
            }
            try {
                QsealEntry.checkPair(x509, (PrivateKey) key);
            } catch (QsealException e) {
                throw ToolException.failed("the key of " + where + " does not belong to its certificate");
            }
            Instant notAfter = QsealEntry.notAfter(x509);
            if (notAfter.isBefore(now)) {
                throw ToolException.failed("the certificate of " + where + " expired at " + notAfter
                        + ": a bank refuses an expired QSEAL; import its successor");
            }
            Instant notBefore = x509.getNotBefore().toInstant();
            if (notBefore.isAfter(now)) {
                throw ToolException.failed("the certificate of " + where + " is not valid before " + notBefore
                        + ": import it once it is valid");
            }
            return new Qseal(x509, (PrivateKey) key, q.p12());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static KeyStore load(Path p12, char[] password) throws ToolException {
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (NoSuchFileException e) {
            throw ToolException.failed(p12 + " not found");
        } catch (IOException e) {
            throw ToolException.failed("cannot open " + p12 + ": wrong password, or not a PKCS#12 file ("
                    + KmsErrors.oneLine(String.valueOf(e.getMessage())) + ")");
        } catch (GeneralSecurityException e) {
            throw ToolException.failed("cannot open " + p12 + ": " + KmsErrors.detail(e));
        }
    }

    private static String keyAliases(KeyStore store) throws GeneralSecurityException {
        List<String> keys = new ArrayList<>();
        for (String a : Collections.list(store.aliases())) {
            if (store.isKeyEntry(a)) {
                keys.add(a);
            }
        }
        return keys.isEmpty() ? "none" : String.join(", ", keys);
    }

    /** The PKCS#12 password: the password file's content (one trailing line end dropped), or the environment variable. */
    private static char[] password(Options.QsealImport q, Map<String, String> environment) throws ToolException {
        if (q.passwordFile() == null) {
            String value = environment.get(Options.QSEAL_PASSWORD_ENV);
            if (value == null || value.isEmpty()) {
                throw ToolException.failed(Options.QSEAL_PASSWORD_ENV + " is not set");
            }
            return value.toCharArray();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(q.passwordFile());
        } catch (NoSuchFileException e) {
            throw ToolException.failed("password file " + q.passwordFile() + " not found");
        } catch (IOException e) {
            throw ToolException.failed("cannot read the password file " + q.passwordFile() + ": "
                    + KmsErrors.oneLine(String.valueOf(e.getMessage())));
        }
        CharBuffer chars;
        try {
            chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw ToolException.failed("the password file " + q.passwordFile() + " is not UTF-8 text");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        int end = chars.limit();
        if (end > 0 && chars.get(end - 1) == '\n') {
            end--;
            if (end > 0 && chars.get(end - 1) == '\r') {
                end--;
            }
        }
        char[] password = new char[end];
        chars.get(password, 0, end);
        chars.clear();
        while (chars.hasRemaining()) {
            chars.put('\0');
        }
        if (password.length == 0) {
            throw ToolException.failed("the password file " + q.passwordFile() + " is empty");
        }
        return password;
    }

    /**
     * Encrypts the QSEAL's PKCS#8 key under the keyring's current DEK (unwrapped with Cloud KMS for this) and writes
     * the qseal entry, replacing an existing one. Returns what to print: the new and old keyId and notAfter.
     */
    String importInto(KvmFile file, Qseal qseal) throws ToolException {
        KeyringModel ring = KeyringTool.read(file);
        String previous = previous(file);
        String keyId = ring.current;
        ByteString dek = kms.unwrap(ring.kek, keyId, ring.keys.get(keyId));
        KeyringTool.checkUnwrapped(keyId, dek, ring.checks.get(keyId));
        DataKey dataKey;
        byte[] copy = dek.toByteArray();
        try {
            dataKey = DataKey.derive(keyId, copy);
        } finally {
            Arrays.fill(copy, (byte) 0);
        }
        String entry;
        byte[] pkcs8 = qseal.key.getEncoded();
        try {
            String envelope = Envelope.encryptToText(dataKey, pkcs8, QsealEntry.associatedData(qseal.certificate));
            entry = QsealEntry.toJson(qseal.certificate, envelope);
            // Read back as the callout will: it decrypts and its key belongs to the certificate.
            QsealEntry.parse(entry).privateKey(id -> dataKey);
        } catch (QsealException e) {
            throw new IllegalStateException("the tool made an unusable qseal entry: " + e.getMessage());
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
        file.setValue(KvmFile.QSEAL_ENTRY, entry);
        file.save();
        X509Certificate c = qseal.certificate;
        return "imported the QSEAL into " + file.path() + " (entry " + KvmFile.QSEAL_ENTRY + "): keyId " + QsealEntry.keyIdOf(c)
                + ", notAfter " + QsealEntry.notAfter(c) + ", its key encrypted under data key " + keyId
                + "\n" + (previous == null ? "there was no qseal entry before" : "replaced " + previous);
    }

    /** The keyId and notAfter of the entry being replaced, or null when there is none. */
    private static String previous(KvmFile file) {
        String old = file.value(KvmFile.QSEAL_ENTRY);
        if (old == null) {
            return null;
        }
        try {
            QsealEntry entry = QsealEntry.parse(old);
            return "keyId " + entry.keyId() + ", notAfter " + entry.notAfter();
        } catch (QsealException e) {
            return "an unreadable qseal entry (" + e.getMessage() + ")";
        }
    }

    /** keyId, subject, validity and data key of the qseal entry; no key material, no KMS call. */
    static String show(KvmFile file, Instant now) throws ToolException {
        if (!file.exists()) {
            throw ToolException.failed(file.path() + " not found (check --env and --config-dir)");
        }
        String value = file.value(KvmFile.QSEAL_ENTRY);
        if (value == null) {
            throw ToolException.failed(file.path() + " has no " + KvmFile.QSEAL_ENTRY + " entry (add one with qseal import)");
        }
        QsealEntry entry;
        try {
            entry = QsealEntry.parse(value);
        } catch (QsealException e) {
            throw ToolException.failed(file.path() + ": entry " + KvmFile.QSEAL_ENTRY + " is not valid: " + e.getMessage());
        }
        StringBuilder s = new StringBuilder();
        s.append("file:      ").append(file.path()).append(" (entry ").append(KvmFile.QSEAL_ENTRY).append(")\n");
        s.append("keyId:     ").append(entry.keyId()).append('\n');
        s.append("subject:   ").append(entry.certificate().getSubjectX500Principal().getName(X500Principal.RFC2253)).append('\n');
        s.append("notBefore: ").append(entry.notBefore()).append('\n');
        s.append("notAfter:  ").append(entry.notAfter());
        if (entry.notAfter().isBefore(now)) {
            s.append("  EXPIRED: roll the QSEAL (qseal import)");
        }
        s.append('\n');
        s.append("dataKey:   ").append(entry.dataKeyId()).append('\n');
        return s.toString();
    }
}
