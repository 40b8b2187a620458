package dev.greenloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import dev.greenloop.events.EventException;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.signing.CommandVerifier;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loop closes, headless: a short run of {@code ./greenloop demo} (seven days of history, one
 * zone, three live minutes) in which a model is promoted in MLflow, predictions carry its
 * version, the commands on the topic verify with the gateway verifier, and a predictive
 * command's lineage resolves back to reading events that are on {@code greenhouse.readings}.
 * The zone is configured cold (its bands above the simulated climate, heating without dwell) so
 * that control must act on the predictions. Seven days, not fewer: the model is tested on the
 * latest 15 % of the history, which ends now, and with two or three days of one zone whether it
 * beats persistence by the gate's 10 % depended on the hour the test ran (it failed for history
 * ending at 02:46 and 14:46 UTC, passed at 08:46 and 20:46); with seven it passed at every hour
 * tried, by 35 % or more.
 */
class LoopIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theLoopClosesFromReadingsToVerifiedCommands() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Demo.Options options = new Demo.Options(7, 1, Duration.ofMinutes(3), 60, root.resolve("local/target/it-work"),
                true, "air_temperature", 11, Duration.ofMinutes(6));
        AtomicReference<String> champion = new AtomicReference<>();
        List<String> failures = new ArrayList<>();
        Demo.Result result = Demo.run(root, options, running -> {
            try (MongoClient mongo = MongoClients.create(running.stack().mongo().connectionString())) {
                for (String zone : running.zones()) {
                    String id = Demo.GREENHOUSE + "/" + zone;
                    // Too cold by day and night, and heating allowed to move on every prediction: control must act.
                    Document cold = new Document("_id", id)
                            .append("dayTemperature", new Document("low", 30).append("high", 34))
                            .append("nightTemperature", new Document("low", 30).append("high", 34))
                            .append("actuators", new Document("heating", new Document("minDwellSeconds", 0)));
                    mongo.getDatabase("greenloop").getCollection("control_zones").replaceOne(Filters.eq("_id", id), cold,
                            new ReplaceOptions().upsert(true));
                }
            }
        }, running -> check(running, champion, failures));

        assertThat(failures).isEmpty();
        assertThat(result.versions()).isNotEmpty();
        assertThat(Files.readString(result.report())).contains("greenloop demo").contains("<svg");
        assertThat(result.figures().predictions()).isPositive();
        assertThat(result.figures().commands()).isPositive();
    }

    private static void check(Demo.Running running, AtomicReference<String> champion, List<String> failures) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI mlflow = running.stack().mlflow().trackingUri();

        // A version was promoted, and the registry's champion alias points at it.
        List<ModelPromoted> promoted = running.tap().promotions().stream().map(Tap.Seen::payload).toList();
        assertThat(promoted).isNotEmpty();
        JsonNode alias = JSON.readTree(http.send(HttpRequest.newBuilder(mlflow.resolve(
                "/api/2.0/mlflow/registered-models/alias?name=greenloop-" + Demo.GREENHOUSE + "&alias=champion")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String version = alias.at("/model_version/version").asText();
        List<String> promotedVersions = promoted.stream().map(ModelPromoted::modelVersion).toList();
        assertThat(promotedVersions).as("the champion is the last promoted version").last().isEqualTo(version);
        champion.set(version);

        // Predictions carry promoted versions (retraining on each accelerated archive may promote
        // again while the run goes on), and nothing else.
        List<Prediction> predictions = running.tap().predictions().stream().map(Tap.Seen::payload).toList();
        assertThat(predictions).isNotEmpty().allSatisfy(p -> {
            assertThat(p.modelName()).isEqualTo("greenloop-" + Demo.GREENHOUSE);
            assertThat(promotedVersions).contains(p.modelVersion());
        });

        // monitor joined the champion's predictions with what was measured: outcomes, realised
        // accuracy and persistence's on the same instants, through its read API.
        // Only predictions whose target window has come can be scored: those made on the history's
        // windows once a model was promoted (whether the Broker still held any for infer depends
        // on timing); the live phase is shorter than the horizon.
        Instant measuredUntil = running.gateway().simulatedNow().minus(Duration.ofMinutes(2));
        List<Prediction> scorable = predictions.stream()
                .filter(p -> p.windowEnd().plus(Duration.ofMinutes(16)).isBefore(measuredUntil)).toList();
        JsonNode accuracy = Demo.liveAccuracy(running.stack().url("monitor"), running.operatorToken(),
                predictions.stream().map(Prediction::windowEnd).min(java.util.Comparator.naturalOrder()).orElseThrow());
        List<JsonNode> scored = new ArrayList<>();
        accuracy.path("hours").forEach(h -> {
            if (h.path("role").asText().equals("champion") && h.path("count").asLong() > 0) {
                scored.add(h);
            }
        });
        assertThat(scored).as("hours of scored champion predictions in %s, %d scorable", accuracy, scorable.size())
                .hasSizeGreaterThanOrEqualTo(scorable.isEmpty() ? 0 : 1)
                .allSatisfy(h -> {
                    assertThat(promotedVersions).contains(h.path("modelVersion").asText());
                    assertThat(h.path("mae").asDouble()).isFinite().isNotNegative();
                    assertThat(h.path("persistenceMae").isNumber()).isTrue();
                });

        // Every command on the topic verifies with the gateway's verifier (each with a fresh one at its issue time).
        List<ControlCommand> commands = running.tap().commands().stream().map(Tap.Seen::payload).toList();
        assertThat(commands).isNotEmpty();
        for (ControlCommand c : commands) {
            CommandVerifier gateway = CommandVerifier.withDefaults(running.keys(),
                    Clock.fixed(c.signature().issuedAt(), ZoneOffset.UTC));
            try {
                assertThat(gateway.verify(c)).isEqualTo(c);
            } catch (EventException e) {
                failures.add("command " + c.commandId() + " does not verify: " + e.getMessage());
            }
        }
        assertThat(running.gateway().applied()).isNotEmpty().allSatisfy(a -> assertThat(a.outcome()).isEqualTo("applied"));

        // A predictive command's lineage resolves to its prediction, the champion and readings on the topic.
        ControlCommand predictive = commands.stream().filter(c -> c.predictionId() != null).findFirst()
                .orElseThrow(() -> new AssertionError("no predictive command among " + commands.size()));
        JsonNode lineage = JSON.readTree(http.send(HttpRequest.newBuilder(running.stack().url("control")
                        .resolve("/v1/commands/" + predictive.commandId() + "/lineage"))
                .header("Authorization", "Bearer " + running.operatorToken()).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(lineage.at("/prediction/eventId").asText()).isEqualTo(predictive.predictionId());
        assertThat(lineage.at("/prediction/modelName").asText()).isEqualTo("greenloop-" + Demo.GREENHOUSE);
        assertThat(promoted.stream().map(ModelPromoted::modelVersion)).contains(lineage.at("/prediction/modelVersion").asText());
        assertThat(running.tap().predictions()).anySatisfy(p -> assertThat(p.eventId()).isEqualTo(predictive.predictionId()));
        List<String> readingIds = new ArrayList<>();
        lineage.at("/window/readingEventIds").forEach(n -> readingIds.add(n.asText()));
        assertThat(readingIds).isNotEmpty();
        assertThat(readingEventIds(running.stack().kafka().bootstrapServers())).containsAll(readingIds);
    }

    /** The ids of every readings event on greenhouse.readings. */
    private static Set<String> readingEventIds(String bootstrap) {
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new CloudEventDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("greenhouse.readings").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, CloudEvent> r : consumer.poll(Duration.ofMillis(300))) {
                    ids.add(r.value().getId());
                }
            }
        }
        return ids;
    }
}
