package eu.securehub.psd2.checks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Apigee callout API as {@code javap} prints it from the real jars (the shared reference),
 * reduced to comparable keys: per type its kind, supertypes and members, with generics erased.
 * Member keys: {@code name(param,...)return} for methods, {@code <init>(param,...)void} for
 * constructors, {@code name:type} for fields.
 */
final class ApiReference {
    static final class TypeDecl {
        final String name;
        final String kind;
        final Set<String> supertypes;
        final Set<String> members = new LinkedHashSet<>();

        TypeDecl(String name, String kind, Set<String> supertypes) {
            this.name = name;
            this.kind = kind;
            this.supertypes = supertypes;
        }
    }

    final Map<String, TypeDecl> types = new LinkedHashMap<>();

    static ApiReference parse(String javap) {
        ApiReference ref = new ApiReference();
        TypeDecl current = null;
        for (String raw : javap.split("\n")) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("Compiled from") || line.equals("static {};")) {
                continue;
            }
            if (line.equals("}")) {
                current = null;
                continue;
            }
            if (current == null) {
                current = header(line);
                ref.types.put(current.name, current);
            } else {
                current.members.add(member(current.name, line));
            }
        }
        return ref;
    }

    private static TypeDecl header(String line) {
        String l = line.replace("{", "").trim();
        String kind = l.contains(" interface ") ? "interface" : l.contains(" extends java.lang.Enum<") ? "enum" : "class";
        String afterKind = l.substring(l.indexOf(kind.equals("interface") ? "interface " : "class ") + (kind.equals("interface") ? 10 : 6));
        String name = afterKind.split(" ")[0];
        Set<String> supers = new LinkedHashSet<>();
        String rest = erase(afterKind.substring(name.length()), Map.of());
        for (String part : rest.split("\\b(extends|implements)\\b")) {
            for (String s : part.split(",")) {
                if (!s.isBlank()) {
                    supers.add(s.trim());
                }
            }
        }
        if (kind.equals("enum")) {
            supers.remove("java.lang.Enum");
        }
        return new TypeDecl(name, kind, supers);
    }

    private static String member(String owner, String line) {
        String l = line.endsWith(";") ? line.substring(0, line.length() - 1) : line;
        int throwsAt = l.indexOf(" throws ");
        if (throwsAt > 0) {
            l = l.substring(0, throwsAt);
        }
        List<String> tokens = new ArrayList<>(List.of(l.split(" ")));
        while (!tokens.isEmpty() && Set.of("public", "protected", "abstract", "static", "final", "default",
                "synchronized", "native").contains(tokens.get(0))) {
            tokens.remove(0);
        }
        l = String.join(" ", tokens);
        Map<String, String> typeVars = new HashMap<>();
        if (l.startsWith("<")) {
            int close = matching(l, 0);
            for (String tv : l.substring(1, close).split(",(?![^<]*>)")) {
                String[] p = tv.trim().split(" extends ");
                typeVars.put(p[0].trim(), p.length > 1 ? erase(p[1].trim(), Map.of()) : "java.lang.Object");
            }
            l = l.substring(close + 1).trim();
        }
        int paren = l.indexOf('(');
        if (paren < 0) {
            String[] p = erase(l, typeVars).split(" ");
            return p[1] + ":" + p[0];
        }
        String head = erase(l.substring(0, paren), typeVars).trim();
        String params = erase(l.substring(paren + 1, l.lastIndexOf(')')), typeVars);
        StringBuilder key = new StringBuilder();
        int space = head.lastIndexOf(' ');
        if (space < 0) {
            key.append("<init>(");
        } else {
            key.append(head.substring(space + 1)).append('(');
        }
        List<String> ps = new ArrayList<>();
        for (String p : params.split(",")) {
            if (!p.isBlank()) {
                ps.add(p.trim());
            }
        }
        key.append(String.join(",", ps)).append(')').append(space < 0 ? "void" : head.substring(0, space).trim());
        return key.toString();
    }

    /** Removes generic arguments and replaces type variables by their erasure. */
    static String erase(String type, Map<String, String> typeVars) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (char c : type.toCharArray()) {
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            } else if (depth == 0) {
                out.append(c);
            }
        }
        StringBuilder result = new StringBuilder();
        for (String token : out.toString().split("(?<=[ ,(])|(?=[ ,()])")) {
            String base = token.replace("[]", "");
            result.append(typeVars.containsKey(base) ? token.replace(base, typeVars.get(base)) : token);
        }
        return result.toString();
    }

    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (s.charAt(i) == '<') {
                depth++;
            } else if (s.charAt(i) == '>' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced <> in " + s);
    }
}
