package io.nearcache.examples;

import io.nearcache.CacheSpec;
import io.nearcache.CacheStats;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.serializers.KryoSerializer;
import io.nearcache.testkit.RedisServer;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Three app nodes sharing one Redis, step by step: an L2 fill, L1 hits, a write on one node
 * invalidating the others, and each node's stats. Uses {@code REDIS_URL} when set, else starts a
 * private redis-server through testkit.
 */
public final class Demo {
  private static final int NODES = 3;

  private final PrintStream out;
  private final AtomicInteger databaseReads = new AtomicInteger();
  private Product stored = new Product("42", "Trail running shoe", new BigDecimal("89.90"), "EUR",
      List.of("shoes", "running", "sale"));

  Demo(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    String uri = System.getenv("REDIS_URL");
    if (uri != null) {
      new Demo(System.out).run(uri);
      return;
    }
    try (RedisServer redis = RedisServer.start()) {
      System.out.println("REDIS_URL is unset: started a private redis-server at " + redis.uri());
      new Demo(System.out).run(redis.uri());
    }
  }

  /** Runs the demo against the Redis at {@code uri}; returns each node's final stats. */
  List<CacheStats> run(String uri) {
    List<NearCacheClient> clients = new ArrayList<>();
    List<NearCache<String, Product>> nodes = new ArrayList<>();
    CacheSpec spec = CacheSpec.parse("localMaxSize=10000,localTtl=300s,remoteTtl=300s");
    try {
      for (int i = 0; i < NODES; i++) {
        NearCacheClient client = NearCacheClient.builder().redisUri(uri).keyPrefix("demo")
            .instanceId("node-" + i).build();
        clients.add(client);
        nodes.add(client.cache("product", spec, new KryoSerializer<>(Product.class)));
      }
      nodes.get(0).invalidateAll(); // start from an empty cache when REDIS_URL is reused
      Function<String, Product> database = id -> {
        databaseReads.incrementAndGet();
        return stored;
      };

      step("1. node-0 reads product 42: L1 and L2 miss, the loader reads the database and fills"
          + " Redis");
      show(0, nodes.get(0).get("42", database));
      step("2. node-1 and node-2 read it: L1 miss, L2 hit (no database read)");
      show(1, nodes.get(1).get("42", database));
      show(2, nodes.get(2).get("42", database));
      step("3. every node reads it 1000 more times: L1 hits, no I/O at all");
      for (int i = 0; i < 1000; i++) {
        nodes.forEach(node -> node.get("42", database));
      }
      out.printf("   database reads so far: %d%n", databaseReads.get());

      step("4. node-0 changes the price: writes the database and the cache, which publishes an"
          + " invalidation");
      stored = stored.withPrice(new BigDecimal("69.90"));
      nodes.get(0).put("42", stored);
      step("5. node-1 and node-2 dropped their L1 copy; their next read gets the new price from"
          + " Redis");
      for (int i = 1; i < NODES; i++) {
        show(i, awaitNewPrice(nodes.get(i), stored.price(), database));
      }

      step("6. stats per node");
      List<CacheStats> stats = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        CacheStats s = nodes.get(i).stats();
        stats.add(s);
        out.printf("   node-%d: L1 %d hits / %d misses, L2 %d hits / %d misses, %d loads,"
                + " hit rate %.4f%n", i, s.l1Hits(), s.l1Misses(), s.l2Hits(), s.l2Misses(),
            s.loadCount(), s.hitRate());
      }
      out.printf("   database reads in all: %d (of %d reads)%n", databaseReads.get(),
          stats.stream().mapToLong(CacheStats::l1Requests).sum());
      return stats;
    } finally {
      clients.forEach(NearCacheClient::close);
    }
  }

  /** Reads until the node serves {@code price}: the invalidation travels asynchronously. */
  private static Product awaitNewPrice(NearCache<String, Product> node, BigDecimal price,
      Function<String, Product> database) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    Product seen = node.get("42", database);
    while (!seen.price().equals(price)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no invalidation within 5 s; still serving " + seen);
      }
      Thread.onSpinWait();
      seen = node.get("42", database);
    }
    return seen;
  }

  private void step(String text) {
    out.println();
    out.println(text);
  }

  private void show(int node, Product product) {
    out.printf("   node-%d got %s %s at %s %s%n", node, product.id(), product.title(),
        product.price(), product.currency());
  }
}
