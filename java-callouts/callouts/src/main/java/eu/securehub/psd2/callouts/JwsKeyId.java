package eu.securehub.psd2.callouts;

import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.json.Json;
import eu.securehub.psd2.callouts.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code Java-JwsKeyId}: the key id ({@code kid}) in the protected header of a compact JWS, such as a bank's id token.
 * The flow caches the bank's JWKS per key id, so a token signed with a key the cached copy lacks (the bank rotated its
 * keys) misses the cache and fetches the JWKS again. It verifies nothing: VerifyJWT does. A token it cannot read, or a
 * kid that is not 1 to 256 visible ASCII characters, gives the empty string (VerifyJWT then refuses the token).
 */
public final class JwsKeyId extends Callout {
    static final String PREFIX = "jws";
    private static final Pattern KID = Pattern.compile("^[\\x21-\\x7e]{1,256}$");
    /** A header longer than this is not read (a JWS header holds a few short members). */
    private static final int MAX_HEADER_CHARS = 8 * 1024;

    /** The properties this callout reads (besides {@code now}); any other is refused. */
    static final Set<String> PROPERTIES = Set.of("token");

    public JwsKeyId(Map<String, String> properties) {
        super(properties, PROPERTIES, PREFIX, "kid");
    }

    @Override
    protected void run(MessageContext ctx) {
        ctx.setVariable(var("kid"), kid(rawProperty(ctx, "token")));
    }

    static String kid(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot > MAX_HEADER_CHARS) {
            return "";
        }
        try {
            byte[] header = Base64.getUrlDecoder().decode(token.substring(0, dot));
            Object kid = Json.parseObject(new String(header, StandardCharsets.UTF_8)).get("kid");
            return kid instanceof String && KID.matcher((String) kid).matches() ? (String) kid : "";
        } catch (IllegalArgumentException | JsonException e) {
            return "";
        }
    }
}
