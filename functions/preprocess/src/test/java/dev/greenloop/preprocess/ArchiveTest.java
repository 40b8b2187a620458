package dev.greenloop.preprocess;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.datasets.FeatureTable;
import dev.greenloop.datasetregistry.DatasetManifest;
import dev.greenloop.events.Events;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.kafka.KafkaEvents;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.preprocess.archive.ArchiveState;
import dev.greenloop.preprocess.archive.ArchiveWorker;
import dev.greenloop.preprocess.archive.ArchiveWorkerAccess;
import dev.greenloop.preprocess.archive.FeatureTables;
import dev.greenloop.preprocess.archive.Hdfs;
import dev.greenloop.preprocess.archive.RawRow;
import dev.greenloop.preprocess.archive.RawArchiverAccess;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.quarkus.HdfsResource;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The batch path against the real broker, HDFS and MongoDB-wire server. */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-preprocess"))
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
@WithTestResource(HdfsResource.class)
@WithTestResource(CapturingSink.class)
class ArchiveTest {

    static final long T0 = Instant.parse("2026-06-20T22:30:00Z").toEpochMilli();

    @Inject
    Hdfs hdfs;
    @Inject
    FeatureTables tables;
    @Inject
    ArchiveState state;
    @Inject
    RawArchiverAccess archiver;
    @Inject
    ArchiveWorker worker;
    @Inject
    ArchiveWorkerAccess dead;
    @Inject
    dev.greenloop.preprocess.PreprocessConfig config;
    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;
    @Inject
    dev.greenloop.preprocess.archive.ArchiveService service;
    @Inject
    dev.greenloop.function.SinkClient sink;

    /** Produces {@code minutes} of one-minute batches (3 signals every 20 s) for a zone; returns the readings count. */
    static int produce(String greenhouse, String zone, long from, int minutes, int copies) {
        return produce("greenhouse.readings", greenhouse, zone, from, minutes, copies);
    }

    /** The same, to {@code topic}. */
    static int produce(String topic, String greenhouse, String zone, long from, int minutes, int copies) {
        int count = 0;
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(KafkaEvents.producerConfig(
                KafkaBroker.shared().bootstrapServers()))) {
            for (int m = 0; m < minutes; m++) {
                List<Reading> readings = new ArrayList<>();
                for (int s = 0; s < 60; s += 20) {
                    Instant t = Instant.ofEpochMilli(from + m * 60_000L + s * 1000L);
                    readings.add(new Reading(SensorKind.AIR_TEMPERATURE, 20 + Math.sin(m / 30.0), "degC", t));
                    readings.add(new Reading(SensorKind.RELATIVE_HUMIDITY, 75 + Math.cos(m / 30.0), "%", t));
                    readings.add(new Reading(SensorKind.CO2, 500 + m % 40, "ppm", t));
                }
                ReadingsBatch batch = new ReadingsBatch(greenhouse, zone, "dev-1", readings, List.of());
                CloudEvent event = Events.of(batch).id(UUID.randomUUID().toString()).source(URI.create("/test")).build();
                for (int c = 0; c < copies; c++) {
                    producer.send(KafkaEvents.record(topic, event)).get();
                }
                count += readings.size() * copies;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return count;
    }

    /** Sends one event of {@code readings} and {@code actuators}, marked backfill or not. */
    static void send(String greenhouse, String zone, List<Reading> readings, List<ActuatorState> actuators, boolean backfill) {
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(KafkaEvents.producerConfig(
                KafkaBroker.shared().bootstrapServers()))) {
            Events.Builder event = Events.of(new ReadingsBatch(greenhouse, zone, "dev-1", readings, actuators))
                    .id(UUID.randomUUID().toString()).source(URI.create("/test"));
            if (backfill) {
                event.extension(Extensions.BACKFILL, "true");
            }
            producer.send(KafkaEvents.record("greenhouse.readings", event.build())).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Vent positions once a minute for {@code minutes} from {@code from}. */
    static List<ActuatorState> vents(long from, int minutes) {
        List<ActuatorState> states = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            states.add(new ActuatorState(ActuatorKind.VENT, 10 + m % 7, "%", Instant.ofEpochMilli(from + m * 60_000L)));
        }
        return states;
    }

    static ExtractableResponse<Response> ping(String data) {
        return given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-source", "/apis/v1/namespaces/greenloop/pingsources/archive-hourly")
                .header("ce-type", "dev.knative.sources.ping").contentType("application/json").body(data)
                .post("/").then().extract();
    }

    /** Waits for the background archive to finish every request (a wait, not a timing check). */
    void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (!worker.idle()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the archive worker still has requests after 3 minutes: " + state.requests());
            }
            Thread.sleep(100);
        }
    }

    /** The dataset.ready events posted to K_SINK for {@code greenhouse}, once the worker is idle. */
    List<CloudEvent> announced(String greenhouse) throws InterruptedException {
        awaitIdle();
        return datasetReadyPosted(greenhouse);
    }

    /** The dataset.ready events posted to K_SINK for {@code greenhouse} so far. */
    static List<CloudEvent> datasetReadyPosted(String greenhouse) {
        return CapturingSink.received().stream().filter(e -> e.getType().equals(EventTypes.DATASET_READY)
                && greenhouse.equals(String.valueOf(e.getExtension("greenhouseid")))).toList();
    }

    /** Pings for {@code greenhouse} (answered 202 at once) and returns the dataset announced last. */
    DatasetReady archive(String greenhouse) throws InterruptedException {
        ExtractableResponse<Response> reply = ping("{\"greenhouseId\":\"" + greenhouse + "\"}");
        assertThat(reply.statusCode()).as(reply.asString()).isEqualTo(202);
        assertThat(reply.body().asByteArray()).isEmpty();
        List<CloudEvent> events = announced(greenhouse);
        assertThat(events).as("dataset.ready of " + greenhouse).isNotEmpty();
        return Events.payload(events.get(events.size() - 1), DatasetReady.class);
    }

    List<RawRow> rawRows(String greenhouse) throws IOException {
        List<RawRow> rows = new ArrayList<>();
        for (LocalDate d = LocalDate.parse("2026-06-19"); d.isBefore(LocalDate.parse("2026-06-23")); d = d.plusDays(1)) {
            rows.addAll(tables.readRaw(greenhouse, d));
        }
        return rows;
    }

    @Test
    void pingIsAnsweredAtOnceAndTheDatasetIsAnnouncedOnceThroughTheSink() throws Exception {
        String greenhouse = "gh-a" + UUID.randomUUID().toString().substring(0, 6);
        int produced = produce(greenhouse, "z1", T0, 120, 1);

        DatasetReady dataset = archive(greenhouse);

        CloudEvent event = announced(greenhouse).get(0);
        assertThat(event.getId()).isEqualTo(Events.derivedId("dataset.ready", dataset.datasetId()));
        assertThat(event.getExtension("causationid")).isNotNull();
        // Two UTC days: 22:30 to 00:30.
        assertThat(dataset.files()).hasSize(2);
        assertThat(dataset.featureSpecVersion()).isEqualTo(FeatureSpec.CURRENT.version());
        assertThat(dataset.rows()).isBetween(100L, 125L);

        List<RawRow> raw = rawRows(greenhouse);
        assertThat(raw).hasSize(produced);
        assertThat(raw.stream().map(r -> r.eventId() + "#" + r.itemIndex()).distinct().count()).isEqualTo(produced);
        FileStatus[] rawFiles = hdfs.fs().listStatus(hdfs.path("raw/greenhouse=" + greenhouse + "/date=2026-06-20"));
        assertThat(rawFiles).allSatisfy(f -> assertThat(f.getPath().getName()).matches("part-\\d+-\\d+-\\d+\\.parquet"));

        for (var file : dataset.files()) {
            Path path = new Path(file.path());
            assertThat(hdfs.sha256(path)).isEqualTo(file.sha256());
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, hdfs.conf()))) {
                assertThat(reader.getFooter().getFileMetaData().getKeyValueMetaData())
                        .containsEntry(FeatureTables.FEATURE_SPEC_KEY, FeatureSpec.CURRENT.version());
                assertThat(reader.getRecordCount()).isEqualTo(file.rows());
                assertThat(reader.getFooter().getFileMetaData().getSchema().getFieldCount())
                        .isEqualTo(3 + FeatureSpec.CURRENT.size() + 3);
            }
        }
        DatasetManifest manifest = state.dataset(dataset.datasetId()).orElseThrow();
        assertThat(manifest.dataset()).isEqualTo(dataset);
        assertThat(manifest.fileDays()).hasSize(2);

        // Nothing new: the same dataset, not announced again.
        assertThat(ping("{\"greenhouseId\":\"" + greenhouse + "\"}").statusCode()).isEqualTo(202);
        assertThat(announced(greenhouse)).hasSize(1);
        assertThat(rawRows(greenhouse)).hasSize(produced);
    }

    @Test
    void aRebuildOfADayLeavesTheFilesOfEarlierDatasetsAsTheirManifestsSay() throws Exception {
        String greenhouse = "gh-r" + UUID.randomUUID().toString().substring(0, 6);
        produce(greenhouse, "z1", T0, 20, 1);
        DatasetReady first = archive(greenhouse);
        // More data for the same day, as while a training reads the first dataset.
        produce(greenhouse, "z1", T0 + 20 * 60_000L, 20, 1);
        DatasetReady second = archive(greenhouse);

        assertThat(second.datasetId()).isNotEqualTo(first.datasetId());
        assertThat(second.rows()).isGreaterThan(first.rows());
        assertThat(second.files()).extracting(f -> f.path()).isNotEqualTo(first.files().stream().map(f -> f.path()).toList());
        for (var file : first.files()) {
            assertThat(hdfs.sha256(new Path(file.path()))).as("%s of the first dataset", file.path()).isEqualTo(file.sha256());
        }
        for (var file : second.files()) {
            assertThat(hdfs.sha256(new Path(file.path()))).isEqualTo(file.sha256());
            assertThat(new Path(file.path()).getName()).isEqualTo("part-" + file.sha256().substring(0, 16) + ".parquet");
        }
    }

    /**
     * Past the retention, a rebuild deletes the superseded file and keeps the current one (the
     * listing's qualified paths once made every file look superseded), and a file the tables write
     * carries their clock's time, the one the retention is judged by (a simulation's clock runs
     * ahead of the NameNode's).
     */
    @Test
    void pastTheRetentionOnlySupersededFilesGoAndAgesAreInTheFunctionsClock() throws Exception {
        String greenhouse = "gh-t" + UUID.randomUUID().toString().substring(0, 6);
        produce(greenhouse, "z1", T0, 20, 1);
        DatasetReady first = archive(greenhouse);
        produce(greenhouse, "z1", T0 + 20 * 60_000L, 20, 1);
        DatasetReady second = archive(greenhouse);
        Path superseded = new Path(first.files().get(0).path());
        Path current = new Path(second.files().get(0).path());
        assertThat(current).isNotEqualTo(superseded);
        LocalDate day = LocalDate.parse("2026-06-20");

        java.time.Clock later = java.time.Clock.offset(java.time.Clock.systemUTC(),
                config.archive().supersededRetention().plusHours(1));
        FeatureTables ahead = new FeatureTables(hdfs, state, config, registry, later);
        assertThat(ahead.build(greenhouse, day).path()).isEqualTo(current.toString());
        assertThat(hdfs.fs().exists(current)).as("the current file").isTrue();
        assertThat(hdfs.sha256(current)).isEqualTo(second.files().get(0).sha256());
        assertThat(hdfs.fs().exists(superseded)).as("the superseded file, past the retention").isFalse();

        hdfs.fs().delete(current, false);
        long before = later.millis();
        assertThat(ahead.build(greenhouse, day).path()).isEqualTo(current.toString());
        assertThat(hdfs.fs().getFileStatus(current).getModificationTime()).isBetween(before, later.millis());
    }

    @Test
    void aCrashBetweenWritingAndCommittingLeavesExactlyOneCopyAfterTheRerun() throws Exception {
        String greenhouse = "gh-c" + UUID.randomUUID().toString().substring(0, 6);
        int produced = produce(greenhouse, "z1", T0, 30, 1);

        archiver.writeWithoutCommit();
        // The crashed plan was cut into two equal shares (two threads, test-sized shares), whatever
        // the partitions' sizes; the rerun writes and commits those pieces.
        List<Long> shares = archiver.sharesOfUnfinishedPlan();
        assertThat(shares).hasSize(2);
        assertThat(Math.abs(shares.get(0) - shares.get(1))).isLessThanOrEqualTo(1);
        // A half-written file of the crashed run.
        hdfs.fs().create(hdfs.path("_tmp/crashed.parquet")).close();
        int more = produce(greenhouse, "z1", T0 + 30 * 60_000L, 10, 1);
        archive(greenhouse);
        archive(greenhouse);

        List<RawRow> raw = rawRows(greenhouse);
        Set<String> unique = new HashSet<>();
        raw.forEach(r -> unique.add(r.eventId() + "#" + r.itemIndex()));
        assertThat(raw).hasSize(produced + more);
        assertThat(unique).hasSize(produced + more);
        assertThat(hdfs.fs().exists(hdfs.path("_tmp/crashed.parquet"))).isFalse();
        // Every partition, cut into pieces or not, is committed to its end: nothing is read again.
        try (Admin admin = KafkaBroker.shared().admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(config.archive().group())
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().stream().filter(tp -> tp.topic().equals(config.archive().topic()))
                    .forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            assertThat(latest).isNotEmpty();
            admin.listOffsets(latest).all().get().forEach((tp, end) ->
                    assertThat(committed.get(tp).offset()).as("committed offset of %s", tp).isEqualTo(end.offset()));
        }
    }

    @Test
    void everyEventTwiceOnTheTopicGivesTheSameFeatures() throws Exception {
        String once = "gh-o" + UUID.randomUUID().toString().substring(0, 6);
        String twice = "gh-t" + UUID.randomUUID().toString().substring(0, 6);
        produce(once, "z1", T0, 60, 1);
        produce(twice, "z1", T0, 60, 2);

        archive(once);
        archive(twice);

        ArchiveState.FeatureFile a = tables.build(once, LocalDate.parse("2026-06-20"));
        ArchiveState.FeatureFile b = tables.build(twice, LocalDate.parse("2026-06-20"));
        assertThat(b.rows()).isEqualTo(a.rows());
        assertThat(featureValues(b.path())).isEqualTo(featureValues(a.path()));
    }

    /**
     * Vent states sent after the readings of the same hour: live they are late and count in no
     * feature (the rule online features follow); sent in backfill mode they all count, as does
     * history from before anything live, and the live features stay as they were.
     */
    @Test
    void backfilledHistoryCountsWhateverTheLiveWatermark() throws Exception {
        String late = "gh-l" + UUID.randomUUID().toString().substring(0, 6);
        String backfilled = "gh-b" + UUID.randomUUID().toString().substring(0, 6);
        long history = T0 - 3 * 86_400_000L;
        for (String greenhouse : List.of(late, backfilled)) {
            produce(greenhouse, "z1", T0, 60, 1);
            send(greenhouse, "z1", List.of(), vents(T0, 60), greenhouse.equals(backfilled));
        }
        send(backfilled, "z1", List.of(new Reading(SensorKind.AIR_TEMPERATURE, 19, "degC", Instant.ofEpochMilli(history))),
                vents(history, 30), true);

        archive(late);
        archive(backfilled);

        int vent = FeatureSpec.CURRENT.names().indexOf("vent_opening_mean");
        List<FeatureTable.ReadRow> lateRows = read(late, LocalDate.parse("2026-06-20"));
        List<FeatureTable.ReadRow> backfilledRows = read(backfilled, LocalDate.parse("2026-06-20"));
        // The last few vent states came within the allowed lateness of the hour's last reading.
        assertThat(lateRows).filteredOn(r -> r.windowStart() < T0 + 50 * 60_000L).hasSize(50)
                .allSatisfy(r -> assertThat(r.features()[vent]).isNaN());
        assertThat(backfilledRows).hasSameSizeAs(lateRows)
                .allSatisfy(r -> assertThat(r.features()[vent]).isBetween(10.0, 16.0));
        int air = FeatureSpec.CURRENT.names().indexOf("air_temperature_mean");
        for (int i = 0; i < lateRows.size(); i++) {
            assertThat(backfilledRows.get(i).features()[air]).isEqualTo(lateRows.get(i).features()[air]);
        }
        List<FeatureTable.ReadRow> old = read(backfilled, LocalDate.parse("2026-06-17"));
        assertThat(old).extracting(FeatureTable.ReadRow::windowStart).contains(history, history + 29 * 60_000L);
        assertThat(tables.readRaw(backfilled, LocalDate.parse("2026-06-17"))).allMatch(RawRow::backfill);
        assertThat(tables.readRaw(late, LocalDate.parse("2026-06-20"))).noneMatch(RawRow::backfill);
    }

    /**
     * The manifest says what the dataset lacks and what its span left out, and the metrics say it
     * too: readings without weather or actuators miss those groups in every row, and a day older
     * than {@code dataset-days} is left out, counted, not silently dropped.
     */
    @Test
    void theManifestCountsMissingGroupsAndTheDaysTheSpanLeftOut() throws Exception {
        String greenhouse = "gh-m" + UUID.randomUUID().toString().substring(0, 6);
        produce(greenhouse, "z1", T0, 30, 1);
        send(greenhouse, "z1", List.of(), vents(T0 - 40 * 86_400_000L, 20), true);

        DatasetReady dataset = archive(greenhouse);
        DatasetManifest manifest = state.dataset(dataset.datasetId()).orElseThrow();
        DatasetManifest.Coverage coverage = manifest.coverage();
        assertThat(coverage.rows()).isEqualTo(dataset.rows());
        assertThat(coverage.missingByGroup()).containsEntry("weather", dataset.rows())
                .containsEntry("actuators", dataset.rows()).containsEntry("climate", 0L);
        DatasetManifest.LeftOut leftOut = manifest.leftOut();
        assertThat(leftOut).isNotNull();
        assertThat(leftOut.days()).isEqualTo(1);
        // 20 minutes of vent states, forward-filled for 5 more windows.
        assertThat(leftOut.rows()).isEqualTo(25);
        assertThat(leftOut.from()).isEqualTo(java.time.LocalDate.parse("2026-05-11"));
        assertThat(dataset.files()).noneMatch(f -> f.path().contains("date=2026-05-11"));

        String metrics = given().get(dev.greenloop.testkit.quarkus.Metrics.URL).then().statusCode(200).extract().asString();
        assertThat(metrics).contains("greenloop_preprocess_dataset_days_left_out{function=\"preprocess\",greenhouse=\"" + greenhouse + "\"} 1.0")
                .contains("greenloop_preprocess_dataset_missing_share{function=\"preprocess\",greenhouse=\"" + greenhouse + "\",group=\"weather\"} 1.0")
                .contains("greenloop_preprocess_feature_rows_missing_total{function=\"preprocess\",group=\"actuators\"}");
    }

    private List<FeatureTable.ReadRow> read(String greenhouse, LocalDate day) throws IOException {
        ArchiveState.FeatureFile file = state.featureFiles(greenhouse).stream().filter(f -> f.day().equals(day)).findFirst()
                .orElseThrow(() -> new AssertionError("no feature file of " + greenhouse + " " + day));
        return FeatureTable.read(new Path(file.path()), hdfs.conf(), FeatureSpec.CURRENT, 15);
    }

    @Test
    void pingWithoutGreenhouseOnlyArchivesAndAnInvalidOneIsRefused() throws Exception {
        String greenhouse = "gh-n" + UUID.randomUUID().toString().substring(0, 6);
        int produced = produce(greenhouse, "z1", T0, 10, 1);
        assertThat(ping("{}").statusCode()).isEqualTo(202);
        assertThat(announced(greenhouse)).isEmpty();
        assertThat(rawRows(greenhouse)).hasSize(produced);
        assertThat(ping("{\"greenhouseId\":\"no such/greenhouse\"}").statusCode()).isEqualTo(400);
    }

    /**
     * Pings of many greenhouses at the same minute are all taken (one pass over the topic covers all of
     * them), and each greenhouse's dataset is announced once.
     */
    @Test
    void pingsOfSeveralGreenhousesAtOnceAreEachAnnouncedOnce() throws Exception {
        List<String> greenhouses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            greenhouses.add("gh-p" + i + UUID.randomUUID().toString().substring(0, 6));
            produce(greenhouses.get(i), "z1", T0, 20, 1);
        }
        for (String greenhouse : greenhouses) {
            assertThat(ping("{\"greenhouseId\":\"" + greenhouse + "\"}").statusCode()).isEqualTo(202);
        }
        for (String greenhouse : greenhouses) {
            assertThat(announced(greenhouse)).as(greenhouse).hasSize(1);
        }
    }

    /**
     * Many greenhouses archiving at once, on two pods: twelve greenhouses' pings at the same
     * minute, half to this instance and half to a second worker with its own leases (as a second
     * pod would have) over the same MongoDB, HDFS and Kafka. One topic pass at a time covers
     * them; the builds are shared out under per-greenhouse leases; every greenhouse's dataset is
     * announced exactly once and holds its own rows.
     */
    @Test
    void manyGreenhousesArchivingAtOnceOnTwoPodsAreEachAnnouncedOnce() throws Exception {
        SimpleMeterRegistry secondRegistry = new SimpleMeterRegistry();
        ArchiveWorker second = dead.secondPod(service, sink, secondRegistry, java.time.Duration.ZERO);
        List<String> greenhouses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            greenhouses.add("gh-m" + i + UUID.randomUUID().toString().substring(0, 6));
            produce(greenhouses.get(i), "z1", T0, 10 + i, 1);
        }
        double before = registry.counter("greenloop.preprocess.datasets.announced").count();
        for (int i = 0; i < greenhouses.size(); i++) {
            String greenhouse = greenhouses.get(i);
            if (i % 2 == 0) {
                assertThat(ping("{\"greenhouseId\":\"" + greenhouse + "\"}").statusCode()).isEqualTo(202);
            } else {
                second.request(greenhouse, "ping-" + i, java.util.Map.of());
            }
        }
        awaitIdle();
        while (!second.idle()) {
            Thread.sleep(100);
        }
        long firstRows = 0;
        for (int i = 0; i < greenhouses.size(); i++) {
            List<CloudEvent> events = datasetReadyPosted(greenhouses.get(i));
            assertThat(events).as(greenhouses.get(i)).hasSize(1);
            DatasetReady ready = Events.payload(events.get(0), DatasetReady.class);
            assertThat(ready.greenhouseId()).isEqualTo(greenhouses.get(i));
            // Greenhouse i sent 10 + i minutes: one feature row more per minute, each from its own data.
            if (i == 0) {
                firstRows = ready.rows();
            }
            assertThat(ready.rows()).as(greenhouses.get(i)).isEqualTo(firstRows + i);
        }
        double here = registry.counter("greenloop.preprocess.datasets.announced").count() - before;
        double there = secondRegistry.counter("greenloop.preprocess.datasets.announced").count();
        assertThat(here + there).isEqualTo(greenhouses.size());
        System.out.printf("datasets built by this instance: %.0f, by the second: %.0f%n", here, there);
        ArchiveWorkerAccess.stop(second);
    }

    /**
     * Pings spread over the hour share passes over the topic: within {@code min-pass-interval} of
     * the last pass, a pod builds nothing new and leaves the request for the next pass (here a
     * second pod with an interval of an hour, after this instance's pass); the next pass, here
     * this instance's (its interval is 0 in these tests), covers it and its dataset is announced once.
     */
    @Test
    void aPingWithinTheMinimumPassIntervalWaitsForTheNextPass() throws Exception {
        String first = "gh-i" + UUID.randomUUID().toString().substring(0, 6);
        produce(first, "z1", T0, 10, 1);
        archive(first);
        ArchiveWorker second = dead.secondPod(service, sink, new SimpleMeterRegistry(), java.time.Duration.ofHours(1));
        try {
            String later = "gh-j" + UUID.randomUUID().toString().substring(0, 6);
            produce(later, "z1", T0, 10, 1);
            second.request(later, "ping-within-the-interval", java.util.Map.of());
            Thread.sleep(1500);
            assertThat(state.requests()).extracting(ArchiveState.Request::greenhouse).contains(later);
            assertThat(datasetReadyPosted(later)).isEmpty();

            assertThat(archive(later).greenhouseId()).isEqualTo(later);
            assertThat(datasetReadyPosted(later)).hasSize(1);
        } finally {
            ArchiveWorkerAccess.stop(second);
        }
    }

    /**
     * A run that died part-way (its request still stored, the lease held by a process that is
     * gone) is resumed when preprocess starts again, once the lease has lapsed (5 s in these
     * tests), and its dataset is announced once; a run that died after announcing does not
     * announce again.
     */
    @Test
    void aRunThatDiedIsResumedAndAnnouncesItsDatasetOnce() throws Exception {
        String greenhouse = "gh-d" + UUID.randomUUID().toString().substring(0, 6);
        produce(greenhouse, "z1", T0, 20, 1);
        state.request(greenhouse, "ping-of-the-dead-run", java.util.Map.of());
        dead.holdLeaseAsADeadProcess(java.time.Duration.ofSeconds(2));

        ArchiveWorkerAccess.restart(worker);
        List<CloudEvent> events = announced(greenhouse);

        assertThat(events).hasSize(1);
        assertThat(events.get(0).getExtension("causationid")).isEqualTo("ping-of-the-dead-run");
        // Died after posting dataset.ready and before ending its request: the rerun posts nothing.
        state.request(greenhouse, "ping-of-the-second-dead-run", java.util.Map.of());
        ArchiveWorkerAccess.restart(worker);
        assertThat(announced(greenhouse)).hasSize(1);
    }

    /** The Broker refusing dataset.ready fails the run, which is retried until the event is taken. */
    @Test
    void aRefusedAnnouncementIsRetried() throws Exception {
        String greenhouse = "gh-f" + UUID.randomUUID().toString().substring(0, 6);
        produce(greenhouse, "z1", T0, 20, 1);
        CapturingSink.refuseNext(1000);
        assertThat(ping("{\"greenhouseId\":\"" + greenhouse + "\"}").statusCode()).isEqualTo(202);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (given().get(dev.greenloop.testkit.quarkus.Metrics.URL).then().extract().asString().lines()
                .noneMatch(l -> l.startsWith("greenloop_preprocess_archive_failures_total") && !l.endsWith(" 0.0"))) {
            assertThat(System.nanoTime()).as("a failed run is counted").isLessThan(deadline);
            Thread.sleep(100);
        }
        CapturingSink.refuseNext(0);
        assertThat(announced(greenhouse)).hasSize(1);
    }

    private List<String> featureValues(String file) throws IOException {
        List<String> rows = new ArrayList<>();
        try (var reader = org.apache.parquet.hadoop.ParquetReader.builder(new org.apache.parquet.hadoop.example.GroupReadSupport(),
                new Path(file)).withConf(hdfs.conf()).build()) {
            for (var g = reader.read(); g != null; g = reader.read()) {
                String text = g.toString();
                rows.add(text.substring(text.indexOf("window_start")));
            }
        }
        return rows;
    }
}
