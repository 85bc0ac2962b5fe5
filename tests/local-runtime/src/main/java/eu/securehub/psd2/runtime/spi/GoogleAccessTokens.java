package eu.securehub.psd2.runtime.spi;

import java.util.List;

/** Google access tokens for GoogleAccessToken authentication (the local KMS accepts them). */
public interface GoogleAccessTokens {
    String token(List<String> scopes);
}
