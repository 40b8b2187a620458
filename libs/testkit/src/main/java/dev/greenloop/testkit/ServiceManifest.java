package dev.greenloop.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a function's Knative Service ({@code knative/base/<function>/service.yaml}) gives its
 * container, for tests that run the packaged application as it ships: the JVM options
 * ({@code JAVA_OPTS_APPEND}) and the memory limit.
 */
public final class ServiceManifest {

    private static final Pattern JAVA_OPTIONS = Pattern.compile("- name: JAVA_OPTS_APPEND\\s+value: \"([^\"]+)\"");
    private static final Pattern MEMORY_LIMIT = Pattern.compile("limits:\\s+cpu: \"?[0-9m]+\"?\\s+memory: (\\d+)Mi");

    private final Path path;
    private final String text;

    private ServiceManifest(Path path, String text) {
        this.path = path;
        this.text = text;
    }

    /** The Service of {@code function} under {@code root}, the project's directory. */
    public static ServiceManifest of(Path root, String function) {
        Path path = root.resolve("knative/base/" + function + "/service.yaml");
        try {
            return new ServiceManifest(path, Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path + ": " + e.getMessage(), e);
        }
    }

    /** The container's {@code JAVA_OPTS_APPEND}, split into options. */
    public List<String> javaOptions() {
        return List.of(find(JAVA_OPTIONS, "the JAVA_OPTS_APPEND variable").trim().split("\\s+"));
    }

    /**
     * The command that starts {@code jar} as the container does: this JVM's {@code java}, the
     * Service's options, then {@code properties} (ports, addresses of the test's services).
     */
    public List<String> command(String jar, List<String> properties) {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(javaOptions());
        command.addAll(properties);
        command.addAll(List.of("-jar", jar));
        return command;
    }

    /** The container's memory limit, MiB. */
    public long memoryLimitMiB() {
        return Long.parseLong(find(MEMORY_LIMIT, "a memory limit in Mi under resources.limits"));
    }

    private String find(Pattern pattern, String what) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(path + " has no " + what);
        }
        return m.group(1);
    }
}
