package dev.greenloop.control;

import dev.greenloop.events.TestEvents;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Keys for three greenhouses (gh-test, gh-check, gh-race), an operator token, short Kafka timeouts. */
public class ControlTestProfile implements QuarkusTestProfile {

    public static final String CHECK_GREENHOUSE = "gh-check";
    public static final String CHECK_KEY_ID = "gh-check-k1";
    public static final String CHECK_SECRET = "Z3JlZW5sb29wLWNoZWNrLWtleS0zMi1ieXRlcy1sb25nIQ==";
    public static final String OPERATOR_TOKEN = "operator-token-for-tests";
    /** The concurrent-decisions test's own greenhouse: its checks reach no other test's zones. */
    public static final String RACE_GREENHOUSE = "gh-race";
    public static final String RACE_SECRET = "Z3JlZW5sb29wLXJhY2Uta2V5LTMyLWJ5dGVzLWxvbmchIQ==";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("greenloop.control.signing-keys", TestEvents.KEY_ID + ":" + TestEvents.GREENHOUSE + ":"
                        + TestEvents.KEY_SECRET_BASE64 + "," + CHECK_KEY_ID + ":" + CHECK_GREENHOUSE + ":" + CHECK_SECRET
                        + ",gh-race-k1:" + RACE_GREENHOUSE + ":" + RACE_SECRET,
                "greenloop.control.operator-token", OPERATOR_TOKEN,
                "greenloop.control.kafka.send-timeout", "4s",
                "greenloop.control.mongodb.database", "control-test",
                "quarkus.log.category.\"org.apache.kafka\".level", "WARN");
    }
}
