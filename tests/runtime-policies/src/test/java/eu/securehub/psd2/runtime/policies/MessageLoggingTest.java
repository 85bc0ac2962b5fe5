package eu.securehub.psd2.runtime.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.securehub.psd2.runtime.policies.state.FileMessageLog;
import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageLoggingTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private final TestEnvironment env = new TestEnvironment(clock);

    private static final String ML = """
            <MessageLogging name="ML-CloudLogging" continueOnError="true">
              <DisplayName>ML-CloudLogging</DisplayName>
              <CloudLogging>
                <LogName>projects/{organization.name}/logs/psd2-hub</LogName>
                <Message contentType="application/json">{"proxy":"{apiproxy.name}","status":"{message.status.code}"}</Message>
                <Labels>
                  <Label>
                    <Key>proxy</Key>
                    <Value>{apiproxy.name}</Value>
                  </Label>
                </Labels>
                <ResourceType>global</ResourceType>
              </CloudLogging>
              <logLevel>INFO</logLevel>
            </MessageLogging>
            """;

    @Test
    void writesOneEntryToTheMessageLog() throws Exception {
        Path file = dir.resolve("cloud-logging.jsonl");
        try (FileMessageLog log = new FileMessageLog(file, clock)) {
            env.messageLog = log;
            Policy ml = Policies.create(ML);
            TestContext ctx = new TestContext(env).with("organization.name", "local").with("apiproxy.name", "psd2-hub-v1")
                    .with("message.status.code", "200");
            ml.execute(ctx);
            assertThat(ctx.get("messagelogging.ML-CloudLogging.failed")).isEqualTo(false);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).containsExactly("{\"timestamp\":\"2026-03-04T10:15:30Z\",\"logName\":\"projects/local/logs/psd2-hub\","
                + "\"labels\":{\"proxy\":\"psd2-hub-v1\"},\"message\":\"{\\\"proxy\\\":\\\"psd2-hub-v1\\\",\\\"status\\\":\\\"200\\\"}\"}");
    }

    @Test
    void anEntryOverCloudLoggingsLimitIsDroppedAsCloudLoggingWould() {
        List<String> written = new java.util.ArrayList<>();
        env.messageLog = (name, message, labels) -> written.add(message);
        Policy ml = Policies.create(ML);
        // 256 KiB in all: log name, message and labels; the message template adds its own 30 bytes.
        String fits = "x".repeat(256 * 1024 - 200);
        TestContext ok = new TestContext(env).with("organization.name", "local").with("apiproxy.name", "p")
                .with("message.status.code", fits);
        ml.execute(ok);
        assertThat(written).hasSize(1);
        assertThat(ok.get("messagelogging.ML-CloudLogging.failed")).isEqualTo(false);

        TestContext big = new TestContext(env).with("organization.name", "local").with("apiproxy.name", "p")
                .with("message.status.code", "x".repeat(256 * 1024));
        ml.execute(big);
        assertThat(written).as("not written").hasSize(1);
        assertThat(big.get("messagelogging.ML-CloudLogging.failed")).isEqualTo(true);
    }

    @Test
    void aFailureSetsFailedAndNeverFailsTheFlowWithContinueOnError() {
        env.messageLog = (name, message, labels) -> {
            throw new IllegalStateException("disk full");
        };
        TestContext ctx = new TestContext(env);
        Policies.create(ML).execute(ctx);
        assertThat(ctx.get("messagelogging.ML-CloudLogging.failed")).isEqualTo(true);

        Policy strict = Policies.create(ML.replace(" continueOnError=\"true\"", ""));
        TestContext ctx2 = new TestContext(env);
        assertThatThrownBy(() -> strict.execute(ctx2)).isInstanceOfSatisfying(PolicyFault.class, f -> {
            assertThat(f.errorCode()).isEqualTo("steps.messagelogging.StepDefinitionExecutionFailed");
            assertThat(f.status()).isEqualTo(500);
        });
        assertThat(ctx2.get("messagelogging.ML-CloudLogging.failed")).isEqualTo(true);
    }

    @Test
    void strictness() {
        assertThatThrownBy(() -> Policies.create(ML.replace("<ResourceType>global</ResourceType>",
                "<ResourceType>global</ResourceType><Severity>x</Severity>")))
                .isInstanceOf(ConfigError.class).hasMessageStartingWith("apiproxy/policies/Test.xml:12: ").hasMessageContaining("Severity");
        assertThatThrownBy(() -> Policies.create(ML.replace("<logLevel>INFO</logLevel>", "<logLevel>LOUD</logLevel>")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("logLevel");
        assertThatThrownBy(() -> Policies.create(ML.replace("<LogName>projects/{organization.name}/logs/psd2-hub</LogName>", "")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("LogName");
        assertThatThrownBy(() -> Policies.create("""
                <MessageLogging name="ML">
                  <Syslog><Message>x</Message><Host>h</Host><Port>514</Port></Syslog>
                </MessageLogging>
                """)).isInstanceOf(ConfigError.class).hasMessageContaining("Syslog");
    }
}
