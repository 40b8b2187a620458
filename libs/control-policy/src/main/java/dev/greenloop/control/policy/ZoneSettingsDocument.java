package dev.greenloop.control.policy;

import dev.greenloop.events.payload.ActuatorKind;
import org.bson.Document;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * A zone's overrides in {@code control_zones} ({@code _id: "<greenhouse>/<zone>"}) laid over
 * {@link ZoneSettings#defaults()}. Every field is optional and named as in {@link ZoneSettings};
 * bands are {@code {low, high}}, actuators {@code {<actuator>: {min, max, maxStep,
 * minDwellSeconds, minChange}}}. An unknown field or an invalid value is refused as a whole
 * (a typo must not silently fall back to a default on a safety limit). Control decides with
 * these settings; train-launcher's closed-loop gate judges candidates with them.
 */
public final class ZoneSettingsDocument {

    private static final Set<String> FIELDS = Set.of("_id", "dayTemperature", "nightTemperature", "dayHumidity",
            "nightHumidity", "dayCo2", "temperatureMargin", "humidityMargin", "co2Margin", "dayStartHour", "dayEndHour",
            "timezone", "lightPar", "lightRadiation", "shadeRadiation", "shadeScreen", "energyScreenBelow", "co2MaxVent",
            "fogMaxVent", "heatVentPipe", "heatVentMaxVent", "actuators", "updatedAt", "note");
    private static final Set<String> LIMIT_FIELDS = Set.of("min", "max", "maxStep", "minDwellSeconds", "minChange");

    private ZoneSettingsDocument() {
    }

    /**
     * The zone's settings: defaults with {@code doc}'s overrides ({@code doc} may be null).
     *
     * @throws IllegalArgumentException saying which zone's document is invalid and why
     */
    public static ZoneSettings parse(String zoneKey, Document doc) {
        ZoneSettings d = ZoneSettings.defaults();
        if (doc == null) {
            return d;
        }
        try {
            for (String key : doc.keySet()) {
                if (!FIELDS.contains(key)) {
                    throw new IllegalArgumentException("unknown field '" + key + "'");
                }
            }
            Map<ActuatorKind, ActuatorLimits> actuators = new EnumMap<>(ActuatorKind.class);
            for (ActuatorKind kind : ZoneSettings.DRIVEN) {
                actuators.put(kind, d.limits(kind));
            }
            Document a = sub(doc, "actuators");
            if (a != null) {
                for (String name : a.keySet()) {
                    ActuatorKind kind = ActuatorKind.fromWire(name);
                    if (!actuators.containsKey(kind)) {
                        throw new IllegalArgumentException("actuator '" + name + "' is not driven by control");
                    }
                    actuators.put(kind, limits(name, sub(a, name), actuators.get(kind)));
                }
            }
            String tz = doc.getString("timezone");
            return new ZoneSettings(band(doc, "dayTemperature", d.dayTemperature()),
                    band(doc, "nightTemperature", d.nightTemperature()), band(doc, "dayHumidity", d.dayHumidity()),
                    band(doc, "nightHumidity", d.nightHumidity()), band(doc, "dayCo2", d.dayCo2()),
                    num(doc, "temperatureMargin", d.temperatureMargin()), num(doc, "humidityMargin", d.humidityMargin()),
                    num(doc, "co2Margin", d.co2Margin()), (int) num(doc, "dayStartHour", d.dayStartHour()),
                    (int) num(doc, "dayEndHour", d.dayEndHour()), tz == null ? d.timezone() : ZoneId.of(tz),
                    num(doc, "lightPar", d.lightPar()), num(doc, "lightRadiation", d.lightRadiation()),
                    num(doc, "shadeRadiation", d.shadeRadiation()), num(doc, "shadeScreen", d.shadeScreen()),
                    num(doc, "energyScreenBelow", d.energyScreenBelow()), num(doc, "co2MaxVent", d.co2MaxVent()),
                    num(doc, "fogMaxVent", d.fogMaxVent()), num(doc, "heatVentPipe", d.heatVentPipe()),
                    num(doc, "heatVentMaxVent", d.heatVentMaxVent()), actuators);
        } catch (IllegalArgumentException | ClassCastException | DateTimeException | dev.greenloop.events.EventException e) {
            throw new IllegalArgumentException("the settings of zone " + zoneKey + " in control_zones are invalid: "
                    + e.getMessage(), e);
        }
    }

    private static Document sub(Document doc, String key) {
        Object v = doc.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Document d)) {
            throw new IllegalArgumentException("'" + key + "' must be an object");
        }
        return d;
    }

    private static double num(Document doc, String key, double fallback) {
        Object v = doc.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new IllegalArgumentException("'" + key + "' must be a finite number, was " + v);
        }
        return n.doubleValue();
    }

    private static Band band(Document doc, String key, Band fallback) {
        Document b = sub(doc, key);
        if (b == null) {
            return fallback;
        }
        try {
            return new Band(num(b, "low", fallback.low()), num(b, "high", fallback.high()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + key + "': " + e.getMessage());
        }
    }

    private static ActuatorLimits limits(String name, Document l, ActuatorLimits fallback) {
        for (String key : l.keySet()) {
            if (!LIMIT_FIELDS.contains(key)) {
                throw new IllegalArgumentException("unknown field '" + key + "' in actuators." + name);
            }
        }
        try {
            return new ActuatorLimits(num(l, "min", fallback.min()), num(l, "max", fallback.max()),
                    num(l, "maxStep", fallback.maxStep()),
                    Duration.ofMillis(Math.round(num(l, "minDwellSeconds", fallback.minDwell().toMillis() / 1000.0) * 1000)),
                    num(l, "minChange", fallback.minChange()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("actuators." + name + ": " + e.getMessage());
        }
    }
}
