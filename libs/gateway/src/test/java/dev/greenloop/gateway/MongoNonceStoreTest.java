package dev.greenloop.gateway;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.greenloop.events.EventException;
import dev.greenloop.events.TestEvents;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.signing.CommandSigner;
import dev.greenloop.events.signing.CommandVerifier;
import dev.greenloop.testkit.junit.MongoExtension;
import dev.greenloop.testkit.mongo.MongoWireServer;
import dev.greenloop.testkit.net.LossyLink;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The durable nonce store against the real MongoDB-wire server: restarts, replicas, expiry, outages. */
@ExtendWith(MongoExtension.class)
class MongoNonceStoreTest {

    private static final Instant NOW = Instant.parse("2026-06-21T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** A gateway process: its own client, one collection shared with the others. */
    private record Gateway(MongoClient client, MongoNonceStore store, CommandVerifier verifier) implements AutoCloseable {
        static Gateway start(MongoWireServer mongo, String collection) {
            MongoClient client = MongoClients.create(mongo.connectionString());
            MongoCollection<Document> nonces = client.getDatabase("gateway-test").getCollection(collection);
            MongoNonceStore store = new MongoNonceStore(nonces, Duration.ofMinutes(1));
            return new Gateway(client, store, new CommandVerifier(TestEvents.keyRing(), store, CLOCK, Duration.ofSeconds(30),
                    Duration.ofHours(1)));
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private static ControlCommand signed() {
        return new CommandSigner(TestEvents.keyRing(), CLOCK, Duration.ofMinutes(2)).sign(TestEvents.controlCommand());
    }

    private static String collection() {
        return "nonces-" + UUID.randomUUID();
    }

    @Test
    void aCommandReplayedAfterTheGatewayRestartsIsRefused(MongoWireServer mongo) {
        String collection = collection();
        ControlCommand command = signed();
        try (Gateway before = Gateway.start(mongo, collection)) {
            assertThat(before.verifier().verify(command)).isEqualTo(command);
        }

        try (Gateway after = Gateway.start(mongo, collection)) {
            EventException e = catchThrowableOfType(EventException.class, () -> after.verifier().verify(command));
            assertThat(e.kind()).isEqualTo(EventException.Kind.REPLAYED);
            assertThat(after.verifier().verify(signed())).isNotNull();
        }
    }

    @Test
    void replicasRacingOnOneCommandActOnItOnce(MongoWireServer mongo) throws Exception {
        String collection = collection();
        ControlCommand command = signed();
        List<Gateway> replicas = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 4; i++) {
                replicas.add(Gateway.start(mongo, collection));
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> accepted = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Gateway g = replicas.get(i % replicas.size());
                Callable<Boolean> verify = () -> {
                    start.await();
                    try {
                        g.verifier().verify(command);
                        return true;
                    } catch (EventException e) {
                        assertThat(e.kind()).isEqualTo(EventException.Kind.REPLAYED);
                        return false;
                    }
                };
                accepted.add(pool.submit(verify));
            }
            start.countDown();
            int acted = 0;
            for (Future<Boolean> f : accepted) {
                acted += f.get() ? 1 : 0;
            }
            assertThat(acted).isEqualTo(1);
        } finally {
            pool.shutdownNow();
            replicas.forEach(Gateway::close);
        }
    }

    @Test
    void expiredNoncesAreSweptWithoutATtlIndexAndLiveOnesStay(MongoWireServer mongo) {
        try (Gateway g = Gateway.start(mongo, collection())) {
            assertThat(g.store().markUsed("k", "old", NOW.minusSeconds(1), NOW.minusSeconds(120))).isTrue();
            assertThat(g.store().markUsed("k", "live", NOW.plusSeconds(600), NOW.minusSeconds(120))).isTrue();

            // The next use past the sweep interval deletes what expired before it.
            assertThat(g.store().markUsed("k", "new", NOW.plusSeconds(600), NOW)).isTrue();

            assertThat(g.store().size()).isEqualTo(2);
            assertThat(g.store().markUsed("k", "live", NOW.plusSeconds(600), NOW)).isFalse();
            assertThat(g.store().markUsed("k", "old", NOW.plusSeconds(600), NOW)).isTrue();
        }
    }

    /**
     * The ambiguous write: MongoDB takes the nonce, the answer is lost on the way, the gateway sees
     * the store fail and checks the command again as the same attempt. That retry is accepted (the
     * command was never applied); the same command received again is still a replay.
     */
    @Test
    void aRetryOfAWriteMongoTookButTheGatewayNeverHeardIsAcceptedAndACopyIsStillAReplay(MongoWireServer mongo) {
        String hostPort = new com.mongodb.ConnectionString(mongo.connectionString()).getHosts().get(0);
        int colon = hostPort.lastIndexOf(':');
        try (LossyLink link = new LossyLink(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
             MongoClient client = MongoClients.create(proxied(mongo.connectionString(), hostPort, "127.0.0.1:" + link.port()))) {
            MongoNonceStore store = new MongoNonceStore(client.getDatabase("gateway-test").getCollection(collection()),
                    Duration.ofMinutes(1));
            CommandVerifier verifier = new CommandVerifier(TestEvents.keyRing(), store, CLOCK, Duration.ofSeconds(30),
                    Duration.ofHours(1));
            ControlCommand command = signed();
            link.loseAnswerTo("insert");

            EventException failed = catchThrowableOfType(EventException.class, () -> verifier.verify(command, "receipt-1"));
            long storedMeanwhile = store.size();
            ControlCommand retried = verifier.verify(command, "receipt-1");
            EventException copy = catchThrowableOfType(EventException.class, () -> verifier.verify(command, "receipt-2"));
            EventException unnamed = catchThrowableOfType(EventException.class, () -> verifier.verify(command));

            assertThat(failed.kind()).isEqualTo(EventException.Kind.NONCE_STORE_UNAVAILABLE);
            assertThat(link.lost()).isEqualTo(1);
            assertThat(storedMeanwhile).as("MongoDB took the nonce").isEqualTo(1);
            assertThat(retried).isEqualTo(command);
            assertThat(copy.kind()).isEqualTo(EventException.Kind.REPLAYED);
            assertThat(unnamed.kind()).isEqualTo(EventException.Kind.REPLAYED);
        }
    }

    /** {@code connectionString} through {@code via}, straight to that server (no discovery of the others). */
    private static String proxied(String connectionString, String hostPort, String via) {
        String s = connectionString.replace(hostPort, via);
        String option = "directConnection=true&serverSelectionTimeoutMS=5000";
        if (s.contains("?")) {
            return s + "&" + option;
        }
        return s.substring(s.indexOf("://") + 3).contains("/") ? s + "?" + option : s + "/?" + option;
    }

    @Test
    void anUnreachableStoreRefusesTheCommand() {
        MongoClient client = MongoClients.create("mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300");
        try (client) {
            MongoNonceStore store = new MongoNonceStore(client.getDatabase("x").getCollection("nonces"), Duration.ofMinutes(1));
            CommandVerifier verifier = new CommandVerifier(TestEvents.keyRing(), store, CLOCK, Duration.ofSeconds(30),
                    Duration.ofHours(1));

            EventException e = catchThrowableOfType(EventException.class, () -> verifier.verify(signed()));

            assertThat(e.kind()).isEqualTo(EventException.Kind.NONCE_STORE_UNAVAILABLE);
            assertThat(e.getMessage()).contains("command not accepted");
        }
    }
}
