package dev.greenloop.local;

import dev.greenloop.events.EventType;
import dev.greenloop.events.EventException;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.signing.AckSignature;
import dev.greenloop.events.signing.CommandVerifier;
import dev.greenloop.events.signing.KeyRing;
import dev.greenloop.gateway.MongoNonceStore;
import dev.greenloop.simulator.GreenhouseSimulator;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The greenhouse's side: the simulator's climate computer posting readings through ingest (as a
 * gateway with a device token), and an actuator gateway that reads the greenhouse's commands from
 * {@code greenhouse.commands}, verifies each with the gateway verifier, applies it to the
 * simulated zone, and acknowledges it to control, signed. Its clock is the greenhouse's: the
 * simulated time in the simulated live phase. It commits what it read only once the commands
 * are applied and acknowledged, so a settled consumer group means no command in flight.
 */
public final class Gateway implements AutoCloseable {

    /** A command as the gateway saw it. */
    public record Applied(Instant at, ControlCommand command, String outcome) {
    }

    /** The simulated zone's true air temperature at a time. */
    public record Truth(Instant at, String zone, double airTemperature) {
    }

    /**
     * How long a command holds an actuator against the climate computer's own setting, as a
     * climate computer takes a supervisor's setpoints: with a watchdog, after which its own
     * control resumes unless a newer command came. (Holding until the next command instead made
     * both runs of the demo swing far more: control's policy then has nothing that damps it.)
     */
    static final Duration HOLD = Duration.ofMinutes(15);

    private final GreenhouseSimulator simulator;
    private final URI ingest;
    private final URI control;
    private final String token;
    private final String deviceId;
    private final KeyRing keys;
    private final String bootstrap;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicLong readings = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Applied> applied = Collections.synchronizedList(new ArrayList<>());
    private final List<Truth> truth = Collections.synchronizedList(new ArrayList<>());
    private final List<ReadingsBatch> accepted = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean keepAccepted;
    private volatile boolean crash;
    private String commandTopic;
    private com.mongodb.client.MongoCollection<org.bson.Document> nonces;
    private Thread commands;

    /** @param clock the greenhouse's time: what commands are verified against and acknowledgements are stamped with */
    public Gateway(GreenhouseSimulator simulator, URI ingest, URI control, String token, String deviceId, KeyRing keys,
                   String bootstrap, Clock clock) {
        this.clock = clock;
        this.simulator = simulator;
        this.ingest = ingest;
        this.control = control;
        this.token = token;
        this.deviceId = deviceId;
        this.keys = keys;
        this.bootstrap = bootstrap;
    }

    public long readingsAccepted() {
        return readings.get();
    }

    public List<Applied> applied() {
        synchronized (applied) {
            return List.copyOf(applied);
        }
    }

    /** Keeps every batch ingest acknowledged (202), for {@link #accepted()}: the fault suite's ledger. */
    public Gateway keepAccepted() {
        keepAccepted = true;
        return this;
    }

    /** The batches ingest acknowledged, when {@link #keepAccepted() kept}. */
    public List<ReadingsBatch> accepted() {
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    public List<Truth> truth() {
        synchronized (truth) {
            return List.copyOf(truth);
        }
    }

    public String greenhouseId() {
        return simulator.greenhouseId();
    }

    /** Heating energy and CO2 dosed so far, summed over the zones (simulator's units). */
    public double[] usage() {
        synchronized (simulator) {
            double heat = 0;
            double co2 = 0;
            for (String zone : simulator.zones()) {
                heat += simulator.heatingEnergy(zone);
                co2 += simulator.co2Dosed(zone);
            }
            return new double[]{heat, co2};
        }
    }

    public Instant simulatedNow() {
        synchronized (simulator) {
            return simulator.now();
        }
    }

    /** Advances the simulation to {@code until} in one-minute steps, posting {@code perRequest} minutes per request and zone. */
    public void advanceTo(Instant until, int perRequest) {
        advance(until, perRequest, true);
    }

    /**
     * Advances the simulation to {@code until} in the same steps as {@link #advanceTo}, posting
     * nothing: a twin greenhouse that needs no history keeps the same weather and noise as the
     * one that sent it.
     */
    public void catchUp(Instant until) {
        advance(until, 60, false);
    }

    private void advance(Instant until, int perRequest, boolean post) {
        Map<String, List<ReadingsBatch>> pending = new HashMap<>();
        int minutes = 0;
        // Whole seconds: the simulator moves in milliseconds, and a step below one would not move it.
        until = until.truncatedTo(ChronoUnit.SECONDS);
        while (Duration.between(simulatedNow(), until).toSeconds() >= 1) {
            List<ReadingsBatch> batches;
            synchronized (simulator) {
                Duration step = Duration.between(simulator.now(), until);
                batches = simulator.advance(step.compareTo(Duration.ofMinutes(1)) < 0 ? step : Duration.ofMinutes(1));
                for (String zone : simulator.zones()) {
                    truth.add(new Truth(simulator.now(), zone, simulator.airTemperature(zone)));
                }
            }
            if (!post) {
                continue;
            }
            batches.forEach(b -> pending.computeIfAbsent(b.zoneId(), z -> new ArrayList<>()).add(b));
            if (++minutes % perRequest == 0) {
                flush(pending);
            }
        }
        flush(pending);
    }

    private void flush(Map<String, List<ReadingsBatch>> pending) {
        pending.values().parallelStream().forEach(list -> {
            if (list.isEmpty()) {
                return;
            }
            List<Reading> rs = new ArrayList<>();
            List<ActuatorState> as = new ArrayList<>();
            for (ReadingsBatch b : list) {
                rs.addAll(b.readings());
                as.addAll(b.actuators());
            }
            ReadingsBatch first = list.get(0);
            post(new ReadingsBatch(first.greenhouseId(), first.zoneId(), deviceId, rs, as));
            list.clear();
        });
    }

    private void post(ReadingsBatch batch) {
        URI uri = ingest.resolve("/v1/greenhouses/" + batch.greenhouseId() + "/readings");
        byte[] body = PayloadCodec.write(batch);
        for (int attempt = 0; attempt < 30; attempt++) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    readings.addAndGet(batch.readings().size());
                    if (keepAccepted) {
                        accepted.add(batch);
                    }
                    return;
                }
                if (r.statusCode() != 429 && r.statusCode() != 503) {
                    throw new IllegalStateException("ingest refused readings of " + batch.zoneId() + " (" + r.statusCode()
                            + "): " + r.body());
                }
                Thread.sleep(1000L * Long.parseLong(r.headers().firstValue("Retry-After").orElse("1")));
            } catch (java.io.IOException e) {
                sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("ingest did not take readings of " + batch.zoneId() + " after 30 attempts");
    }

    /**
     * Starts the actuator gateway: commands from the topic, verified, applied, acknowledged. The
     * verifier remembers nonces in {@code nonces} (MongoDB, as a gateway's replicas share them and
     * a restart keeps them).
     */
    public void startCommands(String topic, com.mongodb.client.MongoCollection<org.bson.Document> nonces) {
        this.commandTopic = topic;
        this.nonces = nonces;
        CommandVerifier verifier = new CommandVerifier(keys, new MongoNonceStore(nonces, Duration.ofMinutes(1)),
                clock, Duration.ofSeconds(30), Duration.ofHours(1));
        running.set(true);
        crash = false;
        commands = new Thread(() -> {
            Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "demo-gateway-" + simulator.greenhouseId(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                    new CloudEventDeserializer())) {
                consumer.subscribe(List.of(topic), new CommitStartOnAssign(consumer));
                while (running.get()) {
                    var records = consumer.poll(Duration.ofMillis(200));
                    for (ConsumerRecord<String, CloudEvent> r : records) {
                        ControlCommand command = PayloadCodec.read(EventType.CONTROL_COMMAND, r.value().getData().toBytes());
                        if (command.greenhouseId().equals(simulator.greenhouseId())) {
                            handle(verifier, command);
                        }
                    }
                    if (crash && !records.isEmpty()) {
                        // Applied, not committed: what a gateway that dies here leaves behind.
                        return;
                    }
                    if (!records.isEmpty()) {
                        consumer.commitSync();
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // closing
            }
        }, "gateway-commands");
        commands.setDaemon(true);
        commands.start();
    }

    /**
     * The actuator gateway dies right after applying the next commands it reads, before it
     * commits having read them (or after {@code limit} if none come), and starts again with the
     * same nonce store: the commands it applied come again and must not act twice. Returns
     * whether it died with commands applied and not committed.
     */
    public boolean crashAndRestartCommands(Duration limit) throws InterruptedException {
        Thread before = commands;
        crash = true;
        before.join(limit.toMillis());
        boolean midBatch = !before.isAlive();
        running.set(false);
        before.join(5000);
        startCommands(commandTopic, nonces);
        return midBatch;
    }

    private void handle(CommandVerifier verifier, ControlCommand command) {
        String outcome;
        // This receipt of the command: its retries below are the same attempt, so a nonce the store
        // took while the gateway saw it fail is not read as a replay; a copy read again is another.
        String attempt = java.util.UUID.randomUUID().toString();
        while (true) {
            try {
                verifier.verify(command, attempt);
                synchronized (simulator) {
                    simulator.command(command.zoneId(), command.actuator(), command.value(), HOLD);
                }
                outcome = "applied";
                break;
            } catch (EventException e) {
                if (!e.kind().retriable()) {
                    outcome = "rejected: " + e.kind();
                    break;
                }
                // Its nonce store is away (refused, fail closed): the command is not committed as
                // read; it waits, unapplied, until it can be checked.
                if (!running.get()) {
                    throw e;
                }
                System.err.println("gateway: cannot check " + command.commandId() + " yet: " + e.getMessage());
                sleep(1000);
            }
        }
        applied.add(new Applied(clock.instant(), command, outcome));
        if (outcome.equals("applied")) {
            acknowledge(command);
        }
    }

    private void acknowledge(ControlCommand command) {
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        var key = keys.forGreenhouse(command.greenhouseId()).orElseThrow();
        String body = "{\"status\":\"applied\",\"ackedAt\":\"" + at + "\",\"keyId\":\"" + key.keyId() + "\",\"signature\":\""
                + AckSignature.sign(key, command.commandId(), "applied", at) + "\"}";
        try {
            http.send(HttpRequest.newBuilder(control.resolve("/v1/commands/" + command.commandId() + "/ack"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (java.io.IOException e) {
            System.err.println("gateway: acknowledgement of " + command.commandId() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running.set(false);
        if (commands != null) {
            try {
                commands.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
