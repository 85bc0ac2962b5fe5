package eu.securehub.psd2.runtime.policies;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Location;
import eu.securehub.psd2.runtime.spi.PolicyXml;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * A strict PolicyXml for tests, with the engine's contract: the root's name/continueOnError/enabled/async and
 * DisplayName are read by the "engine"; everything else must be read by the factory or {@link #done()} fails with
 * a ConfigError naming file and line.
 */
final class TestXml implements PolicyXml {
    private static final Set<String> ROOT_ATTRIBUTES = Set.of("name", "continueOnError", "enabled", "async");

    private final String file;
    private final String tag;
    private final int line;
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private final List<TestXml> children = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private final TestXml root;
    private final Set<String> readAttributes = new HashSet<>();
    private boolean read;
    private boolean textRead;

    private TestXml(String file, String tag, int line, TestXml root) {
        this.file = file;
        this.tag = tag;
        this.line = line;
        this.root = root == null ? this : root;
    }

    static TestXml parse(String file, String xml) {
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Deque<TestXml> stack = new ArrayDeque<>();
            TestXml[] result = new TestXml[1];
            f.newSAXParser().parse(new InputSource(new StringReader(xml)), new DefaultHandler() {
                private Locator locator;

                @Override
                public void setDocumentLocator(Locator l) {
                    this.locator = l;
                }

                @Override
                public void startElement(String uri, String local, String qName, Attributes atts) {
                    TestXml parent = stack.peek();
                    TestXml e = new TestXml(file, qName, locator.getLineNumber(), parent == null ? null : parent.root);
                    for (int i = 0; i < atts.getLength(); i++) {
                        e.attributes.put(atts.getQName(i), atts.getValue(i));
                    }
                    if (parent == null) {
                        result[0] = e;
                        e.read = true;
                    } else {
                        parent.children.add(e);
                    }
                    stack.push(e);
                }

                @Override
                public void endElement(String uri, String local, String qName) {
                    stack.pop();
                }

                @Override
                public void characters(char[] ch, int start, int length) {
                    stack.peek().text.append(ch, start, length);
                }
            });
            TestXml r = result[0];
            r.readAttributes.addAll(ROOT_ATTRIBUTES);
            r.child("DisplayName").ifPresent(PolicyXml::consumeAll);
            return r;
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new ConfigError(new Location(file, 0), "malformed XML: " + e.getMessage(), e);
        }
    }

    static TestXml of(String xml) {
        return parse("apiproxy/policies/Test.xml", xml);
    }

    static TestXml read(Path file, Path base) throws IOException {
        return parse(base.relativize(file).toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    @Override
    public String name() {
        return attributes.get("name");
    }

    @Override
    public boolean continueOnError() {
        return Boolean.parseBoolean(attributes.getOrDefault("continueOnError", "false"));
    }

    @Override
    public boolean enabled() {
        return Boolean.parseBoolean(attributes.getOrDefault("enabled", "true"));
    }

    @Override
    public Location location() {
        return new Location(file, line);
    }

    @Override
    public String elementName() {
        return tag;
    }

    @Override
    public Optional<PolicyXml> child(String name) {
        List<PolicyXml> found = children(name);
        if (found.size() > 1) {
            throw new ConfigError(found.get(1).location(), "more than one <" + name + "> in <" + tag + ">");
        }
        return found.stream().findFirst();
    }

    @Override
    public List<PolicyXml> children(String name) {
        List<PolicyXml> found = new ArrayList<>();
        for (TestXml c : children) {
            if (c.tag.equals(name)) {
                c.read = true;
                found.add(c);
            }
        }
        return found;
    }

    @Override
    public List<PolicyXml> children() {
        children.forEach(c -> c.read = true);
        return List.copyOf(children);
    }

    @Override
    public String text() {
        textRead = true;
        return text.toString().trim();
    }

    @Override
    public String attribute(String name) {
        return optionalAttribute(name).orElseThrow(() -> error("<" + tag + "> needs the attribute " + name));
    }

    @Override
    public Optional<String> optionalAttribute(String name) {
        readAttributes.add(name);
        return Optional.ofNullable(attributes.get(name));
    }

    @Override
    public Location locationOf(String childOrAttribute) {
        for (TestXml c : children) {
            if (c.tag.equals(childOrAttribute)) {
                return c.location();
            }
        }
        return location();
    }

    @Override
    public void done() {
        check(this);
    }

    private static void check(TestXml e) {
        if (!e.read) {
            throw new ConfigError(e.location(), "unknown element <" + e.tag + ">");
        }
        for (String a : e.attributes.keySet()) {
            if (!e.readAttributes.contains(a)) {
                throw new ConfigError(e.location(), "unknown attribute " + a + " on <" + e.tag + ">");
            }
        }
        if (!e.textRead && !e.text.toString().isBlank()) {
            throw new ConfigError(e.location(), "unexpected text in <" + e.tag + ">");
        }
        for (TestXml c : e.children) {
            check(c);
        }
    }

    @Override
    public void consumeAll() {
        read = true;
        textRead = true;
        readAttributes.addAll(attributes.keySet());
        children.forEach(TestXml::consumeAll);
    }
}
