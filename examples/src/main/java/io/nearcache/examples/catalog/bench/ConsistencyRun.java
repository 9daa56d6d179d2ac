package io.nearcache.examples.catalog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nearcache.examples.catalog.CatalogServer;
import io.nearcache.examples.catalog.CatalogStore;
import io.nearcache.examples.catalog.Price;
import io.nearcache.examples.catalog.Product;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Price updates posted to node A while node B is read: for each update, how long until B first
 * served the new price (from A's stamp on the update's answer to B's stamp on the first answer
 * showing it), how many of B's answers asked for after one showing the new price still showed the
 * old one, and, at the end, whether the database holds the last price posted for every product.
 *
 * <p>{@value #POLLERS} threads read B at once, so that the first answer showing the new price is
 * found to within a fraction of one round trip under load, not a whole one.
 */
final class ConsistencyRun implements AutoCloseable {
  /** Reads of the product on B asked for after it first showed the new price, per update. */
  private static final int READS_AFTER = 10;
  private static final int POLLERS = 4;
  private static final Duration GIVE_UP = Duration.ofSeconds(5);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(GIVE_UP).build();
  private final ObjectMapper json = new ObjectMapper();
  private final ExecutorService pollers = Executors.newFixedThreadPool(POLLERS);

  /**
   * One answer of B: when the poller asked and received it (its own clock, nanoseconds), when B
   * read it (B's stamp, microseconds since the epoch), and the price it showed.
   */
  private record Read(long askedNanos, long receivedNanos, long servedMicros, long amount) {}

  /** The figures of one run; times in milliseconds. */
  record Outcome(int updates, double p50, double p99, double max, long staleReads, long readsAfter,
      int neverSeen, int lostUpdates) {}

  Outcome run(int portA, int portB, CatalogStore store, int updates)
      throws IOException, InterruptedException {
    List<Long> ids = new ArrayList<>();
    get(portB, "/store/products?limit=100").get("products")
        .forEach(p -> ids.add(p.get("id").asLong()));
    Map<Long, Long> lastPosted = new LinkedHashMap<>();
    double[] millis = new double[updates];
    long stale = 0;
    long readsAfter = 0;
    int neverSeen = 0;
    for (int i = 0; i < updates; i++) {
      long id = ids.get(i % ids.size());
      long amount = 500_000 + i;
      HttpResponse<String> posted = send(HttpRequest.newBuilder(uri(portA,
          "/admin/products/" + id + "/price")).POST(
              HttpRequest.BodyPublishers.ofString("{\"amount\": " + amount + "}")).build());
      if (posted.statusCode() != 200) {
        throw new IOException("price update refused: " + posted.body());
      }
      lastPosted.put(id, amount);
      List<Read> reads = watch(portB, id, amount);
      List<Read> fresh = reads.stream().filter(r -> r.amount() == amount).toList();
      if (fresh.isEmpty()) {
        neverSeen++;
        millis[i] = GIVE_UP.toMillis();
        continue;
      }
      // B may serve the new price a hair before A takes its reading: that counts as no delay.
      long firstSeenMicros = fresh.stream().mapToLong(Read::servedMicros).min().orElseThrow();
      millis[i] = Math.max(0, firstSeenMicros - servedAt(posted)) / 1e3;
      // Stale only when the poller asked after it had received the new price: answers that
      // crossed the invalidation in flight are not.
      long seenNanos = fresh.stream().mapToLong(Read::receivedNanos).min().orElseThrow();
      List<Read> after = reads.stream().filter(r -> r.askedNanos() - seenNanos > 0).toList();
      readsAfter += after.size();
      stale += after.stream().filter(r -> r.amount() != amount).count();
    }
    int lost = 0;
    for (Map.Entry<Long, Long> posted : lastPosted.entrySet()) {
      Product inDatabase = store.product(posted.getKey());
      if (usdPrice(inDatabase) != posted.getValue()) {
        lost++;
      }
    }
    Arrays.sort(millis);
    return new Outcome(updates, percentile(millis, 0.50), percentile(millis, 0.99),
        millis[millis.length - 1], stale, readsAfter, neverSeen, lost);
  }

  /**
   * Reads product {@code id} on B from every poller until {@value #READS_AFTER} reads have been
   * asked for after one showed {@code amount}, or {@link #GIVE_UP} has passed.
   */
  private List<Read> watch(int portB, long id, long amount)
      throws IOException, InterruptedException {
    List<Read> reads = Collections.synchronizedList(new ArrayList<>());
    AtomicLong seenNanos = new AtomicLong(Long.MAX_VALUE);
    AtomicInteger readsAfter = new AtomicInteger();
    long giveUp = System.nanoTime() + GIVE_UP.toNanos();
    Callable<Void> poll = () -> {
      while (System.nanoTime() - giveUp < 0 && readsAfter.get() < READS_AFTER) {
        long asked = System.nanoTime();
        long seen = seenNanos.get();
        if (seen != Long.MAX_VALUE && asked - seen > 0) {
          readsAfter.incrementAndGet();
        }
        HttpResponse<String> answer = fetch(portB, "/store/products/" + id);
        long received = System.nanoTime();
        long shown = usdPrice(json.readTree(answer.body()).get("product"));
        reads.add(new Read(asked, received, servedAt(answer), shown));
        if (shown == amount) {
          seenNanos.accumulateAndGet(received, Math::min);
        }
      }
      return null;
    };
    for (Future<Void> poller : pollers.invokeAll(Collections.nCopies(POLLERS, poll))) {
      try {
        poller.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      }
    }
    return List.copyOf(reads);
  }

  private static long servedAt(HttpResponse<String> response) {
    return Long.parseLong(response.headers().firstValue(CatalogServer.SERVED_AT).orElseThrow(
        () -> new IllegalStateException("answer without " + CatalogServer.SERVED_AT)));
  }

  private static double percentile(double[] sorted, double p) {
    return sorted[(int) Math.ceil(p * sorted.length) - 1];
  }

  private static long usdPrice(Product product) {
    return product.variants().get(0).prices().stream().filter(p -> p.currency().equals("usd"))
        .mapToLong(Price::amount).findFirst().orElseThrow();
  }

  private static long usdPrice(JsonNode product) {
    for (JsonNode price : product.get("variants").get(0).get("prices")) {
      if (price.get("currency").asText().equals("usd")) {
        return price.get("amount").asLong();
      }
    }
    throw new IllegalStateException("no usd price in " + product);
  }

  @Override
  public void close() {
    pollers.shutdownNow();
  }

  private JsonNode get(int port, String path) throws IOException, InterruptedException {
    return json.readTree(fetch(port, path).body());
  }

  private HttpResponse<String> fetch(int port, String path)
      throws IOException, InterruptedException {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri(port, path)).build());
    if (response.statusCode() != 200) {
      throw new IOException(path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response;
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
