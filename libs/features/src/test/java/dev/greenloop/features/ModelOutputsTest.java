package dev.greenloop.features;

import dev.greenloop.events.payload.SensorKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ModelOutputsTest {

    @Test
    void aTargetsValueAndItsIntervalBoundsAreNamedAfterIt() {
        assertThat(ModelOutputs.parse("co2", FeatureSpec.V1)).contains(new ModelOutputs.Output(SensorKind.CO2, ModelOutputs.Role.VALUE));
        assertThat(ModelOutputs.parse("air_temperature_low", FeatureSpec.V1))
                .contains(new ModelOutputs.Output(SensorKind.AIR_TEMPERATURE, ModelOutputs.Role.LOW));
        assertThat(ModelOutputs.parse("relative_humidity_high", FeatureSpec.V1).map(ModelOutputs.Output::name))
                .contains("relative_humidity_high");
    }

    @Test
    void otherNamesAndSensorsThatAreNotTargetsAreNotOutputs() {
        assertThat(ModelOutputs.parse("air_temperature_p90", FeatureSpec.V1)).isEmpty();
        assertThat(ModelOutputs.parse("par", FeatureSpec.V1)).isEmpty();
        assertThat(ModelOutputs.parse("", FeatureSpec.V1)).isEmpty();
    }
}
