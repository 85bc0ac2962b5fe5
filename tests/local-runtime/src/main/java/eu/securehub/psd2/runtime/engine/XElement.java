package eu.securehub.psd2.runtime.engine;

import eu.securehub.psd2.runtime.spi.ConfigError;
import eu.securehub.psd2.runtime.spi.Location;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.Locator;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * A parsed XML element with the line it starts on (from a SAX pass) and "read" marks, so that anything the
 * runtime did not read can be reported (strictness).
 */
public final class XElement {
    final String name;
    final Location location;
    final Map<String, String> attributes = new LinkedHashMap<>();
    final List<XElement> children = new ArrayList<>();
    final StringBuilder text = new StringBuilder();
    final java.util.Set<String> readAttributes = new java.util.HashSet<>();
    boolean read;
    boolean textRead;

    XElement(String name, Location location) {
        this.name = name;
        this.location = location;
    }

    public String name() {
        return name;
    }

    public Location location() {
        return location;
    }

    /** Parses a file; displayName is the path shown in errors (e.g. "apiproxy/policies/X.xml"). */
    public static XElement parse(Path file, String displayName) {
        try (InputStream in = Files.newInputStream(file)) {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            SAXParser p = f.newSAXParser();
            Handler h = new Handler(displayName);
            p.parse(in, h);
            if (h.root == null) {
                throw new ConfigError(new Location(displayName, 0), "empty XML document");
            }
            return h.root;
        } catch (SAXParseException e) {
            throw new ConfigError(new Location(displayName, e.getLineNumber()), "malformed XML: " + e.getMessage(), e);
        } catch (ConfigError e) {
            throw e;
        } catch (Exception e) {
            throw new ConfigError(new Location(displayName, 0), "cannot read XML: " + e, e);
        }
    }

    private static final class Handler extends DefaultHandler {
        private final String file;
        private Locator locator;
        private final java.util.ArrayDeque<XElement> stack = new java.util.ArrayDeque<>();
        XElement root;

        Handler(String file) {
            this.file = file;
        }

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes atts) {
            XElement e = new XElement(qName, new Location(file, locator == null ? 0 : locator.getLineNumber()));
            for (int i = 0; i < atts.getLength(); i++) {
                String an = atts.getQName(i);
                if (an.equals("xmlns") || an.startsWith("xmlns:") || an.startsWith("xsi:")) {
                    continue; // namespace declarations are not configuration
                }
                e.attributes.put(an, atts.getValue(i));
            }
            if (stack.isEmpty()) {
                root = e;
            } else {
                stack.peek().children.add(e);
            }
            stack.push(e);
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            stack.pop();
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (!stack.isEmpty()) {
                stack.peek().text.append(ch, start, length);
            }
        }
    }
}
