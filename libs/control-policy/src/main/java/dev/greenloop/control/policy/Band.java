package dev.greenloop.control.policy;

/** A setpoint band: the climate is right between {@code low} and {@code high}. */
public record Band(double low, double high) {

    public Band {
        if (!(low < high)) {
            throw new IllegalArgumentException("band low " + low + " must be below high " + high);
        }
    }

    @Override
    public String toString() {
        return fmt(low) + "–" + fmt(high);
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.1f", v);
    }
}
