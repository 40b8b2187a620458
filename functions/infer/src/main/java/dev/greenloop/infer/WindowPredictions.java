package dev.greenloop.infer;

import dev.greenloop.events.Events;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.TargetValue;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.infer.InferException.Kind;
import dev.greenloop.infer.model.LoadedModel;
import dev.greenloop.infer.model.ModelStore;
import dev.greenloop.infer.model.ModelStore.Lease;
import io.cloudevents.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.nio.FloatBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A feature window in, a prediction event out: the champion's values per target at its horizon,
 * with model name and version and the window it came from. When the greenhouse has a challenger,
 * its prediction is made from the same vector and handed to the shadow sender.
 */
@ApplicationScoped
public class WindowPredictions {

    public static final URI SOURCE = URI.create("/greenloop/infer");

    private final ModelStore models;
    private final Scoring scoring;
    private final ShadowSender shadows;
    private final Duration futureTolerance;
    private final Clock clock;

    @Inject
    public WindowPredictions(ModelStore models, Scoring scoring, ShadowSender shadows, InferConfig config, Clock clock) {
        this(models, scoring, shadows, config.futureTolerance(), clock);
    }

    public WindowPredictions(ModelStore models, Scoring scoring, ShadowSender shadows, Duration futureTolerance,
                             Clock clock) {
        this.models = models;
        this.scoring = scoring;
        this.shadows = shadows;
        this.futureTolerance = futureTolerance;
        this.clock = clock;
    }

    /**
     * The reply to a window event. A greenhouse without a champion gets no reply (204), not a
     * 503: retrying a window for minutes and then dead-lettering it helps nobody (a prediction
     * that late is stale, and control's periodic check runs the fallback for the zone), and a
     * new greenhouse would otherwise fill the dead-letter topic with every window until its
     * first model. Counted in {@code greenloop_infer_unscored_total{reason="no-model"}}.
     */
    public CloudEvent predict(FeatureWindow window, String causeId, Map<String, String> causeExtensions) {
        Instant now = clock.instant();
        if (window.windowEnd().isAfter(now.plus(futureTolerance))) {
            throw new InferException(Kind.INVALID_REQUEST, "window " + window.windowId() + " ends at " + window.windowEnd()
                    + ", more than " + futureTolerance.toSeconds() + " s after infer's clock (" + now + "): refused");
        }
        CloudEvent reply;
        Lease champion;
        try {
            champion = models.champion(window.greenhouseId());
        } catch (InferException e) {
            if (e.kind() != Kind.NO_MODEL) {
                throw e;
            }
            scoring.unscored("no-model");
            throw new InferException(Kind.NO_REPLY, "window " + window.windowId() + " not scored: " + e.getMessage(), e);
        }
        try (Lease lease = champion) {
            reply = event(window, lease.model(), false, causeId, causeExtensions);
        }
        Optional<Lease> challenger = models.challenger(window.greenhouseId());
        if (challenger.isPresent()) {
            try (Lease lease = challenger.get()) {
                shadows.send(event(window, lease.model(), true, causeId, causeExtensions));
            } catch (InferException e) {
                // The challenger cannot score this window (another spec, say): nothing to compare.
                shadows.skipped(e.getMessage());
            }
        }
        return reply;
    }

    private CloudEvent event(FeatureWindow window, LoadedModel model, boolean shadow, String causeId,
                             Map<String, String> causeExtensions) {
        if (!window.featureSpecVersion().equals(model.spec().version()) && !FeatureSpec.of(window.featureSpecVersion())
                .map(spec -> spec.extendsSpec(model.spec())).orElse(false)) {
            throw new InferException(Kind.INVALID_FEATURES, "window " + window.windowId() + " has feature spec "
                    + window.featureSpecVersion() + "; " + model.name() + " version " + model.version() + " takes "
                    + model.spec().version() + ", which that spec does not start with");
        }
        FloatBuffer input = Scoring.buffer(model.width());
        write(window, model, input);
        LoadedModel.Output out = scoring.run(model, input, 1, shadow);
        List<TargetValue> values = new ArrayList<>();
        for (int t = 0; t < out.values().length; t++) {
            float v = out.values()[t][0];
            if (Float.isFinite(v)) {
                values.add(out.interval(t, 0)
                        ? new TargetValue(model.targets().get(t), model.horizonMinutes(), v, (double) out.low()[t][0],
                                (double) out.high()[t][0])
                        : new TargetValue(model.targets().get(t), model.horizonMinutes(), v));
            }
        }
        if (values.isEmpty()) {
            throw new InferException(Kind.INVALID_FEATURES, model.name() + " version " + model.version()
                    + " gave no finite prediction for window " + window.windowId());
        }
        Prediction prediction = new Prediction(window.greenhouseId(), window.zoneId(), window.windowId(), window.windowEnd(),
                model.name(), model.version(), model.spec().version(), values, shadow);
        return Events.of(prediction)
                .id(Events.derivedId("prediction", window.windowId(), model.name(), model.version(), shadow ? "shadow" : "live"))
                .source(SOURCE).subject(window.windowId()).causedBy(causeId, causeExtensions).build();
    }

    /**
     * The window's values in the model's feature order; a null (missing) value is NaN. A window of
     * a later spec that starts with the model's (v2 for a v1 model) gives its first values.
     */
    private static void write(FeatureWindow window, LoadedModel model, FloatBuffer input) {
        List<String> expected = model.spec().names();
        List<String> names = window.featureNames();
        List<Double> values = window.values();
        if (names.size() >= expected.size() && names.subList(0, expected.size()).equals(expected)) {
            for (int i = 0; i < expected.size(); i++) {
                Double v = values.get(i);
                input.put(v == null ? Float.NaN : v.floatValue());
            }
            return;
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        List<String> missing = expected.stream().filter(n -> !index.containsKey(n)).toList();
        List<String> unknown = names.stream().filter(n -> !expected.contains(n)).toList();
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            throw new InferException(Kind.INVALID_REQUEST, "the feature names of window " + window.windowId()
                    + " are not those of feature spec " + model.spec().version() + ": missing " + head(missing)
                    + ", unknown " + head(unknown));
        }
        for (String name : expected) {
            Double v = values.get(index.get(name));
            input.put(v == null ? Float.NaN : v.floatValue());
        }
    }

    private static String head(List<String> names) {
        return names.isEmpty() ? "none" : names.size() <= 5 ? names.toString() : names.subList(0, 5) + " and " + (names.size() - 5) + " more";
    }
}
