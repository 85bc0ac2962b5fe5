package eu.securehub.psd2.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A small chart over time, written by hand as plain SVG 1.1 (no script, no external font or style sheet, a white
 * background), readable where GitHub shows an SVG. From top to bottom:
 * <ol>
 *   <li>a panel of stacked bars: per time bucket, the count of each series as a rate per second (one colour per
 *       series, stacked in the order the series were declared), with an optional step line (e.g. the calls that
 *       reached the bank) on the same scale;</li>
 *   <li>an optional band of states over time (e.g. the breaker: closed, open, half-open);</li>
 *   <li>an optional lane of single markers (e.g. each unattended read), coloured by a series, each with a short
 *       text above it;</li>
 *   <li>the time axis (seconds), a legend (each series with its total count, the line, the states) and caption
 *       lines.</li>
 * </ol>
 * Windows (e.g. the outage) are shaded across all panels and labelled at the top. Everything is built with the
 * fluent methods and drawn by {@link #render()}; one instance per chart, not thread-safe. Element ids the tests
 * (and a reader of the SVG) can find: {@code series-<key>}, {@code line}, {@code band}, {@code lane},
 * {@code windows}, {@code legend}, {@code caption}.
 */
final class SvgChart {
    /** A series of the bars (or a marker colour): a key (SVG id), a legend label and an SVG colour. */
    record Series(String key, String label, String color) {
        Series {
            requireKey(key);
            Objects.requireNonNull(label, "label");
            requireColor(color);
        }
    }

    /** A shaded, labelled time window. */
    record Window(long fromMs, long toMs, String label) {
    }

    /** A state of the band over a time span. */
    record Span(long fromMs, long toMs, String state) {
    }

    /** One marker of the lane. */
    record Marker(long atMs, String series, String text) {
    }

    static final int WIDTH = 1000;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int PLOT_W = WIDTH - LEFT - RIGHT;
    private static final int PANEL_H = 240;
    private static final int BAND_H = 18;
    private static final int LANE_H = 34;
    private static final int LEGEND_COLUMNS = 2;
    private static final int CAPTION_CHARS = 165;
    private static final String FONT = "Helvetica, Arial, sans-serif";

    private final String title;
    private final long durationMs;
    private final long bucketMs;
    private final int buckets;
    private String subtitle;
    private String yLabel = "per second";
    private String xLabel = "seconds";
    private final List<Series> series = new ArrayList<>();
    private final Map<String, int[]> counts = new LinkedHashMap<>();
    private String lineLabel;
    private String lineColor = "#000000";
    private int[] line;
    private final List<Window> windows = new ArrayList<>();
    private String bandLabel;
    private final List<Series> states = new ArrayList<>();
    private final List<Span> spans = new ArrayList<>();
    private String laneLabel;
    private String laneNote;
    private final List<Marker> markers = new ArrayList<>();
    private final List<String> caption = new ArrayList<>();

    /** A chart of {@code durationMs} of time cut into buckets of {@code bucketMs} (the last one may be shorter). */
    SvgChart(String title, long durationMs, long bucketMs) {
        this.title = Objects.requireNonNull(title, "title");
        if (durationMs <= 0 || bucketMs <= 0) {
            throw new IllegalArgumentException("duration and bucket must be positive: " + durationMs + ", " + bucketMs);
        }
        this.durationMs = durationMs;
        this.bucketMs = bucketMs;
        long n = (durationMs + bucketMs - 1) / bucketMs;
        if (n > 10_000) {
            throw new IllegalArgumentException("at most 10 000 buckets, not " + n);
        }
        this.buckets = (int) n;
    }

    /** How many buckets the duration holds: the length every count array must have. */
    int buckets() {
        return buckets;
    }

    /** The bucket of a time (ms from the start), or -1 when it lies outside the chart. */
    int bucketOf(long atMs) {
        return atMs < 0 || atMs >= durationMs ? -1 : (int) (atMs / bucketMs);
    }

    SvgChart subtitle(String text) {
        this.subtitle = text;
        return this;
    }

    SvgChart axes(String x, String y) {
        this.xLabel = Objects.requireNonNull(x, "x");
        this.yLabel = Objects.requireNonNull(y, "y");
        return this;
    }

    /** Declares a series of the bars (stacked bottom-up in declaration order); its counts default to zeros. */
    SvgChart series(String key, String label, String color) {
        Series s = new Series(key, label, color);
        if (counts.containsKey(key)) {
            throw new IllegalArgumentException("series " + key + " declared twice");
        }
        series.add(s);
        counts.put(key, new int[buckets]);
        return this;
    }

    /** The counts of a declared series, one per bucket. */
    SvgChart counts(String key, int[] perBucket) {
        int[] target = counts.get(key);
        if (target == null) {
            throw new IllegalArgumentException("no series " + key);
        }
        System.arraycopy(checked(perBucket), 0, target, 0, buckets);
        return this;
    }

    /** Adds one to a declared series at a time (ms from the start); a time outside the chart is ignored. */
    SvgChart count(String key, long atMs) {
        int[] target = counts.get(key);
        if (target == null) {
            throw new IllegalArgumentException("no series " + key);
        }
        int b = bucketOf(atMs);
        if (b >= 0) {
            target[b]++;
        }
        return this;
    }

    /** A step line over the bars, on their scale (counts per bucket). */
    SvgChart line(String label, String color, int[] perBucket) {
        this.lineLabel = Objects.requireNonNull(label, "label");
        this.lineColor = requireColor(color);
        this.line = checked(perBucket).clone();
        return this;
    }

    SvgChart window(long fromMs, long toMs, String label) {
        if (toMs < fromMs) {
            throw new IllegalArgumentException("window ends before it starts: " + fromMs + ", " + toMs);
        }
        windows.add(new Window(fromMs, toMs, Objects.requireNonNull(label, "label")));
        return this;
    }

    /** The band's name (drawn left of it). */
    SvgChart band(String label) {
        this.bandLabel = Objects.requireNonNull(label, "label");
        return this;
    }

    /** Declares a state of the band (its legend label and colour). */
    SvgChart state(String key, String label, String color) {
        if (states.stream().anyMatch(s -> s.key().equals(key))) {
            throw new IllegalArgumentException("state " + key + " declared twice");
        }
        states.add(new Series(key, label, color));
        return this;
    }

    /** The band is in {@code state} from {@code fromMs} to {@code toMs} (clipped to the chart). */
    SvgChart span(long fromMs, long toMs, String state) {
        if (states.stream().noneMatch(s -> s.key().equals(state))) {
            throw new IllegalArgumentException("no state " + state);
        }
        if (toMs < fromMs) {
            throw new IllegalArgumentException("span ends before it starts: " + fromMs + ", " + toMs);
        }
        spans.add(new Span(fromMs, toMs, state));
        return this;
    }

    /** The lane's name (drawn left of it) and a legend note explaining its markers. */
    SvgChart lane(String label, String note) {
        this.laneLabel = Objects.requireNonNull(label, "label");
        this.laneNote = note;
        return this;
    }

    /** A marker in the lane, coloured as a declared series, with a short text above it (may be empty). */
    SvgChart marker(long atMs, String seriesKey, String text) {
        if (!counts.containsKey(seriesKey)) {
            throw new IllegalArgumentException("no series " + seriesKey);
        }
        markers.add(new Marker(atMs, seriesKey, text == null ? "" : text));
        return this;
    }

    /** A caption paragraph (wrapped to the chart's width). */
    SvgChart caption(String paragraph) {
        caption.add(Objects.requireNonNull(paragraph, "paragraph"));
        return this;
    }

    /** The total of a series over all buckets. */
    long total(String key) {
        int[] c = counts.get(key);
        if (c == null) {
            throw new IllegalArgumentException("no series " + key);
        }
        long t = 0;
        for (int v : c) {
            t += v;
        }
        return t;
    }

    // ------------------------------------------------------------------------------------------------ drawing

    /** The SVG document. */
    String render() {
        StringBuilder svg = new StringBuilder(64 * 1024);
        double[] rate = new double[buckets];
        double max = 0;
        for (int b = 0; b < buckets; b++) {
            long sum = 0;
            for (Series s : series) {
                sum += counts.get(s.key())[b];
            }
            rate[b] = sum * 1000.0 / bucketLength(b);
            max = Math.max(max, rate[b]);
            if (line != null) {
                max = Math.max(max, line[b] * 1000.0 / bucketLength(b));
            }
        }
        // headroom for the window labels at the top of the panel
        double yStep = niceStep(Math.max(max * 1.18, 1) / 5);
        double yMax = yStep * Math.ceil(Math.max(max * 1.18, 1) / yStep);

        int top = subtitle == null ? 48 : 66;
        int panelBottom = top + PANEL_H;
        int bandTop = panelBottom + 12;
        int y = panelBottom;
        if (bandLabel != null || !states.isEmpty()) {
            y = bandTop + BAND_H;
        }
        int laneTop = y + 10;
        if (laneLabel != null || !markers.isEmpty()) {
            y = laneTop + LANE_H;
        }
        int axisY = y;
        List<String[]> legend = legendItems();
        int legendTop = axisY + 50;
        int legendRows = (legend.size() + LEGEND_COLUMNS - 1) / LEGEND_COLUMNS;
        List<String> captionLines = new ArrayList<>();
        for (String p : caption) {
            captionLines.addAll(wrap(p, CAPTION_CHARS));
        }
        int captionTop = legendTop + legendRows * 18 + 12;
        int height = captionTop + captionLines.size() * 15 + 10;

        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(height).append("\" font-family=\"").append(FONT).append("\" font-size=\"12\">\n");
        svg.append("<title>").append(esc(title)).append("</title>\n");
        if (!caption.isEmpty()) {
            svg.append("<desc>").append(esc(String.join(" ", caption))).append("</desc>\n");
        }
        svg.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" fill=\"#ffffff\"/>\n");
        text(svg, LEFT, 26, title, "font-size=\"17\" font-weight=\"bold\" fill=\"#212121\"");
        if (subtitle != null) {
            text(svg, LEFT, 46, subtitle, "font-size=\"12\" fill=\"#424242\"");
        }

        // grid and y axis
        svg.append("<g id=\"grid\" stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
        int yTicks = (int) Math.round(yMax / yStep);
        for (int i = 1; i <= yTicks; i++) {
            double gy = yOf(i * yStep, yMax, top, panelBottom);
            svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(f(gy)).append("\" x2=\"")
                    .append(LEFT + PLOT_W).append("\" y2=\"").append(f(gy)).append("\"/>\n");
        }
        svg.append("</g>\n");
        svg.append("<g id=\"y-axis\" font-size=\"11\" fill=\"#424242\" text-anchor=\"end\">\n");
        for (int i = 0; i <= yTicks; i++) {
            text(svg, LEFT - 6, yOf(i * yStep, yMax, top, panelBottom) + 4, f(i * yStep), null);
        }
        svg.append("</g>\n");
        double midY = (top + panelBottom) / 2.0;
        svg.append("<text x=\"16\" y=\"").append(f(midY)).append("\" transform=\"rotate(-90 16 ").append(f(midY))
                .append(")\" text-anchor=\"middle\" font-size=\"11\" fill=\"#424242\">").append(esc(yLabel))
                .append("</text>\n");

        // windows, under everything else
        svg.append("<g id=\"windows\">\n");
        for (Window w : windows) {
            double x0 = xOf(clip(w.fromMs()));
            double x1 = xOf(clip(w.toMs()));
            svg.append("<rect x=\"").append(f(x0)).append("\" y=\"").append(top).append("\" width=\"")
                    .append(f(Math.max(0, x1 - x0))).append("\" height=\"").append(axisY - top)
                    .append("\" fill=\"#9e9e9e\" fill-opacity=\"0.22\"/>\n");
            text(svg, (x0 + x1) / 2, top + 14, w.label(), "text-anchor=\"middle\" font-size=\"11\" fill=\"#212121\"");
        }
        svg.append("</g>\n");

        // the bars, one group per series
        int[] base = new int[buckets];
        for (Series s : series) {
            int[] c = counts.get(s.key());
            svg.append("<g id=\"series-").append(s.key()).append("\" fill=\"").append(s.color()).append("\">\n");
            for (int b = 0; b < buckets; b++) {
                if (c[b] == 0) {
                    continue;
                }
                double len = bucketLength(b);
                double y0 = yOf(base[b] * 1000.0 / len, yMax, top, panelBottom);
                double y1 = yOf((base[b] + c[b]) * 1000.0 / len, yMax, top, panelBottom);
                double x0 = xOf(b * bucketMs);
                double x1 = xOf(Math.min(durationMs, (b + 1) * bucketMs));
                double w = x1 - x0 > 3 ? x1 - x0 - 1 : Math.max(0.5, x1 - x0);
                svg.append("<rect x=\"").append(f(x0)).append("\" y=\"").append(f(y1)).append("\" width=\"")
                        .append(f(w)).append("\" height=\"").append(f(y0 - y1)).append("\"/>\n");
                base[b] += c[b];
            }
            svg.append("</g>\n");
        }
        if (line != null) {
            StringBuilder pts = new StringBuilder();
            for (int b = 0; b < buckets; b++) {
                double ly = yOf(line[b] * 1000.0 / bucketLength(b), yMax, top, panelBottom);
                pts.append(f(xOf(b * bucketMs))).append(',').append(f(ly)).append(' ')
                        .append(f(xOf(Math.min(durationMs, (b + 1) * bucketMs)))).append(',').append(f(ly)).append(' ');
            }
            svg.append("<polyline id=\"line\" fill=\"none\" stroke=\"").append(lineColor)
                    .append("\" stroke-width=\"1.6\" stroke-linejoin=\"round\" points=\"").append(pts.toString().trim())
                    .append("\"/>\n");
        }
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(panelBottom).append("\" x2=\"")
                .append(LEFT + PLOT_W).append("\" y2=\"").append(panelBottom).append("\" stroke=\"#616161\"/>\n");
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(top).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(panelBottom).append("\" stroke=\"#616161\"/>\n");

        // the band of states
        if (bandLabel != null || !states.isEmpty()) {
            svg.append("<g id=\"band\">\n");
            if (bandLabel != null) {
                text(svg, LEFT - 6, bandTop + 13, bandLabel, "text-anchor=\"end\" font-size=\"11\" fill=\"#212121\"");
            }
            svg.append("<rect x=\"").append(LEFT).append("\" y=\"").append(bandTop).append("\" width=\"").append(PLOT_W)
                    .append("\" height=\"").append(BAND_H).append("\" fill=\"#ffffff\" stroke=\"#bdbdbd\"/>\n");
            for (Span sp : spans) {
                double x0 = xOf(clip(sp.fromMs()));
                double x1 = xOf(clip(sp.toMs()));
                if (x1 <= x0) {
                    continue;
                }
                Series st = stateOf(sp.state());
                svg.append("<rect x=\"").append(f(x0)).append("\" y=\"").append(bandTop).append("\" width=\"")
                        .append(f(x1 - x0)).append("\" height=\"").append(BAND_H).append("\" fill=\"")
                        .append(st.color()).append("\"><title>").append(esc(st.label())).append(' ')
                        .append(f(sp.fromMs() / 1000.0)).append("–").append(f(sp.toMs() / 1000.0))
                        .append(" s</title></rect>\n");
                if (x1 - x0 > 7.0 * st.key().length() + 6) {
                    text(svg, (x0 + x1) / 2, bandTop + 13, st.key(),
                            "text-anchor=\"middle\" font-size=\"10\" fill=\"#ffffff\"");
                }
            }
            svg.append("</g>\n");
        }

        // the lane of markers
        if (laneLabel != null || !markers.isEmpty()) {
            int mid = laneTop + LANE_H - 10;
            svg.append("<g id=\"lane\">\n");
            if (laneLabel != null) {
                text(svg, LEFT - 6, mid + 4, laneLabel, "text-anchor=\"end\" font-size=\"11\" fill=\"#212121\"");
            }
            svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(mid).append("\" x2=\"")
                    .append(LEFT + PLOT_W).append("\" y2=\"").append(mid).append("\" stroke=\"#bdbdbd\"/>\n");
            for (Marker m : markers) {
                if (m.atMs() < 0 || m.atMs() > durationMs) {
                    continue;
                }
                double mx = xOf(m.atMs());
                svg.append("<circle cx=\"").append(f(mx)).append("\" cy=\"").append(mid).append("\" r=\"5\" fill=\"")
                        .append(seriesOf(m.series()).color()).append("\" stroke=\"#212121\" stroke-width=\"0.6\"/>\n");
                if (!m.text().isEmpty()) {
                    text(svg, mx, mid - 9, m.text(), "text-anchor=\"middle\" font-size=\"10\" fill=\"#212121\"");
                }
            }
            svg.append("</g>\n");
        }

        // the time axis
        svg.append("<g id=\"x-axis\" font-size=\"11\" fill=\"#424242\" text-anchor=\"middle\">\n");
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(axisY).append("\" x2=\"").append(LEFT + PLOT_W)
                .append("\" y2=\"").append(axisY).append("\" stroke=\"#616161\"/>\n");
        double xStep = niceStep(durationMs / 1000.0 / 10);
        for (int i = 0; i * xStep * 1000 <= durationMs + 1e-6; i++) {
            double s = i * xStep;
            double tx = xOf(Math.round(s * 1000));
            svg.append("<line x1=\"").append(f(tx)).append("\" y1=\"").append(axisY).append("\" x2=\"").append(f(tx))
                    .append("\" y2=\"").append(axisY + 4).append("\" stroke=\"#616161\"/>\n");
            text(svg, tx, axisY + 16, f(s), null);
        }
        text(svg, LEFT + PLOT_W / 2.0, axisY + 34, xLabel, null);
        svg.append("</g>\n");

        // the legend
        svg.append("<g id=\"legend\" font-size=\"11\" fill=\"#212121\">\n");
        int colW = PLOT_W / LEGEND_COLUMNS;
        for (int i = 0; i < legend.size(); i++) {
            String[] item = legend.get(i);
            double lx = LEFT + (i % LEGEND_COLUMNS) * colW;
            double ly = legendTop + (i / LEGEND_COLUMNS) * 18;
            switch (item[0]) {
                case "line" -> svg.append("<line x1=\"").append(f(lx)).append("\" y1=\"").append(f(ly - 4))
                        .append("\" x2=\"").append(f(lx + 14)).append("\" y2=\"").append(f(ly - 4))
                        .append("\" stroke=\"").append(item[1]).append("\" stroke-width=\"2\"/>\n");
                case "dot" -> svg.append("<circle cx=\"").append(f(lx + 7)).append("\" cy=\"").append(f(ly - 4))
                        .append("\" r=\"5\" fill=\"").append(item[1]).append("\" stroke=\"#212121\" stroke-width=\"0.6\"/>\n");
                default -> svg.append("<rect x=\"").append(f(lx)).append("\" y=\"").append(f(ly - 10))
                        .append("\" width=\"14\" height=\"12\" fill=\"").append(item[1]).append("\"/>\n");
            }
            text(svg, lx + 20, ly, item[2], null);
        }
        svg.append("</g>\n");

        // the caption
        svg.append("<g id=\"caption\" font-size=\"11\" fill=\"#424242\">\n");
        for (int i = 0; i < captionLines.size(); i++) {
            text(svg, LEFT, captionTop + i * 15, captionLines.get(i), null);
        }
        svg.append("</g>\n");
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** Legend entries: {kind (box, line, dot), colour, text}. */
    private List<String[]> legendItems() {
        List<String[]> items = new ArrayList<>();
        for (Series s : series) {
            items.add(new String[] {"box", s.color(), s.label() + " (" + total(s.key()) + ")"});
        }
        if (line != null) {
            items.add(new String[] {"line", lineColor, lineLabel});
        }
        for (Series s : states) {
            items.add(new String[] {"box", s.color(), (bandLabel == null ? "" : bandLabel + " ") + s.label()});
        }
        if (laneNote != null) {
            items.add(new String[] {"dot", "#ffffff", laneNote});
        }
        return items;
    }

    private Series stateOf(String key) {
        return states.stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow();
    }

    private Series seriesOf(String key) {
        return series.stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow();
    }

    private long bucketLength(int b) {
        return Math.min(durationMs, (b + 1L) * bucketMs) - b * bucketMs;
    }

    private long clip(long ms) {
        return Math.max(0, Math.min(durationMs, ms));
    }

    private double xOf(long ms) {
        return LEFT + PLOT_W * (double) ms / durationMs;
    }

    private static double yOf(double v, double yMax, int top, int bottom) {
        return bottom - (bottom - top) * v / yMax;
    }

    private int[] checked(int[] perBucket) {
        Objects.requireNonNull(perBucket, "counts");
        if (perBucket.length != buckets) {
            throw new IllegalArgumentException("expected " + buckets + " buckets, got " + perBucket.length);
        }
        for (int v : perBucket) {
            if (v < 0) {
                throw new IllegalArgumentException("a count must not be negative: " + v);
            }
        }
        return perBucket;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0) || Double.isInfinite(raw)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw - 1e-12) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** Words wrapped to lines of at most {@code width} characters (a longer word stands alone). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (current.length() > 0 && current.length() + 1 + word.length() > width) {
                lines.add(current.toString());
                current.setLength(0);
            }
            if (current.length() > 0) {
                current.append(' ');
            }
            current.append(word);
        }
        if (current.length() > 0) {
            lines.add(current.toString());
        }
        return lines;
    }

    private static void text(StringBuilder svg, double x, double y, String s, String attributes) {
        svg.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(y)).append('"');
        if (attributes != null) {
            svg.append(' ').append(attributes);
        }
        svg.append('>').append(esc(s)).append("</text>\n");
    }

    /** A number for SVG: at most one decimal, no trailing ".0". */
    static String f(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        if (s.equals("-0.0")) {
            return "0";
        }
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** Text and attribute content escaped for XML (characters XML 1.0 forbids are dropped). */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static void requireKey(String key) {
        if (key == null || !key.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("a key is lower-case letters, digits and '-': " + key);
        }
    }

    private static String requireColor(String color) {
        if (color == null || !color.matches("#[0-9a-fA-F]{6}")) {
            throw new IllegalArgumentException("a colour is #rrggbb: " + color);
        }
        return color;
    }
}
