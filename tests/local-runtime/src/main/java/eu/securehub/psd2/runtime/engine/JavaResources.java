package eu.securehub.psd2.runtime.engine;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Class loaders for a bundle's resources/java jars. The parent sees the JDK's platform classes and, of the
 * runtime's own classes, only the Apigee API (com.apigee.flow.*, com.apigee.expressions.*) — as in Apigee, where
 * the callout gets the message-flow and expressions API from the platform and must bundle everything else.
 */
public final class JavaResources {
    private JavaResources() {
    }

    static final class ApiOnlyParent extends ClassLoader {
        private final ClassLoader runtime = JavaResources.class.getClassLoader();

        ApiOnlyParent() {
            super("apigee-api", ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("com.apigee.flow.") || name.startsWith("com.apigee.expressions.")) {
                return runtime.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            if (name.startsWith("com/apigee/flow/") || name.startsWith("com/apigee/expressions/")) {
                return runtime.getResource(name);
            }
            return super.getResource(name);
        }
    }

    private static final ClassLoader API_PARENT = new ApiOnlyParent();

    public static ClassLoader apiParent() {
        return API_PARENT;
    }

    static ClassLoader loaderFor(Path javaDir) {
        List<URL> urls = new ArrayList<>();
        if (Files.isDirectory(javaDir)) {
            try (Stream<Path> s = Files.list(javaDir)) {
                for (Path p : s.filter(x -> x.toString().endsWith(".jar")).sorted().toList()) {
                    urls.add(p.toUri().toURL());
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + javaDir, e);
            }
        }
        return new URLClassLoader("bundle:" + javaDir, urls.toArray(URL[]::new), API_PARENT);
    }
}
