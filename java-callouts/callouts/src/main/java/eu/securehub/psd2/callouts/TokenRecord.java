package eu.securehub.psd2.callouts;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bank token set behind one opaque token, as stored (encrypted) in the token KVM.
 *
 * <p>Plaintext layout, version 2 (big-endian; a string is an unsigned 16-bit byte length and UTF-8):
 * <pre>
 *   byte version (2)
 *   long access-token expiry, long last SCA time, long hub-token expiry, long issued at (epoch seconds)
 *   unsigned short the consent's frequencyPerDay
 *   string access token, refresh token (empty: none), consent id (a payment's record: its bank resource,
 *          {@code <service>/<product>/<bank payment id>}), bank id, CRM app id
 * </pre>
 * Version 1 (the same without the frequency) is still read, as frequency {@value #DEFAULT_FREQUENCY_PER_DAY}.
 * Binary rather than JSON: the record is only ever read by this class, always encrypted, and parsing
 * it sits on every CRM request's path (a JSON parse of the bank's JWT was a third of a resolve).
 */
final class TokenRecord {
    static final String PREFIX = "token";
    static final byte VERSION = 2;
    static final byte VERSION_1 = 1;
    static final int DEFAULT_FREQUENCY_PER_DAY = 4;

    final String accessToken;
    final String refreshToken;
    final long accessExpiresAt;
    final String consentId;
    final String bankId;
    final String appId;
    final long scaTime;
    final long expiresAt;
    final long issuedAt;
    final int frequencyPerDay;

    TokenRecord(String accessToken, String refreshToken, long accessExpiresAt, String consentId, String bankId,
            String appId, long scaTime, long expiresAt, long issuedAt, int frequencyPerDay) {
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
        this.accessExpiresAt = accessExpiresAt;
        this.consentId = consentId;
        this.bankId = bankId;
        this.appId = appId;
        this.scaTime = scaTime;
        this.expiresAt = expiresAt;
        this.issuedAt = issuedAt;
        this.frequencyPerDay = frequencyPerDay;
    }

    TokenRecord expiringAt(long at) {
        return new TokenRecord(accessToken, refreshToken, accessExpiresAt, consentId, bankId, appId, scaTime, at, issuedAt,
                frequencyPerDay);
    }

    byte[] toBytes() {
        byte[][] strings = {utf8(accessToken), utf8(refreshToken), utf8(consentId), utf8(bankId), utf8(appId)};
        if (frequencyPerDay < 0 || frequencyPerDay > 0xffff) {
            throw new IllegalArgumentException("frequencyPerDay does not fit a token record");
        }
        int length = 1 + 4 * Long.BYTES + Short.BYTES;
        for (byte[] s : strings) {
            if (s.length > 0xffff) {
                throw new IllegalArgumentException("a token record field is longer than 65535 bytes");
            }
            length += 2 + s.length;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(VERSION).putLong(accessExpiresAt).putLong(scaTime).putLong(expiresAt).putLong(issuedAt)
                .putShort((short) frequencyPerDay);
        for (byte[] s : strings) {
            b.putShort((short) s.length).put(s);
        }
        return b.array();
    }

    /** Reads a record; throws IllegalArgumentException when the bytes are not one. */
    static TokenRecord fromBytes(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte version = b.get();
            if (version != VERSION && version != VERSION_1) {
                throw new IllegalArgumentException("unknown token record version");
            }
            long accessExpiresAt = b.getLong();
            long scaTime = b.getLong();
            long expiresAt = b.getLong();
            long issuedAt = b.getLong();
            int frequency = version == VERSION_1 ? DEFAULT_FREQUENCY_PER_DAY : Short.toUnsignedInt(b.getShort());
            TokenRecord r = new TokenRecord(string(b), string(b), accessExpiresAt, string(b), string(b), string(b),
                    scaTime, expiresAt, issuedAt, frequency);
            if (b.hasRemaining()) {
                throw new IllegalArgumentException("token record has trailing bytes");
            }
            return r;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("token record is truncated");
        }
    }

    private static String string(ByteBuffer b) {
        int length = Short.toUnsignedInt(b.getShort());
        if (length > b.remaining()) {
            throw new BufferUnderflowException();
        }
        String s = new String(b.array(), b.position(), length, StandardCharsets.UTF_8);
        b.position(b.position() + length);
        return s;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
