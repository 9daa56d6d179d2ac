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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Price updates posted to node A while node B is read: for each update, how long until B first
 * serves the new price (from just before the POST to the arrival of that answer), how many of B's
 * answers after that still carried the old price, and, at the end, whether the database holds the
 * last price posted for every product.
 */
final class ConsistencyRun {
  /** Reads of the product on B after it first showed the new price, each checked for staleness. */
  private static final int READS_AFTER = 10;
  private static final Duration GIVE_UP = Duration.ofSeconds(5);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(GIVE_UP).build();
  private final ObjectMapper json = new ObjectMapper();

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
      long updatedMicros = servedAt(posted);
      long firstSeenMicros = -1;
      long giveUp = System.nanoTime() + GIVE_UP.toNanos();
      while (System.nanoTime() - giveUp < 0) {
        HttpResponse<String> read = fetch(portB, "/store/products/" + id);
        if (usdPrice(json.readTree(read.body()).get("product")) == amount) {
          firstSeenMicros = servedAt(read);
          break;
        }
      }
      if (firstSeenMicros < 0) {
        neverSeen++;
        millis[i] = GIVE_UP.toMillis();
        continue;
      }
      // B may serve the new price a hair before A takes its reading: that counts as no delay.
      millis[i] = Math.max(0, firstSeenMicros - updatedMicros) / 1e3;
      for (int r = 0; r < READS_AFTER; r++) {
        if (usdPrice(get(portB, "/store/products/" + id).get("product")) != amount) {
          stale++;
        }
      }
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
        millis[millis.length - 1], stale, (long) READS_AFTER * (updates - neverSeen), neverSeen,
        lost);
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
