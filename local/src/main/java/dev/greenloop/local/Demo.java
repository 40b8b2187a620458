package dev.greenloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenloop.events.clock.ClockFile;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.signing.KeyRing;
import dev.greenloop.local.wiring.Manifests;
import dev.greenloop.simulator.GreenhouseSimulator;
import dev.greenloop.simulator.WeatherFile;
import dev.greenloop.simulator.WeatherFileException;
import io.fabric8.knative.sources.v1.PingSource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * {@code ./greenloop demo}: the whole loop on one machine. Starts Kafka, HDFS, the MongoDB-wire
 * server and MLflow, the five functions as separate processes, and a dispatcher that plays
 * Knative Eventing from {@code eventing/}. A simulated greenhouse first sends a few days of
 * history through ingest (a gateway catching up), the hourly archive (on the accelerated ping
 * clock) turns it into a dataset, train-launcher trains and promotes a model, and then the
 * greenhouse runs live in simulated time ({@link LivePhase}: every function reads the demo's
 * {@link ClockFile}): readings, features, predictions, signed commands that the simulated
 * climate responds to. A twin greenhouse ({@link #BASELINE}: the same weather, seed and zones)
 * runs beside it under control's fallback thermostat alone, and the report compares the two.
 * Writes an HTML report and prints a summary.
 */
public final class Demo {

    public static final String GREENHOUSE = "gh-1";
    public static final String OPERATOR_TOKEN_PROPERTY = "greenloop.control.operator-token";

    /** The greenhouse run beside the demo's, the same in all but control: its fallback thermostat alone. */
    public static final String BASELINE = GREENHOUSE + "-thermostat";

    /**
     * Settings of a run.
     *
     * @param live     the live phase's length in simulated time
     * @param baseline whether the thermostat baseline runs beside the loop
     */
    public record Options(int days, int zones, Duration live, double pingSpeed, Path work, boolean quiet, String targets,
                          long seed, Duration modelTimeout, Path weather, boolean baseline, boolean closedLoopGate,
                          int searchSeconds) {

        /** The trainer's hyperparameter search budget per training run, unless --search-seconds says otherwise. */
        public static final int SEARCH_SECONDS = 60;

        /** Without a weather file: the simulator's synthetic weather; with the baseline and the closed-loop gate. */
        public Options(int days, int zones, Duration live, double pingSpeed, Path work, boolean quiet, String targets,
                       long seed, Duration modelTimeout) {
            this(days, zones, live, pingSpeed, work, quiet, targets, seed, modelTimeout, null, true, true, SEARCH_SECONDS);
        }

        public static Options parse(String[] args) {
            Map<String, String> a = new HashMap<>();
            for (String arg : args) {
                if (arg.startsWith("--") && arg.contains("=")) {
                    a.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
                } else if (!arg.equals("demo")) {
                    throw new IllegalArgumentException("unknown argument " + arg + " (use --days=N --zones=N --live-hours=N"
                            + " --baseline=true|false --closed-loop-gate=true|false --work=DIR --seed=N --weather=FILE"
                            + " --search-seconds=N --quiet=true)");
                }
            }
            for (String key : a.keySet()) {
                if (!List.of("days", "zones", "live-hours", "baseline", "ping-speed", "work", "quiet", "targets", "seed",
                        "model-minutes", "weather", "closed-loop-gate", "search-seconds").contains(key)) {
                    throw new IllegalArgumentException("unknown option --" + key + (key.equals("live-minutes")
                            ? " (the live phase runs in simulated time now: --live-hours=N)" : ""));
                }
            }
            int hours = Integer.parseInt(a.getOrDefault("live-hours", "24"));
            if (hours < 1 || hours > 24 * 14) {
                throw new IllegalArgumentException("--live-hours=" + hours + " must be 1 to 336 (two weeks)");
            }
            return new Options(Integer.parseInt(a.getOrDefault("days", "5")), Integer.parseInt(a.getOrDefault("zones", "2")),
                    Duration.ofHours(hours),
                    Double.parseDouble(a.getOrDefault("ping-speed", "60")), Path.of(a.getOrDefault("work", "local/work")),
                    Boolean.parseBoolean(a.getOrDefault("quiet", "false")), a.getOrDefault("targets", "air_temperature,relative_humidity,co2"),
                    Long.parseLong(a.getOrDefault("seed", "7")), Duration.ofMinutes(Long.parseLong(a.getOrDefault("model-minutes", "6"))),
                    a.containsKey("weather") ? Path.of(a.get("weather")) : null,
                    Boolean.parseBoolean(a.getOrDefault("baseline", "true")),
                    Boolean.parseBoolean(a.getOrDefault("closed-loop-gate", "true")),
                    Integer.parseInt(a.getOrDefault("search-seconds", Integer.toString(SEARCH_SECONDS))));
        }
    }

    /** A running demo, for checks before it stops (the end-to-end test). */
    public record Running(Stack stack, Tap tap, Gateway gateway, Dispatcher dispatcher, KeyRing keys, String operatorToken,
                          List<String> zones, Gateway baseline, LivePhase.Run live) {
    }

    /**
     * The outcome of a run: figures, the report, the versions, the live phase, each run's outcome
     * (loop first) and what Prometheus made of it.
     */
    public record Result(Report.Figures figures, Path report, List<Report.ModelVersion> versions, LivePhase.Run live,
                         List<Outcome> outcomes, Report.Alerts alerts) {
    }

    /** Collects Prometheus's alerts now; a count for the progress line ("" without Prometheus). */
    private static String pollAlerts(Optional<LocalPrometheus> prometheus) {
        if (prometheus.isEmpty()) {
            return "";
        }
        prometheus.get().poll();
        return prometheus.get().alerts().size() + " alerts raised so far; ";
    }

    public interface Check {
        void accept(Running running) throws Exception;
    }

    public static void main(String[] args) {
        int status = 0;
        try {
            Options options = Options.parse(args);
            Result result = run(Path.of("").toAbsolutePath(), options, r -> { }, r -> { });
            System.out.println(Report.summary(result.figures(), result.report()));
        } catch (IllegalArgumentException e) {
            System.err.println("greenloop demo: " + e.getMessage());
            status = 2;
        } catch (Exception | Error e) {
            System.err.println("greenloop demo failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        // Client libraries leave non-daemon threads behind; the stack is already stopped.
        System.exit(status);
    }

    /** monitor's realised accuracy of the greenhouse since {@code since}, as its read API answers. */
    static com.fasterxml.jackson.databind.JsonNode liveAccuracy(URI monitor, String operatorToken, Instant since)
            throws java.io.IOException, InterruptedException {
        return liveAccuracy(monitor, operatorToken, since, null);
    }

    /** As {@link #liveAccuracy(URI, String, Instant)}, of one zone (all when null). */
    static com.fasterxml.jackson.databind.JsonNode liveAccuracy(URI monitor, String operatorToken, Instant since, String zone)
            throws java.io.IOException, InterruptedException {
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(monitor.resolve("/v1/greenhouses/" + GREENHOUSE + "/accuracy?since=" + since
                                + (zone == null ? "" : "&zone=" + zone)))
                        .header("Authorization", "Bearer " + operatorToken).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("monitor answered " + answer.statusCode() + " for the accuracy: " + answer.body());
        }
        return dev.greenloop.events.json.EventJson.mapper().readTree(answer.body());
    }

    /**
     * Reads {@code --weather} and checks, before anything starts, that it can carry the run: its
     * first row at midnight UTC (its days are replayed from the history's first day, whatever
     * time of day the demo starts) and long enough for the history and the live phase.
     */
    static WeatherFile weatherFor(Path file, Options o) {
        WeatherFile weather = WeatherFile.read(file);
        if (!weather.start().equals(weather.start().truncatedTo(ChronoUnit.DAYS))) {
            throw new WeatherFileException(file.toString(), List.of("its first row is at " + weather.start()
                    + "; for the demo it must be at 00:00 UTC, as the demo starts at any time of day"));
        }
        Duration needed = Duration.ofDays(o.days() + 1).plus(o.live());
        if (Duration.between(weather.start(), weather.end()).compareTo(needed) < 0) {
            throw new WeatherFileException(file.toString(), List.of("it covers " + weather.start() + " to " + weather.end()
                    + "; --days=" + o.days() + " and a live phase of " + o.live().toHours() + " h need "
                    + needed.toHours() + " h of weather from its first midnight"));
        }
        return weather;
    }

    /**
     * @param beforeLive called once a model is promoted, before the live phase
     * @param beforeStop called after the live phase, before the stack stops
     */
    public static Result run(Path root, Options o, Check beforeLive, Check beforeStop) throws Exception {
        Progress progress = new Progress(o.quiet());
        WeatherFile weather = o.weather() == null ? null : weatherFor(root.resolve(o.weather()), o);
        Path work = root.resolve(o.work()).toAbsolutePath();
        Files.createDirectories(work);
        System.setProperty("greenloop.testkit.dir", work.resolve("services").toString());
        Secrets secrets = Secrets.generate();
        String keySpec = secrets.keySpec();
        KeyRing keys = KeyRing.parse(keySpec);
        String operatorToken = secrets.operatorToken();
        String adminToken = secrets.adminToken();
        String deviceToken = secrets.deviceToken();
        List<String> zones = IntStream.range(0, o.zones()).mapToObj(i -> "zone-" + (char) ('a' + i)).toList();
        List<String> greenhouses = o.baseline() ? List.of(GREENHOUSE, BASELINE) : List.of(GREENHOUSE);

        Manifests eventing = Manifests.load(root.resolve("eventing"));
        try (Stack stack = new Stack(root, work);
             ClockFile clock = ClockFile.create(work.resolve("clock"))) {
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
            stack.startServices(progress);
            for (String topic : List.of("greenhouse.readings", "greenhouse.commands", Dispatcher.BROKER_TOPIC)) {
                stack.kafka().createTopic(topic, 3);
            }
            stack.kafka().createTopic("greenhouse.readings.quarantine", 1);
            Clock pings = Dispatcher.accelerated(Clock.systemUTC(), Instant.now(), o.pingSpeed());
            try (Dispatcher dispatcher = new Dispatcher(eventing, Manifests.load(root.resolve("knative/base")),
                    stack.kafka().bootstrapServers(), stack::url, pings)) {
                stack.kafka().createTopic(dispatcher.deadLetterTopic(), 1);
                if (o.baseline()) {
                    dispatcher.addPingSource(controlCheckFor(eventing, BASELINE));
                }
                progress.step("preparing the trainer's Python environment");
                Path python = stack.trainerPython();
                Settings settings = settings(stack, dispatcher, clock, secrets, zones, python, o.targets(), o.closedLoopGate(),
                        o.searchSeconds());
                Map<String, Map<String, String>> props = settings.properties();
                Map<String, Map<String, String>> env = settings.env();
                progress.step("starting ingest, preprocess, train-launcher, infer, control and monitor");
                stack.startFunctions(props, env, progress);
                Optional<LocalPrometheus> prometheus = LocalPrometheus.start(root, work, stack);
                String prometheusNote = prometheus.map(p -> "Prometheus (" + p.url() + ") scraped the six functions every 5 s"
                        + " and evaluated the shipped alerts (knative/components/observability/alerts.rules.yaml) in real"
                        + " time, while the live phase ran simulated time faster: an alert's window is real minutes.")
                        .orElse("Prometheus is not installed, so no alerts were evaluated: install Debian's prometheus package"
                                + " (or set GREENLOOP_PROMETHEUS_BIN) and the demo runs it with the shipped alerts.");
                progress.step(prometheus.isPresent() ? "Prometheus at " + prometheus.get().url() + " with the shipped alerts"
                        : "Prometheus is not installed: the demo runs without it and its report says so");
                try {
                    DemoZones.write(stack.mongo().connectionString(), greenhouses, zones);
                    String baselineToken = o.baseline() ? registerDevice(stack.url("ingest"), adminToken, "gateway-2", BASELINE, zones)
                            : null;
                    dispatcher.start();

                    Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
                    Instant historyStart = now.minus(Duration.ofDays(o.days()));
                    Clock greenhouseClock = clock.clock(Clock.systemUTC());
                    String bootstrap = stack.kafka().bootstrapServers();
                    try (Tap tap = new Tap(bootstrap, Dispatcher.BROKER_TOPIC, "greenhouse.commands", dispatcher.deadLetterTopic());
                         Gateway gateway = new Gateway(new GreenhouseSimulator(GREENHOUSE, zones, historyStart, o.seed(), 0.5, weather),
                                 stack.url("ingest"), stack.url("control"), deviceToken, "gateway-1", keys, bootstrap,
                                 greenhouseClock);
                         // The same weather, seed and zones: the twin differs only in who controls it.
                         Gateway baseline = o.baseline() ? new Gateway(new GreenhouseSimulator(BASELINE, zones, historyStart,
                                 o.seed(), 0.5, weather), stack.url("ingest"), stack.url("control"), baselineToken, "gateway-2",
                                 keys, bootstrap, greenhouseClock) : null;
                         com.mongodb.client.MongoClient store = com.mongodb.client.MongoClients.create(
                                 stack.mongo().connectionString());
                         Settle settle = new Settle(bootstrap, Set.of("demo-tap", "greenloop-archive"))) {
                        List<Gateway> gateways = baseline == null ? List.of(gateway) : List.of(gateway, baseline);
                        // The greenhouse's gateway keeps its nonces durably (its own database on the demo's server).
                        for (Gateway g : gateways) {
                            g.startCommands("greenhouse.commands", store.getDatabase("greenhouse-gateway").getCollection("nonces"));
                        }
                        progress.step("history: " + o.days() + " days of " + zones.size() + " zones through ingest");
                        Instant historyEnd = now.minus(Duration.ofMinutes(3));
                        gateway.advanceTo(historyEnd, 60);
                        if (baseline != null) {
                            baseline.catchUp(historyEnd);
                        }
                        progress.step(String.format("history sent: %,d readings; waiting for the hourly archive, training and promotion",
                                gateway.readingsAccepted()));
                        awaitPromotion(tap, o.modelTimeout(), progress);
                        beforeLive.accept(new Running(stack, tap, gateway, dispatcher, keys, operatorToken, zones, baseline, null));

                        // Up to the present in real time, then simulated time in lock step.
                        Instant liveFrom = Instant.now().truncatedTo(ChronoUnit.MINUTES);
                        gateway.advanceTo(liveFrom, 60);
                        if (baseline != null) {
                            baseline.catchUp(liveFrom);
                        }
                        Map<String, double[]> usage = new LinkedHashMap<>();
                        gateways.forEach(g -> usage.put(g.greenhouseId(), g.usage()));
                        var runs = store.getDatabase("greenloop").getCollection("training_runs");
                        progress.step("live: " + o.live().toHours() + " simulated hours from " + liveFrom + ", in lock step"
                                + (baseline == null ? "" : "; " + BASELINE + " beside it under the thermostat alone"));
                        LivePhase.Run live = LivePhase.run(clock, dispatcher, gateways, settle, liveFrom, o.live(),
                                () -> runs.countDocuments(com.mongodb.client.model.Filters.eq("status", "launched")) > 0,
                                o.modelTimeout(), Duration.ofSeconds(10),
                                (at, hours) -> progress.step(pollAlerts(prometheus) + String.format(
                                        "simulated %s (%d h): %d predictions, %d commands, %d dead letters", at, hours,
                                        tap.predictions().size(), tap.commands().size(), tap.deadLetters().size())));
                        progress.step(String.format("live phase: %d simulated hours in %d s (%.0f× real time; %d s held for"
                                + " training; %d minutes did not settle within 10 s; %d s before it for the history's last events;"
                                + " per simulated minute %d ms posting readings, %d ms waiting for the loop to settle)",
                                o.live().toHours(), live.real().toSeconds(), live.speed(), live.heldForTraining().toSeconds(),
                                live.unsettled(), live.drained().toSeconds(), live.stepping().toMillis() / live.steps(),
                                live.settling().toMillis() / live.steps()));
                        List<Report.ModelVersion> versions = versions(stack.mlflow().trackingUri(), "greenloop-" + GREENHOUSE);
                        beforeStop.accept(new Running(stack, tap, gateway, dispatcher, keys, operatorToken, zones, baseline, live));
                        var accuracyJson = liveAccuracy(stack.url("monitor"), operatorToken, liveFrom);
                        Report.Live accuracy = Report.Live.of(accuracyJson);
                        Map<String, Report.Live> perZone = new LinkedHashMap<>();
                        for (String zone : zones) {
                            perZone.put(zone, Report.Live.of(liveAccuracy(stack.url("monitor"), operatorToken, liveFrom, zone)));
                        }
                        List<Outcome> outcomes = new ArrayList<>();
                        outcomes.add(Outcome.of(gateway, "predictive (the loop)", usage.get(GREENHOUSE), live.from(), live.to()));
                        if (baseline != null) {
                            outcomes.add(Outcome.of(baseline, "thermostat (control's fallback rules)", usage.get(BASELINE),
                                    live.from(), live.to()));
                        }
                        Report.Figures figures = Report.figures(gateway, tap, versions, progress.elapsed(), liveFrom, accuracy,
                                perZone, Report.Live.byVersion(accuracyJson), live, outcomes);
                        prometheus.ifPresent(LocalPrometheus::poll);
                        Path report = work.resolve("report.html");
                        Report.Alerts alerts = new Report.Alerts(prometheus.isPresent(), prometheusNote,
                                prometheus.map(LocalPrometheus::alerts).orElse(List.of()));
                        Report.write(report, figures, gateway, baseline, tap, versions, alerts);
                        progress.step("report written");
                        return new Result(figures, report, versions, live, outcomes, alerts);
                    }
                } finally {
                    prometheus.ifPresent(LocalPrometheus::close);
                }
            }
        }
    }

    /** Tracing's one setting (the functions' {@code TracingConfig}): an OTLP/HTTP endpoint. */
    public static final String TRACING_ENDPOINT = "greenloop.tracing.otlp-endpoint";

    /** The run's keys and tokens: the signing keys of both greenhouses, the operator's, the admin's and the gateway's. */
    public record Secrets(String keySpec, String operatorToken, String adminToken, String deviceToken) {

        public static Secrets generate() {
            SecureRandom random = new SecureRandom();
            return new Secrets("demo-k1:" + GREENHOUSE + ":" + secret(random) + ",demo-k2:" + BASELINE + ":" + secret(random),
                    "op-" + secret(random).replaceAll("[^A-Za-z0-9]", "").substring(0, 16),
                    "adm-" + secret(random).replaceAll("[^A-Za-z0-9]", "").substring(0, 16),
                    "glt_demo-" + Long.toHexString(random.nextLong()));
        }
    }

    /** Per function: system properties and environment. */
    public record Settings(Map<String, Map<String, String>> properties, Map<String, Map<String, String>> env) {
    }

    /**
     * The six functions' settings in the embedded stack: where the services are, the shared
     * clock, {@link #GREENHOUSE}'s gateway as ingest's bootstrap device, the signing keys and
     * tokens, each SinkBinding subject's {@code K_SINK} and Broker token, and the dispatcher as
     * the issuer every function verifies senders against.
     */
    public static Settings settings(Stack stack, Dispatcher dispatcher, ClockFile clock, Secrets secrets, List<String> zones,
                             Path python, String targets, boolean closedLoopGate, int searchSeconds)
            throws java.io.IOException {
        Path root = stack.root();
        Map<String, Map<String, String>> props = new LinkedHashMap<>();
        Map<String, Map<String, String>> env = new LinkedHashMap<>();
        for (String f : Stack.FUNCTIONS) {
            props.put(f, new LinkedHashMap<>(stack.commonProperties()));
            env.put(f, new LinkedHashMap<>());
            props.get(f).put("quarkus.log.category.\"org.apache.kafka\".level", "WARN");
            // Real time until the live phase, then the simulated time the demo moves.
            props.get(f).put(Stack.CLOCK_FILE_PROPERTY, clock.path().toString());
            // Tracing's one setting, as a system property of the demo's JVM (the environment
            // variable GREENLOOP_TRACING_OTLP_ENDPOINT reaches the functions by itself).
            String otlp = System.getProperty(TRACING_ENDPOINT);
            if (otlp != null && !otlp.isBlank()) {
                props.get(f).put(TRACING_ENDPOINT, otlp);
            }
        }
        Map<String, String> ingest = props.get("ingest");
        ingest.put("greenloop.ingest.auth.bootstrap-device.id", "gateway-1");
        ingest.put("greenloop.ingest.auth.bootstrap-device.greenhouse", GREENHOUSE);
        ingest.put("greenloop.ingest.auth.bootstrap-device.zones", String.join(",", zones));
        ingest.put("greenloop.ingest.auth.bootstrap-device.token", secrets.deviceToken());
        ingest.put("greenloop.ingest.auth.admin-token", secrets.adminToken());
        ingest.put("greenloop.ingest.limits.device-items-per-second", "1000000");
        ingest.put("greenloop.ingest.limits.device-burst-items", "1000000");
        // Each simulated minute waits for its readings' acknowledgement: no batching delay.
        ingest.put("greenloop.ingest.kafka.linger-ms", "0");
        props.get("preprocess").put("greenloop.preprocess.archive.hadoop.dfs.replication", "2");
        // The history's pings come on an accelerated clock, an hour's every real minute, while the
        // function's clock is real: every ping gets its pass.
        props.get("preprocess").put("greenloop.preprocess.archive.min-pass-interval", "0s");
        props.get("preprocess").put("greenloop.preprocess.archive.hadoop.dfs.client.use.datanode.hostname", "true");
        Map<String, String> tl = props.get("train-launcher");
        tl.put("greenloop.train-launcher.launcher", "local");
        tl.put("greenloop.train-launcher.local.python", python.toString());
        tl.put("greenloop.train-launcher.local.trainer-dir", root.resolve("trainer").toString());
        tl.put("greenloop.train-launcher.targets", targets);
        // Every candidate runs a closed loop with the simulator before it is promoted.
        tl.put("greenloop.train-launcher.gate.closed-loop.enabled", Boolean.toString(closedLoopGate));
        // The trainer's hyperparameter search, in real seconds per training run (0: the fixed defaults).
        tl.put("greenloop.train-launcher.search-seconds", Integer.toString(searchSeconds));
        props.get("infer").put("greenloop.infer.cache-dir", stack.work().resolve("infer-cache").toString());
        env.get("control").put("GREENLOOP_SIGNING_KEYS", secrets.keySpec());
        env.get("control").put("GREENLOOP_OPERATOR_TOKEN", secrets.operatorToken());
        env.get("monitor").put("GREENLOOP_OPERATOR_TOKEN", secrets.operatorToken());
        for (String f : Stack.FUNCTIONS) {
            URI sink = dispatcher.sinkFor(f);
            if (sink != null) {
                env.get(f).put("K_SINK", sink.toString());
                env.get(f).put("GREENLOOP_SINK_TOKEN_FILE", dispatcher.sinkTokenFile(f).toString());
            }
            // The dispatcher plays the cluster's service-account issuer: senders are verified.
            props.get(f).put("greenloop.events.oidc.issuer", dispatcher.issuer().toString());
        }
        return new Settings(props, env);
    }

    private static String secret(SecureRandom random) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return Base64.getEncoder().encodeToString(secret);
    }

    /** The manifests' control-check PingSource, copied for another greenhouse (as the schedules' comment says to). */
    static PingSource controlCheckFor(Manifests eventing, String greenhouse) {
        PingSource check = eventing.all(PingSource.class).stream()
                .filter(p -> "control-check".equals(p.getSpec().getCeOverrides().getExtensions().get("greenloopschedule")))
                .findFirst().orElseThrow(() -> new IllegalStateException("eventing/ has no control-check PingSource"));
        return new io.fabric8.knative.sources.v1.PingSourceBuilder(check).editMetadata()
                .withName("control-check-" + greenhouse).endMetadata()
                .editSpec().withData("{\"greenhouseId\":\"" + greenhouse + "\"}").endSpec().build();
    }

    /** Registers a device through ingest's admin API; its token. */
    static String registerDevice(URI ingest, String adminToken, String device, String greenhouse, List<String> zones)
            throws Exception {
        String body = EventJson.mapper().writeValueAsString(Map.of("deviceId", device, "greenhouseId", greenhouse,
                "zones", zones));
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(ingest.resolve("/v1/admin/devices"))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 201 && answer.statusCode() != 200) {
            throw new IllegalStateException("ingest did not register " + device + " (" + answer.statusCode() + "): " + answer.body());
        }
        return EventJson.mapper().readTree(answer.body()).path("token").asText();
    }

    private static void awaitPromotion(Tap tap, Duration timeout, Progress progress) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        int outcomes = 0;
        while (tap.promotions().isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no model was promoted within " + timeout.toMinutes() + " min; training outcomes: "
                        + tap.trainingOutcomes().stream().map(Tap.Seen::payload).toList() + "; see the logs under local/work/logs");
            }
            if (tap.trainingOutcomes().size() > outcomes) {
                outcomes = tap.trainingOutcomes().size();
                progress.step("training finished: " + abbreviate(tap.trainingOutcomes().get(outcomes - 1).payload()));
            }
            Thread.sleep(1000);
        }
        progress.step("promoted: " + tap.promotions().get(0).payload().modelName() + " version "
                + tap.promotions().get(0).payload().modelVersion());
    }

    private static String abbreviate(String s) {
        return s.length() > 240 ? s.substring(0, 240) + "..." : s;
    }

    /** The model's registered versions with their runs' test metrics (MLflow REST API). */
    static List<Report.ModelVersion> versions(URI mlflow, String model) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        String filter = URLEncoder.encode("name='" + model + "'", StandardCharsets.UTF_8);
        JsonNode search = json.readTree(http.send(HttpRequest.newBuilder(mlflow.resolve(
                "/api/2.0/mlflow/model-versions/search?filter=" + filter)).build(), HttpResponse.BodyHandlers.ofString()).body());
        List<Report.ModelVersion> out = new ArrayList<>();
        for (JsonNode v : search.path("model_versions")) {
            JsonNode run = json.readTree(http.send(HttpRequest.newBuilder(mlflow.resolve("/api/2.0/mlflow/runs/get?run_id="
                    + v.path("run_id").asText())).build(), HttpResponse.BodyHandlers.ofString()).body());
            Map<String, Double> metrics = new HashMap<>();
            for (JsonNode m : run.at("/run/data/metrics")) {
                metrics.put(m.path("key").asText(), m.path("value").asDouble());
            }
            // The search leaves aliases out; the version itself has them.
            JsonNode full = json.readTree(http.send(HttpRequest.newBuilder(mlflow.resolve("/api/2.0/mlflow/model-versions/get?name="
                    + URLEncoder.encode(model, StandardCharsets.UTF_8) + "&version=" + v.path("version").asText())).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            List<String> aliases = new ArrayList<>();
            full.at("/model_version/aliases").forEach(a -> aliases.add(a.asText()));
            out.add(new Report.ModelVersion(v.path("version").asText(), String.join(", ", aliases), metrics));
        }
        out.sort(java.util.Comparator.comparingInt(v -> Integer.parseInt(v.version())));
        return out;
    }
}
