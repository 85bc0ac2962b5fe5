package eu.securehub.psd2.callouts;

import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bank token set behind one opaque token, as stored (encrypted) in the token KVM.
 * Times are epoch seconds. JSON members: v, at, rt, ate, cid, bid, app, sca, exp, iat.
 */
final class TokenRecord {
    static final String PREFIX = "token";

    final String accessToken;
    final String refreshToken;
    final long accessExpiresAt;
    final String consentId;
    final String bankId;
    final String appId;
    final long scaTime;
    final long expiresAt;
    final long issuedAt;

    TokenRecord(String accessToken, String refreshToken, long accessExpiresAt, String consentId, String bankId,
            String appId, long scaTime, long expiresAt, long issuedAt) {
        this.accessToken = accessToken;
        this.refreshToken = refreshToken;
        this.accessExpiresAt = accessExpiresAt;
        this.consentId = consentId;
        this.bankId = bankId;
        this.appId = appId;
        this.scaTime = scaTime;
        this.expiresAt = expiresAt;
        this.issuedAt = issuedAt;
    }

    TokenRecord expiringAt(long at) {
        return new TokenRecord(accessToken, refreshToken, accessExpiresAt, consentId, bankId, appId, scaTime, at, issuedAt);
    }

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", 1);
        m.put("at", accessToken);
        m.put("rt", refreshToken.isEmpty() ? null : refreshToken);
        m.put("ate", accessExpiresAt);
        m.put("cid", consentId);
        m.put("bid", bankId);
        m.put("app", appId);
        m.put("sca", scaTime);
        m.put("exp", expiresAt);
        m.put("iat", issuedAt);
        return Json.writeObject(m);
    }

    static TokenRecord fromJson(String json) throws JsonException {
        Map<String, Object> m = Json.parseObject(json);
        if (!Long.valueOf(1).equals(m.get("v"))) {
            throw new JsonException("unknown record version");
        }
        Object rt = m.get("rt");
        return new TokenRecord(string(m, "at"), rt == null ? "" : rt.toString(), number(m, "ate"), string(m, "cid"),
                string(m, "bid"), string(m, "app"), number(m, "sca"), number(m, "exp"), number(m, "iat"));
    }

    private static String string(Map<String, Object> m, String name) throws JsonException {
        Object v = m.get(name);
        if (!(v instanceof String)) {
            throw new JsonException("record member " + name + " is missing");
        }
        return (String) v;
    }

    private static long number(Map<String, Object> m, String name) throws JsonException {
        Object v = m.get(name);
        if (!(v instanceof Long)) {
            throw new JsonException("record member " + name + " is missing");
        }
        return (Long) v;
    }
}
