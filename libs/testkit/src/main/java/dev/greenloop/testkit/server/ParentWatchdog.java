package dev.greenloop.testkit.server;

import java.io.IOException;
import java.io.InputStream;

/**
 * Runs in every server JVM: when standard input reaches end-of-file (the parent closed it, or
 * died), the server exits, running its shutdown hooks.
 */
final class ParentWatchdog {

    private ParentWatchdog() {
    }

    static void start(String serverName) {
        Thread thread = new Thread(() -> {
            InputStream in = System.in;
            try {
                while (in.read() != -1) {
                    // Nothing is ever sent; only end-of-file matters.
                }
            } catch (IOException ignored) {
                // A broken pipe means the parent is gone as well.
            }
            System.out.println(serverName + ": parent closed standard input, shutting down");
            System.exit(0);
        }, "parent-watchdog");
        thread.setDaemon(true);
        thread.start();
    }
}
