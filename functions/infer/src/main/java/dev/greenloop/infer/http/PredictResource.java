package dev.greenloop.infer.http;

import dev.greenloop.events.FieldError;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.function.base.Problem;
import dev.greenloop.function.StrictJson;
import dev.greenloop.function.base.BodyValidation;
import dev.greenloop.infer.InferConfig;
import dev.greenloop.infer.InferException;
import dev.greenloop.infer.InferException.Kind;
import dev.greenloop.infer.Scoring;
import dev.greenloop.infer.model.LoadedModel;
import dev.greenloop.infer.model.ModelStore;
import dev.greenloop.infer.model.ModelStore.Lease;
import io.micrometer.core.instrument.Timer;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Synchronous inference for callers outside the event flow (dashboards, what-if tools, control's checks). */
@Path("/v1")
public class PredictResource {

    /** Field errors one problem lists at most. */
    static final int MAX_ERRORS = 20;

    private final ModelStore models;
    private final Scoring scoring;
    private final InferConfig config;
    private final Timer latency;

    private final Validator validator;

    public PredictResource(ModelStore models, Scoring scoring, InferConfig config, Validator validator) {
        this.validator = validator;
        this.models = models;
        this.scoring = scoring;
        this.config = config;
        this.latency = scoring.latency("http");
    }

    @POST
    @Path("/predict")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Predict with the greenhouse's champion model",
            description = "Answers with the champion's values per target for each vector. 400: not JSON of this shape; "
                    + "413: batch larger than greenloop.infer.max-batch; 422: vectors the model cannot take (length, "
                    + "non-finite values, feature spec version), with every offending field as a JSON pointer; "
                    + "503: no champion model for the greenhouse (fall back).")
    @APIResponse(responseCode = "200", description = "Predictions in request order")
    @APIResponse(responseCode = "422", description = "Vectors the model cannot take",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "No champion model",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "400", description = "Not JSON of this shape (unknown fields, wrong types, trailing content)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "The body is not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = PredictRequest.class)))
    public PredictResponse predict(byte[] body) {
        long started = System.nanoTime();
        PredictRequest request;
        try {
            request = StrictJson.read(body, PredictRequest.class);
        } catch (StrictJson.BodyException e) {
            throw new InferException(Kind.INVALID_REQUEST, e.getMessage() + "; send {\"greenhouseId\":..., "
                    + "\"featureSpecVersion\":..., \"features\":[...]} or \"batch\":[[...], ...]", e);
        }
        FeatureRows rows = rows(request);
        try (Lease lease = models.champion(request.greenhouseId())) {
            LoadedModel model = lease.model();
            check(request, rows, model);
            FloatBuffer input = Scoring.buffer(rows.rows() * model.width());
            rows.writeTo(input);
            LoadedModel.Output out = scoring.run(model, input, rows.rows(), false);
            List<Map<String, Double>> predictions = new ArrayList<>(rows.rows());
            boolean bounded = !model.intervalTargets().isEmpty();
            List<Map<String, PredictResponse.Interval>> intervals = bounded ? new ArrayList<>(rows.rows()) : null;
            List<String> targets = model.targets().stream().map(t -> t.wireName()).toList();
            for (int r = 0; r < rows.rows(); r++) {
                Map<String, Double> values = new LinkedHashMap<>();
                Map<String, PredictResponse.Interval> bounds = bounded ? new LinkedHashMap<>() : null;
                for (int t = 0; t < targets.size(); t++) {
                    float v = out.values()[t][r];
                    // A row with no feature at all says nothing: a tree ensemble would still answer.
                    boolean known = !rows.isEmpty(r) && Float.isFinite(v);
                    values.put(targets.get(t), known ? (double) v : null);
                    if (bounded && model.hasInterval(t)) {
                        bounds.put(targets.get(t), known && out.interval(t, r)
                                ? new PredictResponse.Interval(out.low()[t][r], out.high()[t][r]) : null);
                    }
                }
                predictions.add(values);
                if (bounded) {
                    intervals.add(bounds);
                }
            }
            return new PredictResponse(request.greenhouseId(), model.name(), model.version(), model.spec().version(),
                    model.horizonMinutes(), targets, predictions, intervals);
        } finally {
            latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The models this replica serves now",
            description = "Per loaded model: name, version, alias (champion or challenger), feature spec with its "
                    + "feature names in input order, targets and horizon.")
    public List<Map<String, Object>> loadedModels() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LoadedModel m : models.loaded()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("modelName", m.name());
            entry.put("modelVersion", m.version());
            entry.put("alias", m.alias());
            entry.put("featureSpecVersion", m.spec().version());
            entry.put("horizonMinutes", m.horizonMinutes());
            entry.put("targets", m.targets().stream().map(t -> t.wireName()).toList());
            entry.put("intervals", m.intervalTargets().stream().map(t -> t.wireName()).toList());
            entry.put("featureNames", m.spec().names());
            out.add(entry);
        }
        return out;
    }

    /** The vectors of the request, with the checks that need no model. */
    private FeatureRows rows(PredictRequest request) {
        if (request == null) {
            throw new InferException(Kind.INVALID_REQUEST, "the body is empty; send {\"greenhouseId\":..., "
                    + "\"featureSpecVersion\":..., \"features\":[...]} or \"batch\":[[...], ...]");
        }
        List<FieldError> sizes = request.batch() != null && request.batch().rows() == 0
                ? List.of(new FieldError("/batch", "must hold at least one vector", "size")) : List.of();
        BodyValidation.check(validator, request, Kind.INVALID_FEATURES, "invalid prediction request", sizes);
        if ((request.features() == null) == (request.batch() == null)) {
            FieldError oneOf = new FieldError("", "send either 'features' (one vector) or 'batch' (several)", "oneOf");
            throw new InferException(Kind.INVALID_FEATURES, oneOf.message(), List.of(oneOf), null);
        }
        if (request.batch() != null && request.batch().rows() > config.maxBatch()) {
            throw new InferException(Kind.BATCH_TOO_LARGE, "the batch holds " + request.batch().rows()
                    + " vectors; at most " + config.maxBatch() + " are taken per request (greenloop.infer.max-batch)");
        }
        return request.features() != null ? request.features() : request.batch();
    }

    /** The checks against the model: spec version, length, finite values. */
    private static void check(PredictRequest request, FeatureRows rows, LoadedModel model) {
        FeatureSpec spec = model.spec();
        if (!spec.version().equals(request.featureSpecVersion())) {
            throw new InferException(Kind.INVALID_FEATURES, "the champion of " + request.greenhouseId() + " ("
                    + model.name() + " version " + model.version() + ") takes feature spec " + spec.version() + ", not "
                    + request.featureSpecVersion(), List.of(new FieldError("/featureSpecVersion", "must be "
                    + spec.version(), "const")), null);
        }
        List<FieldError> errors = new ArrayList<>();
        boolean single = request.features() != null;
        // Rows first, then values, in reading order: a row of the wrong length is named once.
        boolean[] wrongRow = new boolean[rows.rows()];
        for (int r = 0; r < rows.rows() && errors.size() < MAX_ERRORS; r++) {
            String pointer = single ? "/features" : "/batch/" + r;
            if (rows.isNull(r)) {
                errors.add(new FieldError(pointer, "must be an array of " + spec.size() + " numbers", "type"));
                wrongRow[r] = true;
            } else if (rows.length(r) != spec.size()) {
                errors.add(new FieldError(pointer, "has " + rows.length(r) + " values; feature spec " + spec.version()
                        + " has " + spec.size(), rows.length(r) < spec.size() ? "minItems" : "maxItems"));
                wrongRow[r] = true;
            }
        }
        for (FeatureRows.NonFinite v : rows.nonFinite()) {
            if (errors.size() < MAX_ERRORS && !wrongRow[v.row()]) {
                errors.add(new FieldError((single ? "/features" : "/batch/" + v.row()) + "/" + v.column(), "("
                        + spec.names().get(v.column()) + ") is " + v.value()
                        + "; a value must be a finite number, or null when missing", "finite"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InferException(Kind.INVALID_FEATURES, errors.size() + (errors.size() >= MAX_ERRORS ? "+" : "")
                    + " field(s) the model cannot take; first: " + errors.get(0).pointer() + " " + errors.get(0).message(),
                    errors, null);
        }
    }
}
