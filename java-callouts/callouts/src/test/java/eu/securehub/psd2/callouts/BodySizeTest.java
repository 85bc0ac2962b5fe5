package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

class BodySizeTest {
    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);

    private MapMessageContext run(String body, long max) {
        MapMessageContext c = new MapMessageContext().set("request.content", body);
        new BodySize(Map.of("source", "{request.content}", "max-bytes", Long.toString(max))).execute(c, exec);
        return c;
    }

    @Test
    void aBodyUpToTheLimitPassesAndItsSizeIsKnown() {
        MapMessageContext c = run("{\"state\":\"abc\"}", 15);
        assertThat(c.string("body.error_code")).isNull();
        assertThat(c.string("body.bytes")).isEqualTo("15");
        assertThat(run("", 0).string("body.error_code")).isNull();
    }

    @Test
    void aLargerBodyIsPayloadTooLargeWithoutItsContent() {
        String body = "{\"state\":\"" + "x".repeat(300_000) + "\"}";
        MapMessageContext c = new MapMessageContext().set("request.content", body);
        ExecutionResult r = new BodySize(Map.of("source", "{request.content}", "max-bytes", "99999")).execute(c, exec);
        assertThat(r).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("body.error_code")).isEqualTo("payload_too_large");
        assertThat(c.string("body.error")).contains("99999").doesNotContain("xxx");
        assertThat(Long.parseLong(c.string("body.bytes"))).as("counting stops past the limit").isEqualTo(100_000);
    }

    @Test
    void bytesAreUtf8Bytes() {
        String text = "é€😀a";
        assertThat(Utf8.length(text, 100)).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        assertThat(run("€€", 5).string("body.error_code")).as("6 bytes, though 2 characters").isEqualTo("payload_too_large");
    }
}
