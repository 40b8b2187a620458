package dev.greenloop.control.policy;

import dev.greenloop.events.payload.ActuatorKind;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZoneSettingsDocumentTest {

    @Test
    void overridesAreLaidOverTheDefaults() {
        ZoneSettings s = ZoneSettingsDocument.parse("gh/z", new Document("dayTemperature", new Document("low", 22).append("high", 26))
                .append("actuators", new Document("heating", new Document("maxStep", 4).append("minDwellSeconds", 600))));
        assertThat(s.dayTemperature()).isEqualTo(new Band(22, 26));
        assertThat(s.nightTemperature()).isEqualTo(ZoneSettings.defaults().nightTemperature());
        assertThat(s.limits(ActuatorKind.HEATING).maxStep()).isEqualTo(4);
        assertThat(s.limits(ActuatorKind.HEATING).minDwell()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.limits(ActuatorKind.VENT)).isEqualTo(ZoneSettings.defaults().limits(ActuatorKind.VENT));
        assertThat(ZoneSettingsDocument.parse("gh/z", null)).isEqualTo(ZoneSettings.defaults());
    }

    @Test
    void aTypoOrABadValueRefusesTheWholeDocumentAndNamesTheZone() {
        assertThatThrownBy(() -> ZoneSettingsDocument.parse("gh/z", new Document("dayTemprature", new Document("low", 22))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the settings of zone gh/z in control_zones are invalid: unknown field 'dayTemprature'");
        assertThatThrownBy(() -> ZoneSettingsDocument.parse("gh/z", new Document("actuators",
                new Document("vent", new Document("max", "lots")))))
                .hasMessageContaining("actuators.vent: 'max' must be a finite number, was lots");
        assertThatThrownBy(() -> ZoneSettingsDocument.parse("gh/z", new Document("actuators", new Document("lamps", new Document()))))
                .hasMessageContaining("actuator 'lamps' is not driven by control");
    }
}
