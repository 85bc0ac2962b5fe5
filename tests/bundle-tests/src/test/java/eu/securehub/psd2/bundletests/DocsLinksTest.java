package eu.securehub.psd2.bundletests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The project's Markdown: every relative link of every {@code *.md} leads to a file that exists and, with a
 * {@code #fragment}, to a heading of that file (GitHub's anchors: lower case, punctuation dropped, spaces to
 * {@code -}, {@code -1}, {@code -2} … for repeats) or an explicit {@code <a id|name>}; README.md stays short and its
 * "Guides" table names guides that exist and open with a diagram. Whether the diagrams parse is
 * {@code tests/e2e}'s {@code MermaidSyntaxTest} (it needs a browser).
 */
class DocsLinksTest {

  /** README.md's length limit: a newcomer reads it in five minutes. */
  static final int README_MAX_LINES = 180;

  static final Pattern FENCE = Pattern.compile("^\\s{0,3}(`{3,}|~{3,})");
  static final Pattern HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);
  static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
  static final Pattern LINK = Pattern.compile("\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  /** GitHub drops every character that is not a letter, a mark, a digit, a connector (_), a space or a hyphen. */
  static final Pattern NOT_IN_ANCHOR = Pattern.compile("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]");
  static final Pattern INLINE_LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\([^)]*\\)");

  final Path root = Hub.locateRoot();
  final Map<Path, Doc> docs = new HashMap<>();

  /** One Markdown file: its lines outside fenced code, with their numbers, and its anchors. */
  record Doc(List<String> lines, List<Integer> numbers, Set<String> anchors, List<String> all) {
  }

  @Test
  void everyRelativeLinkResolves() {
    List<String> broken = new ArrayList<>();
    List<Path> files = markdownFiles();
    assertThat(files).as("Markdown files under " + root).isNotEmpty();
    for (Path file : files) {
      Doc doc = doc(file);
      for (int i = 0; i < doc.lines().size(); i++) {
        Matcher m = LINK.matcher(CODE_SPAN.matcher(doc.lines().get(i)).replaceAll(""));
        while (m.find()) {
          String problem = check(file, m.group(1));
          if (problem != null) {
            broken.add(root.relativize(file) + ":" + doc.numbers().get(i) + ": (" + m.group(1) + ") " + problem);
          }
        }
      }
    }
    assertThat(broken).as("broken relative links").isEmpty();
  }

  @Test
  void readmeIsShortAndEveryGuideOpensWithItsDiagram() {
    Path readme = root.resolve("README.md");
    List<String> lines = doc(readme).all();
    assertThat(lines.size()).as("README.md's lines (at most " + README_MAX_LINES + ")").isLessThanOrEqualTo(README_MAX_LINES);

    List<String> guides = guidesTable(lines);
    assertThat(guides).as("the links of README.md's \"## Guides\" table").isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (String target : guides) {
      Path guide = root.resolve(target.replaceFirst("#.*$", "")).normalize();
      if (!Files.isRegularFile(guide) || !guide.toString().endsWith(".md")) {
        problems.add(target + ": not a Markdown file of the project");
        continue;
      }
      List<String> g = doc(guide).all();
      int i = 0;
      while (i < g.size() && g.get(i).isBlank()) {
        i++;
      }
      if (i >= g.size() || !g.get(i).startsWith("# ")) {
        problems.add(target + ": does not start with a # title");
        continue;
      }
      i++;
      while (i < g.size() && g.get(i).isBlank()) {
        i++;
      }
      if (i >= g.size() || !g.get(i).strip().equals("```mermaid")) {
        problems.add(target + ": the title is not followed by a ```mermaid block");
      }
    }
    assertThat(problems).as("guides of README.md's Guides table").isEmpty();
  }

  @Test
  void githubAnchorsAreComputedAsGithubDoes() {
    assertThat(anchor("Every bank the same way: `nextStep`")).isEqualTo("every-bank-the-same-way-nextstep");
    assertThat(anchor("Ciphertext format (version 1)")).isEqualTo("ciphertext-format-version-1");
    assertThat(anchor("Build: Java 11 and Apigee's callout API")).isEqualTo("build-java-11-and-apigees-callout-api");
    assertThat(anchor("`Java-EnvelopeEncrypt` and `Java-EnvelopeDecrypt`"))
        .isEqualTo("java-envelopeencrypt-and-java-envelopedecrypt");
    assertThat(anchor("See [the guide](x.md) now")).isEqualTo("see-the-guide-now");
    assertThat(check(root.resolve("README.md"), "#no-such-heading-anywhere")).isNotNull();
    assertThat(check(root.resolve("README.md"), "no/such/file.md")).isNotNull();
  }

  /** The link targets of the table under README.md's "## Guides" heading: the first link of each row. */
  static List<String> guidesTable(List<String> lines) {
    List<String> targets = new ArrayList<>();
    boolean in = false;
    for (String line : lines) {
      if (line.startsWith("## ")) {
        in = line.strip().equals("## Guides");
        continue;
      }
      if (in && line.startsWith("|")) {
        Matcher m = LINK.matcher(line);
        if (m.find()) {
          targets.add(m.group(1));
        }
      }
    }
    return targets;
  }

  /** Null when the link is fine (or not relative), else what is wrong with it. */
  String check(Path from, String target) {
    if (target.isEmpty() || SCHEME.matcher(target).find() || target.startsWith("//")) {
      return null;
    }
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String fragment = hash < 0 ? null : target.substring(hash + 1);
    Path file = path.isEmpty() ? from : from.getParent().resolve(path).normalize();
    if (!file.startsWith(root)) {
      return "leads out of the project";
    }
    if (!Files.exists(file)) {
      return root.relativize(file) + " does not exist";
    }
    if (fragment == null || fragment.isEmpty()) {
      return null;
    }
    if (!file.getFileName().toString().endsWith(".md")) {
      return "a #fragment on a file that is not Markdown";
    }
    Set<String> anchors = doc(file).anchors();
    return anchors.contains(fragment) ? null
        : "no heading #" + fragment + " in " + root.relativize(file) + " (it has " + anchors + ")";
  }

  Doc doc(Path file) {
    return docs.computeIfAbsent(file.toAbsolutePath().normalize(), DocsLinksTest::read);
  }

  static Doc read(Path file) {
    List<String> all;
    try {
      all = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> lines = new ArrayList<>();
    List<Integer> numbers = new ArrayList<>();
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    String fence = null;
    for (int i = 0; i < all.size(); i++) {
      String line = all.get(i);
      Matcher f = FENCE.matcher(line);
      if (fence == null && f.find()) {
        fence = f.group(1);
        continue;
      }
      if (fence != null) {
        String s = line.strip();
        char mark = fence.charAt(0);
        if (s.length() >= fence.length() && s.chars().allMatch(c -> c == mark)) {
          fence = null;
        }
        continue;
      }
      lines.add(line);
      numbers.add(i + 1);
      Matcher h = HEADING.matcher(line);
      if (h.matches()) {
        String a = anchor(h.group(2));
        int n = seen.merge(a, 1, Integer::sum);
        anchors.add(n == 1 ? a : a + "-" + (n - 1));
      }
      Matcher html = HTML_ANCHOR.matcher(line);
      while (html.find()) {
        anchors.add(html.group(1));
      }
    }
    return new Doc(lines, numbers, anchors, all);
  }

  /** GitHub's anchor of a heading's text. */
  static String anchor(String heading) {
    String text = INLINE_LINK.matcher(heading).replaceAll("$1");
    text = NOT_IN_ANCHOR.matcher(text.toLowerCase(Locale.ROOT)).replaceAll("");
    return text.replace(' ', '-');
  }

  /** Every *.md of the project, outside build output, node_modules and hidden folders. */
  List<Path> markdownFiles() {
    List<Path> found = new ArrayList<>();
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          String n = dir.getFileName() == null ? "" : dir.getFileName().toString();
          boolean skip = !dir.equals(root) && (n.equals("target") || n.equals("node_modules") || n.startsWith("."));
          return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && file.getFileName().toString().endsWith(".md")) {
            found.add(file.toAbsolutePath().normalize());
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    found.sort(null);
    return found;
  }
}
