package dev.greenloop.monitor.http;

import dev.greenloop.deadletters.DeadLetter;
import dev.greenloop.deadletters.DeadLetterTopic;
import dev.greenloop.deadletters.Position;
import dev.greenloop.function.SinkClient;
import dev.greenloop.function.base.Problem;
import dev.greenloop.monitor.MonitorConfig;
import dev.greenloop.monitor.MonitorException;
import dev.greenloop.monitor.MonitorException.Kind;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.apache.kafka.common.KafkaException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The operator's dead-letter API in the cluster ({@code Authorization: Bearer <operator token>}),
 * the same as {@code ./greenloop dead-letters list|show|replay}: what Knative put on
 * {@code greenloop.dead-letter} and why, counted by reason, and replaying the original events to
 * the Broker ({@code K_SINK}, with monitor's projected Broker token). {@code replay} with
 * {@code all} resumes where the last one stopped (the consumer group
 * {@code greenloop-dead-letter-replay}), so repeating it sends nothing twice; a replayed event
 * keeps its id, so the Triggers that took it before do nothing. Errors are problems.
 */
@Path("/v1/dead-letters")
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
@Blocking
public class DeadLetterResource {

    private static final Logger LOG = Logger.getLogger(DeadLetterResource.class);
    private static final int MAX_POSITIONS = 100;
    private static final int ANSWER_CHARS = 300;

    /** One dead letter in a list. */
    public record Summary(String position, Instant time, String type, String id, String greenhouseId, String zoneId,
                          String code, String destination, String answer, boolean replayed) {
    }

    /** The list: counts over every dead letter, and the newest {@code shown} of them. */
    public record Listing(String topic, long total, Map<String, Integer> byReason, Map<Integer, Long> replayedUpTo,
                          int shown, List<Summary> letters) {
    }

    /** The event as it was before it failed (no {@code knativeerror*} extensions). */
    public record Event(String id, String type, String source, String subject, OffsetDateTime time,
                        String dataContentType, Map<String, Object> extensions, String data) {
    }

    /** One dead letter in full: the destination's whole answer (at most 1 KiB, as Knative keeps it) and the event. */
    public record Detail(String position, Instant time, String code, String destination, String answer, boolean replayed,
                         Event event) {
    }

    /** What to replay: {@code {"all": true}}, or the positions (as the list gives them), in order. */
    public record ReplayRequest(Boolean all, List<String> positions) {
    }

    /** The positions replayed, in order. */
    public record ReplayAnswer(List<String> replayed) {
    }

    private final MonitorConfig.DeadLetters config;
    private final OperatorToken operator;
    private final DeadLetterTopic topic;
    private final SinkClient broker;
    private final MeterRegistry registry;

    public DeadLetterResource(MonitorConfig config, OperatorToken operator, MeterRegistry registry, DeadLetterTopic topic) {
        this.config = config.deadLetters();
        this.operator = operator;
        this.registry = registry;
        this.topic = topic;
        this.broker = this.config.sinkUrl().filter(s -> !s.isBlank()).isPresent()
                ? new SinkClient(this.config.sinkUrl(), 3, Duration.ofMillis(200), Duration.ofSeconds(10)) : null;
    }

    @GET
    @Operation(summary = "Dead letters, newest first, and their count by reason (status and destination)")
    @APIResponse(responseCode = "200", description = "The counts cover every dead letter; the list, the newest `limit`")
    @APIResponse(responseCode = "401", description = "No or the wrong operator token")
    @APIResponse(responseCode = "404", description = "No dead-letter topic (the KafkaSink dead-letter creates it)")
    @APIResponse(responseCode = "503", description = "Kafka did not answer")
    public Listing list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @QueryParam("limit") Integer limit) {
        operator.require(authorization);
        int shown = limit == null ? config.listLimit() : limit;
        if (shown < 1 || shown > 10_000) {
            throw new MonitorException(Kind.INVALID_REQUEST, "limit must be 1 to 10000; was " + shown);
        }
        // Counted as read, only the newest kept: a backlog of any size fits in the heap.
        DeadLetterTopic.Overview overview = kafka(() -> topic.overview(shown));
        Map<Integer, Long> upTo = overview.replayedUpTo();
        List<Summary> newest = new ArrayList<>();
        overview.newest().forEach(d -> newest.add(summary(d, upTo)));
        return new Listing(topic.topic(), overview.total(), overview.byReason(), upTo, newest.size(), newest);
    }

    @GET
    @Path("/{position}")
    @Operation(summary = "One dead letter in full: the destination's answer and the original event")
    @APIResponse(responseCode = "200", description = "The dead letter")
    @APIResponse(responseCode = "400", description = "The position is not PARTITION:OFFSET")
    @APIResponse(responseCode = "404", description = "No dead letter there")
    public Detail show(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @PathParam("position") String position) {
        operator.require(authorization);
        Position at = position(position);
        DeadLetter d = kafka(() -> topic.at(at));
        Map<Integer, Long> upTo = kafka(topic::replayedUpTo);
        CloudEvent e = d.original();
        Map<String, Object> extensions = new TreeMap<>();
        e.getExtensionNames().forEach(n -> extensions.put(n, e.getExtension(n)));
        return new Detail(d.position(), d.timestamp(), d.code(), d.destination(), d.answer(), replayed(d, upTo),
                new Event(e.getId(), e.getType(), e.getSource().toString(), e.getSubject(), e.getTime(), e.getDataContentType(),
                        extensions, d.dataText()));
    }

    @POST
    @Path("/replay")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replays dead letters to the Broker: {\"all\": true} (what was not replayed before) or {\"positions\": [...]}")
    @APIResponse(responseCode = "200", description = "Every one was taken by the Broker")
    @APIResponse(responseCode = "400", description = "Neither or both of all and positions, or a bad position")
    @APIResponse(responseCode = "403", description = "Replay is off: no Broker address (K_SINK)")
    @APIResponse(responseCode = "502", description = "The Broker did not take one: the replay stopped there; `errors` says which, why and what was replayed before it")
    public ReplayAnswer replay(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, ReplayRequest request) {
        operator.require(authorization);
        boolean all = request != null && Boolean.TRUE.equals(request.all());
        List<String> named = request == null || request.positions() == null ? List.of() : request.positions();
        if (all == !named.isEmpty()) {
            throw new MonitorException(Kind.INVALID_REQUEST,
                    "send either {\"all\": true} or {\"positions\": [\"0:17\", ...]} (positions as the list gives them)");
        }
        if (named.size() > MAX_POSITIONS) {
            throw new MonitorException(Kind.INVALID_REQUEST, "at most " + MAX_POSITIONS + " positions per replay; was "
                    + named.size() + " (use all, or several replays)");
        }
        List<Position> positions = named.stream().map(DeadLetterResource::position).toList();
        if (broker == null) {
            throw new MonitorException(Kind.FORBIDDEN, "replay is off: monitor has no Broker address (K_SINK); the SinkBinding"
                    + " monitor-to-broker of eventing/ sets it");
        }
        DeadLetterTopic.Sender sender = event -> broker.send(event);
        DeadLetterTopic.Replay replay = kafka(() -> all ? topic.replayAll(sender) : topic.replay(positions, sender));
        List<String> replayed = replay.replayed().stream().map(DeadLetterTopic.Replayed::position).toList();
        registry.counter("greenloop.monitor.dead.letters.replayed", "outcome", "taken").increment(replayed.size());
        if (!replayed.isEmpty()) {
            LOG.infof("Operator replayed %d dead letter(s) to the Broker: %s", replayed.size(), abbreviate(String.join(", ", replayed)));
        }
        if (!replay.complete()) {
            registry.counter("greenloop.monitor.dead.letters.replayed", "outcome", "refused").increment();
            String at = replay.stoppedAt().position();
            LOG.warnf("Dead-letter replay stopped at %s: %s", at, replay.reason());
            Map<String, Object> error = new java.util.LinkedHashMap<>();
            error.put("position", at);
            error.put("reason", replay.reason());
            error.put("replayed", replayed);
            error.put("left", replay.left());
            throw new MonitorException(Kind.REPLAY_STOPPED, "the Broker did not take the dead letter at " + at + " ("
                    + abbreviate(replay.reason()) + "); " + replayed.size() + " replayed before it, " + replay.left()
                    + " left: replay again once the Broker takes events" + (all ? " (it resumes at " + at + ")" : ""),
                    List.of(error));
        }
        return new ReplayAnswer(replayed);
    }

    private static Summary summary(DeadLetter d, Map<Integer, Long> upTo) {
        CloudEvent e = d.event();
        return new Summary(d.position(), d.timestamp(), e.getType(), e.getId(), extension(e, "greenhouseid"),
                extension(e, "zoneid"), d.code(), d.destination(), DeadLetter.oneLine(d.answer(), ANSWER_CHARS), replayed(d, upTo));
    }

    private static boolean replayed(DeadLetter d, Map<Integer, Long> upTo) {
        return d.offset() < upTo.getOrDefault(d.partition(), 0L);
    }

    private static String extension(CloudEvent e, String name) {
        Object value = e.getExtension(name);
        return value == null ? null : value.toString();
    }

    private static Position position(String text) {
        try {
            return Position.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MonitorException(Kind.INVALID_REQUEST, e.getMessage());
        }
    }

    /** Runs a Kafka read; no topic or no such letter is 404, Kafka not answering 503. */
    private <T> T kafka(Supplier<T> read) {
        try {
            return read.get();
        } catch (DeadLetterTopic.NotFound e) {
            throw new MonitorException(Kind.NOT_FOUND, e.getMessage());
        } catch (KafkaException | IllegalStateException e) {
            throw new MonitorException(Kind.DEPENDENCY_FAILED, "Kafka at " + config.bootstrapServers() + " did not answer: "
                    + abbreviate(String.valueOf(e.getMessage())), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
