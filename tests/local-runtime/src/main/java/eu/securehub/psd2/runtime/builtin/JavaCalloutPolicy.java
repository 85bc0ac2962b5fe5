package eu.securehub.psd2.runtime.builtin;

import com.apigee.flow.execution.Action;
import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import com.apigee.flow.execution.spi.Execution;
import com.apigee.flow.message.MessageContext;
import eu.securehub.psd2.runtime.engine.Bundle;
import eu.securehub.psd2.runtime.spi.BundleInfo;
import eu.securehub.psd2.runtime.spi.FlowContext;
import eu.securehub.psd2.runtime.spi.Policy;
import eu.securehub.psd2.runtime.spi.PolicyFactory;
import eu.securehub.psd2.runtime.spi.PolicyFault;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * JavaCallout (§4.7): the class is loaded at deployment from the bundle's own class loader over resources/java (its
 * parent sees only the Apigee API), instantiated once with a Map&lt;String,String&gt; constructor (the Properties,
 * literal strings) or a no-argument one, and executed concurrently. ABORT, a failed or null result, or an exception
 * → errorcode flow.execution.ExecutionReturnedFailure, 500, faultstring "Execution returned an error result" (§0).
 */
public final class JavaCalloutPolicy extends BasePolicy {
    private static final Logger LOG = Logger.getLogger(JavaCalloutPolicy.class.getName());

    private final Execution callout;
    private final ClassLoader loader;

    public static final class Factory implements PolicyFactory {
        @Override
        public String type() {
            return "JavaCallout";
        }

        @Override
        public Policy create(PolicyXml xml, BundleInfo bundle) {
            JavaCalloutPolicy p = new JavaCalloutPolicy(xml, bundle);
            xml.done();
            return p;
        }
    }

    JavaCalloutPolicy(PolicyXml xml, BundleInfo bundle) {
        super(xml);
        PolicyXml cn = xml.child("ClassName").orElseThrow(() -> xml.error("JavaCallout needs <ClassName>"));
        String className = cn.text();
        PolicyXml ru = xml.child("ResourceURL").orElseThrow(() -> xml.error("JavaCallout needs <ResourceURL>"));
        String url = ru.text();
        if (!url.startsWith("java://")) {
            throw ru.error("ResourceURL must be java://<jar>");
        }
        String jar = url.substring("java://".length());
        if (bundle.resource("java", jar).isEmpty()) {
            throw ru.error("ResourceDoesNotExist: resources/java/" + jar + " is not in the bundle");
        }
        Map<String, String> props = new LinkedHashMap<>();
        boolean hasProperties = xml.child("Properties").map(ps -> {
            for (PolicyXml p : ps.children("Property")) {
                props.put(p.attribute("name"), p.text());
            }
            return true;
        }).orElse(false);
        if (!(bundle instanceof Bundle b)) {
            throw xml.error("JavaCallout needs a bundle loaded by the runtime");
        }
        this.loader = b.javaLoader();
        Class<?> c;
        try {
            c = Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw cn.error("JavaClassNotFoundInJavaResource: " + className + " (" + e + ")");
        }
        if (!Execution.class.isAssignableFrom(c)) {
            throw cn.error("JavaClassDefinitionNotFound: " + className + " does not implement com.apigee.flow.execution.spi.Execution");
        }
        try {
            Object o;
            Constructor<?> mapCtor = findMapConstructor(c);
            if (mapCtor != null && (hasProperties || !hasNoArg(c))) {
                o = mapCtor.newInstance(Collections.unmodifiableMap(props));
            } else if (hasNoArg(c)) {
                if (hasProperties) {
                    throw cn.error("NoAppropriateConstructor: " + className + " has Properties but no Map<String,String> constructor");
                }
                o = c.getConstructor().newInstance();
            } else {
                throw cn.error("NoAppropriateConstructor: " + className);
            }
            this.callout = (Execution) o;
        } catch (InvocationTargetException e) {
            throw cn.error("JavaCalloutInstantiationFailed: " + className + ": " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw cn.error("JavaCalloutInstantiationFailed: " + className + ": " + e);
        }
    }

    private static Constructor<?> findMapConstructor(Class<?> c) {
        try {
            return c.getConstructor(Map.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static boolean hasNoArg(Class<?> c) {
        try {
            c.getConstructor();
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private PolicyFault failure() {
        return new PolicyFault("flow.execution.ExecutionReturnedFailure", 500, "Execution returned an error result");
    }

    @Override
    public void execute(FlowContext ctx) {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        ExecutionResult r;
        try {
            r = callout.execute(new Adapter(ctx), new ExecutionContext() { });
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "JavaCallout " + name() + " threw", e);
            throw failure();
        } finally {
            t.setContextClassLoader(before);
        }
        if (r == null || r.getAction() == Action.ABORT || !r.isSuccess()) {
            throw failure();
        }
    }

    /** MessageContext over the FlowContext: flow variables (message variables included). */
    static final class Adapter implements MessageContext {
        private final FlowContext ctx;

        Adapter(FlowContext ctx) {
            this.ctx = ctx;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getVariable(String name) {
            return (T) ctx.get(name);
        }

        @Override
        public boolean setVariable(String name, Object value) {
            ctx.set(name, value);
            return true;
        }

        @Override
        public boolean removeVariable(String name) {
            ctx.remove(name);
            return true;
        }
    }
}
