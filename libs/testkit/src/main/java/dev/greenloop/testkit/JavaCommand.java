package dev.greenloop.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM that runs one of the kit's servers: the same {@code java} as
 * the tests, the server class path the build wrote into {@code server.classpath}, and the kit's
 * own classes.
 */
public final class JavaCommand {

    private static final String CLASSPATH_RESOURCE = "server.classpath";

    private JavaCommand() {
    }

    /** {@code java <jvmOptions> -cp <server class path> <mainClass> <args>}. */
    public static List<String> of(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseSerialGC");
        command.add("-Djava.net.preferIPv4Stack=true");
        command.add("-Djava.awt.headless=true");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    static String classPath() {
        String entries;
        try (InputStream in = JavaCommand.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new TestkitException(TestkitException.Kind.KIT_BROKEN, "The test kit has no " + CLASSPATH_RESOURCE
                        + "; rebuild it with ./mvnw install -pl libs/testkit");
            }
            entries = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new TestkitException(TestkitException.Kind.KIT_BROKEN, "Cannot read " + CLASSPATH_RESOURCE, e);
        }
        for (String entry : entries.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank() && !Files.exists(Paths.get(entry))) {
                throw new TestkitException(TestkitException.Kind.KIT_BROKEN, "The test kit's server class path names "
                        + entry + ", which does not exist; rebuild it with ./mvnw install -pl libs/testkit");
            }
        }
        return ownLocation() + java.io.File.pathSeparator + entries;
    }

    private static String ownLocation() {
        try {
            return Paths.get(JavaCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new TestkitException(TestkitException.Kind.KIT_BROKEN, "Cannot locate the test kit's classes", e);
        }
    }

    /** A log4j2 configuration that writes the server's logging to its standard output. */
    public static Path writeLogConfig(Path dir, String level) {
        Path file = dir.resolve("log4j2.xml");
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <Configuration status="WARN">
                  <Appenders>
                    <Console name="out" target="SYSTEM_OUT">
                      <PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level [%t] %c{1.} - %msg%n"/>
                    </Console>
                  </Appenders>
                  <Loggers>
                    <Root level="LEVEL"><AppenderRef ref="out"/></Root>
                  </Loggers>
                </Configuration>
                """.replace("LEVEL", level);
        try {
            return Files.writeString(file, xml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
