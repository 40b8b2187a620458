package dev.greenloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.local.wiring.Manifests;
import dev.greenloop.testkit.oidc.OidcIssuer;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import io.cloudevents.core.message.Encoding;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.sources.v1.ApiServerSource;
import io.fabric8.knative.sources.v1.PingSource;
import io.fabric8.knative.sources.v1.SinkBinding;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Plays Knative Eventing's part on one machine, from the manifests in {@code eventing/}:
 * <ul>
 *   <li>the Broker: an HTTP ingress (binary or structured CloudEvents) in front of a Kafka topic;</li>
 *   <li>Triggers: one consumer group each, exact attribute filters, delivery to the subscriber in
 *       binary mode, a reply goes back into the Broker; retries with exponential backoff from
 *       the Trigger's delivery spec, then the dead-letter topic with Knative's
 *       {@code knativeerrorcode}, {@code knativeerrordest} and {@code knativeerrordata};</li>
 *   <li>the KafkaSource: ordered per partition, replies discarded;</li>
 *   <li>SinkBindings: {@link #sinkFor} gives a function its {@code K_SINK};</li>
 *   <li>PingSources on an accelerated clock (cron in simulated time), ApiServerSource: Job status
 *       events the local launcher posts get the source's {@code ceOverrides};</li>
 *   <li>sender identity ({@code authentication-oidc}): it plays the cluster's service-account
 *       issuer ({@link #issuer()}), sends every delivery with a token for the subscriber's
 *       {@code audience} from the manifest, writes each SinkBinding subject a token for the
 *       Broker's audience ({@link #sinkTokenFile}), and its ingress refuses a post without one
 *       (401).</li>
 * </ul>
 */
public final class Dispatcher implements AutoCloseable {

    public static final String BROKER_TOPIC = "greenloop.broker";
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    private final Manifests eventing;
    private final String bootstrap;
    private final Function<String, URI> services;
    private final Clock pingClock;
    private final String deadLetterTopic;
    private final KafkaProducer<String, CloudEvent> producer;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final BrokerIngress ingress;
    private final Map<String, String> apiServerOverrides = new HashMap<>();
    private final OidcIssuer issuer = OidcIssuer.start();
    private final java.nio.file.Path tokens;
    /** The Broker's audience, as Knative derives it: {@code eventing.knative.dev/broker/<namespace>/<name>}. */
    public static final String BROKER_AUDIENCE = "eventing.knative.dev/broker/greenloop/default";

    /**
     * @param services  the URL of a function by its Service name
     * @param pingClock the PingSources' clock (accelerated in the demo)
     */
    public Dispatcher(Manifests eventing, String bootstrap, Function<String, URI> services, Clock pingClock) throws IOException {
        this.tokens = java.nio.file.Files.createTempDirectory("greenloop-sink-tokens");
        this.eventing = eventing;
        this.bootstrap = bootstrap;
        this.services = services;
        this.pingClock = pingClock;
        this.deadLetterTopic = eventing.objects().stream().filter(o -> o.getKind().equals("KafkaSink"))
                .map(o -> json(o).at("/spec/topic").asText()).findFirst().orElse("greenloop.dead-letter");
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY.name());
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new CloudEventSerializer());
        for (ApiServerSource s : eventing.all(ApiServerSource.class)) {
            if (s.getSpec().getCeOverrides() != null) {
                apiServerOverrides.putAll(s.getSpec().getCeOverrides().getExtensions());
            }
        }
        this.ingress = new BrokerIngress(issuer, apiServerOverrides, this::publish);
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** The Broker's address ({@code K_SINK}). */
    public URI brokerUrl() {
        return ingress.url();
    }

    /** The OIDC issuer the functions verify senders against ({@code greenloop.events.oidc.issuer}). */
    public URI issuer() {
        return issuer.issuer();
    }

    /**
     * A file with a token for the Broker's audience for the SinkBinding subject {@code service}
     * ({@code GREENLOOP_SINK_TOKEN_FILE}), as a projected service-account token would be; null
     * when no SinkBinding names it.
     */
    public java.nio.file.Path sinkTokenFile(String service) throws IOException {
        if (sinkFor(service) == null) {
            return null;
        }
        java.nio.file.Path file = tokens.resolve(service + ".token");
        java.nio.file.Files.writeString(file, issuer.token(BROKER_AUDIENCE, "system:serviceaccount:greenloop:" + service,
                Instant.now(), Duration.ofHours(12)));
        return file;
    }

    /** {@code K_SINK} for a function, when a SinkBinding names it. */
    public URI sinkFor(String service) {
        for (SinkBinding b : eventing.all(SinkBinding.class)) {
            if (service.equals(b.getSpec().getSubject().getName())) {
                return brokerUrl();
            }
        }
        return null;
    }

    public long delivered() {
        return delivered.get();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    public void start() {
        ingress.start();
        for (Trigger t : eventing.all(Trigger.class)) {
            Map<String, String> filter = t.getSpec().getFilter() == null ? Map.of() : t.getSpec().getFilter().getAttributes();
            String subscriber = t.getSpec().getSubscriber().getRef().getName();
            String audience = t.getSpec().getSubscriber().getAudience();
            JsonNode delivery = json(t).at("/spec/delivery");
            thread("trigger-" + t.getMetadata().getName(), () -> consume(BROKER_TOPIC, "trigger-" + t.getMetadata().getName(),
                    false, record -> {
                        if (matches(filter, record.value())) {
                            deliver(record.value(), subscriber, audience, delivery, true);
                        }
                    }));
        }
        for (HasMetadata source : eventing.objects()) {
            if (source.getKind().equals("KafkaSource")) {
                JsonNode spec = json(source).path("spec");
                boolean ordered = "ordered".equals(spec.path("ordering").asText(null));
                String sink = spec.at("/sink/ref/name").asText();
                String audience = spec.at("/sink/audience").asText(null);
                thread("kafkasource-" + source.getMetadata().getName(), () -> consume(spec.at("/topics/0").asText(),
                        spec.path("consumerGroup").asText(), ordered, record -> deliver(record.value(), sink, audience,
                                spec.path("delivery"), false)));
            }
        }
        PingSources pings = new PingSources(eventing.all(PingSource.class), pingClock, this::publish);
        thread("pingsources", () -> pings.run(running::get));
    }

    private void thread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                if (running.get()) {
                    System.err.println("dispatcher: " + name + " stopped: " + e
                            + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
                }
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    static boolean matches(Map<String, String> filter, CloudEvent event) {
        for (Map.Entry<String, String> f : filter.entrySet()) {
            Object actual = switch (f.getKey()) {
                case "type" -> event.getType();
                case "source" -> event.getSource().toString();
                case "subject" -> event.getSubject();
                case "id" -> event.getId();
                default -> event.getExtension(f.getKey());
            };
            if (actual == null || !f.getValue().equals(actual.toString())) {
                return false;
            }
        }
        return true;
    }

    private interface Handler {
        void handle(ConsumerRecord<String, CloudEvent> record);
    }

    /** Reads {@code topic} as consumer group {@code group}; ordered: one record per partition at a time. */
    private void consume(String topic, String group, boolean ordered, Handler handler) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 64);
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 30 * 60 * 1000);
        ExecutorService pool = Executors.newFixedThreadPool(ordered ? 6 : 16);
        try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new CloudEventDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (running.get()) {
                ConsumerRecords<String, CloudEvent> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                List<Future<?>> work = new ArrayList<>();
                if (ordered) {
                    for (TopicPartition partition : records.partitions()) {
                        List<ConsumerRecord<String, CloudEvent>> inOrder = records.records(partition);
                        work.add(pool.submit(() -> inOrder.forEach(handler::handle)));
                    }
                } else {
                    for (ConsumerRecord<String, CloudEvent> r : records) {
                        work.add(pool.submit(() -> handler.handle(r)));
                    }
                }
                for (Future<?> f : work) {
                    try {
                        f.get();
                    } catch (Exception e) {
                        System.err.println("dispatcher: delivery failed on " + topic + ": " + e);
                    }
                }
                consumer.commitSync();
            }
        } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } finally {
            pool.shutdownNow();
        }
    }

    /** Delivers with the delivery spec's retries and backoff, then dead-letters. */
    private void deliver(CloudEvent event, String service, String audience, JsonNode delivery, boolean keepReply) {
        URI target = services.apply(service);
        int retries = delivery.path("retry").asInt(3);
        Duration backoff = delivery.hasNonNull("backoffDelay") ? Duration.parse(delivery.path("backoffDelay").asText())
                : Duration.ofMillis(500);
        boolean exponential = !"linear".equals(delivery.path("backoffPolicy").asText("exponential"));
        int status = 0;
        String body = "";
        for (int attempt = 0; attempt <= retries && running.get(); attempt++) {
            if (attempt > 0) {
                // As Knative: exponential waits backoffDelay * 2^n before retry n (1, 2, 4, ... s for PT0.5S).
                long wait = exponential ? backoff.toMillis() << attempt : backoff.toMillis() * attempt;
                sleep(wait);
            }
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(15));
                byte[][] out = new byte[1][];
                HttpMessageFactory.createWriter(request::header, b -> out[0] = b).writeBinary(event);
                if (audience != null) {
                    request.header("Authorization", "Bearer " + issuer.token(audience));
                }
                HttpResponse<byte[]> response = http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(
                        out[0] == null ? new byte[0] : out[0])).build(), HttpResponse.BodyHandlers.ofByteArray());
                status = response.statusCode();
                body = new String(response.body(), StandardCharsets.UTF_8);
                if (status >= 200 && status < 300) {
                    delivered.incrementAndGet();
                    if (keepReply && response.headers().firstValue("ce-id").isPresent()) {
                        CloudEvent reply = HttpMessageFactory.createReader(flatten(response.headers().map()), response.body())
                                .toEvent();
                        publish(reply);
                    }
                    return;
                }
                if (status >= 400 && status < 500 && status != 408 && status != 429) {
                    break;
                }
            } catch (IOException e) {
                status = 0;
                body = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                status = 0;
                body = e.toString();
            }
        }
        deadLetter(event, target, status, body);
    }

    private void deadLetter(CloudEvent event, URI target, int status, String body) {
        deadLettered.incrementAndGet();
        byte[] data = body.getBytes(StandardCharsets.UTF_8);
        CloudEvent dead = CloudEventBuilder.v1(event).withExtension("knativeerrordest", target.toString())
                .withExtension("knativeerrorcode", String.valueOf(status))
                .withExtension("knativeerrordata", Base64.getEncoder().encodeToString(
                        data.length > 1024 ? java.util.Arrays.copyOf(data, 1024) : data)).build();
        producer.send(new ProducerRecord<>(deadLetterTopic, key(event), dead));
        System.err.printf(Locale.ROOT, "dispatcher: %s %s dead-lettered after %s answered %d: %s%n", event.getType(),
                event.getId(), target, status, body.length() > 200 ? body.substring(0, 200) : body);
    }

    private static Map<String, String> flatten(Map<String, List<String>> headers) {
        Map<String, String> out = new HashMap<>();
        headers.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.put(k.toLowerCase(Locale.ROOT), v.get(0));
            }
        });
        return out;
    }

    /** Puts an event into the Broker. */
    public void publish(CloudEvent event) {
        try {
            producer.send(new ProducerRecord<>(BROKER_TOPIC, key(event), event)).get();
        } catch (Exception e) {
            throw new IllegalStateException("the Broker's topic did not take " + event.getId() + ": " + e, e);
        }
    }

    private static String key(CloudEvent event) {
        Object g = event.getExtension("greenhouseid");
        Object z = event.getExtension("zoneid");
        return g == null ? event.getId() : z == null ? g.toString() : g + "/" + z;
    }

    private static JsonNode json(HasMetadata o) {
        return KUBERNETES.convertValue(o, JsonNode.class);
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
        ingress.close();
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(2));
        issuer.close();
    }

    /** A clock that runs {@code speed} times faster than {@code base} from {@code origin}. */
    public static Clock accelerated(Clock base, Instant origin, double speed) {
        return new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                long elapsed = Duration.between(origin, base.instant()).toMillis();
                return origin.plusMillis((long) (elapsed * speed));
            }
        };
    }
}
