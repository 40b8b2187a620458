package dev.greenloop.preprocess;

import dev.greenloop.events.Events;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.preprocess.archive.ArchiveState;
import dev.greenloop.preprocess.archive.ArchiveWorker;
import dev.greenloop.preprocess.archive.FeatureTables;
import dev.greenloop.preprocess.archive.RawRow;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.testkit.quarkus.OwnHdfsResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * HDFS goes away while an archive is asked for: the ping is still answered 202, the background
 * run fails, is counted and retried; with HDFS back, the next ping archives every record once
 * and announces the dataset once. Its own HDFS, topic, consumer group and database.
 */
@QuarkusTest
@TestProfile(HdfsOutageTest.Isolated.class)
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-preprocess"))
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
@WithTestResource(OwnHdfsResource.class)
@WithTestResource(CapturingSink.class)
class HdfsOutageTest {

    static final String TOPIC = "readings-hdfs-outage";

    /** Its own topic, group and database; a Hadoop client that gives up on a dead NameNode within seconds. */
    public static class Isolated implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.preprocess.archive.topic", TOPIC,
                    "greenloop.preprocess.archive.group", "archive-hdfs-outage",
                    "greenloop.preprocess.mongodb.database", "preprocess-hdfs-outage",
                    "greenloop.preprocess.archive.hadoop.ipc.client.connect.max.retries", "1",
                    "greenloop.preprocess.archive.hadoop.ipc.client.connect.retry.interval", "200",
                    "greenloop.preprocess.archive.hadoop.ipc.client.connect.max.retries.on.timeouts", "1");
        }
    }

    @Inject
    ArchiveWorker worker;
    @Inject
    ArchiveState state;
    @Inject
    FeatureTables tables;

    @Test
    void anArchiveAskedForWhileHdfsIsDownLandsOnceWhenItIsBack() throws Exception {
        KafkaBroker.shared().createTopic(TOPIC, 3);
        String greenhouse = "gh-h" + UUID.randomUUID().toString().substring(0, 6);
        int produced = ArchiveTest.produce(TOPIC, greenhouse, "z1", ArchiveTest.T0, 20, 1);

        OwnHdfsResource.cluster().stop();
        assertThat(ArchiveTest.ping("{\"greenhouseId\":\"" + greenhouse + "\"}").statusCode()).isEqualTo(202);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (failures() == 0) {
            assertThat(System.nanoTime()).as("a failed run is counted").isLessThan(deadline);
            Thread.sleep(200);
        }
        assertThat(ArchiveTest.datasetReadyPosted(greenhouse)).as("nothing announced while HDFS is down").isEmpty();

        OwnHdfsResource.cluster().restart();
        assertThat(ArchiveTest.ping("{\"greenhouseId\":\"" + greenhouse + "\"}").statusCode()).isEqualTo(202);
        deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!worker.idle()) {
            assertThat(System.nanoTime()).as("the archive finishes once HDFS is back: %s", state.requests()).isLessThan(deadline);
            Thread.sleep(200);
        }

        List<CloudEvent> events = ArchiveTest.datasetReadyPosted(greenhouse);
        assertThat(events).hasSize(1);
        DatasetReady dataset = Events.payload(events.get(0), DatasetReady.class);
        assertThat(dataset.rows()).isPositive();
        List<RawRow> raw = new ArrayList<>(tables.readRaw(greenhouse, LocalDate.parse("2026-06-20")));
        raw.addAll(tables.readRaw(greenhouse, LocalDate.parse("2026-06-21")));
        Set<String> unique = new HashSet<>();
        raw.forEach(r -> unique.add(r.eventId() + "#" + r.itemIndex()));
        assertThat(raw).hasSize(produced);
        assertThat(unique).hasSize(produced);
    }

    private static double failures() {
        return given().get(dev.greenloop.testkit.quarkus.Metrics.URL).then().extract().asString().lines()
                .filter(l -> l.startsWith("greenloop_preprocess_archive_failures_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
