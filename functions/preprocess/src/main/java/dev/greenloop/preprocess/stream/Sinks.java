package dev.greenloop.preprocess.stream;

import dev.greenloop.function.SinkClient;
import dev.greenloop.preprocess.PreprocessConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The sink feature windows go to: {@code K_SINK}, with preprocess's retry settings. */
@ApplicationScoped
public class Sinks {

    @Produces
    @jakarta.inject.Singleton
    SinkClient sink(PreprocessConfig config) {
        return new SinkClient(config.sink().url(), config.sink().attempts(), config.sink().backoff(), config.sink().timeout());
    }
}
