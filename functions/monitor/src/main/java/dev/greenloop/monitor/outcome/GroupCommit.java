package dev.greenloop.monitor.outcome;

import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Group commit: the calls that request threads make at the same time are carried out together,
 * in one MongoDB call per batch, by one thread of this stage. A caller waits until its batch is
 * done, so its write is in MongoDB (or its read answered) when {@link #submit} returns, as with
 * a call of its own: nothing is acknowledged before it is stored. There is no waiting for a batch
 * to fill: the thread takes what has queued while the previous batch ran (at most
 * {@code maxBatch}), so one caller alone goes through at once and a busy function makes fewer,
 * larger calls. A failed batch fails every caller in it with the same exception.
 *
 * @param <T> what a caller hands in
 * @param <R> what it gets back; {@code call} answers one per item, in order
 */
final class GroupCommit<T, R> implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    private record Call<T, R>(T item, CompletableFuture<R> result) {
    }

    private final String name;
    private final int maxBatch;
    private final Function<List<T>, List<R>> call;
    private final BlockingQueue<Call<T, R>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    GroupCommit(String name, int maxBatch, Function<List<T>, List<R>> call) {
        this.name = name;
        this.maxBatch = maxBatch;
        this.call = call;
        this.thread = new Thread(this::run, "monitor-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Carries {@code item} out with whatever else is queued, and answers its result; rethrows the batch's failure. */
    R submit(T item) {
        if (closed) {
            throw new IllegalStateException("monitor's " + name + " writer is closed");
        }
        CompletableFuture<R> result = new CompletableFuture<>();
        queue.add(new Call<>(item, result));
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Calls waiting for the next batch. */
    int queued() {
        return queue.size();
    }

    private void run() {
        List<Call<T, R>> batch = new ArrayList<>(maxBatch);
        while (!closed) {
            try {
                Call<T, R> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                carryOut(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
        Call<T, R> left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new IllegalStateException("monitor's " + name + " writer closed"));
        }
    }

    private void carryOut(List<Call<T, R>> batch) {
        List<T> items = new ArrayList<>(batch.size());
        for (Call<T, R> c : batch) {
            items.add(c.item());
        }
        try {
            List<R> results = call.apply(items);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (RuntimeException e) {
            LOG.debugf("A batch of %d %s calls failed: %s", batch.size(), name, e.getMessage());
            for (Call<T, R> c : batch) {
                c.result().completeExceptionally(e);
            }
        } catch (Error e) {
            for (Call<T, R> c : batch) {
                c.result().completeExceptionally(e);
            }
            throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
