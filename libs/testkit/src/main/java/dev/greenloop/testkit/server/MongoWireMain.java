package dev.greenloop.testkit.server;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import dev.greenloop.testkit.tls.TestCertificate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A MongoDB-wire server ({@code mongo-java-server}). In memory by default; with a file argument
 * it keeps its data in an H2 file, so the embedded stack survives a restart.
 *
 * <p>Arguments: {@code <dir> <port> [<dataFile>]}. When {@code <dir>/tls} holds a
 * {@link TestCertificate}, the server speaks TLS only.
 */
public final class MongoWireMain {

    private MongoWireMain() {
    }

    public static void main(String[] args) {
        Path dir = Paths.get(args[0]);
        int port = Integer.parseInt(args[1]);
        ParentWatchdog.start("mongo");

        MongoBackend backend = args.length > 2 ? new H2Backend(args[2]) : new MemoryBackend();
        MongoServer server = new MongoServer(backend);
        server.enableOplog();
        boolean tls = Files.exists(dir.resolve("tls").resolve("server.p12"));
        if (tls) {
            TestCertificate certificate = TestCertificate.create(dir.resolve("tls"));
            server.enableSsl(certificate.privateKey(), null, certificate.certificate());
        }
        server.bind("127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("mongo: shutting down");
            server.shutdown();
        }, "mongo-shutdown"));

        System.out.println("mongo: ready on 127.0.0.1:" + port + (args.length > 2 ? " (data in " + args[2] + ")" : " (in memory)")
                + (tls ? ", TLS" : ""));
        ReadyFile.write(dir, "mongodb://127.0.0.1:" + port + System.lineSeparator());
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
