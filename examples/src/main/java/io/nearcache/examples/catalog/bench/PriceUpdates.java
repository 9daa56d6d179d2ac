package io.nearcache.examples.catalog.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A steady stream of price updates to one node, for the mixed runs: one scheduler thread POSTs a
 * new price for a random product of a list, {@code perSecond} times a second, until closed. Each
 * POST is sent without waiting for the one before: under the read load an answer can take longer
 * than the interval, and waiting would lower the rate the runs are meant to compare at.
 */
final class PriceUpdates implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PriceUpdates.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(TIMEOUT).build();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
      task -> {
        Thread t = new Thread(task, "price-updates");
        t.setDaemon(true);
        return t;
      });
  private final Queue<CompletableFuture<Void>> sent = new ConcurrentLinkedQueue<>();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final int port;
  private final List<Long> ids;
  private final Random random;

  private PriceUpdates(int port, List<Long> ids, long seed) {
    this.port = port;
    this.ids = List.copyOf(ids);
    this.random = new Random(seed);
  }

  /**
   * Starts posting to the node on {@code port}; the same {@code seed} gives the same products and
   * prices in the same order, so that two runs meet the same updates.
   */
  static PriceUpdates start(int port, List<Long> ids, int perSecond, long seed) {
    PriceUpdates updates = new PriceUpdates(port, ids, seed);
    long period = TimeUnit.SECONDS.toMicros(1) / perSecond;
    updates.scheduler.scheduleAtFixedRate(updates::postOne, 0, period, TimeUnit.MICROSECONDS);
    return updates;
  }

  private void postOne() {
    long id = ids.get(random.nextInt(ids.size()));
    long amount = 1_000 + random.nextInt(20_000);
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/admin/products/" + id + "/price"))
        .timeout(TIMEOUT)
        .POST(HttpRequest.BodyPublishers.ofString("{\"amount\": " + amount + "}")).build();
    sent.add(http.sendAsync(request, BodyHandlers.ofString()).handle((answer, error) -> {
      if (error == null && answer.statusCode() == 200) {
        succeeded.incrementAndGet();
      } else {
        failed.incrementAndGet();
        log.warn("price update of product {} failed: {}", id,
            error != null ? error.toString() : answer.statusCode() + " " + answer.body());
      }
      return null;
    }));
  }

  /** Updates the node confirmed, so far. */
  long succeeded() {
    return succeeded.get();
  }

  /** Updates refused or lost, so far. */
  long failed() {
    return failed.get();
  }

  /** Stops posting and waits for the answers to the updates already sent. */
  @Override
  public void close() throws InterruptedException {
    scheduler.shutdown();
    scheduler.awaitTermination(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    try {
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
          .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // Each failure was counted and logged as it came; a timeout leaves the rest uncounted.
      log.warn("not every price update was answered in {}", TIMEOUT, e);
    }
  }
}
