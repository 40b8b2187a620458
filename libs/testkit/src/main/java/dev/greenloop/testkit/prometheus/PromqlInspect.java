package dev.greenloop.testkit.prometheus;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitException;
import dev.greenloop.testkit.go.GoInstall;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PromQL and scraped metrics read by Prometheus's own parsers ({@code tools/promql-inspect}, Go,
 * built once with the machine's {@code go} into the cache, keyed by its sources): for each
 * expression, the metric names and label names it selects on and the labels its aggregations
 * and matchings use; for scrapes in the text format, every series name with its label names.
 */
public final class PromqlInspect {

    public record Expression(String where, String expr) {
    }

    public record Selector(String metric, List<String> labels) {
    }

    public record Parsed(String where, String expr, String error, List<Selector> selectors, List<String> grouping) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path binary;

    private PromqlInspect(Path binary) {
        this.binary = binary;
    }

    /** Builds (once per version of its sources) the tool at {@code source}. */
    public static PromqlInspect build(Path source) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String f : List.of("main.go", "go.mod", "go.sum")) {
                sha.update(Files.readAllBytes(source.resolve(f)));
            }
            Path binary = TestkitDirs.cache().resolve("promql-inspect/" + HexFormat.of().formatHex(sha.digest()).substring(0, 16));
            GoInstall.build(source, binary);
            return new PromqlInspect(binary);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new TestkitException(TestkitException.Kind.INSTALL_FAILED, "cannot build " + source + ": " + e.getMessage(), e);
        }
    }

    /** Every series name in {@code scrapes} (text format) with the label names its samples carry. */
    public Map<String, List<String>> families(List<Path> scrapes) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "families"));
        scrapes.forEach(s -> command.add(s.toString()));
        return run(command, null, new TypeReference<>() { });
    }

    public List<Parsed> parse(List<Expression> expressions) {
        return run(List.of(binary.toString(), "exprs"), expressions, new TypeReference<>() { });
    }

    /** Runs the tool with {@code input} as JSON on stdin (none when null); its stdout as {@code T}. */
    private <T> T run(List<String> command, Object input, TypeReference<T> output) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (OutputStream in = p.getOutputStream()) {
                if (input != null) {
                    JSON.writeValue(in, input);
                }
            }
            T result = JSON.readValue(p.getInputStream(), output);
            if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new TestkitException(TestkitException.Kind.KIT_BROKEN, String.join(" ", command) + " failed");
            }
            return result;
        } catch (IOException e) {
            throw new TestkitException(TestkitException.Kind.KIT_BROKEN, "cannot run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException(TestkitException.Kind.KIT_BROKEN, "interrupted running " + binary, e);
        }
    }
}
