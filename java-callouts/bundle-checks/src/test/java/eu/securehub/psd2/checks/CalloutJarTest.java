package eu.securehub.psd2.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The callout jar that the bundle ships in resources/java. */
class CalloutJarTest {
    private static Map<String, byte[]> entries;
    private static ApiReference reference;

    @BeforeAll
    static void load() throws Exception {
        entries = ClassFiles.entries(Artifacts.callouts());
        reference = Artifacts.reference();
    }

    @Test
    void holdsTheCalloutsAndNoApigeeClass() {
        assertThat(entries.keySet()).contains("eu/securehub/psd2/callouts/EnvelopeEncrypt.class",
                "eu/securehub/psd2/callouts/EnvelopeDecrypt.class", "eu/securehub/psd2/callouts/MintOpaqueToken.class",
                "eu/securehub/psd2/callouts/ResolveOpaqueToken.class", "eu/securehub/psd2/callouts/CircuitBreaker.class");
        assertThat(entries.keySet()).noneMatch(n -> n.startsWith("com/apigee/") || n.startsWith("io/apigee/"));
        assertThat(entries.keySet()).noneMatch(n -> n.contains("/testing/") || n.endsWith("Test.class"));
    }

    @Test
    void everyClassIsJava11() {
        entries.forEach((name, bytes) -> {
            if (name.endsWith(".class")) {
                assertThat(ClassFiles.majorVersion(bytes)).as(name).isEqualTo(55);
            }
        });
    }

    @Test
    void usesOnlyApiMembersTheRealJarsHave() {
        Set<String> unknown = new TreeSet<>();
        Set<String> used = new TreeSet<>();
        forEachReference(new ClassFiles.References() {
            @Override
            public void member(String owner, String key) {
                if (owner.startsWith("com/apigee/")) {
                    String type = owner.replace('/', '.');
                    used.add(type + "#" + key);
                    ApiReference.TypeDecl decl = reference.types.get(type);
                    if (decl == null || !decl.members.contains(key)) {
                        unknown.add(type + "#" + key);
                    }
                }
            }

            @Override
            public void type(String internalName) {
                if (internalName.startsWith("com/apigee/") && !reference.types.containsKey(internalName.replace('/', '.'))) {
                    unknown.add(internalName);
                }
            }
        });
        assertThat(used).contains("com.apigee.flow.message.MessageContext#getVariable(java.lang.String)java.lang.Object",
                "com.apigee.flow.execution.ExecutionResult#SUCCESS:com.apigee.flow.execution.ExecutionResult");
        assertThat(unknown).isEmpty();
    }

    @Test
    void noReflectionFileSystemProcessOrNetworkAccess() {
        Set<String> forbidden = new TreeSet<>();
        forEachReference(new ClassFiles.References() {
            @Override
            public void member(String owner, String key) {
                String name = key.split("[(:]", 2)[0];
                boolean reflective = owner.equals("java/lang/Class") && (name.startsWith("forName") || name.startsWith("getDeclared")
                        || name.startsWith("getMethod") || name.startsWith("getField") || name.startsWith("getConstructor")
                        || name.equals("newInstance"));
                boolean exits = (owner.equals("java/lang/System") || owner.equals("java/lang/Runtime"))
                        && (name.equals("exit") || name.equals("exec") || name.equals("halt") || name.equals("load") || name.equals("loadLibrary"));
                if (reflective || exits || forbiddenType(owner)) {
                    forbidden.add(owner + "#" + key);
                }
            }

            @Override
            public void type(String internalName) {
                if (forbiddenType(internalName)) {
                    forbidden.add(internalName);
                }
            }
        });
        assertThat(forbidden).isEmpty();
    }

    private static boolean forbiddenType(String t) {
        return t.startsWith("java/lang/reflect/") || t.startsWith("java/nio/file/") || t.startsWith("java/net/")
                || t.startsWith("java/io/File") || t.equals("java/io/RandomAccessFile") || t.equals("java/lang/ProcessBuilder")
                || t.startsWith("sun/") || t.startsWith("jdk/internal/") || t.equals("java/lang/Thread")
                || t.startsWith("java/nio/channels/");
    }

    private static void forEachReference(ClassFiles.References sink) {
        entries.forEach((name, bytes) -> {
            if (name.endsWith(".class")) {
                ClassFiles.references(bytes, sink);
            }
        });
    }
}
