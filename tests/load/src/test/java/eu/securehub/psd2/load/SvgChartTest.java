package eu.securehub.psd2.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The SVG writer: well-formed SVG 1.1 that the JDK's parser reads, with its series, line, band, lane and legend. */
class SvgChartTest {
    static final String SVG_NS = "http://www.w3.org/2000/svg";

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    static Element byId(Document d, String id) {
        NodeList all = d.getElementsByTagNameNS(SVG_NS, "*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (id.equals(e.getAttribute("id"))) {
                return e;
            }
        }
        return null;
    }

    static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getLocalName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }

    static String texts(Element parent) {
        StringBuilder b = new StringBuilder();
        NodeList t = parent.getElementsByTagNameNS(SVG_NS, "text");
        for (int i = 0; i < t.getLength(); i++) {
            b.append(t.item(i).getTextContent()).append('\n');
        }
        return b.toString();
    }

    static SvgChart sample() {
        // 4 s in 500 ms buckets: 8 buckets
        return new SvgChart("Outage <test> & \"quotes\"", 4000, 500)
                .subtitle("a subtitle")
                .series("ok", "200 OK", "#43a047")
                .series("open", "503 breaker open", "#7e57c2")
                .series("empty", "never seen", "#424242")
                .counts("ok", new int[] {5, 5, 2, 0, 0, 0, 3, 5})
                .counts("open", new int[] {0, 0, 3, 5, 5, 5, 2, 0})
                .line("reached the bank", "#000000", new int[] {5, 5, 5, 0, 0, 1, 3, 5})
                .window(1000, 3000, "bank answers 500")
                .band("breaker")
                .state("closed", "closed", "#a5d6a7")
                .state("open", "open", "#7e57c2")
                .state("half-open", "half-open", "#ffb300")
                .span(0, 1300, "closed").span(1300, 2600, "open").span(2600, 2700, "half-open")
                .span(2700, 9999, "closed")
                .lane("unattended", "an unattended read")
                .marker(250, "ok", "3").marker(2250, "open", "")
                .caption("Run on a test machine; load 0.5. A long caption that goes on and on and on and on and on and "
                        + "on and on and on and on and on and on and on and on and on and on and on and on and on "
                        + "and on and on, so that it wraps.");
    }

    @Test
    void aFullChartIsWellFormedSvgWithEverySeriesTheLineTheBandTheLaneAndTheLegend() throws Exception {
        String svg = sample().render();
        Document d = parse(svg);

        Element root = d.getDocumentElement();
        assertThat(root.getNamespaceURI()).isEqualTo(SVG_NS);
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getAttribute("version")).isEqualTo("1.1");
        assertThat(root.getAttribute("viewBox")).startsWith("0 0 1000 ");
        assertThat(svg).doesNotContain("<script").doesNotContain("@import").doesNotContain("href")
                .doesNotContain("<style");
        Element background = children(root, "rect").get(0);
        assertThat(background.getAttribute("fill")).isEqualTo("#ffffff");
        assertThat(background.getAttribute("width")).isEqualTo("1000");
        assertThat(children(root, "title").get(0).getTextContent()).isEqualTo("Outage <test> & \"quotes\"");

        // one bar per non-empty bucket of each series, in its colour
        Element ok = byId(d, "series-ok");
        assertThat(ok.getAttribute("fill")).isEqualTo("#43a047");
        assertThat(children(ok, "rect")).hasSize(5);
        assertThat(children(byId(d, "series-open"), "rect")).hasSize(5);
        assertThat(children(byId(d, "series-empty"), "rect")).isEmpty();
        // stacked: in bucket 6 the 503s sit on top of the 200s
        Element okBar = children(ok, "rect").get(3);
        Element openBar = children(byId(d, "series-open"), "rect").get(4);
        assertThat(okBar.getAttribute("x")).isEqualTo(openBar.getAttribute("x"));
        assertThat(Double.parseDouble(openBar.getAttribute("y")) + Double.parseDouble(openBar.getAttribute("height")))
                .isCloseTo(Double.parseDouble(okBar.getAttribute("y")), org.assertj.core.data.Offset.offset(0.11));

        // the step line: two points per bucket
        assertThat(byId(d, "line").getAttribute("points").split(" ")).hasSize(16);
        // the band: the three states (the last span clipped to the chart), labelled
        Element band = byId(d, "band");
        assertThat(children(band, "rect")).hasSize(5); // its frame and four spans
        assertThat(texts(band)).contains("breaker");
        // the lane: two markers, one with its text
        Element lane = byId(d, "lane");
        assertThat(children(lane, "circle")).hasSize(2);
        assertThat(texts(lane)).contains("unattended").contains("3");
        // the window, shaded and labelled
        assertThat(children(byId(d, "windows"), "rect")).hasSize(1);
        assertThat(texts(byId(d, "windows"))).contains("bank answers 500");
        // the legend: every series with its total (an empty one too), the line, the states, the lane's note
        String legend = texts(byId(d, "legend"));
        assertThat(legend).contains("200 OK (20)").contains("503 breaker open (20)").contains("never seen (0)")
                .contains("reached the bank").contains("breaker closed").contains("breaker open")
                .contains("breaker half-open").contains("an unattended read");
        // axes: seconds 0 to 4, the labels
        assertThat(texts(byId(d, "x-axis"))).contains("0\n").contains("4\n").contains("seconds");
        // the caption, wrapped over more than one line
        assertThat(children(byId(d, "caption"), "text").size()).isGreaterThan(1);
        assertThat(texts(byId(d, "caption"))).contains("load 0.5");
    }

    @Test
    void anEmptyChartStillHasItsAxesLegendAndNoBars() throws Exception {
        SvgChart c = new SvgChart("empty", 10_000, 250).series("ok", "200 OK", "#43a047");
        assertThat(c.buckets()).isEqualTo(40);
        Document d = parse(c.render());
        assertThat(children(byId(d, "series-ok"), "rect")).isEmpty();
        assertThat(byId(d, "line")).isNull();
        assertThat(byId(d, "band")).isNull();
        assertThat(byId(d, "lane")).isNull();
        assertThat(texts(byId(d, "legend"))).contains("200 OK (0)");
        // the y axis still runs from 0 to at least 1 per second
        assertThat(texts(byId(d, "y-axis"))).contains("0\n").contains("1\n");

        Document none = parse(new SvgChart("no series at all", 1000, 1000).render());
        assertThat(none.getDocumentElement().getLocalName()).isEqualTo("svg");
    }

    @Test
    void edgeBucketsTimesOutsideTheChartAndAShortLastBucket() throws Exception {
        // 1.2 s in 500 ms buckets: the last one lasts 200 ms
        SvgChart c = new SvgChart("edges", 1200, 500).series("ok", "200 OK", "#43a047");
        assertThat(c.buckets()).isEqualTo(3);
        assertThat(c.bucketOf(-1)).isEqualTo(-1);
        assertThat(c.bucketOf(0)).isZero();
        assertThat(c.bucketOf(499)).isZero();
        assertThat(c.bucketOf(500)).isEqualTo(1);
        assertThat(c.bucketOf(1199)).isEqualTo(2);
        assertThat(c.bucketOf(1200)).isEqualTo(-1);
        c.count("ok", -5).count("ok", 0).count("ok", 1199).count("ok", 1200).count("ok", 99_999);
        assertThat(c.total("ok")).isEqualTo(2);
        c.window(-500, 99_000, "all of it").marker(5000, "ok", "outside");
        Document d = parse(c.render());
        List<Element> bars = children(byId(d, "series-ok"), "rect");
        assertThat(bars).hasSize(2);
        // one read in the 200 ms bucket is 5 per second, in a 500 ms one 2 per second: the last bar is taller
        assertThat(Double.parseDouble(bars.get(1).getAttribute("height")))
                .isGreaterThan(2 * Double.parseDouble(bars.get(0).getAttribute("height")));
        // the window is clipped to the plot, the marker outside the chart is not drawn
        Element w = children(byId(d, "windows"), "rect").get(0);
        assertThat(Double.parseDouble(w.getAttribute("x"))).isEqualTo(70);
        assertThat(Double.parseDouble(w.getAttribute("width"))).isEqualTo(910);
        assertThat(children(byId(d, "lane"), "circle")).isEmpty();
    }

    @Test
    void refusesWhatItCannotDraw() {
        SvgChart c = new SvgChart("x", 1000, 500).series("ok", "200 OK", "#43a047");
        assertThatThrownBy(() -> c.counts("ok", new int[3])).hasMessageContaining("expected 2 buckets");
        assertThatThrownBy(() -> c.counts("ok", new int[] {1, -1})).hasMessageContaining("negative");
        assertThatThrownBy(() -> c.counts("nope", new int[2])).hasMessageContaining("no series nope");
        assertThatThrownBy(() -> c.series("ok", "again", "#000000")).hasMessageContaining("twice");
        assertThatThrownBy(() -> c.series("Bad Key", "x", "#000000")).hasMessageContaining("key");
        assertThatThrownBy(() -> c.series("red", "x", "red\"/><script")).hasMessageContaining("colour");
        assertThatThrownBy(() -> c.span(0, 1, "closed")).hasMessageContaining("no state");
        assertThatThrownBy(() -> c.window(2, 1, "back")).hasMessageContaining("ends before");
        assertThatThrownBy(() -> new SvgChart("x", 0, 500)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SvgChart("x", 1000, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void helpers() {
        assertThat(SvgChart.niceStep(3.8)).isEqualTo(5);
        assertThat(SvgChart.niceStep(0.23)).isEqualTo(0.5);
        assertThat(SvgChart.niceStep(12)).isEqualTo(20);
        assertThat(SvgChart.niceStep(0)).isEqualTo(1);
        assertThat(SvgChart.f(2.0)).isEqualTo("2");
        assertThat(SvgChart.f(-0.01)).isEqualTo("0");
        assertThat(SvgChart.f(1.25)).isIn("1.2", "1.3");
        assertThat(SvgChart.esc("a<b>&\"'\u0001")).isEqualTo("a&lt;b&gt;&amp;&quot;&apos;");
        assertThat(SvgChart.wrap("one two three four", 9)).containsExactly("one two", "three", "four");
        assertThat(SvgChart.wrap("", 9)).isEmpty();
    }
}
