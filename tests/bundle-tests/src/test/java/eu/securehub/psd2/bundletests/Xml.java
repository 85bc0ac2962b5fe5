package eu.securehub.psd2.bundletests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/** The JDK's DOM, namespace-unaware, no DTDs or external entities. */
final class Xml {

  private Xml() {}

  static Element parse(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return builder().parse(in).getDocumentElement();
    } catch (IOException | SAXException e) {
      throw new AssertionError(file + ": not well-formed XML: " + e.getMessage(), e);
    }
  }

  private static DocumentBuilder builder() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(false);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      return f.newDocumentBuilder();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Direct child elements with this tag name. */
  static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  static Optional<Element> child(Element parent, String name) {
    List<Element> c = children(parent, name);
    return c.isEmpty() ? Optional.empty() : Optional.of(c.get(0));
  }

  /** Trimmed text of the first direct child with this name, or empty. */
  static String childText(Element parent, String name) {
    return child(parent, name).map(Xml::text).orElse("");
  }

  static String text(Element e) {
    return e.getTextContent() == null ? "" : e.getTextContent().trim();
  }

  /** Every descendant element with this tag name, in document order. */
  static List<Element> descendants(Element root, String name) {
    NodeList nodes = root.getElementsByTagName(name);
    List<Element> out = new ArrayList<>(nodes.getLength());
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add((Element) nodes.item(i));
    }
    return out;
  }

  /** Whether a descendant-or-self chain from e up to (excluding) stop contains an element named name. */
  static boolean hasAncestor(Element e, String name) {
    for (Node n = e.getParentNode(); n instanceof Element p; n = p.getParentNode()) {
      if (p.getTagName().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
