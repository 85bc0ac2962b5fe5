package eu.securehub.psd2.runtime.testcallout;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import com.apigee.flow.execution.spi.Execution;
import com.apigee.flow.message.MessageContext;
import java.util.Map;

/** A tiny callout packed into a jar at test time: greets request.header.X-Name; mode abort / throw fail. */
public class EchoCallout implements Execution {
    private final Map<String, String> properties;

    public EchoCallout(Map<String, String> properties) {
        this.properties = properties;
    }

    @Override
    public ExecutionResult execute(MessageContext mc, ExecutionContext ec) {
        String mode = properties.get("mode");
        if ("abort".equals(mode)) {
            return ExecutionResult.ABORT;
        }
        if ("throw".equals(mode)) {
            throw new IllegalStateException("boom");
        }
        String name = mc.getVariable("request.header.X-Name");
        mc.setVariable("callout.greeting", "hello " + name);
        mc.setVariable("callout.loader", String.valueOf(getClass().getClassLoader().getName()));
        mc.setVariable("callout.template", properties.get("template"));
        return ExecutionResult.SUCCESS;
    }
}
