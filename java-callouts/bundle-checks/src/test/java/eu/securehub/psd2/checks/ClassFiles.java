package eu.securehub.psd2.checks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/** Reads the entries of a built artifact (a jar, or a classes folder when only compiled) and their references. */
final class ClassFiles {
    private ClassFiles() {
    }

    /** Entry name to content, for every entry of a jar or file below a folder. */
    static Map<String, byte[]> entries(Path artifact) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        if (Files.isDirectory(artifact)) {
            try (Stream<Path> files = Files.walk(artifact)) {
                for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    out.put(artifact.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            }
            return out;
        }
        try (JarFile jar = new JarFile(artifact.toFile())) {
            Enumeration<JarEntry> e = jar.entries();
            while (e.hasMoreElements()) {
                JarEntry entry = e.nextElement();
                if (!entry.isDirectory()) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        out.put(entry.getName(), in.readAllBytes());
                    }
                }
            }
        }
        return out;
    }

    static int majorVersion(byte[] classFile) {
        return ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
    }

    /** What a class refers to: members as {@code owner#key} (see {@link ApiReference}) and types. */
    interface References {
        void member(String owner, String key);

        void type(String internalName);
    }

    static void references(byte[] classFile, References sink) {
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                if (superName != null) {
                    sink.type(superName);
                }
                for (String i : interfaces) {
                    sink.type(i);
                }
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                types(Type.getType(descriptor), sink);
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                types(Type.getMethodType(descriptor), sink);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String d, boolean itf) {
                        sink.member(owner, methodKey(n, d));
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String n, String d) {
                        sink.member(owner, n + ":" + Type.getType(d).getClassName());
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        sink.type(type);
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (value instanceof Type) {
                            sink.type(((Type) value).getInternalName());
                        }
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String n, String d, Handle bsm, Object... args) {
                        sink.member(bsm.getOwner(), methodKey(bsm.getName(), bsm.getDesc()));
                        for (Object a : args) {
                            if (a instanceof Handle) {
                                Handle h = (Handle) a;
                                sink.member(h.getOwner(), methodKey(h.getName(), h.getDesc()));
                            }
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    }

    static String methodKey(String name, String descriptor) {
        StringBuilder b = new StringBuilder(name).append('(');
        Type[] args = Type.getArgumentTypes(descriptor);
        for (int i = 0; i < args.length; i++) {
            b.append(i == 0 ? "" : ",").append(args[i].getClassName());
        }
        return b.append(')').append(Type.getReturnType(descriptor).getClassName()).toString();
    }

    private static void types(Type t, References sink) {
        if (t.getSort() == Type.METHOD) {
            for (Type a : t.getArgumentTypes()) {
                types(a, sink);
            }
            types(t.getReturnType(), sink);
        } else if (t.getSort() == Type.ARRAY) {
            types(t.getElementType(), sink);
        } else if (t.getSort() == Type.OBJECT) {
            sink.type(t.getInternalName());
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
