package eu.securehub.psd2.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * This project's declarations of the Apigee API (apigee-message-flow-api, apigee-expressions-api)
 * declare only types and public members the real jars have, with the same kind, supertypes and signatures.
 */
class ApiDeclarationsTest {

    @Test
    void everyDeclaredTypeAndPublicMemberIsInTheReference() throws Exception {
        ApiReference ref = Artifacts.reference();
        List<String> problems = new ArrayList<>();
        int types = 0;
        for (Path artifact : Artifacts.apiModules()) {
            for (Map.Entry<String, byte[]> e : ClassFiles.entries(artifact).entrySet()) {
                if (!e.getKey().endsWith(".class")) {
                    continue;
                }
                types++;
                assertThat(ClassFiles.majorVersion(e.getValue())).as(e.getKey()).isEqualTo(55);
                Declared d = declared(e.getValue());
                ApiReference.TypeDecl expected = ref.types.get(d.name);
                if (expected == null) {
                    problems.add(d.name + " is not a type of the real API");
                    continue;
                }
                if (!expected.kind.equals(d.kind)) {
                    problems.add(d.name + " is a " + d.kind + ", the real one a " + expected.kind);
                }
                if (!expected.supertypes.equals(d.supertypes)) {
                    problems.add(d.name + " extends " + d.supertypes + ", the real one " + expected.supertypes);
                }
                for (String member : d.members) {
                    if (!expected.members.contains(member)) {
                        problems.add(d.name + "#" + member + " is not in the real API");
                    }
                }
            }
        }
        assertThat(types).isGreaterThanOrEqualTo(6);
        assertThat(problems).isEmpty();
    }

    @Test
    void theCommittedReferenceCopyMatchesTheSharedReference() throws Exception {
        Path shared = Path.of(System.getProperty("shared.reference", ""));
        Assumptions.assumeTrue(Files.isRegularFile(shared), "shared/ is not beside the project");
        Matcher m = Pattern.compile("```\\n(Compiled from.*?)```", Pattern.DOTALL).matcher(Files.readString(shared));
        assertThat(m.find()).isTrue();
        assertThat(Artifacts.referenceJavap().strip()).isEqualTo(m.group(1).strip());
    }

    @Test
    void theReferenceParserUnderstandsGenericsAndConstructors() throws Exception {
        ApiReference ref = Artifacts.reference();
        assertThat(ref.types.get("com.apigee.flow.message.MessageContext").members)
                .contains("getVariable(java.lang.String)java.lang.Object", "getFlowInfo(java.lang.String)com.apigee.flow.FlowInfo");
        assertThat(ref.types.get("com.apigee.expressions.DataProvider").members).contains("get(java.lang.String)java.lang.Comparable");
        assertThat(ref.types.get("com.apigee.flow.execution.ExecutionResult").members)
                .contains("<init>(boolean,com.apigee.flow.execution.Action)void", "SUCCESS:com.apigee.flow.execution.ExecutionResult",
                        "setErrorResponseHeaders(java.util.Map)void");
        assertThat(ref.types.get("com.apigee.flow.execution.Action").kind).isEqualTo("enum");
        assertThat(ref.types.get("com.apigee.flow.message.MessageContext").supertypes).containsExactly("com.apigee.expressions.DataProvider");
    }

    private static final class Declared {
        String name;
        String kind;
        final Set<String> supertypes = new LinkedHashSet<>();
        final Set<String> members = new LinkedHashSet<>();
    }

    private static Declared declared(byte[] classFile) {
        Declared d = new Declared();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                d.name = name.replace('/', '.');
                d.kind = (access & Opcodes.ACC_INTERFACE) != 0 ? "interface" : (access & Opcodes.ACC_ENUM) != 0 ? "enum" : "class";
                if (superName != null && !superName.equals("java/lang/Object") && !superName.equals("java/lang/Enum")) {
                    d.supertypes.add(superName.replace('/', '.'));
                }
                for (String i : interfaces) {
                    d.supertypes.add(i.replace('/', '.'));
                }
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                if ((access & Opcodes.ACC_PUBLIC) != 0 && (access & Opcodes.ACC_SYNTHETIC) == 0) {
                    d.members.add(name + ":" + Type.getType(descriptor).getClassName());
                }
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if ((access & Opcodes.ACC_PUBLIC) != 0 && (access & Opcodes.ACC_SYNTHETIC) == 0 && !name.equals("<clinit>")) {
                    d.members.add(ClassFiles.methodKey(name, descriptor));
                }
                return null;
            }
        }, ClassReader.SKIP_CODE);
        return d;
    }
}
