package dev.greenloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenloop.deadletters.DeadLetter;
import dev.greenloop.events.EventException;
import dev.greenloop.events.Events;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.kafka.KafkaEvents;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.signing.CommandVerifier;
import dev.greenloop.local.observability.Observability;
import dev.greenloop.testkit.otlp.OtlpReceiver;
import dev.greenloop.testkit.prometheus.PrometheusTools;
import dev.greenloop.testkit.prometheus.PromqlInspect;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loop closes, headless: a short run of {@code ./greenloop demo} (seven days of history, two
 * zones, six simulated hours of live phase in lock step, the thermostat baseline beside it) in
 * which a model is promoted in MLflow, predictions carry its version, at least 100 live
 * predictions are scored against what was measured, the commands on the topic verify with the
 * gateway verifier and every one was applied by its greenhouse's gateway, neither run breaks the
 * safety envelope, the baseline is run by the fallback thermostat alone, and a predictive
 * command's lineage resolves back to reading events that are on {@code greenhouse.readings}.
 * Structure, not quality: the quality figures are measured by the demo and written down in
 * local/README.md and docs/benchmarks.md. Seven days, not fewer: the model is tested on the
 * latest 15 % of the history, and with two or three days whether it beats persistence by the
 * gate's 10 % depended on the hour the test ran; with seven it passed at every hour tried.
 */
class LoopIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theLoopClosesFromReadingsToVerifiedCommands() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        // The trainer's search gets 20 s per run here (the demo's default is 60): it runs, briefly.
        Demo.Options options = new Demo.Options(7, 2, Duration.ofHours(6), 60, root.resolve("local/target/it-work"),
                true, "air_temperature,relative_humidity,co2", 11, Duration.ofMinutes(8), null, true, true, 20);
        AtomicReference<String> champion = new AtomicReference<>();
        List<String> failures = new ArrayList<>();
        PrometheusTools.bin();  // Prometheus beside the stack: fetched into the cache if the machine has none.
        Demo.Result result;
        // Every function exports its spans to a real OTLP/HTTP receiver (tracing's one setting).
        try (OtlpReceiver spans = OtlpReceiver.start()) {
            System.setProperty(Demo.TRACING_ENDPOINT, spans.endpoint().toString());
            try {
                result = Demo.run(root, options, running -> { }, running -> {
                    check(running, champion, failures);
                    oneTraceCoversAReadingsWayToItsCommand(running, spans);
                });
            } finally {
                System.clearProperty(Demo.TRACING_ENDPOINT);
            }
        }

        assertThat(failures).isEmpty();
        assertThat(result.versions()).isNotEmpty();
        assertThat(Files.readString(result.report())).contains("greenloop demo").contains("<svg")
                .contains("The loop against the thermostat").contains("Realised forecast accuracy")
                .contains("Training runs and promotions")
                .as("no raw event JSON in the report").doesNotContain("{&quot;").doesNotContain("{\"");
        assertThat(result.figures().predictions()).isPositive();
        assertThat(result.figures().commands()).isPositive();

        // Six simulated hours, minute by minute, in simulated time.
        assertThat(result.live().steps()).isEqualTo(360);
        assertThat(Duration.between(result.live().from(), result.live().to())).isEqualTo(Duration.ofHours(6));
        // At least 100 live predictions scored against measurements, by monitor, over both zones.
        assertThat(result.figures().live()).isNotNull();
        assertThat(result.figures().live().scored()).isGreaterThanOrEqualTo(100);
        assertThat(result.figures().liveByZone()).hasSize(2).allSatisfy((zone, live) -> assertThat(live).isNotNull());
        // Every version carries prediction intervals, and monitor measured how often they held the measured value.
        assertThat(result.figures().liveByVersion()).isNotEmpty().allSatisfy((version, live) ->
                assertThat(live.coverage()).as("live interval coverage of version " + version).isBetween(0.0, 1.0));
        assertThat(Files.readString(result.report())).contains("inside the interval");
        // Both runs present: the loop, and its twin under the thermostat; neither breaks the envelope.
        assertThat(result.outcomes()).extracting(Outcome::greenhouse).containsExactly(Demo.GREENHOUSE, Demo.BASELINE);
        assertThat(result.outcomes()).allSatisfy(o -> {
            assertThat(o.minutes()).as(o.greenhouse() + "'s simulated zone-minutes").isEqualTo(2 * 360);
            assertThat(o.violations()).as(o.greenhouse() + "'s envelope violations").isEmpty();
            assertThat(o.inBand()).isBetween(0.0, 1.0);
        });
        // Prometheus ran beside the stack with the shipped alerts: the baseline greenhouse, run by
        // the thermostat alone, raised the fallback alert, and the report lists it.
        assertThat(result.alerts().running()).as(result.alerts().note()).isTrue();
        assertThat(result.alerts().raised()).as("alerts Prometheus raised").anySatisfy(a -> {
            assertThat(a.name()).isEqualTo("GreenloopControlInFallback");
            assertThat(a.labels()).containsEntry("greenhouse", Demo.BASELINE);
            assertThat(a.state()).isEqualTo("firing");
        });
        assertThat(Files.readString(result.report())).contains("<h2>Alerts</h2>").contains("GreenloopControlInFallback");
        Outcome thermostat = result.outcomes().get(1);
        assertThat(thermostat.switches()).as("the thermostat acted").isPositive();
        assertThat(thermostat.fallbackSwitches()).as("the baseline is the fallback thermostat alone")
                .isEqualTo(thermostat.switches());
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
        // Each went through the closed-loop gate: its figures and the thermostat's are in the event.
        assertThat(promoted).allSatisfy(p -> assertThat(p.metrics()).containsKeys("closed_loop_candidate_in_band",
                "closed_loop_thermostat_in_band", "closed_loop_candidate_heating_energy")
                .containsEntry("closed_loop_candidate_violations", 0.0));
        champion.set(version);

        // Predictions carry promoted versions (retraining on each accelerated archive may promote
        // again while the run goes on), and nothing else.
        List<Prediction> predictions = running.tap().predictions().stream().map(Tap.Seen::payload).toList();
        assertThat(predictions).isNotEmpty().allSatisfy(p -> {
            assertThat(p.modelName()).isEqualTo("greenloop-" + Demo.GREENHOUSE);
            assertThat(promotedVersions).contains(p.modelVersion());
        });
        // Each version forecasts exactly the targets it was promoted to serve (served_<target> = 1).
        Map<String, java.util.Set<String>> served = new java.util.HashMap<>();
        promoted.forEach(p -> served.put(p.modelVersion(), p.metrics().entrySet().stream()
                .filter(e -> e.getKey().startsWith("served_") && e.getValue() == 1.0)
                .map(e -> e.getKey().substring("served_".length())).collect(java.util.stream.Collectors.toSet())));
        assertThat(served.values()).as("targets served by the promoted versions").allSatisfy(t -> assertThat(t).isNotEmpty());
        assertThat(predictions).allSatisfy(p -> assertThat(p.values().stream().map(v -> v.target().wireName())
                .collect(java.util.stream.Collectors.toSet())).as("targets of version %s's prediction", p.modelVersion())
                .isEqualTo(served.get(p.modelVersion())));
        // The trainer's versions give an 80 % prediction interval for every target they serve.
        assertThat(predictions).allSatisfy(p -> assertThat(p.values()).allSatisfy(v -> {
            assertThat(v.hasInterval()).as("%s of version %s has an interval", v.target(), p.modelVersion()).isTrue();
            assertThat(v.low()).isLessThanOrEqualTo(v.value());
            assertThat(v.high()).isGreaterThanOrEqualTo(v.value());
        }));

        // monitor joined the champion's predictions with what was measured: outcomes, realised
        // accuracy and persistence's on the same instants, through its read API.
        JsonNode accuracy = Demo.liveAccuracy(running.stack().url("monitor"), running.operatorToken(),
                predictions.stream().map(Prediction::windowEnd).min(java.util.Comparator.naturalOrder()).orElseThrow());
        List<JsonNode> scored = new ArrayList<>();
        accuracy.path("hours").forEach(h -> {
            if (h.path("role").asText().equals("champion") && h.path("count").asLong() > 0) {
                scored.add(h);
            }
        });
        assertThat(scored).as("hours of scored champion predictions in %s", accuracy).isNotEmpty()
                .allSatisfy(h -> {
                    assertThat(promotedVersions).contains(h.path("modelVersion").asText());
                    assertThat(h.path("mae").asDouble()).isFinite().isNotNegative();
                    assertThat(h.path("persistenceMae").isNumber()).isTrue();
                });

        // Every command on the topic verifies with the gateway's verifier (each with a fresh one at its issue time).
        List<ControlCommand> commands = running.tap().commands().stream().map(Tap.Seen::payload).toList();
        assertThat(commands).isNotEmpty();
        assertThat(commands).filteredOn(c -> c.greenhouseId().equals(Demo.GREENHOUSE)).as("the loop's commands")
                .anySatisfy(c -> assertThat(c.mode().wireName()).isEqualTo("predictive"));
        for (ControlCommand c : commands) {
            CommandVerifier gateway = CommandVerifier.withDefaults(running.keys(),
                    Clock.fixed(c.signature().issuedAt(), ZoneOffset.UTC));
            try {
                assertThat(gateway.verify(c)).isEqualTo(c);
            } catch (EventException e) {
                failures.add("command " + c.commandId() + " does not verify: " + e.getMessage());
            }
        }
        // Every command was applied by its greenhouse's gateway, which verified it first, in the greenhouse's (simulated) time.
        for (Gateway g : List.of(running.gateway(), running.baseline())) {
            assertThat(g.applied()).as(g.greenhouseId() + "'s gateway").isNotEmpty()
                    .allSatisfy(a -> assertThat(a.outcome()).isEqualTo("applied"));
            Set<String> applied = new HashSet<>(g.applied().stream().map(a -> a.command().commandId()).toList());
            assertThat(commands.stream().filter(c -> c.greenhouseId().equals(g.greenhouseId())).map(ControlCommand::commandId))
                    .as("commands of " + g.greenhouseId() + " on the topic, each applied").isNotEmpty()
                    .allSatisfy(id -> assertThat(applied).contains(id));
        }

        // A predictive command's lineage resolves to its prediction, the champion and readings on the topic.
        ControlCommand predictive = commands.stream().filter(c -> c.predictionId() != null && c.mode().wireName().equals("predictive"))
                .findFirst()
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

        scrapesHoldWhatDashboardsAndAlertsSelect(running, predictive);
    }

    /**
     * After the run's real traffic, every metric name and label the observability component's
     * alerts and dashboards select on is one the functions export. One dead letter is written
     * first, as the KafkaSink writes one (a command control could not take), so that monitor's
     * dead-letter meters, counted from the topic, have a series to show.
     */
    private static void scrapesHoldWhatDashboardsAndAlertsSelect(Demo.Running running, ControlCommand predictive) throws Exception {
        String bootstrap = running.stack().kafka().bootstrapServers();
        CloudEvent prediction = TopicRecords.all(bootstrap, Dispatcher.BROKER_TOPIC).stream().map(r -> r.value())
                .filter(e -> e.getId().equals(predictive.predictionId())).findFirst().orElseThrow();
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(KafkaEvents.producerConfig(bootstrap))) {
            producer.send(KafkaEvents.record(running.dispatcher().deadLetterTopic(), DeadLetter.failed(prediction,
                    running.stack().url("control").toString(), 503, "{\"detail\":\"written by LoopIT\"}"))).get();
        }
        HttpClient http = HttpClient.newHttpClient();
        Path dir = Files.createDirectories(Path.of("target/scrapes"));
        List<Path> scrapes = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (String function : Stack.FUNCTIONS) {
            String text;
            do {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(running.stack().metrics(function))
                        .header("Accept", "text/plain; version=0.0.4").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(function + "'s metrics").isEqualTo(200);
                text = r.body();
                // monitor counts the dead letters every 30 s.
            } while (function.equals("monitor") && !text.contains("greenloop_monitor_dead_letters_total{")
                    && System.nanoTime() < deadline && sleep(Duration.ofSeconds(1)));
            assertThat(text).as(function + "'s metrics carry its function label").contains("function=\"" + function + "\"");
            scrapes.add(Files.writeString(dir.resolve(function + ".prom"), text));
        }
        PromqlInspect inspect = PromqlInspect.build(root().resolve("tools/promql-inspect"));
        Map<String, List<String>> exported = inspect.families(scrapes);
        List<String> problems = Observability.problems(inspect, exported);
        assertThat(problems).as("what dashboards and alerts select that no function exported (scrapes in " + dir + ")").isEmpty();
    }

    /**
     * One trace covers a reading's way to the command it led to, one span per hop, parent to
     * child: control's span (the command's {@code traceparent}) is a child of infer's (the
     * prediction), that of preprocess's (the window), that of ingest's (the readings request).
     */
    private static void oneTraceCoversAReadingsWayToItsCommand(Demo.Running running, OtlpReceiver spans) throws Exception {
        String bootstrap = running.stack().kafka().bootstrapServers();
        List<CloudEvent> predictive = TopicRecords.all(bootstrap, "greenhouse.commands").stream().map(r -> r.value())
                .filter(e -> Events.payload(e, ControlCommand.class).predictionId() != null)
                .filter(e -> Events.payload(e, ControlCommand.class).mode().wireName().equals("predictive")).toList();
        assertThat(predictive).isNotEmpty();
        CloudEvent command = predictive.get(predictive.size() - 1);
        String[] parent = ((String) command.getExtension(Extensions.TRACEPARENT)).split("-");
        List<String> services = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            Map<String, OtlpReceiver.ReceivedSpan> byId = new java.util.HashMap<>();
            spans.trace(parent[1]).forEach(s -> byId.put(s.spanId(), s));
            List<String> chain = new ArrayList<>();
            for (OtlpReceiver.ReceivedSpan s = byId.get(parent[2]); s != null; s = byId.get(s.parentSpanId())) {
                chain.add(s.service() + ": " + s.name() + " " + s.attributes().getOrDefault("cloudevents.event_type", ""));
            }
            services = chain;
        } while (services.size() < 4 && System.nanoTime() < deadline && sleep(Duration.ofSeconds(1)));

        assertThat(services).as("the command's trace, from control's span up to its root").hasSizeGreaterThanOrEqualTo(4);
        assertThat(services.get(0)).isEqualTo("greenloop-control: POST / dev.greenloop.prediction.v1");
        assertThat(services.get(1)).isEqualTo("greenloop-infer: POST / dev.greenloop.features.window.v1");
        assertThat(services.get(2)).isEqualTo("greenloop-preprocess: POST / dev.greenloop.sensor.readings.v1");
        assertThat(services.get(3)).startsWith("greenloop-ingest: POST /v1/greenhouses/");
    }

    private static boolean sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
        return true;
    }

    private static Path root() {
        return Path.of("..").toAbsolutePath().normalize();
    }

    /** The ids of every readings event on greenhouse.readings. */
    private static Set<String> readingEventIds(String bootstrap) {
        Set<String> ids = new HashSet<>();
        TopicRecords.all(bootstrap, "greenhouse.readings").forEach(r -> ids.add(r.value().getId()));
        return ids;
    }
}
