package dev.greenloop.local.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * {@code ./greenloop replay FILE --greenhouse=ID}: posts a climate computer's history
 * (CSV, {@link HistoryFile}, or Parquet, {@link HistoryParquet}: told apart by the file's first
 * bytes) through ingest in backfill mode, so a new site can train its first model
 * on its own climate. Rows are batched per zone; each batch is sent with {@code ?backfill=true&
 * partial=true} and the device's token (environment variable {@code GREENLOOP_DEVICE_TOKEN}),
 * retried while ingest asks for it (429, 503) or cannot be reached. After each batch ingest has
 * taken, the state file records the line up to which every row is done and, per zone, the
 * last line taken, so a run stopped at any point resumes where it was and sends no row twice
 * (but the batch in flight when it stopped, which ingest may have taken: at least once).
 * Bad rows, and the items ingest rejected or quarantined, are reported with their line number
 * (a Parquet file's row number) and the reason.
 */
public final class Replay {

    /** Settings of a replay. */
    public record Options(Path file, String greenhouse, URI ingest, String device, String token, int batchItems,
                          Path state, boolean restart, boolean quiet) {

        static final String USAGE = "usage: ./greenloop replay FILE --greenhouse=ID [--ingest=http://localhost:8080]"
                + " [--device=ID] [--batch-items=2000] [--state=FILE.replay-state] [--restart] [--quiet]"
                + " (the device token in GREENLOOP_DEVICE_TOKEN)";

        public static Options parse(String[] args, Map<String, String> env) {
            Map<String, String> a = new HashMap<>();
            Path file = null;
            for (String arg : args) {
                if (arg.equals("replay")) {
                    continue;
                }
                if (arg.equals("--restart") || arg.equals("--quiet")) {
                    a.put(arg.substring(2), "true");
                } else if (arg.startsWith("--") && arg.contains("=")) {
                    a.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
                } else if (!arg.startsWith("--") && file == null) {
                    file = Path.of(arg);
                } else {
                    throw new IllegalArgumentException("unknown argument " + arg + "\n" + USAGE);
                }
            }
            if (file == null || !a.containsKey("greenhouse")) {
                throw new IllegalArgumentException(USAGE);
            }
            String token = env.get("GREENLOOP_DEVICE_TOKEN");
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("set GREENLOOP_DEVICE_TOKEN to the token of a device registered for backfill"
                        + " (POST /v1/admin/devices with \"backfill\": true)\n" + USAGE);
            }
            int batch = Integer.parseInt(a.getOrDefault("batch-items", "2000"));
            if (batch < 1 || batch > 5000) {
                throw new IllegalArgumentException("--batch-items must be 1 to 5000 (ingest's max-items-per-request)");
            }
            return new Options(file, a.get("greenhouse"), URI.create(a.getOrDefault("ingest", "http://localhost:8080")),
                    a.getOrDefault("device", "replay"), token.trim(), batch,
                    a.containsKey("state") ? Path.of(a.get("state")) : Path.of(file + ".replay-state"),
                    a.containsKey("restart"), a.containsKey("quiet"));
        }
    }

    /** What a replay did. Lines are the history file's. */
    public record Summary(long rows, long items, long accepted, long quarantined, long rejected, long duplicates,
                          List<HistoryFile.BadRow> badRows, List<String> itemProblems, long resumedAfterLine, boolean complete) {
    }

    /** Where a batch's items came from: the line of each reading and of each actuator state. */
    private record Sent(ReadingsBatch batch, long[] readingLines, long[] actuatorLines) {
    }

    private static final int ATTEMPTS = 60;

    private final Options options;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    /** A zone's rows read and not sent yet, and how many items they hold. */
    private static final class Waiting {
        final List<HistoryFile.Row> rows = new ArrayList<>();
        int items;
    }

    private final Map<String, Waiting> waiting = new LinkedHashMap<>();
    /** Per zone, the last line ingest has taken: on a resume, rows of the zone up to it are not sent again. */
    private final Map<String, Long> zoneSent = new HashMap<>();
    private String identity;
    private final List<HistoryFile.BadRow> badRows = new ArrayList<>();
    private final List<String> itemProblems = new ArrayList<>();
    private long rows;
    private long items;
    private long accepted;
    private long quarantined;
    private long rejected;
    private long duplicates;
    private long lastLineRead;
    private long batchesSent;
    /** For tests: stop (as an interrupted run would) after this many batches. */
    private long stopAfterBatches = Long.MAX_VALUE;
    private Progress progress;
    /** What the file's records are called: a CSV file's lines, a Parquet file's rows. */
    private String unit = "line";

    public Replay(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Stops after {@code batches} batches have been taken, leaving the state file as an interrupted run does. */
    Replay stopAfter(long batches) {
        this.stopAfterBatches = batches;
        return this;
    }

    /** An interruption for tests: what {@link #stopAfter} raises. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped", null, false, false);
        }
    }

    public Summary run() throws IOException {
        identity = identity(options.file());
        unit = HistoryParquet.isParquet(options.file()) ? "row" : "line";
        long resumeAfter = 0;
        if (Files.exists(options.state()) && !options.restart()) {
            Properties state = new Properties();
            try (var in = Files.newBufferedReader(options.state())) {
                state.load(in);
            }
            if (!identity.equals(state.getProperty("file")) || !options.greenhouse().equals(state.getProperty("greenhouse"))) {
                throw new IllegalStateException("The state file " + options.state() + " belongs to another file or greenhouse ("
                        + state.getProperty("greenhouse") + "); use --restart to replay from the start, or --state=OTHER");
            }
            resumeAfter = Long.parseLong(state.getProperty("line", "0"));
            for (String key : state.stringPropertyNames()) {
                if (key.startsWith("zone.")) {
                    zoneSent.put(key.substring("zone.".length()), Long.parseLong(state.getProperty(key)));
                }
            }
            out.printf(Locale.ROOT, "resuming %s after %s %,d (state in %s)%n", options.file(),
                    unit, resumeAfter, options.state());
        }
        progress = new Progress(out, Files.size(options.file()), options.quiet(), unit);
        boolean complete = false;
        try {
            java.util.function.Consumer<HistoryFile.BadRow> onBad = bad -> {
                badRows.add(bad);
                lastLineRead = bad.line();
            };
            if (unit.equals("row")) {
                HistoryParquet.read(options.file(), resumeAfter, this::add, onBad);
            } else {
                try (BufferedReader reader = Files.newBufferedReader(options.file(), StandardCharsets.UTF_8)) {
                    HistoryFile.read(options.file().toString(), reader, resumeAfter, this::add, onBad);
                }
            }
            for (String zone : List.copyOf(waiting.keySet())) {
                flush(zone, true);
            }
            saveState(lastLineRead);
            complete = true;
        } catch (Stopped e) {
            // As an interrupted run: the state file holds what was taken.
        } finally {
            progress.done();
        }
        Summary summary = new Summary(rows, items, accepted, quarantined, rejected, duplicates, List.copyOf(badRows),
                List.copyOf(itemProblems), resumeAfter, complete);
        report(summary);
        return summary;
    }

    private void add(HistoryFile.Row row) {
        lastLineRead = row.line();
        if (zoneSent.getOrDefault(row.zone(), 0L) >= row.line()) {
            return;
        }
        rows++;
        Waiting zone = waiting.computeIfAbsent(row.zone(), z -> new Waiting());
        zone.rows.add(row);
        zone.items += row.items();
        progress.at(row.line(), row.position(), rows, items);
        if (zone.items >= options.batchItems()) {
            flush(row.zone(), false);
        }
    }

    /** Every row up to this line has been taken by ingest (or was bad). */
    private long doneThrough() {
        long firstWaiting = waiting.values().stream().filter(w -> !w.rows.isEmpty()).mapToLong(w -> w.rows.get(0).line())
                .min().orElse(Long.MAX_VALUE);
        return firstWaiting == Long.MAX_VALUE ? lastLineRead : firstWaiting - 1;
    }

    /** Sends the zone's full batches, and with {@code all} the rest too (at the end of the file). */
    private void flush(String zone, boolean all) {
        Waiting w = waiting.get(zone);
        while (!w.rows.isEmpty() && (all || w.items >= options.batchItems())) {
            List<Reading> readings = new ArrayList<>();
            List<ActuatorState> actuators = new ArrayList<>();
            List<Long> readingLines = new ArrayList<>();
            List<Long> actuatorLines = new ArrayList<>();
            int taken = 0;
            while (taken < w.rows.size() && (readings.size() + actuators.size() + w.rows.get(taken).items() <= options.batchItems()
                    || taken == 0)) {
                HistoryFile.Row row = w.rows.get(taken++);
                row.readings().forEach(r -> {
                    readings.add(r);
                    readingLines.add(row.line());
                });
                row.actuators().forEach(s -> {
                    actuators.add(s);
                    actuatorLines.add(row.line());
                });
            }
            ReadingsBatch batch = new ReadingsBatch(options.greenhouse(), zone, options.device(), readings, actuators);
            send(new Sent(batch, readingLines.stream().mapToLong(Long::longValue).toArray(),
                    actuatorLines.stream().mapToLong(Long::longValue).toArray()));
            zoneSent.put(zone, w.rows.get(taken - 1).line());
            w.rows.subList(0, taken).clear();
            w.items -= readings.size() + actuators.size();
            saveState(doneThrough());
            if (++batchesSent >= stopAfterBatches) {
                throw new Stopped();
            }
        }
    }

    private void send(Sent sent) {
        URI uri = options.ingest().resolve("/v1/greenhouses/" + options.greenhouse() + "/readings?backfill=true&partial=true");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + options.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(PayloadCodec.write(sent.batch()))).build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                if (attempt >= 10) {
                    throw new IllegalStateException("ingest at " + options.ingest() + " cannot be reached (" + e.getMessage()
                            + "); the state file keeps what was taken: run the same command again to resume");
                }
                sleep(Duration.ofSeconds(Math.min(30, 1L << attempt)));
                continue;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            int status = response.statusCode();
            if (status == 202) {
                taken(sent, json(response.body()));
                return;
            }
            if ((status == 429 || status == 503) && attempt < ATTEMPTS) {
                sleep(Duration.ofSeconds(response.headers().firstValueAsLong("Retry-After").orElse(1)));
                continue;
            }
            JsonNode problem = json(response.body());
            if (status == 422) {
                // Nothing of the batch was valid: every item is reported, and the replay goes on.
                items += sent.readingLines().length + sent.actuatorLines().length;
                rejected += sent.readingLines().length + sent.actuatorLines().length;
                problems(sent, problem.path("errors"), "rejected");
                return;
            }
            throw new IllegalStateException("ingest answered " + status + " to the batch of " + unit + "s " + firstLine(sent) + "–"
                    + lastLine(sent) + ": " + problem.path("detail").asText(response.body())
                    + "\nThe state file keeps what was taken: fix the cause and run the same command again to resume.");
        }
    }

    private void taken(Sent sent, JsonNode result) {
        items += result.path("received").asLong();
        accepted += result.path("accepted").asLong();
        quarantined += result.path("quarantined").asLong();
        rejected += result.path("rejected").asLong();
        duplicates += result.path("duplicates").asLong();
        problems(sent, result.path("rejectedItems"), "rejected");
        problems(sent, result.path("quarantinedItems"), "quarantined");
    }

    private void problems(Sent sent, JsonNode errors, String what) {
        for (JsonNode e : errors) {
            String pointer = e.path("pointer").asText("");
            String[] parts = pointer.split("/");
            long line = -1;
            String column = "";
            if (parts.length >= 3) {
                try {
                    int index = Integer.parseInt(parts[2]);
                    if (parts[1].equals("readings") && index < sent.readingLines().length) {
                        line = sent.readingLines()[index];
                        column = sent.batch().readings().get(index).sensor().wireName();
                    } else if (parts[1].equals("actuators") && index < sent.actuatorLines().length) {
                        line = sent.actuatorLines()[index];
                        column = sent.batch().actuators().get(index).actuator().wireName();
                    }
                } catch (NumberFormatException ignored) {
                    // Not an item's pointer: reported without a line.
                }
            }
            itemProblems.add((line > 0 ? unit + " " + line + ": " + column + " " : "") + what + " by ingest ("
                    + e.path("code").asText() + "): " + e.path("reason").asText());
        }
    }

    private void saveState(long line) {
        Properties state = new Properties();
        state.setProperty("file", identity);
        state.setProperty("greenhouse", options.greenhouse());
        state.setProperty("line", Long.toString(line));
        zoneSent.forEach((zone, sent) -> {
            if (sent > line) {
                state.setProperty("zone." + zone, Long.toString(sent));
            }
        });
        try {
            Path tmp = options.state().resolveSibling(options.state().getFileName() + ".tmp");
            try (var w = Files.newBufferedWriter(tmp)) {
                state.store(w, "greenloop replay: every row up to this line of the file has been taken by ingest");
            }
            Files.move(tmp, options.state(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the state file " + options.state(), e);
        }
    }

    private void report(Summary s) {
        out.printf(Locale.ROOT, "%s: %,d rows read%s, %,d items sent: %,d accepted, %,d quarantined, %,d rejected, %,d repeats%n",
                s.complete() ? "done" : "stopped", s.rows(), s.resumedAfterLine() > 0 ? " after " + unit + " " + s.resumedAfterLine() : "",
                s.items(), s.accepted(), s.quarantined(), s.rejected(), s.duplicates());
        if (!s.badRows().isEmpty()) {
            out.printf(Locale.ROOT, "%,d bad rows, not sent:%n", s.badRows().size());
            s.badRows().stream().limit(50).forEach(b -> out.println("  " + b));
            if (s.badRows().size() > 50) {
                out.printf(Locale.ROOT, "  and %,d more%n", s.badRows().size() - 50);
            }
        }
        if (!s.itemProblems().isEmpty()) {
            out.printf(Locale.ROOT, "%,d items ingest did not accept as they were:%n", s.itemProblems().size());
            s.itemProblems().stream().limit(50).forEach(p -> out.println("  " + p));
            if (s.itemProblems().size() > 50) {
                out.printf(Locale.ROOT, "  and %,d more%n", s.itemProblems().size() - 50);
            }
        }
    }

    private static long firstLine(Sent s) {
        return Math.min(s.readingLines().length > 0 ? s.readingLines()[0] : Long.MAX_VALUE,
                s.actuatorLines().length > 0 ? s.actuatorLines()[0] : Long.MAX_VALUE);
    }

    private static long lastLine(Sent s) {
        return Math.max(s.readingLines().length > 0 ? s.readingLines()[s.readingLines().length - 1] : 0,
                s.actuatorLines().length > 0 ? s.actuatorLines()[s.actuatorLines().length - 1] : 0);
    }

    private static JsonNode json(String body) {
        try {
            return EventJson.mapper().readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            return EventJson.mapper().createObjectNode();
        }
    }

    /** A file's identity for the state file: its path, size and the SHA-256 of its first 64 KiB. */
    private String identity(Path file) throws IOException {
        byte[] head = new byte[65_536];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(head, 0, n);
            return file.toAbsolutePath().normalize() + ";" + Files.size(file) + ";" + HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A progress bar on a terminal; a line every 10 s otherwise. */
    private static final class Progress {
        private final PrintStream out;
        private final long size;
        private final boolean quiet;
        private final boolean terminal = System.console() != null;
        private final long started = System.nanoTime();
        private long last;

        private final String unit;

        Progress(PrintStream out, long size, boolean quiet, String unit) {
            this.unit = unit;
            this.out = out;
            this.size = Math.max(1, size);
            this.quiet = quiet;
        }

        /** At {@code line}, which starts {@code position} characters into the file (about as many bytes). */
        void at(long line, long position, long rows, long items) {
            long now = System.nanoTime();
            if (quiet || now - last < (terminal ? 250_000_000L : 10_000_000_000L)) {
                return;
            }
            last = now;
            int percent = (int) Math.min(100, position * 100 / size);
            double seconds = Math.max(1e-3, (now - started) / 1e9);
            String bar = "#".repeat(percent / 4) + ".".repeat(25 - percent / 4);
            String text = String.format(Locale.ROOT, "%3d %% [%s] %s %,d  %,d rows/s  %,d items sent",
                    percent, bar, unit, line, (long) (rows / seconds), items);
            if (terminal) {
                out.print("\r" + text);
            } else {
                out.println(text);
            }
        }

        void done() {
            if (terminal && !quiet && last > 0) {
                out.println();
            }
        }
    }

    public static void main(String[] args) {
        try {
            Summary s = new Replay(Options.parse(args, System.getenv()), System.out).run();
            System.exit(s.complete() ? 0 : 1);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | IOException e) {
            System.err.println(e.getMessage());
            System.exit(e instanceof IllegalArgumentException ? 2 : 1);
        }
    }
}
