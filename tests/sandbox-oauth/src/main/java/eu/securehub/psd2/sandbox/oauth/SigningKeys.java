package eu.securehub.psd2.sandbox.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The PS256 id_token signing keys: one current key, and retired keys published until their grace period ends. */
final class SigningKeys {

    private record Entry(RSAKey key, Instant retiredAt) {
    }

    private final int keySize;
    private final Duration gracePeriod;
    private final Clock clock;
    private final List<Entry> retired = new ArrayList<>();
    private RSAKey current;

    SigningKeys(int keySize, Duration gracePeriod, Clock clock) {
        this.keySize = keySize;
        this.gracePeriod = gracePeriod;
        this.clock = clock;
        this.current = generate();
    }

    private RSAKey generate() {
        try {
            return new RSAKeyGenerator(keySize)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.PS256)
                    .keyIDFromThumbprint(true)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an RSA signing key", e);
        }
    }

    synchronized RSAKey current() {
        return current;
    }

    /** A new key signs from now on; the previous one stays published for the grace period. Returns the new kid. */
    synchronized String rotate() {
        RSAKey next = generate();
        retired.add(new Entry(current, clock.instant()));
        current = next;
        return next.getKeyID();
    }

    /** The public keys to publish: the current key, then the retired keys still within their grace period. */
    synchronized JWKSet publicJwks() {
        Instant now = clock.instant();
        retired.removeIf(e -> !now.isBefore(e.retiredAt().plus(gracePeriod)));
        List<JWK> keys = new ArrayList<>();
        keys.add(current.toPublicJWK());
        for (int i = retired.size() - 1; i >= 0; i--) {
            keys.add(retired.get(i).key().toPublicJWK());
        }
        return new JWKSet(keys);
    }
}
