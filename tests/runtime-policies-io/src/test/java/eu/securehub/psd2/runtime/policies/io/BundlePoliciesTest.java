package eu.securehub.psd2.runtime.policies.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every VerifyAPIKey, VerifyJWT, ServiceCallout and OASValidation policy of the project's bundles builds through the factories. */
class BundlePoliciesTest {
    static final Pattern ROOT = Pattern.compile("<(\\w+)[\\s>]");
    static final String CONSENT = """
            {"returnUrl": "https://crm.example.eu/psd2/return",
             "access": {"accounts": [{"iban": "DE89370400440532013000", "currency": "EUR"}],
                        "balances": [{"iban": "DE89370400440532013000"}],
                        "transactions": [{"iban": "DE89370400440532013000"}]},
             "recurringIndicator": true, "validUntil": "2030-12-31", "frequencyPerDay": 4}""";

    static Path root;
    static Map<String, PolicyFactory> factories = new HashMap<>();

    @BeforeAll
    static void load() {
        root = TestBundle.hubRoot();
        for (PolicyFactory f : ServiceLoader.load(PolicyFactory.class)) {
            factories.put(f.type(), f);
        }
    }

    @Test
    void theFactoriesAreRegistered() {
        assertThat(factories).containsKeys("VerifyAPIKey", "VerifyJWT", "ServiceCallout", "OASValidation");
        assertThat(factories.get("VerifyJWT")).isInstanceOf(VerifyJwtFactory.class);
    }

    static String type(Path file) throws IOException {
        String xml = Files.readString(file).replaceAll("(?s)<\\?.*?\\?>", "").replaceAll("(?s)<!--.*?-->", "");
        Matcher m = ROOT.matcher(xml);
        return m.find() ? m.group(1) : "";
    }

    @Test
    void everyPolicyOfTheseTypesInTheBundlesBuilds() throws IOException {
        List<Path> dirs = new ArrayList<>();
        dirs.add(root.resolve("apiproxy"));
        try (Stream<Path> s = Files.list(root.resolve("sharedflows"))) {
            s.map(p -> p.resolve("sharedflowbundle")).filter(Files::isDirectory).forEach(dirs::add);
        }
        Map<String, Integer> built = new HashMap<>();
        for (Path bundleDir : dirs) {
            TestBundle bundle = new TestBundle(bundleDir.getParent().getFileName().toString(), bundleDir,
                    bundleDir.getFileName().toString().equals("sharedflowbundle"));
            Path policies = bundleDir.resolve("policies");
            if (!Files.isDirectory(policies)) {
                continue;
            }
            try (Stream<Path> s = Files.list(policies)) {
                for (Path file : s.filter(p -> p.toString().endsWith(".xml")).sorted().toList()) {
                    String type = type(file);
                    PolicyFactory f = factories.get(type);
                    if (f == null || !List.of("VerifyAPIKey", "VerifyJWT", "ServiceCallout", "OASValidation").contains(type)) {
                        continue;
                    }
                    String rel = root.relativize(file).toString();
                    TestXml xml = TestXml.of(file, rel);
                    Policy p = f.create(xml, bundle);
                    xml.done();
                    assertThat(p.type()).isEqualTo(type);
                    assertThat(p.location().file()).isEqualTo(rel);
                    built.merge(type, 1, Integer::sum);
                }
            }
        }
        assertThat(built).containsKeys("VerifyAPIKey", "VerifyJWT", "ServiceCallout", "OASValidation");
        assertThat(built.get("ServiceCallout")).isGreaterThanOrEqualTo(5);
    }

    TestContext consent(String bankId, String body, String psuIp) {
        TestMessage r = TestMessage.request("POST", "/psd2/v1/banks/" + bankId + "/consents", "")
                .header("x-api-key", "crm-key").header("X-Request-ID", "0b7f2f0e-4c1a-4a8e-9d7e-2b1c3d4e5f60")
                .body("application/json", body);
        if (psuIp != null) {
            r.header("PSU-IP-Address", psuIp);
        }
        return new TestContext(new TestEnvironment(), null, r).with("proxy.pathsuffix", "/banks/" + bankId + "/consents");
    }

    @Test
    void oasValidateRequestAcceptsAValidConsentAndRefusesAnInvalidOne() {
        Path proxy = root.resolve("apiproxy");
        Policy p = factories.get("OASValidation").create(
                TestXml.of(proxy.resolve("policies/OAS-ValidateRequest.xml"), "apiproxy/policies/OAS-ValidateRequest.xml"),
                new TestBundle("psd2-hub-v1", proxy, false));
        assertThatCode(() -> p.execute(consent("sandbox-a", CONSENT, "192.0.2.10"))).doesNotThrowAnyException();

        TestContext tooOften = consent("sandbox-a", CONSENT.replace("\"frequencyPerDay\": 4", "\"frequencyPerDay\": 5"), "192.0.2.10");
        PolicyFault f = Faults.fault(p, tooOften, "steps.oasvalidation.Failed", 400);
        assertThat(f.faultString()).startsWith("OASValidation OAS-ValidateRequest with resource \"oas://psd2-hub-v1.yaml\"");
        assertThat(tooOften.vars).containsEntry("OASValidation.OAS-ValidateRequest.failed", true);
        assertThat((String) tooOften.get("OASValidation.OAS-ValidateRequest.fault.cause")).contains("frequencyPerDay");

        Faults.fault(p, consent("sandbox-a", CONSENT, null), "steps.oasvalidation.Failed", 400);
        Faults.fault(p, consent("Bank_A", CONSENT, "192.0.2.10"), "steps.oasvalidation.Failed", 400);
        TestContext typo = consent("sandbox-a", CONSENT, "192.0.2.10");
        typo.request().queryString("bankid=x");
        Faults.fault(p, typo, "steps.oasvalidation.Failed", 400);
    }
}
