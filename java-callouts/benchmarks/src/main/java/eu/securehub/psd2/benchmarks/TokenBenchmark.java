package eu.securehub.psd2.benchmarks;

import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.MintOpaqueToken;
import eu.securehub.psd2.callouts.ResolveOpaqueToken;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Opaque-token mint (after the bank's token endpoint) and resolve (every CRM request: the
 * {@code lookup} step, the KVM Get the flow does in between, then the {@code decrypt} step of a
 * stored record) through the callouts' {@code execute}. The bank token set is realistic: a PS256
 * JWT access token of about 800 characters and an opaque refresh token. Resolve is sampled, so the
 * run reports its percentiles (the goal is on the median).
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 12, time = 1)
@Measurement(iterations = 5, time = 1)
public class TokenBenchmark {
    private MintOpaqueToken mint;
    private ResolveOpaqueToken lookup;
    private ResolveOpaqueToken decrypt;
    private MapMessageContext mintCtx;
    private MapMessageContext resolveCtx;

    @Setup(Level.Trial)
    public void setUp() {
        String keyring = Flow.warmKeyring();
        mint = new MintOpaqueToken(Flow.mintProperties());
        mintCtx = Flow.context(keyring)
                .set("private.bank.access_token", bankAccessToken())
                .set("private.bank.refresh_token", bankRefreshToken())
                .set("bank.token.expires_in", "3600");
        Flow.expectSuccess(Flow.run(mint, mintCtx), mintCtx, "token");

        // What the flow has on a CRM request: the bearer token, and the record its KVM Get returned.
        resolveCtx = Flow.context(keyring)
                .set("request.header.Authorization", "Bearer " + mintCtx.string("private.token.opaque"))
                .set("private.token.record", mintCtx.string("token.kvm_value"));
        lookup = new ResolveOpaqueToken(Flow.resolveProperties("lookup"));
        decrypt = new ResolveOpaqueToken(Flow.resolveProperties("decrypt"));
        Flow.expectSuccess(Flow.run(lookup, resolveCtx), resolveCtx, "token");
        if (!mintCtx.string("token.kvm_key").equals(resolveCtx.string("token.kvm_key"))) {
            throw new IllegalStateException("lookup does not find the minted record's KVM key");
        }
        Flow.expectSuccess(Flow.run(decrypt, resolveCtx), resolveCtx, "token");
        if (!bankAccessToken().equals(resolveCtx.string("private.bank.access_token"))) {
            throw new IllegalStateException("resolve does not return the bank's access token");
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public Object mint() {
        check(mint.execute(mintCtx, null));
        return mintCtx.getVariable("token.kvm_value");
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public Object resolve() {
        check(lookup.execute(resolveCtx, null));
        // (the flow's KVM Get of token.kvm_key runs here; the record is already in private.token.record)
        check(decrypt.execute(resolveCtx, null));
        return resolveCtx.getVariable("private.bank.access_token");
    }

    private static void check(ExecutionResult result) {
        if (result != ExecutionResult.SUCCESS) {
            throw new IllegalStateException("callout aborted");
        }
    }

    /** A PS256-signed JWT as PSD2 banks issue: header, about 300 bytes of claims, a 256-byte signature. */
    static String bankAccessToken() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = "{\"alg\":\"PS256\",\"typ\":\"at+jwt\",\"kid\":\"sig-2026-03-rsa-01\"}";
        String claims = "{\"iss\":\"https://auth.sparkasse-koelnbonn.de/psd2\",\"sub\":\"" + Flow.CONSENT_ID + "\","
                + "\"aud\":\"https://api.sparkasse-koelnbonn.de/psd2/v1\",\"client_id\":\"PSDDE-BAFIN-152345\","
                + "\"scope\":\"AIS:" + Flow.CONSENT_ID + "\",\"iat\":1779861600,\"exp\":1779865200,"
                + "\"jti\":\"9b2e6c1a-3f4d-4e5b-8a7c-0d1e2f3a4b5c\",\"cnf\":{\"x5t#S256\":"
                + "\"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2\"}}";
        byte[] signature = new byte[256];
        new SplittableRandom(7).nextBytes(signature);
        return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(signature);
    }

    static String bankRefreshToken() {
        byte[] raw = new byte[72];
        new SplittableRandom(11).nextBytes(raw);
        return "rt." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
