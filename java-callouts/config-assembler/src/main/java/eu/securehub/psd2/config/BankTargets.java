package eu.securehub.psd2.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Makes the proxy's per-bank routing in the built bundle (target/apiproxy), from the bank ids of the
 * config:
 * <ul>
 *   <li>{@code targets/bank-ID.xml} for every bank, from {@code targets/bank-target.xml.template}
 *       with {@code @BANK_ID@}, {@code @TARGET_SERVER@} and {@code @READ_TIMEOUT_MS@} (the bank's readTimeoutMs)
 *       replaced (the template itself is removed
 *       from the bundle: Apigee would reject an unknown file there);</li>
 *   <li>one RouteRule per bank where the proxy endpoint has the comment {@code <!-- @BANK_ROUTES@ -->}.</li>
 * </ul>
 * The source bundle (apiproxy/) is never changed.
 */
final class BankTargets {
    static final String TEMPLATE = "bank-target.xml.template";
    static final Pattern MARKER = Pattern.compile("([ \\t]*)<!--\\s*@BANK_ROUTES@\\s*-->");
    static final Pattern GENERATED = Pattern.compile("^bank-[a-z0-9][a-z0-9-]{0,39}\\.xml$");

    private BankTargets() {
    }

    /**
     * @param bundle       the built bundle, e.g. target/apiproxy
     * @param sourceBundle the committed bundle (apiproxy/), checked for hand-written bank targets; may be null
     * @return the files written, for the build log
     */
    static List<Path> generate(Path bundle, Path sourceBundle, Map<String, Long> readTimeouts) {
        Collection<String> bankIds = readTimeouts.keySet();
        Path targets = bundle.resolve("targets");
        Path template = targets.resolve(TEMPLATE);
        if (!Files.isRegularFile(template)) {
            throw new ConfigException(template + " not found: the proxy bundle needs apiproxy/targets/" + TEMPLATE
                    + " (a TargetEndpoint named bank-@BANK_ID@ whose LoadBalancer server is @TARGET_SERVER@)");
        }
        if (sourceBundle != null) {
            List<String> handWritten = generatedNames(sourceBundle.resolve("targets"));
            if (!handWritten.isEmpty()) {
                throw new ConfigException("apiproxy/targets/ holds " + handWritten + ": bank TargetEndpoints are generated"
                        + " from " + TEMPLATE + " at build time; remove them from apiproxy/targets/");
            }
        }
        List<Path> written = new ArrayList<>();
        try {
            // Everything is checked before the first file is changed.
            Path proxy = findMarker(bundle.resolve("proxies"));
            String routed = insertRoutes(Files.readString(proxy, StandardCharsets.UTF_8), bankIds);
            parse(routed, proxy.getFileName() + " with the bank RouteRules");
            String text = Files.readString(template, StandardCharsets.UTF_8);
            if (!text.contains("@TARGET_SERVER@") || !text.contains("@BANK_ID@") || !text.contains("@READ_TIMEOUT_MS@")) {
                throw new ConfigException(template + " must contain @BANK_ID@, @TARGET_SERVER@ and @READ_TIMEOUT_MS@");
            }
            // A bank removed from the config leaves no stale endpoint behind.
            for (String stale : generatedNames(targets)) {
                Files.delete(targets.resolve(stale));
            }
            for (String id : bankIds) {
                String name = ConfigTree.BANK_PREFIX + id;
                String xml = text.replace("@BANK_ID@", id).replace("@TARGET_SERVER@", name)
                        .replace("@READ_TIMEOUT_MS@", Long.toString(readTimeouts.get(id)));
                Element root = parse(xml, TEMPLATE + " for bank " + id).getDocumentElement();
                if (!"TargetEndpoint".equals(root.getTagName()) || !name.equals(root.getAttribute("name"))) {
                    throw new ConfigException(TEMPLATE + " must be a <TargetEndpoint name=\"bank-@BANK_ID@\">: for bank "
                            + id + " it gives <" + root.getTagName() + " name=\"" + root.getAttribute("name") + "\">");
                }
                Path file = targets.resolve(name + ".xml");
                Files.writeString(file, xml, StandardCharsets.UTF_8);
                written.add(file);
            }
            Files.delete(template);
            Files.writeString(proxy, routed, StandardCharsets.UTF_8);
            written.add(proxy);
        } catch (IOException e) {
            throw new ConfigException("cannot write the bank targets into " + bundle + ": " + e.getMessage());
        }
        return written;
    }

    /** The RouteRule of one bank, as the proxy endpoint carries it. */
    static String routeRule(String id) {
        String name = ConfigTree.BANK_PREFIX + id;
        return "<RouteRule name=\"" + name + "\"><Condition>(hub.route = \"bank\") and (hub.bank_id = \"" + id
                + "\")</Condition><TargetEndpoint>" + name + "</TargetEndpoint></RouteRule>";
    }

    /** The one proxy endpoint file that holds the marker, exactly once. */
    private static Path findMarker(Path proxies) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(proxies)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(proxies, "*.xml")) {
                s.forEach(files::add);
            }
        }
        files.sort(null);
        Path found = null;
        for (Path file : files) {
            Matcher m = MARKER.matcher(Files.readString(file, StandardCharsets.UTF_8));
            int count = 0;
            while (m.find()) {
                count++;
            }
            if (count == 0) {
                continue;
            }
            if (count > 1 || found != null) {
                throw new ConfigException("the comment <!-- @BANK_ROUTES@ --> must appear once in apiproxy/proxies/, found "
                        + (found != null ? "in " + found.getFileName() + " and " + file.getFileName()
                                : count + " times in " + file.getFileName()));
            }
            found = file;
        }
        if (found == null) {
            throw new ConfigException("no proxy endpoint in " + proxies + " has the comment <!-- @BANK_ROUTES@ -->,"
                    + " where the bank RouteRules go");
        }
        return found;
    }

    /** The text with the marker replaced by one RouteRule per bank, each on a line of the marker's indent. */
    static String insertRoutes(String text, Collection<String> bankIds) {
        Matcher m = MARKER.matcher(text);
        if (!m.find()) {
            throw new ConfigException("no <!-- @BANK_ROUTES@ --> comment");
        }
        String indent = m.group(1);
        StringBuilder routes = new StringBuilder();
        for (String id : bankIds) {
            if (routes.length() > 0) {
                routes.append('\n');
            }
            routes.append(indent).append(routeRule(id));
        }
        return text.substring(0, m.start()) + routes + text.substring(m.end());
    }

    private static List<String> generatedNames(Path dir) {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (GENERATED.matcher(p.getFileName().toString()).matches()) {
                    names.add(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new ConfigException("cannot list " + dir + ": " + e.getMessage());
        }
        names.sort(null);
        return names;
    }

    private static org.w3c.dom.Document parse(String xml, String what) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
                @Override
                public void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void error(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | IOException e) {
            throw new ConfigException("cannot parse " + what + ": " + e.getMessage());
        } catch (SAXException e) {
            throw new ConfigException(what + " is not well-formed XML: " + e.getMessage());
        }
    }
}
