package dev.greenloop.infer.http;

import dev.greenloop.function.StrictJson;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Vectors read by the strict reader straight into floats: what the model gets, and what is refused where. */
class FeatureRowsTest {

    private static PredictRequest read(String json) {
        return StrictJson.read(json.getBytes(StandardCharsets.UTF_8), PredictRequest.class);
    }

    private static float[] floats(FeatureRows rows) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder()).asFloatBuffer();
        rows.writeTo(buffer);
        buffer.flip();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    @Test
    void aBatchIsReadRowByRowWithMissingValuesAsNaN() {
        PredictRequest r = read("{\"greenhouseId\":\"gh-1\",\"featureSpecVersion\":\"v1\",\"batch\":"
                + "[[1, 2.5, null], null, [null, null], [-3e2, 4, 5, 6]]}");
        FeatureRows rows = r.batch();
        assertThat(r.features()).isNull();
        assertThat(rows.rows()).isEqualTo(4);
        assertThat(new int[]{rows.length(0), rows.length(1), rows.length(2), rows.length(3)}).containsExactly(3, 0, 2, 4);
        assertThat(new boolean[]{rows.isNull(0), rows.isNull(1), rows.isNull(2), rows.isNull(3)})
                .containsExactly(false, true, false, false);
        assertThat(new boolean[]{rows.isEmpty(0), rows.isEmpty(2), rows.isEmpty(3)}).containsExactly(false, true, false);
        assertThat(floats(rows)).containsExactly(1f, 2.5f, Float.NaN, Float.NaN, Float.NaN, -300f, 4f, 5f, 6f);
        assertThat(rows.nonFinite()).isEmpty();
    }

    @Test
    void valuesBeyondADoubleAndTheirNamesAreKeptAsNotFiniteWithTheirPlace() {
        FeatureRows rows = read("{\"features\":[0, 1e400, \"NaN\", \"-Infinity\", 7]}").features();
        assertThat(rows.rows()).isEqualTo(1);
        assertThat(rows.nonFinite()).hasSize(3);
        assertThat(rows.nonFinite()).extracting(FeatureRows.NonFinite::row).containsOnly(0);
        assertThat(rows.nonFinite()).extracting(FeatureRows.NonFinite::column).containsExactly(1, 2, 3);
        assertThat(rows.nonFinite().get(0).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(rows.nonFinite().get(1).value()).isNaN();
        assertThat(rows.nonFinite().get(2).value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(rows.isEmpty(0)).isFalse();
    }

    @Test
    void aLargeBatchGrowsItsStorage() {
        StringBuilder json = new StringBuilder("{\"batch\":[");
        for (int r = 0; r < 100; r++) {
            json.append(r == 0 ? "" : ",").append('[');
            for (int c = 0; c < 149; c++) {
                json.append(c == 0 ? "" : ",").append(r * 1000 + c);
            }
            json.append(']');
        }
        FeatureRows rows = read(json.append("]}").toString()).batch();
        assertThat(rows.rows()).isEqualTo(100);
        FloatBuffer buffer = ByteBuffer.allocateDirect(100 * 149 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        rows.writeTo(buffer);
        assertThat(buffer.get(99 * 149 + 148)).isEqualTo(99_148f);
        assertThat(buffer.get(149)).isEqualTo(1000f);
    }

    @Test
    void whatIsNotANumberIsRefusedAtItsPlace() {
        assertThatThrownBy(() -> read("{\"batch\":[[1, 2], [3, \"4\"]]}")).isInstanceOf(StrictJson.BodyException.class)
                .hasMessageContaining("at /batch/1/1");
        assertThatThrownBy(() -> read("{\"batch\":[[1], true]}")).hasMessageContaining("at /batch/1");
        assertThatThrownBy(() -> read("{\"features\":[1, [2]]}")).hasMessageContaining("at /features/1");
        assertThatThrownBy(() -> read("{\"features\":{\"a\":1}}")).hasMessageContaining("at /features");
        assertThatThrownBy(() -> read("{\"batch\":[1]}")).hasMessageContaining("at /batch/0");
    }
}
