package io.nearcache.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.api.options.LocalCachedMapOptions.SyncStrategy;

/**
 * Invalidation propagation, timed: instance A writes a new version of a product that instance B
 * holds in its local cache; the time from just before A's write until B first returns the new
 * version instead of serving the old one from local memory. Measured for nearcache (two clients)
 * and for Redisson's local cached map (two {@code RedissonClient}s, INVALIDATE strategy) on one
 * Redis, and for nearcache on a testkit Redis Cluster ({@code nearcacheCluster}: three primaries
 * and three replicas started for the run, always testkit's even when {@code REDIS_URL} is set),
 * one write at a time, B polling on the writer's thread (so the figure includes A's write and B's
 * one re-read from Redis). The three take turns in blocks of 200 writes, after
 * {@value #WARMUP_WRITES} unmeasured writes each: with only 200, the slowest writes of a run came
 * from its first few hundred, while the JIT still compiled the paths on the same two cores.
 *
 * <p>The poller parks {@value #POLL_NANOS} ns between reads rather than spinning: on two cores a
 * spinning poller competes with the very threads it waits for (B's subscriber, Redis), and its
 * tail was theirs, 1.4 to 3.8 ms at p99 between runs. A park costs the figure at most one pause
 * (tens of microseconds with the kernel's timer slack), the same for every system.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.nearcache.jmh.Propagation <out.json> [writes]}.
 * Redis: {@code REDIS_URL}, else a testkit server; the cluster is testkit's. Writes p50, p99 and
 * max per system as JSON.
 */
public final class Propagation {
  private static final int WARMUP_WRITES = 2_000;
  private static final int BLOCK = 200;
  private static final int KEYS = 16;
  private static final long GIVE_UP_NANOS = 5_000_000_000L;
  private static final long POLL_NANOS = 20_000;

  private Propagation() {}

  /** One side of the experiment: write on A, read on B. */
  interface Pair extends AutoCloseable {
    void write(String key, Product value);

    Product read(String key);

    @Override
    void close();
  }

  public static void main(String[] args) throws IOException {
    File out = new File(args[0]);
    int writes = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    Workload w = new Workload();
    w.workingSet = KEYS;
    w.setUp();
    try {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("writes", writes);
      try (Deployment standalone = Deployment.of(Deployment.STANDALONE, w);
          Deployment cluster = Deployment.of(Deployment.CLUSTER, w);
          Pair near = nearcache(w, standalone);
          Pair nearOnCluster = nearcache(w, cluster);
          Pair redisson = redisson(w)) {
        Map<String, Pair> pairs = new LinkedHashMap<>();
        pairs.put("nearcache", near);
        pairs.put("nearcacheCluster", nearOnCluster);
        pairs.put("redisson", redisson);
        Map<String, long[]> nanos = new LinkedHashMap<>();
        pairs.forEach((name, pair) -> {
          warmUp(pair, w);
          nanos.put(name, new long[writes]);
        });
        // In alternating blocks, so that every system sees the machine in the same moods.
        for (int from = 0; from < writes; from += BLOCK) {
          int to = Math.min(writes, from + BLOCK);
          for (Map.Entry<String, Pair> pair : pairs.entrySet()) {
            measure(pair.getValue(), w, nanos.get(pair.getKey()), from, to);
          }
        }
        nanos.forEach((name, times) -> result.put(name, percentiles(times)));
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, result);
      System.out.println(result);
    } finally {
      w.tearDown();
    }
  }

  private static void warmUp(Pair pair, Workload w) {
    for (int i = 0; i < KEYS; i++) {
      pair.write(w.keys[i], w.product(i));
    }
    measure(pair, w, new long[WARMUP_WRITES], 0, WARMUP_WRITES);
  }

  /** Times writes {@code from} (inclusive) to {@code to} into {@code nanos}. */
  private static void measure(Pair pair, Workload w, long[] nanos, int from, int to) {
    for (int n = from; n < to; n++) {
      String key = w.keys[n % KEYS];
      Product old = pair.read(key); // now in B's local cache
      Product next = new Product(old.id(), old.sku(), old.title(), old.description(),
          old.price().add(BigDecimal.ONE), old.currency(), old.tags(), old.categoryId(),
          old.createdAt(), old.updatedAt());
      long start = System.nanoTime();
      pair.write(key, next);
      while (pair.read(key).equals(old)) {
        if (System.nanoTime() - start > GIVE_UP_NANOS) {
          throw new IllegalStateException("B still serves the old " + key + " after 5 s");
        }
        LockSupport.parkNanos(POLL_NANOS);
      }
      nanos[n] = System.nanoTime() - start;
    }
  }

  private static Map<String, Double> percentiles(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    Map<String, Double> millis = new LinkedHashMap<>();
    millis.put("p50Ms", at(sorted, 0.50));
    millis.put("p99Ms", at(sorted, 0.99));
    millis.put("maxMs", sorted[sorted.length - 1] / 1e6);
    return millis;
  }

  private static double at(long[] sorted, double quantile) {
    return sorted[(int) Math.ceil(quantile * sorted.length) - 1] / 1e6;
  }

  private static Pair nearcache(Workload w, Deployment deployment) {
    NearCacheClient a = deployment.nearcache();
    NearCacheClient b = deployment.nearcache();
    NearCache<String, Product> writer = Peers.products(a, w, KEYS);
    NearCache<String, Product> reader = Peers.products(b, w, KEYS);
    Function<String, Product> noLoad = key -> {
      throw new IllegalStateException(key + " missed L2");
    };
    return new Pair() {
      @Override
      public void write(String key, Product value) {
        writer.put(key, value);
      }

      @Override
      public Product read(String key) {
        return reader.get(key, noLoad);
      }

      @Override
      public void close() {
        a.close();
        b.close();
      }
    };
  }

  private static Pair redisson(Workload w) {
    List<RedissonClient> clients = new ArrayList<>(List.of(Peers.redisson(w), Peers.redisson(w)));
    LocalCachedMapOptions<String, Product> options =
        LocalCachedMapOptions.<String, Product>name(w.prefix + ":propagation")
            .syncStrategy(SyncStrategy.INVALIDATE);
    RLocalCachedMap<String, Product> writer = clients.get(0).getLocalCachedMap(options);
    RLocalCachedMap<String, Product> reader = clients.get(1).getLocalCachedMap(options);
    return new Pair() {
      @Override
      public void write(String key, Product value) {
        writer.fastPut(key, value);
      }

      @Override
      public Product read(String key) {
        return reader.get(key);
      }

      @Override
      public void close() {
        clients.forEach(RedissonClient::shutdown);
      }
    };
  }
}
