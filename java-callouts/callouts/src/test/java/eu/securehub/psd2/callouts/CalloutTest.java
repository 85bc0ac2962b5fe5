package eu.securehub.psd2.callouts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.callouts.testing.MapMessageContext;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

class CalloutTest {
    private final ExecutionContext exec = Mockito.mock(ExecutionContext.class);

    /** A callout that echoes one property and can throw. */
    static final class Echo extends Callout {
        Echo(Map<String, String> p) {
            super(p, Set.of("value"), "echo");
        }

        @Override
        protected void run(MessageContext ctx) throws CalloutException {
            String v = rawProperty(ctx, "value");
            if (v.contains("boom")) {
                throw new IllegalStateException("boom with secret " + v);
            }
            ctx.setVariable(var("out"), v);
        }
    }

    @Test
    void propertiesResolveReferencesPerCall() {
        Echo echo = new Echo(Map.of("value", "consent:{consent.id}|field:{f} {not a ref} {} {unset}"));
        MapMessageContext a = new MapMessageContext().set("consent.id", "c-1").set("f", "iban");
        echo.execute(a, exec);
        assertThat(a.string("echo.out")).isEqualTo("consent:c-1|field:iban {not a ref} {} ");
        MapMessageContext b = new MapMessageContext().set("consent.id", 42).set("f", "x");
        echo.execute(b, exec);
        assertThat(b.string("echo.out")).isEqualTo("consent:42|field:x {not a ref} {} ");
    }

    @Test
    void aLoneReferenceHandsOverTheValueItself() {
        String big = "x".repeat(100_000);
        MapMessageContext c = new MapMessageContext().set("response.content", big);
        new Echo(Map.of("value", "{response.content}")).execute(c, exec);
        assertThat((String) c.getVariable("echo.out")).isSameAs(big);
    }

    @Test
    void anUnexpectedExceptionAbortsWithoutItsMessage() {
        MapMessageContext c = new MapMessageContext().set("v", "boom");
        assertThat(new Echo(Map.of("value", "{v}")).execute(c, exec)).isSameAs(ExecutionResult.ABORT);
        assertThat(c.string("echo.error")).isEqualTo("internal: unexpected IllegalStateException");
        assertThat(c.string("echo.error_code")).isEqualTo("internal");
    }

    @Test
    void noPropertiesAtAllIsFine() {
        MapMessageContext c = new MapMessageContext();
        assertThat(new Echo(null).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("echo.out")).isEmpty();
    }

    @Test
    void anUnknownPropertyIsRefusedNamingTheAcceptedOnes() {
        assertThatThrownBy(() -> new Echo(Map.of("value", "x", "valeu", "y")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown property valeu for Echo; accepted: now, value");
    }

    @Test
    void nowIsAcceptedByEveryCallout() {
        MapMessageContext c = new MapMessageContext();
        assertThat(new Echo(Map.of("value", "x", "now", "1000")).execute(c, exec)).isSameAs(ExecutionResult.SUCCESS);
        assertThat(c.string("echo.out")).isEqualTo("x");
    }
}
