package dev.greenloop.datasets;

import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.OfflineFeatures;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The table format round-trips on the local file system: values, nulls as NaN, zones, windows. */
class FeatureTableTest {

    private static final FeatureSpec SPEC = FeatureSpec.CURRENT;

    private static OfflineFeatures.Row row(long start, double base) {
        double[] features = new double[SPEC.size()];
        for (int i = 0; i < features.length; i++) {
            features[i] = i % 7 == 0 ? Double.NaN : base + i;
        }
        return new OfflineFeatures.Row(start, features, new double[] {base, Double.NaN, base * 2});
    }

    @Test
    void writtenRowsReadBackExactly(@TempDir java.nio.file.Path dir) throws IOException {
        Path file = new Path(dir.resolve("t.parquet").toUri());
        Configuration conf = new Configuration();
        List<FeatureTable.ZoneRows> zones = List.of(new FeatureTable.ZoneRows("z1", List.of(row(60_000, 1.5), row(120_000, 2.5))),
                new FeatureTable.ZoneRows("z2", List.of(row(60_000, -3))));

        FeatureTable.Written written = FeatureTable.write(file, conf, SPEC, 15, "gh-1", zones);
        List<FeatureTable.ReadRow> read = FeatureTable.read(file, conf, SPEC, 15);

        assertThat(written.rows()).isEqualTo(3);
        assertThat(written.from()).isEqualTo(60_000);
        assertThat(written.to()).isEqualTo(180_000);
        assertThat(read).extracting(FeatureTable.ReadRow::zone).containsExactly("z1", "z1", "z2");
        assertThat(read).extracting(FeatureTable.ReadRow::windowStart).containsExactly(60_000L, 120_000L, 60_000L);
        assertThat(read.get(1).features()).isEqualTo(row(120_000, 2.5).features());
        assertThat(read.get(2).targets()).containsExactly(-3, Double.NaN, -6);
        assertThat(Arrays.stream(read.get(0).features()).filter(Double::isNaN).count())
                .isEqualTo((SPEC.size() + 6) / 7);
    }

    @Test
    void aTableOfAnotherHorizonIsRefused(@TempDir java.nio.file.Path dir) throws IOException {
        Path file = new Path(dir.resolve("t.parquet").toUri());
        Configuration conf = new Configuration();
        FeatureTable.write(file, conf, SPEC, 30, "gh-1", List.of(new FeatureTable.ZoneRows("z1", List.of(row(0, 1)))));

        assertThatThrownBy(() -> FeatureTable.read(file, conf, SPEC, 15)).isInstanceOf(IOException.class).hasMessageContaining("no column target_air_temperature_15m");
    }
}
