package dev.greenloop.local.replay;

import dev.greenloop.events.EventType;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.local.Progress;
import dev.greenloop.local.Stack;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A climate computer's history through the real ingest (its packaged app, with Kafka and the
 * MongoDB-wire server): stopped after two batches and resumed, every valid item reaches the
 * readings topic exactly once, in backfill mode; the bad row and the item ingest rejects are
 * reported with their line numbers.
 */
class ReplayIT {

    private static final String GREENHOUSE = "gh-replay";
    private static final Instant T0 = Instant.parse("2025-06-10T00:00:00Z");

    @Test
    void historyReachesKafkaOnceThroughAStopAndAResume() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path work = root.resolve("local/target/replay-it-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(work);
        try (Stack stack = new Stack(root, work)) {
            stack.startServices(new Progress(true), false);
            stack.kafka().createTopic("greenhouse.readings", 3);
            stack.kafka().createTopic("greenhouse.readings.quarantine", 1);
            String token = "glt_replay-" + UUID.randomUUID();
            Map<String, String> ingest = new LinkedHashMap<>(stack.commonProperties());
            ingest.put("greenloop.ingest.auth.bootstrap-device.id", "importer");
            ingest.put("greenloop.ingest.auth.bootstrap-device.greenhouse", GREENHOUSE);
            ingest.put("greenloop.ingest.auth.bootstrap-device.zones", "zone-a,zone-b");
            ingest.put("greenloop.ingest.auth.bootstrap-device.token", token);
            ingest.put("greenloop.ingest.auth.bootstrap-device.backfill", "true");
            ingest.put("greenloop.events.oidc.enabled", "false");
            ingest.put("greenloop.ingest.limits.device-items-per-second", "1000000");
            ingest.put("greenloop.ingest.limits.device-burst-items", "1000000");
            stack.startFunctions(List.of("ingest"), Map.of("ingest", ingest), Map.of(), new Progress(true));

            // Two zones, a row a minute each for an hour: three items a row. Line 50 is bad (a
            // word for a number); line 90's humidity is impossible, so ingest rejects that item.
            StringBuilder csv = new StringBuilder("time,zone,air_temperature,relative_humidity,heating\n");
            Set<String> expected = new HashSet<>();
            int line = 1;
            for (int minute = 0; minute < 60; minute++) {
                for (String zone : List.of("zone-a", "zone-b")) {
                    line++;
                    Instant at = T0.plusSeconds(60L * minute);
                    double air = 18 + minute / 10.0;
                    if (line == 50) {
                        csv.append(at).append(',').append(zone).append(",warm,80,40\n");
                        continue;
                    }
                    double humidity = line == 90 ? 150 : 80;
                    csv.append(at).append(',').append(zone).append(',').append(air).append(',').append(humidity).append(",40\n");
                    expected.add(zone + "/air_temperature/" + at);
                    if (line != 90) {
                        expected.add(zone + "/relative_humidity/" + at);
                    }
                    expected.add(zone + "/heating/" + at);
                }
            }
            Path file = work.resolve("history.csv");
            Files.writeString(file, csv);
            Replay.Options options = Replay.Options.parse(new String[] {"replay", file.toString(), "--greenhouse=" + GREENHOUSE,
                    "--ingest=" + stack.url("ingest"), "--device=importer", "--batch-items=30", "--quiet"},
                    Map.of("GREENLOOP_DEVICE_TOKEN", token));

            ByteArrayOutputStream first = new ByteArrayOutputStream();
            Replay.Summary stopped = new Replay(options, new PrintStream(first, true, StandardCharsets.UTF_8)).stopAfter(2).run();
            assertThat(stopped.complete()).isFalse();
            assertThat(stopped.accepted()).isEqualTo(60);
            assertThat(Files.readString(options.state())).contains("line=");

            ByteArrayOutputStream second = new ByteArrayOutputStream();
            Replay.Summary resumed = new Replay(options, new PrintStream(second, true, StandardCharsets.UTF_8)).run();
            String report = second.toString(StandardCharsets.UTF_8);
            assertThat(resumed.complete()).as(report).isTrue();
            assertThat(resumed.resumedAfterLine()).isPositive();
            assertThat(stopped.accepted() + resumed.accepted()).as(report).isEqualTo(expected.size());
            assertThat(resumed.badRows()).extracting(HistoryFile.BadRow::toString)
                    .containsExactly("line 50: air_temperature 'warm' is not a number");
            assertThat(resumed.itemProblems()).singleElement().asString()
                    .startsWith("line 90: relative_humidity rejected by ingest");
            assertThat(report).contains("line 50: air_temperature 'warm' is not a number").contains("line 90: relative_humidity");

            // The next day's history as Parquet, with its own state file: row 7's air temperature is
            // NaN, so the row is reported and none of it is sent.
            org.apache.parquet.schema.MessageType schema = org.apache.parquet.schema.MessageTypeParser.parseMessageType(
                    "message history { required int64 time (TIMESTAMP(MILLIS,true)); required binary zone (STRING);"
                    + " optional double air_temperature; optional float heating; }");
            Path parquet = work.resolve("history.parquet");
            var groups = new org.apache.parquet.example.data.simple.SimpleGroupFactory(schema);
            try (var writer = org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(
                    new org.apache.parquet.io.LocalOutputFile(parquet)).withType(schema).build()) {
                for (int row = 1; row <= 20; row++) {
                    Instant at = T0.plus(Duration.ofDays(1)).plusSeconds(60L * row);
                    var g = groups.newGroup().append("time", at.toEpochMilli()).append("zone", "zone-a")
                            .append("air_temperature", row == 7 ? Double.NaN : 19.5).append("heating", 45f);
                    writer.write(g);
                    if (row != 7) {
                        expected.add("zone-a/air_temperature/" + at);
                        expected.add("zone-a/heating/" + at);
                    }
                }
            }
            Replay.Options parquetOptions = Replay.Options.parse(new String[] {"replay", parquet.toString(),
                    "--greenhouse=" + GREENHOUSE, "--ingest=" + stack.url("ingest"), "--device=importer", "--batch-items=30",
                    "--quiet"}, Map.of("GREENLOOP_DEVICE_TOKEN", token));
            ByteArrayOutputStream third = new ByteArrayOutputStream();
            Replay.Summary fromParquet = new Replay(parquetOptions, new PrintStream(third, true, StandardCharsets.UTF_8)).run();
            assertThat(fromParquet.complete()).as(third.toString(StandardCharsets.UTF_8)).isTrue();
            assertThat(fromParquet.accepted()).isEqualTo(19 * 2);
            assertThat(fromParquet.badRows()).extracting(HistoryFile.BadRow::toString)
                    .containsExactly("row 7: air_temperature NaN is not a finite number");

            Map<String, Integer> onKafka = readingsOnKafka(stack.kafka().bootstrapServers());
            assertThat(onKafka.keySet()).isEqualTo(expected);
            assertThat(onKafka.values()).as("each item once").allMatch(n -> n == 1);
        }
    }

    private static Map<String, Integer> readingsOnKafka(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "replay-it-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Integer> items = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("greenhouse.readings"));
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < Duration.ofSeconds(5).toNanos()) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    quietSince = System.nanoTime();
                    ReadingsBatch batch = PayloadCodec.read(EventType.SENSOR_READINGS, record.value());
                    for (Reading r : batch.readings()) {
                        items.merge(batch.zoneId() + "/" + r.sensor().wireName() + "/" + r.timestamp(), 1, Integer::sum);
                    }
                    for (ActuatorState a : batch.actuators()) {
                        items.merge(batch.zoneId() + "/" + a.actuator().wireName() + "/" + a.timestamp(), 1, Integer::sum);
                    }
                }
            }
        }
        return items;
    }
}
