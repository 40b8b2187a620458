package dev.greenloop.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.greenloop.datasets.FeatureTable;
import dev.greenloop.datasetregistry.DatasetManifest;
import dev.greenloop.datasetregistry.DatasetRegistry;
import dev.greenloop.events.EventType;
import dev.greenloop.events.Events;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.DatasetFile;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.Signal;
import dev.greenloop.simulator.GreenhouseSimulator;
import dev.greenloop.testkit.oidc.OidcIssuer;
import io.cloudevents.CloudEvent;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No feature is lost between ingest and a dataset, however a climate computer cuts its requests:
 * the same day of a simulated zone (nine sensors and six actuators a minute, actuator states
 * listed after the readings, as a climate computer's export has them) is posted through ingest
 * one minute, one hour (900 items) and one day (21,600 items) per request, to three greenhouses,
 * and archived by preprocess. Every feature row has its actuator features, and the three feature
 * tables are identical. History 40 days old is refused live and accepted in backfill mode, counts
 * in the features of a zone that is live, and the dataset span's cut of it is reported.
 * ingest and preprocess run as their packaged apps against real Kafka, HDFS and MongoDB-wire.
 */
class FeatureIntegrityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "integrity-admin-" + UUID.randomUUID();
    private static final String ZONE = "zone-a";
    private static final List<Signal> ACTUATOR_SIGNALS = Signal.Group.ACTUATORS.signals();

    private static Stack stack;
    private static BrokerIngress broker;
    private static final List<CloudEvent> ANNOUNCED = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Plays the cluster's service-account issuer: the archive ping is sent as the Trigger would, with a token. */
    private static OidcIssuer issuer;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        java.nio.file.Path root = java.nio.file.Path.of("..").toAbsolutePath().normalize();
        java.nio.file.Path work = root.resolve("local/target/integrity-work");
        System.setProperty("greenloop.testkit.dir", work.resolve("services").toString());
        Progress progress = new Progress(true);
        stack = new Stack(root, work);
        stack.startServices(progress, false);
        stack.kafka().createTopic("greenhouse.readings", 3);
        stack.kafka().createTopic("greenhouse.readings.quarantine", 1);
        Map<String, String> ingest = new LinkedHashMap<>(stack.commonProperties());
        ingest.put("greenloop.ingest.auth.admin-token", ADMIN);
        // A day per request: 21,600 items, above the default limit of 5,000 (a setting of the deployment).
        ingest.put("greenloop.ingest.limits.max-items-per-request", "25000");
        ingest.put("greenloop.ingest.limits.device-items-per-second", "1000000");
        ingest.put("greenloop.ingest.limits.device-burst-items", "1000000");
        issuer = OidcIssuer.start();
        Map<String, String> preprocess = new LinkedHashMap<>(stack.commonProperties());
        preprocess.put("greenloop.events.oidc.issuer", issuer.issuer().toString());
        preprocess.put("greenloop.preprocess.archive.hadoop.dfs.replication", "2");
        // Each of the test's pings gets its own pass over the topic.
        preprocess.put("greenloop.preprocess.archive.min-pass-interval", "0s");
        preprocess.put("greenloop.preprocess.archive.hadoop.dfs.client.use.datanode.hostname", "true");
        // The Broker's ingress alone: preprocess posts its dataset.ready there with its projected token.
        try {
            broker = new BrokerIngress(issuer, Map.of(), ANNOUNCED::add);
            broker.start();
            java.nio.file.Path token = work.resolve("preprocess-broker-token");
            Files.createDirectories(work);
            Files.writeString(token, issuer.token(Dispatcher.BROKER_AUDIENCE));
            preprocess.put("greenloop.sink.token-file", token.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        stack.startFunctions(List.of("ingest", "preprocess"), Map.of("ingest", ingest, "preprocess", preprocess),
                Map.of("preprocess", Map.of("K_SINK", broker.url().toString())), progress);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    @Test
    void everyFeatureRowHasItsActuatorFeaturesHoweverTheRequestsWereCut() throws Exception {
        Instant start = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.DAYS);
        List<ReadingsBatch> minutes = simulate(start, 1440);
        Map<String, Integer> perRequest = new LinkedHashMap<>();
        perRequest.put("gh-minute", 1);
        perRequest.put("gh-hour", 60);
        perRequest.put("gh-day", 1440);
        Map<String, List<FeatureTable.ReadRow>> tables = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : perRequest.entrySet()) {
            String token = register(e.getKey(), "cc-" + e.getKey(), false);
            for (int i = 0; i < minutes.size(); i += e.getValue()) {
                HttpResponse<String> r = post(e.getKey(), token, merge(e.getKey(), "cc-" + e.getKey(),
                        minutes.subList(i, Math.min(minutes.size(), i + e.getValue()))), false);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                assertThat(JSON.readTree(r.body()).path("rejected").asInt()).isZero();
            }
            tables.put(e.getKey(), features(archive(e.getKey())));
        }

        List<FeatureTable.ReadRow> reference = tables.get("gh-minute");
        // A day of minutes: its 1,440 windows, and the forward-filled ones after the last reading.
        assertThat(reference).hasSizeGreaterThanOrEqualTo(1440);
        for (Map.Entry<String, List<FeatureTable.ReadRow>> table : tables.entrySet()) {
            assertThat(table.getValue()).as(table.getKey()).allSatisfy(row -> {
                for (Signal s : ACTUATOR_SIGNALS) {
                    assertThat(row.features()[FeatureSpec.CURRENT.missingIndex(s)]).as("%s %s at %s", table.getKey(), s,
                            Instant.ofEpochMilli(row.windowStart())).isZero();
                }
            });
            assertThat(table.getValue()).as(table.getKey()).hasSameSizeAs(reference);
            for (int i = 0; i < reference.size(); i++) {
                FeatureTable.ReadRow a = reference.get(i);
                FeatureTable.ReadRow b = table.getValue().get(i);
                assertThat(b.windowStart()).isEqualTo(a.windowStart());
                assertThat(Arrays.equals(b.features(), a.features())).as("%s features at %s", table.getKey(),
                        Instant.ofEpochMilli(a.windowStart())).isTrue();
                assertThat(Arrays.equals(b.targets(), a.targets())).as("%s targets at %s", table.getKey(),
                        Instant.ofEpochMilli(a.windowStart())).isTrue();
            }
        }
    }

    @Test
    void historyOlderThanThirtyDaysNeedsBackfillCountsInALiveZoneAndItsCutIsReported() throws Exception {
        String greenhouse = "gh-import";
        Instant live = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MINUTES);
        Instant old = Instant.now().minus(Duration.ofDays(40)).truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(10));
        String gateway = register(greenhouse, "cc-import", false);
        String importer = register(greenhouse, "history-import", true);
        for (int i = 0; i < 120; i += 60) {
            assertThat(post(greenhouse, gateway, merge(greenhouse, "cc-import", simulate(live, 120).subList(i, i + 60)), false)
                    .statusCode()).isEqualTo(202);
        }
        List<ReadingsBatch> history = simulate(old, 120);

        HttpResponse<String> refused = post(greenhouse, importer, merge(greenhouse, "history-import", history), false);
        HttpResponse<String> accepted = post(greenhouse, importer, merge(greenhouse, "history-import", history), true);

        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("older than the 30 days").contains("backfill");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(JSON.readTree(accepted.body()).path("accepted").asInt()).isEqualTo(120 * 15);
        DatasetReady dataset = archive(greenhouse);

        LocalDate oldDay = old.atZone(ZoneOffset.UTC).toLocalDate();
        assertThat(dataset.files()).noneMatch(f -> f.path().contains("date=" + oldDay));
        List<FeatureTable.ReadRow> oldRows = features(featureFiles(greenhouse, oldDay));
        assertThat(oldRows).hasSizeGreaterThanOrEqualTo(120).allSatisfy(row -> {
            for (Signal s : ACTUATOR_SIGNALS) {
                assertThat(row.features()[FeatureSpec.CURRENT.missingIndex(s)]).isZero();
            }
        });
        try (MongoClient mongo = MongoClients.create(stack.mongo().connectionString())) {
            DatasetManifest.LeftOut leftOut = new DatasetRegistry(mongo.getDatabase("greenloop"))
                    .find(dataset.datasetId()).orElseThrow().leftOut();
            assertThat(leftOut).isNotNull();
            assertThat(leftOut.from()).isEqualTo(oldDay);
            assertThat(leftOut.rows()).isEqualTo(oldRows.size());
        }
        assertThat(Files.readString(stack.log("preprocess"))).contains("Dataset " + dataset.datasetId())
                .contains("left out by greenloop.preprocess.archive.dataset-days=30");
    }

    /** {@code count} minutes of one zone of the simulator, without sensor faults (the same readings whatever the cut). */
    private static List<ReadingsBatch> simulate(Instant start, int count) {
        GreenhouseSimulator simulator = new GreenhouseSimulator("gh-sim", List.of(ZONE), start, 3, 0);
        List<ReadingsBatch> out = new ArrayList<>();
        for (int m = 0; m < count; m++) {
            out.addAll(simulator.advance(Duration.ofMinutes(1)));
        }
        return out;
    }

    /** One request of minutes, as a climate computer's export has it: every reading, then every actuator state. */
    private static ReadingsBatch merge(String greenhouse, String device, List<ReadingsBatch> minutes) {
        List<Reading> readings = new ArrayList<>();
        List<ActuatorState> actuators = new ArrayList<>();
        minutes.forEach(b -> {
            readings.addAll(b.readings());
            actuators.addAll(b.actuators());
        });
        return new ReadingsBatch(greenhouse, ZONE, device, readings, actuators);
    }

    private static String register(String greenhouse, String device, boolean backfill) throws Exception {
        String body = JSON.writeValueAsString(Map.of("deviceId", device, "greenhouseId", greenhouse, "zones", List.of(ZONE),
                "backfill", backfill));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(stack.url("ingest").resolve("/v1/admin/devices"))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).path("token").asText();
    }

    private static HttpResponse<String> post(String greenhouse, String token, ReadingsBatch batch, boolean backfill)
            throws Exception {
        URI uri = stack.url("ingest").resolve("/v1/greenhouses/" + greenhouse + "/readings" + (backfill ? "?backfill=true" : ""));
        return HTTP.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(PayloadCodec.write(batch))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The hourly archive ping, as the Broker delivers it: answered 202 at once; then the
     * background archive, features and dataset, announced through K_SINK.
     */
    private static DatasetReady archive(String greenhouse) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(stack.url("preprocess"))
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-source", "/apis/v1/namespaces/greenloop/pingsources/archive-hourly")
                .header("ce-type", "dev.knative.sources.ping").header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + issuer.token("greenloop-preprocess"))
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofString("{\"greenhouseId\":\"" + greenhouse + "\"}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(202);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            for (CloudEvent e : ANNOUNCED) {
                if (e.getType().equals(EventType.DATASET_READY.type()) && greenhouse.equals(e.getExtension("greenhouseid"))) {
                    return Events.payload(e, DatasetReady.class);
                }
            }
            assertThat(System.nanoTime()).as("dataset.ready of %s within 5 minutes (see preprocess's log)", greenhouse)
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static List<FeatureTable.ReadRow> features(DatasetReady dataset) throws Exception {
        return features(dataset.files().stream().map(DatasetFile::path).toList());
    }

    private static List<FeatureTable.ReadRow> features(List<String> paths) throws Exception {
        List<FeatureTable.ReadRow> rows = new ArrayList<>();
        for (String path : paths) {
            rows.addAll(FeatureTable.read(new Path(stack.hdfs().uri().resolve(path)), hadoop(), FeatureSpec.CURRENT, 15));
        }
        rows.sort(java.util.Comparator.comparingLong(FeatureTable.ReadRow::windowStart));
        return rows;
    }

    /** The current feature file of a greenhouse day, whether or not a dataset names it. */
    private static List<String> featureFiles(String greenhouse, LocalDate day) throws Exception {
        try (FileSystem fs = FileSystem.newInstance(stack.hdfs().uri(), hadoop())) {
            Path dir = new Path("/greenloop/features/" + FeatureSpec.CURRENT.version() + "/greenhouse=" + greenhouse + "/date=" + day);
            FileStatus[] files = fs.listStatus(dir, p -> p.getName().endsWith(".parquet"));
            assertThat(files).as("feature files of %s", dir).hasSize(1);
            return List.of(files[0].getPath().toUri().getPath());
        }
    }

    private static Configuration hadoop() {
        Configuration conf = new Configuration();
        stack.hdfs().clientConfig().forEach(conf::set);
        return conf;
    }
}
