package dev.greenloop.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventIds;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.Events;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.DriftDetected;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.function.FunqyReplies;
import dev.greenloop.function.base.BodyValidation;
import dev.greenloop.monitor.MonitorException.Kind;
import dev.greenloop.monitor.drift.DriftAnalysis;
import dev.greenloop.monitor.outcome.Accuracy;
import dev.greenloop.monitor.outcome.OutcomeStore;
import dev.greenloop.monitor.outcome.Outcomes;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The CloudEvents monitor takes from the Broker: predictions (champion and shadow) and feature
 * windows, which become outcomes (answered 204), and the PingSource's hourly check, which
 * expires what waited too long, sets the gauges and answers with a {@code drift.detected} event
 * when the champion has decayed (204 otherwise). "Now" for the check is the ping's time, so the
 * same rules run in simulated time; it is never later than the greenhouse's newest window.
 */
public class MonitorFunctions {

    /** The CloudEvent type of Knative's PingSource. */
    public static final String PING = "dev.knative.sources.ping";
    public static final String SOURCE = "/greenloop/monitor";
    private static final Pattern ID = Pattern.compile(BodyValidation.ID);

    private final Outcomes outcomes;
    private final OutcomeStore store;
    private final DecayJudge judge;
    private final DriftAnalysis drift;
    private final MonitorGauges gauges;
    private final MonitorConfig config;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(MonitorFunctions.class);
    private final Clock clock;

    public MonitorFunctions(Outcomes outcomes, OutcomeStore store, DecayJudge judge, DriftAnalysis drift,
                            MonitorGauges gauges, MonitorConfig config, Clock clock) {
        this.clock = clock;
        this.outcomes = outcomes;
        this.store = store;
        this.judge = judge;
        this.drift = drift;
        this.gauges = gauges;
        this.config = config;
    }

    @Funq("prediction")
    @CloudEventMapping(trigger = EventTypes.PREDICTION)
    public void prediction(CloudEvent<JsonNode> event) {
        Prediction p = PayloadCodec.bind(EventType.PREDICTION, event.data());
        notFromTheFuture(p.windowEnd(), "prediction");
        outcomes.onPrediction(p);
    }

    @Funq("window")
    @CloudEventMapping(trigger = EventTypes.FEATURES_WINDOW)
    public void window(CloudEvent<JsonNode> event) {
        FeatureWindow w = PayloadCodec.bind(EventType.FEATURES_WINDOW, event.data());
        notFromTheFuture(w.windowEnd(), "feature window");
        outcomes.onWindow(w);
    }

    @Funq("check")
    @CloudEventMapping(trigger = PING, responseSource = SOURCE, responseType = EventTypes.DRIFT_DETECTED)
    public CloudEvent<DriftDetected> check(CloudEvent<JsonNode> ping) {
        JsonNode data = ping.data();
        String greenhouse = data == null ? null : data.path("greenhouseId").asText(null);
        if (greenhouse == null || !ID.matcher(greenhouse).matches()) {
            throw new MonitorException(Kind.INVALID_REQUEST, "the check ping's data must name a greenhouse: {\"greenhouseId\":\"...\"}");
        }
        Instant pinged = ping.time() != null ? ping.time().toInstant() : Instant.now(clock);
        // The greenhouse's own clock is its newest window: a ping ahead of the data (a schedule
        // running fast, a zone gone quiet) must not expire predictions whose windows are still to come.
        Instant now = store.latestWindowEnd(greenhouse).filter(pinged::isAfter).orElse(pinged);
        outcomes.expire(greenhouse, null, now);
        store.purge(greenhouse, now.minus(config.retention()));
        Instant hour = now.truncatedTo(ChronoUnit.HOURS);
        Accuracy.Hourly lastHour = new Accuracy.Hourly();
        store.forEachOutcome(greenhouse, hour.minus(java.time.Duration.ofHours(1)), null, null, null, lastHour::add);
        gauges.accuracy(greenhouse, lastHour.result().stream().filter(h -> h.hour().isBefore(hour)).toList());
        Optional<DriftAnalysis.Report> driftReport;
        try {
            driftReport = drift.champion(greenhouse, now);
        } catch (MonitorException e) {
            // MLflow down: no drift figures this time; the accuracy rules still judge.
            LOG.warnf("No drift figures for %s: %s", greenhouse, e.getMessage());
            driftReport = Optional.empty();
        }
        driftReport.ifPresent(gauges::drift);
        DriftDetected decay = judge.judge(greenhouse, now, driftReport).orElseThrow(() -> new MonitorException(Kind.NO_REPLY,
                "no decay of " + greenhouse + "'s champion"));
        io.cloudevents.CloudEvent event = Events.of(decay)
                .id(EventIds.derived("drift.detected", greenhouse, decay.metric(), hour.toString()))
                .source(java.net.URI.create(SOURCE))
                .subject(greenhouse)
                .time(now.atOffset(java.time.ZoneOffset.UTC))
                .causedBy(ping.id(), FunqyReplies.extensions(ping))
                .build();
        return FunqyReplies.reply(event, decay);
    }

    private void notFromTheFuture(Instant windowEnd, String what) {
        Instant latest = Instant.now(clock).plus(config.futureTolerance());
        if (windowEnd.isAfter(latest)) {
            throw new MonitorException(Kind.INVALID_REQUEST, "the " + what + "'s window ends at " + windowEnd
                    + ", after monitor's clock and its allowance of " + config.futureTolerance());
        }
    }
}
