package dev.greenloop.features;

/**
 * Moist-air quantities from air temperature (degC) and relative humidity (%), with the Magnus
 * formula (Alduchov and Eskridge coefficients 6.1094 hPa, 17.625, 243.04 degC). NaN in, NaN out.
 */
public final class Psychrometrics {

    private static final double A = 17.625;
    private static final double B = 243.04;

    private Psychrometrics() {
    }

    /** Saturation vapour pressure in kPa. */
    public static double saturationVapourPressureKpa(double temperatureC) {
        return 0.61094 * Math.exp(A * temperatureC / (temperatureC + B));
    }

    /** Vapour pressure deficit in kPa: how strongly the air pulls water from the leaves. */
    public static double vapourPressureDeficitKpa(double temperatureC, double relativeHumidity) {
        return saturationVapourPressureKpa(temperatureC) * (1 - clampHumidity(relativeHumidity) / 100);
    }

    /** Dew point in degC; NaN when the humidity is not positive. */
    public static double dewPointC(double temperatureC, double relativeHumidity) {
        double rh = clampHumidity(relativeHumidity);
        if (!(rh > 0)) {
            return Double.NaN;
        }
        double gamma = Math.log(rh / 100) + A * temperatureC / (B + temperatureC);
        return B * gamma / (A - gamma);
    }

    /** Absolute humidity in g/m3 (water vapour as an ideal gas, 461.5 J/(kg K)). */
    public static double absoluteHumidityGm3(double temperatureC, double relativeHumidity) {
        double vapourPa = saturationVapourPressureKpa(temperatureC) * 1000 * clampHumidity(relativeHumidity) / 100;
        return vapourPa / (461.5 * (temperatureC + 273.15)) * 1000;
    }

    private static double clampHumidity(double rh) {
        return Double.isNaN(rh) ? rh : Math.max(0, Math.min(100, rh));
    }
}
