package eu.securehub.psd2.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```mermaid} block of every {@code *.md} of the project parses with the Mermaid the code host renders
 * them with ({@code mermaid} of the root {@code package.json}, {@code node_modules/mermaid/dist/mermaid.min.js}):
 * one blank page in Debian's Chromium, {@code mermaid.parse} for each block. A failure names the file, the block's
 * number in it and its first line. The links and the guides' opening diagrams are {@code tests/bundle-tests}'
 * {@code DocsLinksTest}.
 */
class MermaidSyntaxTest {

    static final Path ROOT = Path.of(System.getProperty("hub.root", "../..")).toAbsolutePath().normalize();
    static final Path MERMAID = ROOT.resolve("node_modules/mermaid/dist/mermaid.min.js");

    /** One diagram: where it is and its text. */
    record Block(String file, int number, int line, String text) {
    }

    @Test
    void everyMermaidBlockParses() throws Exception {
        List<Block> blocks = new ArrayList<>();
        for (Path md : markdownFiles()) {
            blocks.addAll(blocks(md));
        }
        assertThat(blocks).as("```mermaid blocks in the project's *.md").isNotEmpty();
        ensureMermaid();

        List<Map<String, Object>> arg = new ArrayList<>();
        for (Block b : blocks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("where", b.file() + ", block " + b.number() + " (line " + b.line() + ")");
            m.put("text", b.text());
            arg.add(m);
        }
        List<String> failures = new ArrayList<>();
        try (Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                com.microsoft.playwright.Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                        .setExecutablePath(Path.of(Browser.CHROMIUM)).setHeadless(true).setArgs(Browser.FLAGS)
                        .setTimeout(60_000))) {
            Page page = browser.newPage();
            page.setContent("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body></body></html>");
            page.addScriptTag(new Page.AddScriptTagOptions().setPath(MERMAID));
            Object result = page.evaluate("""
                    async blocks => {
                      mermaid.initialize({startOnLoad: false});
                      const failed = [];
                      for (const b of blocks) {
                        try {
                          await mermaid.parse(b.text);
                        } catch (e) {
                          failed.push(b.where + ": " + String((e && e.message) || e));
                        }
                      }
                      return failed;
                    }""", arg);
            for (Object o : (List<?>) result) {
                failures.add(String.valueOf(o));
            }
        }
        assertThat(failures).as("Mermaid blocks that do not parse (of " + blocks.size() + ")").isEmpty();
    }

    /** The root's node_modules lacks mermaid (a checkout whose node_modules predates it): the build's npm install. */
    static void ensureMermaid() throws IOException, InterruptedException {
        if (Files.isRegularFile(MERMAID)) {
            return;
        }
        Process p = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        assertThat(done && p.exitValue() == 0 && Files.isRegularFile(MERMAID))
                .as(MERMAID + " is missing and npm install in " + ROOT + " did not bring it (package.json pins mermaid)")
                .isTrue();
    }

    /** The ```mermaid blocks of one file, numbered from 1 in the file. */
    static List<Block> blocks(Path md) {
        List<String> lines;
        try {
            lines = Files.readAllLines(md);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> found = new ArrayList<>();
        String rel = ROOT.relativize(md).toString();
        String fence = null;
        StringBuilder text = null;
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).strip();
            if (fence == null) {
                if (s.startsWith("```") || s.startsWith("~~~")) {
                    fence = s.substring(0, 3);
                    if (s.substring(3).strip().equals("mermaid")) {
                        text = new StringBuilder();
                        start = i + 1;
                    }
                }
            } else if (s.equals(fence) || (s.startsWith(fence) && s.chars().allMatch(c -> c == s.charAt(0)))) {
                if (text != null) {
                    found.add(new Block(rel, found.size() + 1, start, text.toString()));
                }
                fence = null;
                text = null;
            } else if (text != null) {
                text.append(lines.get(i)).append('\n');
            }
        }
        return found;
    }

    /** Every *.md of the project, outside build output, node_modules and hidden folders. */
    static List<Path> markdownFiles() throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String n = dir.getFileName() == null ? "" : dir.getFileName().toString();
                boolean skip = !dir.equals(ROOT) && (n.equals("target") || n.equals("node_modules") || n.startsWith("."));
                return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && file.getFileName().toString().endsWith(".md")) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort(null);
        return found;
    }
}
