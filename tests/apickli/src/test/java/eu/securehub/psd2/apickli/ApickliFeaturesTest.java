package eu.securehub.psd2.apickli;

import static org.assertj.core.api.Assertions.assertThat;

import eu.securehub.psd2.localhub.LocalHub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apickli features of this module (features/*.feature) run by cucumber-js against the local hub started on free
 * ports: the same features a platform engineer runs against a real Apigee environment with HUB_BASE_URL and
 * HUB_API_KEY (README.md). The payment scenarios' debtor accounts come from the local hub's sandbox banks
 * (HUB_DEBTOR_IBAN, HUB_DECOUPLED_IBAN). {@code npm ci} runs only when node_modules lacks cucumber-js; cucumber's
 * output is streamed to the build's output line by line; a failed, undefined, ambiguous or pending scenario fails
 * this test.
 */
class ApickliFeaturesTest {
    static final Path ROOT = Path.of(System.getProperty("hub.root", "../..")).toAbsolutePath().normalize();
    static final Path DIR = Path.of(System.getProperty("apickli.dir", ".")).toAbsolutePath().normalize();
    static final long NPM_CI_MINUTES = 10;
    static final long CUCUMBER_MINUTES = 10;

    @TempDir
    static Path work;

    static LocalHub hub;

    @BeforeAll
    static void start() {
        hub = LocalHub.start(LocalHub.Options.freePorts(ROOT, work));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theFeaturesPassAgainstTheLocalHub() throws Exception {
        if (!Files.isRegularFile(DIR.resolve("node_modules/@cucumber/cucumber/package.json"))
                || !Files.isRegularFile(DIR.resolve("node_modules/apickli/package.json"))) {
            int npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), NPM_CI_MINUTES);
            assertThat(npm).as("npm ci in " + DIR + " (exit code)").isZero();
        }
        int cucumber = run(List.of("npx", "--no-install", "cucumber-js"), Map.of(
                "HUB_BASE_URL", hub.baseUrl(),
                "HUB_API_KEY", hub.consumerKey(),
                "HUB_RETURN_URL", hub.returnUrl(),
                "HUB_BANK_ID", "alpha",
                // The payment scenarios' debtor accounts: Anna's first account at alpha (OAuth), Clara's at delta
                // (decoupled: the customers approve in the bank's app).
                "HUB_DEBTOR_IBAN", firstIban("alpha", "anna"),
                "HUB_DECOUPLED_BANK_ID", "delta",
                "HUB_DECOUPLED_IBAN", firstIban("delta", "clara")), CUCUMBER_MINUTES);
        assertThat(cucumber).as("cucumber-js in " + DIR + " (exit code; its report is above)").isZero();
    }

    /** The first account of a sandbox customer at a sandbox bank of the local hub. */
    static String firstIban(String bankId, String username) {
        return hub.bank(bankId).data().customerByUsername(username).orElseThrow().accounts().get(0).iban();
    }

    /** Runs a command in the features' directory, copying its output (stdout and stderr) to this test's output. */
    static int run(List<String> command, Map<String, String> env, long timeoutMinutes)
            throws IOException, InterruptedException {
        System.out.println("[apickli] " + String.join(" ", command) + "   (in " + DIR + ")");
        ProcessBuilder pb = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        // No colours: the build log is not a terminal.
        pb.environment().put("FORCE_COLOR", "0");
        pb.environment().put("NO_COLOR", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println(line);
                }
            } catch (IOException e) {
                System.out.println("[apickli] output lost: " + e);
            }
        }, "apickli-output");
        pump.setDaemon(true);
        pump.start();
        if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            pump.join(TimeUnit.SECONDS.toMillis(5));
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutMinutes + " minutes");
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        return p.exitValue();
    }
}
