package eu.securehub.psd2.benchmarks;

import com.apigee.flow.execution.ExecutionResult;
import com.apigee.flow.execution.spi.Execution;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import eu.securehub.psd2.callouts.testing.TestKeys;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the proxy's flow gives the callouts: a rotated keyring (two data keys) whose DEKs are in the
 * DEK cache (a warm node), flow variables as its policies set them, and the callout properties as
 * the proxy's JavaCallout policies write them, with {@code {variable}} references.
 */
final class Flow {
    static final String KEYRING_VARIABLE = "private.dek-keyring";
    static final String CONSENT_ID = "VOG-4f1c2a9e-7b3d-4e0a-9c55-1d2e3f4a5b6c";
    static final String APP_ID = "crm-app-7d1e0c44-2b6f-4a8e-b1a3-95c6e2f0d917";

    private Flow() {
    }

    /** A keyring as the KVM Get returns it: the data key of 2026-05 plus the current one; both unwrapped. */
    static String warmKeyring() {
        return new TestKeys().add("dek-20260501").add("dek-20261122").lookup("dek-20260501").warm().keyring();
    }

    /** A message context as the flow has it when the callouts run. */
    static MapMessageContext context(String keyring) {
        return new MapMessageContext()
                .set(KEYRING_VARIABLE, keyring)
                .set("psd2.consent_id", CONSENT_ID)
                .set("psd2.bank_id", "bank-de-sparkasse-koelnbonn")
                .set("developer.app.id", APP_ID)
                .set("messageid", "rrt-0b7f5c2d1e4a3b69-c-ew-12345-6789-1");
    }

    /** Properties every keyed callout has: the keyring and the KMS round trip's outputs (unset on a warm node). */
    private static Map<String, String> keyed(String prefix) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("keyring", "{" + KEYRING_VARIABLE + "}");
        p.put("unwrapped-dek", "{kms.unwrap.plaintext}");
        p.put("unwrapped-dek-key-id", "{" + prefix + ".unwrap_key_id}");
        return p;
    }

    /** Java-EnvelopeEncrypt: the whole request payload, bound to the consent. */
    static Map<String, String> encryptProperties() {
        Map<String, String> p = keyed("envelope");
        p.put("source", "{request.content}");
        p.put("associated-data", "consent:{psd2.consent_id}|payload");
        p.put("output", "envelope.ciphertext");
        return p;
    }

    /** Java-EnvelopeDecrypt: the stored ciphertext back to the payload. */
    static Map<String, String> decryptProperties() {
        Map<String, String> p = keyed("envelope");
        p.put("source", "{archive.ciphertext}");
        p.put("associated-data", "consent:{psd2.consent_id}|payload");
        p.put("output", "envelope.plaintext");
        return p;
    }

    /** Java-MintOpaqueToken: after the bank's token endpoint answered. */
    static Map<String, String> mintProperties() {
        Map<String, String> p = keyed("token");
        p.put("access-token", "{private.bank.access_token}");
        p.put("refresh-token", "{private.bank.refresh_token}");
        p.put("access-token-expires-in", "{bank.token.expires_in}");
        p.put("consent-id", "{psd2.consent_id}");
        p.put("bank-id", "{psd2.bank_id}");
        p.put("app-id", "{developer.app.id}");
        return p;
    }

    /** Java-ResolveOpaqueToken-Lookup and -Decrypt: the two steps around the KVM Get. */
    static Map<String, String> resolveProperties(String step) {
        Map<String, String> p = keyed("token");
        p.put("step", step);
        p.put("app-id", "{developer.app.id}");
        if (step.equals("decrypt")) {
            p.put("record", "{private.token.record}");
        }
        return p;
    }

    static void expectSuccess(ExecutionResult result, MapMessageContext ctx, String prefix) {
        if (result != ExecutionResult.SUCCESS || !"false".equals(ctx.string(prefix + ".unwrap_required"))) {
            throw new IllegalStateException("callout did not succeed on a warm node: " + result + " "
                    + ctx.string(prefix + ".error"));
        }
    }

    static ExecutionResult run(Execution callout, MapMessageContext ctx) {
        return callout.execute(ctx, null);
    }
}
