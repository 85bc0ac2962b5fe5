package eu.securehub.psd2.runtime.policies.io;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.Attributes;
import org.xml.sax.Locator;
import org.xml.sax.helpers.DefaultHandler;

/**
 * A strict PolicyXml for the tests (the engine has its own): every attribute, child element and non-blank
 * text not read makes done() fail. Lines come from a SAX pass (element order = DOM order).
 */
final class TestXml implements PolicyXml {
    private final Element element;
    private final String file;
    private final Reads reads;

    private static final class Reads {
        final Set<Object> read = Collections.newSetFromMap(new IdentityHashMap<>());
        final IdentityHashMap<Element, Integer> lines = new IdentityHashMap<>();
    }

    private TestXml(Element element, String file, Reads reads) {
        this.element = element;
        this.file = file;
        this.reads = reads;
    }

    static TestXml parse(String xml) {
        return parse(xml, "apiproxy/policies/Test.xml");
    }

    static TestXml of(Path file, String name) {
        try {
            return parse(Files.readString(file), name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static TestXml parse(String xml, String file) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            Reads reads = new Reads();
            List<Integer> lines = new ArrayList<>();
            SAXParser sax = SAXParserFactory.newInstance().newSAXParser();
            sax.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), new DefaultHandler() {
                Locator locator;

                @Override
                public void setDocumentLocator(Locator l) {
                    locator = l;
                }

                @Override
                public void startElement(String uri, String local, String q, Attributes a) {
                    lines.add(locator.getLineNumber());
                }
            });
            List<Element> all = new ArrayList<>();
            collect(doc.getDocumentElement(), all);
            for (int i = 0; i < all.size() && i < lines.size(); i++) {
                reads.lines.put(all.get(i), lines.get(i));
            }
            TestXml root = new TestXml(doc.getDocumentElement(), file, reads);
            // What the engine reads on every policy root.
            for (String a : List.of("name", "continueOnError", "enabled", "async")) {
                Attr at = doc.getDocumentElement().getAttributeNode(a);
                if (at != null) {
                    reads.read.add(at);
                }
            }
            root.child("DisplayName").ifPresent(PolicyXml::text);
            return root;
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void collect(Element e, List<Element> out) {
        out.add(e);
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                collect(c, out);
            }
        }
    }

    @Override
    public String name() {
        Attr a = element.getAttributeNode("name");
        if (a == null) {
            return null;
        }
        reads.read.add(a);
        return a.getValue();
    }

    @Override
    public boolean continueOnError() {
        return "true".equals(element.getAttribute("continueOnError"));
    }

    @Override
    public boolean enabled() {
        return !"false".equals(element.getAttribute("enabled"));
    }

    @Override
    public Location location() {
        return new Location(file, reads.lines.getOrDefault(element, 0));
    }

    @Override
    public String elementName() {
        return element.getTagName();
    }

    @Override
    public Optional<PolicyXml> child(String name) {
        List<PolicyXml> c = children(name);
        if (c.size() > 1) {
            throw new ConfigError(c.get(1).location(), "<" + name + "> appears more than once");
        }
        return c.stream().findFirst();
    }

    @Override
    public List<PolicyXml> children(String name) {
        List<PolicyXml> out = new ArrayList<>();
        for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                reads.read.add(c);
                out.add(new TestXml(c, file, reads));
            }
        }
        return out;
    }

    @Override
    public List<PolicyXml> children() {
        List<PolicyXml> out = new ArrayList<>();
        for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                reads.read.add(c);
                out.add(new TestXml(c, file, reads));
            }
        }
        return out;
    }

    @Override
    public String text() {
        reads.read.add(element.getOwnerDocument()); // marker unused
        StringBuilder b = new StringBuilder();
        for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
                reads.read.add(n);
                b.append(n.getNodeValue());
            }
        }
        return b.toString().trim();
    }

    @Override
    public String attribute(String name) {
        return optionalAttribute(name).orElseThrow(() -> error("attribute " + name + " is required"));
    }

    @Override
    public Optional<String> optionalAttribute(String name) {
        Attr a = element.getAttributeNode(name);
        if (a == null) {
            return Optional.empty();
        }
        reads.read.add(a);
        return Optional.of(a.getValue());
    }

    @Override
    public Location locationOf(String childOrAttribute) {
        for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(childOrAttribute)) {
                return new Location(file, reads.lines.getOrDefault(c, 0));
            }
        }
        return location();
    }

    @Override
    public void done() {
        check(element);
    }

    private void check(Element e) {
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Node a = attrs.item(i);
            if (!reads.read.contains(a)) {
                throw new ConfigError(new Location(file, reads.lines.getOrDefault(e, 0)),
                        "unknown attribute " + a.getNodeName() + " on <" + e.getTagName() + ">");
            }
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                if (!reads.read.contains(c)) {
                    throw new ConfigError(new Location(file, reads.lines.getOrDefault(c, 0)),
                            "unknown element <" + c.getTagName() + "> in <" + e.getTagName() + ">");
                }
                check(c);
            } else if ((n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE)
                    && !n.getNodeValue().isBlank() && !reads.read.contains(n)) {
                throw new ConfigError(new Location(file, reads.lines.getOrDefault(e, 0)),
                        "unexpected text in <" + e.getTagName() + ">");
            }
        }
    }

    @Override
    public void consumeAll() {
        consume(element);
    }

    private void consume(Element e) {
        reads.read.add(e);
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            reads.read.add(attrs.item(i));
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            reads.read.add(n);
            if (n instanceof Element c) {
                consume(c);
            }
        }
    }
}
