package dev.greenloop.local;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ControlCommand;
import org.bson.Document;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's crop: its climate bands and its actuators' safety envelope, written to control's
 * {@code control_zones} for every zone of both runs, and the same table the outcome is judged
 * by (time in band) and the applied commands are audited against (envelope violations).
 *
 * <p>A warmer crop than the simulator's built-in climate computer keeps (21 °C by day, 17 by
 * night): control's bands are above it, so control takes over and the simulated climate visibly
 * follows its commands. The actuators' limits are control's defaults, written out.
 */
public final class DemoZones {

    /** An actuator's envelope: range, largest change per command, least time between changes. */
    public record Limits(double min, double max, double maxStep, Duration minDwell) {
    }

    /** A temperature band (°C). */
    public record Band(double low, double high) {
        double outside(double value) {
            return value < low ? low - value : value > high ? value - high : 0;
        }
    }

    public static final Band DAY = new Band(22, 26);
    public static final Band NIGHT = new Band(18.5, 21);
    /** Day bands from 06:00 to 20:00 UTC. */
    public static final int DAY_START_HOUR = 6;
    public static final int DAY_END_HOUR = 20;
    public static final Map<ActuatorKind, Limits> ENVELOPE = envelope();

    private static Map<ActuatorKind, Limits> envelope() {
        Map<ActuatorKind, Limits> m = new EnumMap<>(ActuatorKind.class);
        m.put(ActuatorKind.HEATING, new Limits(20, 75, 10, Duration.ofMinutes(5)));
        m.put(ActuatorKind.VENT, new Limits(0, 100, 20, Duration.ofMinutes(5)));
        m.put(ActuatorKind.SCREEN, new Limits(0, 100, 50, Duration.ofMinutes(10)));
        m.put(ActuatorKind.FOGGING, new Limits(0, 100, 100, Duration.ofMinutes(5)));
        m.put(ActuatorKind.CO2_DOSING, new Limits(0, 100, 100, Duration.ofMinutes(5)));
        return Map.copyOf(m);
    }

    private DemoZones() {
    }

    public static Band band(Instant at) {
        int hour = at.atZone(ZoneOffset.UTC).getHour();
        return hour >= DAY_START_HOUR && hour < DAY_END_HOUR ? DAY : NIGHT;
    }

    /** Writes the crop's settings for every zone of every greenhouse named. */
    public static void write(String mongo, List<String> greenhouses, List<String> zones) {
        try (MongoClient client = MongoClients.create(mongo)) {
            var collection = client.getDatabase("greenloop").getCollection("control_zones");
            for (String greenhouse : greenhouses) {
                for (String zone : zones) {
                    String id = greenhouse + "/" + zone;
                    Document actuators = new Document();
                    ENVELOPE.forEach((kind, l) -> actuators.append(kind.wireName(), new Document("min", l.min())
                            .append("max", l.max()).append("maxStep", l.maxStep())
                            .append("minDwellSeconds", l.minDwell().toSeconds())));
                    Document settings = new Document("_id", id)
                            .append("dayTemperature", new Document("low", DAY.low()).append("high", DAY.high()))
                            .append("nightTemperature", new Document("low", NIGHT.low()).append("high", NIGHT.high()))
                            .append("dayStartHour", DAY_START_HOUR).append("dayEndHour", DAY_END_HOUR)
                            .append("timezone", "UTC")
                            .append("actuators", actuators)
                            .append("note", "greenloop demo: a warmer crop than the simulator's own climate computer keeps");
                    collection.replaceOne(Filters.eq("_id", id), settings, new ReplaceOptions().upsert(true));
                }
            }
        }
    }

    /**
     * The applied commands that break the envelope: a value outside the range, a change larger
     * than the step from the actuator's previous command, or a change sooner than the dwell after
     * it (times are the commands' issue times). Each as a sentence.
     */
    public static List<String> violations(List<ControlCommand> applied) {
        List<String> out = new ArrayList<>();
        Map<String, ControlCommand> previous = new HashMap<>();
        List<ControlCommand> inOrder = applied.stream()
                .sorted(Comparator.comparing((ControlCommand c) -> c.signature().issuedAt())).toList();
        for (ControlCommand c : inOrder) {
            Limits l = ENVELOPE.get(c.actuator());
            String what = c.greenhouseId() + "/" + c.zoneId() + " " + c.actuator().wireName() + " at " + c.signature().issuedAt();
            if (l == null) {
                out.add(what + ": an actuator outside the envelope was commanded");
                continue;
            }
            if (c.value() < l.min() - 1e-9 || c.value() > l.max() + 1e-9) {
                out.add(String.format(Locale.ROOT, "%s: %.1f is outside %.0f–%.0f", what, c.value(), l.min(), l.max()));
            }
            ControlCommand before = previous.put(c.greenhouseId() + "/" + c.zoneId() + "/" + c.actuator(), c);
            if (before != null) {
                if (Math.abs(c.value() - before.value()) > l.maxStep() + 1e-6) {
                    out.add(String.format(Locale.ROOT, "%s: %.1f → %.1f is a larger step than %.0f", what, before.value(),
                            c.value(), l.maxStep()));
                }
                Duration since = Duration.between(before.signature().issuedAt(), c.signature().issuedAt());
                if (since.compareTo(l.minDwell()) < 0) {
                    out.add(what + ": changed " + since.toSeconds() + " s after the previous change, sooner than "
                            + l.minDwell().toSeconds() + " s");
                }
            }
        }
        return out;
    }
}
