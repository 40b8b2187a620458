package dev.greenloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.local.eventing.DeadLetters;
import dev.greenloop.local.eventing.Deliverer;
import dev.greenloop.local.eventing.DeliveryTokens;
import dev.greenloop.local.eventing.DeliverySpec;
import dev.greenloop.local.eventing.Supervisor;
import dev.greenloop.local.eventing.TopicConsumer;
import dev.greenloop.local.wiring.Manifests;
import dev.greenloop.testkit.oidc.OidcIssuer;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import io.cloudevents.core.message.Encoding;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.knative.eventing.v1.Broker;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.sources.v1.ApiServerSource;
import io.fabric8.knative.sources.v1.PingSource;
import io.fabric8.knative.sources.v1.SinkBinding;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Plays Knative Eventing's part on one machine, from the manifests in {@code eventing/}:
 * <ul>
 *   <li>the Broker: an HTTP ingress (binary or structured CloudEvents) in front of a Kafka topic;</li>
 *   <li>Triggers: one consumer group each ({@link TopicConsumer}), exact attribute filters,
 *       delivery to the subscriber in binary mode ({@link Deliverer}), a reply goes back into the
 *       Broker; the Trigger's delivery spec merged over the Broker's ({@link DeliverySpec}):
 *       retries on the statuses Knative retries, with its backoff, then the dead-letter topic
 *       with Knative's {@code knativeerrorcode}, {@code knativeerrordest} and
 *       {@code knativeerrordata}, acknowledged before the offset is committed
 *       ({@link DeadLetters});</li>
 *   <li>the KafkaSource: ordered per partition, replies discarded;</li>
 *   <li>a consumer loop that dies is started again and counted ({@link Supervisor});</li>
 *   <li>SinkBindings: {@link #sinkFor} gives a function its {@code K_SINK};</li>
 *   <li>PingSources on an accelerated clock (cron in simulated time), ApiServerSource: Job status
 *       events the local launcher posts get the source's {@code ceOverrides};</li>
 *   <li>sender identity ({@code authentication-oidc}): it plays the cluster's service-account
 *       issuer ({@link #issuer()}), sends every delivery with a token for the subscriber's
 *       {@code audience} from the manifest, writes each SinkBinding subject a token for the
 *       Broker's audience in the name of the service account it runs as ({@link #sinkTokenFile}),
 *       and its ingress refuses a post without one (401) or from a subject the Broker's
 *       EventPolicy does not name (403).</li>
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
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong delivered = new AtomicLong();
    private final Supervisor loops = new Supervisor(running::get, Duration.ofSeconds(1));
    private final DeadLetters deadLetters;
    private final Deliverer deliverer;
    private final BrokerIngress ingress;
    private final Map<String, String> apiServerOverrides = new HashMap<>();
    private final OidcIssuer issuer = OidcIssuer.start();
    private final java.nio.file.Path tokens;
    private final List<PingSource> pingSources = new java.util.ArrayList<>();
    private PingSources pings;
    private final Map<String, String> serviceAccounts = new HashMap<>();
    /** The subjects the Broker's EventPolicy admits; null: no policy, every valid token is admitted. */
    private final java.util.Set<String> brokerSenders;
    /** The Broker's audience, as Knative derives it: {@code eventing.knative.dev/broker/<namespace>/<name>}. */
    public static final String BROKER_AUDIENCE = "eventing.knative.dev/broker/greenloop/default";

    /**
     * @param knative   the functions' Services ({@code knative/base}): the service account each runs as
     * @param services  the URL of a function by its Service name
     * @param pingClock the PingSources' clock (accelerated in the demo)
     */
    public Dispatcher(Manifests eventing, Manifests knative, String bootstrap, Function<String, URI> services, Clock pingClock)
            throws IOException {
        for (io.fabric8.knative.serving.v1.Service s : knative.all(io.fabric8.knative.serving.v1.Service.class)) {
            String account = s.getSpec().getTemplate().getSpec().getServiceAccountName();
            serviceAccounts.put(s.getMetadata().getName(), account == null ? "default" : account);
        }
        this.brokerSenders = brokerSenders(eventing);
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
        this.ingress = new BrokerIngress(issuer, apiServerOverrides,
                this::admits, this::publish);
        this.deadLetters = new DeadLetters(producer, deadLetterTopic);
        // The issuer's tokens last five minutes; each is handed out for four.
        this.deliverer = new Deliverer(new DeliveryTokens(issuer::token, Duration.ofMinutes(4), Instant::now),
                Duration.ofMinutes(15));
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** Whether the Broker admits a post whose token names {@code subject} (its EventPolicy, if any). */
    boolean admits(String subject) {
        return brokerSenders == null || brokerSenders.contains(subject);
    }

    /**
     * The {@code from[].sub} of the EventPolicies whose {@code to} names the Broker (Sources and
     * Triggers, named by {@code ref}, post inside the dispatcher); null when no policy names it.
     */
    private static java.util.Set<String> brokerSenders(Manifests eventing) {
        java.util.Set<String> subjects = null;
        for (HasMetadata o : eventing.objects()) {
            if (!o.getKind().equals("EventPolicy")) {
                continue;
            }
            JsonNode spec = json(o).path("spec");
            boolean toBroker = false;
            for (JsonNode to : spec.path("to")) {
                toBroker |= "Broker".equals(to.at("/ref/kind").asText());
            }
            if (toBroker) {
                subjects = subjects == null ? new java.util.HashSet<>() : subjects;
                for (JsonNode from : spec.path("from")) {
                    if (from.hasNonNull("sub")) {
                        subjects.add(from.get("sub").asText());
                    }
                }
            }
        }
        return subjects;
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
     * ({@code GREENLOOP_SINK_TOKEN_FILE}), as a projected service-account token would be: its
     * subject is the service account the Service runs as; null when no SinkBinding names it.
     */
    public java.nio.file.Path sinkTokenFile(String service) throws IOException {
        if (sinkFor(service) == null) {
            return null;
        }
        java.nio.file.Path file = tokens.resolve(service + ".token");
        java.nio.file.Files.writeString(file, issuer.token(BROKER_AUDIENCE, "system:serviceaccount:greenloop:"
                + serviceAccounts.getOrDefault(service, service), Instant.now(), Duration.ofHours(12)));
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
        return deadLetters.sent();
    }

    /** Consumer loops that died and were started again. */
    public long restarts() {
        return loops.restarts();
    }

    /** A PingSource besides the manifests' (another greenhouse's schedule); before {@link #start}. */
    public void addPingSource(PingSource source) {
        if (pings != null) {
            throw new IllegalStateException("the dispatcher has started");
        }
        pingSources.add(source);
    }

    /**
     * The PingSources stop following their clock: from now on {@link #firePings} fires them, in
     * simulated time from {@code from}.
     */
    public void pingsInLockStep(Instant from) {
        pings.lockStep(from);
    }

    /** In lock step: publishes every ping due at or before {@code now} into the Broker (acknowledged); how many. */
    public int firePings(Instant now) {
        return pings.fireUntil(now);
    }

    public void start() {
        ingress.start();
        JsonNode brokerDelivery = eventing.all(Broker.class).stream().findFirst().map(b -> json(b).at("/spec/delivery"))
                .orElse(null);
        for (Trigger t : eventing.all(Trigger.class)) {
            Map<String, String> filter = t.getSpec().getFilter() == null ? Map.of() : t.getSpec().getFilter().getAttributes();
            String subscriber = t.getSpec().getSubscriber().getRef().getName();
            String audience = t.getSpec().getSubscriber().getAudience();
            DeliverySpec delivery = DeliverySpec.merged(json(t).at("/spec/delivery"), brokerDelivery);
            String name = "trigger-" + t.getMetadata().getName();
            loops.start(name, () -> TopicConsumer.run(bootstrap, BROKER_TOPIC, name, false, running::get, record -> {
                if (matches(filter, record.value())) {
                    dispatch(record.value(), subscriber, audience, delivery, true);
                }
            }));
        }
        for (HasMetadata source : eventing.objects()) {
            if (source.getKind().equals("KafkaSource")) {
                JsonNode spec = json(source).path("spec");
                boolean ordered = "ordered".equals(spec.path("ordering").asText(null));
                String sink = spec.at("/sink/ref/name").asText();
                String audience = spec.at("/sink/audience").asText(null);
                DeliverySpec delivery = DeliverySpec.source(spec.path("delivery"));
                loops.start("kafkasource-" + source.getMetadata().getName(), () -> TopicConsumer.run(bootstrap,
                        spec.at("/topics/0").asText(), spec.path("consumerGroup").asText(), ordered, running::get,
                        record -> dispatch(record.value(), sink, audience, delivery, false)));
            }
        }
        pingSources.addAll(eventing.all(PingSource.class));
        pings = new PingSources(pingSources, pingClock, this::publish);
        loops.start("pingsources", () -> pings.run(running::get));
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

    /**
     * Delivers with the delivery spec (Knative's retryable statuses and backoff); a reply goes into
     * the Broker when {@code keepReply} (Sources discard replies); a failure goes to the dead-letter
     * topic, acknowledged before this returns, or is dropped with a log line when the spec has no
     * dead-letter sink. Throws when neither happened, so the record's offset is not committed.
     */
    private void dispatch(CloudEvent event, String service, String audience, DeliverySpec delivery, boolean keepReply)
            throws InterruptedException {
        URI target = services.apply(service);
        Deliverer.Outcome outcome = deliverer.deliver(event, target, audience, delivery, running::get);
        if (outcome.delivered()) {
            delivered.incrementAndGet();
            if (keepReply) {
                outcome.reply().ifPresent(this::publish);
            }
        } else if (!running.get()) {
            throw new IllegalStateException("stopping: " + event.getId() + " is read again at the next start");
        } else if (delivery.deadLetter()) {
            deadLetters.send(event, key(event), target, outcome.status(), outcome.body());
        } else {
            System.err.printf(Locale.ROOT, "dispatcher: %s %s dropped (no dead-letter sink) after %s answered %d%n",
                    event.getType(), event.getId(), target, outcome.status());
        }
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
        loops.join(Duration.ofSeconds(2));
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
