package dev.greenloop.features;

import dev.greenloop.events.json.EventJson;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code feature-spec-v1.json}, the spec as the trainer and infer read it.
 * {@code java -cp ... dev.greenloop.features.FeatureSpecExport <file>}.
 */
public final class FeatureSpecExport {

    private FeatureSpecExport() {
    }

    public static void main(String[] args) throws Exception {
        byte[] json = EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(FeatureSpec.V1.describe());
        Files.write(Path.of(args[0]), json);
    }
}
