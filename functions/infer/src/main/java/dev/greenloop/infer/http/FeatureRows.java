package dev.greenloop.infer.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Feature vectors as the request's JSON gives them, read by Jackson's streaming parser straight
 * into one float array: no boxed number and no list per value. A missing value ({@code null}) is
 * NaN, as the model takes it. What the model checks later is kept: each row's length, whether a
 * row was {@code null} or had no value at all, and the first values that are not finite (a number
 * too large for a double).
 */
public final class FeatureRows {

    /** A value that is not finite (a number too large for a double, or "NaN"), and its place. */
    public record NonFinite(int row, int column, double value) {
    }

    private float[] values = new float[1024];
    private int size;
    private int[] lengths = new int[8];
    private boolean[] nullRow = new boolean[8];
    private boolean[] empty = new boolean[8];
    private int rows;
    private final List<NonFinite> nonFinite = new ArrayList<>();

    public int rows() {
        return rows;
    }

    public int length(int row) {
        return lengths[row];
    }

    /** The row was JSON {@code null}, not an array. */
    public boolean isNull(int row) {
        return nullRow[row];
    }

    /** The row held no value at all: every feature missing. */
    public boolean isEmpty(int row) {
        return empty[row];
    }

    /** The values that are not finite, in reading order; at most as many as a problem lists. */
    public List<NonFinite> nonFinite() {
        return nonFinite;
    }

    /** Writes every row, in order, into {@code buffer} (rows of the right length, checked before). */
    public void writeTo(FloatBuffer buffer) {
        buffer.put(values, 0, size);
    }

    private void startRow(boolean isNull) {
        if (rows == lengths.length) {
            int n = rows * 2;
            lengths = Arrays.copyOf(lengths, n);
            nullRow = Arrays.copyOf(nullRow, n);
            empty = Arrays.copyOf(empty, n);
        }
        lengths[rows] = 0;
        nullRow[rows] = isNull;
        empty[rows] = true;
        rows++;
    }

    private void add(double value, boolean missing) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        int row = rows - 1;
        if (!missing) {
            empty[row] = false;
            if (!Double.isFinite(value) && nonFinite.size() < PredictResource.MAX_ERRORS) {
                nonFinite.add(new NonFinite(row, lengths[row], value));
            }
        }
        values[size++] = missing ? Float.NaN : (float) value;
        lengths[row]++;
    }

    /** Reads one vector's array into a new row; the parser is on its START_ARRAY. */
    private void readRow(JsonParser p, DeserializationContext ctxt) throws IOException {
        startRow(false);
        int index = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
            if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
                add(p.getDoubleValue(), false);
            } else if (t == JsonToken.VALUE_NULL) {
                add(Double.NaN, true);
            } else if (t == JsonToken.VALUE_STRING && special(p.getText()) != null) {
                // As Jackson reads a Double: these names are numbers, and not finite ones (422).
                add(special(p.getText()), false);
            } else {
                refuse(p, ctxt, Double.class, index);
            }
        }
    }

    /** Refuses the current token where a {@code type} was expected, with the array index in its path. */
    private static void refuse(JsonParser p, DeserializationContext ctxt, Class<?> type, int index) throws IOException {
        try {
            ctxt.handleUnexpectedToken(type, p);
        } catch (JsonMappingException e) {
            throw JsonMappingException.wrapWithPath(e, (Object) null, index);
        }
    }

    /** The names Jackson reads as a non-finite double ("NaN", "Infinity", "-INF"...), else null. */
    private static Double special(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "Infinity", "INF" -> Double.POSITIVE_INFINITY;
            case "-Infinity", "-INF" -> Double.NEGATIVE_INFINITY;
            default -> null;
        };
    }

    /** {@code "features": [number | null, ...]}: one row. */
    public static final class One extends StdDeserializer<FeatureRows> {
        public One() {
            super(FeatureRows.class);
        }

        @Override
        public FeatureRows deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                return (FeatureRows) ctxt.handleUnexpectedToken(double[].class, p);
            }
            FeatureRows rows = new FeatureRows();
            rows.readRow(p, ctxt);
            return rows;
        }
    }

    /** {@code "batch": [[number | null, ...] | null, ...]}: one row per vector. */
    public static final class Many extends StdDeserializer<FeatureRows> {
        public Many() {
            super(FeatureRows.class);
        }

        @Override
        public FeatureRows deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                return (FeatureRows) ctxt.handleUnexpectedToken(double[][].class, p);
            }
            FeatureRows rows = new FeatureRows();
            int index = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
                if (t == JsonToken.START_ARRAY) {
                    try {
                        rows.readRow(p, ctxt);
                    } catch (JsonMappingException e) {
                        throw JsonMappingException.wrapWithPath(e, (Object) null, index);
                    }
                } else if (t == JsonToken.VALUE_NULL) {
                    rows.startRow(true);
                } else {
                    refuse(p, ctxt, double[].class, index);
                }
            }
            return rows;
        }
    }
}
