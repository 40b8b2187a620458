package dev.greenloop.monitor;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** An operator token, monitor's own database, and decay rules small enough for a test to cross. */
public class MonitorTestProfile implements QuarkusTestProfile {

    public static final String OPERATOR_TOKEN = "monitor-operator-token";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("greenloop.monitor.operator-token", OPERATOR_TOKEN,
                "greenloop.monitor.mongodb.database", "monitor-test",
                "greenloop.monitor.decay.bad-hours", "2",
                "greenloop.monitor.decay.min-outcomes-per-hour", "3",
                "greenloop.monitor.drift.min-windows", "20");
    }
}
