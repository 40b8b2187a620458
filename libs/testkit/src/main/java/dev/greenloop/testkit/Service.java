package dev.greenloop.testkit;

/** A running service of the kit. Closing it stops it; closing twice does nothing. */
public interface Service extends AutoCloseable {

    /** Human name for logs ("Kafka broker"). */
    String name();

    @Override
    void close();
}
