package dev.greenloop.features;

import dev.greenloop.events.json.EventJson;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code feature-spec-<version>.json} for every version into a directory: the spec as the
 * trainer and infer read it. {@code java -cp ... dev.greenloop.features.FeatureSpecExport <dir>}.
 */
public final class FeatureSpecExport {

    private FeatureSpecExport() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (FeatureSpec spec : FeatureSpec.all()) {
            byte[] json = EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(spec.describe());
            Files.write(dir.resolve(fileName(spec)), json);
        }
    }

    /** The file a version's export is written to. */
    public static String fileName(FeatureSpec spec) {
        return "feature-spec-" + spec.version() + ".json";
    }
}
