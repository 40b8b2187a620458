package dev.greenloop.control;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.TestEvents;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.events.payload.TargetValue;
import dev.greenloop.events.signing.KeyRing;
import dev.greenloop.events.signing.SigningKey;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.onlinestore.OnlineStore;
import dev.greenloop.onlinestore.OnlineVector;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.mongo.MongoWireServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.Document;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;

/**
 * Puts a zone in the state preprocess and operators would leave it (online features, the
 * window's reading events, settings, control's own state), posts predictions and pings as the
 * Broker would, and reads commands back from the topic.
 */
final class ControlTesting {

    static final String TOPIC = "greenhouse.commands";
    static final String GH = TestEvents.GREENHOUSE;
    private static MongoClient client;

    private ControlTesting() {
    }

    static synchronized MongoDatabase db() {
        if (client == null) {
            client = MongoClients.create(MongoWireServer.shared().connectionString());
        }
        return client.getDatabase("control-test");
    }

    static KeyRing keys() {
        return KeyRing.of(TestEvents.signingKey(), new SigningKey(ControlTestProfile.CHECK_KEY_ID,
                ControlTestProfile.CHECK_GREENHOUSE, Base64.getDecoder().decode(ControlTestProfile.CHECK_SECRET)));
    }

    static String zone() {
        return "z-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The end of the window that closed most recently. */
    static Instant lastWindowEnd() {
        return Instant.now().truncatedTo(ChronoUnit.MINUTES);
    }

    /** Zone settings whose timezone makes the local hour {@code localHour} now (defaults otherwise). */
    static void settingsAtLocalHour(String g, String z, int localHour) {
        int utcHour = Instant.now().atOffset(ZoneOffset.UTC).getHour();
        int offset = Math.floorMod(localHour - utcHour, 24);
        if (offset > 12) {
            offset -= 24;
        }
        settings(g, z, new Document("timezone", ZoneOffset.ofHours(offset).getId()));
    }

    static void settings(String g, String z, Document overrides) {
        db().getCollection("control_zones").replaceOne(Filters.eq("_id", g + "/" + z), overrides.append("_id", g + "/" + z),
                new ReplaceOptions().upsert(true));
    }

    /** Measured values: {@code <signal>} → value of its {@code _last} feature. Returns the window's reading event ids. */
    static List<String> measured(String g, String z, Instant windowEnd, Map<String, Double> last) {
        List<String> names = FeatureSpec.V1.names();
        List<Double> values = new ArrayList<>();
        for (String name : names) {
            values.add(name.endsWith("_last") ? last.get(name.substring(0, name.length() - 5)) : null);
        }
        long start = windowEnd.toEpochMilli() - FeatureSpec.V1.windowMillis();
        String windowId = g + ":" + z + ":" + start;
        // Through the online store's contract, as preprocess writes it.
        OnlineStore store = new OnlineStore(db());
        store.put(new OnlineVector(g, z, windowId, Instant.ofEpochMilli(start), windowEnd, "v1", names, values));
        List<String> readingIds = List.of("readings-" + UUID.randomUUID(), "readings-" + UUID.randomUUID());
        store.addWindowEvents(g, z, start, readingIds);
        return readingIds;
    }

    static Map<String, Double> climate(double temperature, double humidity, double co2, double par, double radiation,
                                       double outside) {
        Map<String, Double> m = new HashMap<>();
        m.put("air_temperature", temperature);
        m.put("relative_humidity", humidity);
        m.put("co2", co2);
        m.put("par", par);
        m.put("global_radiation", radiation);
        m.put("outside_temperature", outside);
        return m;
    }

    /** Actuators as control left them an hour ago (heating, vent, fogging, CO2 dosing, screen). */
    static void actuators(String g, String z, double heating, double vent, double fogging, double co2, double screen) {
        Date hourAgo = Date.from(Instant.now().minus(Duration.ofHours(1)));
        Document a = new Document();
        Map<ActuatorKind, Double> values = new EnumMap<>(ActuatorKind.class);
        values.put(ActuatorKind.HEATING, heating);
        values.put(ActuatorKind.VENT, vent);
        values.put(ActuatorKind.FOGGING, fogging);
        values.put(ActuatorKind.CO2_DOSING, co2);
        values.put(ActuatorKind.SCREEN, screen);
        values.forEach((k, v) -> a.append(k.wireName(), new Document("value", v).append("changedAt", hourAgo)));
        db().getCollection("control_state").replaceOne(Filters.eq("_id", g + "/" + z),
                new Document("_id", g + "/" + z).append("actuators", a), new ReplaceOptions().upsert(true));
    }

    static Prediction prediction(String g, String z, Instant windowEnd, Double temperature, Double humidity, Double co2,
                                 boolean shadow) {
        List<TargetValue> values = new ArrayList<>();
        if (temperature != null) {
            values.add(new TargetValue(SensorKind.AIR_TEMPERATURE, 15, temperature));
        }
        if (humidity != null) {
            values.add(new TargetValue(SensorKind.RELATIVE_HUMIDITY, 15, humidity));
        }
        if (co2 != null) {
            values.add(new TargetValue(SensorKind.CO2, 15, co2));
        }
        long start = windowEnd.toEpochMilli() - FeatureSpec.V1.windowMillis();
        return new Prediction(g, z, g + ":" + z + ":" + start, windowEnd, "greenloop-" + g, "7", "v1", values, shadow);
    }

    /** Posts {@code p} as the Broker delivers it (binary mode). */
    static ExtractableResponse<Response> deliver(String eventId, Prediction p) {
        return given().header("ce-specversion", "1.0").header("ce-id", eventId).header("ce-source", "/greenloop/infer")
                .header("ce-type", EventTypes.PREDICTION).header("ce-greenhouseid", p.greenhouseId())
                .header("ce-zoneid", p.zoneId())
                .header("ce-traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .contentType("application/json").body(PayloadCodec.write(p)).post("/").then().extract();
    }

    static ExtractableResponse<Response> ping(String eventId, String greenhouse) {
        return given().header("ce-specversion", "1.0").header("ce-id", eventId)
                .header("ce-source", "/apis/v1/namespaces/greenloop/pingsources/control-check")
                .header("ce-type", ControlFunctions.PING).contentType("application/json")
                .body("{\"greenhouseId\":\"" + greenhouse + "\"}").post("/").then().extract();
    }

    /** Every command on the topic caused by {@code causeId}: read to the end of every partition. */
    static List<ConsumerRecord<String, CloudEvent>> commandsCausedBy(String causeId) {
        return records(r -> causeId.equals(String.valueOf(r.value().getExtension(Extensions.CAUSATION_ID))));
    }

    static List<ConsumerRecord<String, CloudEvent>> records(Predicate<ConsumerRecord<String, CloudEvent>> wanted) {
        KafkaBroker.shared().createTopic(TOPIC, 3);
        List<ConsumerRecord<String, CloudEvent>> found = new ArrayList<>();
        try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new CloudEventDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // Commands are acknowledged by the broker before control answers: the end offsets now cover them.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    if (wanted.test(record)) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    static ControlCommand command(ConsumerRecord<String, CloudEvent> record) {
        return PayloadCodec.read(EventType.CONTROL_COMMAND, record.value().getData().toBytes());
    }

    static Map<ActuatorKind, ControlCommand> byActuator(List<ConsumerRecord<String, CloudEvent>> records) {
        Map<ActuatorKind, ControlCommand> m = new EnumMap<>(ActuatorKind.class);
        for (ConsumerRecord<String, CloudEvent> r : records) {
            ControlCommand c = command(r);
            if (m.put(c.actuator(), c) != null) {
                throw new AssertionError("two commands for " + c.actuator() + " from one cause");
            }
        }
        return m;
    }
}
