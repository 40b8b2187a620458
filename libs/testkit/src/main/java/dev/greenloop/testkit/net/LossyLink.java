package dev.greenloop.testkit.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP link between a client and a real server that can lose one answer: the network fault
 * behind an ambiguous write. Armed with a marker, it forwards the next client message whose bytes
 * contain the marker (the server applies it), then closes that connection instead of forwarding
 * the server's answer, so the client sees an error for a request the server carried out.
 * Everything else passes unchanged. Clients connect to {@link #port()}.
 */
public final class LossyLink implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress server;
    private final AtomicReference<byte[]> armed = new AtomicReference<>();
    private final AtomicInteger lost = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public LossyLink(String host, int port) {
        this.server = new InetSocketAddress(host, port);
        try {
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.acceptor = new Thread(this::accept, "lossy-link-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Loses the answer to the next client message that contains {@code marker}. */
    public void loseAnswerTo(String marker) {
        armed.set(marker.getBytes(StandardCharsets.UTF_8));
    }

    /** How many answers were lost. */
    public int lost() {
        return lost.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket(server.getHostString(), server.getPort());
                sockets.add(client);
                sockets.add(upstream);
                AtomicBoolean dropAnswer = new AtomicBoolean();
                pump(client, upstream, dropAnswer, true);
                pump(upstream, client, dropAnswer, false);
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.err.println("lossy link: " + e.getMessage());
                }
            }
        }
    }

    private void pump(Socket from, Socket to, AtomicBoolean dropAnswer, boolean request) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (request) {
                        byte[] marker = armed.get();
                        if (marker != null && contains(buffer, n, marker) && armed.compareAndSet(marker, null)) {
                            dropAnswer.set(true);
                        }
                    } else if (dropAnswer.get()) {
                        // The server answered; the client never hears it.
                        lost.incrementAndGet();
                        from.close();
                        to.close();
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close the other
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "lossy-link-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] data, int length, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (data[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() {
        closeQuietly(listener);
        sockets.forEach(LossyLink::closeQuietly);
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }
}
