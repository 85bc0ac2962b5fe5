package eu.securehub.psd2.benchmarks.experiments;

import eu.securehub.psd2.callouts.MintOpaqueToken;
import eu.securehub.psd2.callouts.ResolveOpaqueToken;
import eu.securehub.psd2.callouts.crypto.DataKey;
import eu.securehub.psd2.callouts.crypto.DekCache;
import eu.securehub.psd2.callouts.crypto.Envelope;
import eu.securehub.psd2.callouts.crypto.EnvelopeException;
import eu.securehub.psd2.callouts.crypto.Keyring;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import eu.securehub.psd2.callouts.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Scratch experiment (not in the default run): where token resolve's time goes. Each step alone,
 * and the public pieces a step is made of (lookup HMAC, record base64url decode, record GCM open).
 * Run: {@code java -jar psd2-hub-benchmarks.jar TokenPartsExperiment}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class TokenPartsExperiment {
    private MapMessageContext ctx;
    private ResolveOpaqueToken lookup;
    private ResolveOpaqueToken decrypt;
    private DataKey lookupKey;
    private DataKey recordKey;
    private byte[] tokenBytes;
    private String record;
    private byte[] recordData;

    @Setup
    public void setUp() throws Exception {
        TestKeys keys = new TestKeys().add("dek-20260501").add("dek-20261122").lookup("dek-20260501").warm();
        String keyring = keys.keyring();
        Map<String, String> common = new LinkedHashMap<>();
        common.put("keyring", "{private.dek-keyring}");
        common.put("unwrapped-dek", "{kms.unwrap.plaintext}");
        common.put("unwrapped-dek-key-id", "{token.unwrap_key_id}");
        common.put("app-id", "{developer.app.id}");
        Map<String, String> mintProps = new LinkedHashMap<>(common);
        mintProps.put("access-token", "{private.bank.access_token}");
        mintProps.put("refresh-token", "{private.bank.refresh_token}");
        mintProps.put("access-token-expires-in", "3600");
        mintProps.put("consent-id", "{psd2.consent_id}");
        mintProps.put("bank-id", "bank-de-sparkasse-koelnbonn");
        ctx = new MapMessageContext().set("private.dek-keyring", keyring)
                .set("developer.app.id", "crm-app-7d1e0c44-2b6f-4a8e-b1a3-95c6e2f0d917")
                .set("psd2.consent_id", "VOG-4f1c2a9e-7b3d-4e0a-9c55-1d2e3f4a5b6c")
                .set("private.bank.access_token", tokenLike(800))
                .set("private.bank.refresh_token", tokenLike(99));
        new MintOpaqueToken(mintProps).execute(ctx, null);
        String token = ctx.string("private.token.opaque");
        record = ctx.string("token.kvm_value");
        String kvmKey = ctx.string("token.kvm_key");
        ctx.set("request.header.Authorization", "Bearer " + token).set("private.token.record", record);

        Map<String, String> lookupProps = new LinkedHashMap<>(common);
        lookupProps.put("step", "lookup");
        Map<String, String> decryptProps = new LinkedHashMap<>(common);
        decryptProps.put("step", "decrypt");
        decryptProps.put("record", "{private.token.record}");
        lookup = new ResolveOpaqueToken(lookupProps);
        decrypt = new ResolveOpaqueToken(decryptProps);
        if (!lookup.execute(ctx, null).isSuccess() || !decrypt.execute(ctx, null).isSuccess()) {
            throw new IllegalStateException("resolve failed: " + ctx.string("token.error"));
        }

        Keyring ring = Keyring.of(keyring);
        long now = System.currentTimeMillis();
        lookupKey = DekCache.get(ring.key(ring.lookup()).cacheKey(), now);
        recordKey = DekCache.get(ring.key(ring.current()).cacheKey(), now);
        tokenBytes = token.getBytes(StandardCharsets.US_ASCII);
        recordData = ("psd2-hub/token-record|" + kvmKey).getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public Object stepLookup() {
        lookup.execute(ctx, null);
        return ctx.getVariable("token.kvm_key");
    }

    @Benchmark
    public Object stepDecrypt() {
        decrypt.execute(ctx, null);
        return ctx.getVariable("private.bank.access_token");
    }

    @Benchmark
    public byte[] partLookupHmac() {
        return lookupKey.lookupMac(tokenBytes);
    }

    @Benchmark
    public byte[] partRecordBase64() {
        return Base64.getUrlDecoder().decode(record);
    }

    @Benchmark
    public byte[] partRecordOpen() throws EnvelopeException {
        return Envelope.decrypt(recordKey, Envelope.parse(record), recordData);
    }

    private static String tokenLike(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; s.length() < length; i++) {
            s.append((char) ('A' + (i * 7) % 26));
        }
        return s.toString();
    }
}
