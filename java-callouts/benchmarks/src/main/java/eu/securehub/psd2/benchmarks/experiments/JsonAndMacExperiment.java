package eu.securehub.psd2.benchmarks.experiments;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Scratch experiment (not in the default run), for token resolve:
 * <ul>
 * <li>scanning a JSON string literal the way {@code Json.Reader.string()} does (a field cursor and a
 *     bounds-checked {@code peek()} per character) versus a loop on a local index;</li>
 * <li>the lookup HMAC with {@code Mac.init} on every call (as {@code DataKey.lookupMac}) versus a
 *     per-thread Mac initialised once with the key (a Mac is reset to its key after doFinal).</li>
 * </ul>
 * Run: {@code java -jar psd2-hub-benchmarks.jar JsonAndMacExperiment}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class JsonAndMacExperiment {
    private String literal;
    private Mac perCall;
    private Mac keyed;
    private SecretKeySpec key;
    private byte[] token;

    @Setup
    public void setUp() throws Exception {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; b.length() < 801; i++) {
            b.append((char) ('A' + (i * 7) % 26));
            if (i % 100 == 99) {
                b.append('.');
            }
        }
        literal = b.append("\",\"rt\":1}").toString();
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        key = new SecretKeySpec(k, "HmacSHA256");
        perCall = Mac.getInstance("HmacSHA256");
        keyed = Mac.getInstance("HmacSHA256");
        keyed.init(key);
        token = "hub_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (!new FieldCursor(literal).string().equals(new LocalCursor(literal).string())) {
            throw new IllegalStateException("scanners disagree");
        }
    }

    @Benchmark
    public String jsonStringFieldCursor() throws Exception {
        return new FieldCursor(literal).string();
    }

    @Benchmark
    public String jsonStringLocalLoop() throws Exception {
        return new LocalCursor(literal).string();
    }

    @Benchmark
    public byte[] hmacInitPerCall() throws GeneralSecurityException {
        perCall.init(key);
        return perCall.doFinal(token);
    }

    @Benchmark
    public byte[] hmacKeyedReused() {
        return keyed.doFinal(token);
    }

    /** As Json.Reader: cursor in a field, peek() per character (no escapes in this literal). */
    static final class FieldCursor {
        private final String s;
        private int pos;

        FieldCursor(String s) {
            this.s = s;
        }

        char peek() throws Exception {
            if (pos >= s.length()) {
                throw new Exception("unexpected end of JSON at offset " + pos);
            }
            return s.charAt(pos);
        }

        String string() throws Exception {
            if (peek() != '"') {
                throw new Exception("expected '\"' at offset " + pos);
            }
            pos++;
            int start = pos;
            while (true) {
                char c = peek();
                if (c == '"') {
                    String result = s.substring(start, pos);
                    pos++;
                    return result;
                }
                if (c < 0x20) {
                    throw new Exception("control character in string at offset " + pos);
                }
                if (c == '\\') {
                    throw new Exception("escapes are not part of this experiment");
                }
                pos++;
            }
        }
    }

    /** The proposal: scan to the first quote, backslash or control character on a local index. */
    static final class LocalCursor {
        private final String s;
        private int pos;

        LocalCursor(String s) {
            this.s = s;
        }

        String string() throws Exception {
            if (pos >= s.length() || s.charAt(pos) != '"') {
                throw new Exception("expected '\"' at offset " + pos);
            }
            int start = pos + 1;
            int i = start;
            int n = s.length();
            char c = 0;
            while (i < n) {
                c = s.charAt(i);
                if (c == '"' || c == '\\' || c < 0x20) {
                    break;
                }
                i++;
            }
            pos = i;
            if (i >= n) {
                throw new Exception("unexpected end of JSON at offset " + pos);
            }
            if (c != '"') {
                throw new Exception("escape or control character: the slow path takes over at offset " + pos);
            }
            pos++;
            return s.substring(start, i);
        }
    }
}
