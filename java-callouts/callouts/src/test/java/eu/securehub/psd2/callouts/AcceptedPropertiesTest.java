package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every callout accepts exactly the properties it reads (and {@code now}); any other name fails at construction. */
class AcceptedPropertiesTest {
    private static final List<String> KEYED = List.of("keyring", "unwrapped-dek", "unwrapped-dek-key-id", "dek-cache-seconds");
    private static final List<String> ENVELOPE = List.of("source", "associated-data", "fields", "max-bytes", "output");

    /** One callout class: how to build it, the properties it must accept, and the sources that read them. */
    static Stream<Arguments> callouts() {
        return Stream.of(
                callout("AuthorizationCallback", AuthorizationCallback::new, List.of(),
                        "step", "state", "pending", "error", "issuer", "iss", "code", "return-url", "outcome"),
                callout("AuthorizationStart", AuthorizationStart::new, List.of(),
                        "step", "body", "allowed-return-urls", "consent-response", "issuer", "metadata", "client-id",
                        "redirect-uri", "scopes", "frequency-per-day", "valid-until", "pending-ttl-seconds", "bank-id",
                        "app-id", "return-url", "par-response", "authorization-endpoint", "state", "sca-preferred", "kind",
                        "resource-base", "resource", "payment-id"),
                callout("BankProfile", BankProfile::new, List.of(), "bank-id", "profile", "consent-unattended-allow"),
                callout("CircuitBreaker", CircuitBreaker::new, List.of(),
                        "event", "window-seconds", "failure-threshold", "slow-call-ms", "open-seconds",
                        "half-open-permitted", "record", "failures-in-window", "status-code", "elapsed-ms", "received-at",
                        "sent-at", "bank-id", "call-id", "max-in-flight", "call-timeout-ms", "stuck", "counted", "probe-key",
                        "probe-refused"),
                callout("JwsKeyId", JwsKeyId::new, List.of(), "token"),
                callout("BodySize", BodySize::new, List.of(), "source", "max-bytes"),
                callout("ConsentView", ConsentView::new, List.of(), "consent-response", "consent-id", "sca-time", "reauth-days"),
                callout("EnvelopeEncrypt", EnvelopeEncrypt::new, concat(KEYED, ENVELOPE), "output-max-bytes"),
                callout("EnvelopeDecrypt", EnvelopeDecrypt::new, concat(KEYED, ENVELOPE)),
                callout("MintOpaqueToken", MintOpaqueToken::new, KEYED,
                        "access-token", "refresh-token", "access-token-expires-in", "consent-id", "bank-id", "app-id",
                        "sca-time", "frequency-per-day", "max-lifetime-seconds", "expires-at", "opaque-token", "credential", "kind"),
                callout("ScaApproach", ScaApproach::new, List.of(),
                        "step", "approach-header", "response", "offered", "consent-id", "state", "bank-id", "app-id",
                        "return-url", "frequency-per-day", "valid-until", "pending-ttl-seconds", "approach", "status-path",
                        "sca-status", "consent-status", "redirect-result", "poll-seconds", "state-key", "kind", "resource-base",
                        "payment-id"),
                callout("QsealSignature", QsealSignature::new, KEYED, "qseal", "message", "headers"),
                callout("ResolveOpaqueToken", ResolveOpaqueToken::new, KEYED,
                        "step", "app-id", "record", "access-expiry-skew-seconds", "refresh-ahead-seconds", "max-unattended-per-day",
                        "authorization", "payment-path"),
                callout("TokenEndpoint", TokenEndpoint::new, List.of(),
                        "step", "code", "redirect-uri", "code-verifier", "client-id", "refresh-token", "response",
                        "previous-refresh-token"),
                callout("Problem", Problem::new, List.of(),
                        "error-code", "callout-codes", "fault-name", "bank-status", "status-code", "bank-body",
                        "validation-cause", "instance", "request-id", "query", "verb", "path-parameters",
                        "header-psu-ip-address", "header-x-request-id", "invalid-param", "invalid-reason"),
                callout("PaymentRequest", PaymentRequest::new, List.of(),
                        "step", "body", "service", "product", "idempotency-key", "app-id", "allowed-return-urls",
                        "return-url", "sca-preferred", "stored", "digest"),
                callout("PaymentView", PaymentView::new, List.of(), "step", "response", "payment-id", "resource"));
    }

    private static Arguments callout(String name, Function<Map<String, String>, Callout> factory, List<String> common,
            String... own) {
        Set<String> accepted = new TreeSet<>(common);
        accepted.addAll(List.of(own));
        accepted.add("now");
        return Arguments.of(name, factory, accepted);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callouts")
    void anUnknownPropertyIsRefusedWithTheAcceptedList(String name, Function<Map<String, String>, Callout> factory,
            Set<String> accepted) {
        Map<String, String> props = new HashMap<>();
        props.put("now", "0");
        props.put("no-such-property", "x");
        assertThatThrownBy(() -> factory.apply(props))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown property no-such-property for " + name + "; accepted: " + String.join(", ", accepted));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callouts")
    void aMisspeltPropertyIsRefusedEvenBesideValidOnes(String name, Function<Map<String, String>, Callout> factory,
            Set<String> accepted) {
        Map<String, String> props = new HashMap<>();
        accepted.forEach(p -> props.put(p, "{some.variable}"));
        String first = accepted.iterator().next();
        props.put(first + "s", "x");
        assertThatThrownBy(() -> factory.apply(props))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown property " + first + "s for " + name + "; accepted: ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("callouts")
    void everyAcceptedPropertyIsAccepted(String name, Function<Map<String, String>, Callout> factory,
            Set<String> accepted) {
        for (String p : accepted) {
            assertThatCode(() -> factory.apply(Map.of(p, "x"))).as(p).doesNotThrowAnyException();
        }
        Map<String, String> all = new HashMap<>();
        accepted.forEach(p -> all.put(p, "{v}"));
        assertThatCode(() -> factory.apply(all)).doesNotThrowAnyException();
        assertThatCode(() -> factory.apply(Map.of())).doesNotThrowAnyException();
        assertThatCode(() -> factory.apply(null)).doesNotThrowAnyException();
    }

    private static final Pattern READ = Pattern.compile(
            "\\b(?:property|rawProperty|required|propertyOr|longProperty|requiredLong|variableName|text)\\(ctx, \"([^\"]+)\"");

    /** A guard against drift: every property name the sources read (directly or through their base) is in the set. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("callouts")
    void everyPropertyTheSourceReadsIsAccepted(String name, Function<Map<String, String>, Callout> factory,
            Set<String> accepted) throws IOException {
        List<String> sources = new ArrayList<>(List.of(name, "Callout"));
        if (accepted.contains("keyring")) {
            sources.add("KeyedCallout");
        }
        if (accepted.contains("associated-data")) {
            sources.add("EnvelopeSupport");
        }
        Set<String> read = new TreeSet<>();
        for (String source : sources) {
            String text = Files.readString(Path.of("src/main/java/eu/securehub/psd2/callouts", source + ".java"));
            Matcher m = READ.matcher(text);
            while (m.find()) {
                read.add(m.group(1));
            }
        }
        read.add("now"); // Callout.now() reads it through a constant
        assertThat(read).isEqualTo(accepted);
    }
}
