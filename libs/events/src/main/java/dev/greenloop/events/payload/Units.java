package dev.greenloop.events.payload;

/** Canonical unit symbols. ASCII only, so they survive every transport and canonical form. */
public final class Units {

    public static final String CELSIUS = "degC";
    public static final String PERCENT = "%";
    public static final String PPM = "ppm";
    /** Photosynthetic photon flux density. */
    public static final String PPFD = "umol/m2/s";
    public static final String WATT_PER_M2 = "W/m2";
    public static final String METRE_PER_SECOND = "m/s";

    private Units() {
    }
}
