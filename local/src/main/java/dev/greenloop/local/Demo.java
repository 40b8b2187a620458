package dev.greenloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenloop.events.signing.KeyRing;
import dev.greenloop.local.wiring.Manifests;
import dev.greenloop.simulator.GreenhouseSimulator;
import dev.greenloop.simulator.WeatherFile;
import dev.greenloop.simulator.WeatherFileException;

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
import java.util.stream.IntStream;

/**
 * {@code ./greenloop demo}: the whole loop on one machine. Starts Kafka, HDFS, the MongoDB-wire
 * server and MLflow, the five functions as separate processes, and a dispatcher that plays
 * Knative Eventing from {@code eventing/}. A simulated greenhouse first sends a few days of
 * history through ingest (a gateway catching up), the hourly archive (on the accelerated ping
 * clock) turns it into a dataset, train-launcher trains and promotes a model, and then the
 * greenhouse runs live: readings, features, predictions, signed commands that the simulated
 * climate responds to. Writes an HTML report and prints a summary.
 */
public final class Demo {

    public static final String GREENHOUSE = "gh-1";
    public static final String OPERATOR_TOKEN_PROPERTY = "greenloop.control.operator-token";

    /** Settings of a run. */
    public record Options(int days, int zones, Duration live, double pingSpeed, Path work, boolean quiet, String targets,
                          long seed, Duration modelTimeout, Path weather) {

        /** Without a weather file: the simulator's synthetic weather. */
        public Options(int days, int zones, Duration live, double pingSpeed, Path work, boolean quiet, String targets,
                       long seed, Duration modelTimeout) {
            this(days, zones, live, pingSpeed, work, quiet, targets, seed, modelTimeout, null);
        }

        public static Options parse(String[] args) {
            Map<String, String> a = new HashMap<>();
            for (String arg : args) {
                if (arg.startsWith("--") && arg.contains("=")) {
                    a.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
                } else if (!arg.equals("demo")) {
                    throw new IllegalArgumentException("unknown argument " + arg
                            + " (use --days=N --zones=N --live-minutes=N --work=DIR --seed=N --weather=FILE --quiet=true)");
                }
            }
            return new Options(Integer.parseInt(a.getOrDefault("days", "5")), Integer.parseInt(a.getOrDefault("zones", "2")),
                    Duration.ofMinutes(Long.parseLong(a.getOrDefault("live-minutes", "3"))),
                    Double.parseDouble(a.getOrDefault("ping-speed", "60")), Path.of(a.getOrDefault("work", "local/work")),
                    Boolean.parseBoolean(a.getOrDefault("quiet", "false")), a.getOrDefault("targets", "air_temperature"),
                    Long.parseLong(a.getOrDefault("seed", "7")), Duration.ofMinutes(Long.parseLong(a.getOrDefault("model-minutes", "6"))),
                    a.containsKey("weather") ? Path.of(a.get("weather")) : null);
        }
    }

    /** A running demo, for checks before it stops (the end-to-end test). */
    public record Running(Stack stack, Tap tap, Gateway gateway, Dispatcher dispatcher, KeyRing keys, String operatorToken,
                          List<String> zones) {
    }

    /** The outcome of a run. */
    public record Result(Report.Figures figures, Path report, List<Report.ModelVersion> versions) {
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
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(monitor.resolve("/v1/greenhouses/" + GREENHOUSE + "/accuracy?since=" + since))
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
                    + "; --days=" + o.days() + " and a live phase of " + o.live().toMinutes() + " min need "
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
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String keySpec = "demo-k1:" + GREENHOUSE + ":" + Base64.getEncoder().encodeToString(secret);
        KeyRing keys = KeyRing.parse(keySpec);
        String operatorToken = "op-" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret).substring(0, 16);
        String deviceToken = "glt_demo-" + Long.toHexString(random.nextLong());
        List<String> zones = IntStream.range(0, o.zones()).mapToObj(i -> "zone-" + (char) ('a' + i)).toList();

        Manifests eventing = Manifests.load(root.resolve("eventing"));
        try (Stack stack = new Stack(root, work)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
            stack.startServices(progress);
            for (String topic : List.of("greenhouse.readings", "greenhouse.commands", Dispatcher.BROKER_TOPIC)) {
                stack.kafka().createTopic(topic, 3);
            }
            stack.kafka().createTopic("greenhouse.readings.quarantine", 1);
            Clock pings = Dispatcher.accelerated(Clock.systemUTC(), Instant.now(), o.pingSpeed());
            try (Dispatcher dispatcher = new Dispatcher(eventing, stack.kafka().bootstrapServers(), stack::url, pings)) {
                stack.kafka().createTopic(dispatcher.deadLetterTopic(), 1);
                progress.step("preparing the trainer's Python environment");
                Path python = stack.trainerPython();
                Map<String, Map<String, String>> props = new LinkedHashMap<>();
                Map<String, Map<String, String>> env = new LinkedHashMap<>();
                for (String f : Stack.FUNCTIONS) {
                    props.put(f, new LinkedHashMap<>(stack.commonProperties()));
                    env.put(f, new LinkedHashMap<>());
                    props.get(f).put("quarkus.log.category.\"org.apache.kafka\".level", "WARN");
                }
                Map<String, String> ingest = props.get("ingest");
                ingest.put("greenloop.ingest.auth.bootstrap-device.id", "gateway-1");
                ingest.put("greenloop.ingest.auth.bootstrap-device.greenhouse", GREENHOUSE);
                ingest.put("greenloop.ingest.auth.bootstrap-device.zones", String.join(",", zones));
                ingest.put("greenloop.ingest.auth.bootstrap-device.token", deviceToken);
                ingest.put("greenloop.ingest.limits.device-items-per-second", "1000000");
                ingest.put("greenloop.ingest.limits.device-burst-items", "1000000");
                props.get("preprocess").put("greenloop.preprocess.archive.hadoop.dfs.replication", "2");
                props.get("preprocess").put("greenloop.preprocess.archive.hadoop.dfs.client.use.datanode.hostname", "true");
                Map<String, String> tl = props.get("train-launcher");
                tl.put("greenloop.train-launcher.launcher", "local");
                tl.put("greenloop.train-launcher.local.python", python.toString());
                tl.put("greenloop.train-launcher.local.trainer-dir", root.resolve("trainer").toString());
                tl.put("greenloop.train-launcher.targets", o.targets());
                props.get("infer").put("greenloop.infer.cache-dir", work.resolve("infer-cache").toString());
                env.get("control").put("GREENLOOP_SIGNING_KEYS", keySpec);
                env.get("control").put("GREENLOOP_OPERATOR_TOKEN", operatorToken);
                env.get("monitor").put("GREENLOOP_OPERATOR_TOKEN", operatorToken);
                for (String f : Stack.FUNCTIONS) {
                    URI sink = dispatcher.sinkFor(f);
                    if (sink != null) {
                        env.get(f).put("K_SINK", sink.toString());
                        env.get(f).put("GREENLOOP_SINK_TOKEN_FILE", dispatcher.sinkTokenFile(f).toString());
                    }
                    // The dispatcher plays the cluster's service-account issuer: senders are verified.
                    props.get(f).put("greenloop.events.oidc.issuer", dispatcher.issuer().toString());
                }
                progress.step("starting ingest, preprocess, train-launcher, infer, control and monitor");
                stack.startFunctions(props, env, progress);
                zoneSettings(stack.mongo().connectionString(), zones);
                dispatcher.start();

                Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
                GreenhouseSimulator simulator = new GreenhouseSimulator(GREENHOUSE, zones,
                        now.minus(Duration.ofDays(o.days())), o.seed(), 0.5, weather);
                try (Tap tap = new Tap(stack.kafka().bootstrapServers(), Dispatcher.BROKER_TOPIC, "greenhouse.commands",
                        dispatcher.deadLetterTopic());
                     Gateway gateway = new Gateway(simulator, stack.url("ingest"), stack.url("control"), deviceToken,
                             "gateway-1", keys, stack.kafka().bootstrapServers());
                     com.mongodb.client.MongoClient gatewayStore = com.mongodb.client.MongoClients.create(
                             stack.mongo().connectionString())) {
                    // The greenhouse's gateway keeps its nonces durably (its own database on the demo's server).
                    gateway.startCommands("greenhouse.commands",
                            gatewayStore.getDatabase("greenhouse-gateway").getCollection("nonces"));
                    progress.step("history: " + o.days() + " days of " + zones.size() + " zones through ingest");
                    gateway.advanceTo(now.minus(Duration.ofMinutes(3)), 60);
                    progress.step(String.format("history sent: %,d readings; waiting for the hourly archive, training and promotion",
                            gateway.readingsAccepted()));
                    awaitPromotion(tap, o.modelTimeout(), progress);
                    beforeLive.accept(new Running(stack, tap, gateway, dispatcher, keys, operatorToken, zones));

                    progress.step("live: the greenhouse runs in real time for " + o.live().toMinutes() + " min");
                    Instant end = Instant.now().plus(o.live());
                    int lastMinute = -1;
                    while (Instant.now().isBefore(end)) {
                        Instant target = Instant.now().minusSeconds(5);
                        if (gateway.simulatedNow().isBefore(target)) {
                            gateway.advanceTo(target, 1);
                        }
                        int minute = (int) Duration.between(end.minus(o.live()), Instant.now()).toMinutes();
                        if (minute != lastMinute) {
                            lastMinute = minute;
                            progress.step(String.format("live minute %d: %d predictions, %d commands, %d dead letters",
                                    minute + 1, tap.predictions().size(), tap.commands().size(), tap.deadLetters().size()));
                        }
                        Thread.sleep(10_000);
                    }
                    Thread.sleep(5_000);
                    List<Report.ModelVersion> versions = versions(stack.mlflow().trackingUri(), "greenloop-" + GREENHOUSE);
                    beforeStop.accept(new Running(stack, tap, gateway, dispatcher, keys, operatorToken, zones));
                    Report.Live live = Report.Live.of(liveAccuracy(stack.url("monitor"), operatorToken,
                            now.minus(Duration.ofMinutes(3))));
                    Report.Figures figures = Report.figures(gateway, tap, versions, progress.elapsed(),
                            now.minus(Duration.ofMinutes(3)), live);
                    Path report = work.resolve("report.html");
                    Report.write(report, figures, gateway, tap, versions);
                    progress.step("report written");
                    return new Result(figures, report, versions);
                }
            }
        }
    }

    /**
     * The demo greenhouse grows a warmer crop than the simulator's built-in climate computer keeps
     * (21 °C by day, 17 by night): control's bands are above it, so control takes over and the
     * simulated climate visibly follows its commands. Heating and vents may change every two
     * minutes, so that a few-minute live phase shows more than one decision.
     */
    static void zoneSettings(String mongo, List<String> zones) {
        try (com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create(mongo)) {
            var collection = client.getDatabase("greenloop").getCollection("control_zones");
            for (String zone : zones) {
                String id = GREENHOUSE + "/" + zone;
                org.bson.Document settings = new org.bson.Document("_id", id)
                        .append("dayTemperature", new org.bson.Document("low", 22).append("high", 26))
                        .append("nightTemperature", new org.bson.Document("low", 18.5).append("high", 21))
                        .append("actuators", new org.bson.Document("heating", new org.bson.Document("minDwellSeconds", 120))
                                .append("vent", new org.bson.Document("minDwellSeconds", 120)))
                        .append("note", "greenloop demo: a warmer crop than the simulator's own climate computer keeps");
                collection.replaceOne(com.mongodb.client.model.Filters.eq("_id", id), settings,
                        new com.mongodb.client.model.ReplaceOptions().upsert(true));
            }
        }
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
