package eu.securehub.psd2.sandbox.oauth;

import java.util.Optional;

/** The resource server's view of the access tokens the authorisation server issued. */
public interface Grants {

    /**
     * The grant of an access token, or empty when the token is unknown, expired or revoked. The caller must also
     * check that the token is bound to the client certificate of the call ({@link Grant#boundTo}).
     */
    Optional<Grant> accessToken(String token);
}
