package eu.securehub.psd2.runtime.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Drift guard: every {@code <Condition>} and every templated element of the project's proxy and shared-flow
 * bundles (sources: apiproxy/ and sharedflows/NAME/sharedflowbundle/) parses, and evaluates / renders
 * against empty variables without error. A new bundle expression the runtime cannot handle fails here.
 */
class BundleExpressionsTest {

    /** Elements whose text Apigee treats as a message template (apigee-semantics.md §3), plus JavaCallout
     * properties (parsed to catch typos; the callout itself receives the text). */
    private static final Set<String> TEMPLATED = Set.of("Payload", "Header", "Template", "URL", "Path", "Message",
        "Property", "QueryParam", "FormParam", "Verb", "Version", "StatusCode", "ReasonPhrase", "LogName");

    record Expr(String where, String kind, String text) {
    }

    private static Path root() {
        return Paths.get(System.getProperty("psd2.bundles.root", "../..")).toAbsolutePath().normalize();
    }

    private static List<Path> bundleFiles() throws IOException {
        Path root = root();
        List<Path> dirs = new ArrayList<>();
        dirs.add(root.resolve("apiproxy"));
        try (Stream<Path> flows = Files.list(root.resolve("sharedflows"))) {
            flows.map(p -> p.resolve("sharedflowbundle")).filter(Files::isDirectory).sorted().forEach(dirs::add);
        }
        List<Path> files = new ArrayList<>();
        for (Path d : dirs) {
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(p -> p.toString().endsWith(".xml")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    private static List<Expr> expressions() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        List<Expr> out = new ArrayList<>();
        Path root = root();
        for (Path file : bundleFiles()) {
            Document doc = f.newDocumentBuilder().parse(file.toFile());
            NodeList all = doc.getElementsByTagName("*");
            for (int i = 0; i < all.getLength(); i++) {
                Element e = (Element) all.item(i);
                String name = e.getTagName();
                if (hasElementChildren(e)) {
                    continue;
                }
                String where = root.relativize(file) + " <" + name + ">";
                if (name.equals("Condition")) {
                    out.add(new Expr(where, "condition", e.getTextContent()));
                } else if (TEMPLATED.contains(name)
                    || (name.equals("Value") && e.getParentNode().getNodeName().equals("Label"))) {
                    out.add(new Expr(where, "template", e.getTextContent()));
                }
            }
        }
        return out;
    }

    private static boolean hasElementChildren(Element e) {
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                return true;
            }
        }
        return false;
    }

    @Test
    void bundlesAreFoundAndHaveExpressions() throws Exception {
        List<Expr> all = expressions();
        assertThat(bundleFiles()).hasSizeGreaterThan(50);
        assertThat(all.stream().filter(x -> x.kind().equals("condition")).count()).isGreaterThanOrEqualTo(90);
        assertThat(all.stream().filter(x -> x.kind().equals("template") && !MessageTemplate.parse(x.text()).isLiteral())
            .count()).isGreaterThanOrEqualTo(90);
    }

    @TestFactory
    Stream<DynamicTest> everyBundleExpressionParses() throws Exception {
        Variables empty = name -> null;
        return expressions().stream().map(x -> DynamicTest.dynamicTest(x.kind() + " " + x.where() + ": " + x.text(),
            () -> {
                if (x.kind().equals("condition")) {
                    Condition c = Condition.parse(x.text());
                    assertThatCode(() -> c.test(empty)).doesNotThrowAnyException();
                } else {
                    MessageTemplate t = MessageTemplate.parse(x.text());
                    assertThatCode(() -> t.render(empty)).doesNotThrowAnyException();
                }
            }));
    }
}
